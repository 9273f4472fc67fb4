/* CSpace: boot layout, cptr resolution with guards and depths, Copy/Mint/Move/Delete/
 * Revoke with seL4's semantics (errors with details, nothing changed on error), final-cap
 * detection, derivation-tree order, and deletion of CNodes holding caps (nesting, cycles). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kernel_fixture.h"

#define T(s) cap_get_capType(kfx_slot(s)->cap)

static seL4_CPtr ut20(void)
{
    seL4_CPtr u = kfx_untyped(20, false);
    assert_true(u != 0);
    return u;
}

static void test_boot_layout(void **state)
{
    (void)state;
    cap_t root = kfx_slot(seL4_CapInitThreadCNode)->cap;
    assert_int_equal(cap_get_capType(root), cap_cnode_cap);
    assert_int_equal(cap_cnode_cap_get_capCNodeRadix(root), KFX_ROOT_RADIX);
    assert_int_equal(cap_cnode_cap_get_capCNodeGuardSize(root), 64 - KFX_ROOT_RADIX);
    /* the thread's CSpace root is a copy, a child in the tree */
    assert_true(kfx.t.cspace_root.mdb_prev == kfx_slot(seL4_CapInitThreadCNode));
    assert_false(cte_is_final(kfx_slot(seL4_CapInitThreadCNode)));
    assert_int_equal(kfx.bi.initThreadCNodeSizeBits, KFX_ROOT_RADIX);
    /* SMMU caps from the hook, then untypeds, then empty */
    assert_int_equal(kfx.bi.numSMMUs, 1);
    assert_int_equal(kfx.bi.smmu[0].sidControl, seL4_NumInitialCaps);
    assert_int_equal(T(seL4_NumInitialCaps), cap_sid_control_cap);
    assert_int_equal(kfx.bi.untyped.start, seL4_NumInitialCaps + 2);
    assert_int_equal(kfx.bi.empty.start, kfx.bi.untyped.end);
    assert_int_equal(kfx.bi.empty.end, 1u << KFX_ROOT_RADIX);
    uint64_t normal = 0, dev = 0;
    for (seL4_Word s = kfx.bi.untyped.start; s < kfx.bi.untyped.end; s++) {
        const seL4_UntypedDesc *d = &kfx.bi.untypedList[s - kfx.bi.untyped.start];
        cap_t c = kfx_slot(s)->cap;
        assert_int_equal(cap_get_capType(c), cap_untyped_cap);
        assert_true(cap_untyped_cap_get_capPtr_pfn(c) << 12 == d->paddr);
        assert_int_equal(cap_untyped_cap_get_capBlockSize(c), d->sizeBits);
        assert_true((d->paddr & ((1ull << d->sizeBits) - 1)) == 0); /* aligned chunks */
        if (d->isDevice)
            dev += 1ull << d->sizeBits;
        else
            normal += 1ull << d->sizeBits;
    }
    /* all memory but the root CNode (2^(12+6)) is handed out */
    assert_true(normal == (1ull << KFX_MEM_BITS) - (1ull << (KFX_ROOT_RADIX + seL4_SlotBits)));
    assert_true(dev == 1ull << KFX_DEV_BITS);
    for (seL4_Word s = kfx.bi.empty.start; s < kfx.bi.empty.end; s++)
        assert_int_equal(T(s), cap_null_cap);
}

/* A second-level CNode C (radix 4) reached through a root copy without guard:
 *   cap 50 = root CNode, radix 12, guard size 0; slot 51 = C with guard 0x5 of 4 bits.
 * A depth-20 cptr (51 << 8) | (5 << 4) | i names C[i]. */
static void make_two_levels(void)
{
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 4, 60, 1), seL4_NoError);
    assert_int_equal(kfx_mint(50, KFX_ROOT, seL4_AllRights, 0 /* guard 0 of size 0 */), seL4_NoError);
    assert_int_equal(kfx_mint(51, 60, seL4_AllRights, (0x5ull << 6) | 4), seL4_NoError);
    cap_t c = kfx_slot(51)->cap;
    assert_int_equal(cap_cnode_cap_get_capCNodeGuardSize(c), 4);
    assert_int_equal(cap_cnode_cap_get_capCNodeGuard(c), 5);
    assert_int_equal(cap_cnode_cap_get_capCNodeRadix(kfx_slot(50)->cap), 12);
}

