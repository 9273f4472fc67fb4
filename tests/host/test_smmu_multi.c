/* Several SMMUs behind one kernel (capDevID: up to 16). Three stand-ins at different MMIO
 * bases with different ID registers, as dt2smmu's tests/dt/soc-multi.dts describes a SoC:
 *   SMMU 0: QEMU's model, 16-bit StreamIDs, 2-level stream table (split 6);
 *   SMMU 1: 32-bit StreamIDs, 2-level stream table (split 10, level 1 of 32 MiB);
 *   SMMU 2: 6-bit StreamIDs, linear stream table only, no range invalidation (RIL = 0).
 * Each has its own queues, stream table, pool and VMIDs, and its own SIDControl and
 * CBControl caps in the boot info. A VSpace bound to CBs on two SMMUs is invalidated on
 * both when a frame is unmapped, with one CMD_SYNC per SMMU; binding a SID to another
 * SMMU's CB is refused. A last test registers sixteen SMMUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>

#include "kernel/boot.h"
#include "lib/bits.h"
#include "libsel4/host/sel4_host.h"
#include "object/smmu_boot.h"
#include "object/smmu_object.h"
#include "plat/plat.h"
#include "root_objects.h"
#include "smmu_standin.h"
#include "smmuv3/regs.h"
#include "smmuv3/smmu.h"

#define MEM_BITS 24u
#define ROOT seL4_CapInitThreadCNode
#define DEPTH 64
#define MAX_INST 16
#define INST_POOL_PAGES 256u /* level-2 stream tables: 16 arrays of 64 KiB */

enum model { MODEL_QEMU16, MODEL_WIDE32, MODEL_LINEAR6 };

struct inst {
    struct standin sd;
    struct smmu smmu;
    struct page_pool pool;
    void *cmdq, *eventq, *strtab, *pool_mem;
    uint64_t *bitmap;
};

static struct inst *inst[MAX_INST];
static unsigned ninst;
static void *mem;
static struct kernel_thread root;
static seL4_IPCBuffer ipc;
static seL4_BootInfo bi;
static struct root_objects ro;

static uintptr_t base_of(unsigned i) { return STANDIN_BASE + (uintptr_t)i * 0x100000u; }

static void *zalloc_aligned(size_t align, size_t size)
{
    void *p = aligned_alloc(align, size);
    assert_non_null(p);
    memset(p, 0, size);
    return p;
}

/* A stand-in of `model` at base_of(i), driven by its own struct smmu and memory. */
static struct inst *start_instance(unsigned i, enum model model)
{
    struct inst *in = calloc(1, sizeof(*in));
    assert_non_null(in);
    standin_init_at(&in->sd, base_of(i));
    /* 48-bit OAS: host "physical" addresses are the process's heap addresses. */
    in->sd.idr[5] = (in->sd.idr[5] & ~7u) | 5u;
    switch (model) {
    case MODEL_QEMU16:
        break;
    case MODEL_WIDE32:
        in->sd.idr[1] = (in->sd.idr[1] & ~(uint32_t)IDR1_SIDSIZE) | 32u;
        break;
    case MODEL_LINEAR6:
        in->sd.idr[0] &= ~(uint32_t)IDR0_ST_LEVEL;
        in->sd.idr[1] = (in->sd.idr[1] & ~(uint32_t)IDR1_SIDSIZE) | 6u;
        in->sd.idr[3] &= ~(uint32_t)IDR3_RIL;
        break;
    }
    struct smmu_features f;
    assert_int_equal(smmu_probe(base_of(i), &f), ERR_NONE);
    struct smmu_config cfg = {
        .base = base_of(i),
        .strtab = SMMU_STRTAB_AUTO,
        .cmdq_log2 = 8,
        .eventq_log2 = 6,
        .poll_timeout_us = 1000,
    };
    struct strtab_layout layout;
    assert_int_equal(smmu_strtab_layout(&f, &cfg, &layout), ERR_NONE);
    size_t st_bytes = layout.bytes < 4096 ? 4096 : (size_t)layout.bytes;
    in->strtab = zalloc_aligned(st_bytes, st_bytes);
    in->cmdq = zalloc_aligned(16u << 8, 16u << 8);
    in->eventq = zalloc_aligned(32u << 6, 32u << 6);
    in->pool_mem = zalloc_aligned(64 * 1024, (size_t)INST_POOL_PAGES * 4096);
    in->bitmap = calloc(POOL_BITMAP_WORDS(INST_POOL_PAGES), sizeof(uint64_t));
    assert_int_equal(pool_init(&in->pool, (paddr_t)(uintptr_t)in->pool_mem, INST_POOL_PAGES, in->bitmap), ERR_NONE);
    cfg.cmdq_mem = in->cmdq;
    cfg.eventq_mem = in->eventq;
    cfg.strtab_mem = in->strtab;
    cfg.strtab_bytes = st_bytes;
    cfg.pool = &in->pool;
    assert_int_equal(smmu_init(&in->smmu, &cfg), ERR_NONE);
    return in;
}

