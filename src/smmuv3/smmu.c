#include "smmu.h"

#include "../lib/bits.h"
#include "../lib/string.h"
#include "../plat/plat.h"
#include "regs.h"

static uint32_t rd32(const struct smmu *s, uintptr_t off) { return plat_mmio_read32(s->base + off); }
static void wr32(const struct smmu *s, uintptr_t off, uint32_t v) { plat_mmio_write32(s->base + off, v); }
static void wr64(const struct smmu *s, uintptr_t off, uint64_t v) { plat_mmio_write64(s->base + off, v); }

/* IDR5.OAS code -> bits (6.3.6). */
static const uint8_t oas_bits_of_code[] = { 32, 36, 40, 42, 44, 48, 52 };

err_t smmu_probe(uintptr_t base, struct smmu_features *f)
{
    f->idr0 = plat_mmio_read32(base + SMMU_IDR0);
    f->idr1 = plat_mmio_read32(base + SMMU_IDR1);
    f->idr3 = plat_mmio_read32(base + SMMU_IDR3);
    f->idr5 = plat_mmio_read32(base + SMMU_IDR5);
    f->iidr = plat_mmio_read32(base + SMMU_IIDR);
    f->aidr = plat_mmio_read32(base + SMMU_AIDR);

    f->s1 = f->idr0 & IDR0_S1P;
    f->s2 = f->idr0 & IDR0_S2P;
    f->ttf = (unsigned)FIELD_GET(IDR0_TTF, f->idr0);
    f->coherent = f->idr0 & IDR0_COHACC;
    f->btm = f->idr0 & IDR0_BTM;
    f->hyp = f->idr0 & IDR0_HYP;
    f->ats = f->idr0 & IDR0_ATS;
    f->asid16 = f->idr0 & IDR0_ASID16;
    f->msi = f->idr0 & IDR0_MSI;
    f->pri = f->idr0 & IDR0_PRI;
    f->vmid16 = f->idr0 & IDR0_VMID16;
    f->cd2l = f->idr0 & IDR0_CD2L;
    f->stall_model = (unsigned)FIELD_GET(IDR0_STALL_MODEL, f->idr0);
    f->two_level_strtab = FIELD_GET(IDR0_ST_LEVEL, f->idr0) == IDR0_ST_LEVEL_2LVL;
    f->sid_bits = (unsigned)FIELD_GET(IDR1_SIDSIZE, f->idr1);
    f->ssid_bits = (unsigned)FIELD_GET(IDR1_SSIDSIZE, f->idr1);
    f->cmdq_log2 = (unsigned)FIELD_GET(IDR1_CMDQS, f->idr1);
    f->eventq_log2 = (unsigned)FIELD_GET(IDR1_EVENTQS, f->idr1);
    f->ril = f->idr3 & IDR3_RIL;
    f->xnx = f->idr3 & IDR3_XNX;
    f->gran4k = f->idr5 & IDR5_GRAN4K;
    f->gran16k = f->idr5 & IDR5_GRAN16K;
    f->gran64k = f->idr5 & IDR5_GRAN64K;
    f->oas_code = (unsigned)FIELD_GET(IDR5_OAS, f->idr5);
    f->arch_major = 3;
    f->arch_minor = (unsigned)FIELD_GET(AIDR_MINOR, f->aidr);

    if (f->oas_code > OAS_CODE_MAX)
        return ERR_UNSUPPORTED; /* 56-bit output (v3.4 D128) is beyond 64-bit descriptors */
    f->oas_bits = oas_bits_of_code[f->oas_code];
    /* The page-table format we share with the CPU: 64-bit descriptors, 4K, LE. */
    if (f->ttf != IDR0_TTF_AARCH64 && f->ttf != IDR0_TTF_BOTH)
        return ERR_UNSUPPORTED;
    if (!f->s2 || !f->gran4k)
        return ERR_UNSUPPORTED;
    if (FIELD_GET(IDR0_TTENDIAN, f->idr0) == IDR0_TTENDIAN_BE)
        return ERR_UNSUPPORTED;
    /* We terminate faulting transactions; an SMMU that forces stalls is not driven. */
    if (f->stall_model == IDR0_STALL_FORCED)
        return ERR_UNSUPPORTED;
    /* 6.3.2: SIDSIZE >= 7 implies 2-level support; anything else is a broken IDR. */
    if (f->sid_bits > 32 || (f->sid_bits >= 7 && !f->two_level_strtab))
        return ERR_UNSUPPORTED;
    if (f->cmdq_log2 == 0 || f->eventq_log2 == 0)
        return ERR_UNSUPPORTED;
    return ERR_NONE;
}

