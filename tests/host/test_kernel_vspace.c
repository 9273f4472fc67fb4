/* VSpaces, page tables and frames: pgtable's caller-provided tables, seL4_ARM_PageTable_Map/
 * Unmap and seL4_ARM_Page_Map/Unmap/GetAddress with their errors, and the TLB protocol:
 * the CPU TLBI hook, then smmu_vspace_unmapped with the removed range, both while the frame
 * cap still holds its mapping and its slot (so the memory cannot have been reused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kernel_fixture.h"

#define T(s) cap_get_capType(kfx_slot(s)->cap)
#define VS 100   /* VSpace */
#define PT2 101  /* page tables */
#define PT3 102
#define PT3B 103
#define F0 110   /* 4K frames 110.. */
#define LARGE 130
#define HUGE 131
#define GB (1ull << 30)

static struct vspace_obj *vs(void) { return vspace_from_cap(kfx_slot(VS)->cap); }
static paddr_t frame_pa(seL4_CPtr s) { return cap_frame_cap_get_capFBasePtr_pfn(kfx_slot(s)->cap) << 12; }
static paddr_t pt_pa(seL4_CPtr s) { return cap_page_table_cap_get_capPTBasePtr_pfn(kfx_slot(s)->cap) << 12; }

static seL4_Error page_map(seL4_CPtr f, seL4_CPtr v, seL4_Word vaddr, seL4_Word rights, seL4_Word attr)
{
    seL4_Word w[] = { vaddr, rights, attr };
    seL4_CPtr c[] = { v };
    return kfx_call(f, ARMPageMap, w, 3, c, 1);
}

static seL4_Error pt_map_call(seL4_CPtr p, seL4_CPtr v, seL4_Word vaddr)
{
    seL4_Word w[] = { vaddr, seL4_ARM_Default_VMAttributes };
    seL4_CPtr c[] = { v };
    return kfx_call(p, ARMPageTableMap, w, 2, c, 1);
}

static seL4_Error call0(seL4_CPtr cap, seL4_Word label) { return kfx_call(cap, label, NULL, 0, NULL, 0); }

static int setup(void **state)
{
    if (kfx_setup(state))
        return -1;
    seL4_CPtr u = kfx_untyped(22, false); /* 4 MiB: objects, then a 2M frame */
    seL4_CPtr d = kfx_untyped(31, true);
    if (!u || !d)
        return -1;
    if (kfx_retype(u, seL4_ARM_LargePageObject, 0, LARGE, 1) ||
        kfx_retype(u, seL4_ARM_VSpaceObject, 0, VS, 1) ||
        kfx_retype(u, seL4_ARM_PageTableObject, 0, PT2, 3) ||
        kfx_retype(u, seL4_ARM_SmallPageObject, 0, F0, 8) ||
        kfx_retype(d, seL4_ARM_HugePageObject, 0, HUGE, 1))
        return -1;
    memset(&hooks, 0, sizeof(hooks));
    host_tlbi_reset();
    return 0;
}

static void test_pgtable_caller_tables(void **state)
{
    (void)state;
    struct pt *pt = &vs()->pt;
    paddr_t t2 = pt_pa(PT2), t3 = pt_pa(PT3);
    unsigned level;
    uint64_t d;
    assert_int_equal(pt_lookup(pt, 0x40201000, &level, &d), ERR_NONE);
    assert_int_equal(level, 1);
    assert_true(d == 0);
    assert_int_equal(pt_lookup(pt, 1ull << 40, &level, &d), ERR_RANGE);
    /* level 3 needs a level-2 table first; level 1 is the root's own level */
    assert_int_equal(pt_install_table(pt, 0x40200000, 3, t3), ERR_NOT_MAPPED);
    assert_int_equal(pt_install_table(pt, 0x40200000, 1, t2), ERR_INVALID);
    assert_int_equal(pt_install_table(pt, 0x40200000, 2, t2 + 8), ERR_ALIGN);
    assert_int_equal(pt_install_table(pt, 1ull << 40, 2, t2), ERR_RANGE);
    assert_int_equal(pt_install_table(pt, 0x40200000, 2, t2), ERR_NONE);
    assert_int_equal(pt_install_table(pt, 0x40000000, 2, t3), ERR_EXISTS);
    assert_int_equal(pt_install_table(pt, 0x40200000, 3, t3), ERR_NONE);
    assert_int_equal(pt_lookup(pt, 0x40201000, &level, &d), ERR_NONE);
    assert_int_equal(level, 3);
    /* pt_map never allocates here: the tables exist */
    struct pt_attrs a = { PT_PERM_R | PT_PERM_W, PT_MEM_NORMAL_WB };
    assert_int_equal(pt_map(pt, 0x40201000, frame_pa(F0), 4096, a), ERR_NONE);
    assert_int_equal(pt_map(pt, 0x80000000, frame_pa(F0), 4096, a), ERR_NO_MEMORY); /* no pool */
    /* remove: only the table that is there, at its level */
    assert_int_equal(pt_remove_table(pt, 0x40200000, 3, t2), ERR_NOT_MAPPED);
    assert_int_equal(pt_remove_table(pt, 0x80200000, 3, t3), ERR_NOT_MAPPED);
    assert_int_equal(pt_remove_table(pt, 0x40200000, 3, t3), ERR_NONE);
    struct pt_walk_result w;
    assert_int_equal(pt_walk(pt, 0x40201000, &w), ERR_NOT_MAPPED);
    assert_int_equal(pt_remove_table(pt, 0x40000000, 2, t2), ERR_NONE);
    assert_int_equal(pt_lookup(pt, 0x40201000, &level, &d), ERR_NONE);
    assert_int_equal(level, 1);
}

