/* The SMMU capability objects end to end on the host: the root task's view (generated
 * user stubs -> host seL4_Call -> the kernel's syscall entry -> src/object/ -> driver ->
 * SMMU stand-in), and what a device would see, decided by walking the STE the stand-in
 * fetches and the stage-2 table it points at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>

#include "kernel/boot.h"
#include "kernel/syscall.h"
#include "lib/bits.h"
#include "libsel4/host/sel4_host.h"
#include "object/smmu_boot.h"
#include "object/smmu_object.h"
#include "plat/plat.h"
#include "root_objects.h"
#include "smmu_fixture.h"

#define MEM_BITS 24u
#define ROOT seL4_CapInitThreadCNode
#define DEPTH 64

static struct fixture fx;
static void *mem;
static struct kernel_thread root;
static seL4_IPCBuffer ipc;
static seL4_BootInfo bi;
static struct root_objects ro;

static const struct smmu_boot_sid boot_sids[] = { { .smmu_id = 0, .sid = 0x10 }, { .smmu_id = 0, .sid = 0x18 } };

static int setup(void **state)
{
    (void)state;
    /* As QEMU's SMMU, but with a 48-bit OAS: host "physical" addresses are the test
     * process's heap addresses, beyond QEMU's 44 bits. */
    memset(&fx, 0, sizeof(fx));
    standin_init(&fx.sd);
    fx.sd.idr[5] = (fx.sd.idr[5] & ~7u) | 5u;
    fx_config(&fx, 16, SMMU_STRTAB_AUTO, 8);
    if (smmu_init(&fx.smmu, &fx.cfg) != ERR_NONE)
        return -1;
    smmu_object_reset();
    smmu_object_register(0, &fx.smmu);
    smmu_boot_set_table(boot_sids, 2);
    mem = aligned_alloc(1u << MEM_BITS, 1u << MEM_BITS);
    memset(mem, 0, 1u << MEM_BITS);
    struct kernel_boot_config cfg = { .root_cnode_radix = 12, .n_regions = 1,
                                      .regions = { { .base = (paddr_t)(uintptr_t)mem, .size = 1u << MEM_BITS } } };
    memset(&root, 0, sizeof(root));
    if (kernel_boot(&cfg, &root, &bi) != ERR_NONE)
        return -1;
    seL4_HostBindThread(&root);
    seL4_SetIPCBuffer(&ipc);
    ro_init(&ro, &bi);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_stop(&fx);
    free(mem);
    return 0;
}

static seL4_CPtr new_slot(void) { return ro_slot(&ro); }
static seL4_CPtr retype(seL4_Word type, seL4_Word size_bits) { return ro_retype(&ro, type, size_bits); }
static seL4_CPtr map_frame(seL4_CPtr vs, seL4_Word va, seL4_CapRights_t rights)
{
    return ro_map_frame(&ro, vs, va, rights);
}

enum dev_view { DEV_ABORT, DEV_BYPASS, DEV_FAULT, DEV_OK };

/* What a DMA from `sid` to `iova` reaches: walk the fetched STE and its stage-2 table. */
static enum dev_view device_view(uint32_t sid, uint64_t iova, bool write, paddr_t *pa)
{
    struct ste s;
    if (!(fx.sd.cr0 & CR0_SMMUEN)) /* disabled: GBPA decides, and we keep it at abort */
        return (fx.sd.gbpa & GBPA_ABORT) ? DEV_ABORT : DEV_BYPASS;
    if (standin_fetch_ste(&fx.sd, sid, s.dw) != 0 || !(s.dw[0] & STE0_V))
        return DEV_ABORT;
    unsigned config = (unsigned)FIELD_GET(STE0_CONFIG, s.dw[0]);
    if (config == STE_CONFIG_BYPASS) {
        *pa = iova;
        return DEV_BYPASS;
    }
    if (config != STE_CONFIG_S2)
        return DEV_ABORT;
    struct pt walker = { 0 };
    unsigned t0sz = (unsigned)FIELD_GET(STE2_S2T0SZ, s.dw[2]);
    unsigned sl0 = (unsigned)FIELD_GET(STE2_S2SL0, s.dw[2]);
    assert_int_equal(pt_format_init_level(&walker.fmt, PT_STAGE2, 64 - t0sz, 48, 2 - sl0), ERR_NONE);
    walker.root = s.dw[3] & STE3_S2TTB;
    struct pt_walk_result w;
    if (pt_walk(&walker, iova, &w) != ERR_NONE)
        return DEV_FAULT;
    if (write ? !(w.attrs.perms & PT_PERM_W) : !(w.attrs.perms & PT_PERM_R))
        return DEV_FAULT;
    *pa = w.pa;
    return DEV_OK;
}

static paddr_t frame_pa(seL4_CPtr frame)
{
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(frame);
    assert_int_equal(r.error, seL4_NoError);
    return r.paddr;
}

