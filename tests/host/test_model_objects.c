/* The capability objects end to end on the reference model: the root task's calls go
 * through the generated stubs into the kernel, the objects and the driver, and a device's
 * view is what the model translates, with its caches. After every step a device must
 * reach exactly what the capabilities grant, and the driver must never break a
 * programming rule the model checks (teardown asserts it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model_fixture.h"
#include "pgtable/pgtable.h"
#include "smmuv3/cd.h"

#define SIDA 0x10u
#define SIDB 0x18u

static int setup(void **state)
{
    (void)state;
    return mfx_start(NULL) || mfx.init_err != ERR_NONE ? -1 : 0;
}

static int setup_dirty(void **state)
{
    (void)state;
    struct mfx_opts o = { .dirty_reset = true };
    return mfx_start(&o) || mfx.init_err != ERR_NONE ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    mfx_stop_checked(true);
    return 0;
}

static void test_boot_everything_aborts(void **state)
{
    (void)state;
    /* The model started with junk bypass STEs and TLB entries (dirty_reset): smmu_init's
     * CFGI_ALL + TLBI_NSNH_ALL must have removed them. */
    for (uint32_t sid = 0; sid < 64; sid++)
        mfx_expect_denied(sid, 0x1000, true);
    mfx_expect_denied(SIDA, 0, false);
    /* An issued SID aborts silently; an unissued one has no level-2 table: C_BAD_STREAMID. */
    struct model_txn t = { .sid = SIDA, .addr = 0x2000 };
    struct model_result r;
    model_translate_ex(&mfx.m, &t, &r);
    assert_int_equal(r.event, MEV_NONE);
    t.sid = 0x4000;
    model_translate_ex(&mfx.m, &t, &r);
    assert_int_equal(r.event, MEV_C_BAD_STREAMID);
    assert_true(r.recorded); /* CR2.RECINVSID */
    struct smmu_event ev;
    assert_true(smmu_eventq_pop(&mfx.smmu, &ev));
    assert_int_equal(ev.type, MEV_C_BAD_STREAMID);
    assert_int_equal(ev.sid, 0x4000);
}

