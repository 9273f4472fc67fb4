/* The root task's main (EL0): what a seL4 root task does first. Read the boot info, then
 * invoke the kernel's objects through the generated stubs (seL4_Call underneath), checking
 * each reply: successes with results in MRs, and errors with their detail. Everything it
 * creates it deletes again, so a later run finds the same CSpace. */
#include <stdbool.h>
#include <stdint.h>

#include <sel4/bootinfo.h>
#include <sel4/errors.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>
#include <sel4/syscall.h>

#include "roottask.h"
#include "rt.h"
#include "rt_caps.h"


static void print_bootinfo(const seL4_BootInfo *bi)
{
    rt_printf("roottask: boot info: root CNode 2^%lu slots, untyped caps %lu..%lu, "
              "empty slots %lu..%lu, %lu SMMU(s)\n",
              (unsigned long)bi->initThreadCNodeSizeBits, (unsigned long)bi->untyped.start,
              (unsigned long)bi->untyped.end - 1, (unsigned long)bi->empty.start,
              (unsigned long)bi->empty.end - 1, (unsigned long)bi->numSMMUs);
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && i < seL4_MaxUntypedCaps; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        rt_printf("roottask:   untyped cap %lu: 0x%lx, 2^%u bytes%s\n",
                  (unsigned long)(bi->untyped.start + i), (unsigned long)d->paddr,
                  (unsigned)d->sizeBits, d->isDevice ? ", device" : "");
    }
    for (seL4_Word s = 0; s < bi->numSMMUs && s < seL4_MaxSMMUs; s++) {
        const seL4_SMMUBootInfo *m = &bi->smmu[s];
        rt_printf("roottask:   SMMU %lu: SIDControl cap %lu, CBControl cap %lu, SID caps %lu..%lu, "
                  "CB caps %lu..%lu\n",
                  (unsigned long)s, (unsigned long)m->sidControl, (unsigned long)m->cbControl,
                  (unsigned long)m->sids.start, (unsigned long)m->sids.end,
                  (unsigned long)m->cbs.start, (unsigned long)m->cbs.end);
    }
}

/* Find a normal untyped with room for a frame and two page tables, and the first device
 * untyped; then start clean: revoke both (deleting whatever an earlier run left, e.g.
 * RT_REQ_UNMAP_READ, which ends in a fault) and delete the slots the steps use. */
bool step_setup(struct ctx *c)
{
    const seL4_BootInfo *bi = c->bi;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && i < seL4_MaxUntypedCaps; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->isDevice && c->dev_ut == 0) {
            c->dev_ut = bi->untyped.start + i;
            c->dev_paddr = d->paddr;
        } else if (!d->isDevice && d->sizeBits >= seL4_PageBits + 2 && c->ut == 0) {
            c->ut = bi->untyped.start + i;
            c->ut_paddr = d->paddr;
            c->ut_size = (seL4_Word)1 << d->sizeBits;
        }
    }
    if (c->ut == 0 || bi->empty.end - bi->empty.start < SLOTS_USED)
        return false;
    bool ok = seL4_CNode_Revoke(seL4_CapInitThreadCNode, c->ut, DEPTH) == seL4_NoError;
    if (c->dev_ut != 0)
        ok = ok && seL4_CNode_Revoke(seL4_CapInitThreadCNode, c->dev_ut, DEPTH) == seL4_NoError;
    for (unsigned i = 0; i < SLOTS_USED; i++) {
        c->slot[i] = bi->empty.start + i;
        ok = ok && seL4_CNode_Delete(seL4_CapInitThreadCNode, c->slot[i], DEPTH) == seL4_NoError;
    }
    return ok;
}

/* 7 words: MR0..3 in registers, MR4..6 in the IPC buffer; one extra cap (the CNode). */
static bool step_retype(struct ctx *c)
{
    seL4_Error e = seL4_Untyped_Retype(c->ut, seL4_ARM_SmallPageObject, 0, seL4_CapInitThreadCNode,
                                       0, 0, c->slot[SLOT_FRAME], 1);
    if (e != seL4_NoError)
        rt_printf("roottask: Retype: error %u\n", (unsigned)e);
    return e == seL4_NoError;
}

