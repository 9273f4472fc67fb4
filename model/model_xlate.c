/* Translation of one transaction (3.3): stream table, STE, CD, stage-1 and stage-2
 * walks (Arm ARM D8, VMSAv8-64, 4K granule, DS = 0), permissions, Access flag, address
 * size, and the event that a failure records (7.3). Every structure and translation it
 * fetches goes into the caches (model_cache.c), which it consults first. */
#include <string.h>

#include "model_internal.h"

/* ---- STE fields (5.2) ---- */
#define STE_V(s) bit((s)[0], 0)
#define STE_CONFIG(s) ((unsigned)bits((s)[0], 3, 1))
#define STE_S1FMT(s) ((unsigned)bits((s)[0], 5, 4))
#define STE_S1CONTEXTPTR(s) ((s)[0] & mask_hi_lo(55, 6))
#define STE_S1CDMAX(s) ((unsigned)bits((s)[0], 63, 59))
#define STE_S1DSS(s) ((unsigned)bits((s)[1], 1, 0))
#define STE_S1STALLD(s) bit((s)[1], 27)
#define STE_EATS(s) ((unsigned)bits((s)[1], 29, 28))
#define STE_STRW(s) ((unsigned)bits((s)[1], 31, 30))
#define STE_S2VMID(s) ((uint16_t)bits((s)[2], 15, 0))
#define STE_S2T0SZ(s) ((unsigned)bits((s)[2], 37, 32))
#define STE_S2SL0(s) ((unsigned)bits((s)[2], 39, 38))
#define STE_S2TG(s) ((unsigned)bits((s)[2], 47, 46))
#define STE_S2PS(s) ((unsigned)bits((s)[2], 50, 48))
#define STE_S2AA64(s) bit((s)[2], 51)
#define STE_S2ENDI(s) bit((s)[2], 52)
#define STE_S2AFFD(s) bit((s)[2], 53)
#define STE_S2PTW(s) bit((s)[2], 54)
#define STE_S2HD(s) bit((s)[2], 55)
#define STE_S2HA(s) bit((s)[2], 56)
#define STE_S2S(s) bit((s)[2], 57)
#define STE_S2R(s) bit((s)[2], 58)
#define STE_S2TTB(s) ((s)[3] & mask_hi_lo(55, 4))
/* Config values */
#define CFG_BYPASS 4u
#define CFG_S1 5u
#define CFG_S2 6u
#define CFG_NESTED 7u

/* ---- CD fields (5.4) ---- */
#define CD_T0SZ(c) ((unsigned)bits((c)[0], 5, 0))
#define CD_TG0(c) ((unsigned)bits((c)[0], 7, 6))
#define CD_EPD0(c) bit((c)[0], 14)
#define CD_ENDI(c) bit((c)[0], 15)
#define CD_T1SZ(c) ((unsigned)bits((c)[0], 21, 16))
#define CD_TG1(c) ((unsigned)bits((c)[0], 23, 22))
#define CD_EPD1(c) bit((c)[0], 30)
#define CD_V(c) bit((c)[0], 31)
#define CD_IPS(c) ((unsigned)bits((c)[0], 34, 32))
#define CD_AFFD(c) bit((c)[0], 35)
#define CD_WXN(c) bit((c)[0], 36)
#define CD_TBI0(c) bit((c)[0], 38)
#define CD_TBI1(c) bit((c)[0], 39)
#define CD_PAN(c) bit((c)[0], 40)
#define CD_AA64(c) bit((c)[0], 41)
#define CD_HD(c) bit((c)[0], 42)
#define CD_HA(c) bit((c)[0], 43)
#define CD_S(c) bit((c)[0], 44)
#define CD_R(c) bit((c)[0], 45)
#define CD_A(c) bit((c)[0], 46)
#define CD_ASID(c) ((uint16_t)bits((c)[0], 63, 48))
#define CD_TTB0(c) ((c)[1] & mask_hi_lo(55, 4))
#define CD_TTB1(c) ((c)[2] & mask_hi_lo(55, 4))

/* ---- translation table descriptors (Arm ARM D8.3, 4K, DS = 0) ---- */
#define D_VALID(d) bit(d, 0)
#define D_TABLE(d) bit(d, 1)     /* levels 0-2: 1 table, 0 block; level 3: 1 page */
#define D_AF (1ULL << 10)
#define D_NG(d) bit(d, 11)
#define D_S1_AP1(d) bit(d, 6)    /* EL0 access */
#define D_S1_AP2(d) bit(d, 7)    /* read-only */
#define D_S1_PXN(d) bit(d, 53)
#define D_S1_UXN(d) bit(d, 54)
#define D_S2_R(d) bit(d, 6)      /* S2AP[0] */
#define D_S2_W(d) bit(d, 7)      /* S2AP[1] */
#define D_S2_DEVICE(d) (bits(d, 5, 4) == 0) /* MemAttr[3:2] = 00: Device */
/* accumulated stage-1 table attributes (struct model_tlb_entry.s1_table) */
#define TB_PXN 1u
#define TB_UXN 2u
#define TB_NO_EL0 4u   /* APTable[0] */
#define TB_RO 8u       /* APTable[1] */

enum { CLASS_CD = 0, CLASS_TT = 1, CLASS_IN = 2 };

/* A failed translation step: what will be reported. */
struct fault {
    uint8_t type;
    bool s2;
    uint8_t class_;
    uint64_t ipa;    /* stage 2: IPA; CLASS CD/TT: the CD or descriptor IPA */
    uint64_t fetch;  /* F_*_FETCH, F_WALK_EABT: the address that aborted */
    bool ttrnw;      /* F_PERMISSION, CLASS TT: the descriptor read */
};

