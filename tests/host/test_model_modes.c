/* The five per-master modes at once on one SMMU, through the capabilities and the
 * reference model: abort (a SID issued, never bound), bypass (the privileged bypass cap),
 * stage 1 only (a CB over an IO space: the kernel's CD and stage-1 tables), stage 2 only
 * (a CB over a VSpace) and nested (a CB over a VSpace plus the guest's CD table and
 * stage-1 tables, written in frames mapped in that VSpace). Every SID must reach exactly
 * what its mode grants, and nothing else, before and after one page is unmapped in each
 * translating mode (with warm TLBs, so the kernel's invalidations are what is tested). */
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
#include "smmuv3/strtab.h"

enum { SID_ABORT = 0x20, SID_BYPASS, SID_S1, SID_S2, SID_NESTED, NSIDS = 5 };
enum { CB_S1 = 10, CB_S2, CB_NESTED };

static int setup(void **state)
{
    (void)state;
    return mfx_start(NULL) || mfx.init_err != ERR_NONE ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    mfx_stop_checked(true);
    return 0;
}

static seL4_CPtr get_sid(uint32_t sid)
{
    seL4_CPtr slot = mfx_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, sid, MFX_ROOT, slot, MFX_DEPTH),
                     seL4_NoError);
    return slot;
}

static seL4_CPtr get_cb(unsigned cb)
{
    seL4_CPtr slot = mfx_slot();
    assert_int_equal(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, cb, MFX_ROOT, slot, MFX_DEPTH), seL4_NoError);
    return slot;
}

/* A zeroed frame mapped in `vs` at `ipa`; its CPU address (identity on the host). */
static uint64_t *table_page(seL4_CPtr vs, uint64_t ipa)
{
    uint64_t *p = (uint64_t *)(uintptr_t)mfx_frame_pa(mfx_map_frame(vs, ipa, seL4_ReadWrite));
    memset(p, 0, PAGE_SIZE);
    return p;
}

/* Stage-1 page descriptor as a guest writes it: RW at EL0/EL1, inner shareable, AF, nG. */
static const uint64_t S1_PAGE = 3 | (1u << 6) | (3u << 8) | (1u << 10) | (1u << 11);

/* Addresses each mode uses. */
#define S1_VA 0x10000000ULL      /* stage 1 only: two RW pages, one RO */
#define S2_IPA 0x20000000ULL     /* stage 2 only: two RW pages */
#define N_VA 0x1000ULL           /* nested: stage-1 VAs 0x1000, 0x2000 */
#define N_DATA_IPA 0x30000000ULL /* ... backed by these IPAs */
#define N_CD_IPA 0x40000000ULL   /* the guest's CD and stage-1 tables */
#define BYPASS_PROBE 0x7000ULL

struct world {
    seL4_CPtr sid[NSIDS];
    seL4_CPtr s1_frame[3], s2_frame[2], n_frame[2];
    uint64_t s1_pa[3], s2_pa[2], n_pa[2];
};

/* Every address any mode maps, for the "nothing else" checks. */
static void every_iova(uint64_t out[8])
{
    const uint64_t v[8] = { S1_VA, S1_VA + PAGE_SIZE, S1_VA + 2 * PAGE_SIZE, S2_IPA, S2_IPA + PAGE_SIZE,
                            N_VA, N_VA + PAGE_SIZE, N_DATA_IPA };
    memcpy(out, v, sizeof(v));
}

