/* The command queue consumer (chapter 4, 7.1). Commands are consumed in order while the
 * queue is enabled and no command error is active; a command that cannot be consumed
 * stops the queue with CONS.RD at it, CONS.ERR set and GERROR.CMDQ_ERR toggled.
 * Invalidations take effect at the next CMD_SYNC (4.3.8: consumption does not guarantee
 * completion; the model completes them as late as it may). */
#include "model_internal.h"

/* Command fields (4.1.6, 4.3, 4.4.1). dw0 */
#define C_OP(c) ((unsigned)bits((c)[0], 7, 0))
#define C_SSEC(c) bit((c)[0], 10)
#define C_SSV(c) bit((c)[0], 11)
#define C_SSID(c) ((uint32_t)bits((c)[0], 31, 12))
#define C_SID(c) ((uint32_t)bits((c)[0], 63, 32))
#define C_NUM(c) ((unsigned)bits((c)[0], 16, 12))
#define C_SCALE(c) ((unsigned)bits((c)[0], 25, 20))
#define C_VMID(c) ((uint16_t)bits((c)[0], 47, 32))
#define C_ASID(c) ((uint16_t)bits((c)[0], 63, 48))
#define C_SYNC_CS(c) ((unsigned)bits((c)[0], 13, 12))
#define C_SYNC_MSIDATA(c) ((uint32_t)bits((c)[0], 63, 32))
/* dw1 */
#define C_LEAF(c) bit((c)[1], 0)
#define C_RANGE(c) ((unsigned)bits((c)[1], 4, 0))
#define C_TTL(c) ((unsigned)bits((c)[1], 9, 8))
#define C_TG(c) ((unsigned)bits((c)[1], 11, 10))
#define C_SYNC_MSIADDR(c) ((c)[1] & mask_hi_lo(55, 2))
#define C_PRI_RESP(c) ((unsigned)bits((c)[1], 13, 12))

enum {
    OP_PREFETCH_CONFIG = 0x01, OP_PREFETCH_ADDR = 0x02, OP_CFGI_STE = 0x03, OP_CFGI_STE_RANGE = 0x04,
    OP_CFGI_CD = 0x05, OP_CFGI_CD_ALL = 0x06, OP_CFGI_VMS_PIDM = 0x07,
    OP_TLBI_NH_ALL = 0x10, OP_TLBI_NH_ASID = 0x11, OP_TLBI_NH_VA = 0x12, OP_TLBI_NH_VAA = 0x13,
    OP_TLBI_EL2_ALL = 0x20, OP_TLBI_EL2_ASID = 0x21, OP_TLBI_EL2_VA = 0x22, OP_TLBI_EL2_VAA = 0x23,
    OP_TLBI_S12_VMALL = 0x28, OP_TLBI_S2_IPA = 0x2a, OP_TLBI_NSNH_ALL = 0x30,
    OP_ATC_INV = 0x40, OP_PRI_RESP = 0x41, OP_RESUME = 0x44, OP_STALL_TERM = 0x45, OP_SYNC = 0x46,
    OP_DPTI_ALL = 0x70, OP_DPTI_PA = 0x73,
};

/* Field masks of dw0 / dw1 for the RES0 check (4.1.5); ~0 where the model does not check. */
#define M_OP 0xffULL
#define M_SSEC (1ULL << 10)
#define M_SSV (1ULL << 11)
#define M_SSID mask_hi_lo(31, 12)
#define M_SID mask_hi_lo(63, 32)
#define M_VMID mask_hi_lo(47, 32)
#define M_ASID mask_hi_lo(63, 48)

static uint64_t m_numscale(const struct smmu_model *m)
{
    /* SCALE is [24:20], or [25:20] with IDR5.DS (4.4.1.1). */
    return mask_hi_lo(16, 12) | (IDR5_DS(m->cfg.idr[5]) ? mask_hi_lo(25, 20) : mask_hi_lo(24, 20));
}

static bool res0_ok(const uint64_t c[2], uint64_t m0, uint64_t m1)
{
    return (c[0] & ~m0) == 0 && (c[1] & ~m1) == 0;
}

