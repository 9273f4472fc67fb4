#include "strtab.h"

#include "../lib/bits.h"
#include "../lib/string.h"
#include "../plat/plat.h"
#include "regs.h"
#include "ste.h"

#define LINEAR_MAX_BYTES (64u * 1024u)
/* Level 1 is kept within 8 MiB where a split of 6, 8 or 10 allows it; beyond 30 SID bits
 * the largest split (10) still needs up to 2^22 descriptors (32 MiB for 32-bit SIDs). */
#define L1_MAX_ENTRIES (1u << 20)
#define L1STD_BYTES 8u

err_t strtab_choose_layout(unsigned sid_bits, bool two_level_supported, int force_fmt,
                           struct strtab_layout *out)
{
    if (sid_bits > 32)
        return ERR_RANGE;
    struct strtab_layout l = { 0 };
    l.sid_bits = sid_bits;
    uint64_t linear_bytes = (uint64_t)STE_SIZE << sid_bits;
    bool linear;
    if (force_fmt == STRTAB_LINEAR)
        linear = true;
    else if (force_fmt == STRTAB_2LVL)
        linear = false;
    else
        linear = !two_level_supported || linear_bytes <= LINEAR_MAX_BYTES;
    if (!linear && !two_level_supported)
        return ERR_UNSUPPORTED;
    if (linear) {
        l.fmt = STRTAB_LINEAR;
        l.bytes = linear_bytes;
        *out = l;
        return ERR_NONE;
    }
    /* STRTAB_BASE_CFG.SPLIT is 6, 8 or 10 (6.3.24). */
    static const unsigned splits[] = { 6, 8, 10 };
    l.fmt = STRTAB_2LVL;
    l.split = 10;
    for (unsigned i = 0; i < ARRAY_SIZE(splits); i++) {
        if (sid_bits <= splits[i] || (1ULL << (sid_bits - splits[i])) <= L1_MAX_ENTRIES) {
            l.split = splits[i];
            break;
        }
    }
    l.l1_entries = sid_bits > l.split ? 1ULL << (sid_bits - l.split) : 1;
    l.bytes = l.l1_entries * L1STD_BYTES;
    l.l2_bytes = (uint64_t)STE_SIZE << l.split;
    *out = l;
    return ERR_NONE;
}

static void fill_abort(struct ste *stes, uint64_t n)
{
    struct ste abort_ste = make_abort_ste();
    for (uint64_t i = 0; i < n; i++)
        stes[i] = abort_ste;
}

err_t strtab_init(struct smmu_strtab *st, const struct strtab_layout *layout, void *mem,
                  uint64_t mem_bytes, struct page_pool *pool)
{
    if (!st || !layout || !mem)
        return ERR_INVALID;
    if (mem_bytes < layout->bytes)
        return ERR_RANGE;
    paddr_t pa = plat_virt_to_phys(mem);
    /* 6.3.23: the table is aligned to its size (minimum 64 bytes). */
    if (!IS_ALIGNED(pa, layout->bytes < 64 ? 64 : layout->bytes) || (pa & ~STRTAB_BASE_ADDR))
        return ERR_ALIGN;
    if (layout->fmt == STRTAB_2LVL && !pool)
        return ERR_INVALID;
    st->layout = *layout;
    st->base = mem;
    st->base_pa = pa;
    st->pool = pool;
    st->l2_tables = 0;
    if (layout->fmt == STRTAB_LINEAR)
        fill_abort(mem, 1ULL << layout->sid_bits);
    else
        kmemset(mem, 0, layout->bytes); /* Span = 0: no level-2 array, stream refused */
    /* The SMMU reads the table once it is enabled: make the contents visible first. */
    plat_clean_to_poc(mem, layout->bytes);
    plat_dsb_ishst();
    return ERR_NONE;
}

uint64_t strtab_base_reg(const struct smmu_strtab *st)
{
    return STRTAB_BASE_RA | (st->base_pa & STRTAB_BASE_ADDR);
}

uint32_t strtab_base_cfg_reg(const struct smmu_strtab *st)
{
    return (uint32_t)(FIELD_PREP(STRTAB_BASE_CFG_FMT, st->layout.fmt) |
                      FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, st->layout.sid_bits) |
                      FIELD_PREP(STRTAB_BASE_CFG_SPLIT, st->layout.split));
}

err_t strtab_locate(struct smmu_strtab *st, uint32_t sid, bool alloc, struct ste **out,
                    bool *linked)
{
    if (linked)
        *linked = false;
    if (st->layout.sid_bits < 32 && (sid >> st->layout.sid_bits) != 0)
        return ERR_RANGE;
    if (st->layout.fmt == STRTAB_LINEAR) {
        *out = (struct ste *)st->base + sid;
        return ERR_NONE;
    }
    uint64_t l1_index = (uint64_t)sid >> st->layout.split;
    uint64_t l2_index = sid & ((1u << st->layout.split) - 1u);
    volatile uint64_t *l1 = &st->base[l1_index];
    uint64_t desc = *l1;
    if (FIELD_GET(L1STD_SPAN, desc) == 0) {
        if (!alloc)
            return ERR_NOT_MAPPED;
        paddr_t l2_pa;
        uint32_t pages = (uint32_t)(st->layout.l2_bytes / PAGE_SIZE);
        err_t e = pool_alloc(st->pool, pages ? pages : 1, &l2_pa);
        if (e != ERR_NONE)
            return e;
        struct ste *l2 = plat_phys_to_virt(l2_pa);
        fill_abort(l2, 1ULL << st->layout.split);
        /* The array must be visible before the descriptor that points at it. */
        plat_clean_to_poc(l2, st->layout.l2_bytes);
        plat_dsb_ishst();
        /* 5.1: Span = SPLIT + 1 covers exactly 2^SPLIT STEs (notes D4). */
        desc = (l2_pa & L1STD_L2PTR) | FIELD_PREP(L1STD_SPAN, st->layout.split + 1);
        *l1 = desc;
        plat_clean_to_poc((const void *)l1, L1STD_BYTES);
        plat_dsb_ishst();
        st->l2_tables++;
        if (linked)
            *linked = true;
    }
    struct ste *l2 = plat_phys_to_virt(desc & L1STD_L2PTR);
    *out = l2 + l2_index;
    return ERR_NONE;
}

void strtab_destroy(struct smmu_strtab *st)
{
    if (st->layout.fmt != STRTAB_2LVL)
        return;
    uint32_t pages = (uint32_t)(st->layout.l2_bytes / PAGE_SIZE);
    for (uint64_t i = 0; i < st->layout.l1_entries; i++) {
        uint64_t desc = st->base[i];
        if (FIELD_GET(L1STD_SPAN, desc) == 0)
            continue;
        pool_free(st->pool, desc & L1STD_L2PTR, pages ? pages : 1);
        st->base[i] = 0;
    }
    st->l2_tables = 0;
}
