/* Notifications, IRQControl, IRQHandler and seL4_Wait (irq.h). */
#include "irq.h"

#include <sel4/abi.h>
#include <sel4/invocation.h>
#include <sel4/object_types.h>

#include "cspace.h"
#include "kernel_plat.h"
#include "lib/string.h"
#include "plat/plat.h"

enum irq_state { IRQ_INACTIVE = 0, IRQ_SIGNAL, IRQ_RESERVED };

struct irq_entry {
    uint8_t state;   /* enum irq_state (seL4 irq_state_t, without IRQTimer: the kernel's
                      * timer is a reserved PPI) */
    bool masked;     /* delivered, waiting for Ack */
    bool edge;
    paddr_t ntfn;    /* bound notification object, 0 = none */
    seL4_Word badge; /* the badge of the cap SetNotification was given */
    uint64_t delivered;
};

static struct irq_entry irqs[KERNEL_MAX_IRQS];
struct irq_stats irq_stats;
static uint64_t wait_timeout_us = KERNEL_WAIT_TIMEOUT_US;

void kernel_set_wait_timeout(uint64_t us) { wait_timeout_us = us ? us : KERNEL_WAIT_TIMEOUT_US; }

_Static_assert(sizeof(struct notification) <= (1u << seL4_NotificationBits), "a notification fits its object");

static struct notification *ntfn_obj(paddr_t pa) { return (struct notification *)plat_phys_to_virt(pa); }
static paddr_t ntfn_of_cap(cap_t cap) { return (paddr_t)cap_notification_cap_get_capNtfnPtr(cap); }

/* The largest INTID users may name: the controller's, capped by the table. */
static unsigned max_irq(void)
{
    unsigned m = plat_irq_max();
    return m < KERNEL_MAX_IRQS ? m : KERNEL_MAX_IRQS - 1;
}

void irq_table_reset(void)
{
    kmemset(irqs, 0, sizeof(irqs));
    kmemset(&irq_stats, 0, sizeof(irq_stats));
    unsigned max = max_irq();
    for (unsigned i = 0; i < KERNEL_MAX_IRQS; i++)
        if (i > max || plat_irq_reserved(i))
            irqs[i].state = IRQ_RESERVED;
}

bool irq_get_info(unsigned intid, struct irq_info *out)
{
    if (intid >= KERNEL_MAX_IRQS)
        return false;
    const struct irq_entry *e = &irqs[intid];
    *out = (struct irq_info){
        .issued = e->state == IRQ_SIGNAL,
        .reserved = e->state == IRQ_RESERVED,
        .masked = e->masked,
        .edge = e->edge,
        .ntfn = e->ntfn,
        .badge = e->badge,
        .delivered = e->delivered,
    };
    return true;
}

/* ---- notifications --------------------------------------------------------------------- */

/* seL4 sendSignal for a notification nobody is blocked on (the one thread only blocks
 * inside kernel_handle_wait, which looks at the state itself). */
static void notification_signal(paddr_t pa, seL4_Word badge)
{
    struct notification *n = ntfn_obj(pa);
    n->word = n->state == NTFN_ACTIVE ? (n->word | badge) : badge;
    n->state = NTFN_ACTIVE;
    n->signals++;
}

struct syscall_error decode_notification_invocation(struct invocation *inv)
{
    /* seL4 decodeInvocation, notification case: any label signals; needs CanSend. */
    cap_t cap = inv->slot->cap;
    if (!cap_notification_cap_get_capNtfnCanSend(cap))
        return syscall_invalid_cap(SYSCALL_INVOKED_CAP);
    notification_signal(ntfn_of_cap(cap), cap_notification_cap_get_capNtfnBadge(cap));
    return SYSCALL_OK;
}

void notification_finalise(cap_t cap)
{
    paddr_t pa = ntfn_of_cap(cap);
    for (unsigned i = 0; i < KERNEL_MAX_IRQS; i++)
        if (irqs[i].ntfn == pa)
            irqs[i].ntfn = 0;
    struct notification *n = ntfn_obj(pa);
    n->state = NTFN_IDLE;
    n->word = 0;
}

