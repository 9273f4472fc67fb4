/* Boot: the root CNode, its own cap, the SMMU caps and the Untyped caps (seL4 boot.c's
 * shape: the root task starts with every cap the kernel hands out). */
#include "boot.h"

#include <sel4/object_types.h>

#include "cspace.h"
#include "irq.h"
#include "lib/bits.h"
#include "lib/string.h"
#include "plat/plat.h"
#include "vspace.h"

struct range {
    paddr_t base, end;
    bool device;
};

/* Largest aligned power-of-two chunk at `b` that fits before `e` (b < e, page aligned). */
static unsigned chunk_bits(paddr_t b, paddr_t e)
{
    unsigned k = seL4_MaxUntypedBits;
    while (k > seL4_MinUntypedBits && (!IS_ALIGNED(b, 1ULL << k) || e - b < (1ULL << k)))
        k--;
    return k;
}

err_t kernel_boot(const struct kernel_boot_config *cfg, struct kernel_thread *root, seL4_BootInfo *bi)
{
    if (!cfg || !root || !bi || cfg->root_cnode_radix < 1 ||
        cfg->root_cnode_radix > KERNEL_ROOT_CNODE_MAX_RADIX || cfg->n_regions > KERNEL_BOOT_MAX_REGIONS)
        return ERR_INVALID;

    /* Page-aligned ranges; then carve the root CNode out of the first normal one. */
    struct range r[KERNEL_BOOT_MAX_REGIONS + 1];
    unsigned n = 0;
    for (unsigned i = 0; i < cfg->n_regions; i++) {
        paddr_t b = ALIGN_UP(cfg->regions[i].base, PAGE_SIZE);
        paddr_t e = ALIGN_DOWN(cfg->regions[i].base + cfg->regions[i].size, PAGE_SIZE);
        if (e > b)
            r[n++] = (struct range){ b, e, cfg->regions[i].device };
    }
    unsigned radix = cfg->root_cnode_radix;
    uint64_t cn_size = 1ULL << cnode_size_bits(radix);
    paddr_t cn = 0;
    for (unsigned i = 0; i < n && cn == 0; i++) {
        paddr_t at = ALIGN_UP(r[i].base, cn_size);
        if (r[i].device || at < r[i].base || at >= r[i].end || r[i].end - at < cn_size)
            continue;
        cn = at;
        r[n++] = (struct range){ at + cn_size, r[i].end, false }; /* the part above */
        r[i].end = at;                                            /* the part below */
    }
    if (cn == 0)
        return ERR_NO_MEMORY;

    vspace_table_reset();
    irq_table_reset();
    kmemset(bi, 0, sizeof(*bi));
    cte_t *slots = (cte_t *)plat_phys_to_virt(cn);
    kmemset(slots, 0, (size_t)cn_size);
    unsigned nslots = 1u << radix;

    cap_t cnode = cap_cnode_cap_new(0, 0, 0, 0);
    cnode = cap_cnode_cap_set_capCNodeRadix(cnode, radix);
    cnode = cap_cnode_cap_set_capCNodeGuardSize(cnode, seL4_WordBits - radix);
    cnode = cap_cnode_cap_set_capCNodePtr_pfn(cnode, cn >> PAGE_SHIFT);
    unsigned next = seL4_NumInitialCaps;
    if (nslots > seL4_CapInitThreadCNode) {
        cte_init_original(&slots[seL4_CapInitThreadCNode], cnode);
        root->cspace_root = (cte_t){ 0 };
        cte_insert(cnode, &slots[seL4_CapInitThreadCNode], &root->cspace_root);
    } else {
        cte_init_original(&root->cspace_root, cnode); /* a CNode too small for the layout */
        next = nslots;
    }
    bi->initThreadCNodeSizeBits = radix;
    if (nslots > seL4_CapIRQControl && next > seL4_CapIRQControl)
        cte_init_original(&slots[seL4_CapIRQControl], cap_irq_control_cap_new());

    if (next < nslots)
        next = smmu_boot_populate(slots, next, nslots, bi);

    bi->untyped.start = next;
    unsigned nut = 0;
    for (unsigned i = 0; i < n; i++) {
        paddr_t b = r[i].base;
        /* Bounded: each chunk is at least a page, at most 2 * 36 chunks per range. */
        while (b < r[i].end && next < nslots && nut < seL4_MaxUntypedCaps) {
            unsigned k = chunk_bits(b, r[i].end);
            cap_t ut = cap_untyped_cap_new(0, 0, 0, 0);
            ut = cap_untyped_cap_set_capIsDevice(ut, r[i].device);
            ut = cap_untyped_cap_set_capBlockSize(ut, k);
            ut = cap_untyped_cap_set_capPtr_pfn(ut, b >> PAGE_SHIFT);
            cte_init_original(&slots[next], ut);
            bi->untypedList[nut].paddr = b;
            bi->untypedList[nut].sizeBits = (seL4_Uint8)k;
            bi->untypedList[nut].isDevice = r[i].device;
            nut++;
            next++;
            b += 1ULL << k;
        }
    }
    bi->untyped.end = next;
    bi->empty.start = next;
    bi->empty.end = nslots;
    return ERR_NONE;
}