static void test_stage2_flow(void **state)
{
    (void)state;
    seL4_CPtr sid = mfx.bi.smmu[0].sids.start, sid_b = sid + 1, cb = mfx.bi.smmu[0].cbs.start;
    seL4_CPtr vs = mfx_retype(seL4_ARM_VSpaceObject, 0);
    const uint64_t va = 0x10000000;
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    mfx_expect_denied(SIDA, va, false);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    /* Bound, nothing mapped: F_TRANSLATION at stage 2, recorded (S2R) with SID and IPA. */
    struct model_txn t = { .sid = SIDA, .addr = va + 0x40, .write = true };
    struct model_result r;
    assert_false(model_translate_ex(&mfx.m, &t, &r));
    assert_int_equal(r.event, MEV_F_TRANSLATION);
    struct smmu_event ev;
    assert_true(smmu_eventq_pop(&mfx.smmu, &ev));
    assert_int_equal(ev.type, MEV_F_TRANSLATION);
    assert_int_equal(ev.sid, SIDA);
    assert_true(ev.stage2);
    assert_false(ev.is_read);
    assert_int_equal(ev.class_, EVT_CLASS_IN);
    assert_int_equal(ev.input_addr, va + 0x40);
    assert_int_equal(ev.ipa, va);

    seL4_CPtr frame = mfx_map_frame(vs, va, seL4_ReadWrite);
    uint64_t pa = mfx_frame_pa(frame);
    mfx_expect_reaches(SIDA, va + 0x123, true, pa + 0x123);
    mfx_expect_reaches(SIDA, va + 0x123, false, pa + 0x123);
    mfx_expect_denied(SIDB, va, false);               /* not bound */
    mfx_expect_denied(SIDA, va + PAGE_SIZE, false);   /* not mapped */
    /* Read-only mapping. */
    seL4_CPtr ro = mfx_map_frame(vs, va + 2 * PAGE_SIZE, seL4_CanRead);
    mfx_expect_reaches(SIDA, va + 2 * PAGE_SIZE, false, mfx_frame_pa(ro));
    mfx_expect_denied(SIDA, va + 2 * PAGE_SIZE, true);
    /* Unmap: the model cached the translation; the driver's TLBI must remove it. */
    assert_int_equal(seL4_ARM_Page_Unmap(frame), seL4_NoError);
    mfx_expect_denied(SIDA, va, false);
    mfx_expect_denied(SIDA, va, true);
    /* Map it again read-only: the cached RW permission must not survive either. */
    assert_int_equal(seL4_ARM_Page_Map(frame, vs, va, seL4_CanRead, seL4_ARM_Default_VMAttributes), seL4_NoError);
    mfx_expect_reaches(SIDA, va, false, pa);
    mfx_expect_denied(SIDA, va, true);
    /* One CB, two SIDs. */
    assert_int_equal(seL4_ARM_SID_BindCB(sid_b, cb), seL4_NoError);
    mfx_expect_reaches(SIDB, va, false, pa);
    /* Unbind A: its cached STE must go; B keeps translating. */
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid), seL4_NoError);
    mfx_expect_denied(SIDA, va, false);
    mfx_expect_reaches(SIDB, va, false, pa);
    /* Deleting B's last cap. */
    assert_int_equal(seL4_CNode_Delete(MFX_ROOT, sid_b, MFX_DEPTH), seL4_NoError);
    mfx_expect_denied(SIDB, va, false);
    /* Rebind A, then unassign the VSpace: SIDs abort, the VMID's entries go. */
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    mfx_expect_reaches(SIDA, va, false, pa);
    assert_int_equal(seL4_ARM_CB_UnassignVspace(cb), seL4_NoError);
    mfx_expect_denied(SIDA, va, false);
    /* Another VSpace on the same CB (same VMID): nothing of the old one may show. */
    seL4_CPtr vs2 = mfx_retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs2), seL4_NoError);
    mfx_expect_denied(SIDA, va, false);
    seL4_CPtr f2 = mfx_map_frame(vs2, va + PAGE_SIZE, seL4_ReadWrite);
    mfx_expect_reaches(SIDA, va + PAGE_SIZE, true, mfx_frame_pa(f2));
    mfx_expect_denied(SIDA, va, false);
    /* Deleting the VSpace. */
    assert_int_equal(seL4_CNode_Delete(MFX_ROOT, vs2, MFX_DEPTH), seL4_NoError);
    mfx_expect_denied(SIDA, va + PAGE_SIZE, false);
    /* Deleting the CB. */
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    mfx_expect_reaches(SIDA, va, false, pa);
    assert_int_equal(seL4_CNode_Delete(MFX_ROOT, cb, MFX_DEPTH), seL4_NoError);
    mfx_expect_denied(SIDA, va, false);
}

static void test_bypass(void **state)
{
    (void)state;
    seL4_CPtr sid = mfx.bi.smmu[0].sids.start;
    seL4_CPtr bypass = mfx_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetBypass(seL4_CapSMMUSIDControl, MFX_ROOT, bypass, MFX_DEPTH), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_Bypass(sid, bypass), seL4_NoError);
    mfx_expect_reaches(SIDA, 0x40000000, true, 0x40000000);
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid), seL4_NoError);
    mfx_expect_denied(SIDA, 0x40000000, true);
    assert_int_equal(seL4_ARM_SID_Bypass(sid, bypass), seL4_NoError);
    mfx_expect_reaches(SIDA, 0x40000000, false, 0x40000000);
    assert_int_equal(seL4_CNode_Delete(MFX_ROOT, sid, MFX_DEPTH), seL4_NoError);
    mfx_expect_denied(SIDA, 0x40000000, false);
}

