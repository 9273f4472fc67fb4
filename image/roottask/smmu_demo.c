/* RT_REQ_SMMU: the root task gives a DMA device access to memory, and takes it back, using
 * only its capabilities (EL0, through seL4_Call). Stage-2-only scheme: the device's
 * StreamID is bound to a CB whose VSpace is the root task's own, so the device sees exactly
 * what the root task sees, at the same addresses. The kernel side (scenario roottask-smmu)
 * checks the SMMU's event records afterwards. */
#include <stdbool.h>
#include <stdint.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>
#include <sel4/syscall.h>

#include "roottask.h"
#include "rt.h"
#include "rt_caps.h"

#define N 4096u
#define FAULT_BYTES 64u           /* QEMU records one event per 4 bytes of a faulting DMA */

/* The window of the root task's VSpace the device gets (IPA = IOVA). */
#define IOVA_SRC RT_SMMU_IOVA_SRC
#define IOVA_DST RT_SMMU_IOVA_DST
#define IOVA_ALIAS RT_SMMU_IOVA_ALIAS

enum { S_SRC, S_DST, S_ALIAS, S_PT0, S_PT1, S_PT2, S_NSLOTS };

struct demo {
    struct ctx c;
    volatile uint64_t *edu; /* edu0's registers, mapped in the root task's VSpace */
    seL4_CPtr sid, cb;
    seL4_CPtr s[S_NSLOTS];
    unsigned next_pt;
};

static bool edu_dma(struct demo *d, uint64_t src, uint64_t dst, uint32_t count, bool to_ram)
{
    if (rt_edu_dma(d->edu, src, dst, count, to_ram))
        return true;
    rt_printf("roottask: edu DMA did not complete\n");
    return false;
}

static bool to_device(struct demo *d, uint64_t iova, uint32_t n) { return edu_dma(d, iova, EDU_BUF, n, false); }
static bool from_device(struct demo *d, uint64_t iova, uint32_t n) { return edu_dma(d, EDU_BUF, iova, n, true); }

static bool retype(struct demo *d, seL4_Word type, seL4_CPtr dest) { return rt_retype(d->c.bi, type, dest); }

static bool map(struct demo *d, seL4_CPtr frame, uint64_t va)
{
    return rt_map(d->c.bi, frame, va, &d->s[S_PT0], S_PT2 - S_PT0 + 1, &d->next_pt);
}

static bool setup(struct demo *d)
{
    const seL4_BootInfo *bi = d->c.bi;
    if (bi->numSMMUs < 1 || bi->smmu[0].sids.end == bi->smmu[0].sids.start ||
        bi->smmu[0].cbs.end == bi->smmu[0].cbs.start) {
        rt_printf("roottask: no pre-generated SID/CB caps in the boot info\n");
        return false;
    }
    if (!step_setup(&d->c))
        return false;
    for (unsigned i = 0; i < S_NSLOTS; i++) {
        d->s[i] = d->c.slot[SLOTS_USED - 1] + 1 + i;
        if (seL4_CNode_Delete(seL4_CapInitThreadCNode, d->s[i], DEPTH) != seL4_NoError)
            return false;
    }
    d->next_pt = 0;
    d->sid = bi->smmu[0].sids.start; /* StreamID 0x10: edu0, first in the boot table (config/qemu-virt.assign) */
    d->cb = bi->smmu[0].cbs.start;
    seL4_Word regs = map_device_page(&d->c);
    d->edu = (volatile uint64_t *)(uintptr_t)regs;
    return regs != 0;
}

