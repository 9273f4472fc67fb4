/* Unit tests of the SMMUv3 reference model against the architecture (IHI 0070 G.b):
 * one test per behaviour, each programming the model directly (model_raw.h), never
 * through the driver. Section numbers name what is being checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_raw.h"

static struct raw R;
static uint8_t *data_pages; /* 16 target pages in the arena */

static int setup_linear(void **state)
{
    (void)state;
    raw_setup(&R, NULL, 8, false, true);
    data_pages = raw_alloc(&R, 16 * 4096, 4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    raw_teardown(&R);
    return 0;
}

static uint64_t page(unsigned i) { return pa_of(data_pages) + 4096ULL * i; }
#define EVT_TYPE(rec) ((unsigned)((rec)[0] & 0xff))
#define EVT_SID(rec) ((uint32_t)((rec)[0] >> 32))
#define EVT_RNW(rec) (((rec)[1] >> 35) & 1)
#define EVT_S2(rec) (((rec)[1] >> 39) & 1)
#define EVT_CLASS(rec) (((rec)[1] >> 40) & 3)
#define EVT_IPA(rec) ((rec)[3] & 0x00fffffffffff000ULL)

static struct model_result xlate(uint32_t sid, uint64_t addr, bool write)
{
    struct model_txn t = { .sid = sid, .addr = addr, .write = write };
    struct model_result res;
    model_translate_ex(&R.m, &t, &res);
    return res;
}

/* ---- registers (6.3) ------------------------------------------------------------------- */

static void test_reset_and_registers(void **state)
{
    (void)state;
    struct raw *r = &R;
    raw_setup(r, NULL, 8, false, false);
    assert_int_equal(rr32(RR_IDR0), 0x0d44101b);
    assert_int_equal(rr32(RR_GBPA), 0x1000); /* QEMU: bypass at reset */
    /* 3.11 SMMUEN = 0: GBPA bypass, then abort after an Update. */
    struct model_result res = xlate(5, 0x1234, true);
    assert_true(res.allowed && res.bypassed && res.pa == 0x1234);
    rw32(RR_GBPA, (1u << 20));                  /* no Update: ignored, a violation */
    assert_int_equal(R.m.stats.violations, 1);
    rw32(RR_GBPA, (1u << 31) | (1u << 20));
    assert_int_equal(rr32(RR_GBPA), 1u << 20);  /* Update cleared: applied */
    assert_false(xlate(5, 0x1234, false).allowed);
    assert_int_equal(R.m.stats.events_written, 0); /* nothing recorded while disabled */
    /* 6.3.9 CR0/CR0ACK. */
    rw32(RR_CR0, 1u << 3);
    assert_int_equal(rr32(RR_CR0ACK), 1u << 3);
    /* Guarded registers ignore writes while their enable is set (6.3.26, 6.3.28). */
    uint64_t old = R.m.cmdq_base;
    rw64(RR_CMDQ_BASE, 0x1000);
    assert_int_equal(R.m.cmdq_base, old);
    rw32(RR_CMDQ_CONS, 5);
    assert_int_equal(rr32(RR_CMDQ_CONS), 0);
    assert_int_equal(R.m.stats.violations, 3);
    /* 6.2: EVENTQ_PROD/CONS live on page 1; the page-0 offsets are not the registers. */
    assert_int_equal(rr32(0xa8), 0);
    assert_int_equal(R.m.stats.violations, 4);
    /* IRQ_CTRL is acknowledged in IRQ_CTRLACK. */
    rw32(RR_IRQ_CTRL, 5);
    assert_int_equal(rr32(RR_IRQ_CTRLACK), 5);
    raw_teardown(r);
}

/* ---- commands (4, 7.1) ----------------------------------------------------------------- */

static void test_command_consumption_and_sync(void **state)
{
    (void)state;
    raw_cfgi_ste(&R, 3, true);
    raw_cmd(&R, OPC_TLBI_NSNH_ALL, 0);
    raw_cmd(&R, OPC_SYNC | (1u << 12), 0); /* CS = SIG_IRQ: wired interrupt (no MSI) */
    assert_int_equal(rr32(RR_CMDQ_CONS), R.cmd_prod);
    assert_int_equal(R.m.stats.cmds, 4);
    assert_int_equal(R.m.stats.syncs, 2);
    assert_int_equal(R.m.stats.irqs[MIRQ_CMD_SYNC], 1);
    assert_int_equal(model_gerror_active(&R.m), 0);
}

/* Each entry: a command that must raise CERROR_ILL on this (QEMU-like) SMMU. */
static const struct { uint64_t c0, c1; const char *why; } illegal_cmds[] = {
    { 0x00, 0, "reserved opcode 0x00" },
    { 0x09, 0, "reserved opcode 0x09" },
    { 0x18, 0, "TLBI_EL3_ALL: Secure queue only" },
    { 0x58, 0, "TLBI_S_S12_VMALL: Secure queue only" },
    { 0x85, 0, "IMPLEMENTATION DEFINED opcode" },
    { OPC_CFGI_STE | (1u << 10), 0, "SSec = 1 on the Non-secure queue (4.1.6)" },
    { OPC_TLBI_EL2_ALL, 0, "TLBI_EL2_ALL without IDR0.Hyp (4.4.2.7)" },
    { OPC_TLBI_S2_IPA, (1u << 10), "TG != 0 with NUM = SCALE = TTL = 0 (4.4.1.1)" },
    { OPC_TLBI_S2_IPA, (2u << 10) | (1u << 8), "TG = 16K with TTL = 1 and DS = 0" },
    { OPC_SYNC | (3u << 12), 0, "CMD_SYNC with CS = 0b11 (4.7.3)" },
    { 0x44, 0, "CMD_RESUME with STALL_MODEL = 0b01 (4.7.1)" },
    { 0x40, 0, "CMD_ATC_INV without ATS (4.5.1)" },
    { OPC_CFGI_STE, 2, "CFGI_STE with a RES0 bit set (4.1.5, check_res0)" },
    { OPC_TLBI_NSNH_ALL | (1ULL << 40), 0, "TLBI_NSNH_ALL with a RES0 bit set" },
};

static void test_illegal_commands(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(illegal_cmds) / sizeof(illegal_cmds[0]); i++) {
        uint32_t cons = rr32(RR_CMDQ_CONS) & 0xfffff;
        raw_cmd(&R, illegal_cmds[i].c0, illegal_cmds[i].c1);
        raw_cmd(&R, OPC_SYNC, 0); /* behind the bad one: must not run */
        uint32_t after = rr32(RR_CMDQ_CONS);
        if ((after & 0xfffff) != cons || ((after >> 24) & 0x7f) != MCERROR_ILL)
            fail_msg("not CERROR_ILL: %s", illegal_cmds[i].why);
        assert_int_equal(model_gerror_active(&R.m), 1); /* CMDQ_ERR */
        /* Nothing runs while the error is active, even on a new PROD write. */
        raw_cmd(&R, OPC_SYNC, 0);
        assert_int_equal(rr32(RR_CMDQ_CONS) & 0xfffff, cons);
        /* 7.1: fix the command (a CMD_SYNC), acknowledge, and the queue resumes. */
        uint32_t idx = cons & ((1u << R.cmdq_log2) - 1);
        R.cmdq[2 * idx] = OPC_SYNC;
        R.cmdq[2 * idx + 1] = 0;
        rw32(RR_GERRORN, rr32(RR_GERROR));
        assert_int_equal(model_gerror_active(&R.m), 0);
        assert_int_equal(rr32(RR_CMDQ_CONS) & 0xfffff, R.cmd_prod);
    }
    assert_int_equal(R.m.stats.cmd_errors, sizeof(illegal_cmds) / sizeof(illegal_cmds[0]));
    /* Toggling GERRORN of an inactive error is refused (6.3.20). */
    rw32(RR_GERRORN, rr32(RR_GERRORN) ^ 4);
    assert_int_equal(model_gerror_active(&R.m), 0);
    assert_true(R.m.stats.violations > 0);
}