/* A page table is unmapped and then used again elsewhere. The SMMU may have cached the
 * table descriptor that pointed at it (a walk cache, 3.21.1); only a TLBI with Leaf = 0
 * removes that (4.4). If it survives, the device walks the reused table at the old
 * address and reaches whatever is mapped there now. */
static void test_page_table_unmap_and_reuse(void **state)
{
    (void)state;
    seL4_CPtr sid = mfx.bi.smmu[0].sids.start, cb = mfx.bi.smmu[0].cbs.start;
    seL4_CPtr vs = mfx_retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    const uint64_t va1 = 0x10000000, va2 = 0x10600000; /* two 2 MiB regions, same L3 index */
    /* Tables by hand so we hold the level-3 table's cap. */
    seL4_CPtr l2 = mfx_retype(seL4_ARM_PageTableObject, 0), l3 = mfx_retype(seL4_ARM_PageTableObject, 0);
    assert_int_equal(seL4_ARM_PageTable_Map(l2, vs, va1, seL4_ARM_Default_VMAttributes), seL4_NoError);
    assert_int_equal(seL4_ARM_PageTable_Map(l3, vs, va1, seL4_ARM_Default_VMAttributes), seL4_NoError);
    seL4_CPtr f1 = mfx_map_frame(vs, va1, seL4_ReadWrite);
    mfx_expect_reaches(SIDA, va1, false, mfx_frame_pa(f1)); /* the walk caches L1 and L2 table descriptors */
    assert_int_equal(seL4_ARM_PageTable_Unmap(l3), seL4_NoError);
    mfx_expect_denied(SIDA, va1, false);
    /* The same table object now serves va2, and a new frame is mapped at va2. */
    assert_int_equal(seL4_ARM_PageTable_Map(l3, vs, va2, seL4_ARM_Default_VMAttributes), seL4_NoError);
    seL4_CPtr f2 = mfx_map_frame(vs, va2, seL4_ReadWrite);
    mfx_expect_reaches(SIDA, va2, true, mfx_frame_pa(f2));
    /* Nothing is mapped at va1: the caps grant nothing there. */
    mfx_expect_denied(SIDA, va1, true);
}

/* ---- nested: the root task as a guest with its own CDs and stage-1 tables -------------- */

struct guest {
    seL4_CPtr vs, cb, sid;
    uint64_t cd_ipa, ttb_ipa;
    uint64_t *cd, *ttb, *l2, *l3; /* CPU views of the guest's CD and stage-1 tables */
    uint64_t l2_ipa, l3_ipa;
};

/* Map a frame of the guest at `ipa` and return its CPU address (identity on the host). */
static uint64_t *guest_page(struct guest *g, uint64_t ipa)
{
    seL4_CPtr f = mfx_map_frame(g->vs, ipa, seL4_ReadWrite);
    uint64_t *p = (uint64_t *)(uintptr_t)mfx_frame_pa(f);
    memset(p, 0, PAGE_SIZE);
    return p;
}

static const uint64_t S1_PAGE = 3 | (1u << 6) | (3u << 8) | (1u << 10) | (1u << 11); /* RW EL0, AF, nG */