static void test_boot_caps(void **state)
{
    (void)state;
    assert_int_equal(bi.numSMMUs, 1);
    assert_int_equal(bi.smmu[0].sidControl, seL4_CapSMMUSIDControl);
    assert_int_equal(bi.smmu[0].cbControl, seL4_CapSMMUCBControl);
    assert_int_equal(bi.smmu[0].sids.end - bi.smmu[0].sids.start, 2);
    assert_int_equal(bi.smmu[0].cbs.end - bi.smmu[0].cbs.start, 2);
    assert_int_equal(smmu_boot_skipped(), 0);
    /* Pre-generated SID 0x10 is issued: issuing it again is refused. */
    seL4_CPtr dest = new_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x10, ROOT, dest, DEPTH), seL4_RevokeFirst);
    /* Every pre-generated SID aborts until bound. */
    paddr_t pa;
    assert_int_equal(device_view(0x10, 0x1000, false, &pa), DEV_ABORT);
}

static void test_stage2_bind_map_unmap(void **state)
{
    (void)state;
    seL4_CPtr sid = bi.smmu[0].sids.start, cb = bi.smmu[0].cbs.start;
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    /* A CB without a VSpace cannot be bound. */
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_InvalidCapability);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_DeleteFirst);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_DeleteFirst);

    const seL4_Word va = 0x10000000;
    seL4_CPtr frame = map_frame(vs, va, seL4_ReadWrite);
    paddr_t pa;
    assert_int_equal(device_view(0x10, va + 0x123, true, &pa), DEV_OK);
    assert_int_equal(pa, frame_pa(frame) + 0x123);
    assert_int_equal(device_view(0x10, va + PAGE_SIZE, false, &pa), DEV_FAULT);
    /* The STE carries the CB's own VMID (cb index + 1). */
    uint64_t ste[8];
    standin_fetch_ste(&fx.sd, 0x10, ste);
    uint16_t vmid = (uint16_t)FIELD_GET(STE2_S2VMID, ste[2]);
    assert_int_equal(vmid, 1);

    /* Unmap: TLBI for that VMID and IPA, then CMD_SYNC, before the call returns. */
    unsigned tlbi0 = standin_count(&fx.sd, CMD_OP_TLBI_S2_IPA), sync0 = fx.sd.nsync;
    assert_int_equal(seL4_ARM_Page_Unmap(frame), seL4_NoError);
    assert_int_equal(standin_count(&fx.sd, CMD_OP_TLBI_S2_IPA) - tlbi0, 1);
    assert_int_equal(fx.sd.nsync - sync0, 1);
    uint64_t *last = fx.sd.log[fx.sd.nlog - 2];
    assert_int_equal(FIELD_GET(CMD0_OPCODE, last[0]), CMD_OP_TLBI_S2_IPA);
    assert_int_equal(FIELD_GET(CMD0_VMID, last[0]), vmid);
    assert_int_equal(last[1] & CMD1_ADDR, va);
    assert_int_equal(device_view(0x10, va, false, &pa), DEV_FAULT);

    /* Read-only mapping: the device may read, not write. */
    seL4_CPtr ro_frame = map_frame(vs, va + 2 * PAGE_SIZE, seL4_CanRead);
    assert_int_equal(device_view(0x10, va + 2 * PAGE_SIZE, false, &pa), DEV_OK);
    assert_int_equal(device_view(0x10, va + 2 * PAGE_SIZE, true, &pa), DEV_FAULT);
    (void)ro_frame;

    /* Unbind: abort; unbind again: nothing bound. */
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid), seL4_NoError);
    assert_int_equal(device_view(0x10, va + 2 * PAGE_SIZE, false, &pa), DEV_ABORT);
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid), seL4_IllegalOperation);
}

