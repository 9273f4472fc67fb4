#include "model_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libsel4/host/sel4_host.h"
#include "plat/host/irq_host.h"
#include "object/smmu_object.h"
#include "plat/plat.h"

struct mfx mfx;

static uint64_t cmdq_mem[2 * 4096] __attribute__((aligned(64 * 1024)));
static uint64_t eventq_mem[4 * 4096] __attribute__((aligned(128 * 1024)));
static uint8_t strtab_mem[64 * 1024] __attribute__((aligned(64 * 1024)));
static uint8_t pool_mem[MFX_POOL_PAGES * 4096] __attribute__((aligned(64 * 1024)));
static uint64_t pool_bitmap[POOL_BITMAP_WORDS(MFX_POOL_PAGES)];

static const struct smmu_boot_sid default_sids[] = { { .smmu_id = 0, .sid = 0x10 }, { .smmu_id = 0, .sid = 0x18 } };

/* QEMU virt wires the SMMU's interrupts as edge SPIs: eventq 106, priq 107, cmd-sync 108,
 * gerror 109 (notes/qemu-virt-smmuv3.md); the model pulses them on the host GIC. */
static void irq_to_gic(struct smmu_model *m, enum model_irq line, void *ctx)
{
    (void)m;
    (void)ctx;
    static const unsigned intid[MIRQ_COUNT] = { [MIRQ_EVENTQ] = MFX_INTID_EVENTQ, [MIRQ_PRIQ] = 107,
                                                [MIRQ_CMD_SYNC] = 108, [MIRQ_GERROR] = MFX_INTID_GERROR };
    host_gic_pulse(intid[line]);
}

int mfx_start(const struct mfx_opts *o)
{
    struct mfx_opts d = { 0 };
    if (o)
        d = *o;
    if (!d.mem_bits)
        d.mem_bits = 24;
    if (!d.sid_bits)
        d.sid_bits = 16;
    if (!d.cmdq_log2)
        d.cmdq_log2 = 8;
    if (!d.eventq_log2)
        d.eventq_log2 = 6;
    if (!d.pool_pages || d.pool_pages > MFX_POOL_PAGES)
        d.pool_pages = MFX_POOL_PAGES;
    if (!d.boot_sids) {
        d.boot_sids = default_sids;
        d.n_boot_sids = 2;
    }
    memset(&mfx, 0, sizeof(mfx));
    memset(cmdq_mem, 0, sizeof(cmdq_mem));
    memset(eventq_mem, 0, sizeof(eventq_mem));

    struct model_config mc;
    model_default_config(&mc, MFX_BASE);
    mc.idr[5] = (mc.idr[5] & ~7u) | 5u; /* 48-bit OAS: host addresses */
    if (d.no_ril)
        mc.idr[3] &= ~(1u << 10);
    mc.qemu_eventq_overflow = d.qemu_eventq_overflow;
    mc.dirty_reset = d.dirty_reset;
    model_init(&mfx.m, &mc);
    mfx.m.irq_hook = irq_to_gic;
    model_add_ram(&mfx.m, cmdq_mem, sizeof(cmdq_mem));
    model_add_ram(&mfx.m, eventq_mem, sizeof(eventq_mem));
    model_add_ram(&mfx.m, strtab_mem, sizeof(strtab_mem));
    model_add_ram(&mfx.m, pool_mem, sizeof(pool_mem));

    pool_init(&mfx.pool, (paddr_t)(uintptr_t)pool_mem, d.pool_pages, pool_bitmap);
    mfx.cfg = (struct smmu_config){
        .base = MFX_BASE, .sid_bits = d.sid_bits, .strtab = d.strtab,
        .cmdq_mem = cmdq_mem, .cmdq_log2 = d.cmdq_log2,
        .eventq_mem = eventq_mem, .eventq_log2 = d.eventq_log2,
        .strtab_mem = strtab_mem, .strtab_bytes = sizeof(strtab_mem),
        .pool = &mfx.pool, .poll_timeout_us = 1000,
    };
    mfx.init_err = smmu_init(&mfx.smmu, &mfx.cfg);
    if (mfx.init_err != ERR_NONE)
        return 0;

    smmu_object_reset();
    smmu_object_register(0, &mfx.smmu);
    /* The kernel's own CDs (stage-1-only contexts) live in its static data. */
    model_add_ram(&mfx.m, smmu_object_instance(0)->cds, sizeof(smmu_object_instance(0)->cds));
    smmu_boot_set_table(d.boot_sids, d.n_boot_sids);
    size_t bytes = (size_t)1 << d.mem_bits;
    mfx.mem = aligned_alloc(bytes, bytes);
    if (!mfx.mem)
        return -1;
    memset(mfx.mem, 0, bytes);
    model_add_ram(&mfx.m, mfx.mem, bytes);
    struct kernel_boot_config kc = { .root_cnode_radix = 12, .n_regions = 1,
                                     .regions = { { .base = (paddr_t)(uintptr_t)mfx.mem, .size = bytes } } };
    if (kernel_boot(&kc, &mfx.root, &mfx.bi) != ERR_NONE)
        return -1;
    seL4_HostBindThread(&mfx.root);
    seL4_SetIPCBuffer(&mfx.ipc);
    mfx.next_slot = mfx.bi.empty.start;
    return 0;
}

