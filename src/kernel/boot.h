/* Boot: build the root task's CSpace (seL4's create_root_cnode / create_untypeds shape). */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <sel4/bootinfo.h>

#include "lib/err.h"
#include "syscall.h"

#define KERNEL_BOOT_MAX_REGIONS 8
#define KERNEL_ROOT_CNODE_MAX_RADIX 16

struct kernel_boot_region {
    paddr_t base;
    uint64_t size;
    bool device; /* device memory: becomes device untypeds (only frames/untypeds, not zeroed) */
};

struct kernel_boot_config {
    unsigned root_cnode_radix; /* 1..KERNEL_ROOT_CNODE_MAX_RADIX; seL4's default is 12 */
    unsigned n_regions;
    struct kernel_boot_region regions[KERNEL_BOOT_MAX_REGIONS]; /* free memory, page aligned
                                                                 * inside (edges are trimmed) */
};

/* Forget all kernel state (the VSpace and IRQ tables), take the root CNode
 * (2^(radix + 6) bytes, aligned, zeroed) from the first normal region that holds it, and
 * fill it:
 *   slot seL4_CapInitThreadCNode: the root CNode's cap (guard size 64 - radix, guard 0,
 *     so a cptr is the slot index at depth 64); root->cspace_root gets a copy;
 *   slot seL4_CapIRQControl: the IRQControl cap (the interrupt table is reset first, so
 *     the platform's interrupt controller must be set up before this call);
 *   from seL4_NumInitialCaps: the SMMU caps (smmu_boot_populate), then Untyped caps for
 *     the rest of every region in aligned power-of-two chunks (4 KiB .. 2^47), described
 *     in bi->untypedList (up to seL4_MaxUntypedCaps; memory beyond that stays unused).
 * bi is filled (initThreadCNodeSizeBits, untyped, empty, and what the hook writes).
 * root->ipc_buffer and root->regs are the caller's. ERR_INVALID (radix, region count),
 * ERR_NO_MEMORY (no region holds the root CNode). */
err_t kernel_boot(const struct kernel_boot_config *cfg, struct kernel_thread *root, seL4_BootInfo *bi);

#endif