static seL4_Error copy_via50(seL4_Word dest_index, seL4_Word dest_depth, seL4_CPtr src)
{
    seL4_Word w[] = { dest_index, dest_depth, src, 64, seL4_AllRights };
    seL4_CPtr c[] = { KFX_ROOT };
    return kfx_call(50, CNodeCopy, w, 5, c, 1);
}

static void test_resolution_guards_depths(void **state)
{
    (void)state;
    make_two_levels();
    cte_t *cslots = cnode_slots_of(kfx_slot(60)->cap);
    seL4_Word cptr3 = (51ull << 8) | (5u << 4) | 3;
    unsigned before = kfx_count_caps();

    /* depth 12: the walk ends at slot 51 itself (occupied) */
    assert_int_equal(copy_via50(51, 12, 60), seL4_DeleteFirst);
    /* guard mismatch, depth too short for the second level, bits left over */
    assert_int_equal(copy_via50((51ull << 8) | (6u << 4) | 3, 20, 60), seL4_FailedLookup);
    assert_int_equal(kfx_mr(0), 0); /* destination, not source */
    assert_int_equal(copy_via50(cptr3 >> 1, 19, 60), seL4_FailedLookup);
    assert_int_equal(copy_via50(51ull << 4, 16, 60), seL4_FailedLookup);
    /* depth outside 1..64 */
    assert_int_equal(copy_via50(cptr3, 0, 60), seL4_RangeError);
    assert_int_equal(kfx_mr(0), 1);
    assert_int_equal(kfx_mr(1), 64);
    assert_int_equal(kfx_reply_len(), 2);
    assert_int_equal(copy_via50(cptr3, 65, 60), seL4_RangeError);
    /* a failing source lookup says so */
    seL4_Word w[] = { cptr3, 20, 51ull << 52, 3, seL4_AllRights };
    seL4_CPtr c[] = { KFX_ROOT };
    assert_int_equal(kfx_call(50, CNodeCopy, w, 5, c, 1), seL4_FailedLookup);
    assert_int_equal(kfx_mr(0), 1);
    assert_int_equal(kfx_count_caps(), before);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(cap_get_capType(cslots[i].cap), cap_null_cap);

    /* the right guard and depth reach C[3] */
    assert_int_equal(copy_via50(cptr3, 20, 60), seL4_NoError);
    assert_int_equal(cap_get_capType(cslots[3].cap), cap_cnode_cap);
    /* resolution as a function: slot and bits left */
    cte_t *s;
    unsigned left;
    assert_true(resolve_address_bits(kfx_slot(50)->cap, cptr3, 20, &s, &left));
    assert_ptr_equal(s, &cslots[3]);
    assert_int_equal(left, 0);
    /* at depth 64 from the thread's root, cptr 60 stops at slot 60 */
    assert_ptr_equal(lookup_slot(kfx.t.cspace_root.cap, 60), kfx_slot(60));
    /* kernel_lookup_empty_slot: occupied, empty, bad root */
    cte_t *out = NULL;
    assert_int_equal(kernel_lookup_empty_slot(kfx_slot(50)->cap, cptr3, 20, 0, &out).type, seL4_DeleteFirst);
    assert_int_equal(kernel_lookup_empty_slot(kfx_slot(50)->cap, cptr3 + 1, 20, 0, &out).type, seL4_NoError);
    assert_ptr_equal(out, &cslots[4]);
    assert_int_equal(kernel_lookup_empty_slot(kfx_slot(ut20())->cap, 0, 1, 0, &out).type, seL4_FailedLookup);
}