/* 4.4.1.1: range and TTL fields of an address-based TLBI. */
static enum model_cerror check_tlbi_range(const struct smmu_model *m, const uint64_t c[2])
{
    unsigned tg = C_TG(c), ttl = C_TTL(c);
    if (!IDR3_RIL(m->cfg.idr[3])) {
        /* TG/TTL/NUM/SCALE are RES0 without RIL. */
        if (m->cfg.check_res0 && (tg || ttl || C_NUM(c) || C_SCALE(c)))
            return MCERROR_ILL;
        return MCERROR_NONE;
    }
    if (tg == 0) {
        if (m->cfg.check_res0 && (ttl || C_NUM(c) || C_SCALE(c)))
            return MCERROR_ILL; /* RES0 when TG == 0 */
        return MCERROR_NONE;
    }
    if (C_NUM(c) == 0 && C_SCALE(c) == 0 && ttl == 0)
        return MCERROR_ILL; /* reserved combination */
    if (tg == 2 && ttl == 1 && !IDR5_DS(m->cfg.idr[5]))
        return MCERROR_ILL; /* 16K with TTL = 01 and DS = 0 */
    return MCERROR_NONE;
}

/* Whether command c is consumed (CERROR_NONE) or raises an error (4.1.3). */
static enum model_cerror cmd_check(const struct smmu_model *m, const uint64_t c[2])
{
    uint32_t idr0 = m->cfg.idr[0];
    bool s1 = IDR0_S1P(idr0), s2 = IDR0_S2P(idr0), hyp = IDR0_HYP(idr0), strict = m->cfg.check_res0;
    uint64_t tlbi1 = 1ULL | mask_hi_lo(11, 8) | mask_hi_lo(63, 12) | (1ULL << 7); /* Leaf TTL128 TTL TG Addr */
    unsigned op = C_OP(c);
    switch (op) {
    case OP_PREFETCH_CONFIG:
    case OP_PREFETCH_ADDR:
    case OP_CFGI_STE:
    case OP_CFGI_STE_RANGE:
    case OP_CFGI_CD:
    case OP_CFGI_CD_ALL:
    case OP_CFGI_VMS_PIDM:
        if (C_SSEC(c))
            return MCERROR_ILL; /* 4.1.6: SSec = 1 on the Non-secure queue */
        break;
    }
    switch (op) {
    case OP_PREFETCH_CONFIG:
        return strict && !res0_ok(c, M_OP | M_SSEC | M_SSV | M_SSID | M_SID, 0) ? MCERROR_ILL : MCERROR_NONE;
    case OP_PREFETCH_ADDR:
        return strict && !res0_ok(c, M_OP | M_SSEC | M_SSV | M_SSID | M_SID, ~0ULL) ? MCERROR_ILL : MCERROR_NONE;
    case OP_CFGI_STE:
        return strict && !res0_ok(c, M_OP | M_SSEC | M_SID, 1) ? MCERROR_ILL : MCERROR_NONE;
    case OP_CFGI_STE_RANGE:
        return strict && !res0_ok(c, M_OP | M_SSEC | M_SID, 0x1f) ? MCERROR_ILL : MCERROR_NONE;
    case OP_CFGI_CD:
        if (!s1)
            return MCERROR_ILL;
        return strict && !res0_ok(c, M_OP | M_SSEC | M_SSID | M_SID, 1) ? MCERROR_ILL : MCERROR_NONE;
    case OP_CFGI_CD_ALL:
        if (!s1)
            return MCERROR_ILL;
        return strict && !res0_ok(c, M_OP | M_SSEC | M_SID, 0) ? MCERROR_ILL : MCERROR_NONE;
    case OP_CFGI_VMS_PIDM:
        return IDR3_MPAM(m->cfg.idr[3]) ? MCERROR_NONE : MCERROR_ILL;
    case OP_TLBI_NH_ALL:
    case OP_TLBI_NH_ASID:
        if (!s1)
            return MCERROR_ILL; /* 4.4.2: stage 1 commands on a stage-2-only SMMU */
        return strict && !res0_ok(c, M_OP | M_VMID | (op == OP_TLBI_NH_ASID ? M_ASID : 0), 0) ? MCERROR_ILL
                                                                                             : MCERROR_NONE;
    case OP_TLBI_NH_VA:
    case OP_TLBI_NH_VAA:
        if (!s1)
            return MCERROR_ILL;
        if (strict && !res0_ok(c, M_OP | m_numscale(m) | M_VMID | (op == OP_TLBI_NH_VA ? M_ASID : 0), tlbi1))
            return MCERROR_ILL;
        return check_tlbi_range(m, c);
    case OP_TLBI_EL2_ALL:
    case OP_TLBI_EL2_ASID:
        if (!hyp || !s1)
            return MCERROR_ILL; /* 4.4.2.7 */
        return strict && !res0_ok(c, M_OP | (op == OP_TLBI_EL2_ASID ? M_ASID : 0), 0) ? MCERROR_ILL : MCERROR_NONE;
    case OP_TLBI_EL2_VA:
    case OP_TLBI_EL2_VAA:
        if (!hyp || !s1)
            return MCERROR_ILL;
        if (strict && !res0_ok(c, M_OP | m_numscale(m) | (op == OP_TLBI_EL2_VA ? M_ASID : 0), tlbi1))
            return MCERROR_ILL;
        return check_tlbi_range(m, c);
    case OP_TLBI_S12_VMALL:
        if (!s2)
            return MCERROR_ILL; /* 4.4.3.2 */
        return strict && !res0_ok(c, M_OP | M_VMID, 0) ? MCERROR_ILL : MCERROR_NONE;
    case OP_TLBI_S2_IPA:
        if (!s2)
            return MCERROR_ILL; /* 4.4.3.1 */
        if (strict && !res0_ok(c, M_OP | m_numscale(m) | M_VMID, 1ULL | mask_hi_lo(11, 8) | mask_hi_lo(55, 12)))
            return MCERROR_ILL;
        return check_tlbi_range(m, c);
    case OP_TLBI_NSNH_ALL:
        return strict && !res0_ok(c, M_OP, 0) ? MCERROR_ILL : MCERROR_NONE;
    case OP_ATC_INV:
        return IDR0_ATS(idr0) ? MCERROR_NONE : MCERROR_ILL; /* 4.5.1 */
    case OP_PRI_RESP:
        return IDR0_PRI(idr0) && C_PRI_RESP(c) != 3 ? MCERROR_NONE : MCERROR_ILL; /* 4.5.2 */
    case OP_RESUME:
    case OP_STALL_TERM:
        return MCERROR_ILL; /* 4.7.1, 4.7.2: STALL_MODEL = 0b01 */
    case OP_SYNC:
        if (C_SYNC_CS(c) == 3)
            return MCERROR_ILL; /* 4.7.3: reserved ComplSignal */
        return strict && !res0_ok(c, M_OP | mask_hi_lo(13, 12) | mask_hi_lo(27, 22) | mask_hi_lo(63, 32),
                                  mask_hi_lo(55, 2))
                   ? MCERROR_ILL
                   : MCERROR_NONE;
    case OP_DPTI_ALL:
    case OP_DPTI_PA:
        return IDR3_DPT(m->cfg.idr[3]) ? MCERROR_NONE : MCERROR_ILL;
    default:
        /* Reserved, Secure-only (0x18, 0x1a, 0x50..0x5a, 0x60) and IMPLEMENTATION
         * DEFINED opcodes (the model defines none). */
        return MCERROR_ILL;
    }
}