/* One transaction in flight. */
struct xl {
    struct smmu_model *m;
    const struct model_txn *t;
    struct model_result *r;
    bool silent;          /* prefetch: fetch and cache, record nothing */
    uint64_t ste[8];
    uint64_t cd[8];
    uint16_t vmid;        /* stage-2 VMID, and the VMID tag of stage-1 EL1 entries */
    uint8_t world;
    bool el2;             /* StreamWorld EL2 (STRW = 10): one VA range, no EL0 */
    struct fault f;
};

static bool fail(struct xl *x, uint8_t type, bool s2, uint8_t cls, uint64_t ipa)
{
    x->f = (struct fault){ .type = type, .s2 = s2, .class_ = cls, .ipa = ipa };
    return false;
}

unsigned strtab_split(const struct smmu_model *m)
{
    unsigned s = (unsigned)bits(m->strtab_base_cfg, 10, 6);
    return (s == 8 || s == 10) ? s : 6; /* 6.3.25: other values behave as 6 */
}

/* IAS (3.4.1): OAS for an SMMU with AArch64 tables only, else at least 40 bits. */
static unsigned ias_bits(const struct smmu_model *m)
{
    unsigned oas = oas_bits(m);
    return (IDR0_TTF(m->cfg.idr[0]) & 1) && oas < 40 ? 40 : oas;
}

/* Arm ARM AArch64.S2InconsistentSL for the 4K granule: the start level must leave between
 * 1 and 9 + 4 (concatenation of up to 16 tables) bits for the initial lookup. */
static bool s2_start_level(unsigned t0sz, unsigned sl0, unsigned *level)
{
    if (sl0 == 3)
        return false; /* level 3 start needs IDR3.STT (not modelled) */
    unsigned start = 2 - sl0, ia = 64 - t0sz;
    unsigned min_ia = (3 - start) * 9 + 12 + 1;
    if (ia < min_ia || ia > min_ia + 8 + 4)
        return false;
    *level = start;
    return true;
}

/* Stage-1 start level from TxSZ, 4K granule (no concatenation at stage 1). */
static unsigned s1_start_level(unsigned txsz)
{
    unsigned ia = 64 - txsz;
    return ia > 39 ? 0 : ia > 30 ? 1 : 2;
}

/* ---- validity (5.2.2, 5.4.2) ------------------------------------------------------------ */

static bool ste_illegal(const struct smmu_model *m, const uint64_t *s)
{
    uint32_t idr0 = m->cfg.idr[0], idr1 = m->cfg.idr[1];
    if (!STE_V(s))
        return true;
    unsigned cfg = STE_CONFIG(s);
    if (cfg < CFG_BYPASS)
        return false; /* 0b0xx: abort, nothing else is read */
    if ((cfg & 1) && !IDR0_S1P(idr0))
        return true;
    if ((cfg & 2) && !IDR0_S2P(idr0))
        return true;
    if (IDR0_ATS(idr0) && cfg != CFG_BYPASS && STE_EATS(s) == 2 && (cfg != CFG_NESTED || STE_S2S(s) || bit(idr0, 11)))
        return true; /* split-stage ATS without nesting or support */
    bool strw_unused = !IDR0_S1P(idr0) || !IDR0_HYP(idr0) || (cfg & 6) == 6 || cfg == CFG_BYPASS;
    if (!strw_unused && (STE_STRW(s) & 1))
        return true; /* STRW 0bx1 is reserved for Non-secure streams */
    if (cfg & 1) {
        if (STE_S1STALLD(s) && IDR0_STALL_MODEL(idr0) != 0)
            return true;
        unsigned ssidsize = (unsigned)IDR1_SSIDSIZE(idr1);
        if (ssidsize && STE_S1CDMAX(s) > ssidsize)
            return true;
        if (ssidsize && STE_S1CDMAX(s) && !IDR0_CD2L(idr0) && (STE_S1FMT(s) == 1 || STE_S1FMT(s) == 2))
            return true;
        unsigned range = (cfg & 2) ? ias_bits(m) : oas_bits(m);
        if (STE_S1CONTEXTPTR(s) >> range)
            return true; /* S1ContextPtr out of range */
    }
    if (cfg & 2) {
        if (STE_S2S(s) && IDR0_STALL_MODEL(idr0) == 1)
            return true;
        if (!STE_S2AA64(s))
            return true; /* VMSAv8-32 LPAE stage 2: unsupported by QEMU's IDRs; not modelled */
        if (!(IDR0_TTF(idr0) & 2))
            return true;
        if ((STE_S2HA(s) || STE_S2HD(s)) && IDR0_HTTU(idr0) == 0)
            return true;
        if (STE_S2HD(s) && IDR0_HTTU(idr0) == 1)
            return true;
        if (STE_S2TG(s) != 0 || !IDR5_GRAN4K(m->cfg.idr[5]))
            return true; /* 64K/16K/reserved: the model implements the 4K granule only */
        unsigned pa_range = ps_bits(STE_S2PS(s));
        if (pa_range > oas_bits(m))
            pa_range = oas_bits(m);
        if (STE_S2TTB(s) >> pa_range)
            return true;
        unsigned t0sz = STE_S2T0SZ(s), ias = ias_bits(m), level;
        unsigned min = 64 - ias > 16 ? 64 - ias : 16;
        if (t0sz < min || t0sz > 39)
            return true;
        if (!s2_start_level(t0sz, STE_S2SL0(s), &level))
            return true;
        unsigned endian = (unsigned)IDR0_TTENDIAN(idr0);
        if ((endian == 2 && STE_S2ENDI(s)) || (endian == 3 && !STE_S2ENDI(s)) || STE_S2ENDI(s))
            return true; /* big-endian walks: not modelled on a little-endian host */
        if (!IDR0_VMID16(idr0) && (STE_S2VMID(s) >> 8))
            return true;
    } else if (cfg == CFG_S1 && IDR0_S2P(idr0) && STE_STRW(s) == 0 && !IDR0_VMID16(idr0) && (STE_S2VMID(s) >> 8)) {
        return true; /* S2VMID tags stage-1 EL1 entries when stage 2 is implemented */
    }
    return false;
}

