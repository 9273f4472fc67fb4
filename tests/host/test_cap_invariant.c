/* The capability invariant (tests/host/cap_oracle.h), as a randomized property test: long
 * sequences of invocations with random, often invalid, arguments, each followed by the
 * full check of the hardware-visible state (STEs fetched through the stand-in, stage-2
 * tables walked from S2TTB, a TLB/walk-cache/STE-cache model driven by the commands the
 * stand-in consumed) against the capabilities still in the root CNode.
 *
 * Fixed seeds; longer runs: CAP_INVARIANT_SEEDS=<n> CAP_INVARIANT_STEPS=<n>
 * CAP_INVARIANT_SEED0=<first seed>. A seed stops at its first violating step (printed
 * with the operations that led to it) unless CAP_INVARIANT_KEEP_GOING=1. Categories can
 * be masked while a bug is open: CAP_ORACLE_IGNORE=tlbi,bypass,...
 *
 * Below the property test: directed sequences, each the shortest found for one bug. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <sel4/object_types.h>

#include "cap_oracle.h"

static unsigned long env_ul(const char *name, unsigned long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 0) : dflt;
}

/* splitmix64: one byte at a time for the interpreter. */
struct rng {
    uint64_t s, word;
    unsigned left;
};

static uint8_t rng_byte(void *ctx)
{
    struct rng *r = ctx;
    if (r->left == 0) {
        uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->word = z ^ (z >> 31);
        r->left = 8;
    }
    uint8_t b = (uint8_t)r->word;
    r->word >>= 8;
    r->left--;
    return b;
}

static void test_random_sequences(void **state)
{
    (void)state;
    unsigned long seeds = env_ul("CAP_INVARIANT_SEEDS", 8);
    unsigned long steps = env_ul("CAP_INVARIANT_STEPS", 3000);
    unsigned long seed0 = env_ul("CAP_INVARIANT_SEED0", 1);
    bool keep_going = env_ul("CAP_INVARIANT_KEEP_GOING", 0) != 0;
    cw_stats_reset();
    unsigned long failed_seeds = 0;
    for (unsigned long k = 0; k < seeds; k++) {
        unsigned long seed = seed0 + k;
        /* Every third seed runs without range invalidation (IDR3.RIL = 0). */
        struct cw_config cfg = { .mem_bits = 20, .test_slots = 64, .no_ril = seed % 3 == 0 };
        assert_int_equal(cw_init(&cfg), 0);
        struct rng r = { .s = seed * 0x2545f4914f6cdd1dULL };
        unsigned long before = cw_violations(), i;
        for (i = 0; i < steps; i++) {
            cw_step(rng_byte, &r);
            if (!keep_going && cw_violations() != before)
                break;
        }
        if (cw_violations() != before) {
            failed_seeds++;
            fprintf(stderr, "seed %lu (RIL %s): violation at step %lu of %lu\n", seed, cfg.no_ril ? "off" : "on",
                    i, steps);
        }
        cw_fini();
    }
    printf("cap invariant: %lu seeds x %lu steps\n", seeds, steps);
    cw_print_stats(stdout);
    assert_int_equal(failed_seeds, 0);
    assert_int_equal(cw_violations(), 0);
}

/* ---- directed sequences ----------------------------------------------------------------- */

#define OK(x) assert_int_equal((x), seL4_NoError)
enum { CAP_NULL = 0, CAP_SMMU_BYPASS = 10 }; /* cap types (src/kernel/structures.bf) */
#define IOVA 0x40000000ULL

static void world(bool no_ril)
{
    struct cw_config cfg = { .mem_bits = 20, .test_slots = 64, .no_ril = no_ril };
    assert_int_equal(cw_init(&cfg), 0);
    cw_stats_reset();
}

/* The oracle itself: a descriptor cleared without any invalidation is reported. */
static void test_oracle_sees_missing_tlbi(void **state)
{
    (void)state;
    world(false);
    seL4_CPtr vs = cw_slot(0), l2 = cw_slot(1), l3 = cw_slot(2), f = cw_slot(3);
    OK(cw_retype(cw_untyped(0), seL4_ARM_VSpaceObject, 0, vs, 1));
    OK(cw_retype(cw_untyped(1), seL4_ARM_PageTableObject, 0, l2, 2));
    OK(cw_retype(cw_untyped(1), seL4_ARM_SmallPageObject, 0, f, 1));
    OK(cw_assign(cw_boot_cb(0), vs));
    OK(cw_bind(cw_boot_sid(0), cw_boot_cb(0)));
    OK(cw_pt_map(l2, vs, IOVA));
    OK(cw_pt_map(l3, vs, IOVA));
    OK(cw_page_map(f, vs, IOVA, seL4_ReadWrite));
    uint64_t pa = 0;
    assert_int_equal(cw_device_view(0x10, IOVA, true, &pa), CW_OK);
    assert_int_equal(pa, cw_cap_pa(f));
    assert_int_equal(cw_violations(), 0);
    cw_set_report_stream(fopen("/dev/null", "w"));
    cw_poke(cw_cap_pa(l3), 0); /* "unmap" without TLBI */
    cw_set_report_stream(NULL);
    assert_true(cw_get_stats()->vkind[CV_TLBI] > 0);
    cw_fini();
}