static void test_map_needs_tables(void **state)
{
    (void)state;
    const seL4_Word va = 0x40201000;
    /* no table yet: FailedLookup (not the source) */
    assert_int_equal(page_map(F0, VS, va, seL4_AllRights, seL4_ARM_Default_VMAttributes), seL4_FailedLookup);
    assert_int_equal(kfx_mr(0), 0);
    /* the first table goes at level 2 (covering the 1G), the next at level 3 */
    assert_int_equal(pt_map_call(PT2, VS, va), seL4_NoError);
    cap_t p = kfx_slot(PT2)->cap;
    assert_int_equal(cap_page_table_cap_get_capPTIsMapped(p), 1);
    assert_int_equal(cap_page_table_cap_get_capPTLevel(p), 2);
    assert_true(cap_page_table_cap_get_capPTMappedAddress_pfn(p) << 12 == 0x40000000);
    assert_int_equal(cap_page_table_cap_get_capPTMappedVMID(p), vs()->vmid);
    assert_int_equal(page_map(F0, VS, va, seL4_AllRights, seL4_ARM_Default_VMAttributes), seL4_FailedLookup);
    assert_int_equal(pt_map_call(PT3, VS, va), seL4_NoError);
    assert_int_equal(cap_page_table_cap_get_capPTLevel(kfx_slot(PT3)->cap), 3);
    assert_true(cap_page_table_cap_get_capPTMappedAddress_pfn(kfx_slot(PT3)->cap) << 12 == 0x40200000);
    /* every level present: another table has nowhere to go */
    assert_int_equal(pt_map_call(PT3B, VS, va + 4096), seL4_DeleteFirst);
    /* a mapped table is not mapped again */
    assert_int_equal(pt_map_call(PT3, VS, 0x80000000), seL4_InvalidCapability);
    assert_int_equal(kfx_mr(0), SYSCALL_INVOKED_CAP);
    /* not a VSpace; outside the IPA space; truncated */
    assert_int_equal(pt_map_call(PT3B, F0, 0x80000000), seL4_InvalidCapability);
    assert_int_equal(kfx_mr(0), ARMPageTableMap_vspace);
    assert_int_equal(pt_map_call(PT3B, VS, 1ull << 40), seL4_InvalidArgument);
    assert_int_equal(kfx_mr(0), ARMPageTableMap_vaddr);
    seL4_Word w[] = { 0x80000000 };
    seL4_CPtr c[] = { VS };
    assert_int_equal(kfx_call(PT3B, ARMPageTableMap, w, 1, c, 1), seL4_TruncatedMessage);
    assert_int_equal(cap_page_table_cap_get_capPTIsMapped(kfx_slot(PT3B)->cap), 0);

    assert_int_equal(page_map(F0, VS, va, seL4_AllRights, seL4_ARM_Default_VMAttributes), seL4_NoError);
    struct pt_walk_result r;
    assert_int_equal(pt_walk(&vs()->pt, va + 0x123, &r), ERR_NONE);
    assert_true(r.pa == frame_pa(F0) + 0x123);
    assert_int_equal(r.level, 3);
    assert_int_equal(r.attrs.perms, PT_PERM_R | PT_PERM_W | PT_PERM_X);
    assert_int_equal(r.attrs.mem, PT_MEM_NORMAL_WB);
    cap_t f = kfx_slot(F0)->cap;
    assert_int_equal(cap_frame_cap_get_capFIsMapped(f), 1);
    assert_int_equal(cap_frame_cap_get_capFMappedVMID(f), vs()->vmid);
    assert_true(cap_frame_cap_get_capFMappedAddress_pfn(f) << 12 == va);
    /* GetAddress */
    assert_int_equal(call0(F0, ARMPageGetAddress), seL4_NoError);
    assert_int_equal(kfx_reply_len(), 1);
    assert_true(kfx_mr(0) == frame_pa(F0));
}

