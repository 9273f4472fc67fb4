/* libFuzzer harness: the reference model's command-queue consumer (model/model_cmd.c) fed
 * arbitrary command words, interleaved with translations (so invalidations find cached
 * entries), queue-error recovery and register writes.
 *
 * Input: byte 0 configures the model (bit 0 check_res0, bit 1 IDR3.RIL, bit 2 IDR0.Hyp,
 * bit 3 IDR0.S1P, bit 4 IDR0.VMID16/ASID16 cleared, bit 5 2-level stream table); then
 * records of 17 bytes: a control byte and a 16-byte command. Control bits: 0-1 what to
 * do after writing the command (0 publish PROD, 1 keep it unpublished, 2 publish and
 * acknowledge any command error, 3 publish and skip a failed command by replacing it with
 * CMD_SYNC, then acknowledge); 2 translate a few streams first; 3 toggle
 * never_complete_sync; 4 toggle CR0.CMDQEN off and on around the publish.
 *
 * Checked after every record: the consumer never passes the producer; a stopped queue
 * has an error code (CERROR_ILL or CERROR_ABT) exactly when GERROR.CMDQ_ERR is active;
 * an enabled, error-free queue without a held-back CMD_SYNC is drained; a reserved or
 * Secure-only opcode (an independent table below, from IHI 0070 4.1.1) never completes;
 * and the counters add up. ASan/UBSan catch the rest. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plat/plat.h"
#include "smmu_model.h"

#define BASE 0x7c0000000000ULL
#define QLOG2 4 /* 16 commands */
#define CMDQ_PROD 0x98
#define CMDQ_CONS 0x9c
#define CR0 0x20
#define GERROR 0x60
#define GERRORN 0x64

static uint64_t cmdq[2 << QLOG2] __attribute__((aligned(4096)));
static uint64_t evq[4 * 32] __attribute__((aligned(4096)));
static uint64_t strtab[8 * 64] __attribute__((aligned(4096)));
static uint64_t l1[8] __attribute__((aligned(64)));
static uint64_t pt[3][512] __attribute__((aligned(4096)));
static uint8_t data[4096] __attribute__((aligned(4096)));

static void wr(uint64_t off, uint32_t v) { plat_mmio_write32(BASE + off, v); }
static uint32_t rd(uint64_t off) { return plat_mmio_read32(BASE + off); }

/* Opcodes the Non-secure queue may complete (4.1.1), for this model's IDRs. */
static bool opcode_may_complete(unsigned op, bool s1, bool hyp)
{
    switch (op) {
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x28: case 0x2a: case 0x30: case 0x46:
        return true;
    case 0x05: case 0x06: case 0x10: case 0x11: case 0x12: case 0x13:
        return s1;
    case 0x20: case 0x21: case 0x22: case 0x23:
        return s1 && hyp;
    default:
        return false; /* reserved, Secure-only, ATS/PRI/stall/MPAM/DPT (not advertised) */
    }
}

/* A small world for the consumer to invalidate: STE 0 abort, 1 bypass, 2 and 3 stage 2
 * over one table tree mapping two pages. */
