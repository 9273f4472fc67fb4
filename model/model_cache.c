/* The configuration cache and the TLB (with walk caches). Both keep an entry until an
 * invalidation whose scope the architecture defines covers it (4.3, 4.4), or until the
 * model runs out of room (evicting is always allowed; it is counted, so a test can tell
 * that it did not weaken a stale-cache check). Entries are kept dense at the front of
 * their array. */
#include <string.h>

#include "model_internal.h"

/* ---- configuration cache (3.21.3, 4.3) ----------------------------------------------- */

struct model_cfg_entry *cfg_lookup(struct smmu_model *m, enum cfg_kind k, uint32_t sid, uint32_t index)
{
    for (unsigned i = 0; i < m->ncfg; i++) {
        struct model_cfg_entry *e = &m->cfgc[i];
        if (e->kind == k && e->sid == sid && e->index == index)
            return e;
    }
    return NULL;
}

void cfg_insert(struct smmu_model *m, enum cfg_kind k, uint32_t sid, uint32_t index, unsigned split,
                const uint64_t *w, unsigned nw)
{
    struct model_cfg_entry *e = cfg_lookup(m, k, sid, index);
    if (!e) {
        if (m->ncfg < MODEL_CFG_ENTRIES) {
            e = &m->cfgc[m->ncfg++];
        } else {
            e = &m->cfgc[m->cfg_next];
            m->cfg_next = (m->cfg_next + 1) % MODEL_CFG_ENTRIES;
            m->stats.cfg_evictions++;
        }
    }
    memset(e, 0, sizeof(*e));
    e->kind = (uint8_t)k;
    e->sid = sid;
    e->index = index;
    e->split = (uint8_t)split;
    for (unsigned i = 0; i < nw && i < 8; i++)
        e->w[i] = w[i];
}

static void cfg_remove(struct smmu_model *m, unsigned i)
{
    m->cfgc[i] = m->cfgc[--m->ncfg];
    memset(&m->cfgc[m->ncfg], 0, sizeof(m->cfgc[0]));
    m->stats.cfg_invalidated++;
}

/* CMD_CFGI_STE (count 1), _STE_RANGE and _ALL: the STEs of StreamIDs [first, first+count)
 * and every CD and L1CD cached through them (4.3.1, 4.3.2); with leaf false also the
 * L1STDs walked to reach them. With Leaf = 1 the L1STD stays (4.3.1: the strict reading;
 * invalidating it too would be allowed). */
void cfg_invalidate_sids(struct smmu_model *m, uint64_t first, uint64_t count, bool leaf)
{
    uint64_t last = first + count - 1;
    unsigned split = strtab_split(m);
    for (unsigned i = 0; i < m->ncfg;) {
        struct model_cfg_entry *e = &m->cfgc[i];
        bool hit;
        if (e->kind == CFG_L1STD)
            hit = !leaf && (uint64_t)e->sid >= (first >> split) && (uint64_t)e->sid <= (last >> split);
        else
            hit = e->sid >= first && e->sid <= last;
        if (hit)
            cfg_remove(m, i);
        else
            i++;
    }
}

/* CMD_CFGI_CD (4.3.3) and CMD_CFGI_CD_ALL (4.3.4). */
void cfg_invalidate_cd(struct smmu_model *m, uint32_t sid, bool all, uint32_t ssid, bool leaf)
{
    for (unsigned i = 0; i < m->ncfg;) {
        struct model_cfg_entry *e = &m->cfgc[i];
        bool hit = false;
        if (e->sid == sid && e->kind == CFG_CD)
            hit = all || e->index == ssid;
        else if (e->sid == sid && e->kind == CFG_L1CD)
            hit = all || (!leaf && e->index == ssid >> e->split);
        if (hit)
            cfg_remove(m, i);
        else
            i++;
    }
}

unsigned model_cfg_count(const struct smmu_model *m) { return m->ncfg; }

/* ---- TLB and walk caches (3.17, 4.4) -------------------------------------------------- */

struct model_tlb_entry *tlb_insert(struct smmu_model *m, const struct model_tlb_entry *e)
{
    struct model_tlb_entry *slot;
    if (m->ntlb < MODEL_TLB_ENTRIES) {
        slot = &m->tlb[m->ntlb++];
    } else {
        slot = &m->tlb[m->tlb_next];
        m->tlb_next = (m->tlb_next + 1) % MODEL_TLB_ENTRIES;
        m->stats.tlb_evictions++;
    }
    *slot = *e;
    return slot;
}

static bool is_walk(const struct model_tlb_entry *e) { return e->kind == T_WALK_S1 || e->kind == T_WALK_S2; }

static bool tlbi_matches(const struct tlbi_scope *s, const struct model_tlb_entry *e)
{
    if (e->world != s->world || s->tg_mismatch)
        return false;
    switch (e->kind) {
    case T_S1: case T_WALK_S1: if (!s->stage1) return false; break;
    case T_S2: case T_WALK_S2: if (!s->stage2) return false; break;
    case T_S12: if (!s->s12) return false; break;
    default: return false;
    }
    if (s->match_vmid && e->vmid != s->vmid)
        return false;
    if (s->match_asid && e->kind != T_S2 && e->kind != T_WALK_S2) {
        /* Global leaves match any ASID, except for invalidation by ASID alone (ASIDE1). */
        if (e->global && !is_walk(e)) {
            if (s->nonglobal_only)
                return false;
        } else if (e->asid != s->asid) {
            return false;
        }
    }
    if (is_walk(e) && s->leaf_only)
        return false; /* Leaf = 1: only last-level entries (4.4) */
    if (s->by_addr) {
        uint64_t end = e->ia + (1ULL << e->span_log2);
        if (end <= s->lo || e->ia >= s->hi)
            return false;
    }
    /* TTL (4.4.1.1): only leaves of that level; table descriptors above it. */
    if (s->ttl && !is_walk(e) && e->level != s->ttl)
        return false;
    if (s->ttl && is_walk(e) && e->level >= s->ttl)
        return false;
    return true;
}

void tlb_invalidate(struct smmu_model *m, const struct tlbi_scope *s)
{
    for (unsigned i = 0; i < m->ntlb;) {
        if (tlbi_matches(s, &m->tlb[i])) {
            m->tlb[i] = m->tlb[--m->ntlb];
            memset(&m->tlb[m->ntlb], 0, sizeof(m->tlb[0]));
            m->stats.tlb_invalidated++;
        } else {
            i++;
        }
    }
}

unsigned model_tlb_count(const struct smmu_model *m) { return m->ntlb; }

void model_flush_caches(struct smmu_model *m)
{
    memset(m->cfgc, 0, sizeof(m->cfgc[0]) * MODEL_CFG_ENTRIES);
    memset(m->tlb, 0, sizeof(m->tlb[0]) * MODEL_TLB_ENTRIES);
    m->ncfg = m->ntlb = m->cfg_next = m->tlb_next = 0;
}
