/* RT_REQ_MODES: the five per-master modes at the same time on one SMMU, each with its own
 * edu (five StreamIDs), all set up by the root task through its capabilities:
 *   edu0 0x10 nested      (its own CD + stage-1 tables over its VSpace)
 *   edu1 0x18 stage 2     (its VSpace: IOVA = IPA)
 *   edu2 0x20 stage 1     (an IO space with a kernel-built CD; the 28-bit device)
 *   edu3 0x28 bypass      (the SMMU's bypass cap: IOVA = PA)
 *   edu4 0x30 abort       (issued, never bound)
 * With all five in place, each device copies the first half of its page to the second
 * half through its own translation; the root task checks the bytes in its own VSpace. */
#include <stdbool.h>
#include <stdint.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>

#include "roottask.h"
#include "rt.h"
#include "rt_caps.h"
#include "s1_tables.h"

#define NDEV 5u
#define HALF 2048u
#define VIEW 0x24000000ULL             /* where the root task maps the five data pages */
#define NESTED_BASE 0x24100000ULL      /* CD and stage-1 tables of the nested device */
#define NESTED_IOVA 0x3000ULL
#define S1_IOVA 0x4000ULL
#define ASID 9u

enum { M_NESTED, M_S2, M_S1, M_BYPASS, M_ABORT };
static const char *const mode_name[NDEV] = { "nested", "stage 2", "stage 1", "bypass", "abort" };

enum {
    X_DEV0, X_DATA0 = X_DEV0 + NDEV, X_IOSPACE = X_DATA0 + NDEV, X_S1_COPY, X_CD, X_L1, X_L2, X_L3,
    X_BYPASS, X_PT0, X_NSLOTS = X_PT0 + 10
};

static uint8_t pat(uint32_t i, unsigned dev) { return (uint8_t)(i * 3u + 0x11u * (dev + 1)); }

