/* Stream table entries (IHI 0070 5.2): pure builders, and the ordered update plan that
 * moves a live STE from one configuration to another without the SMMU ever seeing a
 * mixture of the two ("hitless" where the architecture allows it). */
#ifndef SMMUV3_STE_H
#define SMMUV3_STE_H

#include "../lib/err.h"
#include "../lib/types.h"
#include "regs.h"

struct ste {
    uint64_t dw[STE_DWORDS];
};

struct smmu_features;

/* Stage-2 translation parameters; t0sz/sl0 are the VTCR_EL2 encodings of the table. */
struct ste_s2_config {
    uint16_t vmid;
    paddr_t s2ttb;      /* root of the stage-2 table (the VSpace) */
    unsigned t0sz;      /* 64 - IPA bits */
    unsigned sl0;       /* 4K granule: 0 = level 2, 1 = level 1, 2 = level 0 */
    bool record_faults; /* S2R: write F_* events to the event queue */
};

struct ste make_abort_ste(void);
struct ste make_bypass_ste(void);
/* ERR_UNSUPPORTED without stage 2; ERR_RANGE for a VMID, T0SZ or S2TTB the SMMU cannot
 * take; ERR_INVALID for a start level incompatible with T0SZ; ERR_ALIGN for S2TTB. */
err_t make_s2_ste(const struct smmu_features *f, const struct ste_s2_config *cfg, struct ste *out);

/* Bits of each dword the SMMU interprets for the configuration `s` holds (5.2). */
void ste_used_bits(const struct ste *s, struct ste *mask);

/* True if two entries are the same configuration as the SMMU sees it. */
bool ste_equivalent(const struct ste *a, const struct ste *b);

/* The ordered update: a list of full entry images; applying them in order, each followed
 * by CFGI_STE + CMD_SYNC, moves `cur` to `target`. Between consecutive images at most one
 * dword changes in bits the SMMU is currently interpreting, so every entry the SMMU can
 * fetch equals (as it sees it) `cur`, `target`, or — only when no hitless path exists —
 * the abort entry used as the break state. Returns the number of steps (0..3). */
#define STE_MAX_STEPS 3
unsigned ste_update_plan(const struct ste *cur, const struct ste *target,
                         struct ste steps[STE_MAX_STEPS]);

#endif