seL4_Word root_smmu_demo(const seL4_BootInfo *bi)
{
    struct demo d = { .c = { .bi = bi } };
    if (!setup(&d))
        return 1;
    rt_printf("roottask: SID cap %lu (StreamID 0x10), CB cap %lu, edu0 registers at 0x%lx\n",
              (unsigned long)d.sid, (unsigned long)d.cb, (unsigned long)(uintptr_t)d.edu);

    /* 1. Two frames in its own VSpace; the CB gets that VSpace; the SID is bound. */
    if (!retype(&d, seL4_ARM_SmallPageObject, d.s[S_SRC]) || !retype(&d, seL4_ARM_SmallPageObject, d.s[S_DST]) ||
        !map(&d, d.s[S_SRC], IOVA_SRC) || !map(&d, d.s[S_DST], IOVA_DST))
        return 2;
    seL4_Error ea = seL4_ARM_CB_AssignVspace(d.cb, seL4_CapInitThreadVSpace);
    seL4_Error eb = seL4_ARM_SID_BindCB(d.sid, d.cb);
    rt_printf("roottask: CB_AssignVspace(its own VSpace): %u, SID_BindCB: %u\n", (unsigned)ea, (unsigned)eb);
    if (ea != seL4_NoError || eb != seL4_NoError)
        return 3;

    /* 2. DMA through the translation: the device copies SRC -> DST at the root task's own
     *    addresses. */
    rt_fill(IOVA_SRC, N, 0x11);
    rt_fill(IOVA_DST, N, 0x00);
    if (!to_device(&d, IOVA_SRC, N) || !from_device(&d, IOVA_DST, N))
        return 4;
    bool copied = rt_holds(IOVA_DST, N, 0x11);
    rt_printf("roottask: device copied 0x%lx -> 0x%lx through the SMMU: %s\n", (unsigned long)IOVA_SRC,
              (unsigned long)IOVA_DST, copied ? "bytes match" : "MISMATCH");
    if (!copied)
        return 5;

    /* 3. An alias of DST (a copy of its cap, mapped elsewhere), then unmap DST: the device's
     *    next write to DST's address must be blocked; the alias shows the page unchanged. */
    if (seL4_CNode_Copy(seL4_CapInitThreadCNode, d.s[S_ALIAS], DEPTH, seL4_CapInitThreadCNode, d.s[S_DST], DEPTH,
                        seL4_AllRights) != seL4_NoError ||
        !map(&d, d.s[S_ALIAS], IOVA_ALIAS))
        return 6;
    if (seL4_ARM_Page_Unmap(d.s[S_DST]) != seL4_NoError)
        return 7;
    rt_fill(IOVA_SRC, N, 0x22);
    if (!to_device(&d, IOVA_SRC, N) || !from_device(&d, IOVA_DST, FAULT_BYTES))
        return 8;
    bool blocked = rt_holds(IOVA_ALIAS, N, 0x11);
    rt_printf("roottask: Page_Unmap(DST), device writes 0x%lx again: %s\n", (unsigned long)IOVA_DST,
              blocked ? "blocked, the page (seen through its alias) is unchanged" : "IT LANDED");
    if (!blocked)
        return 9;

    /* 4. The alias is mapped, so the device can write it ... until the SID cap is deleted. */
    if (!from_device(&d, IOVA_ALIAS, N) || !rt_holds(IOVA_ALIAS, N, 0x22))
        return 10;
    rt_printf("roottask: the device reaches the alias while the SID is bound\n");
    if (seL4_CNode_Delete(seL4_CapInitThreadCNode, d.sid, DEPTH) != seL4_NoError)
        return 11;
    rt_fill(IOVA_SRC, N, 0x33); /* the device still holds 0x22; now try to push 0x33 through it */
    if (!to_device(&d, IOVA_SRC, N) || !from_device(&d, IOVA_ALIAS, N))
        return 12;
    bool aborted = rt_holds(IOVA_ALIAS, N, 0x22);
    rt_printf("roottask: SID cap deleted: the device's read and write both went nowhere (%s)\n",
              aborted ? "alias unchanged" : "ALIAS CHANGED");
    if (!aborted)
        return 13;

    /* 5. Put things back for a later run: the SID cap again (GetSID into its old slot),
     *    the CB without VSpace, every object from the untypeds revoked. */
    seL4_Error eg = seL4_ARM_SIDControl_GetSID(bi->smmu[0].sidControl, 0, 0x10, seL4_CapInitThreadCNode, d.sid, DEPTH);
    seL4_Error eu = seL4_ARM_CB_UnassignVspace(d.cb);
    seL4_Error er = seL4_CNode_Revoke(seL4_CapInitThreadCNode, d.c.ut, DEPTH);
    if (d.c.dev_ut)
        er = er ? er : seL4_CNode_Revoke(seL4_CapInitThreadCNode, d.c.dev_ut, DEPTH);
    rt_printf("roottask: cleanup: GetSID %u, CB_UnassignVspace %u, Revoke %u\n", (unsigned)eg, (unsigned)eu,
              (unsigned)er);
    return (eg || eu || er) ? 14 : RT_RESULT_OK;
}
