/* The model's view of memory: only windows the test registered are reachable; any other
 * address is an external abort, as on a bus with nothing behind it (3.12, 7.2.2). */
#include <string.h>

#include "model_internal.h"

void model_add_ram(struct smmu_model *m, const void *base, size_t size)
{
    if (m->nram < MODEL_MAX_RAM) {
        m->ram[m->nram].base = (uint64_t)(uintptr_t)base;
        m->ram[m->nram].size = size;
        m->nram++;
    }
}

static bool mem_ok(const struct smmu_model *m, uint64_t pa, unsigned len)
{
    if (pa + len < pa || (pa & (len - 1)) != 0)
        return false; /* wraps, or not naturally aligned (the model makes no such access) */
    if (pa < m->inject.abort_hi && pa + len > m->inject.abort_lo)
        return false;
    for (unsigned i = 0; i < m->nram; i++)
        if (pa >= m->ram[i].base && pa + len <= m->ram[i].base + m->ram[i].size)
            return true;
    return false;
}

bool mem_read64(struct smmu_model *m, uint64_t pa, uint64_t *v)
{
    if (!mem_ok(m, pa, 8))
        return false;
    /* 64-bit single-copy atomic (3.21.3). */
    *v = __atomic_load_n((const uint64_t *)(uintptr_t)pa, __ATOMIC_RELAXED);
    return true;
}

bool mem_write64(struct smmu_model *m, uint64_t pa, uint64_t v)
{
    if (!mem_ok(m, pa, 8))
        return false;
    __atomic_store_n((uint64_t *)(uintptr_t)pa, v, __ATOMIC_RELAXED);
    return true;
}

bool mem_write32(struct smmu_model *m, uint64_t pa, uint32_t v)
{
    if (!mem_ok(m, pa, 4))
        return false;
    __atomic_store_n((uint32_t *)(uintptr_t)pa, v, __ATOMIC_RELAXED);
    return true;
}

void model_violation(struct smmu_model *m, const char *what)
{
    m->stats.violations++;
    m->last_violation = what;
}

/* The 3-bit size code of IDR5.OAS, STE.S2PS, CD.IPS (6.3.6). */
unsigned ps_bits(unsigned code)
{
    static const unsigned b[8] = { 32, 36, 40, 42, 44, 48, 52, 56 };
    return b[code & 7];
}

unsigned oas_bits(const struct smmu_model *m)
{
    unsigned b = ps_bits(IDR5_OAS(m->cfg.idr[5]));
    return b > 48 ? 48 : b; /* 64-bit descriptors with the 4K granule and DS = 0 */
}

const char *model_event_name(uint8_t type)
{
    switch (type) {
    case MEV_NONE: return "none";
    case MEV_F_UUT: return "F_UUT";
    case MEV_C_BAD_STREAMID: return "C_BAD_STREAMID";
    case MEV_F_STE_FETCH: return "F_STE_FETCH";
    case MEV_C_BAD_STE: return "C_BAD_STE";
    case MEV_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
    case MEV_C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
    case MEV_F_CD_FETCH: return "F_CD_FETCH";
    case MEV_C_BAD_CD: return "C_BAD_CD";
    case MEV_F_WALK_EABT: return "F_WALK_EABT";
    case MEV_F_TRANSLATION: return "F_TRANSLATION";
    case MEV_F_ADDR_SIZE: return "F_ADDR_SIZE";
    case MEV_F_ACCESS: return "F_ACCESS";
    case MEV_F_PERMISSION: return "F_PERMISSION";
    }
    return "?";
}
