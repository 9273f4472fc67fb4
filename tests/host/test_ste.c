/* STE builders (each field where 5.2 puts it) and the ordered-update plan: every state
 * the SMMU can fetch is the old entry, the new entry, or (only without a hitless path)
 * the abort break state. Also checked end to end through the driver and the stand-in,
 * sampling the entry at every CMD_SYNC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/bits.h"
#include "smmu_fixture.h"

static struct smmu_features qemu_features(void)
{
    struct smmu_features f = { 0 };
    f.s1 = f.s2 = f.vmid16 = f.asid16 = f.gran4k = true;
    f.oas_bits = 44;
    f.oas_code = 4;
    return f;
}

static struct ste s2(uint16_t vmid, paddr_t ttb)
{
    struct smmu_features f = qemu_features();
    struct ste_s2_config c = { .vmid = vmid, .s2ttb = ttb, .t0sz = 24, .sl0 = 1, .record_faults = true };
    struct ste s;
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_NONE);
    return s;
}

static void test_builders(void **st)
{
    (void)st;
    struct ste a = make_abort_ste();
    assert_int_equal(a.dw[0], 0x1); /* V=1, Config=000 */
    for (int i = 1; i < 8; i++)
        assert_int_equal(a.dw[i], 0);
    struct ste b = make_bypass_ste();
    assert_int_equal(b.dw[0], 0x9); /* V=1, Config=100 */
    assert_int_equal(FIELD_GET(GENMASK(45, 44), b.dw[1]), 1); /* SHCFG incoming */

    struct ste s = s2(0x1234, 0x4567000);
    assert_int_equal(s.dw[0], 0xd); /* V=1, Config=110 */
    assert_int_equal(FIELD_GET(GENMASK(15, 0), s.dw[2]), 0x1234);  /* S2VMID */
    assert_int_equal(FIELD_GET(GENMASK(37, 32), s.dw[2]), 24);     /* S2T0SZ */
    assert_int_equal(FIELD_GET(GENMASK(39, 38), s.dw[2]), 1);      /* S2SL0 */
    assert_int_equal(FIELD_GET(GENMASK(41, 40), s.dw[2]), 1);      /* S2IR0 WB */
    assert_int_equal(FIELD_GET(GENMASK(43, 42), s.dw[2]), 1);      /* S2OR0 WB */
    assert_int_equal(FIELD_GET(GENMASK(45, 44), s.dw[2]), 3);      /* S2SH0 ISH */
    assert_int_equal(FIELD_GET(GENMASK(47, 46), s.dw[2]), 0);      /* S2TG 4K */
    assert_int_equal(FIELD_GET(GENMASK(50, 48), s.dw[2]), 4);      /* S2PS = OAS 44 */
    assert_true(s.dw[2] & BIT(51));                                /* S2AA64 */
    assert_false(s.dw[2] & BIT(52));                               /* S2ENDI LE */
    assert_true(s.dw[2] & BIT(54));                                /* S2PTW */
    assert_false(s.dw[2] & BIT(57));                               /* S2S no stall */
    assert_true(s.dw[2] & BIT(58));                                /* S2R */
    assert_int_equal(s.dw[3], 0x4567000);                          /* S2TTB [51:4] */
}

static void test_builder_rejects(void **st)
{
    (void)st;
    struct smmu_features f = qemu_features();
    struct ste s;
    struct ste_s2_config c = { .vmid = 1, .s2ttb = 0x40000000, .t0sz = 24, .sl0 = 1 };
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_NONE);
    c.t0sz = 19; /* 45-bit IPA > 44-bit OAS */
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_RANGE);
    c.t0sz = 40;
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_RANGE);
    c.t0sz = 24;
    c.sl0 = 3;
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_INVALID);
    c.sl0 = 0; /* level-2 start cannot cover 40 bits */
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_INVALID);
    c.sl0 = 1;
    c.s2ttb = 0x40000010;
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_ALIGN);
    c.s2ttb = 1ULL << 44; /* beyond OAS */
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_RANGE);
    c.s2ttb = 0x40000000;
    f.vmid16 = false;
    c.vmid = 256;
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_RANGE);
    f.s2 = false;
    assert_int_equal(make_s2_ste(&f, &c, &s), ERR_UNSUPPORTED);
}

/* Apply a plan step by step; check every intermediate view and count breaks. */
static void check_plan(const struct ste *from, const struct ste *to, bool expect_hitless)
{
    struct ste steps[STE_MAX_STEPS];
    unsigned n = ste_update_plan(from, to, steps);
    assert_true(n <= STE_MAX_STEPS);
    struct ste cur = *from, abort_ste = make_abort_ste();
    bool saw_abort = false;
    for (unsigned i = 0; i < n; i++) {
        /* At most one dword changes in bits the SMMU currently interprets. */
        struct ste used;
        ste_used_bits(&cur, &used);
        int changed = 0;
        for (int w = 0; w < 8; w++)
            if ((cur.dw[w] ^ steps[i].dw[w]) & used.dw[w])
                changed++;
        assert_true(changed <= 1);
        cur = steps[i];
        bool is_old = ste_equivalent(&cur, from), is_new = ste_equivalent(&cur, to);
        bool is_abort = ste_equivalent(&cur, &abort_ste);
        assert_true(is_old || is_new || is_abort);
        if (is_abort && !is_old && !is_new)
            saw_abort = true;
    }
    for (int w = 0; w < 8; w++)
        assert_int_equal(cur.dw[w], to->dw[w]);
    if (expect_hitless)
        assert_false(saw_abort);
}

