/* Stage-2 TLB invalidation: range commands cover exactly the unmapped range, their count
 * stays within ceil(log32(pages)) + 1, and each batch ends with one CMD_SYNC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/bits.h"
#include "smmu_fixture.h"
#include "smmuv3/tlb.h"

static struct fixture fx;

static unsigned log32_ceil(uint64_t pages)
{
    unsigned d = 0;
    uint64_t cap = 1;
    while (cap < pages) {
        cap <<= 5;
        d++;
    }
    return d;
}

/* Check that the commands cover [ipa, ipa + pages * 4K) exactly, with no overlap or gap. */
static void check_cover(const struct smmu_cmd *c, unsigned n, uint64_t ipa, uint64_t pages, unsigned ttl)
{
    uint64_t at = ipa;
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(c[i].op, SMMU_CMD_TLBI_S2_IPA);
        assert_int_equal(c[i].tlbi_addr.addr, at);
        assert_int_equal(c[i].tlbi_addr.leaf, ttl != 0); /* table removals: walk caches too */
        const struct smmu_tlbi_range *r = &c[i].tlbi_addr.range;
        uint64_t covered = r->tg ? ((uint64_t)r->num + 1) << r->scale : 1;
        if (r->tg) {
            assert_int_equal(r->ttl, ttl);
        }
        uint64_t w[2];
        assert_int_equal(smmu_cmd_encode(&c[i], w), ERR_NONE); /* never the reserved form */
        at += covered * PAGE_SIZE;
    }
    assert_int_equal(at, ipa + pages * PAGE_SIZE);
}

static void test_range_counts(void **st)
{
    (void)st;
    struct smmu_features f = { .ril = true };
    struct smmu_cmd c[TLBI_MAX_RANGE_CMDS];
    err_t e;
    const uint64_t sizes[] = { 1, 512, 262144 };
    for (unsigned i = 0; i < 3; i++) {
        unsigned n = smmu_tlbi_s2_build(&f, 7, 0x80000000, sizes[i] * PAGE_SIZE, 3, c, TLBI_MAX_RANGE_CMDS, &e);
        assert_int_equal(e, ERR_NONE);
        assert_int_equal(n, 1);
        check_cover(c, n, 0x80000000, sizes[i], 3);
    }
    srand(7);
    for (unsigned iter = 0; iter < 100000; iter++) {
        uint64_t pages = 1 + (((uint64_t)rand() << 16) ^ (uint64_t)rand()) % (1u << 24);
        uint64_t ipa = ((uint64_t)(rand() % 4096)) << 12;
        unsigned n = smmu_tlbi_s2_build(&f, 1, ipa, pages * PAGE_SIZE, 0, c, TLBI_MAX_RANGE_CMDS, &e);
        assert_int_equal(e, ERR_NONE);
        assert_true(n <= log32_ceil(pages) + 1);
        check_cover(c, n, ipa, pages, 0);
    }
    /* 2M blocks: TTL 2, addresses stay 2M aligned. */
    unsigned n = smmu_tlbi_s2_build(&f, 1, 0x40000000, 3 * SIZE_2M, 2, c, TLBI_MAX_RANGE_CMDS, &e);
    assert_int_equal(e, ERR_NONE);
    check_cover(c, n, 0x40000000, 3 * 512, 2);
    for (unsigned i = 0; i < n; i++)
        assert_true(IS_ALIGNED(c[i].tlbi_addr.addr, SIZE_2M));
    assert_int_equal(smmu_tlbi_s2_build(&f, 1, 0x40001000, SIZE_2M, 2, c, TLBI_MAX_RANGE_CMDS, &e), 0);
    assert_int_equal(e, ERR_ALIGN);
    assert_int_equal(smmu_tlbi_s2_build(&f, 1, 0x40000000, SIZE_2M, 4, c, TLBI_MAX_RANGE_CMDS, &e), 0);
    assert_int_equal(e, ERR_INVALID);
    /* Too small an output array: falls back to the whole VMID, never a partial cover. */
    n = smmu_tlbi_s2_build(&f, 9, 0, 0x1f1f1f1fULL * PAGE_SIZE, 0, c, 2, &e);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].op, SMMU_CMD_TLBI_S12_VMALL);
    assert_int_equal(c[0].tlbi_vmid.vmid, 9);
}

static void test_without_ril(void **st)
{
    (void)st;
    struct smmu_features f = { .ril = false };
    static struct smmu_cmd c[TLBI_MAX_PAGE_CMDS];
    err_t e;
    unsigned n = smmu_tlbi_s2_build(&f, 3, 0x10000, 16 * PAGE_SIZE, 3, c, TLBI_MAX_PAGE_CMDS, &e);
    assert_int_equal(n, 16);
    check_cover(c, n, 0x10000, 16, 3);
    n = smmu_tlbi_s2_build(&f, 3, 0, 4 * SIZE_2M, 2, c, TLBI_MAX_PAGE_CMDS, &e);
    assert_int_equal(n, 4); /* one per 2M leaf */
    assert_int_equal(c[3].tlbi_addr.addr, 3 * SIZE_2M);
    n = smmu_tlbi_s2_build(&f, 3, 0, 1024 * PAGE_SIZE, 3, c, TLBI_MAX_PAGE_CMDS, &e);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].op, SMMU_CMD_TLBI_S12_VMALL);
}

static void test_one_sync_per_batch(void **st)
{
    (void)st;
    assert_int_equal(fx_start(&fx, 8, SMMU_STRTAB_AUTO), ERR_NONE);
    const uint64_t sizes[] = { 1, 512, 262144, 12345 };
    for (unsigned i = 0; i < 4; i++) {
        unsigned syncs = fx.sd.nsync, tlbis = standin_count(&fx.sd, CMD_OP_TLBI_S2_IPA);
        assert_int_equal(smmu_tlbi_s2_range(&fx.smmu, 5, 0x100000000ULL, sizes[i] * PAGE_SIZE, 3), ERR_NONE);
        assert_int_equal(fx.sd.nsync - syncs, 1);
        unsigned issued = standin_count(&fx.sd, CMD_OP_TLBI_S2_IPA) - tlbis;
        assert_true(issued <= log32_ceil(sizes[i]) + 1);
        assert_true(issued >= 1);
    }
    unsigned syncs = fx.sd.nsync;
    assert_int_equal(smmu_tlbi_vmid(&fx.smmu, 5), ERR_NONE);
    assert_int_equal(standin_count(&fx.sd, CMD_OP_TLBI_S12_VMALL), 1);
    assert_int_equal(fx.sd.nsync - syncs, 1);
    fx_stop(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_counts),
        cmocka_unit_test(test_without_ril),
        cmocka_unit_test(test_one_sync_per_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