/* A result in MR0 (a register on the way back). */
static bool step_get_address(struct ctx *c)
{
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(c->slot[SLOT_FRAME]);
    rt_printf("roottask: the new frame is at 0x%lx (untyped 0x%lx..0x%lx)\n",
              (unsigned long)r.paddr, (unsigned long)c->ut_paddr,
              (unsigned long)(c->ut_paddr + c->ut_size));
    return r.error == seL4_NoError && r.paddr >= c->ut_paddr &&
           r.paddr + (1u << seL4_PageBits) <= c->ut_paddr + c->ut_size &&
           (r.paddr & ((1u << seL4_PageBits) - 1)) == 0;
}

static bool step_copy(struct ctx *c)
{
    seL4_Error e = seL4_CNode_Copy(seL4_CapInitThreadCNode, c->slot[SLOT_COPY], DEPTH, seL4_CapInitThreadCNode,
                                   c->slot[SLOT_FRAME], DEPTH, seL4_AllRights);
    seL4_ARM_Page_GetAddress_t a = seL4_ARM_Page_GetAddress(c->slot[SLOT_FRAME]);
    seL4_ARM_Page_GetAddress_t b = seL4_ARM_Page_GetAddress(c->slot[SLOT_COPY]);
    return e == seL4_NoError && a.error == seL4_NoError && b.error == seL4_NoError &&
           a.paddr == b.paddr;
}

/* Errors: the label is the seL4_Error, the detail in MR0/MR1. */
static bool step_errors(struct ctx *c)
{
    bool ok = true;
    seL4_Error e = seL4_CNode_Copy(seL4_CapInitThreadCNode, c->slot[SLOT_COPY], DEPTH, seL4_CapInitThreadCNode,
                                   c->slot[SLOT_FRAME], DEPTH, seL4_AllRights);
    rt_printf("roottask:   Copy to an occupied slot: error %u (seL4_DeleteFirst = %u)\n", (unsigned)e,
              (unsigned)seL4_DeleteFirst);
    ok = ok && e == seL4_DeleteFirst;

    e = seL4_Untyped_Retype(c->ut, seL4_ARM_SmallPageObject, 0, seL4_CapInitThreadCNode, 0, 0,
                            c->slot[SLOT_SCRATCH], 0);
    rt_printf("roottask:   Retype of 0 objects: error %u (seL4_RangeError = %u), MR0 %lu, MR1 %lu\n",
              (unsigned)e, (unsigned)seL4_RangeError, (unsigned long)seL4_GetMR(0),
              (unsigned long)seL4_GetMR(1));
    ok = ok && e == seL4_RangeError && seL4_GetMR(0) == 1 && seL4_GetMR(1) == seL4_RetypeFanOutLimit;

    e = seL4_Untyped_Retype(c->ut, seL4_TCBObject, 0, seL4_CapInitThreadCNode, 0, 0, c->slot[SLOT_SCRATCH], 1);
    rt_printf("roottask:   Retype of a TCB: error %u (seL4_InvalidArgument = %u), MR0 %lu\n",
              (unsigned)e, (unsigned)seL4_InvalidArgument, (unsigned long)seL4_GetMR(0));
    ok = ok && e == seL4_InvalidArgument && seL4_GetMR(0) == 0;

    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(c->slot[SLOT_SCRATCH]);
    rt_printf("roottask:   GetAddress on an empty slot: error %d (seL4_InvalidCapability = %u)\n",
              r.error, (unsigned)seL4_InvalidCapability);
    ok = ok && r.error == seL4_InvalidCapability;
    return ok;
}

