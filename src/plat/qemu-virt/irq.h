/* Interrupts of the EL2 kernel on QEMU virt: the kernel's plat_irq_* seam
 * (src/kernel/kernel_plat.h) on the GIC of the device tree (gic.h), with EL2's own physical
 * timer (CNTHP, a PPI) bounding every wait. The EL2 IRQ vector (image/boot.S) and the trap
 * path of EL0 threads (image/user.c) both call plat_irq_handle_pending(). */
#ifndef PLAT_QEMU_IRQ_H
#define PLAT_QEMU_IRQ_H

#include "gic.h"

/* Find and reset the GIC, enable the timer's PPI. Until it succeeded plat_irq_max() is 0
 * (no handler can be issued) and plat_irq_wait() only waits for its deadline. */
err_t plat_irq_init(const struct platform_info *info);

/* Acknowledge and handle every pending interrupt: the timer's (the wait deadline: timer
 * off), others through kernel_handle_interrupt(); each ended with EOI. Bounded. */
void plat_irq_handle_pending(void);

/* The controller in use (NULL before plat_irq_init succeeded). */
const struct gic *plat_irq_gic(void);

struct plat_irq_counts {
    uint64_t kernel;   /* interrupts handed to kernel_handle_interrupt */
    uint64_t timer;    /* deadline timer expiries */
    uint64_t waits;    /* plat_irq_wait calls */
    uint64_t wfis;     /* wfi executed */
};
extern struct plat_irq_counts plat_irq_counts;

#endif