static bool cd_illegal(const struct smmu_model *m, const uint64_t *ste, const uint64_t *cd, bool el2)
{
    uint32_t idr0 = m->cfg.idr[0];
    if (!CD_V(cd))
        return true;
    if (STE_S1STALLD(ste) && CD_S(cd))
        return true;
    if (IDR0_TERM_MODEL(idr0) && !CD_A(cd))
        return true;
    if (IDR0_STALL_MODEL(idr0) == 1 && CD_S(cd))
        return true;
    bool epd0 = CD_EPD0(cd), epd1 = CD_EPD1(cd) || el2; /* EL2: one VA range */
    unsigned endian = (unsigned)IDR0_TTENDIAN(idr0);
    if ((!epd0 || !epd1) && ((endian == 2 && CD_ENDI(cd)) || (endian == 3 && !CD_ENDI(cd)) || CD_ENDI(cd)))
        return true;
    if (!CD_AA64(cd) || !(IDR0_TTF(idr0) & 2))
        return true; /* VMSAv8-32 stage 1: not modelled */
    if ((CD_HA(cd) || CD_HD(cd)) && IDR0_HTTU(idr0) == 0)
        return true;
    if (CD_HD(cd) && IDR0_HTTU(idr0) == 1)
        return true;
    if (!el2 && !IDR0_ASID16(idr0) && (CD_ASID(cd) >> 8))
        return true;
    unsigned ipa_range = ps_bits(CD_IPS(cd));
    if (ipa_range > oas_bits(m))
        ipa_range = oas_bits(m);
    if (!epd0 && (CD_T0SZ(cd) < 16 || CD_T0SZ(cd) > 39 || CD_TG0(cd) != 0 || (CD_TTB0(cd) >> ipa_range)))
        return true; /* TG0 00 = 4K; other granules not modelled */
    if (!epd1 && (CD_T1SZ(cd) < 16 || CD_T1SZ(cd) > 39 || CD_TG1(cd) != 2 || (CD_TTB1(cd) >> ipa_range)))
        return true; /* TG1 10 = 4K */
    return false;
}

/* ---- the stream table (3.3.2, 5.1) --------------------------------------------------- */

/* The STE of `sid`, from the configuration cache or memory. Returns 0 or the event
 * (C_BAD_STREAMID, F_STE_FETCH with *fetch). */
static uint8_t get_ste(struct smmu_model *m, uint32_t sid, uint64_t ste[8], uint64_t *fetch, bool *hit)
{
    *hit = false;
    unsigned log2size = (unsigned)bits(m->strtab_base_cfg, 5, 0);
    unsigned sidsize = (unsigned)IDR1_SIDSIZE(m->cfg.idr[1]);
    if (log2size > sidsize)
        log2size = sidsize;
    if (log2size < 32 && (sid >> log2size))
        return MEV_C_BAD_STREAMID;
    struct model_cfg_entry *e = cfg_lookup(m, CFG_STE, sid, 0);
    if (e) {
        memcpy(ste, e->w, 64);
        *hit = true;
        m->stats.cfg_hits++;
        return 0;
    }
    m->stats.cfg_misses++;
    uint64_t base = m->strtab_base & mask_hi_lo(55, 6) & mask_hi_lo(oas_bits(m) - 1, 0);
    unsigned fmt = (unsigned)bits(m->strtab_base_cfg, 17, 16);
    uint64_t at;
    if (fmt != 1 || IDR0_ST_LEVEL(m->cfg.idr[0]) == 0) {
        /* Linear (FMT 00; reserved values behave as 00), aligned to its size. */
        base &= ~((64ULL << log2size) - 1);
        at = base + (uint64_t)sid * 64;
    } else {
        unsigned split = strtab_split(m);
        uint32_t l1 = log2size > split ? sid >> split : 0;
        uint64_t l1_bytes = log2size > split ? 8ULL << (log2size - split) : 8;
        base &= ~((l1_bytes < 64 ? 64 : l1_bytes) - 1);
        uint64_t desc;
        struct model_cfg_entry *l1e = cfg_lookup(m, CFG_L1STD, l1, 0);
        if (l1e) {
            desc = l1e->w[0];
            m->stats.cfg_hits++;
        } else {
            if (!mem_read64(m, base + 8ULL * l1, &desc)) {
                *fetch = base + 8ULL * l1;
                return MEV_F_STE_FETCH;
            }
            cfg_insert(m, CFG_L1STD, l1, 0, 0, &desc, 1); /* cached valid or not (3.21.3) */
        }
        unsigned span = (unsigned)bits(desc, 4, 0);
        if (span > 11)
            span = 0; /* 5.1: reserved values behave as 0 */
        uint32_t l2 = sid & ((1u << split) - 1);
        if (span == 0 || l2 >= (1u << (span - 1)))
            return MEV_C_BAD_STREAMID; /* 5.1 (trap D4) */
        uint64_t l2ptr = desc & mask_hi_lo(55, 6) & ~((64ULL << (span - 1)) - 1);
        at = l2ptr + (uint64_t)l2 * 64;
    }
    for (unsigned i = 0; i < 8; i++) {
        if (!mem_read64(m, at + 8 * i, &ste[i])) {
            *fetch = at;
            return MEV_F_STE_FETCH;
        }
    }
    cfg_insert(m, CFG_STE, sid, 0, 0, ste, 8);
    return 0;
}