static void guest_start(struct guest *g)
{
    g->sid = mfx.bi.smmu[0].sids.start;
    g->cb = mfx.bi.smmu[0].cbs.start;
    g->vs = mfx_retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(g->cb, g->vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(g->sid, g->cb), seL4_NoError);
    g->cd_ipa = 0x20000000;
    g->ttb_ipa = 0x20001000;
    g->l2_ipa = 0x20002000;
    g->l3_ipa = 0x20003000;
    g->cd = guest_page(g, g->cd_ipa);
    g->ttb = guest_page(g, g->ttb_ipa);
    g->l2 = guest_page(g, g->l2_ipa);
    g->l3 = guest_page(g, g->l3_ipa);
    /* Stage 1 for VAs 0x0..0x1fffff: ttb[0] -> l2, l2[0] -> l3 (IPAs). */
    g->ttb[0] = g->l2_ipa | 3;
    g->l2[0] = g->l3_ipa | 3;
    struct cd cd;
    struct cd_config cc = { .asid = 5, .ttb0 = g->ttb_ipa, .t0sz = 25, .mair = PT_S1_MAIR, .record_faults = true };
    assert_int_equal(make_cd(&mfx.smmu.f, &cc, &cd), ERR_NONE);
    memcpy(g->cd, cd.dw, sizeof(cd.dw));
    assert_int_equal(seL4_ARM_CB_AssignCDTable(g->cb, g->cd_ipa, 0, 0), seL4_NoError);
}

static void test_nested_guest(void **state)
{
    (void)state;
    struct guest g;
    guest_start(&g);
    uint64_t data_ipa = 0x30000000;
    seL4_CPtr data = mfx_map_frame(g.vs, data_ipa, seL4_ReadWrite);
    uint64_t data_pa = mfx_frame_pa(data);
    g.l3[1] = data_ipa | S1_PAGE; /* VA 0x1000 -> data */
    mfx_expect_reaches(SIDA, 0x1008, true, data_pa + 8);
    /* A malicious stage-1 entry: an IPA the VSpace does not map is stopped at stage 2. */
    g.l3[2] = 0x3f000000 | S1_PAGE;
    struct model_txn t = { .sid = SIDA, .addr = 0x2000 };
    struct model_result r;
    assert_false(model_translate_ex(&mfx.m, &t, &r));
    assert_int_equal(r.event, MEV_F_TRANSLATION);
    assert_true(r.s2);
    assert_int_equal(r.ipa, 0x3f000000);
    /* ... and one pointing at the kernel's memory by its PA: still an IPA, still stopped. */
    g.l3[3] = (uint64_t)(uintptr_t)mfx.mem | S1_PAGE;
    mfx_expect_denied(SIDA, 0x3000, false);
    /* The guest repoints VA 0x1000: stale until it asks for stage-1 invalidation. */
    seL4_CPtr data2 = mfx_map_frame(g.vs, data_ipa + PAGE_SIZE, seL4_ReadWrite);
    g.l3[1] = (data_ipa + PAGE_SIZE) | S1_PAGE;
    mfx_expect_reaches(SIDA, 0x1000, false, data_pa);
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(g.cb, 5, 0x1000, PAGE_SIZE), seL4_NoError);
    mfx_expect_reaches(SIDA, 0x1000, false, mfx_frame_pa(data2));
    /* The guest switches its CD to new tables under a new ASID: the SMMU keeps the cached
     * CD until the guest asks for CDInvalidate (CFGI_CD_ALL of its SIDs). */
    uint64_t *ttb2 = guest_page(&g, 0x20004000), *l2b = guest_page(&g, 0x20005000);
    uint64_t *l3b = guest_page(&g, 0x20006000);
    ttb2[0] = 0x20005000 | 3;
    l2b[0] = 0x20006000 | 3;
    l3b[5] = data_ipa | S1_PAGE;
    struct cd cd;
    struct cd_config cc = { .asid = 6, .ttb0 = 0x20004000, .t0sz = 25, .mair = PT_S1_MAIR, .record_faults = true };
    assert_int_equal(make_cd(&mfx.smmu.f, &cc, &cd), ERR_NONE);
    memcpy(g.cd, cd.dw, sizeof(cd.dw));
    mfx_expect_denied(SIDA, 0x5000, false);
    assert_int_equal(seL4_ARM_CB_CDInvalidate(g.cb), seL4_NoError);
    mfx_expect_reaches(SIDA, 0x5000, false, data_pa);
    mfx_expect_denied(SIDA, 0x1000, false); /* not in the new tables */
    /* Unassigning the CD table: back to stage 2 only, the VA is now an IPA. */
    assert_int_equal(seL4_ARM_CB_UnassignCDTable(g.cb), seL4_NoError);
    mfx_expect_reaches(SIDA, data_ipa, false, data_pa);
}

