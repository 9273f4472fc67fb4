/* The register file (6.3), global errors (7.5), interrupts (3.18) and the event queue
 * (3.5, 7.2, 7.4) of the model, and its MMIO registration on the host platform. */
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "plat/host/plat_host.h"

void model_default_config(struct model_config *c, uintptr_t base)
{
    memset(c, 0, sizeof(*c));
    c->base = base;
    /* QEMU 10.0 virt, iommu=smmuv3: S1P+S2P, AArch64 tables, COHACC, ASID16/VMID16,
     * 2-level stream tables, TERM_MODEL=1, STALL_MODEL=01; SIDSIZE 16, CMDQS/EVENTQS 19;
     * RIL and XNX; OAS 44 bits with 4K/16K/64K granules; SMMUv3.1. */
    c->idr[0] = 0x0d44101b;
    c->idr[1] = 0x02730010;
    c->idr[3] = 0x1414;
    c->idr[5] = 0x74;
    c->aidr = 0x1;
    c->gbpa_reset = 0x1000;
    c->check_res0 = true;
}

/* ---- global errors and interrupts ---------------------------------------------------- */

uint32_t model_gerror_active(const struct smmu_model *m) { return m->gerror ^ m->gerrorn; }

void irq_pulse(struct smmu_model *m, enum model_irq line)
{
    m->stats.irqs[line]++;
    if (m->irq_hook)
        m->irq_hook(m, line, m->irq_ctx);
}

/* 6.3.19: the SMMU toggles GERROR[x] only if the error is not already active. */
void gerror_raise(struct smmu_model *m, uint32_t b)
{
    if (model_gerror_active(m) & b)
        return;
    m->gerror ^= b;
    if (m->irq_ctrlack & IRQ_GERROR_EN)
        irq_pulse(m, MIRQ_GERROR);
}

static uint32_t gerror_implemented(const struct smmu_model *m)
{
    uint32_t idr0 = m->cfg.idr[0];
    uint32_t v = GERR_CMDQ | GERR_EVENTQ_ABT | GERR_SFM;
    if (IDR0_PRI(idr0))
        v |= 1u << 3;
    if (IDR0_MSI(idr0))
        v |= 0xb0u | (IDR0_PRI(idr0) ? 1u << 6 : 0);
    return v;
}

/* ---- the event queue ------------------------------------------------------------------ */

unsigned q_log2(uint64_t base_reg, unsigned idr_max)
{
    unsigned qs = (unsigned)bits(base_reg, 4, 0);
    return qs > idr_max ? idr_max : qs; /* 6.3.26: uses are capped at IDR1.xQS */
}

/* Queue base: ADDR[55:5], aligned to the queue size (at least 32 bytes), within OAS. */
uint64_t q_base(const struct smmu_model *m, uint64_t base_reg, unsigned log2, unsigned entry)
{
    uint64_t a = base_reg & mask_hi_lo(55, 5) & mask_hi_lo(oas_bits(m) - 1, 0);
    uint64_t bytes = (uint64_t)entry << log2;
    return a & ~((bytes < 32 ? 32 : bytes) - 1);
}

unsigned eventq_log2(const struct smmu_model *m) { return q_log2(m->eventq_base, (unsigned)IDR1_EVENTQS(m->cfg.idr[1])); }

unsigned model_eventq_pending(const struct smmu_model *m)
{
    unsigned qs = eventq_log2(m);
    uint32_t wm = (2u << qs) - 1;
    return ((m->eventq_prod & wm) - (m->eventq_cons & wm)) & wm;
}

/* 7.2.1: written only if the queue is writable (enabled, not full, no EVENTQ_ABT_ERR);
 * a record that finds it full is discarded and the overflow flag toggles if overflow is
 * not already signalled (7.4); a disabled queue discards silently. */