static void test_cmdq_fetch_abort(void **state)
{
    (void)state;
    /* 7.1 CERROR_ABT: the queue entry cannot be read (outside RAM, or an abort range). */
    R.m.inject.abort_lo = pa_of(R.cmdq);
    R.m.inject.abort_hi = pa_of(R.cmdq) + 4096;
    raw_sync(&R);
    assert_int_equal((rr32(RR_CMDQ_CONS) >> 24) & 0x7f, MCERROR_ABT);
    R.m.inject.abort_hi = 0;
    rw32(RR_GERRORN, rr32(RR_GERROR)); /* re-fetched after the ack (7.1) */
    assert_int_equal(rr32(RR_CMDQ_CONS) & 0xfffff, R.cmd_prod);
}

/* ---- stream table (3.3, 5.1, 5.2) --------------------------------------------------------- */

static void test_stream_table_linear(void **state)
{
    (void)state;
    uint64_t rec[4];
    /* Out of range: C_BAD_STREAMID, recorded because CR2.RECINVSID = 1. */
    struct model_result res = xlate(256, 0, false);
    assert_false(res.allowed);
    assert_int_equal(res.event, MEV_C_BAD_STREAMID);
    assert_true(raw_event(&R, rec));
    assert_int_equal(EVT_TYPE(rec), MEV_C_BAD_STREAMID);
    assert_int_equal(EVT_SID(rec), 256);
    /* V = 0: C_BAD_STE. */
    res = xlate(1, 0, false);
    assert_int_equal(res.event, MEV_C_BAD_STE);
    assert_true(raw_event(&R, rec) && EVT_TYPE(rec) == MEV_C_BAD_STE);
    /* V = 1, Config = abort: terminated silently (7.3.7). */
    raw_ste_abort(&R, 2);
    res = xlate(2, 0, false);
    assert_false(res.allowed);
    assert_int_equal(res.event, MEV_NONE);
    assert_false(raw_event(&R, rec));
    /* Bypass. */
    raw_ste_bypass(&R, 3);
    res = xlate(3, 0xabc000, true);
    assert_true(res.allowed && res.bypassed && res.pa == 0xabc000);
    /* A SubstreamID without stage 1: C_BAD_SUBSTREAMID (7.3.9). */
    struct model_txn t = { .sid = 3, .ssv = true, .ssid = 1 };
    model_translate_ex(&R.m, &t, &res);
    assert_int_equal(res.event, MEV_C_BAD_SUBSTREAMID);
    /* CR2.RECINVSID = 0: out-of-range StreamIDs are not recorded. */
    rw32(RR_CR0, (1u << 3) | (1u << 2));
    rw32(RR_CR2, 0);
    rw32(RR_CR0, (1u << 3) | (1u << 2) | 1u);
    unsigned before = raw_events_pending(&R);
    res = xlate(300, 0, false);
    assert_int_equal(res.event, MEV_C_BAD_STREAMID);
    assert_false(res.recorded);
    assert_int_equal(raw_events_pending(&R), before);
}