static void test_copy_mint_move_errors(void **state)
{
    (void)state;
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 100, 1), seL4_NoError);
    unsigned before = kfx_count_caps();
    seL4_Word w[] = { 101, 64, 100, 64, seL4_AllRights, 0 };
    seL4_CPtr c[] = { KFX_ROOT };
    /* truncated: fewer than 2 words; Copy without the cap; Copy with 4 words; Mint with 5 */
    assert_int_equal(kfx_call(KFX_ROOT, CNodeCopy, w, 1, c, 1), seL4_TruncatedMessage);
    assert_int_equal(kfx_call(KFX_ROOT, CNodeCopy, w, 5, c, 0), seL4_TruncatedMessage);
    assert_int_equal(kfx_call(KFX_ROOT, CNodeCopy, w, 4, c, 1), seL4_TruncatedMessage);
    assert_int_equal(kfx_call(KFX_ROOT, CNodeMint, w, 5, c, 1), seL4_TruncatedMessage);
    assert_int_equal(kfx_reply_len(), 0);
    /* unknown CNode label */
    assert_int_equal(kfx_call(KFX_ROOT, UntypedRetype, w, 6, c, 1), seL4_IllegalOperation);
    /* occupied destination; empty source; control caps are not copied */
    assert_int_equal(kfx_copy(u, 100, seL4_AllRights), seL4_DeleteFirst);
    assert_int_equal(kfx_copy(101, 102, seL4_AllRights), seL4_FailedLookup);
    assert_int_equal(kfx_mr(0), 1);
    assert_int_equal(kfx_copy(101, kfx.bi.smmu[0].sidControl, seL4_AllRights), seL4_IllegalOperation);
    assert_int_equal(kfx_move(101, 102), seL4_FailedLookup);
    /* src_root not a CNode: failed source lookup */
    seL4_CPtr bad[] = { 100 };
    assert_int_equal(kfx_call(KFX_ROOT, CNodeCopy, w, 5, bad, 1), seL4_FailedLookup);
    assert_int_equal(kfx_mr(0), 1);
    /* an untyped with children is not copied */
    assert_int_equal(kfx_copy(101, u, seL4_AllRights), seL4_RevokeFirst);
    /* Mint of a CNode cap with a guard that does not fit: null cap -> IllegalOperation */
    assert_int_equal(kfx_mint(101, KFX_ROOT, seL4_AllRights, 60), seL4_IllegalOperation);
    assert_int_equal(kfx_count_caps(), before);
}

static void test_copy_rights_and_mint(void **state)
{
    (void)state;
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 100, 1), seL4_NoError);
    assert_int_equal(kfx_copy(101, 100, seL4_CanRead), seL4_NoError);
    assert_int_equal(cap_frame_cap_get_capFVMRights(kfx_slot(101)->cap), VM_READ_ONLY);
    assert_int_equal(kfx_copy(102, 101, seL4_AllRights), seL4_NoError); /* rights never grow */
    assert_int_equal(cap_frame_cap_get_capFVMRights(kfx_slot(102)->cap), VM_READ_ONLY);
    assert_int_equal(kfx_mint(103, 100, seL4_CanWrite, 1234), seL4_NoError); /* badge unused */
    assert_int_equal(cap_frame_cap_get_capFVMRights(kfx_slot(103)->cap), VM_KERNEL_ONLY);
    assert_int_equal(kfx_mint(104, 100, seL4_AllRights, 99), seL4_NoError);
    assert_memory_equal(&kfx_slot(104)->cap, &kfx_slot(100)->cap, sizeof(cap_t));
    /* copies are not revocable and not parents */
    assert_false(kfx_slot(101)->revocable);
    assert_true(kfx_slot(100)->revocable); /* from Retype */
}