/* Its own IPC buffer is a frame cap (seL4_CapInitThreadIPCBuffer) at the address it uses. */
static bool step_own_frames(struct ctx *c)
{
    (void)c;
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(seL4_CapInitThreadIPCBuffer);
    rt_printf("roottask: IPC buffer frame cap: error %d, paddr 0x%lx (buffer at %p)\n", r.error,
              (unsigned long)r.paddr, (void *)seL4_GetIPCBuffer());
    return r.error == seL4_NoError && r.paddr == (seL4_Word)(uintptr_t)seL4_GetIPCBuffer();
}

/* A device page (the edu's registers) in its own VSpace: a frame from the device untyped,
 * the two page tables the IPA (= the BAR's address) needs, levels 2 and 3, from normal
 * untyped, then Page_Map into seL4_CapInitThreadVSpace. Returns the IPA, 0 on error. */
seL4_Word map_device_page(struct ctx *c)
{
    if (c->dev_ut == 0) {
        rt_printf("roottask:   no device untyped in the boot info\n");
        return 0;
    }
    seL4_Word ipa = c->dev_paddr;
    seL4_Error e1 = seL4_Untyped_Retype(c->dev_ut, seL4_ARM_SmallPageObject, 0,
                                        seL4_CapInitThreadCNode, 0, 0, c->slot[SLOT_DEV_FRAME], 1);
    seL4_Error e2 = seL4_Untyped_Retype(c->ut, seL4_ARM_PageTableObject, 0, seL4_CapInitThreadCNode,
                                        0, 0, c->slot[SLOT_PT_L2], 2);
    seL4_Error e3 = seL4_ARM_PageTable_Map(c->slot[SLOT_PT_L2], seL4_CapInitThreadVSpace, ipa,
                                           seL4_ARM_Default_VMAttributes);
    seL4_Error e4 = seL4_ARM_PageTable_Map(c->slot[SLOT_PT_L3], seL4_CapInitThreadVSpace, ipa,
                                           seL4_ARM_Default_VMAttributes);
    /* Not cacheable: Device-nGnRnE at stage 2, which wins over DC's stage-1 default. */
    seL4_Error e5 = seL4_ARM_Page_Map(c->slot[SLOT_DEV_FRAME], seL4_CapInitThreadVSpace, ipa,
                                      seL4_ReadWrite, seL4_ARM_ExecuteNever);
    rt_printf("roottask:   device frame, 2 page tables, 2 PageTable_Map, Page_Map at 0x%lx: "
              "errors %u %u %u %u %u\n",
              (unsigned long)ipa, (unsigned)e1, (unsigned)e2, (unsigned)e3, (unsigned)e4, (unsigned)e5);
    return (e1 || e2 || e3 || e4 || e5) ? 0 : ipa;
}

/* Read the ID register, check the liveness register (reads back inverted). */
static bool step_device_page(struct ctx *c)
{
    seL4_Word ipa = map_device_page(c);
    if (ipa == 0)
        return false;
    volatile uint32_t *regs = (volatile uint32_t *)(uintptr_t)ipa;
    uint32_t id = regs[EDU_ID_REG / 4];
    regs[EDU_LIVENESS_REG / 4] = 0x12345678u;
    uint32_t live = regs[EDU_LIVENESS_REG / 4];
    rt_printf("roottask:   edu registers from EL0: ID 0x%x, liveness 0x12345678 -> 0x%x\n", id, live);
    return (id & 0xffu) == EDU_ID_MAGIC && live == ~0x12345678u;
}

/* Delete the copy, then revoke both untypeds: every object made from them goes (the device
 * page is unmapped, the page tables leave the VSpace); all slots are empty again. */
