/* Differential test of nested translation (issue 5 §6): a guest owns a VSpace (stage 2,
 * through capabilities: 4K frames mapped with random rights at random IPAs, some 2M
 * LargePage frames) and writes its own CD and stage-1 tables into frames of that VSpace
 * (4K pages and 2M blocks at random IOVAs, pointing at random IPAs: mapped RW, mapped RO,
 * or not mapped at stage 2 at all). A SID is bound to a CB with AssignVspace +
 * AssignCDTable. Random steps change either stage (stage-1 removals followed by the
 * guest's S1TLBInvalidate, as a correct guest does; stage-2 changes through Page_Map /
 * Page_Unmap, which invalidate on their own). After every step every IOVA page of the
 * window is translated by the reference model, for reads and for writes, and compared with
 * the composition of the two stages' expected maps; any PA outside the frames the VSpace
 * currently maps is a failure on its own. Fixed seeds, so a failure replays. */
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

#define SID 0x30
#define CB 12
#define ASID 7
#define STEPS 300
#define LARGE (1ULL << 21)

/* Guest layout (IPAs). Table frames: CD, L1, L2, one L3 per IOVA slot. */
#define T_IPA 0x40000000ULL
#define CD_IPA (T_IPA)
#define L1_IPA (T_IPA + 0x1000)
#define L2_IPA (T_IPA + 0x2000)
#define L3_IPA(j) (T_IPA + 0x3000 + (uint64_t)(j) * 0x1000)
/* Data IPA window: regions 0-1 hold 4K frames (page tables mapped up front), regions 2-3
 * 2M frames, region 4 is never mapped at stage 2. */
#define D_IPA 0x80000000ULL
#define NREG 5
#define SMALL_SLOTS 32 /* 4K IPA slots used in each small region */
/* IOVA window: NSLOT 2M slots of the guest's stage 1 (level-1 index 1 of a 39-bit VA). */
#define IOVA 0x40000000ULL
#define NSLOT 2
#define NPAGE (NSLOT * 512)

#define NSMALL 12
#define NLARGE 2

/* Stage-1 descriptors as a guest writes them: EL0 access, inner shareable, AF, nG. */
#define S1_ATTR ((1ull << 6) | (3ull << 8) | (1ull << 10) | (1ull << 11))
#define S1_RO (1ull << 7)

enum slot_mode { S_EMPTY, S_TABLE, S_BLOCK };

struct s2frame {
    seL4_CPtr cap;
    uint64_t pa, size;
    bool mapped, rw;
    uint64_t ipa;
};

struct guest {
    uint64_t *l2, *l3[NSLOT];
    enum slot_mode mode[NSLOT];
    uint64_t block_ipa[NSLOT];
    bool block_rw[NSLOT];
    /* Stage-1 expected map, per 4K IOVA page in table slots. */
    bool pg_valid[NPAGE], pg_rw[NPAGE];
    uint64_t pg_ipa[NPAGE];
    struct s2frame small[NSMALL], large[NLARGE], table[3 + NSLOT];
    seL4_CPtr vs, cb;
};

static uint64_t rng;
static unsigned long tot_steps, tot_cmp, tot_mismatch, tot_ok, tot_fault;
static unsigned long x_s1miss, x_s2miss, x_perm, x_ok_w;
static char trace[STEPS + 1][96];
static unsigned ntrace;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (ntrace <= STEPS)
        vsnprintf(trace[ntrace++], sizeof(trace[0]), fmt, ap);
    va_end(ap);
}

static int setup(void **state)
{
    (void)state;
    struct mfx_opts o = { .mem_bits = 25 };
    return mfx_start(&o) || mfx.init_err != ERR_NONE ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    mfx_stop_checked(true);
    return 0;
}

/* ---- expected maps ---- */

static bool s1_lookup(const struct guest *g, unsigned page, uint64_t *ipa, bool *rw)
{
    unsigned j = page / 512;
    if (g->mode[j] == S_BLOCK) {
        *ipa = g->block_ipa[j] + (uint64_t)(page % 512) * PAGE_SIZE;
        *rw = g->block_rw[j];
        return true;
    }
    if (g->mode[j] == S_TABLE && g->pg_valid[page]) {
        *ipa = g->pg_ipa[page];
        *rw = g->pg_rw[page];
        return true;
    }
    return false;
}

static const struct s2frame *s2_lookup(const struct guest *g, uint64_t ipa, uint64_t *pa, bool *rw)
{
    const struct s2frame *all[NSMALL + NLARGE + 3 + NSLOT];
    unsigned n = 0;
    for (unsigned i = 0; i < NSMALL; i++)
        all[n++] = &g->small[i];
    for (unsigned i = 0; i < NLARGE; i++)
        all[n++] = &g->large[i];
    for (unsigned i = 0; i < 3 + NSLOT; i++)
        all[n++] = &g->table[i];
    for (unsigned i = 0; i < n; i++)
        if (all[i]->mapped && ipa >= all[i]->ipa && ipa < all[i]->ipa + all[i]->size) {
            *pa = all[i]->pa + (ipa - all[i]->ipa);
            *rw = all[i]->rw;
            return all[i];
        }
    return NULL;
}

