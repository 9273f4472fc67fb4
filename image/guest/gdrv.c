/* The guest's SMMUv3 driver, nested scheme: what a guest OS's driver does when its IOMMU
 * lets it own stage 1. Its context descriptor and its stage-1 IO page tables live in its
 * own RAM (IPAs); it writes them with the formats of the architecture (IHI 0070 5.4 for
 * the CD, Arm ARM D8.3 for the tables), then asks the VMM (hypercalls, guest_abi.h) to
 * bind the CD table to its device and to invalidate what the SMMU may have cached. Nothing
 * it writes is read by the kernel: the SMMU fetches the CD and walks the tables through
 * the VM's stage 2, so a wrong or malicious entry can only fault. */
#include "guest.h"

#include <sel4/errors.h>

#include "arch/aarch64/sysreg.h"
#include "lib/bits.h"
#include "pgtable/pgtable.h"
#include "smmuv3/regs.h"

#define IO_T0SZ 25u            /* 39-bit IOVAs: start at level 1, one root page */
#define EDU_REG_DMA_SRC 0x80u
#define EDU_REG_DMA_DST 0x88u
#define EDU_REG_DMA_COUNT 0x90u
#define EDU_REG_DMA_CMD 0x98u
#define EDU_DMA_START 1u
#define EDU_DMA_TO_RAM 2u
#define EDU_BUF 0x40000u

static unsigned io_idx(uint64_t iova, unsigned level) { return (unsigned)(iova >> (39u - 9u * level)) & 511u; }
static volatile uint64_t *table_at(uint64_t ipa) { return (volatile uint64_t *)(uintptr_t)ipa; }

static uint64_t io_leaf(uint64_t ipa, bool block)
{
    return (ipa & PTE_ADDR) | (block ? PTE_TYPE_BLOCK : PTE_TYPE_PAGE) |
           FIELD_PREP(PTE_S1_ATTRINDX, PT_S1_MAIR_IDX_NORMAL_WB) | FIELD_PREP(PTE_S1_AP, PTE_S1_AP_RW_ALL) |
           FIELD_PREP(PTE_SH, PTE_SH_ISH) | PTE_AF | PTE_S1_NG;
}

static uint64_t alloc_table(struct gdrv *g)
{
    if (g->next_pt >= GP_IOPT_END)
        return 0;
    uint64_t ipa = GUEST_RAM_PAGE_IPA(g->next_pt++);
    volatile uint64_t *t = table_at(ipa);
    for (unsigned i = 0; i < 512; i++)
        t[i] = 0;
    return ipa;
}

bool gdrv_init(struct gdrv *g, unsigned vm, uint16_t asid)
{
    *g = (struct gdrv){ .vm = vm, .asid = asid, .next_pt = GP_IOPT };
    g->edu = (volatile uint64_t *)(uintptr_t)GUEST_DEV_IPA;
    g->l1 = alloc_table(g);
    struct hvc_ret r = guest_hvc(GUEST_HVC_IOMMU_INFO, 0, 0, 0, 0);
    if (r.x0 != 0)
        return false;
    g->max_cdmax = r.x1;
    g->asid_bits = r.x2;
    g->ipa_bits = r.x3;
    g->max_ips = r.x4;
    gprintf("IOMMU: S1CDMax <= %lu, %lu-bit ASIDs, %lu-bit IPAs, CD.IPS <= %lu; IO tables at IPA 0x%lx\n",
            (unsigned long)g->max_cdmax, (unsigned long)g->asid_bits, (unsigned long)g->ipa_bits,
            (unsigned long)g->max_ips, (unsigned long)g->l1);
    return g->l1 != 0;
}

bool gdrv_map(struct gdrv *g, uint64_t iova, uint64_t ipa, uint64_t size)
{
    bool block = size == SIZE_2M;
    if ((!block && size != PAGE_SIZE) || (iova | ipa) & (size - 1))
        return false;
    volatile uint64_t *e = &table_at(g->l1)[io_idx(iova, 1)];
    for (unsigned level = 2; level <= 3; level++) {
        if (!(*e & PTE_VALID)) {
            uint64_t t = alloc_table(g);
            if (!t)
                return false;
            *e = (t & PTE_ADDR) | PTE_TYPE_TABLE;
        } else if ((*e & PTE_TYPE) != PTE_TYPE_TABLE) {
            return false; /* a block already covers it */
        }
        e = &table_at(*e & PTE_ADDR)[io_idx(iova, level)];
        if (level == 2 && block)
            break;
    }
    if (*e & PTE_VALID)
        return false;
    *e = io_leaf(ipa, block);
    __asm__ volatile("dsb ishst" ::: "memory"); /* the SMMU walks what we wrote */
    return true;
}

void gdrv_unmap(struct gdrv *g, uint64_t iova)
{
    volatile uint64_t *e = &table_at(g->l1)[io_idx(iova, 1)];
    for (unsigned level = 2; level <= 3; level++) {
        if ((*e & PTE_TYPE) != PTE_TYPE_TABLE)
            return;
        e = &table_at(*e & PTE_ADDR)[io_idx(iova, level)];
        if ((*e & PTE_TYPE) == PTE_TYPE_BLOCK)
            break;
    }
    *e = 0;
    __asm__ volatile("dsb ishst" ::: "memory");
}