err_t smmu_strtab_layout(const struct smmu_features *f, const struct smmu_config *cfg,
                         struct strtab_layout *out)
{
    unsigned sid_bits = cfg->sid_bits ? cfg->sid_bits : f->sid_bits;
    if (sid_bits > f->sid_bits)
        return ERR_RANGE;
    int force = cfg->strtab == SMMU_STRTAB_FORCE_LINEAR ? STRTAB_LINEAR
              : cfg->strtab == SMMU_STRTAB_FORCE_2LVL   ? STRTAB_2LVL
                                                        : -1;
    return strtab_choose_layout(sid_bits, f->two_level_strtab, force, out);
}

/* ---- polling with deadlines ------------------------------------------------------------ */

static err_t poll_reg32(const struct smmu *s, uintptr_t off, uint32_t mask, uint32_t want)
{
    uint64_t deadline = plat_now_us() + s->timeout_us;
    for (;;) {
        if ((rd32(s, off) & mask) == want)
            return ERR_NONE;
        if (plat_now_us() > deadline)
            return ERR_TIMEOUT;
    }
}

/* 6.3.9: a CR0 write takes effect when CR0ACK reflects it. */
static err_t write_cr0(struct smmu *s, uint32_t val)
{
    wr32(s, SMMU_CR0, val);
    return poll_reg32(s, SMMU_CR0ACK, ~0u, val);
}

/* 6.3.14: GBPA changes only through UPDATE, which reads 0 once applied. */
static err_t write_gbpa(struct smmu *s, uint32_t val)
{
    err_t e = poll_reg32(s, SMMU_GBPA, (uint32_t)GBPA_UPDATE, 0);
    if (e != ERR_NONE)
        return e;
    wr32(s, SMMU_GBPA, val | (uint32_t)GBPA_UPDATE);
    return poll_reg32(s, SMMU_GBPA, (uint32_t)GBPA_UPDATE, 0);
}

/* ---- command queue --------------------------------------------------------------------- */

static bool cmdq_error_pending(const struct smmu *s)
{
    return (smmu_gerror_active(s) & GERROR_CMDQ_ERR) != 0;
}

static void cmdq_publish(struct smmu *s)
{
    /* The entries must be observable by the SMMU before PROD says they exist. */
    plat_dsb_ishst();
    wr32(s, SMMU_CMDQ_PROD, s->cmdq.prod);
    s->stats.prod_writes++;
}

static uint32_t cmdq_read_cons(struct smmu *s)
{
    uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
    s->cmdq.cons = cons & ((2u << s->cmdq.log2size) - 1u);
    return s->cmdq.cons;
}

/* Wait until at least one slot is free; publishes what is queued so the SMMU can drain. */
static err_t cmdq_wait_space(struct smmu *s)
{
    if (!smmu_queue_full(&s->cmdq, s->cmdq.prod, s->cmdq.cons))
        return ERR_NONE;
    cmdq_publish(s);
    uint64_t deadline = plat_now_us() + s->timeout_us;
    for (;;) {
        if (!smmu_queue_full(&s->cmdq, s->cmdq.prod, cmdq_read_cons(s)))
            return ERR_NONE;
        if (cmdq_error_pending(s))
            return ERR_CMDQ;
        if (plat_now_us() > deadline)
            return ERR_TIMEOUT;
    }
}

