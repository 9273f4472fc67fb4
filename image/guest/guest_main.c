/* The guest's main: set up its EL1 state (vectors, optionally its own stage-1 MMU), then
 * run the program the request names (guest_abi.h). Each program is a guest SMMU driver's
 * life in miniature; it checks its bytes itself, yields to the VMM where the scenario
 * checks the kernel's view, and returns 0 or the number of the first failed check. */
#include <sel4/errors.h>

#include "arch/aarch64/sysreg.h"
#include "guest.h"
#include "lib/bits.h"
#include "pgtable/pgtable.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define N 4096u

uint64_t guest_main(uint64_t request, uint64_t vm, uint64_t flags, uint64_t arg, uint64_t asid);

struct gctx {
    unsigned vm;
    uint64_t flags, arg;
    struct gdrv drv;
    /* EL1 registers as this guest left them: they must be the same after another VM ran. */
    uint64_t sctlr, ttbr0, tcr, mair, vbar, tpidr, contextidr;
};

#define READ(reg) SYSREG_READ(reg)

/* ---- its own stage 1 (CPU): identity, 1 GiB blocks (D8.3) ------------------------------- */
static uint64_t cpu_block(uint64_t pa, unsigned attr_idx, bool exec)
{
    uint64_t d = (pa & PTE_ADDR) | PTE_TYPE_BLOCK | FIELD_PREP(PTE_S1_ATTRINDX, attr_idx) | PTE_AF |
                 FIELD_PREP(PTE_SH, PTE_SH_ISH) | PTE_S1_UXN; /* AP = 00: EL1 read/write */
    return exec ? d : d | PTE_S1_PXN;
}

static volatile uint64_t *cpu_l1(void) { return (volatile uint64_t *)(uintptr_t)GUEST_RAM_PAGE_IPA(GP_CPU_L1); }