/* ---- stage-2 and stage-1 walks ------------------------------------------------------- */

struct walk {
    uint8_t stage;      /* 1 or 2 */
    uint16_t vmid, asid;
    unsigned ia_bits, start;
    uint64_t ttb;
    unsigned ps;        /* output address size */
    bool affd, ha;      /* no Access flag faults / hardware Access flag update */
    bool nested;        /* stage 1 of a nested config: table addresses are IPAs */
};

struct leaf {
    uint64_t desc, oa;  /* descriptor, and the output address of the input address */
    unsigned level;
    uint8_t table;      /* TB_* accumulated on the way */
};

static uint64_t level_span_log2(unsigned level) { return 12 + 9 * (3 - level); }

static bool s2_translate(struct xl *x, uint64_t ipa, uint8_t cls, bool write, bool instr, uint64_t *pa);

/* Walk the tables of `w` for input address `ia`, starting from the deepest walk-cache
 * entry; every table descriptor read is cached. Faults belong to stage w->stage and
 * carry `cls`. */
static bool walk(struct xl *x, const struct walk *w, uint64_t ia, uint8_t cls, struct leaf *out)
{
    struct smmu_model *m = x->m;
    uint8_t wkind = w->stage == 2 ? T_WALK_S2 : T_WALK_S1;
    bool s2 = w->stage == 2;
    uint64_t ia_masked = ia & (w->ia_bits >= 64 ? ~0ULL : (1ULL << w->ia_bits) - 1);
    unsigned level = w->start;
    if (w->ia_bits <= level_span_log2(level) || w->ia_bits - level_span_log2(level) > 13)
        return fail(x, MEV_F_TRANSLATION, s2, cls, ia); /* unreachable: validity checked first */
    unsigned root_bits = w->ia_bits - (unsigned)level_span_log2(level);
    uint64_t table = w->ttb & ~((8ULL << root_bits) - 1); /* aligned to the (concatenated) root */
    uint8_t tb = 0;

    /* The deepest cached table descriptor on the way to ia (3.21.1: walk caches). */
    struct model_tlb_entry *best = NULL;
    for (unsigned i = 0; i < m->ntlb; i++) {
        struct model_tlb_entry *e = &m->tlb[i];
        if (e->kind != wkind || e->world != x->world || e->vmid != w->vmid || (!s2 && e->asid != w->asid))
            continue;
        if (e->level < w->start || ia < e->ia || ia - e->ia >= (1ULL << e->span_log2))
            continue;
        if (!best || e->level > best->level)
            best = e;
    }
    if (best) {
        m->stats.walk_hits++;
        level = best->level + 1;
        table = best->out;
        tb = best->s1_table;
    }

    for (; level <= 3; level++) {
        unsigned shift = (unsigned)level_span_log2(level);
        unsigned nbits = level == w->start ? w->ia_bits - shift : 9;
        uint64_t idx = (ia_masked >> shift) & ((1ULL << nbits) - 1);
        uint64_t daddr = table + idx * 8;
        if (w->nested) {
            /* 3.4.3 / 7.3.22: a stage-1 descriptor address is an IPA, translated by stage 2. */
            uint64_t dpa;
            if (!s2_translate(x, daddr, CLASS_TT, false, false, &dpa))
                return false;
            daddr = dpa;
        }
        uint64_t d;
        if (!mem_read64(m, daddr, &d)) {
            x->f = (struct fault){ .type = MEV_F_WALK_EABT, .s2 = s2, .class_ = cls, .fetch = daddr };
            return false;
        }
        if (!D_VALID(d) || (level == 3 && !D_TABLE(d)) || (level == 0 && !D_TABLE(d)))
            return fail(x, MEV_F_TRANSLATION, s2, cls, ia);
        if (level < 3 && D_TABLE(d)) {
            /* Table descriptor: NLTA[47:12]; [50:48] are output bits beyond 48. */
            uint64_t next = d & mask_hi_lo(50, 12);
            if (next >> w->ps)
                return fail(x, MEV_F_ADDR_SIZE, s2, cls, ia);
            if (!s2)
                tb |= (uint8_t)((bit(d, 59) ? TB_PXN : 0) | (bit(d, 60) ? TB_UXN : 0) |
                                (bit(d, 61) ? TB_NO_EL0 : 0) | (bit(d, 62) ? TB_RO : 0));
            struct model_tlb_entry e = { .kind = wkind, .world = x->world, .level = (uint8_t)level,
                                         .vmid = w->vmid, .asid = s2 ? 0 : w->asid,
                                         .ia = ia & ~((1ULL << shift) - 1), .span_log2 = shift,
                                         .out = next, .s1_table = tb };
            tlb_insert(m, &e);
            table = next;
            continue;
        }
        /* Block (level 1, 2) or page (level 3): OA[47:shift]; [49:48] beyond 48 bits. */
        uint64_t oa = (d & mask_hi_lo(49, shift)) | (ia & ((1ULL << shift) - 1));
        if (oa >> w->ps)
            return fail(x, MEV_F_ADDR_SIZE, s2, cls, ia);
        if (!(d & D_AF)) {
            if (w->ha) {
                d |= D_AF; /* 3.13: hardware Access flag update */
                if (!mem_write64(m, daddr, d)) {
                    x->f = (struct fault){ .type = MEV_F_WALK_EABT, .s2 = s2, .class_ = cls, .fetch = daddr };
                    return false;
                }
            } else if (!w->affd) {
                return fail(x, MEV_F_ACCESS, s2, cls, ia);
            }
        }
        *out = (struct leaf){ .desc = d, .oa = oa, .level = level, .table = tb };
        return true;
    }
    return fail(x, MEV_F_TRANSLATION, s2, cls, ia);
}

