/* SMMU TLB invalidation for stage 2 (IHI 0070 4.4): per page, by range (IDR3.RIL), or a
 * whole VMID; every batch ends with exactly one CMD_SYNC. */
#ifndef SMMUV3_TLB_H
#define SMMUV3_TLB_H

#include "cmd.h"
#include "smmu.h"

/* Above this many single-page commands, invalidate the whole VMID instead. */
#define TLBI_MAX_PAGE_CMDS 256u
/* Enough for any range form: one command per 5-bit digit of a 52-bit page count. */
#define TLBI_MAX_RANGE_CMDS 12u

/* Build the commands (no CMD_SYNC) that invalidate [ipa, ipa+size) of `vmid`, whose leaf
 * entries sit at `ttl` (1..3: Leaf = 1, only last-level entries go; 0 = unknown, mixed,
 * or a removed table: Leaf = 0, so walk-cache (non-leaf) entries go too). With RIL: range commands, at most
 * ceil(log32(pages)) + 1 of them. Without: one TLBI_S2_IPA per leaf, or TLBI_S12_VMALL
 * past TLBI_MAX_PAGE_CMDS. Returns the count; 0 with ERR_ALIGN/ERR_INVALID in *err. */
unsigned smmu_tlbi_s2_build(const struct smmu_features *f, uint16_t vmid, ipa_t ipa,
                            uint64_t size, unsigned ttl, struct smmu_cmd *out, unsigned max,
                            err_t *err);

/* The same for stage-1 VAs of `asid` in `vmid` (TLBI_NH_VA; leaf level unknown). */
unsigned smmu_tlbi_s1_build(const struct smmu_features *f, uint16_t vmid, uint16_t asid, iova_t va,
                            uint64_t size, struct smmu_cmd *out, unsigned max, err_t *err);

/* Build and submit with one CMD_SYNC. */
err_t smmu_tlbi_s2_range(struct smmu *smmu, uint16_t vmid, ipa_t ipa, uint64_t size, unsigned ttl);

/* TLBI_S12_VMALL + CMD_SYNC. */
err_t smmu_tlbi_vmid(struct smmu *smmu, uint16_t vmid);

#endif
