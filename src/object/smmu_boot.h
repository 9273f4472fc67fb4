/* The boot table compiled from the static configuration (tools/gen_smmu_config.py): the
 * SID and CB caps the kernel pre-generates for the root task. */
#ifndef OBJECT_SMMU_BOOT_H
#define OBJECT_SMMU_BOOT_H

#include <stdbool.h>
#include <stdint.h>

struct smmu_boot_sid {
    uint8_t smmu_id;
    uint32_t sid;
};

/* Wired interrupts of an SMMU in the boot table, in the order of the arm,smmu-v3 binding's
 * interrupt-names. */
enum smmu_boot_irq { SMMU_BOOT_IRQ_EVENTQ, SMMU_BOOT_IRQ_PRIQ, SMMU_BOOT_IRQ_CMDQ_SYNC, SMMU_BOOT_IRQ_GERROR,
                     SMMU_BOOT_IRQ_COMBINED, SMMU_BOOT_NIRQ };

struct smmu_boot_smmu {
    uint8_t smmu_id;
    uint8_t sid_bits;  /* StreamID bits its masters need (dt2smmu), or the hand-written width */
    uint64_t base;     /* register frame from the device tree (dt2smmu); 0: not given */
    uint64_t size;
    bool coherent;     /* dma-coherent */
    uint32_t irq[SMMU_BOOT_NIRQ]; /* GIC INTIDs, 0 = not wired */
};

/* The table smmu_boot_populate (kernel.h) turns into caps; set before kernel_boot. */
void smmu_boot_set_table(const struct smmu_boot_sid *table, unsigned n);
/* Entries the last boot could not issue (SMMU absent, SID beyond its table, duplicate,
 * no memory for the level-2 stream table). */
unsigned smmu_boot_skipped(void);

#endif