static void test_stream_table_2level_and_l1_cache(void **state)
{
    (void)state;
    raw_setup(&R, NULL, 12, true, true);
    uint64_t rec[4];
    /* L1STD Span = 0: C_BAD_STREAMID (5.1); and that invalid L1STD is now cached. */
    assert_int_equal(xlate(0x45, 0, false).event, MEV_C_BAD_STREAMID);
    raw_ste_bypass(&R, 0x45); /* allocates the group's L2 and makes the L1STD valid */
    assert_int_equal(xlate(0x45, 0, false).event, MEV_C_BAD_STREAMID);
    raw_cfgi_ste(&R, 0x45, true); /* Leaf = 1 keeps the L1STD (4.3.1) */
    assert_int_equal(xlate(0x45, 0, false).event, MEV_C_BAD_STREAMID);
    raw_cfgi_ste(&R, 0x45, false); /* Leaf = 0 drops it */
    assert_true(xlate(0x45, 0x1000, false).allowed);
    /* Span smaller than the group: indices beyond 2^(Span-1) are bad StreamIDs (trap D4). */
    R.l1[0x46 >> 6] = (R.l1[0x46 >> 6] & ~0x1fULL) | 2; /* 2 STEs */
    raw_cfgi_ste(&R, 0x46, false);
    assert_int_equal(xlate(0x46, 0, false).event, MEV_C_BAD_STREAMID);
    struct model_result in_span = xlate(0x41, 0, false); /* index 1 < 2: an abort STE */
    assert_false(in_span.allowed);
    assert_int_equal(in_span.event, MEV_NONE);
    /* SID 0x45's STE is still cached: the new Span matters only once it is invalidated. */
    assert_true(xlate(0x45, 0, false).allowed);
    raw_cfgi_ste(&R, 0x45, true);
    assert_int_equal(xlate(0x45, 0, false).event, MEV_C_BAD_STREAMID);
    /* The L1STD read aborts: F_STE_FETCH with the descriptor's address. */
    R.m.inject.abort_lo = pa_of(&R.l1[3]);
    R.m.inject.abort_hi = pa_of(&R.l1[4]);
    struct model_result res = xlate(3 << 6, 0, false);
    assert_int_equal(res.event, MEV_F_STE_FETCH);
    assert_int_equal(res.ipa, pa_of(&R.l1[3]));
    while (raw_event(&R, rec))
        if (EVT_TYPE(rec) == MEV_F_STE_FETCH)
            assert_int_equal(rec[3], pa_of(&R.l1[3]));
    raw_teardown(&R);
}

/* ---- configuration cache (3.21.3, 4.3) ------------------------------------------------ */

static void test_ste_cached_until_cfgi_and_sync(void **state)
{
    (void)state;
    raw_ste_abort(&R, 7);
    assert_false(xlate(7, 0, false).allowed);    /* fetched and cached */
    raw_ste_bypass(&R, 7);                        /* memory changes, no invalidation */
    struct model_result res = xlate(7, 0, false);
    assert_false(res.allowed);
    assert_true(res.cfg_hit);
    raw_cmd(&R, OPC_CFGI_STE | (7ULL << 32), 1); /* consumed, not yet synchronised */
    assert_false(xlate(7, 0, false).allowed);
    raw_sync(&R);                                  /* 4.3.8: complete at CMD_SYNC */
    assert_true(xlate(7, 0, false).allowed);
    /* A range invalidation covers an aligned block of 2^(Range+1) StreamIDs (4.3.2). */
    raw_ste_abort(&R, 8);
    raw_ste_abort(&R, 11);
    xlate(8, 0, false);
    xlate(11, 0, false);
    raw_ste_bypass(&R, 8);
    raw_ste_bypass(&R, 11);
    raw_cmd(&R, OPC_CFGI_STE_RANGE | (9ULL << 32), 1); /* SIDs 8..11 */
    raw_sync(&R);
    assert_true(xlate(8, 0, false).allowed);
    assert_true(xlate(11, 0, false).allowed);
    /* CMD_PREFETCH_CONFIG caches the STE as it is now (4.2.1). */
    raw_ste_abort(&R, 12);
    raw_cmd(&R, OPC_PREFETCH_CONFIG | (12ULL << 32), 0);
    raw_ste_bypass(&R, 12);
    assert_false(xlate(12, 0, false).allowed);
    raw_cfgi_all(&R);
    assert_true(xlate(12, 0, false).allowed);
}

/* ---- stage 2 (5.2, D8) -------------------------------------------------------------- */

