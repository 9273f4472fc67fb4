/* Driver against the stand-in: probe, reset order, deadlines, command submission (wrap,
 * full queue, batching, one CMD_SYNC), command errors, event queue, global errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bits.h"
#include "smmu_fixture.h"
#include "smmuv3/regs.h"

static struct fixture fx;

static void test_probe_qemu(void **st)
{
    (void)st;
    standin_init(&fx.sd);
    struct smmu_features f;
    assert_int_equal(smmu_probe(STANDIN_BASE, &f), ERR_NONE);
    assert_true(f.s1 && f.s2 && f.two_level_strtab && f.coherent && f.ril && f.vmid16 && f.asid16);
    assert_false(f.cd2l);
    assert_int_equal(f.sid_bits, 16);
    assert_int_equal(f.ssid_bits, 0);
    assert_int_equal(f.cmdq_log2, 19);
    assert_int_equal(f.eventq_log2, 19);
    assert_int_equal(f.oas_bits, 44);
    assert_true(f.gran4k && f.gran16k && f.gran64k);
    standin_remove(&fx.sd);
}

static void expect_probe(uint32_t idr0, uint32_t idr1, uint32_t idr5, err_t want)
{
    standin_init(&fx.sd);
    fx.sd.idr[0] = idr0;
    fx.sd.idr[1] = idr1;
    fx.sd.idr[5] = idr5;
    struct smmu_features f;
    assert_int_equal(smmu_probe(STANDIN_BASE, &f), want);
    standin_remove(&fx.sd);
}

static void test_probe_refuses(void **st)
{
    (void)st;
    const uint32_t i0 = 0x0d44101b, i1 = 0x02730010, i5 = 0x74;
    expect_probe(i0, i1, i5, ERR_NONE);
    expect_probe(i0 & ~1u, i1, i5, ERR_UNSUPPORTED);               /* no stage 2 */
    expect_probe((i0 & ~0xcu) | (1u << 2), i1, i5, ERR_UNSUPPORTED); /* AArch32 tables only */
    expect_probe(i0, i1, i5 & ~0x10u, ERR_UNSUPPORTED);            /* no 4K granule */
    expect_probe(i0 | (3u << 21), i1, i5, ERR_UNSUPPORTED);        /* big-endian walks only */
    expect_probe((i0 & ~(3u << 24)) | (2u << 24), i1, i5, ERR_UNSUPPORTED); /* stall forced */
    expect_probe(i0 & ~(3u << 27), i1, i5, ERR_UNSUPPORTED);       /* 16 SID bits, linear only */
    expect_probe(i0, i1, (i5 & ~7u) | 7u, ERR_UNSUPPORTED);        /* 56-bit OAS */
    expect_probe(i0, i1 & ~(31u << 21), i5, ERR_UNSUPPORTED);      /* no command queue */
}

static int index_of(uint32_t off)
{
    for (unsigned i = 0; i < fx.sd.nwrites; i++)
        if (fx.sd.writes[i] == off)
            return (int)i;
    return -1;
}

static int last_index_of(uint32_t off)
{
    int r = -1;
    for (unsigned i = 0; i < fx.sd.nwrites; i++)
        if (fx.sd.writes[i] == off)
            r = (int)i;
    return r;
}

static void test_init_order(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 16, SMMU_STRTAB_AUTO), ERR_NONE);
    /* GBPA abort first, then CR0 off, tables/queues, CR1/CR2, and SMMUEN last. */
    assert_int_equal(index_of(SMMU_GBPA), 0);
    assert_true(fx.sd.gbpa & GBPA_ABORT);
    assert_true(index_of(SMMU_CR0) > index_of(SMMU_GBPA));
    assert_true(index_of(SMMU_STRTAB_BASE) > index_of(SMMU_CR0));
    assert_true(index_of(SMMU_CMDQ_BASE) > index_of(SMMU_CR0));
    assert_true(index_of(SMMU_CR1) < index_of(SMMU_CMDQ_PROD));
    assert_true(index_of(SMMU_CR2) < index_of(SMMU_CMDQ_PROD));
    assert_int_equal(fx.sd.cr0, CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN);
    assert_int_equal(fx.sd.cr0ack, fx.sd.cr0);
    /* Invalidation of everything, completed by CMD_SYNC before SMMUEN. */
    assert_int_equal(FIELD_GET(CMD0_OPCODE, fx.sd.log[0][0]), CMD_OP_CFGI_STE_RANGE);
    assert_int_equal(fx.sd.log[0][1], 31);
    assert_int_equal(standin_count(&fx.sd, CMD_OP_TLBI_NSNH_ALL), 1);
    /* QEMU's IDR0 has no HYP: EL2 TLB maintenance does not exist there. */
    assert_int_equal(standin_count(&fx.sd, CMD_OP_TLBI_EL2_ALL), 0);
    assert_int_equal(standin_count(&fx.sd, CMD_OP_SYNC), 1);
    assert_true(last_index_of(SMMU_CR0) > last_index_of(SMMU_CMDQ_PROD));
    assert_int_equal(fx.sd.irq_ctrl, IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN);
    assert_true(fx.smmu.enabled);
    /* Every stream aborts until something binds it. */
    uint64_t ste[8];
    assert_int_equal(standin_fetch_ste(&fx.sd, 5, ste), EVT_C_BAD_STREAMID); /* no L2 yet */
    fx_stop(&fx);
    memset(&fx, 0, sizeof(fx));
    standin_init(&fx.sd);
    fx.sd.idr[0] |= IDR0_HYP;
    fx_config(&fx, 8, SMMU_STRTAB_AUTO, 8);
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_NONE);
    assert_int_equal(standin_count(&fx.sd, CMD_OP_TLBI_EL2_ALL), 1);
    for (uint32_t sid = 0; sid < 256; sid++) {
        assert_int_equal(standin_fetch_ste(&fx.sd, sid, ste), 0);
        assert_int_equal(ste[0], 1);
    }
    assert_int_equal(standin_fetch_ste(&fx.sd, 256, ste), EVT_C_BAD_STREAMID);
    fx_stop(&fx);
}