void eventq_record(struct smmu_model *m, const uint64_t rec[4], bool *recorded, bool *dropped)
{
    *recorded = *dropped = false;
    if (!(m->cr0ack & CR0_EVENTQEN) || (model_gerror_active(m) & GERR_EVENTQ_ABT)) {
        m->stats.events_discarded++;
        return;
    }
    unsigned qs = eventq_log2(m);
    uint32_t wm = (2u << qs) - 1, im = (1u << qs) - 1;
    uint32_t prod = m->eventq_prod & wm, cons = m->eventq_cons & wm;
    bool full = ((prod ^ cons) & im) == 0 && prod != cons;
    if (full || m->inject.eventq_full) {
        m->stats.events_dropped++;
        *dropped = true;
        if (m->cfg.qemu_eventq_overflow)
            gerror_raise(m, GERR_EVENTQ_ABT);
        else if (!((m->eventq_prod ^ m->eventq_cons) & Q_OVFLG))
            m->eventq_prod ^= Q_OVFLG;
        return;
    }
    uint64_t at = q_base(m, m->eventq_base, qs, 32) + (uint64_t)(prod & im) * 32;
    bool ok = !m->inject.eventq_write_abort;
    for (unsigned i = 0; ok && i < 4; i++)
        ok = mem_write64(m, at + 8 * i, rec[i]);
    if (!ok) {
        /* 7.2.2, synchronous abort: PROD does not move past the record. */
        gerror_raise(m, GERR_EVENTQ_ABT);
        m->stats.events_discarded++;
        return;
    }
    m->eventq_prod = (m->eventq_prod & Q_OVFLG) | ((prod + 1) & wm);
    m->stats.events_written++;
    *recorded = true;
    if (m->irq_ctrlack & IRQ_EVENTQ_EN)
        irq_pulse(m, MIRQ_EVENTQ);
}

/* ---- register writes ------------------------------------------------------------------ */

static bool is_64bit_reg(uintptr_t off)
{
    switch (off) {
    case R_GERROR_IRQ_CFG0: case R_STRTAB_BASE: case R_CMDQ_BASE: case R_EVENTQ_BASE:
    case R_EVENTQ_IRQ_CFG0: case R_PRIQ_BASE: case R_PRIQ_IRQ_CFG0:
        return true;
    }
    return false;
}

static uint32_t cr0_implemented(const struct smmu_model *m)
{
    uint32_t idr0 = m->cfg.idr[0], v = CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN;
    if (IDR0_PRI(idr0))
        v |= CR0_PRIQEN;
    if (IDR0_ATS(idr0))
        v |= 1u << 4; /* ATSCHK */
    if (IDR0_VMW(idr0))
        v |= 7u << 6;
    if (IDR3_DPT(m->cfg.idr[3]))
        v |= 1u << 10;
    return v;
}

/* 6.3.9: each field changes, then CR0ACK reflects it; software must not change a field
 * again while its update is in progress. */
static void write_cr0(struct smmu_model *m, uint32_t v)
{
    v &= cr0_implemented(m);
    if ((v ^ m->cr0) & (m->cr0 ^ m->cr0ack))
        model_violation(m, "CR0 field changed again before CR0ACK acknowledged it");
    m->cr0 = v;
    if (m->inject.never_ack_cr0)
        return;
    uint32_t old = m->cr0ack;
    m->cr0ack = v;
    if ((v & CR0_CMDQEN) && !(old & CR0_CMDQEN))
        cmdq_process(m);
}

/* 6.3.14.1: a single write with Update = 1; Update reads 1 until the attributes apply. */
static void write_gbpa(struct smmu_model *m, uint32_t v)
{
    if (m->gbpa & GBPA_UPDATE) {
        model_violation(m, "GBPA written while an update is in progress (ignored, v3.2)");
        return;
    }
    if (!(v & GBPA_UPDATE)) {
        model_violation(m, "GBPA written without Update (ignored)");
        return;
    }
    if (m->inject.gbpa_stuck) {
        m->gbpa |= GBPA_UPDATE; /* the old attributes stay in effect */
        return;
    }
    m->gbpa = v & (GBPA_ABORT | (0xfu << 16) | (3u << 12) | (0xfu << 8) | 0x1fu);
}

/* 6.3.20: an error is acknowledged by making GERRORN[x] equal GERROR[x]; toggling the bit
 * of an inactive error is not allowed (ignored here). */
static void write_gerrorn(struct smmu_model *m, uint32_t v)
{
    uint32_t impl = gerror_implemented(m), active = model_gerror_active(m);
    uint32_t changed = (v ^ m->gerrorn) & impl;
    if (changed & ~active)
        model_violation(m, "GERRORN toggled for an inactive error");
    m->gerrorn ^= changed & active;
    if ((active & GERR_CMDQ) && !(model_gerror_active(m) & GERR_CMDQ))
        cmdq_process(m); /* 7.1: commands are re-fetched from CONS */
}