static void test_stage2_translation_and_faults(void **state)
{
    (void)state;
    uint64_t rec[4];
    uint64_t *root = raw_table(&R);
    raw_map(&R, root, 0x10000000, page(0), S2_RW, false);
    raw_map(&R, root, 0x10001000, page(1), S2_RO, false);
    raw_map(&R, root, 0x10002000, page(2), S2_RW & ~(1ULL << 10), false); /* AF = 0 */
    raw_map(&R, root, 0x10003000, 1ULL << 47, S2_RW, false);               /* beyond S2PS? no: 48 bits */
    raw_map(&R, root, 0x10004000, 1ULL << 48, S2_RW, false);               /* beyond 48 bits */
    raw_ste_s2(&R, 9, 5, pa_of(root));
    struct model_result res = xlate(9, 0x10000123, true);
    assert_true(res.allowed);
    assert_int_equal(res.pa, page(0) + 0x123);
    /* Unmapped: F_TRANSLATION, S2 = 1, CLASS = IN, IPA = the address, RnW = 1 (7.3.13). */
    res = xlate(9, 0x20000000, false);
    assert_int_equal(res.event, MEV_F_TRANSLATION);
    assert_true(res.recorded);
    assert_true(raw_event(&R, rec));
    assert_int_equal(EVT_TYPE(rec), MEV_F_TRANSLATION);
    assert_int_equal(EVT_SID(rec), 9);
    assert_int_equal(EVT_RNW(rec), 1);
    assert_int_equal(EVT_S2(rec), 1);
    assert_int_equal(EVT_CLASS(rec), 2);
    assert_int_equal(rec[2], 0x20000000);
    assert_int_equal(EVT_IPA(rec), 0x20000000);
    /* Read-only: reads pass, writes F_PERMISSION with RnW = 0. */
    assert_true(xlate(9, 0x10001000, false).allowed);
    res = xlate(9, 0x10001008, true);
    assert_int_equal(res.event, MEV_F_PERMISSION);
    assert_true(raw_event(&R, rec));
    assert_int_equal(EVT_RNW(rec), 0);
    assert_int_equal(rec[2], 0x10001008);
    /* Access flag clear: F_ACCESS, unless S2AFFD. */
    assert_int_equal(xlate(9, 0x10002000, false).event, MEV_F_ACCESS);
    /* Output address beyond the 48-bit output size: F_ADDR_SIZE. */
    assert_int_equal(xlate(9, 0x10004000, false).event, MEV_F_ADDR_SIZE);
    /* Outside the 39-bit IPA range: F_TRANSLATION. */
    assert_int_equal(xlate(9, 1ULL << 39, false).event, MEV_F_TRANSLATION);
    while (raw_event(&R, rec))
        ;
    /* S2R = 0: faults are not recorded (5.2 S2R). */
    raw_ste(&R, 9)[2] &= ~(1ULL << 58);
    raw_ste(&R, 9)[2] |= 1ULL << 53; /* S2AFFD */
    raw_cfgi_ste(&R, 9, true);
    res = xlate(9, 0x20000000, false);
    assert_int_equal(res.event, MEV_F_TRANSLATION);
    assert_false(res.recorded);
    assert_false(raw_event(&R, rec));
    assert_true(xlate(9, 0x10002000, false).allowed); /* S2AFFD: no Access flag fault */
    /* An illegal STE: S2T0SZ below the minimum for the IAS (5.2.2). */
    raw_ste(&R, 9)[2] = (raw_ste(&R, 9)[2] & ~(0x3fULL << 32)) | (10ULL << 32);
    raw_cfgi_ste(&R, 9, true);
    assert_int_equal(xlate(9, 0x10000000, false).event, MEV_C_BAD_STE);
    /* The walk aborts: F_WALK_EABT with the descriptor's address. */
    raw_ste_s2(&R, 10, 6, pa_of(root));
    R.m.inject.abort_lo = pa_of(root);
    R.m.inject.abort_hi = pa_of(root) + 4096;
    res = xlate(10, 0x10000000, false);
    assert_int_equal(res.event, MEV_F_WALK_EABT);
    assert_int_equal(res.ipa, pa_of(&root[0]));
    R.m.inject.abort_hi = 0;
}

/* ---- TLB (3.17, 4.4) ---------------------------------------------------------------- */