static err_t cmdq_push(struct smmu *s, const uint64_t words[2])
{
    err_t e = cmdq_wait_space(s);
    if (e != ERR_NONE)
        return e;
    volatile uint64_t *slot = smmu_queue_slot(&s->cmdq, s->cmdq.prod);
    slot[0] = words[0];
    slot[1] = words[1];
    plat_clean_to_poc((const void *)slot, CMD_DWORDS * 8);
    s->cmdq.prod = smmu_queue_inc(&s->cmdq, s->cmdq.prod);
    s->stats.cmds++;
    return ERR_NONE;
}

/* 4.7.3 CMD_SYNC: completes when every earlier command has; we poll CONS past it. */
static err_t cmdq_sync(struct smmu *s)
{
    uint64_t words[2];
    struct smmu_cmd sync = smmu_cmd_sync();
    smmu_cmd_encode(&sync, words);
    err_t e = cmdq_push(s, words);
    if (e != ERR_NONE)
        return e;
    s->stats.syncs++;
    cmdq_publish(s);
    uint32_t target = s->cmdq.prod;
    uint64_t deadline = plat_now_us() + s->timeout_us;
    for (;;) {
        if (cmdq_read_cons(s) == target)
            return ERR_NONE;
        if (cmdq_error_pending(s))
            return ERR_CMDQ;
        if (plat_now_us() > deadline)
            return ERR_TIMEOUT;
    }
}

err_t smmu_cmdq_submit(struct smmu *s, const struct smmu_cmd *cmds, unsigned n)
{
    uint64_t words[2];
    /* Validate everything first, so a bad command leaves the queue untouched. */
    for (unsigned i = 0; i < n; i++)
        if (smmu_cmd_encode(&cmds[i], words) != ERR_NONE)
            return ERR_INVALID;
    for (unsigned i = 0; i < n; i++) {
        smmu_cmd_encode(&cmds[i], words);
        err_t e = cmdq_push(s, words);
        if (e != ERR_NONE)
            return e;
    }
    return cmdq_sync(s);
}

/* ---- STE updates ----------------------------------------------------------------------- */

static err_t announce_ste(struct smmu *s, uint32_t sid, bool leaf)
{
    if (!s->enabled)
        return ERR_NONE; /* the SMMU caches nothing before SMMUEN; CFGI_ALL follows */
    struct smmu_cmd cmd = smmu_cmd_cfgi_ste(sid);
    cmd.cfgi_ste.leaf = leaf;
    return smmu_cmdq_submit(s, &cmd, 1);
}

err_t smmu_write_ste(struct smmu *s, uint32_t sid, const struct ste *target)
{
    struct ste *live;
    bool linked;
    err_t e = strtab_locate(&s->strtab, sid, true, &live, &linked);
    if (e != ERR_NONE)
        return e;
    if (linked) {
        /* Leaf = 0 also drops any cached level-1 descriptor for this SID (4.3.1). */
        e = announce_ste(s, sid, false);
        if (e != ERR_NONE)
            return e;
    }
    struct ste steps[STE_MAX_STEPS];
    unsigned n = ste_update_plan(live, target, steps);
    volatile uint64_t *dw = live->dw;
    struct ste prev = *live;
    for (unsigned i = 0; i < n; i++) {
        /* A step that only touches bits the SMMU ignores in the configuration it may hold
         * cannot be observed, whatever the SMMU fetches or caches: it needs no CFGI; the
         * barrier orders it before the next step. A step that changes interpreted bits is
         * announced (CFGI_STE + CMD_SYNC) before anything else is written. */
        struct ste used;
        ste_used_bits(&prev, &used);
        bool observable = false;
        for (unsigned w = 0; w < STE_DWORDS; w++) {
            observable |= ((prev.dw[w] ^ steps[i].dw[w]) & used.dw[w]) != 0;
            if (dw[w] != steps[i].dw[w])
                dw[w] = steps[i].dw[w]; /* 64-bit single-copy-atomic store */
        }
        plat_clean_to_poc(live, STE_SIZE);
        plat_dsb_ishst();
        if (observable) {
            e = announce_ste(s, sid, true);
            if (e != ERR_NONE)
                return e;
        }
        prev = steps[i];
    }
    s->stats.ste_writes++;
    return ERR_NONE;
}