static void stop_all(void)
{
    for (unsigned i = 0; i < ninst; i++) {
        standin_remove(&inst[i]->sd);
        free(inst[i]->strtab);
        free(inst[i]->cmdq);
        free(inst[i]->eventq);
        free(inst[i]->pool_mem);
        free(inst[i]->bitmap);
        free(inst[i]);
        inst[i] = NULL;
    }
    ninst = 0;
}

static int boot_kernel(const struct smmu_boot_sid *table, unsigned n)
{
    smmu_boot_set_table(table, n);
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

/* What tests/dt/soc-multi.dts's assignment would pre-generate, per SMMU. */
static const struct smmu_boot_sid three_table[] = {
    { .smmu_id = 0, .sid = 0x10 },       { .smmu_id = 0, .sid = 0x18 },
    { .smmu_id = 1, .sid = 0xdead0000 }, { .smmu_id = 1, .sid = 0x80000000 },
    { .smmu_id = 2, .sid = 5 },
};

static int setup_three(void **state)
{
    (void)state;
    smmu_object_reset();
    static const enum model models[] = { MODEL_QEMU16, MODEL_WIDE32, MODEL_LINEAR6 };
    for (ninst = 0; ninst < 3; ninst++) {
        inst[ninst] = start_instance(ninst, models[ninst]);
        assert_int_equal(smmu_object_register(ninst, &inst[ninst]->smmu), ERR_NONE);
    }
    return boot_kernel(three_table, ARRAY_SIZE(three_table));
}

static int teardown(void **state)
{
    (void)state;
    stop_all();
    smmu_object_reset();
    free(mem);
    mem = NULL;
    return 0;
}

static seL4_CPtr new_slot(void) { return ro_slot(&ro); }
static seL4_CPtr retype(seL4_Word type, seL4_Word size_bits) { return ro_retype(&ro, type, size_bits); }
static seL4_CPtr map_frame(seL4_CPtr vs, seL4_Word va) { return ro_map_frame(&ro, vs, va, seL4_ReadWrite); }

/* The PA a DMA from `sid` to `iova` reaches through SMMU `i`, or 0 (abort or fault). */
static paddr_t device_pa(unsigned i, uint32_t sid, uint64_t iova)
{
    struct ste s;
    if (standin_fetch_ste(&inst[i]->sd, sid, s.dw) != 0 || !(s.dw[0] & STE0_V) ||
        FIELD_GET(STE0_CONFIG, s.dw[0]) != STE_CONFIG_S2)
        return 0;
    struct pt walker = { 0 };
    unsigned t0sz = (unsigned)FIELD_GET(STE2_S2T0SZ, s.dw[2]), sl0 = (unsigned)FIELD_GET(STE2_S2SL0, s.dw[2]);
    assert_int_equal(pt_format_init_level(&walker.fmt, PT_STAGE2, 64 - t0sz, 48, 2 - sl0), ERR_NONE);
    walker.root = s.dw[3] & STE3_S2TTB;
    struct pt_walk_result w;
    if (pt_walk(&walker, iova, &w) != ERR_NONE)
        return 0;
    return w.pa;
}

static uint16_t ste_vmid(unsigned i, uint32_t sid)
{
    uint64_t ste[8];
    assert_int_equal(standin_fetch_ste(&inst[i]->sd, sid, ste), 0);
    return (uint16_t)FIELD_GET(STE2_S2VMID, ste[2]);
}

/* A CB of SMMU `d`, issued through its own CBControl cap. */
static seL4_CPtr get_cb(unsigned d, seL4_Word cb)
{
    seL4_CPtr slot = new_slot();
    assert_int_equal(seL4_ARM_CBControl_GetCB(bi.smmu[d].cbControl, cb, ROOT, slot, DEPTH), seL4_NoError);
    return slot;
}

static void test_boot_info_per_smmu(void **state)
{
    (void)state;
    assert_int_equal(bi.numSMMUs, 3);
    assert_int_equal(smmu_boot_skipped(), 0);
    assert_int_equal(bi.smmu[0].sidControl, seL4_CapSMMUSIDControl);
    assert_int_equal(bi.smmu[0].cbControl, seL4_CapSMMUCBControl);
    static const unsigned nsids[] = { 2, 2, 1 };
    for (unsigned d = 0; d < 3; d++) {
        assert_int_not_equal(bi.smmu[d].sidControl, 0);
        assert_int_not_equal(bi.smmu[d].cbControl, 0);
        for (unsigned e = 0; e < d; e++) {
            assert_int_not_equal(bi.smmu[d].sidControl, bi.smmu[e].sidControl);
            assert_int_not_equal(bi.smmu[d].cbControl, bi.smmu[e].cbControl);
        }
        assert_int_equal(bi.smmu[d].sids.end - bi.smmu[d].sids.start, nsids[d]);
        assert_int_equal(bi.smmu[d].cbs.end - bi.smmu[d].cbs.start, nsids[d]);
        /* Each instance has its own command queue, stream table and register window. */
        assert_int_equal(inst[d]->sd.base, base_of(d));
        assert_int_equal(inst[d]->sd.strtab_base & STRTAB_BASE_ADDR, (uintptr_t)inst[d]->strtab);
        assert_int_equal(inst[d]->sd.cmdq_base & Q_BASE_ADDR, (uintptr_t)inst[d]->cmdq);
    }
    /* Stream-table formats follow each SMMU's own IDRs. */
    assert_int_equal(inst[0]->smmu.strtab.layout.fmt, STRTAB_2LVL);
    assert_int_equal(inst[0]->smmu.strtab.layout.sid_bits, 16);
    assert_int_equal(inst[1]->smmu.strtab.layout.fmt, STRTAB_2LVL);
    assert_int_equal(inst[1]->smmu.strtab.layout.sid_bits, 32);
    assert_int_equal(inst[1]->smmu.strtab.layout.split, 10);
    assert_int_equal(inst[2]->smmu.strtab.layout.fmt, STRTAB_LINEAR);
    assert_int_equal(inst[2]->smmu.strtab.layout.sid_bits, 6);
    /* The pre-generated SIDs abort on their own SMMU; a 32-bit SID exists only on SMMU 1. */
    uint64_t ste[8];
    assert_int_equal(standin_fetch_ste(&inst[1]->sd, 0xdead0000, ste), 0);
    assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CONFIG_ABORT);
    assert_int_equal(standin_fetch_ste(&inst[0]->sd, 0xdead0000, ste), EVT_C_BAD_STREAMID);
    assert_int_equal(standin_fetch_ste(&inst[2]->sd, 5, ste), 0);
    assert_int_equal(standin_fetch_ste(&inst[2]->sd, 64, ste), EVT_C_BAD_STREAMID);
}