static void mmu_on(struct gctx *c)
{
    volatile uint64_t *l1 = cpu_l1();
    for (unsigned i = 0; i < 512; i++)
        l1[i] = 0;
    l1[0] = cpu_block(0, PT_S1_MAIR_IDX_DEVICE_nGnRnE, false); /* its device */
    l1[1] = cpu_block(SIZE_1G, PT_S1_MAIR_IDX_NORMAL_WB, true); /* its code */
    l1[2] = cpu_block(2 * SIZE_1G, PT_S1_MAIR_IDX_NORMAL_WB, false); /* its RAM */
    uint64_t tcr = FIELD_PREP(TCR_EL1_T0SZ, 25) | FIELD_PREP(TCR_EL1_IRGN0, 1) | FIELD_PREP(TCR_EL1_ORGN0, 1) |
                   FIELD_PREP(TCR_EL1_SH0, 3) | FIELD_PREP(TCR_EL1_TG0, 0) | TCR_EL1_EPD1 |
                   FIELD_PREP(TCR_EL1_IPS, 2 /* 40 bits */);
    uint64_t ttbr0 = GUEST_RAM_PAGE_IPA(GP_CPU_L1) | FIELD_PREP(TTBR_EL1_ASID, c->vm + 1);
    __asm__ volatile("dsb ish" ::: "memory");
    SYSREG_WRITE(mair_el1, PT_S1_MAIR);
    SYSREG_WRITE(tcr_el1, tcr);
    SYSREG_WRITE(ttbr0_el1, ttbr0);
    __asm__ volatile("isb\n tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    SYSREG_WRITE(sctlr_el1, READ(sctlr_el1) | SCTLR_EL1_M | SCTLR_EL1_C | SCTLR_EL1_I);
    ISB();
}

/* Identity-map the GiB around `addr` if its stage 1 does not cover it yet (for touching an
 * address outside its usual map; an existing entry, e.g. its code's, stays as it is). */
static void mmu_map_gib(uint64_t addr)
{
    volatile uint64_t *e = &cpu_l1()[(addr >> 30) & 511u];
    if (!(READ(sctlr_el1) & SCTLR_EL1_M) || (*e & PTE_VALID))
        return;
    *e = cpu_block(addr & ~(SIZE_1G - 1), PT_S1_MAIR_IDX_NORMAL_WB, false);
    __asm__ volatile("dsb ishst\n isb" ::: "memory");
}

static void record_el1(struct gctx *c)
{
    c->sctlr = READ(sctlr_el1);
    c->ttbr0 = READ(ttbr0_el1);
    c->tcr = READ(tcr_el1);
    c->mair = READ(mair_el1);
    c->vbar = READ(vbar_el1);
    c->tpidr = READ(tpidr_el1);
    c->contextidr = READ(contextidr_el1);
}

/* After a yield: another VM ran on this CPU in between, with its own EL1 registers. */
static bool el1_kept(const struct gctx *c)
{
    bool same = c->sctlr == READ(sctlr_el1) && c->ttbr0 == READ(ttbr0_el1) && c->tcr == READ(tcr_el1) &&
                c->mair == READ(mair_el1) && c->vbar == READ(vbar_el1) && c->tpidr == READ(tpidr_el1) &&
                c->contextidr == READ(contextidr_el1);
    gprintf("resumed: SCTLR_EL1 0x%lx TTBR0_EL1 0x%lx TCR_EL1 0x%lx TPIDR_EL1 0x%lx: %s\n",
            (unsigned long)READ(sctlr_el1), (unsigned long)READ(ttbr0_el1), (unsigned long)READ(tcr_el1),
            (unsigned long)READ(tpidr_el1), same ? "as I left them" : "CHANGED");
    return same;
}

static void start(struct gctx *c, uint64_t request)
{
    SYSREG_WRITE(tpidr_el1, 0x9e570000ULL | (c->vm << 8) | request);
    SYSREG_WRITE(contextidr_el1, c->vm + 1);
    if (c->flags & GUEST_FLAG_MMU)
        mmu_on(c);
    record_el1(c);
    uint64_t mpidr = READ(mpidr_el1);
    gprintf("EL%lu, request %lu, MPIDR_EL1 0x%lx, stage-1 MMU %s (SCTLR_EL1 0x%lx)\n",
            (unsigned long)((READ(CurrentEL) >> 2) & 3), (unsigned long)request, (unsigned long)mpidr,
            (c->sctlr & SCTLR_EL1_M) ? "on" : "off", (unsigned long)c->sctlr);
}

/* Driver set-up shared by every program: info, IO tables, `maps` pairs (IOVA -> page). */
static bool setup(struct gctx *c, uint16_t asid, const uint64_t *iovas, const unsigned *pages, unsigned n)
{
    struct gdrv *g = &c->drv;
    if (!gdrv_init(g, c->vm, asid))
        return false;
    for (unsigned i = 0; i < n; i++)
        if (!gdrv_map(g, iovas[i], GUEST_RAM_PAGE_IPA(pages[i]), PAGE_SIZE))
            return false;
    gdrv_write_cd(g, g->l1);
    return true;
}

static bool assign(struct gctx *c)
{
    struct hvc_ret r = gdrv_assign(&c->drv, GUEST_RAM_PAGE_IPA(GP_CD), 0, 0);
    return r.x0 == seL4_NoError;
}

/* RAM -> device -> RAM through two IOVAs; check the destination. */
static bool round_trip(struct gctx *c, uint64_t src_iova, unsigned src_page, uint64_t dst_iova, unsigned dst_page,
                       unsigned step, uint32_t n)
{
    fill_pattern(GUEST_RAM_PAGE_IPA(src_page), c->vm, step, 0, n);
    fill_byte(GUEST_RAM_PAGE_IPA(dst_page), 0, n);
    bool ok = gdrv_to_dev(&c->drv, src_iova, 0, n) && gdrv_from_dev(&c->drv, 0, dst_iova, n) &&
              has_pattern(GUEST_RAM_PAGE_IPA(dst_page), c->vm, step, 0, n);
    gprintf("device copied IOVA 0x%lx -> 0x%lx (IPA 0x%lx -> 0x%lx), %u bytes: %s\n", (unsigned long)src_iova,
            (unsigned long)dst_iova, (unsigned long)GUEST_RAM_PAGE_IPA(src_page),
            (unsigned long)GUEST_RAM_PAGE_IPA(dst_page), n, ok ? "bytes match" : "MISMATCH");
    return ok;
}

/* ---- vm-nested ---------------------------------------------------------------------------- */
static uint64_t prog_nested(struct gctx *c, uint16_t asid)
{
    const uint64_t iovas[] = { GUEST_IOVA_SRC, GUEST_IOVA_DST, GUEST_IOVA_BUF2 };
    const unsigned pages[] = { GP_SRC, GP_DST, GP_BUF2 };
    if (!setup(c, asid, iovas, pages, 3))
        return 1;
    gprintf("CD at IPA 0x%lx (ASID %u, TTB0 IPA 0x%lx), IOVA 0x%lx -> IPA 0x%lx, 0x%lx -> 0x%lx\n",
            (unsigned long)GUEST_RAM_PAGE_IPA(GP_CD), asid, (unsigned long)c->drv.l1,
            (unsigned long)GUEST_IOVA_SRC, (unsigned long)GUEST_RAM_PAGE_IPA(GP_SRC),
            (unsigned long)GUEST_IOVA_DST, (unsigned long)GUEST_RAM_PAGE_IPA(GP_DST));
    if (!assign(c))
        return 2;
    if (!round_trip(c, GUEST_IOVA_SRC, GP_SRC, GUEST_IOVA_DST, GP_DST, GUEST_STEP_DMA, N))
        return 3;
    guest_yield(1);
    if (!el1_kept(c))
        return 4;
    /* Its device still holds its bytes: the other VM used its own device meanwhile. */
    fill_byte(GUEST_RAM_PAGE_IPA(GP_BUF2), 0, N);
    bool ok = gdrv_from_dev(&c->drv, 0, GUEST_IOVA_BUF2, N) &&
              has_pattern(GUEST_RAM_PAGE_IPA(GP_BUF2), c->vm, GUEST_STEP_DMA, 0, N);
    gprintf("device buffer -> IOVA 0x%lx after the other VM ran: %s\n", (unsigned long)GUEST_IOVA_BUF2,
            ok ? "my bytes" : "NOT my bytes");
    return ok ? GUEST_RESULT_OK : 5;
}

/* ---- vm-isolation ------------------------------------------------------------------------- */
static uint64_t prog_victim(struct gctx *c, uint16_t asid)
{
    const uint64_t iovas[] = { GUEST_IOVA_SRC, GUEST_IOVA_DST };
    const unsigned pages[] = { GP_SRC, GP_DST };
    if (!setup(c, asid, iovas, pages, 2) || !assign(c))
        return 1;
    fill_pattern(GUEST_RAM_PAGE_IPA(GP_SECRET), c->vm, GUEST_STEP_SECRET, 0, N);
    gprintf("secret: %u bytes at IPA 0x%lx\n", N, (unsigned long)GUEST_RAM_PAGE_IPA(GP_SECRET));
    if (!round_trip(c, GUEST_IOVA_SRC, GP_SRC, GUEST_IOVA_DST, GP_DST, GUEST_STEP_DMA, N))
        return 2;
    guest_yield(1);
    if (!el1_kept(c))
        return 3;
    bool intact = has_pattern(GUEST_RAM_PAGE_IPA(GP_SECRET), c->vm, GUEST_STEP_SECRET, 0, N);
    gprintf("secret after the other VM's attack: %s\n", intact ? "intact" : "CHANGED");
    if (!intact)
        return 4;
    return round_trip(c, GUEST_IOVA_SRC, GP_SRC, GUEST_IOVA_DST, GP_DST, GUEST_STEP_DMA + 1, N) ? GUEST_RESULT_OK : 5;
}

static uint64_t prog_attacker(struct gctx *c, uint16_t asid)
{
    uint64_t target = c->arg; /* the victim's secret: its PA, used here as an IPA */
    unsigned victim = c->vm ^ 1u;
    const uint64_t iovas[] = { GUEST_IOVA_SRC, GUEST_IOVA_DST };
    const unsigned pages[] = { GP_SRC, GP_DST };
    if (!setup(c, asid, iovas, pages, 2))
        return 1;
    /* 1. A stage-1 entry naming an IPA its VSpace does not map. */
    if (!gdrv_map(&c->drv, GUEST_IOVA_EVIL, target, PAGE_SIZE) || !assign(c))
        return 2;
    gprintf("attack 1: stage-1 entry IOVA 0x%lx -> IPA 0x%lx (the other VM's memory, by its PA)\n",
            (unsigned long)GUEST_IOVA_EVIL, (unsigned long)target);
    fill_pattern(GUEST_RAM_PAGE_IPA(GP_SRC), c->vm, GUEST_STEP_EVIL, 0, N);
    if (!gdrv_to_dev(&c->drv, GUEST_IOVA_SRC, 0, N) ||
        !gdrv_from_dev(&c->drv, 0, GUEST_IOVA_EVIL, GUEST_FAULT_DMA))
        return 3;
    fill_byte(GUEST_RAM_PAGE_IPA(GP_DST), 0xee, GUEST_FAULT_DMA);
    if (!gdrv_to_dev(&c->drv, GUEST_IOVA_EVIL, 0, GUEST_FAULT_DMA) ||
        !gdrv_from_dev(&c->drv, 0, GUEST_IOVA_DST, GUEST_FAULT_DMA))
        return 4;
    bool leaked = has_pattern(GUEST_RAM_PAGE_IPA(GP_DST), victim, GUEST_STEP_SECRET, 0, GUEST_FAULT_DMA);
    bool zeros = all_bytes(GUEST_RAM_PAGE_IPA(GP_DST), 0, GUEST_FAULT_DMA);
    gprintf("attack 1: device wrote %u bytes to IOVA 0x%lx, then read them back: %s\n", GUEST_FAULT_DMA,
            (unsigned long)GUEST_IOVA_EVIL,
            leaked ? "THE SECRET" : zeros ? "zeros (the read was blocked)" : "other bytes");
    if (leaked)
        return 5;

    /* 2. Its CD's TTB0 names the victim's page as a stage-1 table. */
    gdrv_write_cd(&c->drv, target);
    if (gdrv_cd_invalidate(&c->drv).x0 != seL4_NoError ||
        gdrv_tlb_invalidate(&c->drv, asid, 0, 0).x0 != seL4_NoError)
        return 6;
    gprintf("attack 2: CD.TTB0 = IPA 0x%lx (the victim's page as my stage-1 table)\n", (unsigned long)target);
    if (!gdrv_from_dev(&c->drv, 0, GUEST_IOVA_DST, GUEST_FAULT_DMA))
        return 7;
    gdrv_write_cd(&c->drv, c->drv.l1);
    if (gdrv_cd_invalidate(&c->drv).x0 != seL4_NoError)
        return 8;
    if (!round_trip(c, GUEST_IOVA_SRC, GP_SRC, GUEST_IOVA_DST, GP_DST, GUEST_STEP_DMA, GUEST_FAULT_DMA))
        return 9;

    /* 3. The CPU: load and store at that IPA. */
    mmu_map_gib(target);
    struct guest_probe p = guest_probe_read(target);
    gprintf("attack 3: CPU load from IPA 0x%lx: %s (ESR_EL1 0x%lx)\n", (unsigned long)target,
            p.faulted ? "abort" : "SUCCEEDED", p.faulted ? (unsigned long)p.value : 0ul);
    if (!p.faulted)
        return 10;
    p = guest_probe_write(target, 0x5a5a5a5a5a5a5a5aULL);
    gprintf("attack 3: CPU store to IPA 0x%lx: %s (ESR_EL1 0x%lx)\n", (unsigned long)target,
            p.faulted ? "abort" : "SUCCEEDED", p.faulted ? (unsigned long)p.value : 0ul);
    if (!p.faulted)
        return 11;

    /* 4. Power the machine off (PSCI over SMC, QEMU's conduit at EL2). */
    uint64_t r = guest_smc(PSCI_SYSTEM_OFF);
    gprintf("attack 4: PSCI SYSTEM_OFF by smc: returned %ld (the machine is still on)\n", (long)r);
    return r == GUEST_HVC_NOT_SUPPORTED ? GUEST_RESULT_OK : 12;
}

/* ---- vm-huge ------------------------------------------------------------------------------ */
static uint64_t prog_huge(struct gctx *c, uint16_t asid)
{
    const uint64_t iovas[] = { GUEST_IOVA_SRC };
    const unsigned pages[] = { GP_SRC };
    if (!setup(c, asid, iovas, pages, 1))
        return 1;
    for (unsigned k = 0; k < GUEST_HUGE_N; k++)
        if (!gdrv_map(&c->drv, GUEST_IOVA_HUGE_S2 + k * PAGE_SIZE, GUEST_S2BLOCK_IPA + guest_huge_off(k), PAGE_SIZE))
            return 2;
    if (!gdrv_map(&c->drv, GUEST_IOVA_HUGE_S1, GUEST_S1BLOCK_IPA, SIZE_2M))
        return 3;
    gdrv_write_cd(&c->drv, c->drv.l1);
    if (!assign(c))
        return 4;
    fill_pattern(GUEST_RAM_PAGE_IPA(GP_SRC), c->vm, GUEST_STEP_DMA, 0, N);
    if (!gdrv_to_dev(&c->drv, GUEST_IOVA_SRC, 0, N))
        return 5;
    for (unsigned k = 0; k < GUEST_HUGE_N; k++) {
        uint64_t iova = GUEST_IOVA_HUGE_S2 + k * PAGE_SIZE + GUEST_HUGE_AT;
        uint64_t ipa = GUEST_S2BLOCK_IPA + guest_huge_off(k) + GUEST_HUGE_AT;
        bool ok = gdrv_from_dev(&c->drv, k * GUEST_HUGE_SLICE, iova, GUEST_HUGE_SLICE) &&
                  has_pattern(ipa, c->vm, GUEST_STEP_DMA, k * GUEST_HUGE_SLICE, GUEST_HUGE_SLICE);
        gprintf("4K stage-1 page IOVA 0x%lx -> IPA 0x%lx (in the 2M stage-2 block): %s\n", (unsigned long)iova,
                (unsigned long)ipa, ok ? "bytes match" : "MISMATCH");
        if (!ok)
            return 6;
    }
    for (unsigned k = 0; k < GUEST_HUGE_N; k++) {
        unsigned slice = GUEST_HUGE_N + k;
        uint64_t iova = GUEST_IOVA_HUGE_S1 + guest_huge_off(k) + GUEST_HUGE_AT;
        uint64_t ipa = GUEST_S1BLOCK_IPA + guest_huge_off(k) + GUEST_HUGE_AT;
        bool ok = gdrv_from_dev(&c->drv, slice * GUEST_HUGE_SLICE, iova, GUEST_HUGE_SLICE) &&
                  has_pattern(ipa, c->vm, GUEST_STEP_DMA, slice * GUEST_HUGE_SLICE, GUEST_HUGE_SLICE);
        gprintf("2M stage-1 block, IOVA 0x%lx -> IPA 0x%lx (a 4K stage-2 page): %s\n", (unsigned long)iova,
                (unsigned long)ipa, ok ? "bytes match" : "MISMATCH");
        if (!ok)
            return 7;
    }
    /* Inside the stage-1 block, but no stage-2 page: the combined entry is 4K, not 2M. */
    if (!gdrv_from_dev(&c->drv, 0, GUEST_IOVA_HUGE_S1 + GUEST_HUGE_HOLE, GUEST_FAULT_DMA))
        return 8;
    gprintf("IOVA 0x%lx (in the 2M stage-1 block, IPA not mapped at stage 2): sent %u bytes\n",
            (unsigned long)(GUEST_IOVA_HUGE_S1 + GUEST_HUGE_HOLE), GUEST_FAULT_DMA);
    return GUEST_RESULT_OK;
}

/* ---- vm-legacy-dma -------------------------------------------------------------------------- */
static uint64_t prog_legacy(struct gctx *c, uint16_t asid)
{
    const uint64_t iovas[] = { GUEST_IOVA_LEGACY, GUEST_IOVA_LEGACY + PAGE_SIZE };
    const unsigned pages[] = { GP_SRC, GP_DST };
    if (!setup(c, asid, iovas, pages, 2) || !assign(c))
        return 1;
    gprintf("window: IOVA 0x%lx..0x%lx (below 256 MiB) -> IPA 0x%lx, 0x%lx\n", (unsigned long)GUEST_IOVA_LEGACY,
            (unsigned long)(GUEST_IOVA_LEGACY + 2 * PAGE_SIZE), (unsigned long)GUEST_RAM_PAGE_IPA(GP_SRC),
            (unsigned long)GUEST_RAM_PAGE_IPA(GP_DST));
    if (!round_trip(c, GUEST_IOVA_LEGACY, GP_SRC, GUEST_IOVA_LEGACY + PAGE_SIZE, GP_DST, GUEST_STEP_DMA, N))
        return 2;
    guest_yield(1);
    /* Without the window: program the buffer's PA itself. A 28-bit device cannot emit it. */
    fill_byte(GUEST_RAM_PAGE_IPA(GP_DST), 0, N);
    if (!gdrv_from_dev(&c->drv, 0, c->arg, GUEST_FAULT_DMA))
        return 3;
    bool untouched = all_bytes(GUEST_RAM_PAGE_IPA(GP_DST), 0, N);
    gprintf("without the window (device address 0x%lx, the buffer's PA): the buffer is %s\n",
            (unsigned long)c->arg, untouched ? "untouched" : "WRITTEN");
    return untouched ? GUEST_RESULT_OK : 4;
}

/* ---- vm-guest-invalidation ------------------------------------------------------------------ */
struct expect {
    const char *what;
    uint64_t fn, a1, a2, a3;
    uint64_t status;
};

static bool refused(const struct expect *e, unsigned n)
{
    bool all = true;
    for (unsigned i = 0; i < n; i++) {
        struct hvc_ret r = guest_hvc(e[i].fn, e[i].a1, e[i].a2, e[i].a3, 0);
        bool ok = r.x0 == e[i].status;
        gprintf("refused? %s: status %ld, detail 0x%lx 0x%lx: %s\n", e[i].what, (long)r.x0, (unsigned long)r.x1,
                (unsigned long)r.x2, ok ? "as expected" : "UNEXPECTED");
        all = all && ok;
    }
    return all;
}

static uint64_t prog_inval_a(struct gctx *c, uint16_t asid)
{
    const uint64_t iovas[] = { GUEST_IOVA_SRC, GUEST_IOVA_DST };
    const unsigned pages[] = { GP_SRC, GP_DST };
    if (!setup(c, asid, iovas, pages, 2))
        return 1;
    uint64_t cd = GUEST_RAM_PAGE_IPA(GP_CD), top = 1ULL << c->drv.ipa_bits;
    guest_yield(1);
    const struct expect before[] = {
        { "cd-invalidate without a CD table", GUEST_HVC_IOMMU_CD_INVALIDATE, 0, 0, 0, seL4_IllegalOperation },
        { "s1-tlb-invalidate without a CD table", GUEST_HVC_IOMMU_S1_TLB_INVALIDATE, asid, 0, 0,
          seL4_IllegalOperation },
        { "assign-cd-table at the top of its IPA space", GUEST_HVC_IOMMU_ASSIGN_CD_TABLE, top, 0, 0, seL4_RangeError },
        { "assign-cd-table, IPA not 64-byte aligned", GUEST_HVC_IOMMU_ASSIGN_CD_TABLE, cd + 0x20, 0, 0,
          seL4_AlignmentError },
        { "assign-cd-table, 2-level format (no CD2L)", GUEST_HVC_IOMMU_ASSIGN_CD_TABLE, cd, 1, 0,
          seL4_InvalidArgument },
        { "assign-cd-table, cdmax 1 (SSIDSIZE 0)", GUEST_HVC_IOMMU_ASSIGN_CD_TABLE, cd, 0, 1, seL4_RangeError },
        { "function 0x7f", 0x7f, 0, 0, 0, GUEST_HVC_NOT_SUPPORTED },
    };
    if (!refused(before, sizeof(before) / sizeof(before[0])))
        return 2;
    guest_yield(2);
    if (!assign(c) || !round_trip(c, GUEST_IOVA_SRC, GP_SRC, GUEST_IOVA_DST, GP_DST, GUEST_STEP_DMA, N))
        return 3;
    gdrv_unmap(&c->drv, GUEST_IOVA_DST);
    fill_byte(GUEST_RAM_PAGE_IPA(GP_DST), 0, N);
    if (!gdrv_from_dev(&c->drv, 0, GUEST_IOVA_DST, GUEST_FAULT_DMA))
        return 4;
    gprintf("unmapped IOVA 0x%lx at stage 1, no invalidation yet: the write %s\n", (unsigned long)GUEST_IOVA_DST,
            all_bytes(GUEST_RAM_PAGE_IPA(GP_DST), 0, N) ? "is blocked" : "still landed (cached entry)");
    guest_yield(3);
    const struct expect after[] = {
        { "s1-tlb-invalidate, ASID 0x10000", GUEST_HVC_IOMMU_S1_TLB_INVALIDATE, 0x10000, 0, 0, seL4_RangeError },
        { "s1-tlb-invalidate, IOVA not page aligned", GUEST_HVC_IOMMU_S1_TLB_INVALIDATE, asid, GUEST_IOVA_DST + 1,
          PAGE_SIZE, seL4_AlignmentError },
        { "s1-tlb-invalidate, IOVA beyond 48 bits", GUEST_HVC_IOMMU_S1_TLB_INVALIDATE, asid, 1ULL << 48, PAGE_SIZE,
          seL4_RangeError },
        { "assign-cd-table again", GUEST_HVC_IOMMU_ASSIGN_CD_TABLE, cd, 0, 0, seL4_DeleteFirst },
    };
    if (!refused(after, sizeof(after) / sizeof(after[0])))
        return 5;
    guest_yield(4);
    /* The other VM's ASID: accepted, but it can only mean this VM's ASID of that number. */
    if (gdrv_tlb_invalidate(&c->drv, c->arg, GUEST_IOVA_STALE, PAGE_SIZE).x0 != seL4_NoError)
        return 6;
    guest_yield(5);
    if (gdrv_tlb_invalidate(&c->drv, asid, GUEST_IOVA_DST, PAGE_SIZE).x0 != seL4_NoError)
        return 7;
    fill_byte(GUEST_RAM_PAGE_IPA(GP_DST), 0, N);
    if (!gdrv_from_dev(&c->drv, 0, GUEST_IOVA_DST, GUEST_FAULT_DMA))
        return 8;
    bool blocked = all_bytes(GUEST_RAM_PAGE_IPA(GP_DST), 0, N);
    gprintf("after my invalidation the write to IOVA 0x%lx %s\n", (unsigned long)GUEST_IOVA_DST,
            blocked ? "is blocked" : "STILL LANDED");
    return blocked ? GUEST_RESULT_OK : 9;
}

static uint64_t prog_inval_b(struct gctx *c, uint16_t asid)
{
    const uint64_t iovas[] = { GUEST_IOVA_SRC, GUEST_IOVA_STALE };
    const unsigned pages[] = { GP_SRC, GP_BUF2 };
    if (!setup(c, asid, iovas, pages, 2) || !assign(c))
        return 1;
    fill_pattern(GUEST_RAM_PAGE_IPA(GP_SRC), c->vm, GUEST_STEP_DMA, 0, N);
    fill_byte(GUEST_RAM_PAGE_IPA(GP_BUF2), 0, N);
    if (!gdrv_to_dev(&c->drv, GUEST_IOVA_SRC, 0, N) ||
        !gdrv_from_dev(&c->drv, 0, GUEST_IOVA_STALE, GUEST_FAULT_DMA) ||
        !has_pattern(GUEST_RAM_PAGE_IPA(GP_BUF2), c->vm, GUEST_STEP_DMA, 0, GUEST_FAULT_DMA))
        return 2;
    gdrv_unmap(&c->drv, GUEST_IOVA_STALE);
    gprintf("IOVA 0x%lx used (now cached), then unmapped at stage 1 without invalidation\n",
            (unsigned long)GUEST_IOVA_STALE);
    guest_yield(1);
    fill_byte(GUEST_RAM_PAGE_IPA(GP_BUF2), 0, N);
    if (!gdrv_from_dev(&c->drv, 0, GUEST_IOVA_STALE, GUEST_FAULT_DMA))
        return 3;
    bool survived = has_pattern(GUEST_RAM_PAGE_IPA(GP_BUF2), c->vm, GUEST_STEP_DMA, 0, GUEST_FAULT_DMA);
    gprintf("after the other VM's request for my ASID/IOVA: my cached entry %s\n",
            survived ? "is still used (its request did not reach my TLB entries)" : "IS GONE");
    if (!survived)
        return 4;
    if (gdrv_tlb_invalidate(&c->drv, asid, GUEST_IOVA_STALE, PAGE_SIZE).x0 != seL4_NoError)
        return 5;
    fill_byte(GUEST_RAM_PAGE_IPA(GP_BUF2), 0, N);
    if (!gdrv_from_dev(&c->drv, 0, GUEST_IOVA_STALE, GUEST_FAULT_DMA))
        return 6;
    bool blocked = all_bytes(GUEST_RAM_PAGE_IPA(GP_BUF2), 0, N);
    gprintf("after my own invalidation the write to IOVA 0x%lx %s\n", (unsigned long)GUEST_IOVA_STALE,
            blocked ? "is blocked" : "STILL LANDED");
    return blocked ? GUEST_RESULT_OK : 7;
}

uint64_t guest_main(uint64_t request, uint64_t vm, uint64_t flags, uint64_t arg, uint64_t asid)
{
    struct gctx c = { .vm = (unsigned)vm, .flags = flags, .arg = arg };
    start(&c, request);
    uint16_t a = (uint16_t)asid;
    switch (request) {
    case GUEST_REQ_NESTED:
        return prog_nested(&c, a);
    case GUEST_REQ_VICTIM:
        return prog_victim(&c, a);
    case GUEST_REQ_ATTACKER:
        return prog_attacker(&c, a);
    case GUEST_REQ_HUGE:
        return prog_huge(&c, a);
    case GUEST_REQ_LEGACY:
        return prog_legacy(&c, a);
    case GUEST_REQ_INVAL_A:
        return prog_inval_a(&c, a);
    case GUEST_REQ_INVAL_B:
        return prog_inval_b(&c, a);
    default:
        gprintf("unknown request %lu\n", (unsigned long)request);
        return 0xbad;
    }
}
