#include "model_raw.h"

#include <stdlib.h>

static uint8_t arena_mem[RAW_ARENA_BYTES] __attribute__((aligned(2u << 20)));

void *raw_alloc(struct raw *r, size_t bytes, size_t align)
{
    size_t at = (r->used + align - 1) & ~(align - 1);
    if (at + bytes > RAW_ARENA_BYTES)
        abort();
    r->used = at + bytes;
    memset(r->arena + at, 0, bytes);
    return r->arena + at;
}

void raw_setup(struct raw *r, const struct model_config *cfg_or_null, unsigned strtab_log2, bool two_level,
               bool enable)
{
    memset(r, 0, sizeof(*r));
    r->arena = arena_mem;
    struct model_config cfg;
    if (cfg_or_null) {
        cfg = *cfg_or_null;
    } else {
        model_default_config(&cfg, RAW_BASE);
        cfg.idr[5] = (cfg.idr[5] & ~7u) | 5u; /* OAS 48: host addresses */
    }
    cfg.base = RAW_BASE;
    model_init(&r->m, &cfg);
    model_add_ram(&r->m, r->arena, RAW_ARENA_BYTES);
    r->strtab_log2 = strtab_log2;
    r->two_level = two_level;
    r->cmdq_log2 = 8;
    r->evq_log2 = 5;
    r->cmdq = raw_alloc(r, 16u << r->cmdq_log2, 16u << r->cmdq_log2);
    r->evq = raw_alloc(r, 32u << r->evq_log2, 32u << r->evq_log2);
    if (two_level) {
        size_t l1 = strtab_log2 > 6 ? 8u << (strtab_log2 - 6) : 8u;
        r->l1 = raw_alloc(r, l1 < 64 ? 64 : l1, l1 < 64 ? 64 : l1);
        r->strtab = r->l1;
    } else {
        r->strtab = raw_alloc(r, 64u << strtab_log2, 64u << strtab_log2);
    }
    rw64(RR_STRTAB_BASE, pa_of(r->strtab));
    rw32(RR_STRTAB_BASE_CFG, strtab_log2 | (two_level ? (1u << 16) | (6u << 6) : 0));
    rw64(RR_CMDQ_BASE, pa_of(r->cmdq) | r->cmdq_log2);
    rw32(RR_CMDQ_PROD, 0);
    rw32(RR_CMDQ_CONS, 0);
    rw64(RR_EVENTQ_BASE, pa_of(r->evq) | r->evq_log2);
    rw32(RR_EVENTQ_PROD, 0);
    rw32(RR_EVENTQ_CONS, 0);
    rw32(RR_CR2, 1u << 1); /* RECINVSID */
    if (enable)
        rw32(RR_CR0, (1u << 3) | (1u << 2) | 1u);
}

void raw_teardown(struct raw *r) { model_fini(&r->m); }

void raw_cmd(struct raw *r, uint64_t c0, uint64_t c1)
{
    uint32_t idx = r->cmd_prod & ((1u << r->cmdq_log2) - 1);
    r->cmdq[2 * idx] = c0;
    r->cmdq[2 * idx + 1] = c1;
    r->cmd_prod = (r->cmd_prod + 1) & ((2u << r->cmdq_log2) - 1);
    rw32(RR_CMDQ_PROD, r->cmd_prod);
}

void raw_sync(struct raw *r) { raw_cmd(r, OPC_SYNC, 0); }

void raw_cfgi_ste(struct raw *r, uint32_t sid, bool leaf)
{
    raw_cmd(r, OPC_CFGI_STE | ((uint64_t)sid << 32), leaf ? 1 : 0);
    raw_sync(r);
}

void raw_cfgi_all(struct raw *r)
{
    raw_cmd(r, OPC_CFGI_STE_RANGE, 31);
    raw_sync(r);
}

void raw_tlbi_s2_ipa(struct raw *r, uint16_t vmid, uint64_t ipa, bool leaf)
{
    raw_cmd(r, OPC_TLBI_S2_IPA | ((uint64_t)vmid << 32), (ipa & ~0xfffULL) | (leaf ? 1 : 0));
    raw_sync(r);
}

unsigned raw_events_pending(struct raw *r)
{
    uint32_t wm = (2u << r->evq_log2) - 1;
    return ((rr32(RR_EVENTQ_PROD) & wm) - (r->ev_cons & wm)) & wm;
}

bool raw_event(struct raw *r, uint64_t rec[4])
{
    uint32_t wm = (2u << r->evq_log2) - 1;
    if ((rr32(RR_EVENTQ_PROD) & wm) == (r->ev_cons & wm))
        return false;
    uint32_t idx = r->ev_cons & ((1u << r->evq_log2) - 1);
    memcpy(rec, &r->evq[4 * idx], 32);
    r->ev_cons = (r->ev_cons + 1) & wm;
    rw32(RR_EVENTQ_CONS, r->ev_cons | (rr32(RR_EVENTQ_CONS) & (1u << 31)));
    return true;
}

