#include "smmu_standin.h"

#include <string.h>

#include "lib/bits.h"
#include "plat/host/plat_host.h"
#include "smmuv3/regs.h"

static uint32_t qmask(uint64_t base_reg) { return (2u << FIELD_GET(Q_BASE_LOG2SIZE, base_reg)) - 1u; }
static uint32_t qsize(uint64_t base_reg) { return 1u << FIELD_GET(Q_BASE_LOG2SIZE, base_reg); }

/* Opcodes valid on the Non-secure command queue (chapter 4). */
static bool opcode_valid(uint8_t op)
{
    switch (op) {
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06:
    case 0x10: case 0x11: case 0x12: case 0x13: case 0x20: case 0x21: case 0x22: case 0x23:
    case 0x28: case 0x2a: case 0x30: case 0x40: case 0x41: case 0x44: case 0x45: case 0x46:
        return true;
    }
    return false;
}

static bool cmd_legal(const uint64_t c[2])
{
    uint8_t op = (uint8_t)FIELD_GET(CMD0_OPCODE, c[0]);
    if (!opcode_valid(op))
        return false;
    if (op == 0x12 || op == 0x13 || op == 0x2a) {
        unsigned tg = (unsigned)FIELD_GET(CMD1_TLBI_TG, c[1]);
        unsigned ttl = (unsigned)FIELD_GET(CMD1_TLBI_TTL, c[1]);
        unsigned num = (unsigned)FIELD_GET(CMD0_TLBI_NUM, c[0]);
        unsigned scale = (unsigned)FIELD_GET(CMD0_TLBI_SCALE, c[0]);
        if (tg && !num && !scale && !ttl)
            return false;
    }
    if (op == 0x46 && FIELD_GET(CMD0_SYNC_CS, c[0]) == 3)
        return false;
    return true;
}

static void consume_cmdq(struct standin *sd)
{
    if (!(sd->cr0 & CR0_CMDQEN) || ((sd->gerror ^ sd->gerrorn) & GERROR_CMDQ_ERR))
        return;
    uint32_t mask = qmask(sd->cmdq_base);
    uint64_t *q = (uint64_t *)(uintptr_t)(sd->cmdq_base & Q_BASE_ADDR);
    for (unsigned guard = 0; guard <= mask; guard++) {
        uint32_t cons = sd->cmdq_cons & mask;
        if (cons == (sd->cmdq_prod & mask))
            return;
        uint64_t *c = q + (size_t)(cons & (qsize(sd->cmdq_base) - 1)) * 2;
        if (!cmd_legal(c)) {
            sd->cmdq_cons = (sd->cmdq_cons & ~(uint32_t)CMDQ_CONS_ERR) |
                            (uint32_t)FIELD_PREP(CMDQ_CONS_ERR, CMDQ_ERR_ILL);
            sd->gerror ^= (uint32_t)GERROR_CMDQ_ERR;
            return;
        }
        uint8_t op = (uint8_t)FIELD_GET(CMD0_OPCODE, c[0]);
        if (op == CMD_OP_SYNC && sd->stall_sync)
            return;
        if (sd->nlog < STANDIN_LOG_MAX) {
            sd->log[sd->nlog][0] = c[0];
            sd->log[sd->nlog][1] = c[1];
            sd->nlog++;
        }
        sd->op_count[op]++;
        sd->cmdq_cons = (cons + 1) & mask;
        if (op == CMD_OP_SYNC) {
            sd->nsync++;
            if (sd->on_sync)
                sd->on_sync(sd, sd->on_sync_ctx);
        }
    }
}

static uint64_t sd_read(void *ctx, uintptr_t off, unsigned width)
{
    struct standin *sd = ctx;
    if (width == 8) {
        switch (off) {
        case SMMU_STRTAB_BASE: return sd->strtab_base;
        case SMMU_CMDQ_BASE: return sd->cmdq_base;
        case SMMU_EVENTQ_BASE: return sd->eventq_base;
        }
        return 0;
    }
    switch (off) {
    case SMMU_IDR0: case SMMU_IDR1: case SMMU_IDR2: case SMMU_IDR3: case SMMU_IDR4: case SMMU_IDR5:
        return sd->idr[off / 4];
    case SMMU_IIDR: return sd->iidr;
    case SMMU_AIDR: return sd->aidr;
    case SMMU_CR0: return sd->cr0;
    case SMMU_CR0ACK: return sd->cr0ack;
    case SMMU_CR1: return sd->cr1;
    case SMMU_CR2: return sd->cr2;
    case SMMU_GBPA: return sd->gbpa;
    case SMMU_IRQ_CTRL: return sd->irq_ctrl;
    case SMMU_IRQ_CTRLACK: return sd->irq_ctrlack;
    case SMMU_GERROR: return sd->gerror;
    case SMMU_GERRORN: return sd->gerrorn;
    case SMMU_STRTAB_BASE_CFG: return sd->strtab_base_cfg;
    case SMMU_CMDQ_PROD: return sd->cmdq_prod;
    case SMMU_CMDQ_CONS: return sd->cmdq_cons;
    case SMMU_EVENTQ_PROD: return sd->eventq_prod;
    case SMMU_EVENTQ_CONS: return sd->eventq_cons;
    }
    return 0;
}

