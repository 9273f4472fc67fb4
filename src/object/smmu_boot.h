/* The boot table compiled from the static configuration (tools/gen_smmu_config.py): the
 * SID and CB caps the kernel pre-generates for the root task. */
#ifndef OBJECT_SMMU_BOOT_H
#define OBJECT_SMMU_BOOT_H

#include <stdint.h>

struct smmu_boot_sid {
    uint8_t smmu_id;
    uint32_t sid;
};

struct smmu_boot_smmu {
    uint8_t smmu_id;
    uint8_t sid_bits;
};

/* The table smmu_boot_populate (kernel.h) turns into caps; set before kernel_boot. */
void smmu_boot_set_table(const struct smmu_boot_sid *table, unsigned n);
/* Entries the last boot could not issue (SMMU absent, SID beyond its table, duplicate,
 * no memory for the level-2 stream table). */
unsigned smmu_boot_skipped(void);

#endif