/* Stage-2 permission (D8.4): S2AP read/write, XN (with IDR3.XNX), and S2PTW for walks. */
static bool s2_permits(const struct xl *x, uint64_t d, uint8_t cls, bool write, bool instr)
{
    if (write ? !D_S2_W(d) : !D_S2_R(d))
        return false;
    if (instr) {
        unsigned xn = (unsigned)bits(d, 54, 53);
        bool no_exec = IDR3_XNX(x->m->cfg.idr[3])
                           ? (xn == 2 || (xn == 1 && x->t->priv) || (xn == 3 && !x->t->priv))
                           : bit(d, 54);
        if (no_exec)
            return false;
    }
    if (cls != CLASS_IN && STE_S2PTW(x->ste) && D_S2_DEVICE(d))
        return false; /* 5.2 S2PTW: CD and table fetches to Device memory fault */
    return true;
}

/* Translate an IPA at stage 2 for the transaction (cls IN), a CD fetch (CD) or a stage-1
 * descriptor fetch (TT). */
static bool s2_translate(struct xl *x, uint64_t ipa, uint8_t cls, bool write, bool instr, uint64_t *pa)
{
    struct smmu_model *m = x->m;
    const uint64_t *s = x->ste;
    unsigned ia_bits = 64 - STE_S2T0SZ(s);
    if (ipa >> ia_bits)
        return fail(x, MEV_F_TRANSLATION, true, cls, ipa); /* outside S2T0SZ */
    bool walk_access = cls != CLASS_IN;
    for (unsigned i = 0; i < m->ntlb; i++) {
        struct model_tlb_entry *e = &m->tlb[i];
        if (e->kind != T_S2 || e->world != W_EL1 || e->vmid != x->vmid || ipa < e->ia ||
            ipa - e->ia >= (1ULL << e->span_log2))
            continue;
        m->stats.tlb_hits++;
        if (!walk_access)
            x->r->tlb_hit = true;
        if (!s2_permits(x, e->s2d, cls, write, instr)) {
            fail(x, MEV_F_PERMISSION, true, cls, ipa);
            x->f.ttrnw = cls == CLASS_TT;
            return false;
        }
        *pa = e->out + (ipa - e->ia);
        return true;
    }
    m->stats.tlb_misses++;
    unsigned pa_range = ps_bits(STE_S2PS(s));
    if (pa_range > oas_bits(m))
        pa_range = oas_bits(m);
    struct walk w = { .stage = 2, .vmid = x->vmid, .ia_bits = ia_bits, .ttb = STE_S2TTB(s), .ps = pa_range,
                      .affd = STE_S2AFFD(s), .ha = STE_S2HA(s) };
    s2_start_level(STE_S2T0SZ(s), STE_S2SL0(s), &w.start); /* consistent: checked as STE validity */
    struct leaf l;
    if (!walk(x, &w, ipa, cls, &l))
        return false;
    unsigned shift = (unsigned)level_span_log2(l.level);
    struct model_tlb_entry e = { .kind = T_S2, .world = W_EL1, .level = (uint8_t)l.level, .vmid = x->vmid,
                                 .ia = ipa & ~((1ULL << shift) - 1), .span_log2 = shift,
                                 .out = l.oa & ~((1ULL << shift) - 1), .s2d = l.desc };
    tlb_insert(m, &e);
    if (!s2_permits(x, l.desc, cls, write, instr)) {
        fail(x, MEV_F_PERMISSION, true, cls, ipa);
        x->f.ttrnw = cls == CLASS_TT;
        return false;
    }
    *pa = l.oa;
    return true;
}

/* Stage-1 permission (D8.4): AP[2:1], APTable, PXN/UXN(+Table), WXN, PAN. */
static bool s1_permits(const struct xl *x, uint64_t d, uint8_t tb)
{
    const struct model_txn *t = x->t;
    bool priv = t->priv || x->el2;
    bool el0_ok = x->el2 || (D_S1_AP1(d) && !(tb & TB_NO_EL0));
    bool writable = !D_S1_AP2(d) && !(tb & TB_RO);
    if (!priv && !el0_ok)
        return false;
    if (priv && !x->el2 && CD_PAN(x->cd) && D_S1_AP1(d) && !t->instr)
        return false; /* PAN: privileged data access to an EL0-accessible page */
    if (t->write && !writable)
        return false;
    if (t->instr) {
        bool xn = priv ? (D_S1_PXN(d) || (tb & TB_PXN) || (!x->el2 && D_S1_AP1(d) && writable))
                       : (D_S1_UXN(d) || (tb & TB_UXN));
        if (xn || (CD_WXN(x->cd) && writable))
            return false;
    }
    return true;
}

/* ---- the CD (3.3.3, 5.3, 5.4) --------------------------------------------------------- */

