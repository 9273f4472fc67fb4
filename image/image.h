/* Shared state of the bare-metal image and its scenario table (main.c). A scenario is a
 * function that uses the devices set up at boot and returns true on success; it prints
 * its own details, main.c prints "SCENARIO <name>: PASS|FAIL". */
#ifndef IMAGE_IMAGE_H
#define IMAGE_IMAGE_H

#include "lib/pool.h"
#include "plat/qemu-virt/edu.h"
#include "plat/qemu-virt/pcie.h"
#include "plat/qemu-virt/platform.h"

#define IMAGE_MAX_EDU 8
/* Pages the free-RAM pool can manage (its bitmap is static): 1 GiB of 4 KiB pages. */
#define IMAGE_POOL_MAX_PAGES (SIZE_1G / PAGE_SIZE)

struct image_ctx {
    struct platform_info plat;
    struct pcie_bus pci;
    unsigned n_edu;
    struct edu edu[IMAGE_MAX_EDU]; /* in PCI slot order */
    paddr_t free_base;             /* free RAM after the image (platform_free_ram) */
    uint64_t free_size;
    struct page_pool pool;         /* pages of [free_base, free_base + free_size) */
};

struct scenario {
    const char *name;
    const char *summary;
    bool (*run)(struct image_ctx *ctx);
};

/* Entry from boot.S (EL2, MMU off, stack set, .bss clear). `dtb` is x0 at entry. */
void image_main(const void *dtb);

/* Scenarios (scenarios.c). */
bool scenario_boot_bypass(struct image_ctx *ctx);
bool scenario_s2_translate(struct image_ctx *ctx);   /* scenario_smmu.c */
bool scenario_unmapped(struct image_ctx *ctx);
bool scenario_readonly(struct image_ctx *ctx);
bool scenario_abort_bypass(struct image_ctx *ctx);
bool scenario_unmap_stale(struct image_ctx *ctx);
bool scenario_cpu_shares_s2(struct image_ctx *ctx);  /* scenario_cpu_s2.c */
bool scenario_roottask_trap(struct image_ctx *ctx);  /* scenario_roottask.c */
bool scenario_roottask_smmu(struct image_ctx *ctx);
bool scenario_roottask_nested(struct image_ctx *ctx);
bool scenario_roottask_s1(struct image_ctx *ctx);
bool scenario_roottask_modes(struct image_ctx *ctx);
bool scenario_roottask_isolation(struct image_ctx *ctx);
bool scenario_roottask_faults(struct image_ctx *ctx);  /* scenario_faults.c */
bool scenario_vm_nested(struct image_ctx *ctx);        /* scenario_vm.c */
bool scenario_vm_isolation(struct image_ctx *ctx);
bool scenario_vm_huge(struct image_ctx *ctx);
bool scenario_vm_legacy_dma(struct image_ctx *ctx);
bool scenario_vm_guest_invalidation(struct image_ctx *ctx);

/* The edu at PCI device 4 (00:04.0, StreamID 0x20) keeps edu's default 28-bit DMA mask
 * (tests/qemu/run-scenario.sh): it cannot reach RAM (at 1 GiB and above) by itself, only
 * through an IOMMU window below 256 MiB (scenario vm-legacy-dma). */
#define IMAGE_EDU_LEGACY_DEV 4u
static inline bool image_edu_is_legacy(const struct edu *edu) { return edu->fn->dev == IMAGE_EDU_LEGACY_DEV; }

#endif