err_t smmu_read_ste(const struct smmu *s, uint32_t sid, struct ste *out)
{
    struct ste *live;
    err_t e = strtab_locate((struct smmu_strtab *)&s->strtab, sid, false, &live, NULL);
    if (e == ERR_NOT_MAPPED) {
        *out = make_abort_ste();
        return ERR_NONE;
    }
    if (e != ERR_NONE)
        return e;
    *out = *live;
    return ERR_NONE;
}

/* ---- event queue and global errors ------------------------------------------------------ */

bool smmu_eventq_pop(struct smmu *s, struct smmu_event *ev)
{
    uint32_t prod = rd32(s, SMMU_EVENTQ_PROD);
    uint32_t mask = (2u << s->eventq.log2size) - 1u;
    if (smmu_queue_empty(&s->eventq, prod & mask, s->eventq.cons))
        return false;
    /* Read the record only after seeing PROD (the SMMU wrote it before moving PROD). */
    plat_dmb_ish();
    const volatile uint64_t *slot = smmu_queue_slot(&s->eventq, s->eventq.cons);
    uint64_t raw[EVT_DWORDS];
    for (int i = 0; i < EVT_DWORDS; i++)
        raw[i] = slot[i];
    smmu_event_decode(raw, ev);
    /* Finish reading before handing the slot back. */
    plat_dmb_ish();
    s->eventq.cons = smmu_queue_inc(&s->eventq, s->eventq.cons);
    uint32_t ovack = rd32(s, SMMU_EVENTQ_CONS) & (uint32_t)Q_OVF;
    wr32(s, SMMU_EVENTQ_CONS, s->eventq.cons | ovack);
    return true;
}

bool smmu_eventq_overflowed(struct smmu *s)
{
    bool overflow = false;
    uint32_t prod = rd32(s, SMMU_EVENTQ_PROD);
    uint32_t cons = rd32(s, SMMU_EVENTQ_CONS);
    if ((prod ^ cons) & (uint32_t)Q_OVF) {
        /* 7.4: acknowledge by copying OVFLG into OVACKFLG. */
        wr32(s, SMMU_EVENTQ_CONS, (cons & ~(uint32_t)Q_OVF) | (prod & (uint32_t)Q_OVF));
        overflow = true;
    }
    if (smmu_gerror_active(s) & GERROR_EVENTQ_ABT_ERR) {
        smmu_gerror_ack(s, GERROR_EVENTQ_ABT_ERR);
        overflow = true;
    }
    return overflow;
}

uint32_t smmu_eventq_pending(const struct smmu *s)
{
    uint32_t mask = (2u << s->eventq.log2size) - 1u;
    return smmu_queue_used(&s->eventq, rd32(s, SMMU_EVENTQ_PROD) & mask, s->eventq.cons);
}

void smmu_gerror_read(const struct smmu *s, struct smmu_gerror_info *out)
{
    out->active = smmu_gerror_active(s);
    out->cmdq_err = 0;
    out->cmd[0] = out->cmd[1] = 0;
    if (out->active & GERROR_CMDQ_ERR) {
        uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
        out->cmdq_err = (uint8_t)FIELD_GET(CMDQ_CONS_ERR, cons);
        const volatile uint64_t *slot = smmu_queue_slot(&s->cmdq, cons);
        out->cmd[0] = slot[0];
        out->cmd[1] = slot[1];
    }
}

