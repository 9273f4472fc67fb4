#include "smmu_fixture.h"

#include <string.h>

static uint64_t cmdq_mem[2 * 1024] __attribute__((aligned(16 * 1024)));
static uint64_t eventq_mem[4 * 64] __attribute__((aligned(2048)));
static uint8_t strtab_mem[64 * 1024] __attribute__((aligned(64 * 1024)));
static uint8_t pool_mem[FX_POOL_PAGES * 4096] __attribute__((aligned(64 * 1024)));
static uint64_t pool_bitmap[POOL_BITMAP_WORDS(FX_POOL_PAGES)];

void fx_config(struct fixture *fx, unsigned sid_bits, enum smmu_strtab_choice choice,
               unsigned cmdq_log2)
{
    memset(cmdq_mem, 0, sizeof(cmdq_mem));
    memset(eventq_mem, 0, sizeof(eventq_mem));
    pool_init(&fx->pool, (paddr_t)(uintptr_t)pool_mem, FX_POOL_PAGES, pool_bitmap);
    fx->cfg = (struct smmu_config){
        .base = STANDIN_BASE,
        .sid_bits = sid_bits,
        .strtab = choice,
        .cmdq_mem = cmdq_mem,
        .cmdq_log2 = cmdq_log2,
        .eventq_mem = eventq_mem,
        .eventq_log2 = 6,
        .strtab_mem = strtab_mem,
        .strtab_bytes = sizeof(strtab_mem),
        .pool = &fx->pool,
        .poll_timeout_us = 1000,
    };
}

err_t fx_start(struct fixture *fx, unsigned sid_bits, enum smmu_strtab_choice choice)
{
    memset(fx, 0, sizeof(*fx));
    standin_init(&fx->sd);
    fx_config(fx, sid_bits, choice, 8);
    return smmu_init(&fx->smmu, &fx->cfg);
}

void fx_stop(struct fixture *fx) { standin_remove(&fx->sd); }
