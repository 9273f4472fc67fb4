/* Stream tables (IHI 0070 3.3): linear, or 2-level with level-2 arrays allocated lazily,
 * one per populated group of 2^split StreamIDs. Every STE starts as abort; a group with
 * no level-2 array is an invalid L1 descriptor, so its streams are refused too. */
#ifndef SMMUV3_STRTAB_H
#define SMMUV3_STRTAB_H

#include "../lib/err.h"
#include "../lib/pool.h"
#include "../lib/types.h"

struct ste;

enum strtab_fmt { STRTAB_LINEAR = 0, STRTAB_2LVL = 1 };

struct strtab_layout {
    enum strtab_fmt fmt;
    unsigned sid_bits;    /* LOG2SIZE */
    unsigned split;       /* 2-level: SIDs per level-2 array = 2^split (6, 8 or 10) */
    uint64_t bytes;       /* linear table, or level-1 table */
    uint64_t l2_bytes;    /* one level-2 array (0 for linear) */
    uint64_t l1_entries;  /* 0 for linear */
};

/* Pure layout arithmetic: linear when the SMMU cannot do 2 levels or the table is small
 * (<= 64 KiB), else 2-level with the smallest split that keeps level 1 <= 8 MiB (split 10
 * beyond 30 SID bits, where level 1 grows to 32 MiB for 32-bit SIDs). */
err_t strtab_choose_layout(unsigned sid_bits, bool two_level_supported, int force_fmt,
                           struct strtab_layout *out);

struct smmu_strtab {
    struct strtab_layout layout;
    uint64_t *base;        /* CPU view of the linear / level-1 table */
    paddr_t base_pa;
    struct page_pool *pool;
    uint32_t l2_tables;    /* level-2 arrays allocated */
};

/* Fill the table (all STEs abort, or all L1 descriptors invalid). `mem` is aligned to
 * its size (at least 64 bytes) and holds layout->bytes. */
err_t strtab_init(struct smmu_strtab *st, const struct strtab_layout *layout, void *mem,
                  uint64_t mem_bytes, struct page_pool *pool);

/* STRTAB_BASE and STRTAB_BASE_CFG register values. */
uint64_t strtab_base_reg(const struct smmu_strtab *st);
uint32_t strtab_base_cfg_reg(const struct smmu_strtab *st);

/* Find the STE of `sid`. With `alloc`, a missing level-2 array is allocated, filled with
 * abort STEs and linked (and *linked is set so the caller can invalidate the L1 entry).
 * Without `alloc`, a missing array gives ERR_NOT_MAPPED. ERR_RANGE beyond sid_bits. */
err_t strtab_locate(struct smmu_strtab *st, uint32_t sid, bool alloc, struct ste **out,
                    bool *linked);

/* Release every level-2 array back to the pool. */
void strtab_destroy(struct smmu_strtab *st);

#endif
