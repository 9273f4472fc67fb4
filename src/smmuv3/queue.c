#include "queue.h"

#include "../lib/bits.h"
#include "../plat/plat.h"
#include "regs.h"

/* IDR1.CMDQS/EVENTQS allow at most 2^19 entries (6.3.2). */
#define QUEUE_LOG2_MAX 19u

err_t smmu_queue_init(struct smmu_queue *q, void *mem, uint32_t log2size, uint32_t entry_dwords,
                      uintptr_t prod_reg, uintptr_t cons_reg)
{
    if (!q || !mem || (entry_dwords != 2 && entry_dwords != 4))
        return ERR_INVALID;
    if (log2size > QUEUE_LOG2_MAX)
        return ERR_RANGE;
    paddr_t pa = plat_virt_to_phys(mem);
    uint64_t bytes = (uint64_t)entry_dwords * 8u << log2size;
    /* 6.3.25: the base is aligned to the queue size, and never less than 32 bytes. */
    if (!IS_ALIGNED(pa, bytes < 32 ? 32 : bytes))
        return ERR_ALIGN;
    if ((pa & ~Q_BASE_ADDR) != 0) /* beyond the 52-bit address field */
        return ERR_RANGE;
    q->entries = mem;
    q->base_pa = pa;
    q->log2size = log2size;
    q->entry_dwords = entry_dwords;
    q->prod = 0;
    q->cons = 0;
    q->prod_reg = prod_reg;
    q->cons_reg = cons_reg;
    return ERR_NONE;
}

uint32_t smmu_queue_idx(const struct smmu_queue *q, uint32_t ptr)
{
    return ptr & ((1u << q->log2size) - 1u);
}

static uint32_t wrap_bit(const struct smmu_queue *q, uint32_t ptr)
{
    return ptr & (1u << q->log2size);
}

uint32_t smmu_queue_inc(const struct smmu_queue *q, uint32_t ptr)
{
    /* Index and wrap together form a counter modulo 2^(log2size+1). */
    return (ptr + 1u) & ((2u << q->log2size) - 1u);
}

bool smmu_queue_full(const struct smmu_queue *q, uint32_t prod, uint32_t cons)
{
    return smmu_queue_idx(q, prod) == smmu_queue_idx(q, cons) && wrap_bit(q, prod) != wrap_bit(q, cons);
}

bool smmu_queue_empty(const struct smmu_queue *q, uint32_t prod, uint32_t cons)
{
    return smmu_queue_idx(q, prod) == smmu_queue_idx(q, cons) && wrap_bit(q, prod) == wrap_bit(q, cons);
}

uint32_t smmu_queue_used(const struct smmu_queue *q, uint32_t prod, uint32_t cons)
{
    uint32_t mask = (2u << q->log2size) - 1u;
    return ((prod & mask) - (cons & mask)) & mask;
}

uint64_t *smmu_queue_slot(const struct smmu_queue *q, uint32_t ptr)
{
    return q->entries + (size_t)smmu_queue_idx(q, ptr) * q->entry_dwords;
}

uint64_t smmu_queue_base_reg(const struct smmu_queue *q)
{
    return Q_BASE_RA | (q->base_pa & Q_BASE_ADDR) | FIELD_PREP(Q_BASE_LOG2SIZE, q->log2size);
}