static bool pa_granted(const struct guest *g, uint64_t pa)
{
    const struct s2frame *f[NSMALL + NLARGE + 3 + NSLOT];
    unsigned n = 0;
    for (unsigned i = 0; i < NSMALL; i++)
        f[n++] = &g->small[i];
    for (unsigned i = 0; i < NLARGE; i++)
        f[n++] = &g->large[i];
    for (unsigned i = 0; i < 3 + NSLOT; i++)
        f[n++] = &g->table[i];
    for (unsigned i = 0; i < n; i++)
        if (f[i]->mapped && pa >= f[i]->pa && pa < f[i]->pa + f[i]->size)
            return true;
    return false;
}

static void compare_all(const struct guest *g, unsigned seed, unsigned step)
{
    for (unsigned p = 0; p < NPAGE; p++) {
        uint64_t iova = IOVA + (uint64_t)p * PAGE_SIZE + 8 * (p % 64);
        for (int w = 0; w < 2; w++) {
            uint64_t ipa, pa = 0, want = 0;
            bool s1rw, s2rw, exp_ok = false;
            if (!s1_lookup(g, p, &ipa, &s1rw))
                x_s1miss++;
            else if (!s2_lookup(g, ipa, &want, &s2rw))
                x_s2miss++;
            else if (w && !(s1rw && s2rw))
                x_perm++;
            else {
                exp_ok = true;
                want += 8 * (p % 64);
                x_ok_w += w;
            }
            bool ok = mfx_dma(SID, iova, w, &pa);
            tot_cmp++;
            if (ok)
                tot_ok++;
            else
                tot_fault++;
            if (ok && !pa_granted(g, pa)) {
                tot_mismatch++;
                fail_msg("seed %u step %u: IOVA 0x%lx (%s) reached PA 0x%lx outside the VSpace's frames", seed, step,
                         (unsigned long)iova, w ? "write" : "read", (unsigned long)pa);
            }
            if (ok != exp_ok || (ok && pa != want)) {
                tot_mismatch++;
                for (unsigned i = 0; i < ntrace; i++)
                    print_message("  [%u] %s\n", i, trace[i]);
                fail_msg("seed %u step %u: IOVA 0x%lx (%s): model %s 0x%lx, expected %s 0x%lx", seed, step,
                         (unsigned long)iova, w ? "write" : "read", ok ? "PA" : "fault", (unsigned long)pa,
                         exp_ok ? "PA" : "fault", (unsigned long)want);
            }
        }
    }
}

/* ---- the guest's stage 1 ---- */

static void s1_inval(struct guest *g, uint64_t va, uint64_t size)
{
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(g->cb, ASID, va, size), seL4_NoError);
}

static uint64_t s1_target_page(void)
{
    unsigned r = rn(10);
    if (r < 6) /* a 4K slot of the small regions (mapped or not) */
        return D_IPA + (uint64_t)rn(2) * LARGE + (uint64_t)rn(SMALL_SLOTS) * PAGE_SIZE;
    if (r < 9) /* inside a 2M region */
        return D_IPA + (uint64_t)(2 + rn(2)) * LARGE + (uint64_t)rn(512) * PAGE_SIZE;
    return D_IPA + 4 * LARGE + (uint64_t)rn(512) * PAGE_SIZE; /* never mapped at stage 2 */
}