static void test_map_errors(void **state)
{
    (void)state;
    const seL4_Word va = 0x40201000;
    assert_int_equal(pt_map_call(PT2, VS, va), seL4_NoError);
    assert_int_equal(pt_map_call(PT3, VS, va), seL4_NoError);
    assert_int_equal(page_map(F0, VS, va, seL4_AllRights, 0), seL4_NoError);
    unsigned tl = host_tlbi_log.n;
    cap_t f1 = kfx_slot(F0 + 1)->cap;
    /* mapped again (the same cap): InvalidCapability naming the invoked cap */
    assert_int_equal(page_map(F0, VS, va + 4096, seL4_AllRights, 0), seL4_InvalidCapability);
    assert_int_equal(kfx_mr(0), SYSCALL_INVOKED_CAP);
    /* something is there already */
    assert_int_equal(page_map(F0 + 1, VS, va, seL4_AllRights, 0), seL4_DeleteFirst);
    /* a 2M frame where a level-3 table is, and inside a range another 2M block covers */
    assert_int_equal(page_map(LARGE, VS, 0x40200000, seL4_AllRights, 0), seL4_DeleteFirst);
    /* alignment, range, vspace cap, truncated */
    assert_int_equal(page_map(F0 + 1, VS, va + 1, seL4_AllRights, 0), seL4_AlignmentError);
    assert_int_equal(page_map(LARGE, VS, 0x40001000, seL4_AllRights, 0), seL4_AlignmentError);
    assert_int_equal(page_map(F0 + 1, VS, 1ull << 40, seL4_AllRights, 0), seL4_InvalidArgument);
    assert_int_equal(kfx_mr(0), ARMPageMap_vaddr);
    assert_int_equal(page_map(F0 + 1, VS, (1ull << 40) - 4096, seL4_AllRights, 0), seL4_FailedLookup);
    assert_int_equal(page_map(F0 + 1, PT2, va + 4096, seL4_AllRights, 0), seL4_InvalidCapability);
    assert_int_equal(kfx_mr(0), ARMPageMap_vspace);
    assert_int_equal(page_map(F0 + 1, KFX_ROOT, va + 4096, seL4_AllRights, 0), seL4_InvalidCapability);
    seL4_Word w[] = { va + 4096, seL4_AllRights, 0 };
    seL4_CPtr c[] = { VS };
    assert_int_equal(kfx_call(F0 + 1, ARMPageMap, w, 2, c, 1), seL4_TruncatedMessage);
    assert_int_equal(kfx_call(F0 + 1, ARMPageMap, w, 3, c, 0), seL4_TruncatedMessage);
    assert_int_equal(kfx_call(F0 + 1, ARMPageTableMap, w, 3, c, 1), seL4_IllegalOperation);
    assert_memory_equal(&kfx_slot(F0 + 1)->cap, &f1, sizeof(cap_t));
    struct pt_walk_result r;
    assert_int_equal(pt_walk(&vs()->pt, va + 4096, &r), ERR_NOT_MAPPED);
    assert_int_equal(host_tlbi_log.n, tl);
    assert_int_equal(hooks.unmapped_n, 0);
}