/* Whether `newp` is a consistent move of a producer index that had `oldp`, with the
 * consumer at `cons` (3.21.2): at most a queue's worth ahead of the consumer. */
static bool prod_consistent(uint32_t newp, uint32_t cons, unsigned qs)
{
    uint32_t wm = (2u << qs) - 1;
    return (((newp & wm) - (cons & wm)) & wm) <= (1u << qs);
}

static void write_reg(struct smmu_model *m, uintptr_t off, uint64_t v, unsigned width)
{
    /* 64-bit registers also take 32-bit accesses to either half. */
    uint64_t *r64 = NULL;
    uint64_t mask64 = ~0ULL;
    uintptr_t reg = off & ~(uintptr_t)7;
    if (is_64bit_reg(reg)) {
        if (width == 4) {
            unsigned sh = (off & 4) ? 32 : 0;
            uint64_t *cur = NULL;
            switch (reg) {
            case R_STRTAB_BASE: cur = &m->strtab_base; break;
            case R_CMDQ_BASE: cur = &m->cmdq_base; break;
            case R_EVENTQ_BASE: cur = &m->eventq_base; break;
            case R_GERROR_IRQ_CFG0: cur = &m->gerror_irq_cfg0; break;
            case R_EVENTQ_IRQ_CFG0: cur = &m->eventq_irq_cfg0; break;
            default: return;
            }
            v = (*cur & ~(0xffffffffULL << sh)) | ((v & 0xffffffffULL) << sh);
        }
        switch (reg) {
        case R_STRTAB_BASE:
            if ((m->cr0 | m->cr0ack) & CR0_SMMUEN) {
                model_violation(m, "STRTAB_BASE written with SMMUEN = 1 (ignored)");
                return;
            }
            r64 = &m->strtab_base;
            mask64 = (1ULL << 62) | mask_hi_lo(55, 6);
            break;
        case R_CMDQ_BASE:
            if ((m->cr0 | m->cr0ack) & CR0_CMDQEN) {
                model_violation(m, "CMDQ_BASE written with CMDQEN = 1 (ignored)");
                return;
            }
            r64 = &m->cmdq_base;
            mask64 = (1ULL << 62) | mask_hi_lo(55, 5) | 0x1f;
            break;
        case R_EVENTQ_BASE:
            if ((m->cr0 | m->cr0ack) & CR0_EVENTQEN) {
                model_violation(m, "EVENTQ_BASE written with EVENTQEN = 1 (ignored)");
                return;
            }
            r64 = &m->eventq_base;
            mask64 = (1ULL << 62) | mask_hi_lo(55, 5) | 0x1f;
            break;
        case R_GERROR_IRQ_CFG0: r64 = &m->gerror_irq_cfg0; mask64 = mask_hi_lo(55, 2); break;
        case R_EVENTQ_IRQ_CFG0: r64 = &m->eventq_irq_cfg0; mask64 = mask_hi_lo(55, 2); break;
        default: return; /* PRIQ: not implemented (IDR0.PRI = 0), RAZ/WI */
        }
        *r64 = v & mask64;
        return;
    }
    if (width != 4) {
        model_violation(m, "64-bit access to a 32-bit register");
        return;
    }
    uint32_t w = (uint32_t)v;
    uint32_t cr0any = m->cr0 | m->cr0ack;
    switch (off) {
    case R_CR0: write_cr0(m, w); return;
    case R_CR1:
        if (cr0any & (CR0_SMMUEN | CR0_CMDQEN | CR0_EVENTQEN | CR0_PRIQEN)) {
            model_violation(m, "CR1 written with a queue or SMMUEN enabled (ignored)");
            return;
        }
        m->cr1 = w & 0xfff;
        return;
    case R_CR2:
        if (cr0any & CR0_SMMUEN) {
            model_violation(m, "CR2 written with SMMUEN = 1 (ignored)");
            return;
        }
        m->cr2 = w & 0xf;
        return;
    case R_GBPA: write_gbpa(m, w); return;
    case R_IRQ_CTRL:
        m->irq_ctrl = w & (IRQ_GERROR_EN | IRQ_EVENTQ_EN | (IDR0_PRI(m->cfg.idr[0]) ? IRQ_PRIQ_EN : 0));
        m->irq_ctrlack = m->irq_ctrl;
        return;
    case R_GERRORN: write_gerrorn(m, w); return;
    case R_GERROR_IRQ_CFG1: m->gerror_irq_cfg1 = w; return;
    case R_GERROR_IRQ_CFG2: m->gerror_irq_cfg2 = w & 0x3f; return;
    case R_EVENTQ_IRQ_CFG1: m->eventq_irq_cfg1 = w; return;
    case R_EVENTQ_IRQ_CFG2: m->eventq_irq_cfg2 = w & 0x3f; return;
    case R_STRTAB_BASE_CFG:
        if (cr0any & CR0_SMMUEN) {
            model_violation(m, "STRTAB_BASE_CFG written with SMMUEN = 1 (ignored)");
            return;
        }
        m->strtab_base_cfg = w & ((3u << 16) | (0x1fu << 6) | 0x3fu);
        return;
    case R_CMDQ_PROD: {
        unsigned qs = q_log2(m->cmdq_base, (unsigned)IDR1_CMDQS(m->cfg.idr[1]));
        uint32_t np = w & ((1u << Q_IDX_BITS) - 1);
        if ((m->cr0ack & CR0_CMDQEN) && !(model_gerror_active(m) & GERR_CMDQ) &&
            !prod_consistent(np, m->cmdq_cons, qs))
            model_violation(m, "CMDQ_PROD moved past the free space of the queue");
        m->cmdq_prod = np;
        cmdq_process(m);
        return;
    }
    case R_CMDQ_CONS:
        if (cr0any & CR0_CMDQEN) {
            model_violation(m, "CMDQ_CONS written with CMDQEN = 1 (ignored: RO, 6.3.28)");
            return;
        }
        m->cmdq_cons = (m->cmdq_cons & (0x7fu << 24)) | (w & ((1u << Q_IDX_BITS) - 1));
        return;
    case R_EVENTQ_PROD:
        if (cr0any & CR0_EVENTQEN) {
            model_violation(m, "EVENTQ_PROD written with EVENTQEN = 1 (ignored: RO)");
            return;
        }
        m->eventq_prod = w & (Q_OVFLG | ((1u << Q_IDX_BITS) - 1));
        return;
    case R_EVENTQ_CONS: {
        unsigned qs = eventq_log2(m);
        uint32_t wm = (2u << qs) - 1;
        uint32_t nc = w & (Q_OVFLG | ((1u << Q_IDX_BITS) - 1));
        /* 3.21.2: CONS moves forward, never past PROD. */
        uint32_t avail = ((m->eventq_prod & wm) - (m->eventq_cons & wm)) & wm;
        uint32_t step = ((nc & wm) - (m->eventq_cons & wm)) & wm;
        if ((m->cr0ack & CR0_EVENTQEN) && step > avail)
            model_violation(m, "EVENTQ_CONS moved past EVENTQ_PROD");
        m->eventq_cons = nc;
        return;
    }
    case R_EVENTQ_PROD_P0:
    case R_EVENTQ_CONS_P0:
        model_violation(m, "EVENTQ_PROD/CONS accessed at their page-0 offsets (6.2)");
        return;
    case R_IDR0: case R_IDR1: case R_IDR2: case R_IDR3: case R_IDR4: case R_IDR5:
    case R_IIDR: case R_AIDR: case R_CR0ACK: case R_IRQ_CTRLACK: case R_GERROR:
        model_violation(m, "write to a read-only register");
        return;
    default:
        return; /* unimplemented: RAZ/WI */
    }
}