/* Fetch the CD at `index` of the STE's table (through stage 2 if nested). */
static bool get_cd(struct xl *x, uint32_t index)
{
    struct smmu_model *m = x->m;
    const uint64_t *s = x->ste;
    uint32_t sid = x->t->sid;
    struct model_cfg_entry *e = cfg_lookup(m, CFG_CD, sid, index);
    if (e) {
        memcpy(x->cd, e->w, 64);
        m->stats.cfg_hits++;
        return true;
    }
    m->stats.cfg_misses++;
    bool nested = STE_CONFIG(s) == CFG_NESTED;
    uint64_t ptr = STE_S1CONTEXTPTR(s);
    unsigned fmt = STE_S1CDMAX(s) && IDR1_SSIDSIZE(m->cfg.idr[1]) ? STE_S1FMT(s) : 0;
    uint64_t at;
    if (fmt == 1 || fmt == 2) {
        unsigned split = fmt == 1 ? 6 : 10; /* 4KB or 64KB leaf tables */
        uint32_t l1 = index >> split;
        uint64_t desc;
        struct model_cfg_entry *l1e = cfg_lookup(m, CFG_L1CD, sid, l1);
        if (l1e) {
            desc = l1e->w[0];
            m->stats.cfg_hits++;
        } else {
            uint64_t l1a = ptr + 8ULL * l1;
            if (nested && !s2_translate(x, l1a, CLASS_CD, false, false, &l1a))
                return false;
            if (!mem_read64(m, l1a, &desc)) {
                x->f = (struct fault){ .type = MEV_F_CD_FETCH, .fetch = l1a };
                return false;
            }
            cfg_insert(m, CFG_L1CD, sid, l1, split, &desc, 1);
        }
        if (!bit(desc, 0))
            return fail(x, MEV_C_BAD_SUBSTREAMID, false, 0, 0); /* 5.3.1 */
        at = (desc & mask_hi_lo(55, 12)) + 64ULL * (index & ((1u << split) - 1));
    } else {
        at = ptr + 64ULL * index;
    }
    if (nested && !s2_translate(x, at, CLASS_CD, false, false, &at))
        return false;
    for (unsigned i = 0; i < 8; i++) {
        if (!mem_read64(m, at + 8 * i, &x->cd[i])) {
            x->f = (struct fault){ .type = MEV_F_CD_FETCH, .fetch = at };
            return false;
        }
    }
    cfg_insert(m, CFG_CD, sid, index, 0, x->cd, 8);
    return true;
}

/* ---- stage 1 (and nested) ----------------------------------------------------------------- */

/* Translate the transaction's VA through the CD; `nested`: the result is an IPA that
 * stage 2 translates, and combined entries are cached. */
static bool s1_translate(struct xl *x, bool nested, uint64_t *pa)
{
    struct smmu_model *m = x->m;
    const struct model_txn *t = x->t;
    const uint64_t *cd = x->cd;
    uint16_t asid = CD_ASID(cd);
    uint8_t kind = nested ? T_S12 : T_S1;
    /* Which VA range (D8.2.5): TTB0 for the bottom of the space, TTB1 for the top. With
     * TBI the top byte is ignored: entries are tagged with it sign-extended from bit 55. */
    uint64_t va = t->addr;
    bool top = bit(va, 55);
    bool tbi = top ? CD_TBI1(cd) : CD_TBI0(cd);
    if (tbi)
        va = top ? va | (0xffULL << 56) : va & ~(0xffULL << 56);

    /* TLB: a stage-1 (or combined) leaf for (world, VMID, ASID or global, VA). */
    for (unsigned i = 0; i < m->ntlb; i++) {
        struct model_tlb_entry *e = &m->tlb[i];
        if (e->kind != kind || e->world != x->world || e->vmid != x->vmid || (!e->global && e->asid != asid) ||
            va < e->ia || va - e->ia >= (1ULL << e->span_log2))
            continue;
        m->stats.tlb_hits++;
        x->r->tlb_hit = true;
        if (!s1_permits(x, e->s1d, e->s1_table))
            return fail(x, MEV_F_PERMISSION, false, CLASS_IN, 0);
        if (nested) {
            uint64_t ipa = e->ipa + (va - e->ia);
            if (!s2_permits(x, e->s2d, CLASS_IN, t->write, t->instr))
                return fail(x, MEV_F_PERMISSION, true, CLASS_IN, ipa);
        }
        *pa = e->out + (va - e->ia);
        return true;
    }
    m->stats.tlb_misses++;

    unsigned txsz = top ? CD_T1SZ(cd) : CD_T0SZ(cd);
    bool epd = top ? (CD_EPD1(cd) || x->el2) : CD_EPD0(cd);
    unsigned ia_bits = 64 - txsz;
    uint64_t hi = tbi ? bits(va, 55, ia_bits) : bits(va, 63, ia_bits);
    uint64_t ones = tbi ? (1ULL << (56 - ia_bits)) - 1 : (ia_bits == 0 ? ~0ULL : (~0ULL >> ia_bits));
    if (epd || (top ? hi != ones : hi != 0))
        return fail(x, MEV_F_TRANSLATION, false, CLASS_IN, 0);
    unsigned ips = ps_bits(CD_IPS(cd));
    if (ips > oas_bits(m))
        ips = oas_bits(m);
    struct walk w = { .stage = 1, .vmid = x->vmid, .asid = asid, .ia_bits = ia_bits,
                      .start = s1_start_level(txsz), .ttb = top ? CD_TTB1(cd) : CD_TTB0(cd), .ps = ips,
                      .affd = CD_AFFD(cd), .ha = CD_HA(cd), .nested = nested };
    struct leaf l;
    if (!walk(x, &w, va, CLASS_IN, &l)) {
        if (x->f.type == MEV_F_TRANSLATION || x->f.type == MEV_F_ADDR_SIZE || x->f.type == MEV_F_ACCESS) {
            if (!x->f.s2)
                x->f.ipa = 0; /* stage-1 fault: IPA UNKNOWN */
        }
        return false;
    }
    if (!s1_permits(x, l.desc, l.table))
        return fail(x, MEV_F_PERMISSION, false, CLASS_IN, 0);
    unsigned shift = (unsigned)level_span_log2(l.level);
    uint64_t base_va = va & ~((1ULL << shift) - 1);
    if (!nested) {
        struct model_tlb_entry e = { .kind = T_S1, .world = x->world, .level = (uint8_t)l.level,
                                     .global = !D_NG(l.desc), .vmid = x->vmid, .asid = asid, .ia = base_va,
                                     .span_log2 = shift, .out = l.oa & ~((1ULL << shift) - 1), .s1d = l.desc,
                                     .s1_table = l.table };
        tlb_insert(m, &e);
        *pa = l.oa;
        return true;
    }
    uint64_t out;
    if (!s2_translate(x, l.oa, CLASS_IN, t->write, t->instr, &out))
        return false;
    /* A combined entry covers the smaller of the two leaves (4K-aligned pieces). The S2
     * leaf that translated the IPA is in the TLB now; its span bounds the entry. */
    unsigned span = shift;
    uint64_t s2d = 0;
    for (unsigned i = 0; i < m->ntlb; i++) {
        struct model_tlb_entry *e = &m->tlb[i];
        if (e->kind == T_S2 && e->world == W_EL1 && e->vmid == x->vmid && l.oa >= e->ia &&
            l.oa - e->ia < (1ULL << e->span_log2)) {
            s2d = e->s2d;
            if (e->span_log2 < span)
                span = e->span_log2;
            break;
        }
    }
    uint64_t off = va & ((1ULL << span) - 1);
    struct model_tlb_entry e = { .kind = T_S12, .world = x->world, .level = (uint8_t)l.level,
                                 .global = !D_NG(l.desc), .vmid = x->vmid, .asid = asid, .ia = va - off,
                                 .span_log2 = span, .out = out - off, .ipa = l.oa - off, .s1d = l.desc,
                                 .s2d = s2d, .s1_table = l.table };
    if (s2d)
        tlb_insert(m, &e);
    *pa = out;
    return true;
}

