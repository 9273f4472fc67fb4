/* The SMMU capability objects (seL4 SMMUv2 shape, extended for SMMUv3): per-SMMU kernel
 * state behind SIDControl, SID, CBControl, CB and bypass caps. Decoders check every
 * argument and change nothing on error; invokers cannot fail (a hardware timeout while
 * announcing a change is counted in hw_errors: memory already holds the new state). */
#ifndef OBJECT_SMMU_OBJECT_H
#define OBJECT_SMMU_OBJECT_H

#include "kernel/kernel.h"
#include "smmuv3/cd.h"
#include "smmuv3/smmu.h"

#define SMMU_MAX_ISSUED_SIDS 256 /* SID caps issued per SMMU at once */
#define SMMU_MAX_CBS 64          /* translation contexts per SMMU */

struct sid_state {
    bool used;         /* ever issued: lookups probe past it (open addressing) */
    bool issued;
    bool bypass;       /* STE is bypass (through the privileged bypass cap) */
    uint32_t sid;
    cte_t cb_slot;     /* kernel-held copy of the bound CB's cap (capCBBound = 1) */
};

struct cb_state {
    bool issued;
    bool s1;           /* the assigned VSpace is an IO space: stage 1 only, kernel CD */
    uint16_t vmid;     /* the SMMU-side VMID of this context */
    /* Nested scheme: the guest's CD table (an IPA in the VSpace), never read by the kernel. */
    bool has_cd;
    uint8_t cd_fmt;    /* STE0_S1FMT_* */
    uint8_t cd_max;    /* S1CDMax */
    uint64_t cd_table;
    cte_t vspace_slot; /* kernel-held copy of the assigned VSpace cap (capVSKernelCopy = 1) */
    uint32_t bound_sids;
};

/* ASID of context `cb` when its VSpace is an IO space (stage 1 only; ASID 0 unused). The
 * STE of a stage-1-only SID has S2VMID 0, so those TLB entries are tagged (VMID 0, ASID). */
#define SMMU_CB_ASID(cb) ((uint16_t)((cb) + 1))
#define SMMU_S1_VMID 0u

struct smmu_instance {
    /* The kernel's own CDs, one per context (used while the CB's VSpace is an IO space):
     * the STE of each bound SID points at cds[cb] (S1Fmt linear, S1CDMax 0). */
    struct cd cds[SMMU_MAX_CBS] __attribute__((aligned(64)));
    bool present;
    struct smmu *dev;
    struct sid_state sids[SMMU_MAX_ISSUED_SIDS];
    struct cb_state cbs[SMMU_MAX_CBS];
    bool bypass_issued; /* the bypass cap exists (issued once, like a SID) */
    uint64_t hw_errors;
};

/* Make an initialised SMMU reachable through caps as instance `dev_id` (< 16). */
err_t smmu_object_register(unsigned dev_id, struct smmu *dev);
/* Forget every instance (host tests). */
void smmu_object_reset(void);
struct smmu_instance *smmu_object_instance(unsigned dev_id);

/* The issued-SID record of (dev_id, sid), or NULL. Records are an open-addressed table
 * keyed by the StreamID, so lookups usually take one probe. */
struct sid_state *smmu_object_find_sid(struct smmu_instance *s, uint32_t sid);
/* The record a new SID would take (not issued; call after smmu_object_find_sid said the
 * SID is not issued), or NULL when every record is in use. */
struct sid_state *smmu_object_free_sid(struct smmu_instance *s, uint32_t sid);
/* Iterate over the SIDs bound to context `cb`: pass NULL first, then the previous result. */
struct sid_state *smmu_object_next_bound_sid(struct smmu_instance *s, unsigned cb, struct sid_state *prev);

#endif
