/* Host stand-in of the interrupt controller (the kernel's plat_irq_* seam, kernel_plat.h):
 * a fake GIC with QEMU's GICv2 latching rules, for host tests of src/kernel/irq.c.
 *
 * A device "pulses" a line with host_gic_pulse(): an edge-triggered INTID becomes pending
 * whether or not it is enabled (and stays pending while masked); a level-sensitive one
 * only if it is enabled at that moment (QEMU gic_set_irq_generic). plat_irq_wait delivers
 * every pending, enabled INTID to kernel_handle_interrupt (acknowledge: pending cleared),
 * as the GIC would while the CPU waits; with nothing to deliver it advances the virtual
 * clock to the deadline (the CPU slept). Unlike a CPU running the thread at EL0, which takes
 * an interrupt the moment it is pending, the fake delivers only there. */
#ifndef PLAT_HOST_IRQ_HOST_H
#define PLAT_HOST_IRQ_HOST_H

#include "../../kernel/kernel_plat.h"

#define HOST_GIC_NR_IRQS 288u /* QEMU virt's GICv2: 32 private + 256 SPIs */

struct host_gic {
    bool enabled[HOST_GIC_NR_IRQS];
    bool pending[HOST_GIC_NR_IRQS];
    bool edge[HOST_GIC_NR_IRQS];
    unsigned configured[HOST_GIC_NR_IRQS]; /* plat_irq_configure calls */
    unsigned acked[HOST_GIC_NR_IRQS];      /* delivered to the kernel */
    unsigned waits;                        /* plat_irq_wait calls */
    unsigned idle_waits;                   /* ... that found nothing to deliver */
    /* Called at the start of every plat_irq_wait (a device acting while the CPU waits). */
    void (*wait_hook)(void *arg);
    void *wait_hook_arg;
};
extern struct host_gic host_gic;

/* Everything disabled, nothing pending, no hook. */
void host_gic_reset(void);
/* A device pulses line `intid` (the QEMU SMMU's qemu_irq_pulse). */
void host_gic_pulse(unsigned intid);

#endif