/* Bug: CNode_Revoke stops at a kernel-held copy. A SID's binding copy of a CB cap sits
 * right after the CB cap it was made from; revoking CBControl deletes that CB cap, meets
 * the binding copy (nobody's child), and stops: later CB caps survive the revoke. */
static void test_revoke_cb_control_past_binding_copy(void **state)
{
    (void)state;
    world(false);
    seL4_CPtr cb0 = cw_boot_cb(0), vs = cw_slot(0), copy = cw_slot(1);
    OK(cw_retype(cw_untyped(0), seL4_ARM_VSpaceObject, 0, vs, 1));
    OK(cw_assign(cb0, vs));
    OK(cw_copy(cb0, copy, seL4_AllRights));
    OK(cw_bind(cw_boot_sid(0), cb0)); /* the binding copy goes between cb0 and copy */
    OK(cw_revoke(cw_cb_control()));
    /* Every CB cap derives from CBControl: the copy must be gone, CB 0 free again. */
    assert_int_equal(cw_cap_type(copy), CAP_NULL);
    OK(cw_get_cb(0, cw_slot(2), 64));
    assert_int_equal(cw_violations(), 0);
    cw_fini();
}

/* Bug: the same stop for a CB's kernel copy of a VSpace cap, in the untyped's subtree. The
 * surviving VSpace cap keeps the VSpace assigned, while the untyped, its children not
 * found, is reset by the next Retype: a new frame is the live VSpace's root table, and its
 * holder writes descriptors that let the bound device write the kernel's root CNode. */
static void test_revoke_untyped_past_vspace_copy(void **state)
{
    (void)state;
    world(false);
    seL4_CPtr ut = cw_untyped(0), vs = cw_slot(0), vs_copy = cw_slot(1), frame = cw_slot(2);
    OK(cw_retype(ut, seL4_ARM_VSpaceObject, 0, vs, 1));
    OK(cw_copy(vs, vs_copy, seL4_AllRights));
    OK(cw_assign(cw_boot_cb(0), vs)); /* the CB's copy goes between vs and vs_copy */
    OK(cw_bind(cw_boot_sid(0), cw_boot_cb(0)));
    OK(cw_delete(vs));                /* vs_copy keeps the VSpace */
    OK(cw_revoke(ut));                /* must delete vs_copy too: the VSpace goes, SID 0x10 aborts */
    bool copy_left = cw_cap_type(vs_copy) != CAP_NULL;
    OK(cw_retype(ut, seL4_ARM_SmallPageObject, 0, frame, 1));
    uint64_t page = cw_cap_pa(frame), secret = cw_secret_pa();
    OK(cw_user_write(frame, 0, cw_table_desc(page)));   /* L1[0]   -> this page as L2 */
    OK(cw_user_write(frame, 511, cw_table_desc(page))); /* L2[511] -> this page as L3 */
    OK(cw_user_write(frame, 509, cw_page_desc(secret))); /* L3[509]: 0x3fffd000 -> secret */
    uint64_t pa = 0;
    enum cw_view v = cw_device_view(0x10, 0x3fffd000, true, &pa);
    if (copy_left || (v == CW_OK && pa == secret))
        printf("revoke left the VSpace copy: %s; SID 0x10 writes 0x3fffd000 -> PA 0x%llx (root CNode 0x%llx)\n",
               copy_left ? "yes" : "no", (unsigned long long)pa, (unsigned long long)secret);
    assert_false(copy_left);
    assert_false(v == CW_OK && pa == secret);
    assert_int_equal(cw_violations(), 0);
    cw_fini();
}

/* Bug, same root: cte_has_children looks only at the next cap in the list. After the
 * first VSpace cap is deleted, the CB's kernel copy is the untyped's next: Retype thinks
 * the untyped is empty, resets it and carves a frame out of the live VSpace's root. */
static void test_retype_sees_children_past_vspace_copy(void **state)
{
    (void)state;
    world(false);
    seL4_CPtr ut = cw_untyped(0), vs = cw_slot(0), vs_copy = cw_slot(1), frame = cw_slot(2);
    OK(cw_retype(ut, seL4_ARM_VSpaceObject, 0, vs, 1));
    OK(cw_copy(vs, vs_copy, seL4_AllRights));
    OK(cw_assign(cw_boot_cb(0), vs)); /* the CB's copy goes between vs and vs_copy */
    OK(cw_bind(cw_boot_sid(0), cw_boot_cb(0)));
    OK(cw_delete(vs));                /* vs_copy keeps the VSpace: ut still has a child */
    OK(cw_retype(ut, seL4_ARM_SmallPageObject, 0, frame, 1));
    uint64_t page = cw_cap_pa(frame), root = cw_cap_pa(vs_copy), secret = cw_secret_pa();
    OK(cw_user_write(frame, 0, cw_table_desc(page)));
    OK(cw_user_write(frame, 511, cw_table_desc(page)));
    OK(cw_user_write(frame, 509, cw_page_desc(secret)));
    uint64_t pa = 0;
    enum cw_view v = cw_device_view(0x10, 0x3fffd000, true, &pa);
    if (page == root)
        printf("the new frame is the live VSpace's root (0x%llx); SID 0x10 writes 0x3fffd000 -> PA 0x%llx "
               "(root CNode 0x%llx)\n", (unsigned long long)root, (unsigned long long)pa,
               (unsigned long long)secret);
    assert_true(page != root);
    assert_false(v == CW_OK && pa == secret);
    assert_int_equal(cw_violations(), 0);
    cw_fini();
}