uint64_t *raw_ste(struct raw *r, uint32_t sid)
{
    if (!r->two_level)
        return &r->strtab[8 * (size_t)sid];
    uint64_t *d = &r->l1[sid >> 6];
    if ((*d & 0x1f) == 0) {
        uint64_t *l2 = raw_alloc(r, 64 * 64, 64 * 64);
        for (unsigned i = 0; i < 64; i++)
            l2[8 * i] = 1; /* V=1, Config=abort */
        *d = pa_of(l2) | 7; /* Span = SPLIT + 1 */
    }
    uint64_t *l2 = (uint64_t *)(uintptr_t)(*d & ~0x3fULL);
    return &l2[8 * (size_t)(sid & 63)];
}

void raw_ste_abort(struct raw *r, uint32_t sid)
{
    uint64_t *s = raw_ste(r, sid);
    memset(s, 0, 64);
    s[0] = 1;
}

void raw_ste_bypass(struct raw *r, uint32_t sid)
{
    uint64_t *s = raw_ste(r, sid);
    memset(s, 0, 64);
    s[0] = 1 | (4u << 1);
    s[1] = 1ULL << 44; /* SHCFG: incoming */
}

static uint64_t s2_dw2(uint16_t vmid)
{
    /* S2VMID, S2T0SZ 25, S2SL0 01, IR0/OR0 WB, SH0 ISH, S2TG 4K, S2PS 48, S2AA64, S2R */
    return vmid | (25ULL << 32) | (1ULL << 38) | (1ULL << 40) | (1ULL << 42) | (3ULL << 44) | (5ULL << 48) |
           (1ULL << 51) | (1ULL << 58);
}

void raw_ste_s2(struct raw *r, uint32_t sid, uint16_t vmid, uint64_t s2ttb)
{
    uint64_t *s = raw_ste(r, sid);
    memset(s, 0, 64);
    s[1] = 1ULL << 44;
    s[2] = s2_dw2(vmid);
    s[3] = s2ttb;
    s[0] = 1 | (6u << 1);
}

void raw_ste_s1(struct raw *r, uint32_t sid, uint16_t vmid, uint64_t cd)
{
    uint64_t *s = raw_ste(r, sid);
    memset(s, 0, 64);
    s[1] = 1ULL << 44;
    s[2] = vmid;
    s[0] = 1 | (5u << 1) | (cd & ~0x3fULL);
}

void raw_ste_nested(struct raw *r, uint32_t sid, uint16_t vmid, uint64_t cd_ipa, uint64_t s2ttb)
{
    uint64_t *s = raw_ste(r, sid);
    memset(s, 0, 64);
    s[1] = 1ULL << 44;
    s[2] = s2_dw2(vmid);
    s[3] = s2ttb;
    s[0] = 1 | (7u << 1) | (cd_ipa & ~0x3fULL);
}

void raw_cd(uint64_t *cd, uint64_t ttb0, uint16_t asid)
{
    memset(cd, 0, 64);
    /* T0SZ 25, TG0 4K, IR0/OR0 WB, SH0 ISH, EPD1, V, IPS 48, AA64, R, A, ASID */
    cd[0] = 25 | (1u << 8) | (1u << 10) | (3u << 12) | (1u << 30) | (1ULL << 31) | (5ULL << 32) | (1ULL << 41) |
            (1ULL << 45) | (1ULL << 46) | ((uint64_t)asid << 48);
    cd[1] = ttb0;
    cd[3] = 0x000444ff; /* MAIR */
}

uint64_t raw_table_addr(struct raw *r, const void *p, bool alias)
{
    uint64_t pa = pa_of(p);
    return alias ? RAW_IPA_ALIAS + (pa - pa_of(r->arena)) : pa;
}

static uint64_t *table_ptr(struct raw *r, uint64_t desc, bool alias)
{
    uint64_t a = desc & 0x0000fffffffff000ULL;
    if (alias)
        a = pa_of(r->arena) + (a - RAW_IPA_ALIAS);
    return (uint64_t *)(uintptr_t)a;
}

uint64_t *raw_table(struct raw *r) { return raw_alloc(r, 4096, 4096); }

static uint64_t *next_table(struct raw *r, uint64_t *t, unsigned idx, bool alias, bool create)
{
    if (!(t[idx] & 1)) {
        if (!create)
            return NULL;
        t[idx] = raw_table_addr(r, raw_table(r), alias) | 3;
    }
    return table_ptr(r, t[idx], alias);
}

void raw_map(struct raw *r, uint64_t *root, uint64_t ia, uint64_t oa, uint64_t attrs, bool alias)
{
    uint64_t *l2 = next_table(r, root, (ia >> 30) & 511, alias, true);
    uint64_t *l3 = next_table(r, l2, (ia >> 21) & 511, alias, true);
    l3[(ia >> 12) & 511] = (oa & ~0xfffULL) | attrs | 3;
}

void raw_map_block2m(struct raw *r, uint64_t *root, uint64_t ia, uint64_t oa, uint64_t attrs, bool alias)
{
    uint64_t *l2 = next_table(r, root, (ia >> 30) & 511, alias, true);
    l2[(ia >> 21) & 511] = (oa & ~0x1fffffULL) | attrs | 1;
}

uint64_t *raw_leaf(struct raw *r, uint64_t *root, uint64_t ia, bool alias)
{
    uint64_t *l2 = next_table(r, root, (ia >> 30) & 511, alias, false);
    if (!l2)
        return NULL;
    uint64_t *l3 = next_table(r, l2, (ia >> 21) & 511, alias, false);
    return l3 ? &l3[(ia >> 12) & 511] : NULL;
}