void gdrv_write_cd(struct gdrv *g, uint64_t ttb0)
{
    volatile uint64_t *cd = table_at(GUEST_RAM_PAGE_IPA(GP_CD));
    /* IPS: the VM's IPA size, capped by what the VMM accepts (QEMU 10 asserts on 6/7). */
    unsigned ips = pa_range_code((unsigned)g->ipa_bits);
    if (ips > g->max_ips)
        ips = (unsigned)g->max_ips;
    cd[0] = 0; /* invalid while it changes */
    __asm__ volatile("dsb ishst" ::: "memory");
    for (unsigned i = 1; i < CD_DWORDS; i++)
        cd[i] = 0;
    cd[1] = ttb0 & CD1_TTB0;
    cd[3] = PT_S1_MAIR;
    __asm__ volatile("dsb ishst" ::: "memory");
    /* R: record stage-1 faults (QEMU records nothing without it); A, AA64: required. */
    cd[0] = FIELD_PREP(CD0_T0SZ, IO_T0SZ) | FIELD_PREP(CD0_IR0, 1) | FIELD_PREP(CD0_OR0, 1) |
            FIELD_PREP(CD0_SH0, 3) | CD0_EPD1 | FIELD_PREP(CD0_IPS, ips) | CD0_AA64 | CD0_R | CD0_A |
            CD0_ASET | FIELD_PREP(CD0_ASID, g->asid) | CD0_V;
    __asm__ volatile("dsb ishst" ::: "memory");
}

static const char *status_name(uint64_t s)
{
    switch (s) {
    case seL4_NoError: return "ok";
    case seL4_InvalidArgument: return "seL4_InvalidArgument";
    case seL4_IllegalOperation: return "seL4_IllegalOperation";
    case seL4_RangeError: return "seL4_RangeError";
    case seL4_AlignmentError: return "seL4_AlignmentError";
    case seL4_DeleteFirst: return "seL4_DeleteFirst";
    case GUEST_HVC_NOT_SUPPORTED: return "not supported";
    default: return "other error";
    }
}

static void report(const char *what, struct hvc_ret r)
{
    gprintf("%s%s", what, status_name(r.x0));
    if (r.x0 == seL4_InvalidArgument)
        gprintf(" (argument %lu)", (unsigned long)r.x1);
    else if (r.x0 == seL4_RangeError)
        gprintf(" (allowed 0x%lx..0x%lx)", (unsigned long)r.x1, (unsigned long)r.x2);
    gprintf("\n");
}

struct hvc_ret gdrv_assign(struct gdrv *g, uint64_t cd_ipa, uint64_t fmt, uint64_t cdmax)
{
    (void)g;
    struct hvc_ret r = guest_hvc(GUEST_HVC_IOMMU_ASSIGN_CD_TABLE, cd_ipa, fmt, cdmax, 0);
    gprintf("hvc assign-cd-table(IPA 0x%lx, fmt %lu, cdmax %lu): ", (unsigned long)cd_ipa,
            (unsigned long)fmt, (unsigned long)cdmax);
    report("", r);
    return r;
}

struct hvc_ret gdrv_cd_invalidate(struct gdrv *g)
{
    (void)g;
    struct hvc_ret r = guest_hvc(GUEST_HVC_IOMMU_CD_INVALIDATE, 0, 0, 0, 0);
    report("hvc cd-invalidate: ", r);
    return r;
}

struct hvc_ret gdrv_tlb_invalidate(struct gdrv *g, uint64_t asid, uint64_t iova, uint64_t size)
{
    (void)g;
    struct hvc_ret r = guest_hvc(GUEST_HVC_IOMMU_S1_TLB_INVALIDATE, asid, iova, size, 0);
    gprintf("hvc s1-tlb-invalidate(ASID %lu, IOVA 0x%lx, size 0x%lx): ", (unsigned long)asid,
            (unsigned long)iova, (unsigned long)size);
    report("", r);
    return r;
}

static bool dma(struct gdrv *g, uint64_t src, uint64_t dst, uint32_t count, bool to_ram)
{
    g->edu[EDU_REG_DMA_SRC / 8] = src;
    g->edu[EDU_REG_DMA_DST / 8] = dst;
    g->edu[EDU_REG_DMA_COUNT / 8] = count;
    g->edu[EDU_REG_DMA_CMD / 8] = EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0);
    /* edu completes a transfer 100 ms of virtual time later; give it 2 s. */
    uint64_t hz = guest_counter_hz(), t0 = guest_counter();
    while (g->edu[EDU_REG_DMA_CMD / 8] & EDU_DMA_START)
        if (guest_counter() - t0 > 2 * hz)
            return false;
    return true;
}

bool gdrv_to_dev(struct gdrv *g, uint64_t iova, uint32_t dev_off, uint32_t count)
{
    return dev_off + count <= 4096 && dma(g, iova, EDU_BUF + dev_off, count, false);
}

bool gdrv_from_dev(struct gdrv *g, uint32_t dev_off, uint64_t iova, uint32_t count)
{
    return dev_off + count <= 4096 && dma(g, EDU_BUF + dev_off, iova, count, true);
}

void fill_pattern(uint64_t ipa, unsigned vm, unsigned step, uint32_t first, uint32_t n)
{
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)ipa;
    for (uint32_t i = 0; i < n; i++)
        p[i] = guest_pattern(vm, step, first + i);
    __asm__ volatile("dsb sy" ::: "memory"); /* before the device reads it */
}

bool has_pattern(uint64_t ipa, unsigned vm, unsigned step, uint32_t first, uint32_t n)
{
    const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)ipa;
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != guest_pattern(vm, step, first + i))
            return false;
    return true;
}

void fill_byte(uint64_t ipa, uint8_t v, uint32_t n)
{
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)ipa;
    for (uint32_t i = 0; i < n; i++)
        p[i] = v;
    __asm__ volatile("dsb sy" ::: "memory");
}

bool all_bytes(uint64_t ipa, uint8_t v, uint32_t n)
{
    const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)ipa;
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}