static void test_get_sid_per_smmu(void **state)
{
    (void)state;
    seL4_CPtr d = new_slot();
    /* SMMU 1 takes any 32-bit StreamID; its control cap refuses another SMMU's id. */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[1].sidControl, 1, 0xffffffff, ROOT, d, DEPTH), seL4_NoError);
    seL4_CPtr e = new_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[1].sidControl, 0, 0x20, ROOT, e, DEPTH), seL4_InvalidArgument);
    assert_int_equal(seL4_GetMR(0), 0);
    /* Issued on SMMU 1 is not issued on SMMU 0: the same number is another stream there. */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[1].sidControl, 1, 0x10, ROOT, e, DEPTH), seL4_NoError);
    seL4_CPtr f = new_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[0].sidControl, 0, 0x10, ROOT, f, DEPTH), seL4_RevokeFirst);
    /* Ranges from each SMMU's IDR1.SIDSIZE. */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[0].sidControl, 0, 0x10000, ROOT, f, DEPTH), seL4_RangeError);
    assert_int_equal(seL4_GetMR(1), 0xffff);
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[2].sidControl, 2, 64, ROOT, f, DEPTH), seL4_RangeError);
    assert_int_equal(seL4_GetMR(1), 63);
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[2].sidControl, 2, 63, ROOT, f, DEPTH), seL4_NoError);
}