static void test_stale_tlb_survives_until_the_right_tlbi(void **state)
{
    (void)state;
    uint64_t *root = raw_table(&R);
    const uint64_t ipa = 0x10200000;
    raw_map(&R, root, ipa, page(0), S2_RW, false);
    raw_ste_s2(&R, 4, 7, pa_of(root));
    assert_int_equal(xlate(4, ipa, false).pa, page(0));
    /* Software repoints the page. Nothing it can do short of the right TLBI helps. */
    *raw_leaf(&R, root, ipa, false) = page(1) | S2_RW | 3;
    assert_int_equal(xlate(4, ipa, false).pa, page(0));
    raw_cfgi_ste(&R, 4, false);                    /* CFGI: configuration only (4.3.1) */
    assert_int_equal(xlate(4, ipa, false).pa, page(0));
    raw_cmd(&R, OPC_TLBI_S2_IPA | (7ULL << 32), ipa); /* consumed, no CMD_SYNC yet */
    assert_int_equal(xlate(4, ipa, false).pa, page(0));
    raw_sync(&R);
    assert_int_equal(xlate(4, ipa, false).pa, page(1));

    /* Another VMID, another address, another stage: no effect. */
    *raw_leaf(&R, root, ipa, false) = page(2) | S2_RW | 3;
    raw_tlbi_s2_ipa(&R, 8, ipa, true);
    raw_tlbi_s2_ipa(&R, 7, ipa + 0x1000, true);
    raw_cmd(&R, OPC_TLBI_NH_ALL | (7ULL << 32), 0); /* stage 1 only */
    raw_sync(&R);
    assert_int_equal(xlate(4, ipa, false).pa, page(1));
    /* Range form (4.4.1.1): TG = 4K, TTL = 2 (a block level) does not remove a level-3 leaf;
     * TG = 64K is another granule; TTL = 3 covering the page does. */
    raw_cmd(&R, OPC_TLBI_S2_IPA | (7ULL << 32) | (1u << 12), (ipa - 0x1000) | (1u << 10) | (2u << 8) | 1);
    raw_cmd(&R, OPC_TLBI_S2_IPA | (7ULL << 32) | (1u << 12), (ipa - 0x1000) | (3u << 10) | (3u << 8) | 1);
    raw_sync(&R);
    assert_int_equal(xlate(4, ipa, false).pa, page(1));
    raw_cmd(&R, OPC_TLBI_S2_IPA | (7ULL << 32) | (1u << 12), (ipa - 0x1000) | (1u << 10) | (3u << 8) | 1);
    raw_sync(&R);
    assert_int_equal(xlate(4, ipa, false).pa, page(2)); /* NUM = 1: two pages from ipa - 4K */
    /* TLBI_S12_VMALL and TLBI_NSNH_ALL. */
    *raw_leaf(&R, root, ipa, false) = page(3) | S2_RW | 3;
    raw_cmd(&R, OPC_TLBI_S12_VMALL | (7ULL << 32), 0);
    raw_sync(&R);
    assert_int_equal(xlate(4, ipa, false).pa, page(3));
    *raw_leaf(&R, root, ipa, false) = page(4) | S2_RW | 3;
    raw_cmd(&R, OPC_TLBI_NSNH_ALL, 0);
    raw_sync(&R);
    assert_int_equal(xlate(4, ipa, false).pa, page(4));
    /* A cached entry is checked against the access: a cached read-only page faults on a
     * write with F_PERMISSION recorded (QEMU 10.0 loses this event; trap in the notes). */
    *raw_leaf(&R, root, ipa, false) = page(4) | S2_RO | 3;
    raw_tlbi_s2_ipa(&R, 7, ipa, true);
    assert_true(xlate(4, ipa, false).allowed);
    struct model_result res = xlate(4, ipa, true);
    assert_true(res.tlb_hit);
    assert_int_equal(res.event, MEV_F_PERMISSION);
    assert_true(res.recorded);
}

static void test_walk_cache_and_leaf(void **state)
{
    (void)state;
    uint64_t *root = raw_table(&R);
    const uint64_t ipa = 0x10400000; /* its own level-3 table */
    raw_map(&R, root, ipa, page(5), S2_RW, false);
    raw_ste_s2(&R, 6, 9, pa_of(root));
    assert_int_equal(xlate(6, ipa, false).pa, page(5));
    /* Replace the level-3 table (a table descriptor at level 2) by another one mapping a
     * different page. TLBI with Leaf = 1 removes the leaf but keeps the walk-cache entry
     * that points at the old table: the old table is still walked. */
    uint64_t *l2 = (uint64_t *)(uintptr_t)(root[(ipa >> 30) & 511] & 0xfffffffff000ULL);
    uint64_t *old_l3 = (uint64_t *)(uintptr_t)(l2[(ipa >> 21) & 511] & 0xfffffffff000ULL);
    uint64_t *new_l3 = raw_table(&R);
    new_l3[(ipa >> 12) & 511] = page(6) | S2_RW | 3;
    l2[(ipa >> 21) & 511] = pa_of(new_l3) | 3;
    old_l3[(ipa >> 12) & 511] = page(7) | S2_RW | 3; /* the freed table gets reused */
    raw_tlbi_s2_ipa(&R, 9, ipa, true);
    assert_int_equal(xlate(6, ipa, false).pa, page(7)); /* stale walk through the old table */
    raw_tlbi_s2_ipa(&R, 9, ipa, false);               /* Leaf = 0: walk caches too */
    assert_int_equal(xlate(6, ipa, false).pa, page(6));
    assert_true(R.m.stats.walk_hits > 0);
}

/* ---- stage 1 (5.4, 3.17) ---------------------------------------------------------------- */