static void sd_write(void *ctx, uintptr_t off, uint64_t val, unsigned width)
{
    struct standin *sd = ctx;
    if (sd->nwrites < 256)
        sd->writes[sd->nwrites++] = (uint32_t)off;
    if (width == 8) {
        switch (off) {
        case SMMU_STRTAB_BASE: sd->strtab_base = val; return;
        case SMMU_CMDQ_BASE: sd->cmdq_base = val; return;
        case SMMU_EVENTQ_BASE: sd->eventq_base = val; return;
        }
        return;
    }
    uint32_t v = (uint32_t)val;
    switch (off) {
    case SMMU_CR0:
        sd->cr0 = v;
        if (!sd->never_ack_cr0)
            sd->cr0ack = v;
        consume_cmdq(sd);
        return;
    case SMMU_CR1: sd->cr1 = v; return;
    case SMMU_CR2: sd->cr2 = v; return;
    case SMMU_GBPA:
        sd->gbpa = sd->gbpa_stuck ? (v | (uint32_t)GBPA_UPDATE) : (v & ~(uint32_t)GBPA_UPDATE);
        return;
    case SMMU_IRQ_CTRL: sd->irq_ctrl = sd->irq_ctrlack = v; return;
    case SMMU_GERRORN:
        sd->gerrorn = v;
        consume_cmdq(sd); /* 6.3.18: acknowledging CMDQ_ERR resumes the queue */
        return;
    case SMMU_STRTAB_BASE_CFG: sd->strtab_base_cfg = v; return;
    case SMMU_CMDQ_PROD: sd->cmdq_prod = v; consume_cmdq(sd); return;
    case SMMU_CMDQ_CONS: sd->cmdq_cons = v; return;
    case SMMU_EVENTQ_PROD: sd->eventq_prod = v; return;
    case SMMU_EVENTQ_CONS: sd->eventq_cons = v; return;
    }
}

void standin_init(struct standin *sd) { standin_init_at(sd, STANDIN_BASE); }

void standin_init_at(struct standin *sd, uintptr_t base)
{
    memset(sd, 0, sizeof(*sd));
    sd->base = base;
    /* QEMU 10 virt (shared/notes/qemu-virt-smmuv3.md). */
    sd->idr[0] = 0x0d44101b;
    sd->idr[1] = 0x02730010;
    sd->idr[3] = 0x1414;
    sd->idr[5] = 0x74;
    sd->aidr = 0x1;
    sd->gbpa = 0x1000;
    struct host_mmio_device dev = {
        .base = base, .size = SMMU_MMIO_SIZE, .ctx = sd, .read = sd_read, .write = sd_write,
    };
    host_mmio_register(&dev);
}

void standin_remove(struct standin *sd) { host_mmio_unregister(sd->base ? sd->base : STANDIN_BASE); }

bool standin_inject_event(struct standin *sd, const uint64_t raw[4])
{
    uint32_t mask = qmask(sd->eventq_base);
    uint32_t size = qsize(sd->eventq_base);
    uint32_t prod = sd->eventq_prod & mask, cons = sd->eventq_cons & mask;
    bool full = (prod & (size - 1)) == (cons & (size - 1)) && prod != cons;
    if (full || !(sd->cr0 & CR0_EVENTQEN)) {
        sd->events_dropped++;
        if (sd->eventq_overflow_gerror) {
            if (!((sd->gerror ^ sd->gerrorn) & GERROR_EVENTQ_ABT_ERR))
                sd->gerror ^= (uint32_t)GERROR_EVENTQ_ABT_ERR;
        } else if (!((sd->eventq_prod ^ sd->eventq_cons) & (uint32_t)Q_OVF)) {
            sd->eventq_prod ^= (uint32_t)Q_OVF; /* 7.4: OVFLG toggles once until acknowledged */
        }
        return false;
    }
    uint64_t *q = (uint64_t *)(uintptr_t)(sd->eventq_base & Q_BASE_ADDR);
    memcpy(q + (size_t)(prod & (size - 1)) * 4, raw, 32);
    sd->eventq_prod = (sd->eventq_prod & (uint32_t)Q_OVF) | ((prod + 1) & mask);
    return true;
}

int standin_fetch_ste(const struct standin *sd, uint32_t sid, uint64_t ste[8])
{
    unsigned log2size = (unsigned)FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, sd->strtab_base_cfg);
    unsigned split = (unsigned)FIELD_GET(STRTAB_BASE_CFG_SPLIT, sd->strtab_base_cfg);
    unsigned fmt = (unsigned)FIELD_GET(STRTAB_BASE_CFG_FMT, sd->strtab_base_cfg);
    uint64_t base = sd->strtab_base & STRTAB_BASE_ADDR;
    if (log2size < 32 && (sid >> log2size))
        return EVT_C_BAD_STREAMID;
    const uint64_t *p;
    if (fmt == STRTAB_FMT_LINEAR) {
        p = (const uint64_t *)(uintptr_t)base + (size_t)sid * 8;
    } else {
        uint64_t l1 = ((const uint64_t *)(uintptr_t)base)[sid >> split];
        unsigned span = (unsigned)FIELD_GET(L1STD_SPAN, l1);
        uint32_t idx = sid & ((1u << split) - 1);
        if (span == 0 || idx >= (1u << (span - 1)))
            return EVT_C_BAD_STREAMID;
        p = (const uint64_t *)(uintptr_t)(l1 & L1STD_L2PTR) + (size_t)idx * 8;
    }
    memcpy(ste, p, 64);
    return 0;
}

unsigned standin_count(const struct standin *sd, uint8_t opcode) { return sd->op_count[opcode]; }