/* ---- one transaction ----------------------------------------------------------------- */

static void record(struct xl *x, uint8_t type, bool recordable)
{
    const struct model_txn *t = x->t;
    struct model_result *r = x->r;
    struct fault *f = &x->f;
    r->event = type;
    r->s2 = f->s2;
    r->class_ = f->class_;
    r->ipa = (type == MEV_F_STE_FETCH || type == MEV_F_CD_FETCH || type == MEV_F_WALK_EABT) ? f->fetch : f->ipa;
    if (x->silent)
        return;
    if (!recordable) {
        x->m->stats.events_unrecorded++;
        return;
    }
    uint64_t rec[4] = { 0 };
    rec[0] = type | ((uint64_t)t->sid << 32);
    if (type == MEV_C_BAD_SUBSTREAMID)
        rec[0] |= (uint64_t)(t->ssid & 0xfffff) << 12; /* 7.3.9: always valid, no SSV */
    else if (t->ssv)
        rec[0] |= (1ULL << 11) | ((uint64_t)(t->ssid & 0xfffff) << 12);
    switch (type) {
    case MEV_F_TRANSLATION:
    case MEV_F_ADDR_SIZE:
    case MEV_F_ACCESS:
    case MEV_F_PERMISSION:
    case MEV_F_WALK_EABT:
        /* 7.3.12-7.3.16: PnU[33], InD[34], RnW[35] (1 = read), S2[39], CLASS[41:40],
         * TTRnW[44]; InputAddr; IPA[55:12] or FetchAddr[55:3]. */
        rec[1] = ((uint64_t)t->priv << 33) | ((uint64_t)(t->instr && !t->write) << 34) |
                 ((uint64_t)!t->write << 35) | ((uint64_t)f->s2 << 39) | ((uint64_t)f->class_ << 40) |
                 ((uint64_t)(type == MEV_F_PERMISSION && f->ttrnw) << 44);
        rec[2] = t->addr;
        if (type == MEV_F_WALK_EABT)
            rec[3] = f->fetch & mask_hi_lo(55, 3);
        else if (f->s2)
            rec[3] = f->ipa & mask_hi_lo(55, 12);
        break;
    case MEV_F_STE_FETCH:
    case MEV_F_CD_FETCH:
        rec[3] = f->fetch & mask_hi_lo(55, 3); /* 7.3.4, 7.3.10 (trap D5) */
        break;
    default:
        break; /* C_BAD_*, F_STREAM_DISABLED: StreamID and SubstreamID only */
    }
    eventq_record(x->m, rec, &r->recorded, &r->dropped);
}

/* Whether a translation fault at the failing stage may be recorded (4a of the notes,
 * 5.4 CD.R, 5.2 STE.S2R); configuration errors and fetch aborts always are. */
static bool fault_recordable(const struct xl *x, uint8_t type, bool have_cd)
{
    bool xlat = type == MEV_F_TRANSLATION || type == MEV_F_ADDR_SIZE || type == MEV_F_ACCESS ||
                type == MEV_F_PERMISSION;
    if (!xlat)
        return true;
    if (x->f.s2)
        return STE_S2R(x->ste);
    return have_cd && CD_R(x->cd);
}