err_t smmu_cmdq_skip_error(struct smmu *s)
{
    if (!cmdq_error_pending(s))
        return ERR_STATE;
    uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
    uint64_t words[2];
    struct smmu_cmd sync = smmu_cmd_sync();
    smmu_cmd_encode(&sync, words);
    volatile uint64_t *slot = smmu_queue_slot(&s->cmdq, cons);
    slot[0] = words[0];
    slot[1] = words[1];
    plat_clean_to_poc((const void *)slot, CMD_DWORDS * 8);
    /* The replacement must be visible before the SMMU is told to resume (6.3.18). */
    plat_dsb_ishst();
    smmu_gerror_ack(s, GERROR_CMDQ_ERR);
    return ERR_NONE;
}

err_t smmu_debug_inject_cmd(struct smmu *s, const uint64_t words[2])
{
    err_t e = cmdq_push(s, words);
    if (e != ERR_NONE)
        return e;
    cmdq_publish(s);
    return ERR_NONE;
}

uint32_t smmu_gerror_active(const struct smmu *s)
{
    return (rd32(s, SMMU_GERROR) ^ rd32(s, SMMU_GERRORN)) & (uint32_t)GERROR_ERR_MASK;
}

void smmu_gerror_ack(struct smmu *s, uint32_t mask)
{
    uint32_t active = smmu_gerror_active(s) & mask;
    /* 6.3.18: an error is acknowledged by toggling its GERRORN bit to match GERROR. */
    wr32(s, SMMU_GERRORN, rd32(s, SMMU_GERRORN) ^ active);
}

/* ---- reset, enable, disable ------------------------------------------------------------- */

err_t smmu_disable(struct smmu *s)
{
    err_t e = write_gbpa(s, (uint32_t)GBPA_ABORT);
    if (e != ERR_NONE)
        return e;
    uint32_t cr0 = rd32(s, SMMU_CR0) & ~(uint32_t)CR0_SMMUEN;
    e = write_cr0(s, cr0);
    if (e == ERR_NONE)
        s->enabled = false;
    return e;
}

err_t smmu_reinit(struct smmu *s)
{
    struct smmu_config cfg = s->cfg;
    err_t e = smmu_disable(s);
    if (e != ERR_NONE)
        return e;
    strtab_destroy(&s->strtab);
    kmemset(cfg.cmdq_mem, 0, (size_t)CMD_DWORDS * 8u << cfg.cmdq_log2);
    kmemset(cfg.eventq_mem, 0, (size_t)EVT_DWORDS * 8u << cfg.eventq_log2);
    return smmu_init(s, &cfg);
}