/* What each SID must reach, with `gone` naming the pages unmapped so far. */
static void check(const struct world *w, bool gone)
{
    uint64_t iovas[8];
    every_iova(iovas);
    /* Abort: nothing at all, not even the PAs the others reach. */
    for (unsigned i = 0; i < 8; i++) {
        mfx_expect_denied(SID_ABORT, iovas[i], false);
        mfx_expect_denied(SID_ABORT, iovas[i], true);
    }
    mfx_expect_denied(SID_ABORT, w->s1_pa[1], false);
    mfx_expect_denied(SID_ABORT, BYPASS_PROBE, false);
    /* Bypass: IOVA = PA, everywhere. */
    mfx_expect_reaches(SID_BYPASS, BYPASS_PROBE, true, BYPASS_PROBE);
    mfx_expect_reaches(SID_BYPASS, w->s1_pa[1] + 8, false, w->s1_pa[1] + 8);
    mfx_expect_reaches(SID_BYPASS, S2_IPA, false, S2_IPA);

    /* Stage 1 only: its IO space and nothing else (not the others' IPAs or VAs). */
    if (gone) {
        mfx_expect_denied(SID_S1, S1_VA, false);
        mfx_expect_denied(SID_S1, S1_VA + 8, true);
    } else {
        mfx_expect_reaches(SID_S1, S1_VA + 8, true, w->s1_pa[0] + 8);
    }
    mfx_expect_reaches(SID_S1, S1_VA + PAGE_SIZE + 16, true, w->s1_pa[1] + 16);
    mfx_expect_reaches(SID_S1, S1_VA + 2 * PAGE_SIZE, false, w->s1_pa[2]);
    mfx_expect_denied(SID_S1, S1_VA + 2 * PAGE_SIZE, true); /* read-only */
    mfx_expect_denied(SID_S1, S1_VA + 3 * PAGE_SIZE, false);
    for (unsigned i = 3; i < 8; i++)
        mfx_expect_denied(SID_S1, iovas[i], false);

    /* Stage 2 only: its VSpace's IPAs. */
    if (gone)
        mfx_expect_denied(SID_S2, S2_IPA, false);
    else
        mfx_expect_reaches(SID_S2, S2_IPA + 0x40, true, w->s2_pa[0] + 0x40);
    mfx_expect_reaches(SID_S2, S2_IPA + PAGE_SIZE, true, w->s2_pa[1]);
    for (unsigned i = 0; i < 8; i++)
        if (iovas[i] != S2_IPA && iovas[i] != S2_IPA + PAGE_SIZE)
            mfx_expect_denied(SID_S2, iovas[i], false);

    /* Nested: the guest's VAs through its stage 1, then the VSpace's stage 2. */
    if (gone)
        mfx_expect_denied(SID_NESTED, N_VA, false);
    else
        mfx_expect_reaches(SID_NESTED, N_VA + 0x10, true, w->n_pa[0] + 0x10);
    mfx_expect_reaches(SID_NESTED, N_VA + PAGE_SIZE, true, w->n_pa[1]);
    for (unsigned i = 0; i < 8; i++)
        if (iovas[i] != N_VA && iovas[i] != N_VA + PAGE_SIZE)
            mfx_expect_denied(SID_NESTED, iovas[i], false);
}