static void test_derivation_order_and_final(void **state)
{
    (void)state;
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 200, 2), seL4_NoError);
    /* Retype: children follow the untyped; later objects are inserted right after it */
    assert_ptr_equal(kfx_slot(u)->mdb_next, kfx_slot(201));
    assert_ptr_equal(kfx_slot(201)->mdb_next, kfx_slot(200));
    assert_int_equal(kfx_copy(210, 200, seL4_AllRights), seL4_NoError);
    assert_int_equal(kfx_copy(211, 200, seL4_AllRights), seL4_NoError);
    assert_int_equal(kfx_copy(212, 210, seL4_AllRights), seL4_NoError);
    /* each copy goes right after its source: 200, 211, 210, 212 */
    assert_ptr_equal(kfx_slot(200)->mdb_next, kfx_slot(211));
    assert_ptr_equal(kfx_slot(211)->mdb_next, kfx_slot(210));
    assert_ptr_equal(kfx_slot(210)->mdb_next, kfx_slot(212));
    assert_ptr_equal(kfx_slot(212)->mdb_prev, kfx_slot(210));
    assert_true(cte_has_children(kfx_slot(u)));
    assert_true(cte_has_children(kfx_slot(200))); /* original frame cap is revocable */
    assert_false(cte_has_children(kfx_slot(210)));
    assert_false(cte_is_final(kfx_slot(200)));
    assert_true(cte_is_final(kfx_slot(201))); /* another frame: not the same object */
    assert_int_equal(kfx_delete(211), seL4_NoError);
    assert_int_equal(kfx_delete(212), seL4_NoError);
    assert_false(cte_is_final(kfx_slot(210)));
    assert_ptr_equal(kfx_slot(200)->mdb_next, kfx_slot(210));
    /* Move keeps the place in the tree */
    assert_int_equal(kfx_move(220, 210), seL4_NoError);
    assert_int_equal(T(210), cap_null_cap);
    assert_ptr_equal(kfx_slot(200)->mdb_next, kfx_slot(220));
    assert_ptr_equal(kfx_slot(220)->mdb_prev, kfx_slot(200));
    assert_int_equal(kfx_delete(200), seL4_NoError);
    assert_true(cte_is_final(kfx_slot(220)));
    /* deleting an empty slot is fine */
    assert_int_equal(kfx_delete(200), seL4_NoError);
    /* untyped copy: the original is marked full, the copy is its child */
    seL4_CPtr u2 = kfx_untyped(20, false);
    while (u2 < kfx.bi.untyped.end && cte_has_children(kfx_slot(u2)))
        u2++;
    assert_int_equal(kfx_copy(230, u2, seL4_AllRights), seL4_NoError);
    cap_t o = kfx_slot(u2)->cap;
    assert_true(cap_untyped_cap_get_capFreeIndex(o) == 1ull << cap_untyped_cap_get_capBlockSize(o));
    assert_true(cte_has_children(kfx_slot(u2)));
    assert_true(kfx_slot(230)->revocable);
}

static void test_revoke(void **state)
{
    (void)state;
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 300, 3), seL4_NoError);
    assert_int_equal(kfx_copy(310, 300, seL4_AllRights), seL4_NoError);
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 2, 320, 1), seL4_NoError);
    unsigned before = kfx_count_caps();
    /* Revoke a frame cap: its copy goes, the original stays */
    assert_int_equal(kfx_revoke(300), seL4_NoError);
    assert_int_equal(T(310), cap_null_cap);
    assert_int_equal(T(300), cap_frame_cap);
    assert_int_equal(kfx_count_caps(), before - 1);
    /* Revoke the untyped: every object cap goes; the untyped stays, and resets */
    assert_int_equal(kfx_revoke(u), seL4_NoError);
    for (seL4_CPtr s = 300; s < 330; s++)
        assert_int_equal(T(s), cap_null_cap);
    assert_int_equal(T(u), cap_untyped_cap);
    assert_false(cte_has_children(kfx_slot(u)));
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 300, 1), seL4_NoError);
    assert_true(cap_frame_cap_get_capFBasePtr_pfn(kfx_slot(300)->cap) ==
                cap_untyped_cap_get_capPtr_pfn(kfx_slot(u)->cap));
    /* Revoke a control cap: what it issued goes (the object layer's finaliser runs) */
    seL4_CPtr ctl = kfx.bi.smmu[0].sidControl;
    cte_insert(cap_sid_cap_new(5, 0), kfx_slot(ctl), kfx_slot(340));
    assert_true(kfx_slot(340)->revocable);
    assert_int_equal(kfx_copy(341, 340, seL4_AllRights), seL4_NoError);
    assert_false(cte_is_final(kfx_slot(340)));
    hooks.finalise_n = 0;
    assert_int_equal(kfx_revoke(ctl), seL4_NoError);
    assert_int_equal(T(340), cap_null_cap);
    assert_int_equal(T(341), cap_null_cap);
    assert_int_equal(T(ctl), cap_sid_control_cap);
    assert_int_equal(hooks.finalise_n, 2);
    assert_false(hooks.finalised_final[0]); /* the first of two SID caps */
    assert_true(hooks.finalised_final[1]);  /* the last one */
    assert_int_equal(cap_sid_cap_get_capSID(hooks.finalised[1]), 5);
}