void mfx_stop(void)
{
    model_fini(&mfx.m);
    free(mfx.mem);
    mfx.mem = NULL;
}

seL4_CPtr mfx_slot(void) { return mfx.next_slot++; }

seL4_CPtr mfx_retype(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr dest = mfx_slot();
    for (seL4_Word ut = mfx.bi.untyped.start; ut < mfx.bi.untyped.end; ut++)
        if (seL4_Untyped_Retype(ut, type, size_bits, MFX_ROOT, 0, 0, dest, 1) == seL4_NoError)
            return dest;
    return 0;
}

seL4_CPtr mfx_map_frame(seL4_CPtr vs, seL4_Word va, seL4_CapRights_t rights)
{
    seL4_CPtr frame = mfx_retype(seL4_ARM_SmallPageObject, 0);
    assert_true(frame != 0);
    for (int i = 0; i < 3; i++) {
        seL4_Error e = seL4_ARM_Page_Map(frame, vs, va, rights, seL4_ARM_Default_VMAttributes);
        if (e == seL4_NoError)
            return frame;
        assert_int_equal(e, seL4_FailedLookup);
        seL4_CPtr pt = mfx_retype(seL4_ARM_PageTableObject, 0);
        assert_true(pt != 0);
        assert_int_equal(seL4_ARM_PageTable_Map(pt, vs, va, seL4_ARM_Default_VMAttributes), seL4_NoError);
    }
    fail_msg("could not map a frame at 0x%lx", (unsigned long)va);
    return 0;
}

uint64_t mfx_frame_pa(seL4_CPtr frame)
{
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(frame);
    assert_int_equal(r.error, seL4_NoError);
    return r.paddr;
}

bool mfx_dma(uint32_t sid, uint64_t iova, bool write, uint64_t *pa)
{
    uint64_t p = 0;
    bool ok = model_translate(&mfx.m, sid, iova, write, &p);
    if (pa)
        *pa = p;
    return ok;
}

void mfx_expect_denied(uint32_t sid, uint64_t iova, bool write)
{
    uint64_t pa;
    if (mfx_dma(sid, iova, write, &pa))
        fail_msg("SID 0x%x reached PA 0x%lx at IOVA 0x%lx (%s) without a capability", sid, (unsigned long)pa,
                 (unsigned long)iova, write ? "write" : "read");
}

void mfx_expect_reaches(uint32_t sid, uint64_t iova, bool write, uint64_t want)
{
    uint64_t pa = 0;
    if (!mfx_dma(sid, iova, write, &pa))
        fail_msg("SID 0x%x denied at IOVA 0x%lx (%s)", sid, (unsigned long)iova, write ? "write" : "read");
    if (pa != want)
        fail_msg("SID 0x%x at IOVA 0x%lx reached PA 0x%lx, not 0x%lx", sid, (unsigned long)iova, (unsigned long)pa,
                 (unsigned long)want);
}

void mfx_stop_checked(bool no_hw_errors)
{
    uint64_t v = mfx.m.stats.violations;
    const char *what = mfx.m.last_violation;
    uint64_t hw = smmu_object_instance(0) ? smmu_object_instance(0)->hw_errors : 0;
    mfx_stop();
    if (v)
        fail_msg("the driver broke an SMMU programming rule %lu time(s); last: %s", (unsigned long)v, what);
    if (no_hw_errors && hw)
        fail_msg("%lu hardware error(s) counted by the objects", (unsigned long)hw);
}