/* The address range an address-based TLBI covers (4.4.1.1). */
static void tlbi_addr_scope(const struct smmu_model *m, const uint64_t c[2], uint64_t addr, struct tlbi_scope *s)
{
    unsigned tg = IDR3_RIL(m->cfg.idr[3]) ? C_TG(c) : 0;
    s->by_addr = true;
    s->leaf_only = C_LEAF(c);
    s->lo = addr;
    if (tg == 0) {
        s->hi = addr + 1; /* the entries that contain addr */
        return;
    }
    /* The model inserts 4K-granule entries only: another TG is not required to affect them. */
    s->tg_mismatch = tg != 1;
    unsigned scale = C_SCALE(c);
    uint64_t granules = (uint64_t)(C_NUM(c) + 1) << (scale > 39 ? 39 : scale);
    uint64_t len = granules << 12;
    s->hi = addr + len < addr ? ~0ULL : addr + len;
    s->ttl = C_TTL(c);
}

/* Carry out a consumed invalidation (at the following CMD_SYNC). */
static void invalidate(struct smmu_model *m, const uint64_t c[2])
{
    uint32_t idr0 = m->cfg.idr[0];
    struct tlbi_scope s = { .world = W_EL1 };
    uint16_t vmid = C_VMID(c), asid = C_ASID(c);
    /* 4.4: with 8-bit VMIDs/ASIDs a parameter above 0xff is not required to affect anything. */
    bool vmid_ok = IDR0_VMID16(idr0) || vmid <= 0xff;
    bool asid_ok = IDR0_ASID16(idr0) || asid <= 0xff;
    bool e2h = m->cr2 & CR2_E2H;
    switch (C_OP(c)) {
    case OP_CFGI_STE:
        cfg_invalidate_sids(m, C_SID(c), 1, C_LEAF(c));
        return;
    case OP_CFGI_STE_RANGE: {
        unsigned r = C_RANGE(c);
        if (r == 31) {
            cfg_invalidate_sids(m, 0, 1ULL << 32, false); /* CMD_CFGI_ALL (4.3.6) */
            return;
        }
        uint64_t n = 1ULL << (r + 1);
        cfg_invalidate_sids(m, C_SID(c) & ~(n - 1), n, false);
        return;
    }
    case OP_CFGI_CD:
        cfg_invalidate_cd(m, C_SID(c), false, C_SSID(c), C_LEAF(c));
        return;
    case OP_CFGI_CD_ALL:
        cfg_invalidate_cd(m, C_SID(c), true, 0, false);
        return;
    case OP_TLBI_NH_ALL: /* 4.4.2.1: stage 1 EL1 entries of VMID */
        s.stage1 = s.s12 = true;
        s.match_vmid = IDR0_S2P(idr0);
        break;
    case OP_TLBI_NH_ASID: /* 4.4.2.2: non-global entries of (VMID, ASID) */
        s.stage1 = s.s12 = true;
        s.match_vmid = IDR0_S2P(idr0);
        s.match_asid = s.nonglobal_only = true;
        if (!asid_ok)
            return;
        break;
    case OP_TLBI_NH_VA: /* 4.4.2.4: (VMID, ASID or global, VA) */
        s.stage1 = s.s12 = true;
        s.match_vmid = IDR0_S2P(idr0);
        s.match_asid = true;
        if (!asid_ok)
            return;
        tlbi_addr_scope(m, c, c[1] & mask_hi_lo(63, 12), &s);
        break;
    case OP_TLBI_NH_VAA: /* 4.4.2.3: (VMID, VA), every ASID */
        s.stage1 = s.s12 = true;
        s.match_vmid = IDR0_S2P(idr0);
        tlbi_addr_scope(m, c, c[1] & mask_hi_lo(63, 12), &s);
        break;
    case OP_TLBI_EL2_ALL: /* 4.4.2.7 */
        s.world = W_EL2;
        s.stage1 = true;
        break;
    case OP_TLBI_EL2_ASID: /* 4.4.2.10: E2H entries of ASID */
        if (!e2h)
            return;
        s.world = W_EL2;
        s.stage1 = true;
        s.match_asid = s.nonglobal_only = true;
        break;
    case OP_TLBI_EL2_VA: /* 4.4.2.8 */
    case OP_TLBI_EL2_VAA: /* 4.4.2.9 */
        s.world = W_EL2;
        s.stage1 = true;
        s.match_asid = e2h && C_OP(c) == OP_TLBI_EL2_VA;
        tlbi_addr_scope(m, c, c[1] & mask_hi_lo(63, 12), &s);
        break;
    case OP_TLBI_S12_VMALL: /* 4.4.3.2: every EL1 entry of VMID, all stages */
        s.stage1 = s.stage2 = s.s12 = true;
        s.match_vmid = true;
        break;
    case OP_TLBI_S2_IPA: /* 4.4.3.1: stage-2 entries of (VMID, IPA); not combined S1+S2 ones */
        s.stage2 = true;
        s.match_vmid = true;
        tlbi_addr_scope(m, c, c[1] & mask_hi_lo(55, 12), &s);
        break;
    case OP_TLBI_NSNH_ALL: /* 4.4.4.1: every non-EL2 entry */
        s.stage1 = s.stage2 = s.s12 = true;
        break;
    default:
        return;
    }
    if (s.match_vmid && !vmid_ok)
        return;
    s.vmid = vmid;
    s.asid = asid;
    tlb_invalidate(m, &s);
}