static void test_vspace_on_two_smmus(void **state)
{
    (void)state;
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    seL4_CPtr cb0 = bi.smmu[0].cbs.start, cb1 = bi.smmu[1].cbs.start;
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb0, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb1, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[0].sids.start, cb0), seL4_NoError);     /* 0x10 */
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[1].sids.start, cb1), seL4_NoError);     /* 0xdead0000 */
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[1].sids.start + 1, cb1), seL4_NoError); /* 0x80000000 */

    const seL4_Word va = 0x10000000;
    seL4_CPtr frame = map_frame(vs, va);
    seL4_ARM_Page_GetAddress_t addr = seL4_ARM_Page_GetAddress(frame);
    assert_int_equal(addr.error, seL4_NoError);
    /* Both SMMUs translate through the one table. */
    assert_int_equal(device_pa(0, 0x10, va + 8), addr.paddr + 8);
    assert_int_equal(device_pa(1, 0xdead0000, va + 8), addr.paddr + 8);
    assert_int_equal(device_pa(1, 0x80000000, va), addr.paddr);
    /* Each SMMU has its own VMID space: CB 0 is VMID 1 on both. */
    assert_int_equal(ste_vmid(0, 0x10), 1);
    assert_int_equal(ste_vmid(1, 0xdead0000), 1);

    unsigned tlbi[3], sync[3], cmds[3];
    for (unsigned i = 0; i < 3; i++) {
        tlbi[i] = standin_count(&inst[i]->sd, CMD_OP_TLBI_S2_IPA);
        sync[i] = inst[i]->sd.nsync;
        cmds[i] = inst[i]->sd.nlog;
    }
    assert_int_equal(seL4_ARM_Page_Unmap(frame), seL4_NoError);
    /* SMMUs 0 and 1: the page invalidated, then exactly one CMD_SYNC each. SMMU 2: nothing. */
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(standin_count(&inst[i]->sd, CMD_OP_TLBI_S2_IPA) - tlbi[i], 1);
        assert_int_equal(inst[i]->sd.nsync - sync[i], 1);
        assert_int_equal(inst[i]->sd.nlog - cmds[i], 2);
        const uint64_t *c = inst[i]->sd.log[inst[i]->sd.nlog - 2];
        assert_int_equal(FIELD_GET(CMD0_VMID, c[0]), 1);
        assert_int_equal(c[1] & CMD1_ADDR, va);
        assert_int_equal(FIELD_GET(CMD0_OPCODE, inst[i]->sd.log[inst[i]->sd.nlog - 1][0]), CMD_OP_SYNC);
    }
    assert_int_equal(inst[2]->sd.nlog, cmds[2]);
    assert_int_equal(device_pa(0, 0x10, va), 0);
    assert_int_equal(device_pa(1, 0xdead0000, va), 0);

    /* A second CB of SMMU 1 on the same VSpace joins SMMU 1's batch: still one CMD_SYNC there. */
    seL4_CPtr cb1b = get_cb(1, 7);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb1b, vs), seL4_NoError);
    seL4_CPtr frame2 = map_frame(vs, va + PAGE_SIZE);
    sync[0] = inst[0]->sd.nsync;
    sync[1] = inst[1]->sd.nsync;
    tlbi[1] = standin_count(&inst[1]->sd, CMD_OP_TLBI_S2_IPA);
    assert_int_equal(seL4_ARM_Page_Unmap(frame2), seL4_NoError);
    assert_int_equal(inst[0]->sd.nsync - sync[0], 1);
    assert_int_equal(inst[1]->sd.nsync - sync[1], 1);
    assert_int_equal(standin_count(&inst[1]->sd, CMD_OP_TLBI_S2_IPA) - tlbi[1], 2); /* VMIDs 1 and 8 */

    /* Unassigned from SMMU 0: unmapping now reaches SMMU 1 only. */
    assert_int_equal(seL4_ARM_CB_UnassignVspace(cb0), seL4_NoError);
    seL4_CPtr frame3 = map_frame(vs, va + 2 * PAGE_SIZE);
    sync[0] = inst[0]->sd.nsync;
    sync[1] = inst[1]->sd.nsync;
    assert_int_equal(seL4_ARM_Page_Unmap(frame3), seL4_NoError);
    assert_int_equal(inst[0]->sd.nsync - sync[0], 0);
    assert_int_equal(inst[1]->sd.nsync - sync[1], 1);
}

