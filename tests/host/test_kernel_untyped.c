/* seL4_Untyped_Retype: alignment, watermark, zeroing, no overlap between retypes, reset
 * after revoke, device untypeds, destination CNodes, VMIDs, and every error with its
 * details, each leaving everything unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kernel_fixture.h"

#define T(s) cap_get_capType(kfx_slot(s)->cap)

static seL4_CPtr ut(unsigned bits)
{
    seL4_CPtr u = kfx_untyped(bits, false);
    assert_true(u != 0);
    return u;
}

static uint64_t free_index(seL4_CPtr u) { return cap_untyped_cap_get_capFreeIndex(kfx_slot(u)->cap); }
static paddr_t ut_base(seL4_CPtr u) { return cap_untyped_cap_get_capPtr_pfn(kfx_slot(u)->cap) << 12; }
static paddr_t frame_pa(seL4_CPtr s) { return cap_frame_cap_get_capFBasePtr_pfn(kfx_slot(s)->cap) << 12; }

static bool all_bytes(paddr_t pa, size_t n, uint8_t v)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)pa;
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static void test_alignment_watermark_zeroing(void **state)
{
    (void)state;
    seL4_CPtr u = ut(23); /* 8 MiB */
    paddr_t base = ut_base(u);
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 100, 2), seL4_NoError);
    assert_true(frame_pa(100) == base && frame_pa(101) == base + 4096);
    assert_int_equal(free_index(u), 8192);
    /* a 2M frame goes to the next 2M boundary; the gap is skipped */
    assert_int_equal(kfx_retype(u, seL4_ARM_LargePageObject, 0, 102, 1), seL4_NoError);
    assert_true(frame_pa(102) == base + (2u << 20));
    assert_int_equal(free_index(u), 4u << 20);
    assert_int_equal(cap_frame_cap_get_capFSize(kfx_slot(102)->cap), 1);
    assert_int_equal(cap_frame_cap_get_capFVMRights(kfx_slot(102)->cap), VM_READ_WRITE);
    /* zeroed objects; memory outside them untouched (the fixture fills 0xa5) */
    assert_true(all_bytes(base, 8192, 0));
    assert_true(all_bytes(base + 8192, 4096, 0xa5));
    assert_true(all_bytes(base + (2u << 20), 2u << 20, 0));
    /* CNode, page table, VSpace: sizes and alignment */
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 8, 103, 1), seL4_NoError); /* 16K */
    cap_t cn = kfx_slot(103)->cap;
    assert_int_equal(cap_cnode_cap_get_capCNodeRadix(cn), 8);
    assert_true((cap_cnode_cap_get_capCNodePtr_pfn(cn) << 12) == base + (4u << 20));
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 1, 104, 1), seL4_NoError); /* 4K min */
    assert_int_equal(free_index(u), (4u << 20) + 16384 + 4096);
    assert_int_equal(kfx_retype(u, seL4_ARM_VSpaceObject, 0, 105, 1), seL4_NoError);
    cap_t vs = kfx_slot(105)->cap;
    paddr_t vs_pa = cap_vspace_cap_get_capVSBasePtr_pfn(vs) << 12;
    assert_true(vs_pa % 8192 == 0 && vs_pa >= base + (4u << 20) + 20480);
    assert_true(all_bytes(vs_pa, 8192, 0));
    struct vspace_obj *v = vspace_from_cap(vs);
    assert_non_null(v);
    assert_true(v->pt.root == vs_pa && v->vmid == cap_vspace_cap_get_capVSVMID(vs));
    assert_int_equal(v->pt.fmt.start_level, 1);
    assert_int_equal(v->pt.fmt.root_pages, 2);
    assert_int_equal(kfx_retype(u, seL4_ARM_PageTableObject, 0, 106, 1), seL4_NoError);
    assert_int_equal(cap_page_table_cap_get_capPTIsMapped(kfx_slot(106)->cap), 0);
    /* child untyped, then objects from it */
    assert_int_equal(kfx_retype(u, seL4_UntypedObject, 16, 107, 1), seL4_NoError);
    cap_t cu = kfx_slot(107)->cap;
    assert_int_equal(cap_untyped_cap_get_capBlockSize(cu), 16);
    assert_true((cap_untyped_cap_get_capPtr_pfn(cu) << 12) % 65536 == 0);
    assert_int_equal(kfx_retype(107, seL4_ARM_SmallPageObject, 0, 108, 16), seL4_NoError);
    assert_int_equal(kfx_retype(107, seL4_ARM_SmallPageObject, 0, 124, 1), seL4_NotEnoughMemory);
    assert_int_equal(kfx_mr(0), 0);
}