static void s1_step(struct guest *g)
{
    unsigned j = rn(NSLOT);
    uint64_t slot_va = IOVA + (uint64_t)j * LARGE;
    unsigned r = rn(10);
    if (g->mode[j] == S_BLOCK) {
        /* Remove the block (break), invalidate, then maybe a table or another block. */
        g->l2[j] = 0;
        g->mode[j] = S_EMPTY;
        s1_inval(g, slot_va, LARGE);
        note("s1: slot %u block removed + S1TLBInvalidate", j);
        if (r < 5)
            return;
    }
    if (g->mode[j] == S_EMPTY) {
        if (r < 7) {
            memset(g->l3[j], 0, PAGE_SIZE);
            for (unsigned i = 0; i < 512; i++)
                g->pg_valid[j * 512 + i] = false;
            g->l2[j] = L3_IPA(j) | 3;
            g->mode[j] = S_TABLE;
            note("s1: slot %u -> table", j);
        } else {
            uint64_t ipa = D_IPA + (uint64_t)rn(NREG) * LARGE;
            bool rw = rn(2);
            g->l2[j] = ipa | 1 | S1_ATTR | (rw ? 0 : S1_RO);
            g->block_ipa[j] = ipa;
            g->block_rw[j] = rw;
            g->mode[j] = S_BLOCK;
            note("s1: slot %u -> block IPA 0x%lx %s", j, (unsigned long)ipa, rw ? "RW" : "RO");
        }
        return;
    }
    /* A table slot: add / remove / change entries, or drop the table. */
    unsigned i = rn(512), p = j * 512 + i;
    uint64_t va = slot_va + (uint64_t)i * PAGE_SIZE;
    if (r == 0) {
        g->l2[j] = 0;
        g->mode[j] = S_EMPTY;
        s1_inval(g, slot_va, LARGE);
        note("s1: slot %u table dropped + S1TLBInvalidate", j);
        return;
    }
    if (g->pg_valid[p]) {
        g->l3[j][i] = 0;
        g->pg_valid[p] = false;
        s1_inval(g, va, PAGE_SIZE);
        note("s1: IOVA 0x%lx removed + S1TLBInvalidate", (unsigned long)va);
        if (r < 5)
            return;
    }
    /* Add (or re-add with other attributes after the removal above). */
    uint64_t ipa = s1_target_page();
    bool rw = rn(3) != 0;
    g->l3[j][i] = ipa | 3 | S1_ATTR | (rw ? 0 : S1_RO);
    g->pg_valid[p] = true;
    g->pg_ipa[p] = ipa;
    g->pg_rw[p] = rw;
    note("s1: IOVA 0x%lx -> IPA 0x%lx %s", (unsigned long)va, (unsigned long)ipa, rw ? "RW" : "RO");
    /* Sometimes also many at once, so the window is dense. */
    if (r >= 7)
        for (unsigned k = 0; k < 48; k++) {
            unsigned ii = rn(512), pp = j * 512 + ii;
            if (g->pg_valid[pp])
                continue;
            uint64_t t = s1_target_page();
            bool w = rn(3) != 0;
            g->l3[j][ii] = t | 3 | S1_ATTR | (w ? 0 : S1_RO);
            g->pg_valid[pp] = true;
            g->pg_ipa[pp] = t;
            g->pg_rw[pp] = w;
        }
}

/* ---- stage 2 through the capabilities ---- */

static bool ipa_used(const struct guest *g, uint64_t ipa)
{
    for (unsigned i = 0; i < NSMALL; i++)
        if (g->small[i].mapped && g->small[i].ipa == ipa)
            return true;
    for (unsigned i = 0; i < NLARGE; i++)
        if (g->large[i].mapped && g->large[i].ipa == ipa)
            return true;
    return false;
}

static void s2_map(struct guest *g, struct s2frame *f, uint64_t ipa, bool rw)
{
    assert_int_equal(seL4_ARM_Page_Map(f->cap, g->vs, ipa, rw ? seL4_ReadWrite : seL4_CanRead,
                                       seL4_ARM_Default_VMAttributes),
                     seL4_NoError);
    f->mapped = true;
    f->ipa = ipa;
    f->rw = rw;
}

static void s2_step(struct guest *g)
{
    bool large = rn(4) == 0;
    struct s2frame *f = large ? &g->large[rn(NLARGE)] : &g->small[rn(NSMALL)];
    unsigned r = rn(3);
    if (f->mapped) {
        assert_int_equal(seL4_ARM_Page_Unmap(f->cap), seL4_NoError);
        f->mapped = false;
        note("s2: %s frame PA 0x%lx unmapped from IPA 0x%lx", large ? "2M" : "4K", (unsigned long)f->pa,
             (unsigned long)f->ipa);
        if (r == 0)
            return;
        if (r == 1) { /* permission change: the same IPA, other rights */
            s2_map(g, f, f->ipa, !f->rw);
            note("s2: remapped at IPA 0x%lx %s", (unsigned long)f->ipa, f->rw ? "RW" : "RO");
            return;
        }
    }
    for (int tries = 0; tries < 8; tries++) {
        uint64_t ipa = large ? D_IPA + (uint64_t)(2 + rn(2)) * LARGE
                             : D_IPA + (uint64_t)rn(2) * LARGE + (uint64_t)rn(SMALL_SLOTS) * PAGE_SIZE;
        if (ipa_used(g, ipa))
            continue;
        s2_map(g, f, ipa, rn(3) != 0);
        note("s2: %s frame PA 0x%lx mapped at IPA 0x%lx %s", large ? "2M" : "4K", (unsigned long)f->pa,
             (unsigned long)ipa, f->rw ? "RW" : "RO");
        return;
    }
}