static void test_delete_and_revoke(void **state)
{
    (void)state;
    seL4_CPtr sid_a = bi.smmu[0].sids.start, sid_b = sid_a + 1, cb = bi.smmu[0].cbs.start;
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    map_frame(vs, 0x20000000, seL4_ReadWrite);
    assert_int_equal(seL4_ARM_SID_BindCB(sid_a, cb), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid_b, cb), seL4_NoError); /* one CB, many SIDs */
    paddr_t pa;
    assert_int_equal(device_view(0x10, 0x20000000, true, &pa), DEV_OK);
    assert_int_equal(device_view(0x18, 0x20000000, true, &pa), DEV_OK);

    /* Deleting the last SID cap: that STE aborts, the other keeps translating. */
    assert_int_equal(seL4_CNode_Delete(ROOT, sid_a, DEPTH), seL4_NoError);
    assert_int_equal(device_view(0x10, 0x20000000, true, &pa), DEV_ABORT);
    assert_int_equal(device_view(0x18, 0x20000000, true, &pa), DEV_OK);
    /* ... and the SID can be issued again. */
    seL4_CPtr again = new_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x10, ROOT, again, DEPTH), seL4_NoError);

    /* A copy of the CB keeps it alive; deleting the last user cap unbinds its SIDs. */
    seL4_CPtr cb_copy = new_slot();
    assert_int_equal(seL4_CNode_Copy(ROOT, cb_copy, DEPTH, ROOT, cb, DEPTH, seL4_AllRights), seL4_NoError);
    assert_int_equal(seL4_CNode_Delete(ROOT, cb, DEPTH), seL4_NoError);
    assert_int_equal(device_view(0x18, 0x20000000, true, &pa), DEV_OK);
    assert_int_equal(seL4_CNode_Delete(ROOT, cb_copy, DEPTH), seL4_NoError);
    assert_int_equal(device_view(0x18, 0x20000000, true, &pa), DEV_ABORT);
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid_b), seL4_IllegalOperation);

    /* A fresh CB over the VSpace; deleting the VSpace unassigns it: its SIDs abort. */
    seL4_CPtr cb2 = new_slot();
    assert_int_equal(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, 5, ROOT, cb2, DEPTH), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb2, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid_b, cb2), seL4_NoError);
    assert_int_equal(device_view(0x18, 0x20000000, true, &pa), DEV_OK);
    assert_int_equal(seL4_CNode_Delete(ROOT, vs, DEPTH), seL4_NoError);
    assert_int_equal(device_view(0x18, 0x20000000, true, &pa), DEV_ABORT);
    assert_int_equal(seL4_ARM_CB_UnassignVspace(cb2), seL4_IllegalOperation);

    /* Revoking the CBControl cap removes every CB it issued. */
    assert_int_equal(seL4_CNode_Revoke(ROOT, seL4_CapSMMUCBControl, DEPTH), seL4_NoError);
    assert_int_not_equal(seL4_ARM_CB_TLBInvalidateAll(cb2), seL4_NoError); /* the slot is empty now */
    seL4_CPtr cb3 = new_slot();
    assert_int_equal(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, 5, ROOT, cb3, DEPTH), seL4_NoError);
}

static void test_bypass_is_privileged(void **state)
{
    (void)state;
    seL4_CPtr sid = bi.smmu[0].sids.start, cb = bi.smmu[0].cbs.start;
    paddr_t pa;
    /* A CB cap is not a bypass cap. */
    assert_int_equal(seL4_ARM_SID_Bypass(sid, cb), seL4_InvalidCapability);
    seL4_CPtr bypass = new_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetBypass(seL4_CapSMMUSIDControl, ROOT, bypass, DEPTH), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_Bypass(sid, bypass), seL4_NoError);
    assert_int_equal(device_view(0x10, 0x40000000, true, &pa), DEV_BYPASS);
    assert_int_equal(seL4_ARM_SID_Bypass(sid, bypass), seL4_DeleteFirst);
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid), seL4_NoError);
    assert_int_equal(device_view(0x10, 0x40000000, true, &pa), DEV_ABORT);
    /* The control caps cannot be copied, so nothing else can mint bypass caps. */
    seL4_CPtr copy = new_slot();
    assert_int_equal(seL4_CNode_Copy(ROOT, copy, DEPTH, ROOT, seL4_CapSMMUSIDControl, DEPTH, seL4_AllRights),
                     seL4_IllegalOperation);
    /* Deleting the SID cap while bypassing aborts the stream. */
    assert_int_equal(seL4_ARM_SID_Bypass(sid, bypass), seL4_NoError);
    assert_int_equal(seL4_CNode_Delete(ROOT, sid, DEPTH), seL4_NoError);
    assert_int_equal(device_view(0x10, 0x40000000, true, &pa), DEV_ABORT);
}

