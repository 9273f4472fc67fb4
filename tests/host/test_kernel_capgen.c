/* The generated cap accessors (tools/bfgen.py from structures.bf): for every field of
 * every block, set/get round trips of 0, 1, the maximum and a pattern, on a cap whose
 * other bits are all 0 and on one whose other bits are all 1; neighbours and the tag are
 * unchanged; constructors place every argument in its field. The table of fields comes
 * from the generator too, so a new block or field is covered without touching this file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/cap_fields_gen.h"

static uint64_t field_mask(const struct cap_field_desc *f)
{
    return (f->bits == 64 ? ~0ull : (1ull << f->bits) - 1) << f->low;
}

static uint64_t field_max(const struct cap_field_desc *f)
{
    return f->bits == 64 ? ~0ull : (1ull << f->bits) - 1;
}

static void test_tags_and_layout(void **state)
{
    (void)state;
    assert_int_equal(CAP_BLOCK_COUNT, sizeof(cap_blocks) / sizeof(cap_blocks[0]));
    for (unsigned b = 0; b < CAP_BLOCK_COUNT; b++) {
        const struct cap_block_desc *blk = &cap_blocks[b];
        uint64_t zero[CAP_BLOCK_COUNT] = { 0 };
        cap_t c = blk->make(zero);
        assert_int_equal(cap_get_capType(c), blk->tag);
        assert_true(blk->tag < 32);
        for (unsigned o = 0; o < b; o++)
            assert_int_not_equal(cap_blocks[o].tag, blk->tag);
        /* no field overlaps another or the tag */
        uint64_t used[2] = { 0x1full << 59, 0 };
        for (unsigned i = 0; i < blk->nfields; i++) {
            const struct cap_field_desc *f = &blk->fields[i];
            assert_true(f->word < 2 && f->bits >= 1 && f->low + f->bits <= 64);
            assert_int_equal(used[f->word] & field_mask(f), 0);
            used[f->word] |= field_mask(f);
        }
    }
    assert_int_equal(cap_get_capType(cap_null_cap_new()), cap_null_cap);
    cap_t n = cap_null_cap_new();
    assert_true(n.words[0] == 0 && n.words[1] == 0); /* a zeroed slot holds the null cap */
}

static void check_roundtrip(const struct cap_block_desc *blk, const struct cap_field_desc *f,
                            cap_t base, uint64_t v)
{
    cap_t c = f->set(base, v);
    uint64_t want = v & field_max(f);
    if (f->get(c) != want)
        fail_msg("%s.%s: set %#llx, got %#llx", blk->name, f->name, (unsigned long long)v,
                 (unsigned long long)f->get(c));
    /* everything outside the field is unchanged (tag and other fields included) */
    for (unsigned w = 0; w < 2; w++) {
        uint64_t outside = w == f->word ? ~field_mask(f) : ~0ull;
        if ((c.words[w] & outside) != (base.words[w] & outside))
            fail_msg("%s.%s: neighbours of word %u changed", blk->name, f->name, w);
    }
    assert_int_equal(cap_get_capType(c), blk->tag);
    for (unsigned j = 0; j < blk->nfields; j++)
        if (&blk->fields[j] != f)
            assert_true(blk->fields[j].get(c) == blk->fields[j].get(base));
}

static void test_field_roundtrips(void **state)
{
    (void)state;
    for (unsigned b = 0; b < CAP_BLOCK_COUNT; b++) {
        const struct cap_block_desc *blk = &cap_blocks[b];
        uint64_t zero[8] = { 0 }, ones[8];
        for (unsigned i = 0; i < 8; i++)
            ones[i] = ~0ull;
        cap_t lo = blk->make(zero), hi = blk->make(ones);
        for (unsigned i = 0; i < blk->nfields; i++) {
            const struct cap_field_desc *f = &blk->fields[i];
            assert_true(f->get(hi) == field_max(f));
            assert_true(f->get(lo) == 0);
            const uint64_t vals[] = { 0, 1, field_max(f), field_max(f) - 1, 0x5555555555555555ull & field_max(f),
                                      0xaaaaaaaaaaaaaaaaull & field_max(f), field_max(f) >> 1 };
            for (unsigned k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
                check_roundtrip(blk, f, lo, vals[k]);
                check_roundtrip(blk, f, hi, vals[k]);
            }
            /* a value wider than the field is truncated to it, never spilling over */
            if (f->bits < 64)
                check_roundtrip(blk, f, lo, field_max(f) + 1 + 3);
        }
    }
}

static void test_constructors_place_each_argument(void **state)
{
    (void)state;
    for (unsigned b = 0; b < CAP_BLOCK_COUNT; b++) {
        const struct cap_block_desc *blk = &cap_blocks[b];
        for (unsigned i = 0; i < blk->nfields; i++) {
            uint64_t v[8] = { 0 };
            v[i] = field_max(&blk->fields[i]);
            cap_t c = blk->make(v);
            for (unsigned j = 0; j < blk->nfields; j++)
                assert_true(blk->fields[j].get(c) == (j == i ? field_max(&blk->fields[j]) : 0));
            assert_int_equal(cap_get_capType(c), blk->tag);
        }
    }
}

static void test_named_accessors(void **state)
{
    (void)state;
    /* spot checks through the named functions the kernel uses */
    cap_t c = cap_untyped_cap_new(0x123456789abcull, 1, 47, 0xfffffffffull);
    assert_true(cap_untyped_cap_get_capFreeIndex(c) == 0x123456789abcull);
    assert_true(cap_untyped_cap_get_capIsDevice(c) == 1);
    assert_true(cap_untyped_cap_get_capBlockSize(c) == 47);
    assert_true(cap_untyped_cap_get_capPtr_pfn(c) == 0xfffffffffull);
    cap_untyped_cap_ptr_set_capFreeIndex(&c, 7);
    assert_true(cap_untyped_cap_get_capFreeIndex(c) == 7 && cap_untyped_cap_get_capBlockSize(c) == 47);
    cap_t g = cap_cnode_cap_set_capCNodeGuard(cap_cnode_cap_new(12, 52, 1, 0), ~0ull);
    assert_true(cap_cnode_cap_get_capCNodeGuard(g) == ~0ull && cap_cnode_cap_get_capCNodeRadix(g) == 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tags_and_layout),
        cmocka_unit_test(test_field_roundtrips),
        cmocka_unit_test(test_constructors_place_each_argument),
        cmocka_unit_test(test_named_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
