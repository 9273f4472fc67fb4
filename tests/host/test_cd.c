/* Context descriptors and stage-1 / nested STEs: each field where IHI 0070 5.4 / 5.2 put
 * it (cross-checked in shared/notes/smmuv3-fields.md §3-4), and what they refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/bits.h"
#include "pgtable/pgtable.h"
#include "smmuv3/cd.h"
#include "smmuv3/smmu.h"

static struct smmu_features qemu(void)
{
    struct smmu_features f = { 0 };
    f.s1 = f.s2 = f.vmid16 = f.asid16 = f.gran4k = true;
    f.oas_bits = 44;
    f.oas_code = 4;
    return f;
}

static void test_cd_fields(void **st)
{
    (void)st;
    struct smmu_features f = qemu();
    struct cd_config c = { .asid = 0xbeef, .ttb0 = 0x40123000, .t0sz = 25, .mair = PT_S1_MAIR, .record_faults = true };
    struct cd cd;
    assert_int_equal(make_cd(&f, &c, &cd), ERR_NONE);
    assert_int_equal(FIELD_GET(GENMASK(5, 0), cd.dw[0]), 25);   /* T0SZ */
    assert_int_equal(FIELD_GET(GENMASK(7, 6), cd.dw[0]), 0);    /* TG0 4K */
    assert_int_equal(FIELD_GET(GENMASK(9, 8), cd.dw[0]), 1);    /* IR0 WB */
    assert_int_equal(FIELD_GET(GENMASK(11, 10), cd.dw[0]), 1);  /* OR0 WB */
    assert_int_equal(FIELD_GET(GENMASK(13, 12), cd.dw[0]), 3);  /* SH0 ISH */
    assert_false(cd.dw[0] & BIT(14));                           /* EPD0: TTB0 walks */
    assert_true(cd.dw[0] & BIT(30));                            /* EPD1 */
    assert_true(cd.dw[0] & BIT(31));                            /* V */
    assert_int_equal(FIELD_GET(GENMASK(34, 32), cd.dw[0]), 4);  /* IPS = OAS (44) */
    assert_true(cd.dw[0] & BIT(41));                            /* AA64 */
    assert_true(cd.dw[0] & BIT(45));                            /* R */
    assert_true(cd.dw[0] & BIT(46));                            /* A (QEMU requires it) */
    assert_true(cd.dw[0] & BIT(47));                            /* ASET */
    assert_int_equal(FIELD_GET(GENMASK(63, 48), cd.dw[0]), 0xbeef);
    assert_int_equal(cd.dw[1], 0x40123000);                     /* TTB0 [51:4] */
    assert_int_equal(cd.dw[3], PT_S1_MAIR);
    for (int i = 4; i < 8; i++)
        assert_int_equal(cd.dw[i], 0);

    c.t0sz = 15;
    assert_int_equal(make_cd(&f, &c, &cd), ERR_RANGE);
    c.t0sz = 40;
    assert_int_equal(make_cd(&f, &c, &cd), ERR_RANGE);
    c.t0sz = 25;
    c.ttb0 = 0x40123800;
    assert_int_equal(make_cd(&f, &c, &cd), ERR_ALIGN);
    c.ttb0 = 1ULL << 44;
    assert_int_equal(make_cd(&f, &c, &cd), ERR_RANGE);
    c.ttb0 = 0x1000;
    f.asid16 = false;
    assert_int_equal(make_cd(&f, &c, &cd), ERR_RANGE);
    f.s1 = false;
    assert_int_equal(make_cd(&f, &c, &cd), ERR_UNSUPPORTED);
}

static void test_s1_and_nested_ste(void **st)
{
    (void)st;
    struct smmu_features f = qemu();
    struct ste_s1_config s1 = { .cd_table = 0x80001040, .fmt = STE0_S1FMT_LINEAR, .cdmax = 0 };
    struct ste s;
    assert_int_equal(make_s1_ste(&f, &s1, &s), ERR_NONE);
    assert_int_equal(FIELD_GET(GENMASK(3, 1), s.dw[0]), 5);          /* Config S1 */
    assert_int_equal(s.dw[0] & GENMASK(51, 6), 0x80001040);           /* S1ContextPtr */
    assert_int_equal(FIELD_GET(GENMASK(63, 59), s.dw[0]), 0);         /* S1CDMax */
    assert_int_equal(FIELD_GET(GENMASK(31, 30), s.dw[1]), 0);         /* STRW NS-EL1 */
    assert_int_equal(FIELD_GET(GENMASK(7, 6), s.dw[1]), 3);           /* S1CSH ISH */

    struct ste_s2_config s2 = { .vmid = 9, .s2ttb = 0x40200000, .t0sz = 24, .sl0 = 1, .record_faults = true };
    assert_int_equal(make_nested_ste(&f, &s1, &s2, &s), ERR_NONE);
    assert_int_equal(FIELD_GET(GENMASK(3, 1), s.dw[0]), 7);          /* Config nested */
    assert_int_equal(s.dw[0] & GENMASK(51, 6), 0x80001040);
    assert_int_equal(FIELD_GET(GENMASK(15, 0), s.dw[2]), 9);          /* S2VMID */
    assert_true(s.dw[2] & BIT(51));                                   /* S2AA64 */
    assert_int_equal(s.dw[3], 0x40200000);                            /* S2TTB */

    s1.cdmax = 1; /* SSIDSIZE 0 on QEMU: one CD only */
    assert_int_equal(make_s1_ste(&f, &s1, &s), ERR_RANGE);
    s1.cdmax = 0;
    s1.fmt = STE0_S1FMT_4K_L2; /* no CD2L */
    assert_int_equal(make_nested_ste(&f, &s1, &s2, &s), ERR_RANGE);
    s1.fmt = STE0_S1FMT_LINEAR;
    s1.cd_table = 0x80001020;
    assert_int_equal(make_s1_ste(&f, &s1, &s), ERR_ALIGN);
    f.ssid_bits = 4;
    f.cd2l = true;
    s1 = (struct ste_s1_config){ .cd_table = 0x1000, .fmt = STE0_S1FMT_4K_L2, .cdmax = 4 };
    assert_int_equal(make_s1_ste(&f, &s1, &s), ERR_NONE);
    assert_int_equal(FIELD_GET(GENMASK(5, 4), s.dw[0]), 1);           /* S1Fmt */
    assert_int_equal(FIELD_GET(GENMASK(63, 59), s.dw[0]), 4);
    f.s1 = false;
    assert_int_equal(make_s1_ste(&f, &s1, &s), ERR_UNSUPPORTED);
    /* Stage 2 -> nested changes dwords 0 (Config, S1ContextPtr) and 1 (CD fetch
     * attributes), both read by a stage-2 STE: the plan passes through abort. */
    f.s1 = true;
    struct ste plain, steps[STE_MAX_STEPS], abort_ste = make_abort_ste();
    assert_int_equal(make_s2_ste(&f, &s2, &plain), ERR_NONE);
    s1 = (struct ste_s1_config){ .cd_table = 0x1000 };
    assert_int_equal(make_nested_ste(&f, &s1, &s2, &s), ERR_NONE);
    unsigned n = ste_update_plan(&plain, &s, steps);
    assert_int_equal(n, 3);
    assert_true(ste_equivalent(&steps[0], &abort_ste));
    for (int w = 0; w < 8; w++)
        assert_int_equal(steps[n - 1].dw[w], s.dw[w]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cd_fields),
        cmocka_unit_test(test_s1_and_nested_ste),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