static void apply_pending(struct smmu_model *m)
{
    for (unsigned i = 0; i < m->npending; i++)
        invalidate(m, m->pending[i]);
    m->npending = 0;
}

static bool is_invalidation(unsigned op)
{
    return (op >= OP_CFGI_STE && op <= OP_CFGI_CD_ALL) || (op >= OP_TLBI_NH_ALL && op <= OP_TLBI_NH_VAA) ||
           (op >= OP_TLBI_EL2_ALL && op <= OP_TLBI_EL2_VAA) || op == OP_TLBI_S12_VMALL ||
           op == OP_TLBI_S2_IPA || op == OP_TLBI_NSNH_ALL;
}

static void cmd_execute(struct smmu_model *m, const uint64_t c[2])
{
    unsigned op = C_OP(c);
    if (is_invalidation(op)) {
        if (m->npending == MODEL_PENDING_INV)
            apply_pending(m); /* completing earlier is always allowed */
        m->pending[m->npending][0] = c[0];
        m->pending[m->npending][1] = c[1];
        m->npending++;
        return;
    }
    switch (op) {
    case OP_PREFETCH_CONFIG: /* 4.2.1 (IGNORED while SMMUEN = 0, 6.3.9.6) */
        model_prefetch(m, C_SID(c), 0, false);
        return;
    case OP_PREFETCH_ADDR: /* 4.2.2 */
        model_prefetch(m, C_SID(c), c[1] & mask_hi_lo(63, 12), true);
        return;
    case OP_SYNC: /* 4.7.3 */
        apply_pending(m);
        if (C_SYNC_CS(c) == 1) {
            uint64_t a = C_SYNC_MSIADDR(c);
            if (IDR0_MSI(m->cfg.idr[0]) && a) {
                if (mem_write32(m, a, C_SYNC_MSIDATA(c)))
                    m->stats.msi_writes++;
                else
                    gerror_raise(m, GERR_MSI_CMDQ_ABT);
            } else {
                irq_pulse(m, MIRQ_CMD_SYNC);
            }
        }
        return;
    default:
        return; /* ATC_INV, PRI_RESP, VMS_PIDM, DPTI: nothing the model caches */
    }
}