static void test_five_modes_at_once(void **state)
{
    (void)state;
    struct world w;
    memset(&w, 0, sizeof(w));
    for (unsigned i = 0; i < NSIDS; i++)
        w.sid[i] = get_sid(SID_ABORT + i);

    /* Bypass: through the privileged cap only. */
    seL4_CPtr bypass = mfx_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetBypass(seL4_CapSMMUSIDControl, MFX_ROOT, bypass, MFX_DEPTH), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_Bypass(w.sid[SID_BYPASS - SID_ABORT], bypass), seL4_NoError);

    /* Stage 1 only: an IO space, frames mapped with the ordinary calls. */
    seL4_CPtr ios = mfx_retype(seL4_ARM_IOSpaceObject, 0), cb_s1 = get_cb(CB_S1);
    assert_true(ios != 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb_s1, ios), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(w.sid[SID_S1 - SID_ABORT], cb_s1), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb_s1, N_CD_IPA, 0, 0), seL4_IllegalOperation);
    for (unsigned i = 0; i < 3; i++) {
        w.s1_frame[i] = mfx_map_frame(ios, S1_VA + i * PAGE_SIZE, i == 2 ? seL4_CanRead : seL4_ReadWrite);
        w.s1_pa[i] = mfx_frame_pa(w.s1_frame[i]);
    }

    /* Stage 2 only. */
    seL4_CPtr vs2 = mfx_retype(seL4_ARM_VSpaceObject, 0), cb_s2 = get_cb(CB_S2);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb_s2, vs2), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(w.sid[SID_S2 - SID_ABORT], cb_s2), seL4_NoError);
    for (unsigned i = 0; i < 2; i++) {
        w.s2_frame[i] = mfx_map_frame(vs2, S2_IPA + i * PAGE_SIZE, seL4_ReadWrite);
        w.s2_pa[i] = mfx_frame_pa(w.s2_frame[i]);
    }

    /* Nested: the guest's CD and stage-1 tables live in frames of its VSpace (IPAs). */
    seL4_CPtr vs3 = mfx_retype(seL4_ARM_VSpaceObject, 0), cb_n = get_cb(CB_NESTED);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb_n, vs3), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(w.sid[SID_NESTED - SID_ABORT], cb_n), seL4_NoError);
    uint64_t *cdp = table_page(vs3, N_CD_IPA), *ttb = table_page(vs3, N_CD_IPA + 0x1000);
    uint64_t *l2 = table_page(vs3, N_CD_IPA + 0x2000), *l3 = table_page(vs3, N_CD_IPA + 0x3000);
    ttb[0] = (N_CD_IPA + 0x2000) | 3;
    l2[0] = (N_CD_IPA + 0x3000) | 3;
    for (unsigned i = 0; i < 2; i++) {
        w.n_frame[i] = mfx_map_frame(vs3, N_DATA_IPA + i * PAGE_SIZE, seL4_ReadWrite);
        w.n_pa[i] = mfx_frame_pa(w.n_frame[i]);
        l3[1 + i] = (N_DATA_IPA + i * PAGE_SIZE) | S1_PAGE; /* VA 0x1000, 0x2000 */
    }
    struct cd cd;
    struct cd_config cc = { .asid = 1 /* the same number as the stage-1 CB's: another VMID */,
                            .ttb0 = N_CD_IPA + 0x1000, .t0sz = 25, .mair = PT_S1_MAIR, .record_faults = true };
    assert_int_equal(make_cd(&mfx.smmu.f, &cc, &cd), ERR_NONE);
    memcpy(cdp, cd.dw, sizeof(cd.dw));
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb_n, N_CD_IPA, 0, 0), seL4_NoError);

    /* The STEs say what the modes are. */
    const unsigned want_cfg[NSIDS] = { STE_CONFIG_ABORT, STE_CONFIG_BYPASS, STE_CONFIG_S1, STE_CONFIG_S2,
                                       STE_CONFIG_NESTED };
    for (unsigned i = 0; i < NSIDS; i++) {
        struct ste *s = NULL;
        assert_int_equal(strtab_locate(&mfx.smmu.strtab, SID_ABORT + i, false, &s, NULL), ERR_NONE);
        assert_non_null(s);
        assert_int_equal(FIELD_GET(STE0_CONFIG, s->dw[0]), want_cfg[i]);
    }

    check(&w, false);
    check(&w, false); /* again from the TLBs and configuration caches */

    /* One page unmapped in each translating mode, with the TLBs warm. */
    assert_int_equal(seL4_ARM_Page_Unmap(w.s1_frame[0]), seL4_NoError);
    assert_int_equal(seL4_ARM_Page_Unmap(w.s2_frame[0]), seL4_NoError);
    assert_int_equal(seL4_ARM_Page_Unmap(w.n_frame[0]), seL4_NoError); /* its stage 2 */
    check(&w, true);

    /* The nested guest also unmaps at stage 1 and asks for the invalidation. */
    l3[2] = 0;
    mfx_expect_reaches(SID_NESTED, N_VA + PAGE_SIZE, false, w.n_pa[1]); /* stale until asked */
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(cb_n, 1, N_VA + PAGE_SIZE, PAGE_SIZE), seL4_NoError);
    mfx_expect_denied(SID_NESTED, N_VA + PAGE_SIZE, false);
    /* ... which touched nothing of the stage-1-only context with the same ASID number. */
    mfx_expect_reaches(SID_S1, S1_VA + PAGE_SIZE, false, w.s1_pa[1]);

    /* Deleting the IO space: its SID aborts, the others keep their modes. */
    assert_int_equal(seL4_CNode_Delete(MFX_ROOT, ios, MFX_DEPTH), seL4_NoError);
    mfx_expect_denied(SID_S1, S1_VA + PAGE_SIZE, false);
    mfx_expect_reaches(SID_S2, S2_IPA + PAGE_SIZE, false, w.s2_pa[1]);
    mfx_expect_reaches(SID_BYPASS, BYPASS_PROBE, false, BYPASS_PROBE);
    mfx_expect_denied(SID_ABORT, S2_IPA + PAGE_SIZE, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_five_modes_at_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