err_t smmu_init(struct smmu *s, const struct smmu_config *cfg)
{
    if (!s || !cfg || !cfg->cmdq_mem || !cfg->eventq_mem || !cfg->strtab_mem)
        return ERR_INVALID;
    s->base = cfg->base;
    s->cfg = *cfg;
    s->timeout_us = cfg->poll_timeout_us ? cfg->poll_timeout_us : SMMU_DEFAULT_TIMEOUT_US;
    s->enabled = false;
    s->stats = (struct smmu_stats){ 0 };
    err_t e = smmu_probe(cfg->base, &s->f);
    if (e != ERR_NONE)
        return e;
    if (cfg->cmdq_log2 > s->f.cmdq_log2 || cfg->eventq_log2 > s->f.eventq_log2)
        return ERR_RANGE;

    struct strtab_layout layout;
    e = smmu_strtab_layout(&s->f, cfg, &layout);
    if (e != ERR_NONE)
        return e;

    /* 1. No stream may pass while we configure: abort incoming traffic globally. */
    e = write_gbpa(s, (uint32_t)GBPA_ABORT);
    if (e != ERR_NONE)
        return e;
    /* 2. Everything off, and acknowledged. */
    e = write_cr0(s, 0);
    if (e != ERR_NONE)
        return e;
    /* Clear stale global errors from before the reset. */
    smmu_gerror_ack(s, (uint32_t)GERROR_ERR_MASK);

    /* 3. Queues and stream table in memory. */
    e = smmu_queue_init(&s->cmdq, cfg->cmdq_mem, cfg->cmdq_log2, CMD_DWORDS,
                        s->base + SMMU_CMDQ_PROD, s->base + SMMU_CMDQ_CONS);
    if (e != ERR_NONE)
        return e;
    e = smmu_queue_init(&s->eventq, cfg->eventq_mem, cfg->eventq_log2, EVT_DWORDS,
                        s->base + SMMU_EVENTQ_PROD, s->base + SMMU_EVENTQ_CONS);
    if (e != ERR_NONE)
        return e;
    e = strtab_init(&s->strtab, &layout, cfg->strtab_mem, cfg->strtab_bytes, cfg->pool);
    if (e != ERR_NONE)
        return e;

    /* 4. Table and queue walks: write-back cacheable, inner shareable (CR1, 6.3.11);
     * record out-of-range StreamIDs and ignore broadcast TLB maintenance (CR2). */
    wr32(s, SMMU_CR1, (uint32_t)(FIELD_PREP(CR1_TABLE_SH, CR1_SH_ISH) | FIELD_PREP(CR1_TABLE_OC, CR1_CACHE_WB) |
                                 FIELD_PREP(CR1_TABLE_IC, CR1_CACHE_WB) | FIELD_PREP(CR1_QUEUE_SH, CR1_SH_ISH) |
                                 FIELD_PREP(CR1_QUEUE_OC, CR1_CACHE_WB) | FIELD_PREP(CR1_QUEUE_IC, CR1_CACHE_WB)));
    wr32(s, SMMU_CR2, (uint32_t)(CR2_RECINVSID | CR2_PTM));

    wr64(s, SMMU_STRTAB_BASE, strtab_base_reg(&s->strtab));
    wr32(s, SMMU_STRTAB_BASE_CFG, strtab_base_cfg_reg(&s->strtab));
    wr64(s, SMMU_CMDQ_BASE, smmu_queue_base_reg(&s->cmdq));
    wr32(s, SMMU_CMDQ_PROD, 0);
    wr32(s, SMMU_CMDQ_CONS, 0);
    wr64(s, SMMU_EVENTQ_BASE, smmu_queue_base_reg(&s->eventq));
    wr32(s, SMMU_EVENTQ_PROD, 0);
    wr32(s, SMMU_EVENTQ_CONS, 0);
    plat_dsb_sy();

    /* 5. Command queue on; forget any configuration and TLB state from before. */
    uint32_t cr0 = (uint32_t)CR0_CMDQEN;
    e = write_cr0(s, cr0);
    if (e != ERR_NONE)
        return e;
    struct smmu_cmd inval[3];
    unsigned n = 0;
    inval[n++] = smmu_cmd_cfgi_all();
    if (s->f.hyp)
        inval[n++] = smmu_cmd_tlbi_el2_all();
    inval[n++] = smmu_cmd_tlbi_nsnh_all();
    e = smmu_cmdq_submit(s, inval, n);
    if (e != ERR_NONE)
        return e;

    /* 6. Event queue, then interrupts (eventq + gerror; wired or MSI per platform). */
    cr0 |= (uint32_t)CR0_EVENTQEN;
    e = write_cr0(s, cr0);
    if (e != ERR_NONE)
        return e;
    uint32_t irqs = (uint32_t)(IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN);
    wr32(s, SMMU_IRQ_CTRL, irqs);
    e = poll_reg32(s, SMMU_IRQ_CTRLACK, irqs, irqs);
    if (e != ERR_NONE)
        return e;

    /* 7. Translation on. Streams now follow their STEs (all abort so far). */
    cr0 |= (uint32_t)CR0_SMMUEN;
    e = write_cr0(s, cr0);
    if (e != ERR_NONE)
        return e;
    s->enabled = true;
    return ERR_NONE;
}