static bool step_cleanup(struct ctx *c)
{
    seL4_Error d = seL4_CNode_Delete(seL4_CapInitThreadCNode, c->slot[SLOT_COPY], DEPTH);
    seL4_Error r = seL4_CNode_Revoke(seL4_CapInitThreadCNode, c->ut, DEPTH);
    if (c->dev_ut != 0 && r == seL4_NoError)
        r = seL4_CNode_Revoke(seL4_CapInitThreadCNode, c->dev_ut, DEPTH);
    for (unsigned i = SLOT_DEV_FRAME; i < SLOTS_USED; i++) {
        seL4_ARM_Page_GetAddress_t g = seL4_ARM_Page_GetAddress(c->slot[i]);
        if (g.error != seL4_InvalidCapability)
            return false;
    }
    seL4_ARM_Page_GetAddress_t a = seL4_ARM_Page_GetAddress(c->slot[SLOT_FRAME]);
    seL4_ARM_Page_GetAddress_t b = seL4_ARM_Page_GetAddress(c->slot[SLOT_COPY]);
    return d == seL4_NoError && r == seL4_NoError && a.error == seL4_InvalidCapability &&
           b.error == seL4_InvalidCapability;
}

seL4_Word root_main(const seL4_BootInfo *bi)
{
    rt_printf("roottask: started at EL0 with boot info at %p, IPC buffer at %p\n", (const void *)bi,
              (void *)seL4_GetIPCBuffer());
    print_bootinfo(bi);
    struct ctx c = { .bi = bi };
    static bool (*const steps[])(struct ctx *) = { step_setup,        step_retype,      step_get_address,
                                                   step_copy,         step_errors,      step_own_frames,
                                                   step_device_page,  step_cleanup };
    static const char *const names[] = {
        "a normal and a device untyped, 6 empty slots; leftovers revoked",
        "Untyped_Retype: one 4 KiB frame (7 MRs: 4 in registers, 3 in the IPC buffer)",
        "ARM_Page_GetAddress: the paddr (MR0) lies in the untyped",
        "CNode_Copy of the frame cap: the copy names the same frame",
        "error replies: DeleteFirst, RangeError(1, 256), InvalidArgument(0), InvalidCapability",
        "the IPC buffer is a frame cap in seL4_CapInitThreadIPCBuffer",
        "an edu BAR0 page (device untyped) mapped in its own VSpace, read from EL0",
        "CNode_Delete + CNode_Revoke: the slots are empty again",
    };
    for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        bool ok = steps[i](&c);
        rt_printf("roottask: step %u %s: %s\n", i + 1, names[i], ok ? "ok" : "FAILED");
        if (!ok)
            return i + 1;
    }
    return RT_RESULT_OK;
}

/* RT_REQ_UNMAP_READ: map the device page, read it (the CPU's TLB now holds the
 * translation), Page_Unmap it, read it again. The second read must fault (the image checks
 * the stage-2 abort): the kernel's unmap invalidated the TLB. Returns only if it did not. */
seL4_Word root_unmap_read(const seL4_BootInfo *bi)
{
    struct ctx c = { .bi = bi };
    if (!step_setup(&c))
        return 1;
    seL4_Word ipa = map_device_page(&c);
    if (ipa == 0)
        return 2;
    volatile uint32_t *regs = (volatile uint32_t *)(uintptr_t)ipa;
    uint32_t id = regs[EDU_ID_REG / 4];
    seL4_Error e = seL4_ARM_Page_Unmap(c.slot[SLOT_DEV_FRAME]);
    rt_printf("roottask: read ID 0x%x, Page_Unmap: error %u; reading again\n", id, (unsigned)e);
    if (e != seL4_NoError || (id & 0xffu) != EDU_ID_MAGIC)
        return 3;
    id = regs[EDU_ID_REG / 4];
    rt_printf("roottask: the unmapped page still reads 0x%x: stale translation\n", id);
    return 4;
}

/* RT_REQ_GET_ADDRESS: `n` invocations of a real object (lookup, decode, reply), timed by the
 * image. Exits with the number of failed calls. */
seL4_Word root_get_address_calls(seL4_Word n)
{
    seL4_Word bad = 0;
    for (seL4_Word i = 0; i < n; i++)
        bad += seL4_ARM_Page_GetAddress(seL4_CapInitThreadIPCBuffer).error != seL4_NoError;
    return bad;
}