static void test_init_deadlines(void **st)
{
    (void)st;
    memset(&fx, 0, sizeof(fx));
    standin_init(&fx.sd);
    fx_config(&fx, 8, SMMU_STRTAB_AUTO, 8);
    fx.sd.never_ack_cr0 = true;
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_TIMEOUT);
    assert_false(fx.smmu.enabled);
    fx.sd.never_ack_cr0 = false;
    fx.sd.gbpa_stuck = true;
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_TIMEOUT);
    fx.sd.gbpa_stuck = false;
    fx.sd.gbpa = 0;
    fx.sd.stall_sync = true; /* CMD_SYNC never completes */
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_TIMEOUT);
    assert_false(fx.sd.cr0 & CR0_SMMUEN); /* never enabled with stale caches */
    fx.sd.stall_sync = false;
    /* Bad configuration */
    fx.cfg.cmdq_log2 = 20;
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_RANGE);
    fx_config(&fx, 17, SMMU_STRTAB_AUTO, 8); /* more SID bits than IDR1.SIDSIZE */
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_RANGE);
    fx_config(&fx, 16, SMMU_STRTAB_FORCE_LINEAR, 8); /* 4 MiB table, 64 KiB given */
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_RANGE);
    fx_config(&fx, 8, SMMU_STRTAB_AUTO, 8);
    fx.cfg.strtab_mem = (uint8_t *)fx.cfg.strtab_mem + 64;
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_ALIGN);
    fx_stop(&fx);
}

static void test_submit_batches_and_wraps(void **st)
{
    (void)st;
    memset(&fx, 0, sizeof(fx));
    standin_init(&fx.sd);
    fx_config(&fx, 8, SMMU_STRTAB_AUTO, 3); /* 8-entry command queue */
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_NONE);
    struct smmu_cmd cmds[100];
    for (unsigned i = 0; i < 100; i++)
        cmds[i] = smmu_cmd_cfgi_ste(i);
    unsigned syncs = fx.sd.nsync, before = fx.sd.nlog;
    assert_int_equal(smmu_cmdq_submit(&fx.smmu, cmds, 100), ERR_NONE);
    assert_int_equal(fx.sd.nsync, syncs + 1); /* one CMD_SYNC for the batch */
    assert_int_equal(fx.sd.nlog, before + 101);
    for (unsigned i = 0; i < 100; i++) /* in order, through several wraps */
        assert_int_equal(FIELD_GET(CMD0_SID, fx.sd.log[before + i][0]), i);
    /* The queue filled, so PROD was published before the batch was complete. */
    assert_true(fx.smmu.stats.prod_writes >= 100 / 8);
    /* A command that does not encode leaves the queue untouched. */
    cmds[50].op = (enum smmu_cmd_op)0x77;
    before = fx.sd.nlog;
    assert_int_equal(smmu_cmdq_submit(&fx.smmu, cmds, 100), ERR_INVALID);
    assert_int_equal(fx.sd.nlog, before);
    fx_stop(&fx);
}

static void test_full_queue_deadline(void **st)
{
    (void)st;
    memset(&fx, 0, sizeof(fx));
    standin_init(&fx.sd);
    fx_config(&fx, 8, SMMU_STRTAB_AUTO, 3);
    assert_int_equal(smmu_init(&fx.smmu, &fx.cfg), ERR_NONE);
    fx.sd.stall_sync = true;
    struct smmu_cmd cmds[20];
    for (unsigned i = 0; i < 20; i++)
        cmds[i] = smmu_cmd_cfgi_ste(i);
    assert_int_equal(smmu_cmdq_submit(&fx.smmu, cmds, 3), ERR_TIMEOUT); /* sync stuck */
    assert_int_equal(smmu_cmdq_submit(&fx.smmu, cmds, 20), ERR_TIMEOUT); /* queue stays full */
    fx_stop(&fx);
}