/* Copy frame `src` into slot `i` of the CNode at root slot `cn` (radix 2). */
static void copy_into(seL4_CPtr cn, unsigned i, seL4_CPtr src)
{
    seL4_Word w[] = { i, 2, src, 64, seL4_AllRights };
    seL4_CPtr c[] = { KFX_ROOT };
    assert_int_equal(kfx_call(cn, CNodeCopy, w, 5, c, 1), seL4_NoError);
}

static void move_into(seL4_CPtr cn, unsigned i, seL4_CPtr src)
{
    seL4_Word w[] = { i, 2, src, 64 };
    seL4_CPtr c[] = { KFX_ROOT };
    assert_int_equal(kfx_call(cn, CNodeMove, w, 4, c, 1), seL4_NoError);
}

static void test_delete_cnode_with_contents(void **state)
{
    (void)state;
    seL4_CPtr u = ut20();
    seL4_CPtr ctl = kfx.bi.smmu[0].sidControl;
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 400, 1), seL4_NoError);
    /* a chain of 12 CNodes, each holding the only cap to the next; the last holds a frame
     * copy and a SID cap */
    enum { DEPTH = 12 };
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 2, 410, DEPTH), seL4_NoError);
    copy_into(410 + DEPTH - 1, 0, 400);
    cte_insert(cap_sid_cap_new(9, 0), kfx_slot(ctl), kfx_slot(430));
    move_into(410 + DEPTH - 1, 1, 430);
    for (int i = DEPTH - 2; i >= 0; i--)
        move_into(410 + (unsigned)i, 3, 410 + (unsigned)i + 1);
    assert_false(cte_is_final(kfx_slot(400)));
    hooks.finalise_n = 0;
    assert_int_equal(kfx_delete(410), seL4_NoError);
    assert_int_equal(T(410), cap_null_cap);
    assert_true(cte_is_final(kfx_slot(400))); /* the copy deep inside went */
    assert_int_equal(hooks.finalise_n, 1);
    assert_true(hooks.finalised_final[0]);
    assert_int_equal(cap_sid_cap_get_capSID(hooks.finalised[0]), 9);
    /* nothing but the untyped and the frame remain of this test */
    assert_ptr_equal(kfx_slot(u)->mdb_next, kfx_slot(400));
}

static void test_delete_cnode_cycles(void **state)
{
    (void)state;
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 500, 1), seL4_NoError);
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 2, 510, 3), seL4_NoError); /* A B S */
    /* S holds a cap to itself (the seL4 root-CNode pattern) and a frame copy */
    copy_into(512, 0, 512);
    copy_into(512, 1, 500);
    /* A and B hold the only caps to each other; both hold frame copies */
    assert_int_equal(kfx_copy(520, 510, seL4_AllRights), seL4_NoError); /* A', to invoke A */
    copy_into(510, 2, 500);
    copy_into(511, 2, 500);
    move_into(511, 0, 510); /* B[0] = A */
    move_into(520, 1, 511); /* A[1] = B */
    assert_int_equal(kfx_delete(520), seL4_NoError); /* not final: B[0] holds A */
    assert_int_equal(kfx_delete(512), seL4_NoError); /* not final: S[0] holds S */
    assert_false(cte_is_final(kfx_slot(500)));       /* three copies live in garbage */
    /* Revoke the untyped: the unreachable cycles are emptied too */
    assert_int_equal(kfx_revoke(u), seL4_NoError);
    assert_int_equal(T(500), cap_null_cap);
    assert_ptr_equal(kfx_slot(u)->mdb_next, NULL);
    assert_false(cte_has_children(kfx_slot(u)));
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 2, 510, 1), seL4_NoError);
}

