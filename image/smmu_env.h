/* The SMMU as the image's scenarios use it: one SMMUv3 found in the DTB, driven by
 * src/smmuv3, with one stage-2 VSpace built by src/pgtable that the SMMU walks as S2TTB
 * (and the CPU as VTTBR_EL2). Set up once, on first use, from the image's page pool. */
#ifndef IMAGE_SMMU_ENV_H
#define IMAGE_SMMU_ENV_H

#include "image.h"
#include "pgtable/pgtable.h"
#include "smmuv3/smmu.h"

/* Outside the kernel's VSpace VMIDs and the SMMU objects' CB VMIDs (both 1..64), and
 * below 256 (the CPU's VMID is 8-bit with VTCR_EL2.VS = 0). */
#define ENV_VMID 0xf0u
#define ENV_IPA_BITS 40u

struct smmu_env {
    bool ready;
    struct smmu smmu;
    struct pt vspace; /* stage 2: IPA (the device's IOVA) -> PA */
};

/* Initialise the SMMU and the VSpace (idempotent). Prints what the SMMU offers. */
struct smmu_env *smmu_env_get(struct image_ctx *ctx);

/* Stream modes for a StreamID. */
err_t env_set_stage2(struct smmu_env *env, uint32_t sid);
err_t env_set_bypass(struct smmu_env *env, uint32_t sid);
err_t env_set_abort(struct smmu_env *env, uint32_t sid);

/* The STE of `sid` is abort (as every StreamID must be once a scenario has cleaned up). */
bool env_sid_aborts(struct smmu_env *env, uint32_t sid);

/* Map in the VSpace (4K, 2M or 1G). */
err_t env_map(struct smmu_env *env, iova_t iova, paddr_t pa, uint64_t size, unsigned perms);
/* Unmap, then invalidate the SMMU TLB for what was removed: range TLBI + one CMD_SYNC.
 * With `invalidate` false the TLBI is skipped (to show why it is needed). */
err_t env_unmap(struct smmu_env *env, iova_t iova, uint64_t size, bool invalidate,
                struct pt_inval *inv);

/* Drain the event queue, printing each record; returns how many were read. If `want` is
 * not NULL, the first record is copied there. */
unsigned env_drain_events(struct smmu_env *env, struct smmu_event *first, bool print);

/* Buffers: fill with a pattern seeded by `seed`; compare with the same pattern. */
void env_fill(paddr_t pa, uint32_t n, uint8_t seed);
bool env_check(paddr_t pa, uint32_t n, uint8_t seed);
void env_fill_byte(paddr_t pa, uint32_t n, uint8_t v);
bool env_all_bytes(paddr_t pa, uint32_t n, uint8_t v);

/* One page (or n pages, power of two) from the image pool. */
paddr_t env_alloc(struct image_ctx *ctx, uint32_t pages);

#endif