static void build_tables(bool two_level)
{
    memset(strtab, 0, sizeof(strtab));
    memset(pt, 0, sizeof(pt));
    uint64_t *ste = strtab;
    ste[0] = 1;
    ste[8] = 1 | (4u << 1);
    for (int s = 2; s < 4; s++) {
        uint64_t *e = &ste[8 * s];
        e[2] = (uint64_t)(s + 1) | (25ULL << 32) | (1ULL << 38) | (5ULL << 48) | (1ULL << 51) | (1ULL << 58);
        e[3] = (uint64_t)(uintptr_t)pt[0];
        e[0] = 1 | (6u << 1);
    }
    pt[0][0] = (uint64_t)(uintptr_t)pt[1] | 3;
    pt[1][0] = (uint64_t)(uintptr_t)pt[2] | 3;
    pt[2][0] = (uint64_t)(uintptr_t)data | 3 | (3u << 6) | (0xfu << 2) | (1u << 10);
    pt[2][1] = (uint64_t)(uintptr_t)data | 3 | (1u << 6) | (0xfu << 2) | (1u << 10);
    memset(l1, 0, sizeof(l1));
    if (two_level)
        l1[0] = (uint64_t)(uintptr_t)strtab | 7; /* Span 7: 64 STEs */
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
    if (len < 1)
        return 0;
    uint8_t cfgb = in[0];
    struct model_config c;
    model_default_config(&c, BASE);
    c.idr[5] = (c.idr[5] & ~7u) | 5u;
    c.check_res0 = cfgb & 1;
    if (!(cfgb & 2))
        c.idr[3] &= ~(1u << 10);
    if (cfgb & 4)
        c.idr[0] |= 1u << 9;
    if (!(cfgb & 8))
        c.idr[0] &= ~2u;
    if (cfgb & 16)
        c.idr[0] &= ~((1u << 18) | (1u << 12));
    bool s1 = c.idr[0] & 2, hyp = c.idr[0] & (1u << 9), two = cfgb & 32;
    static struct smmu_model m;
    model_init(&m, &c);
    model_add_ram(&m, cmdq, sizeof(cmdq));
    model_add_ram(&m, evq, sizeof(evq));
    model_add_ram(&m, strtab, sizeof(strtab));
    model_add_ram(&m, l1, sizeof(l1));
    model_add_ram(&m, pt, sizeof(pt));
    model_add_ram(&m, data, sizeof(data));
    build_tables(two);
    memset(cmdq, 0, sizeof(cmdq));
    plat_mmio_write64(BASE + 0x80, (uint64_t)(uintptr_t)(two ? l1 : strtab));
    wr(0x88, two ? (6u | (1u << 16) | (6u << 6)) : 6u);
    plat_mmio_write64(BASE + 0x90, (uint64_t)(uintptr_t)cmdq | QLOG2);
    plat_mmio_write64(BASE + 0xa0, (uint64_t)(uintptr_t)evq | 5);
    wr(CR0, 1u | (1u << 2) | (1u << 3));

    uint32_t prod = 0, written = 0;
    const uint32_t wm = (2u << QLOG2) - 1, im = (1u << QLOG2) - 1;
    for (size_t at = 1; at + 17 <= len; at += 17) {
        uint8_t ctl = in[at];
        uint64_t w[2];
        memcpy(w, in + at + 1, 16);
        if (ctl & 4) {
            for (uint32_t sid = 0; sid < 4; sid++) {
                model_translate(&m, sid, 0x10, sid & 1, NULL);
                model_translate(&m, sid, 0x1010, true, NULL);
            }
        }
        if (ctl & 8)
            m.inject.never_complete_sync = !m.inject.never_complete_sync;
        /* Room in the queue? (the consumer may be stopped) */
        uint32_t cons = rd(CMDQ_CONS) & wm;
        if (((prod - cons) & wm) == (1u << QLOG2))
            break;
        cmdq[2 * (prod & im)] = w[0];
        cmdq[2 * (prod & im) + 1] = w[1];
        prod = (prod + 1) & wm;
        written++;
        unsigned action = ctl & 3;
        if (action == 1)
            continue;
        if (ctl & 16) {
            wr(CR0, 1u | (1u << 2));
            wr(CR0, 1u | (1u << 2) | (1u << 3));
        }
        wr(CMDQ_PROD, prod);
        uint32_t active = rd(GERROR) ^ rd(GERRORN);
        if ((active & 1) && action >= 2) {
            if (action == 3) {
                uint32_t bad = rd(CMDQ_CONS) & im;
                cmdq[2 * bad] = 0x46;
                cmdq[2 * bad + 1] = 0;
            }
            wr(GERRORN, rd(GERROR));
        }

        /* Invariants. */
        uint32_t cr = rd(CMDQ_CONS), cidx = cr & wm, err = (cr >> 24) & 0x7f;
        active = rd(GERROR) ^ rd(GERRORN);
        if (((prod - cidx) & wm) > (1u << QLOG2))
            abort(); /* consumed past the producer */
        if ((active & 1) && err != 1 && err != 2)
            abort(); /* a stopped queue without a reason */
        if (!(active & 1) && !m.inject.never_complete_sync && cidx != prod)
            abort(); /* an enabled, healthy queue is drained on a PROD write */
    }
    /* No reserved or Secure-only opcode ever completed. */
    for (unsigned op = 0; op < 256; op++)
        if (m.stats.cmd_op[op] && !opcode_may_complete(op, s1, hyp))
            abort();
    if (m.stats.cmds > written)
        abort();
    model_fini(&m);
    return 0;
}