static void test_stage1_cd_asid_and_tlbi(void **state)
{
    (void)state;
    uint64_t rec[4];
    uint64_t *ttb = raw_table(&R);
    uint64_t *cd = raw_alloc(&R, 64, 64);
    const uint64_t va = 0x20000000, gva = 0x20001000;
    raw_map(&R, ttb, va, page(0), S1_RW_EL0, false);
    raw_map(&R, ttb, gva, page(1), S1_RW_EL0 & ~(1ULL << 11), false); /* global */
    raw_map(&R, ttb, va + 0x2000, page(2), S1_RO_EL0, false);
    raw_cd(cd, pa_of(ttb), 0x42);
    raw_ste_s1(&R, 20, 3, pa_of(cd));
    assert_int_equal(xlate(20, va, true).pa, page(0));
    assert_int_equal(xlate(20, gva, true).pa, page(1));
    /* AP[2] = 1: read-only (stage-1 permission fault, S2 = 0). */
    assert_true(xlate(20, va + 0x2000, false).allowed);
    struct model_result res = xlate(20, va + 0x2000, true);
    assert_int_equal(res.event, MEV_F_PERMISSION);
    assert_false(res.s2);
    assert_true(raw_event(&R, rec) && EVT_S2(rec) == 0);
    /* TLBI_NH_ASID removes non-global entries of (VMID, ASID), not global ones. */
    *raw_leaf(&R, ttb, va, false) = page(3) | S1_RW_EL0 | 3;
    *raw_leaf(&R, ttb, gva, false) = page(4) | (S1_RW_EL0 & ~(1ULL << 11)) | 3;
    raw_cmd(&R, OPC_TLBI_NH_ASID | (3ULL << 32) | (0x42ULL << 48), 0);
    raw_sync(&R);
    assert_int_equal(xlate(20, va, false).pa, page(3));
    assert_int_equal(xlate(20, gva, false).pa, page(1));
    /* TLBI_NH_VAA (every ASID, that VA) removes the global one. */
    raw_cmd(&R, OPC_TLBI_NH_VAA | (3ULL << 32), gva);
    raw_sync(&R);
    assert_int_equal(xlate(20, gva, false).pa, page(4));
    /* TLBI_S2_IPA does not touch stage-1 entries. */
    *raw_leaf(&R, ttb, va, false) = page(5) | S1_RW_EL0 | 3;
    raw_tlbi_s2_ipa(&R, 3, va, false);
    assert_int_equal(xlate(20, va, false).pa, page(3));
    raw_cmd(&R, OPC_TLBI_NH_VA | (3ULL << 32) | (0x42ULL << 48), va | 1);
    raw_sync(&R);
    assert_int_equal(xlate(20, va, false).pa, page(5));
    /* The CD is cached: a new ASID/TTB needs CMD_CFGI_CD (4.3.3). */
    uint64_t *ttb2 = raw_table(&R);
    raw_map(&R, ttb2, va, page(6), S1_RW_EL0, false);
    raw_cd(cd, pa_of(ttb2), 0x43);
    assert_int_equal(xlate(20, va, false).pa, page(5));
    raw_cmd(&R, OPC_CFGI_CD | (20ULL << 32), 1);
    raw_sync(&R);
    assert_int_equal(xlate(20, va, false).pa, page(6));
    /* CD.V = 0: C_BAD_CD. CD.R = 0: stage-1 faults are not recorded. EPD0: F_TRANSLATION. */
    cd[0] &= ~(1ULL << 31);
    raw_cmd(&R, OPC_CFGI_CD_ALL | (20ULL << 32), 0);
    raw_sync(&R);
    assert_int_equal(xlate(20, va, false).event, MEV_C_BAD_CD);
    cd[0] |= (1ULL << 31);
    cd[0] &= ~(1ULL << 45);
    raw_cfgi_ste(&R, 20, true); /* CFGI_STE also drops the CDs found through it */
    while (raw_event(&R, rec))
        ;
    res = xlate(20, 0x30000000, false);
    assert_int_equal(res.event, MEV_F_TRANSLATION);
    assert_false(res.recorded);
    cd[0] |= (1ULL << 14) | (1ULL << 45); /* EPD0, R */
    raw_cfgi_ste(&R, 20, true);
    assert_int_equal(xlate(20, va + 0x5000, false).event, MEV_F_TRANSLATION);
    /* Unprivileged access to a privileged-only page (AP[1] = 0). */
    cd[0] &= ~(1ULL << 14);
    raw_map(&R, ttb2, va + 0x7000, page(7), (S1_RW_EL0 & ~(1ULL << 6)), false);
    raw_cfgi_ste(&R, 20, true);
    assert_int_equal(xlate(20, va + 0x7000, false).event, MEV_F_PERMISSION);
    struct model_txn priv = { .sid = 20, .addr = va + 0x7000, .priv = true };
    assert_true(model_translate_ex(&R.m, &priv, &res));
}

/* ---- nested (3.3.4, 7.3.22) -------------------------------------------------------------- */