static void test_argument_errors(void **state)
{
    (void)state;
    seL4_CPtr dest = new_slot();
    /* GetSID: wrong SMMU id (argument 0), SID beyond IDR1.SIDSIZE (argument 1). */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 1, 0x20, ROOT, dest, DEPTH), seL4_InvalidArgument);
    assert_int_equal(seL4_GetMR(0), 0);
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x10000, ROOT, dest, DEPTH), seL4_RangeError);
    assert_int_equal(seL4_GetMR(0), 0);
    assert_int_equal(seL4_GetMR(1), 0xffff);
    /* Occupied destination. */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x20, ROOT, bi.smmu[0].cbs.start, DEPTH),
                     seL4_DeleteFirst);
    /* Bad depth. */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x20, ROOT, dest, 65), seL4_RangeError);
    /* GetCB beyond the contexts. */
    assert_int_equal(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, SMMU_MAX_CBS, ROOT, dest, DEPTH), seL4_RangeError);
    assert_int_equal(seL4_GetMR(1), SMMU_MAX_CBS - 1);
    /* Issued CB again. */
    assert_int_equal(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, 0, ROOT, dest, DEPTH), seL4_RevokeFirst);
    /* Wrong cap types. */
    seL4_CPtr sid = bi.smmu[0].sids.start, cb = bi.smmu[0].cbs.start;
    assert_int_equal(seL4_ARM_SID_BindCB(sid, sid), seL4_InvalidCapability);
    assert_int_equal(seL4_GetMR(0), 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, sid), seL4_InvalidCapability);
    assert_int_equal(seL4_ARM_SID_BindCB(cb, cb), seL4_IllegalOperation); /* wrong label for a CB */
    /* Truncated: BindCB without its cap. */
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(ARMSIDBindCB, 0, 0, 0);
    assert_int_equal(seL4_MessageInfo_get_label(seL4_Call(sid, tag)), seL4_TruncatedMessage);
    /* TLBInvalidate: no VSpace, then alignment and range. */
    assert_int_equal(seL4_ARM_CB_TLBInvalidate(cb, 0, PAGE_SIZE), seL4_IllegalOperation);
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_TLBInvalidate(cb, 0x1001, PAGE_SIZE), seL4_AlignmentError);
    assert_int_equal(seL4_ARM_CB_TLBInvalidate(cb, 1ULL << 40, PAGE_SIZE), seL4_RangeError);
    unsigned syncs = fx.sd.nsync;
    assert_int_equal(seL4_ARM_CB_TLBInvalidate(cb, 0x100000, 512 * PAGE_SIZE), seL4_NoError);
    assert_int_equal(fx.sd.nsync - syncs, 1);
    assert_int_equal(seL4_ARM_CB_TLBInvalidateAll(cb), seL4_NoError);
    /* Nothing above changed what a device sees. */
    paddr_t pa;
    assert_int_equal(device_view(0x10, 0, false, &pa), DEV_ABORT);
}

static void test_cb_of_another_smmu(void **state)
{
    (void)state;
    /* A second instance (sharing the stand-in: only identities matter here). */
    assert_int_equal(smmu_object_register(1, &fx.smmu), ERR_NONE);
    seL4_CPtr cb1 = new_slot();
    /* No boot caps for SMMU 1 in this test: mint its control caps the way boot does. */
    cte_init_original(&((cte_t *)plat_phys_to_virt(cap_cnode_cap_get_capCNodePtr_pfn(root.cspace_root.cap) << 12))[cb1],
                      cap_cb_control_cap_new(1));
    seL4_CPtr cb = new_slot();
    assert_int_equal(seL4_ARM_CBControl_GetCB(cb1, 0, ROOT, cb, DEPTH), seL4_NoError);
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[0].sids.start, cb), seL4_InvalidCapability);
}

static void raw_event(uint64_t raw[4], uint32_t sid, uint64_t addr)
{
    raw[0] = FIELD_PREP(EVT0_TYPE, EVT_F_TRANSLATION) | FIELD_PREP(EVT0_SID, sid);
    raw[1] = EVT1_S2 | FIELD_PREP(EVT1_CLASS, 2);
    raw[2] = addr;
    raw[3] = addr & EVT3_IPA;
}

static void test_global_errors(void **state)
{
    (void)state;
    seL4_CPtr ctl = seL4_CapSMMUSIDControl, cb = bi.smmu[0].cbs.start;
    seL4_ARM_SIDControl_GetGlobalError_t g = seL4_ARM_SIDControl_GetGlobalError(ctl);
    assert_int_equal(g.error, seL4_NoError);
    assert_int_equal(g.active, 0);
    assert_int_equal(seL4_ARM_SIDControl_ClearGlobalError(ctl, 0), seL4_InvalidArgument);
    assert_int_equal(seL4_ARM_SIDControl_ClearGlobalError(ctl, GERROR_CMDQ_ERR), seL4_InvalidArgument);
    assert_int_equal(seL4_ARM_SIDControl_SkipCmdqError(ctl), seL4_IllegalOperation);

    /* An illegal command in the queue (as a corrupted entry would be): the next
     * invocation's commands stop behind it. */
    uint64_t *slot = smmu_queue_slot(&fx.smmu.cmdq, fx.smmu.cmdq.prod);
    slot[0] = 0x77;
    slot[1] = 0x1234;
    fx.smmu.cmdq.prod = smmu_queue_inc(&fx.smmu.cmdq, fx.smmu.cmdq.prod);
    unsigned syncs = fx.sd.nsync;
    assert_int_equal(seL4_ARM_CBControl_TLBInvalidateAll(seL4_CapSMMUCBControl), seL4_NoError);
    assert_int_equal(fx.sd.nsync, syncs); /* its CMD_SYNC did not complete */
    g = seL4_ARM_SIDControl_GetGlobalError(ctl);
    assert_int_equal(g.active, GERROR_CMDQ_ERR);
    assert_int_equal(g.cmdq_error, CMDQ_ERR_ILL);
    assert_int_equal(g.cmd0, 0x77);
    assert_int_equal(g.cmd1, 0x1234);
    assert_int_equal(seL4_ARM_SIDControl_ClearGlobalError(ctl, GERROR_EVENTQ_ABT_ERR), seL4_InvalidArgument);
    /* Skip: the failed command becomes a CMD_SYNC; the ones behind it complete. */
    unsigned nsnh = standin_count(&fx.sd, CMD_OP_TLBI_NSNH_ALL);
    assert_int_equal(seL4_ARM_SIDControl_SkipCmdqError(ctl), seL4_NoError);
    assert_int_equal(standin_count(&fx.sd, CMD_OP_TLBI_NSNH_ALL), nsnh + 1);
    assert_true(fx.sd.nsync >= syncs + 2);
    g = seL4_ARM_SIDControl_GetGlobalError(ctl);
    assert_int_equal(g.active, 0);
    /* And the queue works again. */
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    syncs = fx.sd.nsync;
    assert_int_equal(seL4_ARM_CB_TLBInvalidateAll(cb), seL4_NoError);
    assert_int_equal(fx.sd.nsync, syncs + 1);
}

