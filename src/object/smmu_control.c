/* The SMMU-wide operations on a SIDControl cap (the design's fault-handling interface):
 * global errors, the event queue, command-queue error recovery, disable and re-init. A
 * trusted user-level fault handler holding the SIDControl cap decides; the kernel only
 * reports and acts. */
#include <sel4/invocation.h>

#include "lib/bits.h"
#include "object_internal.h"
#include "smmuv3/regs.h"

#define EVENT_WORDS 4u
#define EVENTQ_HEADER_WORDS 2u
#define EVENTQ_MAX_RECORDS ((seL4_MsgMaxLength - EVENTQ_HEADER_WORDS) / EVENT_WORDS)
#define EVENTQ_LOST_FLAG (1ULL << 63)

_Static_assert(EVENTQ_MAX_RECORDS == 29, "documented in interfaces/object-api.json");

/* Flags word of a record in GetEventq's reply (documented with the invocation). */
static seL4_Word event_flags(const struct smmu_event *ev)
{
    return (ev->is_read ? 1u : 0u) | (ev->stage2 ? 2u : 0u) | ((seL4_Word)(ev->class_ & 3u) << 2) |
           (ev->ssv ? 16u : 0u) | ((seL4_Word)ev->ssid << 12);
}

static struct syscall_error get_eventq(struct invocation *inv, struct smmu_instance *s)
{
    if (obj_truncated(inv, ARMSIDControlGetEventq_NWORDS, 0))
        return syscall_err(seL4_TruncatedMessage);
    seL4_Word max = inv->mr[ARMSIDControlGetEventq_max];
    if (max == 0 || max > EVENTQ_MAX_RECORDS) {
        struct syscall_error e = syscall_range(1, EVENTQ_MAX_RECORDS);
        e.invalid_argument = ARMSIDControlGetEventq_max;
        return e;
    }
    seL4_Word n = 0;
    struct smmu_event ev;
    while (n < max && smmu_eventq_pop(s->dev, &ev)) {
        seL4_Word *w = &inv->reply[EVENTQ_HEADER_WORDS + n * EVENT_WORDS];
        w[0] = ev.type | ((seL4_Word)ev.sid << 32);
        w[1] = event_flags(&ev);
        w[2] = ev.input_addr;
        w[3] = ev.ipa;
        n++;
    }
    bool lost = smmu_eventq_overflowed(s->dev);
    inv->reply[0] = n;
    inv->reply[1] = smmu_eventq_pending(s->dev) | (lost ? EVENTQ_LOST_FLAG : 0);
    inv->reply_length = EVENTQ_HEADER_WORDS + (unsigned)n * EVENT_WORDS;
    return SYSCALL_OK;
}

/* Every issued SID's STE as the capabilities say it must be. */
static void rebuild_stes(struct smmu_instance *s)
{
    for (unsigned i = 0; i < SMMU_MAX_ISSUED_SIDS; i++) {
        struct sid_state *st = &s->sids[i];
        if (!st->issued)
            continue;
        struct ste ste = make_abort_ste();
        if (st->bypass) {
            ste = make_bypass_ste();
        } else if (cap_get_capType(st->cb_slot.cap) == cap_cb_cap) {
            unsigned cb = (unsigned)cap_cb_cap_get_capCB(st->cb_slot.cap);
            if (cb < SMMU_MAX_CBS && obj_make_cb_ste(s, &s->cbs[cb], &ste) != ERR_NONE)
                ste = make_abort_ste();
        }
        obj_write_ste(s, st->sid, &ste);
    }
}

struct syscall_error decode_smmu_control_invocation(struct invocation *inv, struct smmu_instance *s)
{
    switch (inv->label) {
    case ARMSIDControlGetGlobalError: {
        struct smmu_gerror_info g;
        smmu_gerror_read(s->dev, &g);
        inv->reply[0] = g.active;
        inv->reply[1] = g.cmdq_err;
        inv->reply[2] = g.cmd[0];
        inv->reply[3] = g.cmd[1];
        inv->reply_length = ARMSIDControlGetGlobalError_NRESULTS;
        return SYSCALL_OK;
    }
    case ARMSIDControlClearGlobalError: {
        if (obj_truncated(inv, ARMSIDControlClearGlobalError_NWORDS, 0))
            return syscall_err(seL4_TruncatedMessage);
        seL4_Word mask = inv->mr[ARMSIDControlClearGlobalError_mask];
        seL4_Word active = smmu_gerror_active(s->dev);
        if (mask == 0 || (mask & ~active) != 0)
            return syscall_invalid_arg(ARMSIDControlClearGlobalError_mask);
        smmu_gerror_ack(s->dev, (uint32_t)mask);
        return SYSCALL_OK;
    }
    case ARMSIDControlGetEventq:
        return get_eventq(inv, s);
    case ARMSIDControlSkipCmdqError:
        if (!(smmu_gerror_active(s->dev) & GERROR_CMDQ_ERR))
            return syscall_err(seL4_IllegalOperation);
        obj_note_hw(s, smmu_cmdq_skip_error(s->dev));
        return SYSCALL_OK;
    case ARMSIDControlDisableSMMU:
        if (!s->dev->enabled)
            return syscall_err(seL4_IllegalOperation);
        obj_note_hw(s, smmu_disable(s->dev));
        return SYSCALL_OK;
    case ARMSIDControlInitSMMU: {
        if (s->dev->enabled)
            return syscall_err(seL4_IllegalOperation);
        err_t e = smmu_reinit(s->dev);
        if (e == ERR_NO_MEMORY)
            return syscall_err(seL4_NotEnoughMemory);
        obj_note_hw(s, e);
        rebuild_stes(s);
        return SYSCALL_OK;
    }
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}