/* The kernel unmaps a frame from a nested guest's stage 2. TLBI_S2_IPA is not required to
 * remove combined stage 1+2 entries (4.4.3.1: "expected to be used with CMD_TLBI_NH_ALL
 * or CMD_TLBI_NH_VAA"): the device must not keep reaching the frame through its VA. */
static void test_nested_stage2_unmap(void **state)
{
    (void)state;
    struct guest g;
    guest_start(&g);
    uint64_t data_ipa = 0x30000000;
    seL4_CPtr data = mfx_map_frame(g.vs, data_ipa, seL4_ReadWrite);
    uint64_t data_pa = mfx_frame_pa(data);
    g.l3[1] = data_ipa | S1_PAGE;
    mfx_expect_reaches(SIDA, 0x1000, true, data_pa);
    assert_int_equal(seL4_ARM_Page_Unmap(data), seL4_NoError);
    mfx_expect_denied(SIDA, 0x1000, true);
}

/* DisableSMMU: every stream aborts, none bypasses. InitSMMU: exactly the bindings the
 * capabilities describe come back, with no stale configuration or translation. */
static void test_disable_and_init(void **state)
{
    (void)state;
    seL4_CPtr sid = mfx.bi.smmu[0].sids.start, sid_b = sid + 1, cb = mfx.bi.smmu[0].cbs.start;
    seL4_CPtr vs = mfx_retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    seL4_CPtr bypass = mfx_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetBypass(seL4_CapSMMUSIDControl, MFX_ROOT, bypass, MFX_DEPTH), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_Bypass(sid_b, bypass), seL4_NoError);
    const uint64_t va = 0x10000000;
    seL4_CPtr f1 = mfx_map_frame(vs, va, seL4_ReadWrite), f2 = mfx_map_frame(vs, va + PAGE_SIZE, seL4_ReadWrite);
    mfx_expect_reaches(SIDA, va, true, mfx_frame_pa(f1));
    mfx_expect_reaches(SIDA, va + PAGE_SIZE, true, mfx_frame_pa(f2));
    mfx_expect_reaches(SIDB, 0x5000, true, 0x5000);

    assert_int_equal(seL4_ARM_SIDControl_DisableSMMU(seL4_CapSMMUSIDControl), seL4_NoError);
    for (uint32_t s = 0; s < 0x40; s++) {
        mfx_expect_denied(s, va, false);
        mfx_expect_denied(s, 0x5000, true);
    }
    /* While disabled, the capabilities change: f2 is unmapped, SIDB unbound. */
    assert_int_equal(seL4_ARM_Page_Unmap(f2), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid_b), seL4_NoError);
    assert_int_equal(seL4_ARM_SIDControl_DisableSMMU(seL4_CapSMMUSIDControl), seL4_IllegalOperation);

    assert_int_equal(seL4_ARM_SIDControl_InitSMMU(seL4_CapSMMUSIDControl), seL4_NoError);
    mfx_expect_reaches(SIDA, va, true, mfx_frame_pa(f1));
    mfx_expect_denied(SIDA, va + PAGE_SIZE, false);
    mfx_expect_denied(SIDB, 0x5000, false);
    for (uint32_t s = 0; s < 0x40; s++)
        if (s != SIDA)
            mfx_expect_denied(s, va, false);
    assert_int_equal(seL4_ARM_SIDControl_InitSMMU(seL4_CapSMMUSIDControl), seL4_IllegalOperation);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_everything_aborts, setup_dirty, teardown),
        cmocka_unit_test_setup_teardown(test_stage2_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bypass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_table_unmap_and_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_guest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_stage2_unmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_and_init, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
