/* Stream tables: layout choice, linear and 2-level, lazy level-2 arrays, SID limits,
 * and what the SMMU fetches after a driver write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bits.h"
#include "smmu_fixture.h"

static struct fixture fx;

static void test_layout_choice(void **st)
{
    (void)st;
    struct strtab_layout l;
    assert_int_equal(strtab_choose_layout(10, true, -1, &l), ERR_NONE);
    assert_int_equal(l.fmt, STRTAB_LINEAR); /* 64 KiB: linear */
    assert_int_equal(l.bytes, 64 * 1024);
    assert_int_equal(strtab_choose_layout(16, true, -1, &l), ERR_NONE);
    assert_int_equal(l.fmt, STRTAB_2LVL);
    assert_int_equal(l.split, 6);
    assert_int_equal(l.l1_entries, 1024);
    assert_int_equal(l.bytes, 8192);
    assert_int_equal(l.l2_bytes, 4096);
    assert_int_equal(strtab_choose_layout(16, false, -1, &l), ERR_NONE); /* no 2-level support */
    assert_int_equal(l.fmt, STRTAB_LINEAR);
    assert_int_equal(strtab_choose_layout(32, true, -1, &l), ERR_NONE);
    assert_int_equal(l.split, 10); /* level 1 stays at 32 MiB... */
    assert_int_equal(l.bytes, 32ULL << 20);
    assert_int_equal(l.l2_bytes, 64 * 1024);
    assert_int_equal(strtab_choose_layout(26, true, -1, &l), ERR_NONE);
    assert_int_equal(l.split, 6);
    assert_int_equal(l.bytes, 8ULL << 20);
    assert_int_equal(strtab_choose_layout(28, true, -1, &l), ERR_NONE);
    assert_int_equal(l.split, 8);
    assert_int_equal(strtab_choose_layout(33, true, -1, &l), ERR_RANGE);
    assert_int_equal(strtab_choose_layout(12, false, STRTAB_2LVL, &l), ERR_UNSUPPORTED);
}

static void test_linear_bind(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 8, SMMU_STRTAB_AUTO), ERR_NONE);
    assert_int_equal(fx.sd.strtab_base_cfg, 8); /* FMT linear, LOG2SIZE 8 */
    struct ste b = make_bypass_ste(), got;
    assert_int_equal(smmu_write_ste(&fx.smmu, 255, &b), ERR_NONE);
    uint64_t seen[8];
    assert_int_equal(standin_fetch_ste(&fx.sd, 255, seen), 0);
    assert_int_equal(seen[0], b.dw[0]);
    assert_int_equal(standin_fetch_ste(&fx.sd, 254, seen), 0);
    assert_int_equal(seen[0], make_abort_ste().dw[0]);
    assert_int_equal(smmu_write_ste(&fx.smmu, 256, &b), ERR_RANGE);
    assert_int_equal(smmu_read_ste(&fx.smmu, 255, &got), ERR_NONE);
    assert_int_equal(got.dw[0], b.dw[0]);
    fx_stop(&fx);
}

static void test_two_level_lazy(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 16, SMMU_STRTAB_AUTO), ERR_NONE);
    assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_FMT, fx.sd.strtab_base_cfg), STRTAB_FMT_2LVL);
    assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_SPLIT, fx.sd.strtab_base_cfg), 6);
    assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, fx.sd.strtab_base_cfg), 16);
    uint32_t free0 = fx.pool.nfree;
    struct ste b = make_bypass_ste(), got;
    /* Reading an unpopulated group allocates nothing and reads as abort. */
    assert_int_equal(smmu_read_ste(&fx.smmu, 0x1234, &got), ERR_NONE);
    assert_int_equal(got.dw[0], make_abort_ste().dw[0]);
    assert_int_equal(fx.pool.nfree, free0);
    /* First SID of a group: one 4 KiB array; others in that group reuse it. */
    unsigned syncs = fx.sd.nsync;
    assert_int_equal(smmu_write_ste(&fx.smmu, 0x1234, &b), ERR_NONE);
    assert_int_equal(fx.pool.nfree, free0 - 1);
    assert_int_equal(fx.smmu.strtab.l2_tables, 1);
    assert_true(fx.sd.nsync > syncs);
    assert_int_equal(smmu_write_ste(&fx.smmu, 0x1235, &b), ERR_NONE);
    assert_int_equal(fx.smmu.strtab.l2_tables, 1);
    assert_int_equal(smmu_write_ste(&fx.smmu, 0xffff, &b), ERR_NONE);
    assert_int_equal(fx.smmu.strtab.l2_tables, 2);
    uint64_t seen[8];
    assert_int_equal(standin_fetch_ste(&fx.sd, 0x1234, seen), 0);
    assert_int_equal(seen[0], b.dw[0]);
    assert_int_equal(standin_fetch_ste(&fx.sd, 0x1236, seen), 0);
    assert_int_equal(seen[0], make_abort_ste().dw[0]); /* same group, untouched: abort */
    assert_int_equal(standin_fetch_ste(&fx.sd, 0x2000, seen), EVT_C_BAD_STREAMID);
    /* The L1 descriptor points at the array with Span = SPLIT + 1 (notes D4). */
    uint64_t l1 = fx.smmu.strtab.base[0x1234 >> 6];
    assert_int_equal(FIELD_GET(L1STD_SPAN, l1), 7);
    /* A CFGI_STE with Leaf = 0 announced the new level-1 descriptor. */
    bool saw_nonleaf = false;
    for (unsigned i = 0; i < fx.sd.nlog; i++)
        if (FIELD_GET(CMD0_OPCODE, fx.sd.log[i][0]) == CMD_OP_CFGI_STE &&
            FIELD_GET(CMD0_SID, fx.sd.log[i][0]) == 0x1234 && !(fx.sd.log[i][1] & CMD1_LEAF))
            saw_nonleaf = true;
    assert_true(saw_nonleaf);
    assert_int_equal(smmu_write_ste(&fx.smmu, 0x10000, &b), ERR_RANGE);
    strtab_destroy(&fx.smmu.strtab);
    assert_int_equal(fx.pool.nfree, free0);
    fx_stop(&fx);
}

static void test_two_level_out_of_memory(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 16, SMMU_STRTAB_AUTO), ERR_NONE);
    paddr_t pa;
    while (pool_alloc(&fx.pool, 1, &pa) == ERR_NONE)
        ;
    struct ste b = make_bypass_ste();
    assert_int_equal(smmu_write_ste(&fx.smmu, 0x40, &b), ERR_NO_MEMORY);
    uint64_t seen[8];
    assert_int_equal(standin_fetch_ste(&fx.sd, 0x40, seen), EVT_C_BAD_STREAMID); /* still refused */
    assert_int_equal(fx.smmu.strtab.l2_tables, 0);
    fx_stop(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_choice),
        cmocka_unit_test(test_linear_bind),
        cmocka_unit_test(test_two_level_lazy),
        cmocka_unit_test(test_two_level_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
