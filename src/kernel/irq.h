/* Interrupt delivery to user level, with seL4's objects and semantics (seL4 manual ch. 9
 * "Hardware I/O", kernel object/interrupt.c and object/notification.c behaviour, reduced
 * to one thread):
 *
 *  - Notification objects (seL4_NotificationObject, from Untyped_Retype): a word and a
 *    state. Signalling ORs the signalling cap's badge into the word and makes it active;
 *    seL4_Wait returns the word and makes it idle again.
 *  - The IRQControl cap (root CNode slot seL4_CapIRQControl) issues one IRQHandler cap per
 *    interrupt (seL4_IRQControl_Get, or GetTrigger to choose edge or level); issued again
 *    only after every cap to that handler is gone (seL4_RevokeFirst otherwise).
 *  - An IRQHandler cap binds its interrupt to a notification (SetNotification: the
 *    notification cap's badge is what the interrupt signals), unbinds it (Clear), and
 *    re-enables it (Ack). When the interrupt fires the kernel masks it at the controller,
 *    signals the bound notification and ends the interrupt; it stays masked until Ack.
 *  - seL4_Wait (a syscall, <sel4/abi.h>): with no signal pending the kernel waits for
 *    interrupts (plat_irq_wait), handling each, until the notification is signalled or a
 *    deadline passes (seL4 would block forever; this kernel has one thread).
 *
 * Bookkeeping: the IRQ table holds, per INTID, its state and the bound notification's
 * address and badge. seL4 keeps a copy of the notification cap in a slot of the IRQ node
 * instead; the effect is the same here because deleting the last cap to a notification
 * (finalisation) unbinds it from every handler, so a deleted notification is never
 * signalled. Deleting the last IRQHandler cap masks the interrupt and frees the INTID. */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include "syscall.h"

/* INTIDs the table covers: GIC SGIs, PPIs and SPIs (0..1019). */
#define KERNEL_MAX_IRQS 1020u
/* How long seL4_Wait waits for a signal (microseconds of plat_now_us), unless the platform
 * set another bound with kernel_set_wait_timeout (0: back to this default). */
#define KERNEL_WAIT_TIMEOUT_US 2000000u
void kernel_set_wait_timeout(uint64_t us);

/* The notification object, in its 2^seL4_NotificationBits bytes (zeroed by Retype: idle,
 * word 0). */
enum ntfn_state { NTFN_IDLE = 0, NTFN_ACTIVE = 1 };
struct notification {
    uint64_t state;   /* enum ntfn_state */
    uint64_t word;    /* OR of the badges signalled while active */
    uint64_t signals; /* signals received since it was created (diagnostics) */
    uint64_t spare;
};

/* Forget every handler and binding (kernel_boot); SGIs/PPIs and the platform's reserved
 * INTIDs become IRQReserved. */
void irq_table_reset(void);

/* Platform -> kernel: `intid` was acknowledged at the controller (seL4 handleInterrupt):
 * mask it until seL4_IRQHandler_Ack, signal its notification. The platform ends it (EOI)
 * afterwards. Interrupts without a handler stay masked. */
void kernel_handle_interrupt(unsigned intid);

/* seL4_Wait from `t` (t->regs[0] = the notification's cptr); reply in t->regs[0..2]. */
void kernel_handle_wait(struct kernel_thread *t);

/* Invocations: seL4_Signal (any label) on a notification cap; IRQControl Get/GetTrigger;
 * IRQHandler Ack/SetNotification/Clear. */
struct syscall_error decode_notification_invocation(struct invocation *inv);
struct syscall_error decode_irq_control_invocation(struct invocation *inv);
struct syscall_error decode_irq_handler_invocation(struct invocation *inv);

/* Finalisation (cspace.c finalise_cap): the last cap to a notification (unbind it from
 * every handler) or to an IRQ handler (mask the interrupt, unbind, INTID free again). */
void notification_finalise(cap_t cap);
void irq_handler_finalise(cap_t cap);

/* Observation, for tests and the image's reports. */
struct irq_info {
    bool issued;      /* an IRQHandler cap exists (seL4 IRQSignal) */
    bool reserved;    /* never issued (seL4 IRQReserved) */
    bool masked;      /* delivered and not yet acknowledged (seL4_IRQHandler_Ack) */
    bool edge;
    paddr_t ntfn;     /* bound notification, 0 = none */
    seL4_Word badge;
    uint64_t delivered; /* times it fired with a handler since the table was reset */
};
bool irq_get_info(unsigned intid, struct irq_info *out);
struct irq_stats {
    uint64_t interrupts;  /* kernel_handle_interrupt calls */
    uint64_t undelivered; /* with a handler but no notification bound */
    uint64_t spurious;    /* for an INTID without a handler (masked again) */
    uint64_t waits, waits_blocked, waits_timed_out;
};
extern struct irq_stats irq_stats;

#endif