/* Bug (with IDR3.RIL, as on QEMU): PageTable_Unmap invalidates the table's span with
 * TLBI_S2_IPA Leaf=1, which leaves walk-cache entries: the SMMU may keep walking through
 * the removed table. Mapped again into another VSpace, its new entries are reachable
 * from the first VSpace's device. */
static void test_page_table_unmap_invalidates_walk_cache(void **state)
{
    (void)state;
    world(false);
    seL4_CPtr vs1 = cw_slot(0), vs2 = cw_slot(1), l2a = cw_slot(2), l3 = cw_slot(3), l2b = cw_slot(4),
              f1 = cw_slot(5), f2 = cw_slot(6);
    OK(cw_retype(cw_untyped(0), seL4_ARM_VSpaceObject, 0, vs1, 2));
    OK(cw_retype(cw_untyped(1), seL4_ARM_PageTableObject, 0, l2a, 3));
    OK(cw_retype(cw_untyped(1), seL4_ARM_SmallPageObject, 0, f1, 2));
    OK(cw_assign(cw_boot_cb(0), vs1));
    OK(cw_bind(cw_boot_sid(0), cw_boot_cb(0)));
    OK(cw_pt_map(l2a, vs1, IOVA));
    OK(cw_pt_map(l3, vs1, IOVA));
    OK(cw_page_map(f1, vs1, IOVA, seL4_ReadWrite)); /* the device walks vs1 -> l2a -> l3 */
    OK(cw_page_unmap(f1));
    OK(cw_pt_unmap(l3));
    OK(cw_pt_map(l2b, vs2, IOVA));
    OK(cw_pt_map(l3, vs2, IOVA));
    OK(cw_page_map(f2, vs2, IOVA, seL4_ReadWrite)); /* vs2's frame, through the same table */
    const struct cw_stats *st = cw_get_stats();
    printf("walk-cache invalidation missing: %lu; DMA through stale walk entries: %lu\n",
           st->vkind[CV_TLBI_WALK], st->vkind[CV_DMA]);
    assert_int_equal(st->vkind[CV_TLBI_WALK], 0);
    assert_int_equal(st->vkind[CV_DMA], 0);
    assert_int_equal(cw_violations(), 0);
    cw_fini();
}

/* Bug: a SID put in bypass keeps bypassing after every bypass cap is deleted. */
static void test_bypass_ends_with_bypass_cap(void **state)
{
    (void)state;
    world(false);
    seL4_CPtr b = cw_slot(0);
    uint64_t pa;
    OK(cw_get_bypass(b, 64));
    OK(cw_bypass(cw_boot_sid(0), b));
    assert_int_equal(cw_device_view(0x10, 0x1000, true, &pa), CW_BYPASS_VIEW);
    OK(cw_delete(b));
    assert_int_equal(cw_device_view(0x10, 0x1000, true, &pa), CW_ABORT);
    assert_int_equal(cw_violations(), 0);
    cw_fini();
}

/* Bug: two GetBypass caps are "the same object", so revoking the second deletes the first
 * (not derived from it). A kernel that issues one bypass cap at a time passes too. */
static void test_revoke_bypass_spares_sibling(void **state)
{
    (void)state;
    world(false);
    seL4_CPtr b1 = cw_slot(0), b2 = cw_slot(1);
    OK(cw_get_bypass(b1, 64));
    seL4_Error e = cw_get_bypass(b2, 64);
    if (e == seL4_NoError) {
        OK(cw_revoke(b2));
        assert_int_equal(cw_cap_type(b1), CAP_SMMU_BYPASS);
    } else {
        assert_int_equal(e, seL4_RevokeFirst);
    }
    assert_int_equal(cw_violations(), 0);
    cw_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sequences),
        cmocka_unit_test(test_oracle_sees_missing_tlbi),
        cmocka_unit_test(test_revoke_cb_control_past_binding_copy),
        cmocka_unit_test(test_revoke_untyped_past_vspace_copy),
        cmocka_unit_test(test_retype_sees_children_past_vspace_copy),
        cmocka_unit_test(test_page_table_unmap_invalidates_walk_cache),
        cmocka_unit_test(test_bypass_ends_with_bypass_cap),
        cmocka_unit_test(test_revoke_bypass_spares_sibling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