static void test_rights_and_attributes(void **state)
{
    (void)state;
    const seL4_Word va = 0x40200000;
    assert_int_equal(pt_map_call(PT2, VS, va), seL4_NoError);
    assert_int_equal(pt_map_call(PT3, VS, va), seL4_NoError);
    struct pt_walk_result r;
    /* rights masked by the call */
    assert_int_equal(page_map(F0, VS, va, seL4_CanRead, seL4_ARM_Default_VMAttributes), seL4_NoError);
    assert_int_equal(pt_walk(&vs()->pt, va, &r), ERR_NONE);
    assert_int_equal(r.attrs.perms, PT_PERM_R | PT_PERM_X);
    /* rights masked by the cap: a read-only copy maps read-only whatever is asked */
    assert_int_equal(kfx_copy(200, F0 + 1, seL4_CanRead), seL4_NoError);
    assert_int_equal(page_map(200, VS, va + 4096, seL4_AllRights, seL4_ARM_ExecuteNever), seL4_NoError);
    assert_int_equal(pt_walk(&vs()->pt, va + 4096, &r), ERR_NONE);
    assert_int_equal(r.attrs.perms, PT_PERM_R);
    /* write-only: kernel only, no access at all */
    assert_int_equal(page_map(F0 + 2, VS, va + 8192, seL4_CanWrite, 0), seL4_NoError);
    assert_int_equal(pt_walk(&vs()->pt, va + 8192, &r), ERR_NONE);
    assert_int_equal(r.attrs.perms, 0);
    /* not cacheable: Device-nGnRnE (seL4 AArch64) */
    assert_int_equal(page_map(F0 + 3, VS, va + 12288, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(pt_walk(&vs()->pt, va + 12288, &r), ERR_NONE);
    assert_int_equal(r.attrs.mem, PT_MEM_DEVICE_nGnRnE);
    assert_int_equal(r.attrs.perms, PT_PERM_R | PT_PERM_W | PT_PERM_X);
}

/* ---- unmap ordering ---- */
static seL4_CPtr watched_slot;
static unsigned watch_ok;

static void check_at_unmapped(struct vspace_obj *v, uint64_t ipa, uint64_t size, unsigned leaf)
{
    (void)leaf;
    cte_t *s = kfx_slot(watched_slot);
    struct pt_walk_result r;
    /* the leaf is gone, the CPU TLBI was issued, and the frame cap still holds its mapping
     * and its slot (and thus its place under the untyped): memory not yet reusable */
    assert_int_equal(pt_walk(&v->pt, ipa, &r), ERR_NOT_MAPPED);
    assert_true(host_tlbi_log.n >= 1);
    const struct host_tlbi_event *e = &host_tlbi_log.ev[host_tlbi_log.n - 1];
    assert_int_equal(e->kind, HOST_TLBI_IPA);
    assert_int_equal(e->vmid, v->vmid);
    assert_true(e->ipa == ipa);
    assert_int_equal(cap_get_capType(s->cap), cap_frame_cap);
    assert_int_equal(cap_frame_cap_get_capFIsMapped(s->cap), 1);
    assert_non_null(s->mdb_prev);
    assert_true(size >= 4096);
    watch_ok++;
}

static void test_unmap_invalidates_before_release(void **state)
{
    (void)state;
    const seL4_Word va = 0x40200000;
    assert_int_equal(pt_map_call(PT2, VS, va), seL4_NoError);
    assert_int_equal(pt_map_call(PT3, VS, va), seL4_NoError);
    assert_int_equal(page_map(F0, VS, va + 0x5000, seL4_AllRights, 1), seL4_NoError);
    assert_int_equal(page_map(F0 + 1, VS, va + 0x6000, seL4_AllRights, 1), seL4_NoError);
    hook_on_unmapped = check_at_unmapped;

    /* Unmap invocation */
    watched_slot = F0;
    assert_int_equal(call0(F0, ARMPageUnmap), seL4_NoError);
    assert_int_equal(watch_ok, 1);
    assert_int_equal(hooks.unmapped_n, 1);
    assert_ptr_equal(hooks.unmapped[0].vs, vs());
    assert_true(hooks.unmapped[0].ipa == va + 0x5000 && hooks.unmapped[0].size == 4096);
    assert_int_equal(hooks.unmapped[0].leaf_level, 3);
    assert_int_equal(hooks.unmapped[0].tlbi_calls, 1); /* the CPU TLBI came first */
    cap_t f = kfx_slot(F0)->cap;
    assert_int_equal(cap_frame_cap_get_capFIsMapped(f), 0);
    assert_int_equal(cap_frame_cap_get_capFMappedVMID(f), 0);
    /* unmapping an unmapped frame does nothing */
    assert_int_equal(call0(F0, ARMPageUnmap), seL4_NoError);
    assert_int_equal(hooks.unmapped_n, 1);
    /* and it can be mapped again elsewhere */
    assert_int_equal(page_map(F0, VS, va + 0x7000, seL4_AllRights, 1), seL4_NoError);

    /* Deleting a mapped frame cap (the final one) */
    watched_slot = F0 + 1;
    assert_int_equal(kfx_delete(F0 + 1), seL4_NoError);
    assert_int_equal(watch_ok, 2);
    assert_int_equal(T(F0 + 1), cap_null_cap);
    assert_true(hooks.unmapped[1].ipa == va + 0x6000 && hooks.unmapped[1].size == 4096);

    /* A copy of a mapped frame is unmapped and maps on its own; revoking the original
     * unmaps the copy's mapping too */
    assert_int_equal(kfx_copy(200, F0, seL4_AllRights), seL4_NoError);
    assert_int_equal(cap_frame_cap_get_capFIsMapped(kfx_slot(200)->cap), 0);
    assert_int_equal(page_map(200, VS, va + 0x8000, seL4_AllRights, 1), seL4_NoError);
    watched_slot = 200;
    assert_int_equal(kfx_revoke(F0), seL4_NoError);
    assert_int_equal(hooks.unmapped_n, 3);
    assert_true(hooks.unmapped[2].ipa == va + 0x8000);
    hook_on_unmapped = NULL;
    struct pt_walk_result r;
    assert_int_equal(pt_walk(&vs()->pt, va + 0x7000, &r), ERR_NONE); /* F0's own mapping stays */
}

static void test_large_and_huge(void **state)
{
    (void)state;
    assert_int_equal(pt_map_call(PT2, VS, 0x40000000), seL4_NoError);
    assert_int_equal(page_map(LARGE, VS, 0x40400000, seL4_AllRights, 1), seL4_NoError);
    /* a 1G device frame needs no table: it is a level-1 block in the root */
    assert_int_equal(page_map(HUGE, VS, 3 * GB, seL4_ReadWrite, 0), seL4_NoError);
    struct pt_walk_result r;
    assert_int_equal(pt_walk(&vs()->pt, 3 * GB + 12345, &r), ERR_NONE);
    assert_int_equal(r.level, 1);
    assert_true(r.pa == KFX_DEV_BASE + 12345);
    /* a table cannot go where a block is */
    assert_int_equal(pt_map_call(PT3, VS, 3 * GB), seL4_DeleteFirst);
    assert_int_equal(pt_map_call(PT3, VS, 0x40400000), seL4_DeleteFirst);
    assert_int_equal(call0(LARGE, ARMPageUnmap), seL4_NoError);
    assert_int_equal(call0(HUGE, ARMPageUnmap), seL4_NoError);
    assert_int_equal(hooks.unmapped_n, 2);
    assert_true(hooks.unmapped[0].ipa == 0x40400000 && hooks.unmapped[0].size == (2u << 20));
    assert_int_equal(hooks.unmapped[0].leaf_level, 2);
    assert_true(hooks.unmapped[1].ipa == 3 * GB && hooks.unmapped[1].size == GB);
    assert_int_equal(hooks.unmapped[1].leaf_level, 1);
    assert_int_equal(host_tlbi_log.n, 2);
    assert_true(host_tlbi_log.ev[1].ipa == 3 * GB);
}

static void test_page_table_unmap_and_copies(void **state)
{
    (void)state;
    const seL4_Word va = 0x40200000;
    /* copies: an unmapped table is not copied; a mapped one copies as mapped */
    assert_int_equal(kfx_copy(200, PT3, seL4_AllRights), seL4_IllegalOperation);
    assert_int_equal(pt_map_call(PT2, VS, va), seL4_NoError);
    assert_int_equal(pt_map_call(PT3, VS, va), seL4_NoError);
    assert_int_equal(page_map(F0, VS, va + 0x3000, seL4_AllRights, 1), seL4_NoError);
    assert_int_equal(kfx_copy(200, PT3, seL4_AllRights), seL4_NoError);
    assert_memory_equal(&kfx_slot(200)->cap, &kfx_slot(PT3)->cap, sizeof(cap_t));
    /* only the final cap unmaps */
    assert_int_equal(call0(PT3, ARMPageTableUnmap), seL4_RevokeFirst);
    assert_int_equal(kfx_delete(200), seL4_NoError); /* a non-final copy: nothing happens */
    assert_int_equal(host_tlbi_log.n, 0);
    assert_int_equal(call0(PT3, ARMPageTableUnmap), seL4_NoError);
    /* the table is gone from the VSpace, the VMID flushed, the SMMU told the whole 2M */
    struct pt_walk_result r;
    assert_int_equal(pt_walk(&vs()->pt, va + 0x3000, &r), ERR_NOT_MAPPED);
    assert_int_equal(host_tlbi_log.n, 1);
    assert_int_equal(host_tlbi_log.ev[0].kind, HOST_TLBI_VMID);
    assert_int_equal(host_tlbi_log.ev[0].vmid, vs()->vmid);
    assert_int_equal(hooks.unmapped_n, 1);
    assert_true(hooks.unmapped[0].ipa == va && hooks.unmapped[0].size == (2u << 20));
    assert_int_equal(hooks.unmapped[0].leaf_level, 0);
    assert_int_equal(cap_page_table_cap_get_capPTIsMapped(kfx_slot(PT3)->cap), 0);
    const uint64_t *tbl = (const uint64_t *)(uintptr_t)pt_pa(PT3);
    for (unsigned i = 0; i < 512; i++)
        assert_true(tbl[i] == 0); /* cleared for its next use */
    /* the frame cap still says mapped; its unmap is a no-op */
    assert_int_equal(cap_frame_cap_get_capFIsMapped(kfx_slot(F0)->cap), 1);
    assert_int_equal(call0(F0, ARMPageUnmap), seL4_NoError);
    assert_int_equal(hooks.unmapped_n, 1);
    /* the table maps again, elsewhere */
    assert_int_equal(pt_map_call(PT3, VS, va + (4u << 20)), seL4_NoError);
    /* deleting the final level-2 table cap unmaps it (with what hangs below) */
    assert_int_equal(kfx_delete(PT2), seL4_NoError);
    assert_int_equal(hooks.unmapped_n, 2);
    assert_true(hooks.unmapped[1].ipa == 0x40000000 && hooks.unmapped[1].size == GB);
    unsigned level;
    uint64_t d;
    assert_int_equal(pt_lookup(&vs()->pt, va, &level, &d), ERR_NONE);
    assert_int_equal(level, 1);
    /* PT3 (detached with PT2) unmaps as a no-op */
    assert_int_equal(call0(PT3, ARMPageTableUnmap), seL4_NoError);
    assert_int_equal(hooks.unmapped_n, 2);
}

static void test_vspace_delete(void **state)
{
    (void)state;
    const seL4_Word va = 0x40200000;
    struct vspace_obj *v = vs();
    uint16_t vmid = v->vmid;
    assert_int_equal(pt_map_call(PT2, VS, va), seL4_NoError);
    assert_int_equal(pt_map_call(PT3, VS, va), seL4_NoError);
    assert_int_equal(page_map(F0, VS, va, seL4_AllRights, 1), seL4_NoError);
    assert_int_equal(kfx_copy(200, VS, seL4_AllRights), seL4_NoError);
    assert_int_equal(kfx_delete(VS), seL4_NoError); /* not final */
    assert_int_equal(hooks.deleted_n, 0);
    assert_int_equal(call0(200, ARMPageUnmap), seL4_IllegalOperation); /* no VSpace invocations */
    assert_int_equal(kfx_delete(200), seL4_NoError);
    assert_int_equal(hooks.deleted_n, 1);
    assert_ptr_equal(hooks.deleted[0], v);
    assert_int_equal(hooks.deleted_vmid[0], vmid);
    /* the CPU flush of the VMID comes after the SMMU side */
    assert_int_equal(host_tlbi_log.n, 1);
    assert_int_equal(host_tlbi_log.ev[0].kind, HOST_TLBI_VMID);
    assert_int_equal(host_tlbi_log.ev[0].vmid, vmid);
    assert_false(v->live);
    /* caps mapped in it unmap as no-ops */
    assert_int_equal(call0(F0, ARMPageUnmap), seL4_NoError);
    assert_int_equal(call0(PT3, ARMPageTableUnmap), seL4_NoError);
    assert_int_equal(hooks.unmapped_n, 0);
    /* a dead VSpace is not a map target */
    assert_int_equal(pt_map_call(PT3B, VS, va), seL4_InvalidCapability);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pgtable_caller_tables, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_map_needs_tables, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_map_errors, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_rights_and_attributes, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_unmap_invalidates_before_release, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_large_and_huge, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_page_table_unmap_and_copies, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_vspace_delete, setup, kfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