void translate(struct smmu_model *m, const struct model_txn *t, struct model_result *r, bool silent)
{
    memset(r, 0, sizeof(*r));
    struct xl x = { .m = m, .t = t, .r = r, .silent = silent, .world = W_EL1 };

    /* 3.11: with SMMUEN = 0, GBPA decides; nothing is fetched, cached or recorded. */
    if (!(m->cr0ack & CR0_SMMUEN)) {
        if (!(m->gbpa & GBPA_ABORT)) {
            r->allowed = r->bypassed = true;
            r->pa = t->addr;
        }
        return;
    }
    uint64_t fetch = 0;
    bool hit;
    uint8_t ev = get_ste(m, t->sid, x.ste, &fetch, &hit);
    r->cfg_hit = hit;
    if (ev) {
        x.f.fetch = fetch;
        record(&x, ev, ev != MEV_C_BAD_STREAMID || (m->cr2 & CR2_RECINVSID));
        return;
    }
    if (ste_illegal(m, x.ste)) {
        if (silent && STE_V(x.ste))
            m->stats.illegal_ste_seen++;
        record(&x, MEV_C_BAD_STE, true);
        return;
    }
    unsigned cfg = STE_CONFIG(x.ste);
    if (cfg < CFG_BYPASS)
        return; /* 7.3.7: Config = 0b000 aborts without an event */
    if (t->ssv && !(cfg & 1)) {
        record(&x, MEV_C_BAD_SUBSTREAMID, true); /* 7.3.9: SubstreamID without stage 1 */
        return;
    }
    if (cfg == CFG_BYPASS) {
        r->allowed = r->bypassed = true;
        r->pa = t->addr;
        return;
    }
    /* Tags (3.17): stage-2 VMID; StreamWorld EL2 for stage-1-only STEs with STRW = 10. */
    x.el2 = cfg == CFG_S1 && IDR0_HYP(m->cfg.idr[0]) && STE_STRW(x.ste) == 2;
    x.world = x.el2 ? W_EL2 : W_EL1;
    x.vmid = (cfg & 2) || (!x.el2 && IDR0_S2P(m->cfg.idr[0])) ? STE_S2VMID(x.ste) : 0;
    if (x.el2)
        x.vmid = 0;

    bool s1 = cfg & 1, ok;
    uint64_t pa = 0;
    bool have_cd = false;
    if (s1) {
        /* Which CD (5.2 S1CDMax, S1DSS). */
        unsigned cdmax = IDR1_SSIDSIZE(m->cfg.idr[1]) ? STE_S1CDMAX(x.ste) : 0;
        uint32_t index = 0;
        bool bypass_s1 = false;
        if (cdmax == 0) {
            if (t->ssv) {
                record(&x, MEV_C_BAD_SUBSTREAMID, true);
                return;
            }
        } else if (!t->ssv) {
            unsigned dss = STE_S1DSS(x.ste);
            if (dss == 1) {
                bypass_s1 = true;
            } else if (dss != 2) {
                record(&x, MEV_F_STREAM_DISABLED, true); /* 00 (and reserved 11): terminate */
                return;
            }
        } else {
            if (t->ssid >> cdmax || (STE_S1DSS(x.ste) == 2 && t->ssid == 0)) {
                record(&x, MEV_C_BAD_SUBSTREAMID, true);
                return;
            }
            index = t->ssid;
        }
        if (bypass_s1) {
            s1 = false;
        } else {
            if (!get_cd(&x, index)) {
                record(&x, x.f.type, fault_recordable(&x, x.f.type, false));
                return;
            }
            have_cd = true;
            if (cd_illegal(m, x.ste, x.cd, x.el2)) {
                record(&x, MEV_C_BAD_CD, true);
                return;
            }
        }
    }
    if (s1)
        ok = s1_translate(&x, cfg == CFG_NESTED, &pa);
    else if (cfg & 2)
        ok = s2_translate(&x, t->addr, CLASS_IN, t->write, t->instr, &pa);
    else {
        ok = true; /* stage 1 bypassed (S1DSS) and no stage 2 */
        pa = t->addr;
        r->bypassed = true;
    }
    if (!ok) {
        /* 4a: CD.A = 0 terminates as RAZ/WI (TERM_MODEL = 0 only), otherwise abort. */
        bool xlat = x.f.type >= MEV_F_TRANSLATION && x.f.type <= MEV_F_PERMISSION;
        r->raz_wi = xlat && !x.f.s2 && have_cd && !CD_A(x.cd);
        record(&x, x.f.type, fault_recordable(&x, x.f.type, have_cd));
        return;
    }
    r->allowed = true;
    r->pa = pa;
}

bool model_translate_ex(struct smmu_model *m, const struct model_txn *t, struct model_result *r)
{
    translate(m, t, r, false);
    m->stats.translations++;
    if (r->allowed)
        m->stats.allowed++;
    else
        m->stats.faults++;
    return r->allowed;
}

bool model_translate(struct smmu_model *m, uint32_t sid, uint64_t iova, bool is_write, uint64_t *pa)
{
    struct model_txn t = { .sid = sid, .addr = iova, .write = is_write };
    struct model_result r;
    bool ok = model_translate_ex(m, &t, &r);
    if (ok && pa)
        *pa = r.pa;
    return ok;
}

bool model_prefetch(struct smmu_model *m, uint32_t sid, uint64_t addr, bool with_addr)
{
    if (!(m->cr0ack & CR0_SMMUEN))
        return false; /* 6.3.9.6: prefetches do nothing while SMMUEN = 0 */
    m->stats.prefetches++;
    struct model_result r;
    if (!with_addr) {
        uint64_t ste[8], fetch;
        bool hit;
        if (get_ste(m, sid, ste, &fetch, &hit) == 0 && STE_V(ste) && ste_illegal(m, ste))
            m->stats.illegal_ste_seen++;
        return false;
    }
    struct model_txn t = { .sid = sid, .addr = addr };
    translate(m, &t, &r, true);
    return r.allowed;
}