static void test_cmdq_error(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 8, SMMU_STRTAB_AUTO), ERR_NONE);
    /* Slip an illegal opcode into the queue behind the driver's back, as a corrupted or
     * unsupported command would appear: the SMMU stops at it and raises CMDQ_ERR. */
    uint64_t *slot = smmu_queue_slot(&fx.smmu.cmdq, fx.smmu.cmdq.prod);
    slot[0] = 0x77;
    slot[1] = 0;
    fx.smmu.cmdq.prod = smmu_queue_inc(&fx.smmu.cmdq, fx.smmu.cmdq.prod);
    struct smmu_cmd c = smmu_cmd_cfgi_ste(3);
    assert_int_equal(smmu_cmdq_submit(&fx.smmu, &c, 1), ERR_CMDQ);
    assert_int_equal(smmu_gerror_active(&fx.smmu), GERROR_CMDQ_ERR);
    assert_int_equal(FIELD_GET(CMDQ_CONS_ERR, fx.sd.cmdq_cons), CMDQ_ERR_ILL);
    fx_stop(&fx);
}

static void raw_event(uint64_t raw[4], uint8_t type, uint32_t sid, uint64_t addr, bool read, bool s2)
{
    raw[0] = FIELD_PREP(EVT0_TYPE, type) | FIELD_PREP(EVT0_SID, sid);
    raw[1] = (read ? EVT1_RNW : 0) | (s2 ? EVT1_S2 : 0) | FIELD_PREP(EVT1_CLASS, 2);
    raw[2] = addr;
    raw[3] = addr & EVT3_IPA;
}

static void test_eventq(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 8, SMMU_STRTAB_AUTO), ERR_NONE);
    struct smmu_event ev;
    assert_false(smmu_eventq_pop(&fx.smmu, &ev));
    uint64_t raw[4];
    /* 64-entry queue: 150 events, drained in bursts so PROD and CONS wrap twice. */
    unsigned next = 0, seen = 0;
    for (unsigned burst = 0; burst < 5; burst++) {
        for (unsigned i = 0; i < 30; i++, next++) {
            raw_event(raw, next % 2 ? EVT_F_TRANSLATION : EVT_F_PERMISSION, 0x10, 0x1000ULL * next, next % 3 == 0, true);
            assert_true(standin_inject_event(&fx.sd, raw));
        }
        while (smmu_eventq_pop(&fx.smmu, &ev)) {
            assert_int_equal(ev.type, seen % 2 ? EVT_F_TRANSLATION : EVT_F_PERMISSION);
            assert_int_equal(ev.sid, 0x10);
            assert_int_equal(ev.input_addr, 0x1000ULL * seen);
            assert_int_equal(ev.ipa, 0x1000ULL * seen);
            assert_int_equal(ev.is_read, seen % 3 == 0);
            assert_true(ev.stage2);
            assert_int_equal(ev.class_, EVT_CLASS_IN);
            seen++;
        }
    }
    assert_int_equal(seen, 150);
    assert_false(smmu_eventq_overflowed(&fx.smmu));
    /* Overflow, spec style (PROD.OVFLG) */
    unsigned accepted = 0;
    for (unsigned i = 0; i < 100; i++) {
        raw_event(raw, EVT_F_TRANSLATION, 1, 0x2000, false, true);
        accepted += standin_inject_event(&fx.sd, raw);
    }
    assert_int_equal(accepted, 64);
    assert_true(smmu_eventq_overflowed(&fx.smmu));
    assert_false(smmu_eventq_overflowed(&fx.smmu)); /* acknowledged */
    seen = 0;
    while (smmu_eventq_pop(&fx.smmu, &ev))
        seen++;
    assert_int_equal(seen, 64);
    /* Overflow, QEMU style (GERROR.EVENTQ_ABT_ERR) */
    fx.sd.eventq_overflow_gerror = true;
    for (unsigned i = 0; i < 65; i++)
        standin_inject_event(&fx.sd, raw);
    assert_int_equal(smmu_gerror_active(&fx.smmu), GERROR_EVENTQ_ABT_ERR);
    assert_true(smmu_eventq_overflowed(&fx.smmu));
    assert_int_equal(smmu_gerror_active(&fx.smmu), 0);
    assert_string_equal(smmu_event_name(EVT_F_TRANSLATION), "F_TRANSLATION");
    assert_string_equal(smmu_event_name(0xee), "UNKNOWN");
    fx_stop(&fx);
}

static void test_disable(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 8, SMMU_STRTAB_AUTO), ERR_NONE);
    assert_int_equal(smmu_disable(&fx.smmu), ERR_NONE);
    assert_false(fx.sd.cr0 & CR0_SMMUEN);
    assert_true(fx.sd.gbpa & GBPA_ABORT); /* nothing bypasses while disabled */
    assert_false(fx.smmu.enabled);
    fx_stop(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_qemu),
        cmocka_unit_test(test_probe_refuses),
        cmocka_unit_test(test_init_order),
        cmocka_unit_test(test_init_deadlines),
        cmocka_unit_test(test_submit_batches_and_wraps),
        cmocka_unit_test(test_full_queue_deadline),
        cmocka_unit_test(test_cmdq_error),
        cmocka_unit_test(test_eventq),
        cmocka_unit_test(test_disable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