static void test_cross_smmu_bind_refused(void **state)
{
    (void)state;
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    seL4_CPtr cb1 = bi.smmu[1].cbs.start;
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb1, vs), seL4_NoError);
    map_frame(vs, 0x20000000);
    unsigned n0 = inst[0]->sd.nlog, n1 = inst[1]->sd.nlog;
    /* SID 0x10 of SMMU 0 with a CB of SMMU 1: the CB capability is refused (cap 0). */
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[0].sids.start, cb1), seL4_InvalidCapability);
    assert_int_equal(seL4_GetMR(0), 0);
    /* ... and the other way round; SMMU 2's SID with SMMU 1's CB too. */
    seL4_CPtr cb0 = bi.smmu[0].cbs.start;
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb0, vs), seL4_NoError);
    n0 = inst[0]->sd.nlog;
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[1].sids.start, cb0), seL4_InvalidCapability);
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[2].sids.start, cb1), seL4_InvalidCapability);
    /* Nothing was written or announced, and every stream still aborts. */
    assert_int_equal(inst[0]->sd.nlog, n0);
    assert_int_equal(inst[1]->sd.nlog, n1);
    assert_int_equal(device_pa(0, 0x10, 0x20000000), 0);
    assert_int_equal(device_pa(1, 0xdead0000, 0x20000000), 0);
    assert_int_equal(device_pa(2, 5, 0x20000000), 0);
    /* The control caps are per SMMU too: SMMU 1's bypass cap does not serve SMMU 0's SID. */
    seL4_CPtr bypass1 = new_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetBypass(bi.smmu[1].sidControl, ROOT, bypass1, DEPTH), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_Bypass(bi.smmu[0].sids.start, bypass1), seL4_InvalidCapability);
    /* Its own SMMU's CB works. */
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[1].sids.start, cb1), seL4_NoError);
    assert_int_not_equal(device_pa(1, 0xdead0000, 0x20000000), 0);
}

/* The 32-bit-SID SMMU's stream table grows by one 64 KiB level-2 array per group of 1024
 * StreamIDs in use; the level-1 table is fixed (2^22 descriptors, 32 MiB). */
static void test_wide_stream_table_grows_with_use(void **state)
{
    (void)state;
    struct smmu_strtab *st = &inst[1]->smmu.strtab;
    assert_int_equal(st->layout.bytes, 32u << 20);
    assert_int_equal(st->layout.l2_bytes, 64u << 10);
    assert_int_equal(st->l2_tables, 2); /* the two pre-generated SIDs, in different groups */
    uint32_t free0 = inst[1]->pool.nfree;
    seL4_CPtr s = new_slot();
    /* Same group as 0xdead0000: no new array. */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[1].sidControl, 1, 0xdead03ff, ROOT, s, DEPTH), seL4_NoError);
    assert_int_equal(st->l2_tables, 2);
    /* Three SIDs in one new group: one array of 16 pages. */
    for (uint32_t sid = 0x12345000; sid < 0x12345003; sid++) {
        s = new_slot();
        assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[1].sidControl, 1, sid, ROOT, s, DEPTH), seL4_NoError);
    }
    assert_int_equal(st->l2_tables, 3);
    assert_int_equal(free0 - inst[1]->pool.nfree, 16);
    uint64_t bytes = st->layout.bytes + (uint64_t)st->l2_tables * st->layout.l2_bytes;
    printf("# 32-bit-SID SMMU: 6 SIDs in use, %u level-2 arrays: %llu bytes of stream table "
           "(%llu per SID); a linear table would be %llu bytes\n",
           st->l2_tables, (unsigned long long)bytes, (unsigned long long)(bytes / 6),
           (unsigned long long)(64ull << 32));
}