static void test_eventq_invocation(void **state)
{
    (void)state;
    seL4_CPtr ctl = seL4_CapSMMUSIDControl;
    assert_int_equal(seL4_ARM_SIDControl_GetEventq(ctl, 0).error, seL4_RangeError);
    assert_int_equal(seL4_ARM_SIDControl_GetEventq(ctl, 30).error, seL4_RangeError);
    seL4_ARM_SIDControl_GetEventq_t r = seL4_ARM_SIDControl_GetEventq(ctl, 29);
    assert_int_equal(r.error, seL4_NoError);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.remaining, 0);
    /* 100 faults into a 64-record queue: 36 are lost, and GetEventq says so. */
    uint64_t raw[4];
    unsigned accepted = 0;
    for (unsigned i = 0; i < 100; i++) {
        raw_event(raw, 0x10, 0x1000ULL * i);
        accepted += standin_inject_event(&fx.sd, raw);
    }
    assert_int_equal(accepted, 64);
    unsigned seen = 0;
    bool lost_reported = false;
    for (unsigned call = 0; call < 4; call++) {
        r = seL4_ARM_SIDControl_GetEventq(ctl, 29);
        assert_int_equal(r.error, seL4_NoError);
        lost_reported |= (r.remaining >> 63) != 0;
        for (seL4_Word k = 0; k < r.count; k++, seen++) {
            assert_int_equal(seL4_GetMR(2 + 4 * k) & 0xff, EVT_F_TRANSLATION);
            assert_int_equal(seL4_GetMR(2 + 4 * k) >> 32, 0x10);
            assert_int_equal(seL4_GetMR(3 + 4 * k), 2u | (2u << 2)); /* write, stage 2, class IN */
            assert_int_equal(seL4_GetMR(4 + 4 * k), 0x1000ULL * seen); /* in order, none twice */
        }
        if (call == 0)
            assert_int_equal(r.remaining & ~(1ULL << 63), 64 - 29);
    }
    assert_int_equal(seen, 64);
    assert_true(lost_reported);
    assert_int_equal(fx.sd.events_dropped, 100 - seen);
}

static void test_disable_and_init(void **state)
{
    (void)state;
    seL4_CPtr ctl = seL4_CapSMMUSIDControl, sid_a = bi.smmu[0].sids.start, sid_b = sid_a + 1;
    seL4_CPtr cb = bi.smmu[0].cbs.start;
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    seL4_CPtr frame = map_frame(vs, 0x30000000, seL4_ReadWrite);
    assert_int_equal(seL4_ARM_SID_BindCB(sid_a, cb), seL4_NoError);
    seL4_CPtr bypass = new_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetBypass(ctl, ROOT, bypass, DEPTH), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_Bypass(sid_b, bypass), seL4_NoError);
    paddr_t pa;
    assert_int_equal(device_view(0x10, 0x30000000, true, &pa), DEV_OK);
    assert_int_equal(pa, frame_pa(frame));
    assert_int_equal(device_view(0x18, 0x1234000, true, &pa), DEV_BYPASS);

    assert_int_equal(seL4_ARM_SIDControl_InitSMMU(ctl), seL4_IllegalOperation);
    assert_int_equal(seL4_ARM_SIDControl_DisableSMMU(ctl), seL4_NoError);
    assert_int_equal(seL4_ARM_SIDControl_DisableSMMU(ctl), seL4_IllegalOperation);
    assert_int_equal(device_view(0x10, 0x30000000, true, &pa), DEV_ABORT);
    assert_int_equal(device_view(0x18, 0x1234000, true, &pa), DEV_ABORT); /* nothing bypasses */

    /* Caps keep working while disabled: unbind B; then bring the SMMU back. */
    assert_int_equal(seL4_ARM_SID_UnbindCB(sid_b), seL4_NoError);
    uint32_t l2_before = fx.smmu.strtab.l2_tables;
    assert_int_equal(seL4_ARM_SIDControl_InitSMMU(ctl), seL4_NoError);
    assert_true(fx.sd.cr0 & CR0_SMMUEN);
    assert_int_equal(fx.smmu.strtab.l2_tables, l2_before); /* no level-2 array leaked */
    assert_int_equal(device_view(0x10, 0x30000000, true, &pa), DEV_OK);
    assert_int_equal(pa, frame_pa(frame));
    assert_int_equal(device_view(0x18, 0x1234000, true, &pa), DEV_ABORT);
    assert_int_equal(device_view(0x20, 0x30000000, true, &pa), DEV_ABORT); /* never issued */
}

