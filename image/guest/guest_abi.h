/* The contract between a guest (image/guest/, a small OS at EL1 in a VM) and its VMM
 * (image/vm.c, at EL2): the hypercalls, the guest's physical memory map (IPAs), and what
 * the scenario asks of a run. Constants only: this header is compiled into both, and the
 * guest may include nothing that needs the kernel's code. docs/guest-smmu-interface.md
 * describes the interface for people.
 *
 * Hypercalls: `hvc #0`, function in x0, arguments in x1..x4; on return x0 is the status
 * and x1..x4 results. The VMM turns the IOMMU calls into invocations of the VM's own CB
 * capability (seL4_ARM_CB_*): the guest never names a CB, a StreamID or a VMID, so it
 * cannot name another VM's. Status of an IOMMU call: 0, or the seL4_Error of the
 * invocation with its detail in x1/x2 (seL4's MR0/MR1: argument index, or range min/max).
 * An unknown function returns GUEST_HVC_NOT_SUPPORTED and changes nothing. */
#ifndef IMAGE_GUEST_GUEST_ABI_H
#define IMAGE_GUEST_GUEST_ABI_H

#include <stdint.h>

#define GUEST_HVC_IMM 0u
#define GUEST_HVC_NOT_SUPPORTED (~0ULL) /* -1, as SMCCC's NOT_SUPPORTED */

enum guest_hvc {
    /* Console and life cycle. */
    GUEST_HVC_PUTC = 0x01,  /* x1 = character */
    GUEST_HVC_YIELD = 0x02, /* x1 = progress value; the VMM resumes the VM after the hvc later */
    GUEST_HVC_EXIT = 0x03,  /* x1 = result (0 = success), x2..x4 = detail; never resumed */
    /* The IOMMU API, extended to convey the guest's stage-1 configuration. */
    GUEST_HVC_IOMMU_INFO = 0x10,           /* -> x1 max cdmax (IDR1.SSIDSIZE), x2 ASID bits,
                                            *    x3 IPA bits of the VM (its stage-2 input size),
                                            *    x4 largest CD.IPS code the VMM accepts */
    GUEST_HVC_IOMMU_ASSIGN_CD_TABLE = 0x11,   /* x1 = CD table IPA, x2 = S1Fmt, x3 = S1CDMax */
    GUEST_HVC_IOMMU_UNASSIGN_CD_TABLE = 0x12, /* back to stage 2 only */
    GUEST_HVC_IOMMU_CD_INVALIDATE = 0x13,     /* the guest changed its CDs */
    GUEST_HVC_IOMMU_S1_TLB_INVALIDATE = 0x14, /* x1 = ASID, x2 = IOVA, x3 = size (0: the ASID) */
};

/* ---- the guest's physical memory (IPAs); the VMM backs them with frames ------------------ */
#define GUEST_PAGE 0x1000ULL
#define GUEST_DEV_IPA 0x10000000ULL /* its edu's registers: one page, Device-nGnRnE */
#define GUEST_RAM_IPA 0x80000000ULL /* its RAM: GUEST_RAM_PAGES pages, all but the guard */
enum guest_ram_page {
    GP_CPU_L1 = 0,     /* its own CPU stage-1 table (1 GiB blocks), if it turns its MMU on */
    GP_CD = 1,         /* its CD table: one CD (S1CDMax = 0) */
    GP_IOPT = 2,       /* 8 pages for the device's stage-1 tables */
    GP_IOPT_END = 10,
    GP_SRC = 10,       /* DMA buffers */
    GP_DST = 11,
    GP_BUF2 = 12,
    GP_BUF3 = 13,
    GP_SECRET = 14,    /* bytes another VM must never reach */
    GP_GUARD = 15,     /* not mapped: stack overflow is a stage-2 fault */
    GP_STACK = 16,     /* 16 KiB of stack */
    GUEST_RAM_PAGES = 20,
};
#define GUEST_RAM_PAGE_IPA(p) (GUEST_RAM_IPA + (uint64_t)(p) * GUEST_PAGE)
#define GUEST_STACK_TOP GUEST_RAM_PAGE_IPA(GUEST_RAM_PAGES)

/* vm-huge: a 2 MiB stage-2 block (one LargePage frame), and a 2 MiB IPA range backed by a
 * few 4 KiB stage-2 pages only, at guest_huge_off(k) (the VMM maps them, PAs scattered). */