/* Sixteen SMMUs (capDevID is 4 bits): every one gets its control caps and its SIDs. */
static void test_sixteen_smmus(void **state)
{
    (void)state;
    smmu_object_reset();
    for (ninst = 0; ninst < MAX_INST; ninst++) {
        inst[ninst] = start_instance(ninst, MODEL_LINEAR6);
        assert_int_equal(smmu_object_register(ninst, &inst[ninst]->smmu), ERR_NONE);
    }
    assert_int_equal(smmu_object_register(MAX_INST, &inst[0]->smmu), ERR_RANGE);
    struct smmu_boot_sid table[MAX_INST];
    for (unsigned d = 0; d < MAX_INST; d++)
        table[d] = (struct smmu_boot_sid){ .smmu_id = (uint8_t)d, .sid = d + 1 };
    assert_int_equal(boot_kernel(table, MAX_INST), 0);
    assert_int_equal(bi.numSMMUs, MAX_INST);
    assert_int_equal(smmu_boot_skipped(), 0);
    for (unsigned d = 0; d < MAX_INST; d++) {
        assert_int_equal(bi.smmu[d].sids.end - bi.smmu[d].sids.start, 1);
        /* The pre-generated SID is d + 1 on SMMU d: issuing it again there is refused. */
        seL4_CPtr s = new_slot();
        assert_int_equal(seL4_ARM_SIDControl_GetSID(bi.smmu[d].sidControl, d, d + 1, ROOT, s, DEPTH),
                         seL4_RevokeFirst);
    }
    /* A VSpace on SMMUs 3 and 15: an unmap syncs exactly those two. */
    seL4_CPtr vs = retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(bi.smmu[3].cbs.start, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_CB_AssignVspace(bi.smmu[15].cbs.start, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(bi.smmu[15].sids.start, bi.smmu[15].cbs.start), seL4_NoError);
    seL4_CPtr frame = map_frame(vs, 0x40000000);
    assert_int_not_equal(device_pa(15, 16, 0x40000000), 0);
    unsigned sync[MAX_INST];
    for (unsigned d = 0; d < MAX_INST; d++)
        sync[d] = inst[d]->sd.nsync;
    assert_int_equal(seL4_ARM_Page_Unmap(frame), seL4_NoError);
    for (unsigned d = 0; d < MAX_INST; d++)
        assert_int_equal(inst[d]->sd.nsync - sync[d], d == 3 || d == 15 ? 1 : 0);
    /* RIL = 0 on these: the page is invalidated with a per-page TLBI (no range fields). */
    const uint64_t *c = inst[15]->sd.log[inst[15]->sd.nlog - 2];
    assert_int_equal(FIELD_GET(CMD0_OPCODE, c[0]), CMD_OP_TLBI_S2_IPA);
    assert_int_equal(FIELD_GET(CMD0_TLBI_NUM, c[0]), 0);
    assert_int_equal(device_pa(15, 16, 0x40000000), 0);
}

static int teardown_sixteen(void **state) { return teardown(state); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_info_per_smmu, setup_three, teardown),
        cmocka_unit_test_setup_teardown(test_get_sid_per_smmu, setup_three, teardown),
        cmocka_unit_test_setup_teardown(test_vspace_on_two_smmus, setup_three, teardown),
        cmocka_unit_test_setup_teardown(test_cross_smmu_bind_refused, setup_three, teardown),
        cmocka_unit_test_setup_teardown(test_wide_stream_table_grows_with_use, setup_three, teardown),
        cmocka_unit_test_teardown(test_sixteen_smmus, teardown_sixteen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
