/* seL4_Call entry (see syscall.h for the register ABI and the error replies): look up the
 * invoked cap and the extra caps, gather the message, dispatch by cap type (seL4
 * decodeInvocation), and reply. */
#include "syscall.h"

#include "cspace.h"
#include "irq.h"
#include "untyped.h"
#include "vspace.h"

struct syscall_error kernel_decode_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    switch (cap_get_capType(cap)) {
    case cap_untyped_cap:
        return decode_untyped_invocation(inv);
    case cap_cnode_cap:
        return decode_cnode_invocation(inv);
    case cap_frame_cap:
        return decode_frame_invocation(inv);
    case cap_page_table_cap:
        return decode_page_table_invocation(inv);
    case cap_vspace_cap:
        return syscall_err(seL4_IllegalOperation); /* no VSpace invocations here */
    case cap_notification_cap:
        return decode_notification_invocation(inv); /* seL4_Signal */
    case cap_irq_control_cap:
        return decode_irq_control_invocation(inv);
    case cap_irq_handler_cap:
        return decode_irq_handler_invocation(inv);
    case cap_null_cap:
    case cap_zombie_cap:
        return syscall_invalid_cap(SYSCALL_INVOKED_CAP); /* seL4: invoking a null cap */
    default:
        if (cap_is_smmu(cap))
            return decode_smmu_invocation(inv);
        return syscall_invalid_cap(SYSCALL_INVOKED_CAP);
    }
}

/* seL4 setMRs_syscall_error: the detail words of an error reply. */
static unsigned error_words(const struct syscall_error *e, seL4_Word *mr)
{
    switch (e->type) {
    case seL4_InvalidArgument:
        mr[0] = e->invalid_argument;
        return 1;
    case seL4_InvalidCapability:
        mr[0] = e->invalid_cap;
        return 1;
    case seL4_RangeError:
        mr[0] = e->range_min;
        mr[1] = e->range_max;
        return 2;
    case seL4_FailedLookup:
        mr[0] = e->failed_lookup_was_source ? 1 : 0;
        return 1;
    case seL4_NotEnoughMemory:
        mr[0] = e->memory_left;
        return 1;
    default:
        return 0;
    }
}

static void reply(struct kernel_thread *t, seL4_Error err, const seL4_Word *mr, unsigned n)
{
    unsigned max = t->ipc_buffer ? seL4_MsgMaxLength : seL4_FastMessageRegisters;
    if (n > max)
        n = max;
    t->regs[0] = 0;
    t->regs[1] = seL4_MessageInfo_new((seL4_Word)err, 0, 0, n).words[0];
    for (unsigned i = 0; i < n; i++) {
        if (i < seL4_FastMessageRegisters)
            t->regs[2 + i] = mr[i];
        else
            t->ipc_buffer->msg[i] = mr[i];
    }
}

static void reply_error(struct kernel_thread *t, struct syscall_error e)
{
    seL4_Word mr[2];
    unsigned n = error_words(&e, mr);
    reply(t, e.type, mr, n);
}

void kernel_handle_call(struct kernel_thread *t)
{
    seL4_MessageInfo_t info = { { t->regs[1] } };
    seL4_IPCBuffer *buf = t->ipc_buffer;
    unsigned length = (unsigned)seL4_MessageInfo_get_length(info);
    unsigned extra = (unsigned)seL4_MessageInfo_get_extraCaps(info);
    if (length > seL4_MsgMaxLength)
        length = seL4_MsgMaxLength;
    if (!buf) {
        if (length > seL4_FastMessageRegisters)
            length = seL4_FastMessageRegisters; /* seL4: no buffer, registers only */
        extra = 0;
    }
    if (extra > seL4_MsgMaxExtraCaps)
        extra = seL4_MsgMaxExtraCaps;

    struct syscall_error fl = syscall_err(seL4_FailedLookup);
    cte_t *slot = lookup_slot(t->cspace_root.cap, t->regs[0]);
    if (!slot) {
        reply_error(t, fl);
        return;
    }
    struct invocation inv = {
        .label = seL4_MessageInfo_get_label(info),
        .length = length,
        .extra_caps = extra,
        .slot = slot,
    };
    for (unsigned i = 0; i < extra; i++) {
        inv.extra_slot[i] = lookup_slot(t->cspace_root.cap, buf->caps_or_badges[i]);
        if (!inv.extra_slot[i]) {
            reply_error(t, fl);
            return;
        }
    }
    seL4_Word mr[seL4_MsgMaxLength];
    for (unsigned i = 0; i < length; i++)
        mr[i] = i < seL4_FastMessageRegisters ? t->regs[2 + i] : buf->msg[i];
    seL4_Word results[seL4_MsgMaxLength];
    inv.mr = mr;
    inv.reply = results;
    inv.reply_length = 0;

    struct syscall_error e = kernel_decode_invocation(&inv);
    if (e.type != seL4_NoError) {
        reply_error(t, e);
        return;
    }
    reply(t, seL4_NoError, results, inv.reply_length);
}