static seL4_CPtr get_cap(bool sid)
{
    seL4_CPtr slot = mfx_slot();
    if (sid)
        assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, SID, MFX_ROOT, slot, MFX_DEPTH),
                         seL4_NoError);
    else
        assert_int_equal(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, CB, MFX_ROOT, slot, MFX_DEPTH),
                         seL4_NoError);
    return slot;
}

static void run_seed(unsigned seed)
{
    static struct guest g;
    memset(&g, 0, sizeof(g));
    rng = 0x9e3779b97f4a7c15ULL * (seed + 1);
    ntrace = 0;

    seL4_CPtr sid = get_cap(true);
    g.cb = get_cap(false);
    g.vs = mfx_retype(seL4_ARM_VSpaceObject, 0);
    assert_true(g.vs != 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(g.cb, g.vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, g.cb), seL4_NoError);

    /* The guest's table frames (RW at stage 2, never changed). */
    uint64_t *tp[3 + NSLOT];
    for (unsigned i = 0; i < 3 + NSLOT; i++) {
        struct s2frame *f = &g.table[i];
        f->cap = mfx_map_frame(g.vs, T_IPA + (uint64_t)i * PAGE_SIZE, seL4_ReadWrite);
        f->pa = mfx_frame_pa(f->cap);
        f->size = PAGE_SIZE;
        f->mapped = f->rw = true;
        f->ipa = T_IPA + (uint64_t)i * PAGE_SIZE;
        tp[i] = (uint64_t *)(uintptr_t)f->pa;
        memset(tp[i], 0, PAGE_SIZE);
    }
    uint64_t *cdp = tp[0], *l1 = tp[1];
    g.l2 = tp[2];
    for (unsigned j = 0; j < NSLOT; j++)
        g.l3[j] = tp[3 + j];
    l1[1] = L2_IPA | 3; /* IOVA 0x40000000: level-1 index 1 */

    /* Page tables for the two small regions; the 2M regions stay table-less. */
    /* (Each PageTable_Map installs the first missing level; the 2M regions share the
     * last-but-one level table with the small ones.) */
    seL4_CPtr pt = 0;
    for (unsigned r = 0; r < 2; r++)
        for (;;) {
            if (!pt)
                pt = mfx_retype(seL4_ARM_PageTableObject, 0);
            assert_true(pt != 0);
            seL4_Error e = seL4_ARM_PageTable_Map(pt, g.vs, D_IPA + r * LARGE, seL4_ARM_Default_VMAttributes);
            if (e == seL4_DeleteFirst)
                break;
            assert_int_equal(e, seL4_NoError);
            pt = 0;
        }
    for (unsigned i = 0; i < NSMALL; i++) {
        g.small[i].cap = mfx_retype(seL4_ARM_SmallPageObject, 0);
        assert_true(g.small[i].cap != 0);
        g.small[i].pa = mfx_frame_pa(g.small[i].cap);
        g.small[i].size = PAGE_SIZE;
    }
    for (unsigned i = 0; i < NLARGE; i++) {
        g.large[i].cap = mfx_retype(seL4_ARM_LargePageObject, 0);
        assert_true(g.large[i].cap != 0);
        g.large[i].pa = mfx_frame_pa(g.large[i].cap);
        g.large[i].size = LARGE;
        assert_true((g.large[i].pa & (LARGE - 1)) == 0);
    }

    struct cd cd;
    struct cd_config cc = { .asid = ASID, .ttb0 = L1_IPA, .t0sz = 25, .mair = PT_S1_MAIR, .record_faults = false };
    assert_int_equal(make_cd(&mfx.smmu.f, &cc, &cd), ERR_NONE);
    memcpy(cdp, cd.dw, sizeof(cd.dw));
    assert_int_equal(seL4_ARM_CB_AssignCDTable(g.cb, CD_IPA, 0, 0), seL4_NoError);
    note("seed %u: SID 0x%x bound, CD table at IPA 0x%lx", seed, SID, (unsigned long)CD_IPA);

    compare_all(&g, seed, 0);
    for (unsigned step = 1; step <= STEPS; step++) {
        if (rn(2))
            s1_step(&g);
        else
            s2_step(&g);
        compare_all(&g, seed, step);
        tot_steps++;
    }
}

static void test_seed0(void **s) { (void)s; run_seed(0); }
static void test_seed1(void **s) { (void)s; run_seed(1); }
static void test_seed2(void **s) { (void)s; run_seed(2); }
static void test_seed3(void **s) { (void)s; run_seed(3); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seed0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed3, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("nested differential: %lu steps, %lu translations compared (%lu reached, %lu faulted), %lu mismatches\n",
           tot_steps, tot_cmp, tot_ok, tot_fault, tot_mismatch);
    printf("  expected: %lu stage-1 miss, %lu stage-2 miss, %lu write denied by a read-only stage, %lu writes reached\n",
           x_s1miss, x_s2miss, x_perm, x_ok_w);
    return rc;
}
