/* The Arm Generic Interrupt Controller as the EL2 kernel uses it on QEMU virt: GICv2
 * (distributor + memory-mapped CPU interface, QEMU's default under TCG) or GICv3
 * (distributor + redistributor, CPU interface through ICC_* system registers;
 * `-machine gic-version=3`). Addresses come from the device tree. One CPU: SPIs are routed
 * to it, SGIs/PPIs are its own.
 *
 * Specifications: GICv2 = Arm IHI 0048B (4.3 distributor, 4.4 CPU interface); GICv3 = Arm
 * IHI 0069 (12.9 GICD, 12.10/12.11 GICR, 12.2 ICC system registers). QEMU: hw/intc/arm_gic.c,
 * arm_gicv3_*.c. Interrupts are not grouped for security (QEMU virt without secure=on has
 * one security state): everything is group 0 on GICv2 (signalled as IRQ with FIQEn = 0) and
 * group 1 on GICv3 (ICC_IGRPEN1_EL1). */
#ifndef PLAT_QEMU_GIC_H
#define PLAT_QEMU_GIC_H

#include "../../lib/err.h"
#include "../../lib/types.h"
#include "platform.h"

#define GIC_INTID_SPECIAL 1020u  /* IAR values 1020..1023: no interrupt acknowledged */
#define GIC_INTID_SPURIOUS 1023u /* IAR: nothing to acknowledge */
#define GIC_FIRST_SPI 32u

struct gic {
    unsigned version;  /* 2 or 3 */
    uintptr_t gicd;    /* distributor */
    uintptr_t gicc;    /* GICv2: CPU interface */
    uintptr_t gicr;    /* GICv3: this CPU's redistributor (RD_base; SGI_base at +64 KiB) */
    uint64_t gicr_size;
    unsigned nr_irqs;  /* INTIDs 0..nr_irqs-1 exist (GICD_TYPER.ITLinesNumber), <= 1020 */
    uint32_t timer_intid; /* EL2's physical timer (CNTHP), 0 if the DT names none */
};

/* Find the controller (arm,cortex-a15-gic / arm,gic-400 / arm,gic-v3) and the EL2 timer's
 * PPI (arm,armv8-timer, 4th interrupt) in the device tree platform_probe read.
 * ERR_NOT_FOUND: no GIC. */
err_t gic_probe_dt(const struct platform_info *info, struct gic *g);

/* Reset to a known state: distributor and CPU interface on, every interrupt disabled and
 * not pending, priority mask open. Polls (GICv3 RWP, redistributor wake) have deadlines. */
err_t gic_init(struct gic *g);

void gic_enable(const struct gic *g, uint32_t intid);
void gic_disable(const struct gic *g, uint32_t intid);
void gic_clear_pending(const struct gic *g, uint32_t intid);
bool gic_is_pending(const struct gic *g, uint32_t intid);
/* SPIs only (PPIs keep their configuration): edge-triggered or level-sensitive. */
void gic_set_trigger(const struct gic *g, uint32_t intid, bool edge);
/* Priority and (SPIs) routing to this CPU. */
void gic_set_priority(const struct gic *g, uint32_t intid, uint8_t prio);
void gic_route_here(const struct gic *g, uint32_t intid);

/* Acknowledge the highest-priority pending interrupt: its INTID (GIC_INTID_SPURIOUS or
 * another special value >= 1020 when there is none); end it with gic_eoi(). */
uint32_t gic_ack(const struct gic *g);
void gic_eoi(const struct gic *g, uint32_t intid);

#endif
