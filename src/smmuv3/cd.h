/* Context descriptors (IHI 0070 5.4) and stage-1 / nested STEs. The kernel builds CDs only
 * for its own stage-1 contexts; in the nested scheme the guest builds its CD table and the
 * kernel only points the STE at it (make_nested_ste), never reading it. */
#ifndef SMMUV3_CD_H
#define SMMUV3_CD_H

#include "../lib/err.h"
#include "../lib/types.h"
#include "regs.h"
#include "ste.h"

struct cd {
    uint64_t dw[CD_DWORDS];
};

struct cd_config {
    uint16_t asid;
    paddr_t ttb0;       /* stage-1 root (an IPA when the STE is nested) */
    unsigned t0sz;      /* 64 - VA bits: 16..39 */
    uint64_t mair;      /* MAIR_EL1 image (e.g. PT_S1_MAIR) */
    bool record_faults; /* CD.R */
};

/* A valid AArch64 4K-granule CD: TTB0 walks only (EPD1), IPS = the SMMU's OAS, abort and
 * record on faults (A=1, R per config), ASET (ASIDs not shared with the CPU).
 * ERR_UNSUPPORTED without stage 1; ERR_RANGE for an ASID, T0SZ or TTB0 out of range;
 * ERR_ALIGN for TTB0 not 4K aligned. */
err_t make_cd(const struct smmu_features *f, const struct cd_config *cfg, struct cd *out);

/* Where the STE finds its CDs. */
struct ste_s1_config {
    paddr_t cd_table;  /* S1ContextPtr: PA (stage 1 only) or IPA (nested) */
    unsigned fmt;      /* STE0_S1FMT_* */
    unsigned cdmax;    /* S1CDMax: log2 of the number of CDs (0: one CD) */
};

/* Stage 1 only (native components), and nested stage 1 + stage 2. ERR_UNSUPPORTED
 * without the stages; ERR_RANGE for S1CDMax beyond IDR1.SSIDSIZE or a 2-level format
 * without IDR0.CD2L; ERR_ALIGN for a CD table not 64-byte aligned. */
err_t make_s1_ste(const struct smmu_features *f, const struct ste_s1_config *s1, struct ste *out);
err_t make_nested_ste(const struct smmu_features *f, const struct ste_s1_config *s1,
                      const struct ste_s2_config *s2, struct ste *out);

#endif