/* ---- the interrupt path ------------------------------------------------------------------ */

void kernel_handle_interrupt(unsigned intid)
{
    irq_stats.interrupts++;
    if (intid >= KERNEL_MAX_IRQS)
        return;
    struct irq_entry *e = &irqs[intid];
    if (e->state != IRQ_SIGNAL) {
        plat_irq_mask(intid); /* seL4: an interrupt nobody handles stays masked */
        irq_stats.spurious++;
        return;
    }
    /* seL4 handleInterrupt: mask until the handler acknowledges it, then signal. */
    plat_irq_mask(intid);
    e->masked = true;
    e->delivered++;
    if (e->ntfn)
        notification_signal(e->ntfn, e->badge);
    else
        irq_stats.undelivered++;
}

static void wait_reply(struct kernel_thread *t, seL4_Word badge, seL4_Word label, bool detail)
{
    t->regs[SEL4_REG_CAP] = badge;
    t->regs[SEL4_REG_MSGINFO] = seL4_MessageInfo_new(label, 0, 0, detail ? 1 : 0).words[0];
    if (detail)
        t->regs[SEL4_REG_MR0] = SYSCALL_INVOKED_CAP;
}

void kernel_handle_wait(struct kernel_thread *t)
{
    irq_stats.waits++;
    cte_t *slot = lookup_slot(t->cspace_root.cap, t->regs[SEL4_REG_CAP]);
    if (!slot) {
        t->regs[SEL4_REG_MR0] = 0; /* seL4_FailedLookup's detail: not a source slot */
        t->regs[SEL4_REG_CAP] = 0;
        t->regs[SEL4_REG_MSGINFO] = seL4_MessageInfo_new(seL4_FailedLookup, 0, 0, 1).words[0];
        return;
    }
    cap_t cap = slot->cap;
    if (cap_get_capType(cap) != cap_notification_cap || !cap_notification_cap_get_capNtfnCanReceive(cap)) {
        wait_reply(t, 0, seL4_InvalidCapability, true);
        return;
    }
    struct notification *n = ntfn_obj(ntfn_of_cap(cap));
    if (n->state != NTFN_ACTIVE) {
        /* Block: let interrupts in until one signals this notification. Bounded by the
         * deadline, and by a round count in case the clock stood still. */
        irq_stats.waits_blocked++;
        uint64_t deadline = plat_now_us() + wait_timeout_us;
        for (uint32_t round = 0; n->state != NTFN_ACTIVE && round < (1u << 24); round++) {
            if (plat_now_us() >= deadline)
                break;
            plat_irq_wait(deadline);
        }
        if (n->state != NTFN_ACTIVE) {
            irq_stats.waits_timed_out++;
            wait_reply(t, 0, SEL4_WAIT_TIMED_OUT, false);
            return;
        }
    }
    seL4_Word word = n->word;
    n->word = 0;
    n->state = NTFN_IDLE;
    wait_reply(t, word, seL4_NoError, false);
}

/* ---- IRQControl --------------------------------------------------------------------------- */