static void test_no_overlap_and_reset(void **state)
{
    (void)state;
    seL4_CPtr u = ut(20);
    paddr_t base = ut_base(u);
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 100, 4), seL4_NoError);
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 104, 4), seL4_NoError);
    for (seL4_CPtr a = 100; a < 108; a++)
        for (seL4_CPtr b = a + 1; b < 108; b++)
            assert_true(frame_pa(a) != frame_pa(b));
    /* a retype while children exist continues from the watermark, even after a delete */
    assert_int_equal(kfx_delete(100), seL4_NoError);
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 100, 1), seL4_NoError);
    assert_true(frame_pa(100) == base + 8 * 4096);
    /* write into a frame, revoke: the untyped resets and the memory is zeroed again */
    memset((void *)(uintptr_t)frame_pa(101), 0x77, 4096);
    assert_int_equal(kfx_revoke(u), seL4_NoError);
    assert_int_equal(free_index(u), 9 * 4096); /* reset happens on the next retype */
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 100, 2), seL4_NoError);
    assert_true(frame_pa(100) == base && frame_pa(101) == base + 4096);
    assert_true(all_bytes(base, 8192, 0));
    assert_int_equal(free_index(u), 8192);
    /* deleting every child (not only revoking) also allows the reset */
    assert_int_equal(kfx_delete(100), seL4_NoError);
    assert_int_equal(kfx_delete(101), seL4_NoError);
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 100, 1), seL4_NoError);
    assert_true(frame_pa(100) == base);
}

static void test_destination_cnode(void **state)
{
    (void)state;
    seL4_CPtr u = ut(20);
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 3, 200, 1), seL4_NoError);
    /* node_index/node_depth name the CNode cap at root slot 200 */
    seL4_Word w[] = { seL4_ARM_SmallPageObject, 0, 200, 64, 5, 3 };
    seL4_CPtr c[] = { KFX_ROOT };
    assert_int_equal(kfx_call(u, UntypedRetype, w, 6, c, 1), seL4_NoError);
    cte_t *s = cnode_slots_of(kfx_slot(200)->cap);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(cap_get_capType(s[i].cap), i >= 5 ? cap_frame_cap : cap_null_cap);
    /* window past the end of the 8-slot CNode: RangeError(1, 8 - 6) */
    w[4] = 6;
    assert_int_equal(kfx_call(u, UntypedRetype, w, 6, c, 1), seL4_RangeError);
    assert_int_equal(kfx_mr(0), 1);
    assert_int_equal(kfx_mr(1), 2);
    /* offset past the end: RangeError(0, 7) */
    w[4] = 8;
    w[5] = 1;
    assert_int_equal(kfx_call(u, UntypedRetype, w, 6, c, 1), seL4_RangeError);
    assert_int_equal(kfx_mr(0), 0);
    assert_int_equal(kfx_mr(1), 7);
    /* occupied destination */
    w[4] = 4;
    w[5] = 2;
    assert_int_equal(kfx_call(u, UntypedRetype, w, 6, c, 1), seL4_DeleteFirst);
    assert_int_equal(cap_get_capType(s[4].cap), cap_null_cap);
}

struct retype_case {
    seL4_Word w[6];
    unsigned nw, nc;
    seL4_Word label;
    seL4_Error err;
    int mr0;      /* expected MR0, -1: no check */
    int64_t mr1;  /* expected MR1, -1: no check */
};