static void test_delete_final_cnode_self_slot(void **state)
{
    (void)state;
    /* The only cap to a CNode lives in the CNode itself: deleting it through the CNode
     * deletes the CNode's contents including that slot. */
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 600, 1), seL4_NoError);
    assert_int_equal(kfx_retype(u, seL4_CapTableObject, 2, 610, 1), seL4_NoError);
    copy_into(610, 1, 600);
    assert_int_equal(kfx_copy(611, 610, seL4_AllRights), seL4_NoError);
    move_into(611, 0, 610); /* C[0] = C; 611 also C */
    seL4_Word w[] = { 0, 2 };
    assert_int_equal(kfx_delete(611), seL4_NoError); /* not final */
    /* invoke C through a fresh copy made from C[0]: impossible from the root, so use the
     * kernel directly: delete C[0] (the final cap) */
    cte_t *c0 = cnode_slots_of(kfx_slot(u)->mdb_next->cap);
    (void)w;
    assert_int_equal(cap_get_capType(c0[0].cap), cap_cnode_cap);
    cte_delete(&c0[0]);
    assert_int_equal(cap_get_capType(c0[0].cap), cap_null_cap);
    assert_int_equal(cap_get_capType(c0[1].cap), cap_null_cap);
    assert_true(cte_is_final(kfx_slot(600)));
}

static void test_kernel_copies_never_count(void **state)
{
    (void)state;
    seL4_CPtr u = ut20();
    assert_int_equal(kfx_retype(u, seL4_ARM_VSpaceObject, 0, 700, 1), seL4_NoError);
    assert_int_equal(kfx_copy(701, 700, seL4_AllRights), seL4_NoError);
    static cte_t kslot;
    memset(&kslot, 0, sizeof(kslot));
    cap_t k = cap_vspace_cap_set_capVSKernelCopy(kfx_slot(700)->cap, 1);
    cte_insert(k, kfx_slot(700), &kslot); /* 700, kernel copy, 701 */
    assert_ptr_equal(kfx_slot(700)->mdb_next, &kslot);
    assert_false(cte_is_final(kfx_slot(700)));
    assert_false(cte_is_final(&kslot));
    /* The copy 701 is 700's child (seL4: 700 came from Retype, so it is revocable), and
     * the kernel copy between them must not hide it (Revoke, the untyped reset check). */
    assert_true(cte_has_children(kfx_slot(700)));
    assert_int_equal(kfx_copy(702, 700, seL4_AllRights), seL4_NoError);
    assert_int_equal(kfx_delete(701), seL4_NoError);
    assert_int_equal(kfx_delete(702), seL4_NoError);
    assert_true(cte_is_final(kfx_slot(700)));          /* the kernel copy does not count */
    assert_int_equal(kfx_revoke(u), seL4_NoError);     /* deletes 700: the VSpace goes */
    assert_int_equal(hooks.deleted_n, 1);
    assert_int_equal(cap_get_capType(kslot.cap), cap_vspace_cap); /* the stand-in keeps it */
    cte_delete_one(&kslot);                            /* dropping it finalises nothing */
    assert_int_equal(hooks.deleted_n, 1);
    assert_int_equal(cap_get_capType(kslot.cap), cap_null_cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_layout, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_resolution_guards_depths, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_mint_move_errors, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_rights_and_mint, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_derivation_order_and_final, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_revoke, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_delete_cnode_with_contents, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_delete_cnode_cycles, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_delete_final_cnode_self_slot, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_kernel_copies_never_count, kfx_setup, kfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