static uint64_t read_reg(struct smmu_model *m, uintptr_t off, unsigned width)
{
    uintptr_t reg = off & ~(uintptr_t)7;
    if (is_64bit_reg(reg)) {
        uint64_t v = 0;
        switch (reg) {
        case R_STRTAB_BASE: v = m->strtab_base; break;
        case R_CMDQ_BASE: v = m->cmdq_base; break;
        case R_EVENTQ_BASE: v = m->eventq_base; break;
        case R_GERROR_IRQ_CFG0: v = m->gerror_irq_cfg0; break;
        case R_EVENTQ_IRQ_CFG0: v = m->eventq_irq_cfg0; break;
        }
        if (width == 8)
            return v;
        return (off & 4) ? v >> 32 : v & 0xffffffffULL;
    }
    if (width != 4) {
        model_violation(m, "64-bit access to a 32-bit register");
        return 0;
    }
    switch (off) {
    case R_IDR0: case R_IDR1: case R_IDR2: case R_IDR3: case R_IDR4: case R_IDR5:
        return m->cfg.idr[off / 4];
    case R_IIDR: return m->cfg.iidr;
    case R_AIDR: return m->cfg.aidr;
    case R_CR0: return m->cr0;
    case R_CR0ACK: return m->cr0ack;
    case R_CR1: return m->cr1;
    case R_CR2: return m->cr2;
    case R_GBPA: return m->gbpa;
    case R_IRQ_CTRL: return m->irq_ctrl;
    case R_IRQ_CTRLACK: return m->irq_ctrlack;
    case R_GERROR: return m->gerror;
    case R_GERRORN: return m->gerrorn;
    case R_GERROR_IRQ_CFG1: return m->gerror_irq_cfg1;
    case R_GERROR_IRQ_CFG2: return m->gerror_irq_cfg2;
    case R_EVENTQ_IRQ_CFG1: return m->eventq_irq_cfg1;
    case R_EVENTQ_IRQ_CFG2: return m->eventq_irq_cfg2;
    case R_STRTAB_BASE_CFG: return m->strtab_base_cfg;
    case R_CMDQ_PROD: return m->cmdq_prod;
    case R_CMDQ_CONS: return m->cmdq_cons;
    case R_EVENTQ_PROD: return m->eventq_prod;
    case R_EVENTQ_CONS: return m->eventq_cons;
    case R_EVENTQ_PROD_P0:
    case R_EVENTQ_CONS_P0:
        model_violation(m, "EVENTQ_PROD/CONS accessed at their page-0 offsets (6.2)");
        return 0;
    }
    return 0;
}