seL4_Word root_modes_demo(const seL4_BootInfo *bi)
{
    struct ctx c = { .bi = bi };
    if (bi->numSMMUs < 1 || bi->smmu[0].sids.end - bi->smmu[0].sids.start < NDEV ||
        bi->smmu[0].cbs.end - bi->smmu[0].cbs.start < NDEV || !step_setup(&c))
        return 1;
    seL4_CPtr x[X_NSLOTS];
    for (unsigned i = 0; i < X_NSLOTS; i++) {
        x[i] = c.slot[SLOTS_USED - 1] + 1 + i;
        if (seL4_CNode_Delete(seL4_CapInitThreadCNode, x[i], DEPTH) != seL4_NoError)
            return 2;
    }
    unsigned next_pt = 0;
    const seL4_CPtr *pts = &x[X_PT0];
    const unsigned npt = X_NSLOTS - X_PT0;

    /* Every edu's registers (device untypeds in PCI order) and one data page per device. */
    volatile uint64_t *edu[NDEV];
    unsigned ndev = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && ndev < NDEV; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (!d->isDevice || d->sizeBits != 20)
            continue;
        if (seL4_Untyped_Retype(bi->untyped.start + i, seL4_ARM_SmallPageObject, 0, seL4_CapInitThreadCNode, 0, 0,
                                x[X_DEV0 + ndev], 1) != seL4_NoError ||
            !rt_map_in(bi, seL4_CapInitThreadVSpace, x[X_DEV0 + ndev], d->paddr, seL4_ARM_ExecuteNever, pts, npt,
                       &next_pt))
            return 3;
        edu[ndev++] = (volatile uint64_t *)(uintptr_t)d->paddr;
    }
    if (ndev < NDEV) {
        rt_printf("roottask: %u edu devices, the scenario needs %u\n", ndev, NDEV);
        return 4;
    }
    uint64_t pa[NDEV];
    for (unsigned d = 0; d < NDEV; d++) {
        if (!rt_retype(bi, seL4_ARM_SmallPageObject, x[X_DATA0 + d]) ||
            !rt_map(bi, x[X_DATA0 + d], VIEW + d * 0x1000u, pts, npt, &next_pt))
            return 5;
        seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(x[X_DATA0 + d]);
        pa[d] = r.paddr;
        volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)(VIEW + d * 0x1000u);
        for (uint32_t i = 0; i < 2 * HALF; i++)
            p[i] = i < HALF ? pat(i, d) : 0x5a;
    }

    seL4_CPtr sid[NDEV], cb[NDEV];
    for (unsigned d = 0; d < NDEV; d++) {
        sid[d] = bi->smmu[0].sids.start + d;
        cb[d] = bi->smmu[0].cbs.start + d;
    }
    /* nested: CD + stage-1 tables in its own memory; IOVA NESTED_IOVA -> its data page */
    for (unsigned f = X_CD; f <= X_L3; f++)
        if (!rt_retype(bi, seL4_ARM_SmallPageObject, x[f]) ||
            !rt_map(bi, x[f], NESTED_BASE + (f - X_CD) * 0x1000u, pts, npt, &next_pt))
            return 6;
    volatile uint64_t *l1 = (volatile uint64_t *)(uintptr_t)(NESTED_BASE + 0x1000u);
    volatile uint64_t *l2 = (volatile uint64_t *)(uintptr_t)(NESTED_BASE + 0x2000u);
    volatile uint64_t *l3 = (volatile uint64_t *)(uintptr_t)(NESTED_BASE + 0x3000u);
    for (unsigned i = 0; i < 512; i++)
        l1[i] = l2[i] = l3[i] = 0;
    l1[s1_idx(NESTED_IOVA, 1)] = s1_table(NESTED_BASE + 0x2000u);
    l2[s1_idx(NESTED_IOVA, 2)] = s1_table(NESTED_BASE + 0x3000u);
    l3[s1_idx(NESTED_IOVA, 3)] = s1_page(VIEW + M_NESTED * 0x1000u);
    s1_write_cd((volatile uint64_t *)(uintptr_t)NESTED_BASE, NESTED_BASE + 0x1000u, ASID);
    __asm__ volatile("dsb ishst" ::: "memory");
    seL4_Error e[8];
    e[0] = seL4_ARM_CB_AssignVspace(cb[M_NESTED], seL4_CapInitThreadVSpace);
    e[1] = seL4_ARM_CB_AssignCDTable(cb[M_NESTED], NESTED_BASE, 0, 0);
    e[2] = seL4_ARM_SID_BindCB(sid[M_NESTED], cb[M_NESTED]);
    /* stage 2: its own VSpace */
    e[3] = seL4_ARM_CB_AssignVspace(cb[M_S2], seL4_CapInitThreadVSpace);
    e[4] = seL4_ARM_SID_BindCB(sid[M_S2], cb[M_S2]);
    /* stage 1: an IO space with a copy of the data page's cap at S1_IOVA */
    bool s1ok = rt_retype(bi, seL4_ARM_IOSpaceObject, x[X_IOSPACE]) &&
                seL4_CNode_Copy(seL4_CapInitThreadCNode, x[X_S1_COPY], DEPTH, seL4_CapInitThreadCNode,
                                x[X_DATA0 + M_S1], DEPTH, seL4_AllRights) == seL4_NoError &&
                rt_map_in(bi, x[X_IOSPACE], x[X_S1_COPY], S1_IOVA, seL4_ARM_Default_VMAttributes, pts, npt, &next_pt);
    e[5] = s1ok ? seL4_ARM_CB_AssignVspace(cb[M_S1], x[X_IOSPACE]) : seL4_IllegalOperation;
    e[6] = seL4_ARM_SID_BindCB(sid[M_S1], cb[M_S1]);
    /* bypass: the SMMU's bypass cap; abort: nothing */
    e[7] = seL4_ARM_SIDControl_GetBypass(bi->smmu[0].sidControl, seL4_CapInitThreadCNode, x[X_BYPASS], DEPTH);
    if (!e[7])
        e[7] = seL4_ARM_SID_Bypass(sid[M_BYPASS], x[X_BYPASS]);
    for (unsigned i = 0; i < 8; i++)
        if (e[i]) {
            rt_printf("roottask: setting up the modes: step %u error %u\n", i, (unsigned)e[i]);
            return 7;
        }
    rt_printf("roottask: five StreamIDs of SMMU 0 now in five modes at once: nested, stage 2, stage 1, bypass, abort\n");

    /* Each device: first half -> its buffer -> second half, through its own translation. */
    const uint64_t base[NDEV] = { NESTED_IOVA, VIEW + M_S2 * 0x1000u, S1_IOVA, pa[M_BYPASS], pa[M_ABORT] };
    bool ok = true;
    for (unsigned d = 0; d < NDEV; d++) {
        if (!rt_edu_dma(edu[d], base[d], EDU_BUF, HALF, false) ||
            !rt_edu_dma(edu[d], EDU_BUF, base[d] + HALF, HALF, true))
            return 8;
        const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)(VIEW + d * 0x1000u);
        bool copied = true, untouched = true;
        for (uint32_t i = 0; i < HALF; i++) {
            copied &= p[HALF + i] == pat(i, d);
            untouched &= p[HALF + i] == 0x5a;
        }
        bool want_copy = d != M_ABORT;
        rt_printf("roottask:   edu%u (%s) bus address 0x%lx: %s\n", d, mode_name[d], (unsigned long)base[d],
                  copied ? "copied" : untouched ? "nothing moved" : "WRONG BYTES");
        ok = ok && (want_copy ? copied : untouched);
    }
    if (!ok)
        return 9;

    seL4_Error u0 = seL4_ARM_SID_UnbindCB(sid[M_NESTED]), u1 = seL4_ARM_SID_UnbindCB(sid[M_S2]);
    seL4_Error u2 = seL4_ARM_SID_UnbindCB(sid[M_S1]), u3 = seL4_ARM_SID_UnbindCB(sid[M_BYPASS]);
    seL4_Error u4 = seL4_ARM_CB_UnassignVspace(cb[M_NESTED]), u5 = seL4_ARM_CB_UnassignVspace(cb[M_S2]);
    seL4_Error u6 = seL4_ARM_CB_UnassignVspace(cb[M_S1]);
    seL4_Error u7 = seL4_CNode_Delete(seL4_CapInitThreadCNode, x[X_BYPASS], DEPTH);
    seL4_Error er = seL4_CNode_Revoke(seL4_CapInitThreadCNode, c.ut, DEPTH);
    for (seL4_Word i = 0; !er && i < bi->untyped.end - bi->untyped.start; i++)
        if (bi->untypedList[i].isDevice)
            er = seL4_CNode_Revoke(seL4_CapInitThreadCNode, bi->untyped.start + i, DEPTH);
    bool clean = !(u0 || u1 || u2 || u3 || u4 || u5 || u6 || u7 || er);
    rt_printf("roottask: cleanup: %s\n", clean ? "all unbound, unassigned, revoked" : "FAILED");
    return clean ? RT_RESULT_OK : 10;
}
