/* Circular queues shared with the SMMU (IHI 0070 3.5): the command queue (CPU produces)
 * and the event queue (SMMU produces). PROD and CONS hold an index plus a wrap bit just
 * above it; the queue is empty when both are equal and full when only the wrap differs. */
#ifndef SMMUV3_QUEUE_H
#define SMMUV3_QUEUE_H

#include "../lib/err.h"
#include "../lib/types.h"

struct smmu_queue {
    uint64_t *entries;     /* CPU view of the entry array */
    paddr_t base_pa;       /* what the SMMU is told */
    uint32_t log2size;     /* entries = 1 << log2size */
    uint32_t entry_dwords; /* 2 for commands, 4 for events */
    uint32_t prod;         /* shadow PROD: index | wrap */
    uint32_t cons;         /* shadow CONS: index | wrap */
    uintptr_t prod_reg;
    uintptr_t cons_reg;
};

/* Set up a queue over caller memory: 2^log2size entries of entry_dwords, aligned to the
 * queue size (and to 32 bytes at least). ERR_ALIGN / ERR_RANGE on bad memory or size. */
err_t smmu_queue_init(struct smmu_queue *q, void *mem, uint32_t log2size, uint32_t entry_dwords,
                      uintptr_t prod_reg, uintptr_t cons_reg);

/* Pure index arithmetic, exposed for tests. */
uint32_t smmu_queue_idx(const struct smmu_queue *q, uint32_t ptr);
uint32_t smmu_queue_inc(const struct smmu_queue *q, uint32_t ptr);
bool smmu_queue_full(const struct smmu_queue *q, uint32_t prod, uint32_t cons);
bool smmu_queue_empty(const struct smmu_queue *q, uint32_t prod, uint32_t cons);
/* Entries between cons and prod. */
uint32_t smmu_queue_used(const struct smmu_queue *q, uint32_t prod, uint32_t cons);

/* Pointer to the entry slot at `ptr`. */
uint64_t *smmu_queue_slot(const struct smmu_queue *q, uint32_t ptr);

/* Value for the *_BASE register: RA, address, log2size. */
uint64_t smmu_queue_base_reg(const struct smmu_queue *q);

#endif