static unsigned count_since(unsigned from, uint8_t op, uint16_t vmid, bool check_vmid)
{
    unsigned n = 0;
    for (unsigned i = from; i < fx.sd.nlog; i++)
        if (FIELD_GET(CMD0_OPCODE, fx.sd.log[i][0]) == op &&
            (!check_vmid || FIELD_GET(CMD0_VMID, fx.sd.log[i][0]) == vmid))
            n++;
    return n;
}

static void test_nested_cd_table(void **state)
{
    (void)state;
    seL4_CPtr sid_a = bi.smmu[0].sids.start, sid_b = sid_a + 1, cb = bi.smmu[0].cbs.start;
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x1000, 0, 0), seL4_IllegalOperation); /* no stage 2 yet */
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid_a, cb), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid_b, cb), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_CDInvalidate(cb), seL4_IllegalOperation);
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(cb, 1, 0, 0), seL4_IllegalOperation);

    /* What the kernel validates: format (no CD2L here), S1CDMax against SSIDSIZE (0),
     * alignment, and the table inside the VSpace's 40-bit IPA range. */
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x1000, 1, 0), seL4_InvalidArgument);
    assert_int_equal(seL4_GetMR(0), 1);
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x1000, 0, 1), seL4_RangeError);
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x1010, 0, 0), seL4_AlignmentError);
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 1ULL << 40, 0, 0), seL4_RangeError);

    unsigned from = fx.sd.nlog;
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x7fffc0, 0, 0), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x1000, 0, 0), seL4_DeleteFirst);
    uint64_t ste[8];
    standin_fetch_ste(&fx.sd, 0x18, ste);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_NESTED);
    assert_int_equal(ste[0] & STE0_S1CTXPTR, 0x7fffc0);
    assert_int_equal(FIELD_GET(STE0_S1CDMAX, ste[0]), 0);
    assert_int_equal(FIELD_GET(STE2_S2VMID, ste[2]), 1);
    struct vspace_obj *v = vspace_from_cap(((cte_t *)plat_phys_to_virt(
        cap_cnode_cap_get_capCNodePtr_pfn(root.cspace_root.cap) << 12))[vs].cap);
    assert_non_null(v);
    assert_int_equal(ste[3] & STE3_S2TTB, v->pt.root); /* the guest's CD is an IPA of this VSpace */
    assert_int_equal(count_since(from, CMD_OP_TLBI_S12_VMALL, 1, true), 1);

    /* Guest-requested maintenance: only this CB's StreamIDs and VMID. */
    from = fx.sd.nlog;
    assert_int_equal(seL4_ARM_CB_CDInvalidate(cb), seL4_NoError);
    assert_int_equal(count_since(from, CMD_OP_CFGI_CD_ALL, 0, false), 2);
    from = fx.sd.nlog;
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(cb, 5, 0, 0), seL4_NoError);
    assert_int_equal(count_since(from, CMD_OP_TLBI_NH_ASID, 1, true), 1);
    assert_int_equal(FIELD_GET(CMD0_ASID, fx.sd.log[from][0]), 5);
    from = fx.sd.nlog;
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(cb, 5, 0x400000, 0x3000), seL4_NoError);
    assert_true(count_since(from, CMD_OP_TLBI_NH_VA, 1, true) >= 1);
    assert_int_equal(count_since(from, CMD_OP_TLBI_NH_VA, 1, false), count_since(from, CMD_OP_TLBI_NH_VA, 1, true));
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(cb, 0x10000, 0, 0), seL4_RangeError);
    assert_int_equal(seL4_ARM_CB_S1TLBInvalidate(cb, 5, 0x400800, 0x1000), seL4_AlignmentError);

    /* Unassign: stage 2 only again; unassigning the VSpace drops the CD table too. */
    assert_int_equal(seL4_ARM_CB_UnassignCDTable(cb), seL4_NoError);
    standin_fetch_ste(&fx.sd, 0x10, ste);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_S2);
    assert_int_equal(seL4_ARM_CB_UnassignCDTable(cb), seL4_IllegalOperation);
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x2000, 0, 0), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_UnassignVspace(cb), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_CDInvalidate(cb), seL4_IllegalOperation);
    paddr_t pa;
    assert_int_equal(device_view(0x10, 0, false, &pa), DEV_ABORT);
}

/* Stage 1 only (native components): an IO space assigned to a CB. The kernel builds the
 * CD (its own memory, ASID = cb + 1), the STE is Config = S1 pointing at it; unmapping
 * invalidates with TLBI_NH_VA (VMID 0 as the STE, the CB's ASID) + one CMD_SYNC;
 * deleting the IO space unassigns it (SIDs abort, TLBI_NH_ASID). */