static void test_nested_translation(void **state)
{
    (void)state;
    uint64_t rec[4];
    /* Stage 2: the arena at RAW_IPA_ALIAS (2 MiB blocks) and one data page elsewhere. */
    uint64_t *s2 = raw_table(&R);
    for (uint64_t off = 0; off < RAW_ARENA_BYTES; off += 2u << 20)
        raw_map_block2m(&R, s2, RAW_IPA_ALIAS + off, pa_of(R.arena) + off, S2_RW, false);
    const uint64_t data_ipa = 0x7000000;
    raw_map(&R, s2, data_ipa, page(8), S2_RW, false);
    raw_map(&R, s2, data_ipa + 0x1000, page(9), S2_RO, false);
    /* Stage 1 in "guest memory": tables hold IPAs. */
    uint64_t *ttb = raw_table(&R);
    uint64_t *cd = raw_alloc(&R, 64, 64);
    const uint64_t va = 0x1000000;
    raw_map(&R, ttb, va, data_ipa, S1_RW_EL0, true);
    raw_map(&R, ttb, va + 0x1000, data_ipa + 0x1000, S1_RW_EL0, true);
    raw_map(&R, ttb, va + 0x2000, 0x9000000, S1_RW_EL0, true); /* IPA not mapped at stage 2 */
    raw_cd(cd, raw_table_addr(&R, ttb, true), 7);
    raw_ste_nested(&R, 30, 11, raw_table_addr(&R, cd, true), pa_of(s2));
    struct model_result res = xlate(30, va + 0x10, true);
    assert_true(res.allowed);
    assert_int_equal(res.pa, page(8) + 0x10);
    /* Stage-2 permission on the final IPA: S2 = 1, CLASS = IN, IPA reported. */
    res = xlate(30, va + 0x1000, true);
    assert_int_equal(res.event, MEV_F_PERMISSION);
    assert_true(raw_event(&R, rec));
    assert_int_equal(EVT_S2(rec), 1);
    assert_int_equal(EVT_CLASS(rec), 2);
    assert_int_equal(EVT_IPA(rec), data_ipa + 0x1000);
    assert_int_equal(rec[2], va + 0x1000);
    res = xlate(30, va + 0x2000, false);
    assert_int_equal(res.event, MEV_F_TRANSLATION);
    assert_true(res.s2);
    /* Combined entries: TLBI_S2_IPA is not required to remove them (4.4.3.1). */
    *raw_leaf(&R, s2, data_ipa, false) = page(10) | S2_RW | 3;
    raw_tlbi_s2_ipa(&R, 11, data_ipa, true);
    assert_int_equal(xlate(30, va, false).pa, page(8));
    raw_cmd(&R, OPC_TLBI_NH_VAA | (11ULL << 32), va);
    raw_sync(&R);
    assert_int_equal(xlate(30, va, false).pa, page(10));
    /* A CD whose IPA stage 2 does not map: stage-2 fault with CLASS = CD, IPA = the CD's. */
    raw_ste_nested(&R, 31, 11, 0x3000000, pa_of(s2));
    res = xlate(31, va, false);
    assert_int_equal(res.event, MEV_F_TRANSLATION);
    assert_true(res.s2);
    assert_int_equal(res.class_, 0);
    assert_int_equal(res.ipa, 0x3000000);
    /* A stage-1 table pointer to an unmapped IPA: stage-2 fault with CLASS = TT. */
    uint64_t *cd2 = raw_alloc(&R, 64, 64);
    raw_cd(cd2, 0x5000000, 8);
    raw_ste_nested(&R, 32, 12, raw_table_addr(&R, cd2, true), pa_of(s2));
    res = xlate(32, va, false);
    assert_int_equal(res.event, MEV_F_TRANSLATION);
    assert_true(res.s2);
    assert_int_equal(res.class_, 1);
    assert_int_equal(res.ipa, 0x5000000 + 8 * ((va >> 30) & 511));
}

/* ---- event queue (7.2, 7.4) ---------------------------------------------------------------- */

static void test_eventq_overflow(void **state)
{
    (void)state;
    uint64_t rec[4];
    unsigned size = 1u << R.evq_log2;
    for (unsigned i = 0; i < size + 10; i++)
        xlate(400 + i, 0, false); /* C_BAD_STREAMID each */
    assert_int_equal(R.m.stats.events_written, size);
    assert_int_equal(R.m.stats.events_dropped, 10);
    uint32_t prod = rr32(RR_EVENTQ_PROD), cons = rr32(RR_EVENTQ_CONS);
    assert_true((prod ^ cons) & (1u << 31)); /* OVFLG != OVACKFLG: overflow (7.4) */
    /* Records are intact and in order; overflow is acknowledged by copying OVFLG. */
    for (unsigned i = 0; i < size; i++) {
        assert_true(raw_event(&R, rec));
        assert_int_equal(EVT_SID(rec), 400 + i);
    }
    rw32(RR_EVENTQ_CONS, R.ev_cons | (prod & (1u << 31)));
    assert_false((rr32(RR_EVENTQ_PROD) ^ rr32(RR_EVENTQ_CONS)) & (1u << 31));
    /* EVENTQEN = 0: discarded without overflow. */
    rw32(RR_CR0, (1u << 3) | 1u);
    xlate(999, 0, false);
    assert_int_equal(R.m.stats.events_discarded, 1);
    assert_false((rr32(RR_EVENTQ_PROD) ^ rr32(RR_EVENTQ_CONS)) & (1u << 31));
    raw_teardown(&R);

    /* QEMU's behaviour on request: GERROR.EVENTQ_ABT_ERR, then nothing is written until acked. */
    struct model_config c;
    model_default_config(&c, RAW_BASE);
    c.idr[5] = (c.idr[5] & ~7u) | 5u;
    c.qemu_eventq_overflow = true;
    raw_setup(&R, &c, 8, false, true);
    for (unsigned i = 0; i < size + 3; i++)
        xlate(400 + i, 0, false);
    assert_int_equal(model_gerror_active(&R.m), 1u << 2);
    assert_int_equal(R.m.stats.events_dropped + R.m.stats.events_discarded, 3);
}

/* ---- fault injection knobs ------------------------------------------------------------- */

