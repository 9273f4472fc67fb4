/* RT_REQ_S1: stage-1-only translation for a native component. The root task retypes an IO
 * space (seL4_ARM_IOSpaceObject: a stage-1 table only the SMMU walks), maps two frames in
 * it at small IOVAs, assigns it to a CB (the kernel builds that CB's CD) and binds edu0.
 * It sees the same frames through copies of their caps mapped in its own VSpace. */
#include <stdbool.h>
#include <stdint.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>

#include "roottask.h"
#include "rt.h"
#include "rt_caps.h"

enum { S_IOSPACE, S_SRC, S_DST, S_SRC_VIEW, S_DST_VIEW, S_PT0, S_PT1, S_PT2, S_PT3, S_NSLOTS };
#define N 4096u

seL4_Word root_s1_demo(const seL4_BootInfo *bi)
{
    struct ctx c = { .bi = bi };
    if (bi->numSMMUs < 1 || !step_setup(&c))
        return 1;
    seL4_CPtr s[S_NSLOTS];
    for (unsigned i = 0; i < S_NSLOTS; i++) {
        s[i] = c.slot[SLOTS_USED - 1] + 1 + i;
        if (seL4_CNode_Delete(seL4_CapInitThreadCNode, s[i], DEPTH) != seL4_NoError)
            return 2;
    }
    volatile uint64_t *edu = (volatile uint64_t *)(uintptr_t)map_device_page(&c);
    if (!edu)
        return 3;
    seL4_CPtr sid = bi->smmu[0].sids.start, cb = bi->smmu[0].cbs.start;

    /* The IO space and its two pages; the same frames in its own VSpace, to look at them. */
    unsigned next_pt = 0;
    const seL4_CPtr *pts = &s[S_PT0];
    if (!rt_retype(bi, seL4_ARM_IOSpaceObject, s[S_IOSPACE]) || !rt_retype(bi, seL4_ARM_SmallPageObject, s[S_SRC]) ||
        !rt_retype(bi, seL4_ARM_SmallPageObject, s[S_DST]))
        return 4;
    if (seL4_CNode_Copy(seL4_CapInitThreadCNode, s[S_SRC_VIEW], DEPTH, seL4_CapInitThreadCNode, s[S_SRC], DEPTH,
                        seL4_AllRights) != seL4_NoError ||
        seL4_CNode_Copy(seL4_CapInitThreadCNode, s[S_DST_VIEW], DEPTH, seL4_CapInitThreadCNode, s[S_DST], DEPTH,
                        seL4_AllRights) != seL4_NoError)
        return 5;
    if (!rt_map_in(bi, s[S_IOSPACE], s[S_SRC], RT_S1_IOVA_SRC, seL4_ARM_Default_VMAttributes, pts, 4, &next_pt) ||
        !rt_map_in(bi, s[S_IOSPACE], s[S_DST], RT_S1_IOVA_DST, seL4_ARM_Default_VMAttributes, pts, 4, &next_pt) ||
        !rt_map(bi, s[S_SRC_VIEW], RT_S1_VIEW, pts, 4, &next_pt) ||
        !rt_map(bi, s[S_DST_VIEW], RT_S1_VIEW + 0x1000, pts, 4, &next_pt))
        return 6;
    seL4_Error ea = seL4_ARM_CB_AssignVspace(cb, s[S_IOSPACE]);
    seL4_Error eb = seL4_ARM_SID_BindCB(sid, cb);
    seL4_Error ec = seL4_ARM_CB_AssignCDTable(cb, 0x1000, 0, 0);
    rt_printf("roottask: IO space (stage 1) assigned to CB %lu: %u, SID bound: %u; AssignCDTable on it: %u "
              "(seL4_IllegalOperation = %u)\n", (unsigned long)cb, (unsigned)ea, (unsigned)eb, (unsigned)ec,
              (unsigned)seL4_IllegalOperation);
    if (ea || eb || ec != seL4_IllegalOperation)
        return 7;

    rt_fill(RT_S1_VIEW, N, 0x21);
    rt_fill(RT_S1_VIEW + 0x1000, N, 0);
    if (!rt_edu_dma(edu, RT_S1_IOVA_SRC, EDU_BUF, N, false) || !rt_edu_dma(edu, EDU_BUF, RT_S1_IOVA_DST, N, true))
        return 8;
    bool copied = rt_holds(RT_S1_VIEW + 0x1000, N, 0x21);
    rt_printf("roottask: device copied IOVA 0x%lx -> 0x%lx (stage 1 only): %s\n", (unsigned long)RT_S1_IOVA_SRC,
              (unsigned long)RT_S1_IOVA_DST, copied ? "bytes match" : "MISMATCH");
    if (!copied)
        return 9;

    /* Unmap the destination from the IO space: TLBI_NH_VA for the CB's ASID + CMD_SYNC. */
    if (seL4_ARM_Page_Unmap(s[S_DST]) != seL4_NoError)
        return 10;
    rt_fill(RT_S1_VIEW, N, 0x42);
    if (!rt_edu_dma(edu, RT_S1_IOVA_SRC, EDU_BUF, N, false) || !rt_edu_dma(edu, EDU_BUF, RT_S1_IOVA_DST, 64, true))
        return 11;
    bool blocked = rt_holds(RT_S1_VIEW + 0x1000, N, 0x21);
    rt_printf("roottask: Page_Unmap in the IO space, the device writes 0x%lx again: %s\n",
              (unsigned long)RT_S1_IOVA_DST, blocked ? "blocked, the page is unchanged" : "IT LANDED");
    if (!blocked)
        return 12;

    seL4_Error eu = seL4_ARM_SID_UnbindCB(sid);
    seL4_Error ev = seL4_ARM_CB_UnassignVspace(cb);
    seL4_Error er = seL4_CNode_Revoke(seL4_CapInitThreadCNode, c.ut, DEPTH);
    if (!er && c.dev_ut)
        er = seL4_CNode_Revoke(seL4_CapInitThreadCNode, c.dev_ut, DEPTH);
    rt_printf("roottask: cleanup: UnbindCB %u, UnassignVspace %u, Revoke %u\n", (unsigned)eu, (unsigned)ev,
              (unsigned)er);
    return (eu || ev || er) ? 13 : RT_RESULT_OK;
}