static uint64_t mmio_read(void *ctx, uintptr_t off, unsigned width) { return read_reg(ctx, off, width); }
static void mmio_write(void *ctx, uintptr_t off, uint64_t v, unsigned width) { write_reg(ctx, off, v, width); }

/* ---- reset ---------------------------------------------------------------------------- */

/* 3.11: "the state of the caches and TLBs at reset is IMPLEMENTATION SPECIFIC". With
 * dirty_reset the model starts with bypass STEs for low StreamIDs and junk stage-2 and
 * stage-1 translations, which software must invalidate before enabling translation. */
static void fill_junk(struct smmu_model *m)
{
    uint64_t bypass[8] = { 1u | (4u << 1) };
    for (uint32_t sid = 0; sid < 64; sid++)
        cfg_insert(m, CFG_STE, sid, 0, 0, bypass, 8);
    for (unsigned vmid = 0; vmid < 80; vmid++) {
        struct model_tlb_entry e = { .kind = T_S2, .world = W_EL1, .level = 1, .vmid = (uint16_t)vmid,
                                     .ia = 0, .span_log2 = 39, .out = 0,
                                     .s2d = 1u | (0xfu << 2) | (3u << 6) | (3u << 8) | (1u << 10) };
        tlb_insert(m, &e);
        e.kind = T_S1;
        e.global = true;
        e.s1d = 1u | (1u << 6) | (3u << 8) | (1u << 10);
        tlb_insert(m, &e);
    }
}

void model_init(struct smmu_model *m, const struct model_config *c)
{
    memset(m, 0, sizeof(*m));
    m->cfg = *c;
    /* The model implements no stalling: it behaves as STALL_MODEL = 0b01 (6.3.1). */
    m->cfg.idr[0] = (m->cfg.idr[0] & ~(3u << 24)) | (1u << 24);
    m->inject.fail_cmd_in = -1;
    m->gbpa = c->gbpa_reset & ~GBPA_UPDATE;
    m->cfgc = calloc(MODEL_CFG_ENTRIES, sizeof(*m->cfgc));
    m->tlb = calloc(MODEL_TLB_ENTRIES, sizeof(*m->tlb));
    if (c->dirty_reset)
        fill_junk(m);
    struct host_mmio_device dev = { .base = c->base, .size = MODEL_MMIO_SIZE, .ctx = m,
                                    .read = mmio_read, .write = mmio_write };
    host_mmio_register(&dev);
}

void model_fini(struct smmu_model *m)
{
    host_mmio_unregister(m->cfg.base);
    free(m->cfgc);
    free(m->tlb);
    m->cfgc = NULL;
    m->tlb = NULL;
}

void model_kick(struct smmu_model *m) { cmdq_process(m); }