static void prefetch_watched(struct smmu_model *m)
{
    for (unsigned i = 0; i < m->nwatch; i++)
        model_prefetch(m, m->watch[i].sid, m->watch[i].addr, m->watch[i].with_addr);
}

void cmdq_process(struct smmu_model *m)
{
    if (m->busy)
        return;
    m->busy = true;
    for (;;) {
        if (!(m->cr0ack & CR0_CMDQEN) || (model_gerror_active(m) & GERR_CMDQ))
            break;
        unsigned qs = q_log2(m->cmdq_base, (unsigned)IDR1_CMDQS(m->cfg.idr[1]));
        uint32_t wm = (2u << qs) - 1, im = (1u << qs) - 1;
        uint32_t cons = m->cmdq_cons & wm;
        if (cons == (m->cmdq_prod & wm))
            break;
        uint64_t at = q_base(m, m->cmdq_base, qs, 16) + (uint64_t)(cons & im) * 16;
        uint64_t c[2];
        enum model_cerror err = MCERROR_NONE;
        if (!mem_read64(m, at, &c[0]) || !mem_read64(m, at + 8, &c[1]))
            err = MCERROR_ABT; /* 7.1: fetch abort */
        if (err == MCERROR_NONE && m->inject.fail_cmd_in >= 0 && m->inject.fail_cmd_in-- == 0) {
            err = m->inject.fail_cmd_code == MCERROR_ABT ? MCERROR_ABT : MCERROR_ILL;
            if (m->inject.fail_cmd_corrupt)
                mem_write64(m, at, c[0] & ~0xffULL); /* opcode 0x00: Reserved */
        }
        if (err == MCERROR_NONE)
            err = cmd_check(m, c);
        if (err != MCERROR_NONE) {
            /* 7.1: CONS.RD stays at the command, ERR is visible before GERROR. */
            m->cmdq_cons = (m->cmdq_cons & ~(0x7fu << 24)) | ((uint32_t)err << 24);
            m->stats.cmd_errors++;
            gerror_raise(m, GERR_CMDQ);
            break;
        }
        unsigned op = C_OP(c);
        if (op == OP_SYNC && m->inject.never_complete_sync) {
            m->stats.syncs_withheld++;
            break;
        }
        cmd_execute(m, c);
        m->cmdq_cons = (m->cmdq_cons & (0x7fu << 24)) | ((cons + 1) & wm);
        m->stats.cmds++;
        m->stats.cmd_op[op]++;
        if (op == OP_SYNC) {
            m->stats.syncs++;
            if (m->sync_hook)
                m->sync_hook(m, m->sync_ctx);
        }
        if (m->prefetch_every_cmd)
            prefetch_watched(m);
    }
    m->busy = false;
}

void model_watch(struct smmu_model *m, uint32_t sid, uint64_t addr, bool with_addr)
{
    if (m->nwatch < MODEL_WATCH) {
        m->watch[m->nwatch].sid = sid;
        m->watch[m->nwatch].addr = addr;
        m->watch[m->nwatch].with_addr = with_addr;
        m->nwatch++;
    }
}