static void test_errors_change_nothing(void **state)
{
    (void)state;
    seL4_CPtr u = ut(20);
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 300, 1), seL4_NoError);
    const seL4_Word P = seL4_ARM_SmallPageObject;
    const struct retype_case cases[] = {
        { { P, 0, 0, 0, 310, 1 }, 6, 1, CNodeCopy, seL4_IllegalOperation, -1, -1 },
        { { P, 0, 0, 0, 310, 1 }, 5, 1, UntypedRetype, seL4_TruncatedMessage, -1, -1 },
        { { P, 0, 0, 0, 310, 1 }, 6, 0, UntypedRetype, seL4_TruncatedMessage, -1, -1 },
        { { 99, 0, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_InvalidArgument, 0, -1 },
        { { seL4_TCBObject, 0, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_InvalidArgument, 0, -1 },
        { { seL4_UntypedObject, 64, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_RangeError, 0, 47 },
        { { seL4_UntypedObject, 48, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_RangeError, 0, 47 },
        { { seL4_CapTableObject, 42, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_RangeError, 0, 47 },
        { { seL4_CapTableObject, 0, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_InvalidArgument, 1, -1 },
        { { seL4_UntypedObject, 11, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_InvalidArgument, 1, -1 },
        { { P, 0, 310, 65, 0, 1 }, 6, 1, UntypedRetype, seL4_RangeError, 1, 64 },
        { { P, 0, 310, 64, 0, 1 }, 6, 1, UntypedRetype, seL4_FailedLookup, 0, -1 }, /* empty: not a CNode */
        { { P, 0, 300, 64, 0, 1 }, 6, 1, UntypedRetype, seL4_FailedLookup, 0, -1 }, /* a frame */
        { { P, 0, 1ull << 63, 1, 0, 1 }, 6, 1, UntypedRetype, seL4_FailedLookup, 0, -1 }, /* guard */
        { { P, 0, 0, 0, 4096, 1 }, 6, 1, UntypedRetype, seL4_RangeError, 0, 4095 },
        { { P, 0, 0, 0, 310, 0 }, 6, 1, UntypedRetype, seL4_RangeError, 1, 256 },
        { { P, 0, 0, 0, 310, 257 }, 6, 1, UntypedRetype, seL4_RangeError, 1, 256 },
        { { P, 0, 0, 0, 4000, 100 }, 6, 1, UntypedRetype, seL4_RangeError, 1, 96 },
        { { P, 0, 0, 0, 299, 2 }, 6, 1, UntypedRetype, seL4_DeleteFirst, -1, -1 },
        { { seL4_ARM_LargePageObject, 0, 0, 0, 310, 1 }, 6, 1, UntypedRetype, seL4_NotEnoughMemory,
          (1 << 20) - 4096, -1 },
        { { P, 0, 0, 0, 310, 256 }, 6, 1, UntypedRetype, seL4_NotEnoughMemory, (1 << 20) - 4096, -1 },
    };
    seL4_CPtr c[] = { KFX_ROOT };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct retype_case *k = &cases[i];
        cap_t before = kfx_slot(u)->cap;
        unsigned n = kfx_count_caps();
        unsigned tl = host_tlbi_log.n;
        seL4_Error e = kfx_call(u, k->label, k->w, k->nw, c, k->nc);
        if (e != k->err)
            fail_msg("case %u: error %d, expected %d", i, e, k->err);
        if (k->mr0 >= 0 && kfx_mr(0) != (seL4_Word)k->mr0)
            fail_msg("case %u: MR0 %llu, expected %d", i, (unsigned long long)kfx_mr(0), k->mr0);
        if (k->mr1 >= 0 && kfx_mr(1) != (seL4_Word)k->mr1)
            fail_msg("case %u: MR1 %llu, expected %lld", i, (unsigned long long)kfx_mr(1), (long long)k->mr1);
        assert_memory_equal(&kfx_slot(u)->cap, &before, sizeof(cap_t));
        assert_int_equal(kfx_count_caps(), n);
        assert_int_equal(host_tlbi_log.n, tl);
    }
    /* the untyped still works after all that */
    assert_int_equal(kfx_retype(u, P, 0, 310, 1), seL4_NoError);
}

static void test_device_untyped(void **state)
{
    (void)state;
    seL4_CPtr d = kfx_untyped(31, true);
    assert_true(d != 0);
    unsigned n = kfx_count_caps();
    /* kernel objects never come from device memory: InvalidArgument 1 */
    const seL4_Word bad[] = { seL4_CapTableObject, seL4_ARM_PageTableObject, seL4_ARM_VSpaceObject };
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(kfx_retype(d, bad[i], 4, 400, 1), seL4_InvalidArgument);
        assert_int_equal(kfx_mr(0), 1);
    }
    assert_int_equal(kfx_count_caps(), n);
    /* frames (not zeroed: the fake region is never touched) and device untypeds */
    assert_int_equal(kfx_retype(d, seL4_ARM_HugePageObject, 0, 400, 2), seL4_NoError);
    assert_int_equal(kfx_retype(d, seL4_ARM_SmallPageObject, 0, 402, 1), seL4_NoError);
    assert_int_equal(kfx_retype(d, seL4_UntypedObject, 20, 403, 1), seL4_NoError);
    cap_t f = kfx_slot(400)->cap;
    assert_int_equal(cap_frame_cap_get_capFIsDevice(f), 1);
    assert_int_equal(cap_frame_cap_get_capFSize(f), 2);
    assert_true(frame_pa(400) == KFX_DEV_BASE && frame_pa(401) == KFX_DEV_BASE + (1ull << 30));
    assert_true(frame_pa(402) == KFX_DEV_BASE + (2ull << 30));
    assert_int_equal(cap_untyped_cap_get_capIsDevice(kfx_slot(403)->cap), 1);
    assert_int_equal(kfx_retype(403, seL4_CapTableObject, 4, 404, 1), seL4_InvalidArgument);
    assert_int_equal(kfx_retype(403, seL4_ARM_SmallPageObject, 0, 404, 1), seL4_NoError);
    assert_int_equal(cap_frame_cap_get_capFIsDevice(kfx_slot(404)->cap), 1);
}

static void test_vmids(void **state)
{
    (void)state;
    seL4_CPtr u = ut(20);
    assert_int_equal(vspace_free_count(), KERNEL_MAX_VSPACES);
    assert_int_equal(kfx_retype(u, seL4_ARM_VSpaceObject, 0, 500, KERNEL_MAX_VSPACES), seL4_NoError);
    for (unsigned i = 0; i < KERNEL_MAX_VSPACES; i++)
        for (unsigned j = i + 1; j < KERNEL_MAX_VSPACES; j++)
            assert_int_not_equal(cap_vspace_cap_get_capVSVMID(kfx_slot(500 + i)->cap),
                                 cap_vspace_cap_get_capVSVMID(kfx_slot(500 + j)->cap));
    uint64_t fi = free_index(u);
    assert_int_equal(kfx_retype(u, seL4_ARM_VSpaceObject, 0, 600, 1), seL4_NotEnoughMemory);
    assert_int_equal(kfx_mr(0), (1u << 20) - fi);
    assert_int_equal(free_index(u), fi);
    assert_int_equal(T(600), cap_null_cap);
    /* deleting a VSpace frees its VMID */
    uint16_t vmid = (uint16_t)cap_vspace_cap_get_capVSVMID(kfx_slot(510)->cap);
    assert_int_equal(kfx_delete(510), seL4_NoError);
    assert_int_equal(hooks.deleted_n, 1);
    assert_int_equal(hooks.deleted_vmid[0], vmid);
    assert_int_equal(vspace_free_count(), 1);
    assert_int_equal(kfx_retype(u, seL4_ARM_VSpaceObject, 0, 600, 1), seL4_NoError);
    assert_int_equal(cap_vspace_cap_get_capVSVMID(kfx_slot(600)->cap), vmid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alignment_watermark_zeroing, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_no_overlap_and_reset, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_destination_cnode, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_errors_change_nothing, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_device_untyped, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_vmids, kfx_setup, kfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