#define GUEST_S2BLOCK_IPA 0x80200000ULL
#define GUEST_S1BLOCK_IPA 0x80400000ULL
#define GUEST_HUGE_N 3u
static inline uint64_t guest_huge_off(unsigned k) /* first, middle, last page of the 2 MiB */
{
    return k == 0 ? 0x000000 : k == 1 ? 0x123000 : 0x1ff000;
}
#define GUEST_HUGE_HOLE 0x1000ULL   /* inside the 2 MiB stage-1 block, not mapped at stage 2 */
#define GUEST_HUGE_AT 0x200u        /* DMA lands at this offset in each page */
#define GUEST_HUGE_SLICE 512u       /* bytes per target: device buffer slice k for target k */

/* ---- the device's addresses (stage-1 IOVAs the guest maps) ------------------------------ */
#define GUEST_IOVA_SRC 0x1000ULL
#define GUEST_IOVA_DST 0x2000ULL
#define GUEST_IOVA_EVIL 0x3000ULL     /* vm-isolation: points at another VM's memory */
#define GUEST_IOVA_BUF2 0x4000ULL
#define GUEST_IOVA_STALE 0x5000ULL    /* vm-guest-invalidation: unmapped, cached, invalidated */
#define GUEST_IOVA_HUGE_S2 0x100000ULL /* + k * 4K: 4K stage-1 pages into the 2M stage-2 block */
#define GUEST_IOVA_HUGE_S1 0x400000ULL /* a 2M stage-1 block over GUEST_S1BLOCK_IPA */
#define GUEST_IOVA_LEGACY 0x1000000ULL /* vm-legacy-dma: a window below 256 MiB (28-bit DMA) */
#define GUEST_FAULT_DMA 64u             /* bytes of a DMA meant to fault: 16 event records */

/* ---- a run: entry registers ------------------------------------------------------------ */
/* x0 = request, x1 = VM index (0 = A, 1 = B, ...), x2 = flags, x3 = argument, x4 = ASID its
 * device's context descriptor uses. SP_EL1 = GUEST_STACK_TOP, PSTATE = EL1h, DAIF masked,
 * SCTLR_EL1 = reset value (MMU off). */
enum guest_request {
    GUEST_REQ_NESTED = 1,   /* vm-nested: CD + stage 1, assign, DMA, yield, DMA again, exit */
    GUEST_REQ_VICTIM = 2,   /* vm-isolation, VM B: holds a secret, checks it afterwards */
    GUEST_REQ_ATTACKER = 3, /* vm-isolation, VM A: x3 = the secret's PA, used as an IPA */
    GUEST_REQ_HUGE = 4,     /* vm-huge: 2M stage-2 block / 2M stage-1 block */
    GUEST_REQ_LEGACY = 5,   /* vm-legacy-dma: x3 = the PA a driver without the window would use */
    GUEST_REQ_INVAL_A = 6,  /* vm-guest-invalidation, VM A: x3 = VM B's ASID */
    GUEST_REQ_INVAL_B = 7,  /* vm-guest-invalidation, VM B */
};
#define GUEST_FLAG_MMU 1u   /* run with its own stage-1 MMU on (SCTLR_EL1.M) */

/* Exit results: 0, or the number of the failing check; an exception the guest did not
 * expect exits with GUEST_RESULT_EXCEPTION | vector offset >> 7, x2 = ESR_EL1, x3 = ELR_EL1,
 * x4 = FAR_EL1. */
#define GUEST_RESULT_OK 0u
#define GUEST_RESULT_EXCEPTION 0xe0000000u

/* Bytes a guest writes at `step`: the kernel recomputes them to check its view (PA). */
static inline uint8_t guest_pattern(unsigned vm, unsigned step, uint32_t i)
{
    return (uint8_t)(i * 7u + vm * 0x45u + step * 0x1bu + (i >> 8) + 1u);
}
#define GUEST_STEP_DMA 1u     /* the first DMA source (GP_SRC) */
#define GUEST_STEP_SECRET 7u  /* the victim's secret (GP_SECRET) */
#define GUEST_STEP_EVIL 9u    /* what the attacker tries to write into the victim */

#endif