static void test_plan_cases(void **st)
{
    (void)st;
    struct ste a = make_abort_ste(), b = make_bypass_ste();
    struct ste x = s2(1, 0x40000000), y = s2(1, 0x40002000), z = s2(2, 0x40004000);
    check_plan(&a, &x, true);  /* abort -> S2: only dword 0 matters */
    check_plan(&x, &a, true);  /* S2 -> abort */
    check_plan(&x, &y, true);  /* new S2TTB only: dword 3 */
    check_plan(&x, &z, false); /* VMID and TTB: two dwords, needs the break */
    check_plan(&b, &x, true);
    check_plan(&x, &b, true);
    check_plan(&x, &x, true);
    struct ste steps[STE_MAX_STEPS];
    assert_int_equal(ste_update_plan(&x, &x, steps), 0);
}

static void test_plan_random(void **st)
{
    (void)st;
    srand(1234);
    for (int iter = 0; iter < 20000; iter++) {
        struct ste e[2];
        for (int k = 0; k < 2; k++) {
            int kind = rand() % 4;
            e[k] = kind == 0 ? make_abort_ste() : kind == 1 ? make_bypass_ste()
                                                            : s2((uint16_t)(rand() % 3), 0x40000000ULL + (uint64_t)(rand() % 3) * 0x2000);
            /* garbage in ignored bits must not matter */
            if (rand() % 2)
                e[k].dw[4 + rand() % 4] = ((uint64_t)rand() << 32) | (uint64_t)rand();
        }
        check_plan(&e[0], &e[1], false);
    }
}

/* End to end: the driver applies the plan; at every CMD_SYNC the stand-in fetches the STE
 * through the registers the driver programmed. */
struct sampler {
    uint32_t sid;
    struct ste old, target;
    unsigned samples, bad;
};

static void sample(struct standin *sd, void *ctx)
{
    struct sampler *s = ctx;
    struct ste seen, abort_ste = make_abort_ste();
    if (standin_fetch_ste(sd, s->sid, seen.dw) != 0)
        return;
    s->samples++;
    if (!ste_equivalent(&seen, &s->old) && !ste_equivalent(&seen, &s->target) &&
        !ste_equivalent(&seen, &abort_ste))
        s->bad++;
}

static void test_driver_updates_are_ordered(void **st)
{
    (void)st;
    static struct fixture fx;
    /* 10 SID bits fit the fixture's 64 KiB linear table; 16 bits need two levels. */
    const struct { unsigned sid_bits; enum smmu_strtab_choice fmt; uint32_t sid; } cases[] = {
        { 10, SMMU_STRTAB_FORCE_LINEAR, 0x234 },
        { 16, SMMU_STRTAB_FORCE_2LVL, 0x1234 },
    };
    for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
        assert_int_equal(fx_start(&fx, cases[c].sid_bits, cases[c].fmt), ERR_NONE);
        assert_int_equal(fx.smmu.strtab.layout.fmt,
                         cases[c].fmt == SMMU_STRTAB_FORCE_LINEAR ? STRTAB_LINEAR : STRTAB_2LVL);
        struct sampler sm = { .sid = cases[c].sid };
        fx.sd.on_sync = sample;
        fx.sd.on_sync_ctx = &sm;
        struct ste seq[] = { s2(1, 0x40000000), s2(1, 0x40002000), s2(2, 0x40004000),
                             make_bypass_ste(), make_abort_ste() };
        sm.old = make_abort_ste();
        for (unsigned i = 0; i < ARRAY_SIZE(seq); i++) {
            sm.target = seq[i];
            unsigned before = fx.sd.op_count[CMD_OP_CFGI_STE];
            assert_int_equal(smmu_write_ste(&fx.smmu, sm.sid, &seq[i]), ERR_NONE);
            assert_true(fx.sd.op_count[CMD_OP_CFGI_STE] > before);
            struct ste now;
            assert_int_equal(standin_fetch_ste(&fx.sd, sm.sid, now.dw), 0);
            for (int w = 0; w < 8; w++)
                assert_int_equal(now.dw[w], seq[i].dw[w]);
            sm.old = seq[i];
        }
        assert_true(sm.samples >= ARRAY_SIZE(seq));
        assert_int_equal(sm.bad, 0);
        fx_stop(&fx);
    }
}

/* Only steps that change interpreted bits are announced: abort -> S2 is one CFGI_STE,
 * a hitless S2 -> S2 (new S2TTB) one, a break (new VMID and S2TTB) two. */
static void test_announce_count(void **st)
{
    (void)st;
    static struct fixture fx;
    assert_int_equal(fx_start(&fx, 8, SMMU_STRTAB_AUTO), ERR_NONE);
    const struct { struct ste to; unsigned cfgi; } seq[] = {
        { s2(1, 0x40000000), 1 }, { s2(1, 0x40002000), 1 }, { s2(2, 0x40004000), 2 },
        { make_abort_ste(), 1 },  { make_abort_ste(), 0 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(seq); i++) {
        unsigned before = fx.sd.op_count[CMD_OP_CFGI_STE], syncs = fx.sd.nsync;
        assert_int_equal(smmu_write_ste(&fx.smmu, 7, &seq[i].to), ERR_NONE);
        assert_int_equal(fx.sd.op_count[CMD_OP_CFGI_STE] - before, seq[i].cfgi);
        assert_int_equal(fx.sd.nsync - syncs, seq[i].cfgi);
    }
    fx_stop(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builders),
        cmocka_unit_test(test_builder_rejects),
        cmocka_unit_test(test_plan_cases),
        cmocka_unit_test(test_plan_random),
        cmocka_unit_test(test_driver_updates_are_ordered),
        cmocka_unit_test(test_announce_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