struct syscall_error decode_irq_control_invocation(struct invocation *inv)
{
    /* seL4 Arch_decodeIRQControlInvocation (ARM): Get and GetTrigger. */
    seL4_Word irq, index, depth;
    bool edge;
    cap_t root;
    if (inv->label == IRQIssueIRQHandler) {
        if (inv->length < IRQIssueIRQHandler_NWORDS || inv->extra_caps < IRQIssueIRQHandler_NCAPS)
            return syscall_err(seL4_TruncatedMessage);
        irq = inv->mr[IRQIssueIRQHandler_irq];
        index = inv->mr[IRQIssueIRQHandler_index];
        depth = inv->mr[IRQIssueIRQHandler_depth];
        root = inv->extra_slot[IRQIssueIRQHandler_root]->cap;
        edge = false; /* seL4's GIC drivers configure every SPI level-sensitive */
    } else if (inv->label == ARMIRQIssueIRQHandlerTrigger) {
        if (inv->length < ARMIRQIssueIRQHandlerTrigger_NWORDS ||
            inv->extra_caps < ARMIRQIssueIRQHandlerTrigger_NCAPS)
            return syscall_err(seL4_TruncatedMessage);
        irq = inv->mr[ARMIRQIssueIRQHandlerTrigger_irq];
        index = inv->mr[ARMIRQIssueIRQHandlerTrigger_index];
        depth = inv->mr[ARMIRQIssueIRQHandlerTrigger_depth];
        root = inv->extra_slot[ARMIRQIssueIRQHandlerTrigger_root]->cap;
        seL4_Word trigger = inv->mr[ARMIRQIssueIRQHandlerTrigger_trigger];
        if (trigger > 1)
            return syscall_invalid_arg(ARMIRQIssueIRQHandlerTrigger_trigger);
        edge = trigger == 1;
    } else {
        return syscall_err(seL4_IllegalOperation);
    }
    unsigned max = max_irq();
    if (irq > max)
        return syscall_range(0, max);
    if (irqs[irq].state != IRQ_INACTIVE)
        return syscall_err(seL4_RevokeFirst); /* seL4: "IRQ already active" (or reserved) */
    cte_t *dest;
    struct syscall_error e = kernel_lookup_empty_slot(root, index, depth, 0, &dest);
    if (e.type != seL4_NoError)
        return e;

    /* invoke (seL4 invokeIRQControl): cannot fail from here. */
    unsigned intid = (unsigned)irq;
    irqs[intid] = (struct irq_entry){ .state = IRQ_SIGNAL, .edge = edge };
    plat_irq_configure(intid, edge);
    cte_insert(cap_irq_handler_cap_new(intid), inv->slot, dest);
    plat_irq_unmask(intid); /* seL4 setIRQState(IRQSignal): unmasked */
    return SYSCALL_OK;
}

/* ---- IRQHandler --------------------------------------------------------------------------- */

struct syscall_error decode_irq_handler_invocation(struct invocation *inv)
{
    unsigned intid = (unsigned)cap_irq_handler_cap_get_capIRQ(inv->slot->cap);
    if (intid >= KERNEL_MAX_IRQS)
        return syscall_invalid_cap(SYSCALL_INVOKED_CAP);
    struct irq_entry *e = &irqs[intid];
    switch (inv->label) {
    case IRQAckIRQ:
        e->masked = false;
        plat_irq_unmask(intid);
        return SYSCALL_OK;
    case IRQSetIRQHandler: {
        if (inv->extra_caps < IRQSetIRQHandler_NCAPS)
            return syscall_err(seL4_TruncatedMessage);
        cap_t ntfn = inv->extra_slot[IRQSetIRQHandler_notification]->cap;
        if (cap_get_capType(ntfn) != cap_notification_cap || !cap_notification_cap_get_capNtfnCanSend(ntfn))
            return syscall_invalid_cap(IRQSetIRQHandler_notification);
        e->ntfn = ntfn_of_cap(ntfn);
        e->badge = cap_notification_cap_get_capNtfnBadge(ntfn);
        return SYSCALL_OK;
    }
    case IRQClearIRQHandler:
        e->ntfn = 0;
        e->badge = 0;
        return SYSCALL_OK;
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}

void irq_handler_finalise(cap_t cap)
{
    /* seL4 deletingIRQHandler + setIRQState(IRQInactive): masked, unbound, free. */
    unsigned intid = (unsigned)cap_irq_handler_cap_get_capIRQ(cap);
    if (intid >= KERNEL_MAX_IRQS || irqs[intid].state != IRQ_SIGNAL)
        return;
    plat_irq_mask(intid);
    irqs[intid] = (struct irq_entry){ .state = IRQ_INACTIVE };
}