static void test_injection_knobs(void **state)
{
    (void)state;
    R.m.inject.never_complete_sync = true;
    uint32_t cons = rr32(RR_CMDQ_CONS);
    raw_cmd(&R, OPC_TLBI_NSNH_ALL, 0);
    raw_sync(&R);
    assert_int_equal(rr32(RR_CMDQ_CONS), cons + 1); /* stuck at the CMD_SYNC */
    R.m.inject.never_complete_sync = false;
    model_kick(&R.m);
    assert_int_equal(rr32(RR_CMDQ_CONS), cons + 2);

    R.m.inject.never_ack_cr0 = true;
    rw32(RR_CR0, (1u << 3) | (1u << 2));
    assert_int_equal(rr32(RR_CR0ACK), (1u << 3) | (1u << 2) | 1u);
    assert_true(xlate(1, 0, false).event == MEV_C_BAD_STE); /* SMMUEN still in effect */
    R.m.inject.never_ack_cr0 = false;

    R.m.inject.fail_cmd_in = 1;
    R.m.inject.fail_cmd_code = MCERROR_ILL;
    R.m.inject.fail_cmd_corrupt = true;
    raw_cmd(&R, OPC_TLBI_NSNH_ALL, 0);
    raw_sync(&R); /* this one fails, and stays bad: opcode overwritten */
    uint32_t c = rr32(RR_CMDQ_CONS);
    assert_int_equal((c >> 24) & 0x7f, MCERROR_ILL);
    assert_int_equal(R.cmdq[2 * ((c & 0xfffff) & 0xff)] & 0xff, 0);
    rw32(RR_GERRORN, rr32(RR_GERROR));
    assert_int_equal(model_gerror_active(&R.m), 1); /* re-fetched: still illegal */

    R.m.inject.eventq_write_abort = true;
    struct model_result res = xlate(500, 0, false);
    assert_false(res.recorded);
    assert_true(model_gerror_active(&R.m) & (1u << 2));
}

/* 3.11: caches may hold anything at reset; software must invalidate before SMMUEN. */
static void test_dirty_reset(void **state)
{
    (void)state;
    struct model_config c;
    model_default_config(&c, RAW_BASE);
    c.idr[5] = (c.idr[5] & ~7u) | 5u;
    c.dirty_reset = true;
    raw_setup(&R, &c, 8, false, true);
    raw_ste_abort(&R, 3);
    assert_true(xlate(3, 0x5000, true).allowed); /* a junk bypass STE */
    raw_cfgi_all(&R);
    assert_false(xlate(3, 0x5000, true).allowed);
    assert_true(model_tlb_count(&R.m) > 0);
    raw_cmd(&R, OPC_TLBI_NSNH_ALL, 0);
    raw_sync(&R);
    assert_int_equal(model_tlb_count(&R.m), 0);
    raw_teardown(&R);
}

/* Substreams: a CD table indexed by SubstreamID, S1DSS for traffic without one. */
static void test_substreams(void **state)
{
    (void)state;
    struct model_config c;
    model_default_config(&c, RAW_BASE);
    c.idr[5] = (c.idr[5] & ~7u) | 5u;
    c.idr[1] = (c.idr[1] & ~(0x1fu << 6)) | (4u << 6); /* SSIDSIZE 4 */
    raw_setup(&R, &c, 8, false, true);
    data_pages = raw_alloc(&R, 16 * 4096, 4096);
    uint64_t *cds = raw_alloc(&R, 4 * 64, 256);
    uint64_t *ttb0 = raw_table(&R), *ttb1 = raw_table(&R);
    raw_map(&R, ttb0, 0x1000, page(0), S1_RW_EL0, false);
    raw_map(&R, ttb1, 0x1000, page(1), S1_RW_EL0, false);
    raw_cd(&cds[0], pa_of(ttb0), 1);
    raw_cd(&cds[8], pa_of(ttb1), 2);
    raw_ste_s1(&R, 40, 1, pa_of(cds));
    raw_ste(&R, 40)[0] |= 2ULL << 59; /* S1CDMax = 2: four CDs */
    raw_ste(&R, 40)[1] |= 2;          /* S1DSS = 10: no-SSID traffic uses CD 0 */
    struct model_txn t = { .sid = 40, .addr = 0x1000, .ssv = true, .ssid = 1 };
    struct model_result res;
    assert_true(model_translate_ex(&R.m, &t, &res));
    assert_int_equal(res.pa, page(1));
    assert_int_equal(xlate(40, 0x1000, false).pa, page(0));
    t.ssid = 0; /* S1DSS = 10 makes SubstreamID 0 illegal */
    model_translate_ex(&R.m, &t, &res);
    assert_int_equal(res.event, MEV_C_BAD_SUBSTREAMID);
    t.ssid = 4; /* beyond 2^S1CDMax */
    model_translate_ex(&R.m, &t, &res);
    assert_int_equal(res.event, MEV_C_BAD_SUBSTREAMID);
    raw_ste(&R, 40)[1] &= ~3ULL; /* S1DSS = 00: no-SSID traffic terminates */
    raw_cfgi_ste(&R, 40, true);
    assert_int_equal(xlate(40, 0x1000, false).event, MEV_F_STREAM_DISABLED);
    raw_teardown(&R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_and_registers),
        cmocka_unit_test_setup_teardown(test_command_consumption_and_sync, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_illegal_commands, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_cmdq_fetch_abort, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_stream_table_linear, setup_linear, teardown),
        cmocka_unit_test(test_stream_table_2level_and_l1_cache),
        cmocka_unit_test_setup_teardown(test_ste_cached_until_cfgi_and_sync, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_stage2_translation_and_faults, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_stale_tlb_survives_until_the_right_tlbi, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_walk_cache_and_leaf, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_stage1_cd_asid_and_tlbi, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_nested_translation, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_eventq_overflow, setup_linear, teardown),
        cmocka_unit_test_setup_teardown(test_injection_knobs, setup_linear, teardown),
        cmocka_unit_test(test_dirty_reset),
        cmocka_unit_test(test_substreams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