static void test_stage1_iospace(void **state)
{
    (void)state;
    seL4_CPtr sid = bi.smmu[0].sids.start, cb = bi.smmu[0].cbs.start;
    seL4_CPtr ios = retype(seL4_ARM_IOSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, ios), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    /* A stage-1-only context cannot take a guest CD table. */
    assert_int_equal(seL4_ARM_CB_AssignCDTable(cb, 0x1000, 0, 0), seL4_IllegalOperation);
    assert_int_equal(seL4_ARM_CB_CDInvalidate(cb), seL4_IllegalOperation);

    uint64_t ste[8];
    standin_fetch_ste(&fx.sd, 0x10, ste);
    assert_true(ste[0] & STE0_V);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_S1);
    assert_int_equal(FIELD_GET(STE0_S1FMT, ste[0]), STE0_S1FMT_LINEAR);
    assert_int_equal(FIELD_GET(STE0_S1CDMAX, ste[0]), 0);
    assert_int_equal(FIELD_GET(STE2_S2VMID, ste[2]), 0);
    paddr_t cd_pa = ste[0] & STE0_S1CTXPTR;
    assert_int_equal(cd_pa, plat_virt_to_phys(&smmu_object_instance(0)->cds[0]));
    const uint64_t *cd = plat_phys_to_virt(cd_pa);
    struct vspace_obj *v = vspace_from_cap(((cte_t *)plat_phys_to_virt(
        cap_cnode_cap_get_capCNodePtr_pfn(root.cspace_root.cap) << 12))[ios].cap);
    assert_non_null(v);
    assert_true(vspace_is_io(v));
    assert_true(cd[0] & CD0_V);
    assert_true(cd[0] & CD0_AA64);
    assert_true(cd[0] & CD0_EPD1);
    assert_int_equal(FIELD_GET(CD0_ASID, cd[0]), 1);
    assert_int_equal(FIELD_GET(CD0_T0SZ, cd[0]), 64 - seL4_IOSpaceVABits);
    assert_int_equal(cd[1] & CD1_TTB0, v->pt.root);
    assert_int_equal(cd[3], PT_S1_MAIR);

    /* Frames map with stage-1 descriptors: AF, nG, AttrIndx normal WB, AP from rights. */
    const seL4_Word va = 0x10000000;
    seL4_CPtr frame = map_frame(ios, va, seL4_ReadWrite);
    seL4_CPtr ro_frame = map_frame(ios, va + PAGE_SIZE, seL4_CanRead);
    struct pt_walk_result w;
    assert_int_equal(pt_walk(&v->pt, va, &w), ERR_NONE);
    assert_int_equal(w.pa, frame_pa(frame));
    assert_true(w.desc & PTE_AF);
    assert_true(w.desc & PTE_S1_NG);
    assert_int_equal(FIELD_GET(PTE_S1_ATTRINDX, w.desc), PT_S1_MAIR_IDX_NORMAL_WB);
    assert_int_equal(FIELD_GET(PTE_S1_AP, w.desc), PTE_S1_AP_RW_ALL);
    assert_int_equal(pt_walk(&v->pt, va + PAGE_SIZE, &w), ERR_NONE);
    assert_int_equal(FIELD_GET(PTE_S1_AP, w.desc), PTE_S1_AP_RO_ALL);
    (void)ro_frame;
    /* No stage-1 leaf without read; nothing beyond the 39-bit IOVA space. */
    seL4_CPtr wo = retype(seL4_ARM_SmallPageObject, 0);
    assert_int_equal(seL4_ARM_Page_Map(wo, ios, va + 2 * PAGE_SIZE, seL4_CanWrite, seL4_ARM_Default_VMAttributes),
                     seL4_InvalidArgument);
    assert_int_equal(seL4_ARM_Page_Map(wo, ios, 1ULL << seL4_IOSpaceVABits, seL4_ReadWrite,
                                       seL4_ARM_Default_VMAttributes),
                     seL4_InvalidArgument);

    /* Unmap: TLBI_NH_VA (VMID 0, ASID 1, the VA), then one CMD_SYNC, before returning. */
    unsigned from = fx.sd.nlog, sync0 = fx.sd.nsync;
    assert_int_equal(seL4_ARM_Page_Unmap(frame), seL4_NoError);
    assert_int_equal(fx.sd.nlog - from, 2);
    assert_int_equal(fx.sd.nsync - sync0, 1);
    uint64_t *c = fx.sd.log[from];
    assert_int_equal(FIELD_GET(CMD0_OPCODE, c[0]), CMD_OP_TLBI_NH_VA);
    assert_int_equal(FIELD_GET(CMD0_VMID, c[0]), 0);
    assert_int_equal(FIELD_GET(CMD0_ASID, c[0]), 1);
    assert_int_equal(c[1] & CMD1_ADDR, va);
    assert_int_equal(FIELD_GET(CMD0_OPCODE, fx.sd.log[from + 1][0]), CMD_OP_SYNC);
    assert_int_equal(count_since(from, CMD_OP_TLBI_S2_IPA, 0, false), 0);

    /* Unmapping a page table from the IO space: stage-1 invalidation of its whole span for
     * the ASID (range TLBI_NH_VA, or TLBI_NH_ASID past the per-page limit), never a VMID-
     * wide TLBI_S12_VMALL, and one CMD_SYNC. */
    for (unsigned clear_ril = 0; clear_ril < 2; clear_ril++) {
        bool ril = fx.smmu.f.ril;
        if (clear_ril)
            fx.smmu.f.ril = false;
        seL4_CPtr l2 = retype(seL4_ARM_PageTableObject, 0), l3 = retype(seL4_ARM_PageTableObject, 0);
        seL4_Word base = 0x40000000ULL * (2 + clear_ril);
        assert_int_equal(seL4_ARM_PageTable_Map(l2, ios, base, seL4_ARM_Default_VMAttributes), seL4_NoError);
        assert_int_equal(seL4_ARM_PageTable_Map(l3, ios, base, seL4_ARM_Default_VMAttributes), seL4_NoError);
        map_frame(ios, base, seL4_ReadWrite);
        from = fx.sd.nlog;
        sync0 = fx.sd.nsync;
        assert_int_equal(seL4_ARM_PageTable_Unmap(l3), seL4_NoError);
        assert_int_equal(fx.sd.nsync - sync0, 1);
        assert_int_equal(count_since(from, CMD_OP_TLBI_S12_VMALL, 0, false), 0);
        assert_true(count_since(from, CMD_OP_TLBI_NH_VA, 0, true) + count_since(from, CMD_OP_TLBI_NH_ASID, 0, true) >= 1);
        for (unsigned i = from; i < fx.sd.nlog; i++)
            if (FIELD_GET(CMD0_OPCODE, fx.sd.log[i][0]) != CMD_OP_SYNC)
                assert_int_equal(FIELD_GET(CMD0_ASID, fx.sd.log[i][0]), 1);
        fx.smmu.f.ril = ril;
    }

    /* The CB's own invalidations are stage 1 for its ASID too. */
    from = fx.sd.nlog;
    assert_int_equal(seL4_ARM_CB_TLBInvalidate(cb, va, PAGE_SIZE), seL4_NoError);
    assert_int_equal(count_since(from, CMD_OP_TLBI_NH_VA, 0, true), 1);
    assert_int_equal(seL4_ARM_CB_TLBInvalidate(cb, 1ULL << seL4_IOSpaceVABits, PAGE_SIZE), seL4_RangeError);
    from = fx.sd.nlog;
    assert_int_equal(seL4_ARM_CB_TLBInvalidateAll(cb), seL4_NoError);
    assert_int_equal(count_since(from, CMD_OP_TLBI_NH_ASID, 0, true), 1);
    assert_int_equal(FIELD_GET(CMD0_ASID, fx.sd.log[from][0]), 1);
    assert_int_equal(count_since(from, CMD_OP_TLBI_S12_VMALL, 0, false), 0);

    /* Deleting the IO space unassigns it: the SID aborts, the ASID is invalidated, the CD
     * is invalid, and the CB can take a stage-2 VSpace again. */
    from = fx.sd.nlog;
    assert_int_equal(seL4_CNode_Delete(ROOT, ios, DEPTH), seL4_NoError);
    standin_fetch_ste(&fx.sd, 0x10, ste);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_ABORT);
    assert_int_equal(count_since(from, CMD_OP_TLBI_NH_ASID, 0, true), 1);
    assert_false(smmu_object_instance(0)->cds[0].dw[0] & CD0_V);
    paddr_t pa;
    assert_int_equal(device_view(0x10, va + PAGE_SIZE, false, &pa), DEV_ABORT);
    assert_int_equal(seL4_ARM_CB_UnassignVspace(cb), seL4_IllegalOperation);
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    standin_fetch_ste(&fx.sd, 0x10, ste);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_S2);
    assert_int_equal(seL4_ARM_CB_UnassignVspace(cb), seL4_NoError);

    /* And back: an explicit unassign of an IO space does the same. */
    ios = retype(seL4_ARM_IOSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, ios), seL4_NoError);
    standin_fetch_ste(&fx.sd, 0x10, ste);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_S1);
    from = fx.sd.nlog;
    assert_int_equal(seL4_ARM_CB_UnassignVspace(cb), seL4_NoError);
    standin_fetch_ste(&fx.sd, 0x10, ste);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_ABORT);
    assert_int_equal(count_since(from, CMD_OP_TLBI_NH_ASID, 0, true), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage2_bind_map_unmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_and_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bypass_is_privileged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_argument_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cb_of_another_smmu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_global_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eventq_invocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_and_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_cd_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage1_iospace, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
