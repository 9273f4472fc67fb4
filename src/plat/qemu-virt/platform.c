/* Reads the QEMU virt device tree into struct platform_info (platform.h). */
#include "platform.h"

#include "../../lib/bits.h"
#include "fdt.h"
#include "uart.h"

/* Linker-script symbols (image/linker.ld): the image's first byte and the end of
 * everything it occupies, stacks included. */
extern char __image_start[];
extern char __image_end[];

const char *const smmu_irq_names[SMMU_IRQ_COUNT] = {
    [SMMU_IRQ_EVENTQ] = "eventq",
    [SMMU_IRQ_PRIQ] = "priq",
    [SMMU_IRQ_CMDQ_SYNC] = "cmdq-sync",
    [SMMU_IRQ_GERROR] = "gerror",
};

/* GIC interrupt specifier (arm,gic binding): <type number flags>. */
#define GIC_SPEC_CELLS 3u
#define GIC_TYPE_SPI 0u
#define GIC_TYPE_PPI 1u
#define GIC_SPI_INTID_BASE 32u
#define GIC_PPI_INTID_BASE 16u

/* PCI "ranges" child address phys.hi cell (PCI Bus Binding to IEEE 1275, 2.2.1.1). */
#define PCI_PHYS_HI_SPACE GENMASK(25, 24)
#define PCI_PHYS_HI_PREFETCH BIT(30)
#define PCI_SPACE_IO 1u
#define PCI_SPACE_MEM32 2u
#define PCI_SPACE_MEM64 3u
#define PCI_ADDR_CELLS 3u

#define IOMMU_MAP_CELLS 4u /* rid-base, phandle, iommu-base (#iommu-cells = 1), length */

/* `a` is NUL-terminated inside the blob (checked by fdt_get_string), `b` is ours. */
static bool str_equal(const char *a, const char *b)
{
    for (; *a == *b; a++, b++)
        if (*a == '\0')
            return true;
    return false;
}

static void copy_string(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; i + 1 < cap && src[i]; i++)
        dst[i] = src[i];
    dst[i] = '\0';
}

static err_t read_gic_irq(const struct fdt *f, uint32_t node, const char *name, struct plat_irq *irq)
{
    uint32_t spec[GIC_SPEC_CELLS], n;
    err_t e = fdt_interrupt_by_name(f, node, name, spec, GIC_SPEC_CELLS, &n);
    if (e != ERR_NONE)
        return e;
    if (n != GIC_SPEC_CELLS)
        return ERR_UNSUPPORTED;
    if (spec[0] == GIC_TYPE_SPI && spec[1] < 988u) /* SPIs are INTIDs 32..1019 */
        irq->intid = spec[1] + GIC_SPI_INTID_BASE;
    else if (spec[0] == GIC_TYPE_PPI && spec[1] < 16u)
        irq->intid = spec[1] + GIC_PPI_INTID_BASE;
    else
        return ERR_RANGE;
    irq->type = spec[0];
    irq->num = spec[1];
    irq->flags = spec[2];
    irq->present = true;
    return ERR_NONE;
}

static err_t probe_smmu(const struct fdt *f, struct platform_info *info)
{
    uint32_t node;
    err_t e = fdt_find_compatible(f, FDT_NODE_NONE, "arm,smmu-v3", &node);
    if (e == ERR_NOT_FOUND)
        return ERR_NONE; /* no SMMU: info->smmu_present stays false */
    if (e == ERR_NONE)
        e = fdt_read_reg(f, node, 0, &info->smmu_base, &info->smmu_size);
    if (e != ERR_NONE)
        return e;
    e = fdt_get_u32(f, node, "phandle", &info->smmu_phandle);
    if (e == ERR_NOT_FOUND)
        info->smmu_phandle = 0; /* nothing can reference it */
    else if (e != ERR_NONE)
        return e;
    const uint8_t *d;
    uint32_t len;
    info->smmu_coherent = fdt_get_prop(f, node, "dma-coherent", &d, &len) == ERR_NONE;
    for (unsigned i = 0; i < SMMU_IRQ_COUNT; i++) {
        e = read_gic_irq(f, node, smmu_irq_names[i], &info->smmu_irq[i]);
        if (e != ERR_NONE && e != ERR_NOT_FOUND)
            return e; /* a missing name is allowed (the binding makes some optional) */
    }
    info->smmu_present = true;
    return ERR_NONE;
}

static err_t probe_ranges(const struct fdt *f, uint32_t node, struct platform_info *info)
{
    uint32_t root, pac, sc;
    err_t e = fdt_parent(f, node, &root);
    if (e == ERR_NONE)
        e = fdt_address_cells(f, root, &pac);
    if (e == ERR_NONE)
        e = fdt_size_cells(f, node, &sc);
    if (e != ERR_NONE)
        return e;
    if (pac < 1 || pac > 2 || sc < 1 || sc > 2)
        return ERR_UNSUPPORTED;
    const uint8_t *d;
    uint32_t len;
    e = fdt_get_prop(f, node, "ranges", &d, &len);
    if (e != ERR_NONE)
        return e;
    uint32_t entry_cells = PCI_ADDR_CELLS + pac + sc;
    if (len % (entry_cells * 4) != 0)
        return ERR_INVALID;
    uint32_t n = len / (entry_cells * 4);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = i * entry_cells, hi;
        struct pci_window w = { .present = true };
        e = fdt_cell(d, len, c, &hi);
        if (e == ERR_NONE)
            e = fdt_cells_u64(d, len, c + 1, 2, &w.pci_addr);
        if (e == ERR_NONE)
            e = fdt_cells_u64(d, len, c + PCI_ADDR_CELLS, pac, &w.cpu_addr);
        if (e == ERR_NONE)
            e = fdt_cells_u64(d, len, c + PCI_ADDR_CELLS + pac, sc, &w.size);
        if (e != ERR_NONE)
            return e;
        if (w.size == 0 || w.cpu_addr + w.size < w.cpu_addr || w.pci_addr + w.size < w.pci_addr)
            return ERR_INVALID;
        w.prefetchable = (hi & PCI_PHYS_HI_PREFETCH) != 0;
        switch (FIELD_GET(PCI_PHYS_HI_SPACE, hi)) {
        case PCI_SPACE_MEM32:
            if (!info->mmio32.present)
                info->mmio32 = w;
            break;
        case PCI_SPACE_MEM64:
            if (!info->mmio64.present)
                info->mmio64 = w;
            break;
        default: /* I/O and configuration space: not used */
            break;
        }
    }
    return ERR_NONE;
}

static err_t probe_iommu_map(const struct fdt *f, uint32_t node, struct platform_info *info)
{
    info->iommu_map_mask = UINT32_MAX;
    err_t e = fdt_get_u32(f, node, "iommu-map-mask", &info->iommu_map_mask);
    if (e != ERR_NONE && e != ERR_NOT_FOUND)
        return e;
    const uint8_t *d;
    uint32_t len;
    e = fdt_get_prop(f, node, "iommu-map", &d, &len);
    if (e == ERR_NOT_FOUND)
        return ERR_NONE; /* devices behind this host are not translated */
    if (e != ERR_NONE)
        return e;
    if (len % (IOMMU_MAP_CELLS * 4) != 0)
        return ERR_INVALID;
    uint32_t n = len / (IOMMU_MAP_CELLS * 4);
    if (n > PLAT_MAX_IOMMU_MAP)
        return ERR_RANGE;
    for (uint32_t i = 0; i < n; i++) {
        struct iommu_map_entry *m = &info->iommu_map[i];
        uint32_t c = i * IOMMU_MAP_CELLS;
        e = fdt_cell(d, len, c + 0, &m->rid_base);
        if (e == ERR_NONE)
            e = fdt_cell(d, len, c + 1, &m->iommu_phandle);
        if (e == ERR_NONE)
            e = fdt_cell(d, len, c + 2, &m->sid_base);
        if (e == ERR_NONE)
            e = fdt_cell(d, len, c + 3, &m->length);
        if (e != ERR_NONE)
            return e;
        /* The entry must reference an IOMMU with one specifier cell. */
        uint32_t iommu, icells;
        e = fdt_find_phandle(f, m->iommu_phandle, &iommu);
        if (e == ERR_NONE)
            e = fdt_get_u32(f, iommu, "#iommu-cells", &icells);
        if (e != ERR_NONE)
            return ERR_INVALID;
        if (icells != 1)
            return ERR_UNSUPPORTED;
    }
    info->n_iommu_map = n;
    return ERR_NONE;
}

static err_t probe_pcie(const struct fdt *f, struct platform_info *info)
{
    uint32_t node;
    err_t e = fdt_find_compatible(f, FDT_NODE_NONE, "pci-host-ecam-generic", &node);
    if (e == ERR_NOT_FOUND)
        return ERR_NONE;
    if (e == ERR_NONE)
        e = fdt_read_reg(f, node, 0, &info->ecam_base, &info->ecam_size);
    if (e != ERR_NONE)
        return e;
    const uint8_t *d;
    uint32_t len;
    e = fdt_get_prop(f, node, "bus-range", &d, &len);
    if (e == ERR_NONE) {
        if (len != 8)
            return ERR_INVALID;
        (void)fdt_cell(d, len, 0, &info->bus_start);
        (void)fdt_cell(d, len, 1, &info->bus_end);
    } else if (e == ERR_NOT_FOUND) {
        info->bus_start = 0;
        info->bus_end = 255;
    } else {
        return e;
    }
    /* ECAM gives 1 MiB per bus (PCIe Base 7.2.2); the window must cover the range. */
    if (info->bus_start > info->bus_end || info->bus_end > 255 ||
        info->ecam_size < ((uint64_t)(info->bus_end - info->bus_start + 1) << 20))
        return ERR_RANGE;
    e = probe_ranges(f, node, info);
    if (e == ERR_NONE)
        e = probe_iommu_map(f, node, info);
    if (e != ERR_NONE)
        return e;
    info->pcie_present = true;
    return ERR_NONE;
}

static err_t probe_memory(const struct fdt *f, uint32_t root, struct platform_info *info)
{
    /* The first node under / with device_type = "memory" (DT spec 3.4). Bounded: each
     * fdt_next_node() call moves to a later offset in the structure block. */
    uint32_t cur = root;
    int depth = 0;
    for (;;) {
        err_t e = fdt_next_node(f, &cur, &depth);
        if (e != ERR_NONE)
            return e == ERR_NOT_FOUND ? ERR_INVALID : e; /* memory is required */
        if (depth != 1)
            continue;
        const char *type;
        e = fdt_get_string(f, cur, "device_type", &type);
        if (e == ERR_NOT_FOUND)
            continue;
        if (e != ERR_NONE)
            return e;
        if (!str_equal(type, "memory"))
            continue;
        e = fdt_read_reg(f, cur, 0, &info->ram_base, &info->ram_size);
        if (e != ERR_NONE)
            return e;
        if (info->ram_size == 0 || info->ram_base + info->ram_size < info->ram_base)
            return ERR_INVALID;
        return ERR_NONE;
    }
}

err_t platform_parse(const void *dtb, size_t max_size, struct platform_info *info)
{
    if (!info || !dtb)
        return ERR_INVALID;
    struct platform_info zero = { 0 };
    *info = zero;
    struct fdt f;
    err_t e = fdt_init(&f, dtb, max_size);
    if (e != ERR_NONE)
        return e;
    info->dtb = dtb;
    info->dtb_size = f.totalsize;

    uint32_t root, node;
    e = fdt_root(&f, &root);
    if (e == ERR_NONE)
        e = probe_memory(&f, root, info);
    if (e != ERR_NONE)
        return e;

    e = fdt_find_compatible(&f, FDT_NODE_NONE, "arm,pl011", &node);
    uint64_t usize;
    if (e == ERR_NONE)
        e = fdt_read_reg(&f, node, 0, &info->uart_base, &usize);
    if (e != ERR_NONE)
        return e == ERR_NOT_FOUND ? ERR_INVALID : e;

    e = fdt_subnode(&f, root, "chosen", &node);
    if (e == ERR_NONE) {
        const char *args;
        e = fdt_get_string(&f, node, "bootargs", &args);
        if (e == ERR_NONE)
            copy_string(info->bootargs, sizeof(info->bootargs), args);
        else if (e != ERR_NOT_FOUND)
            return e;
    } else if (e != ERR_NOT_FOUND) {
        return e;
    }

    e = probe_smmu(&f, info);
    if (e == ERR_NONE)
        e = probe_pcie(&f, info);
    return e;
}

err_t platform_probe(const void *dtb, struct platform_info *info)
{
    if (!dtb)
        dtb = (const void *)(uintptr_t)QEMU_VIRT_DTB_ADDR;
    /* A DTB below the image may extend at most up to it; elsewhere cap the size. */
    size_t max = PLAT_DTB_MAX_SIZE;
    uintptr_t at = (uintptr_t)dtb, img = (uintptr_t)__image_start;
    if (at < img && img - at < max)
        max = img - at;
    return platform_parse(dtb, max, info);
}

err_t platform_free_ram(const struct platform_info *info, paddr_t *base, uint64_t *size)
{
    if (!info || !base || !size || info->ram_size == 0)
        return ERR_INVALID;
    paddr_t ram_end = info->ram_base + info->ram_size;
    paddr_t start = (paddr_t)(uintptr_t)__image_end;
    paddr_t dtb_end = (paddr_t)(uintptr_t)info->dtb + info->dtb_size;
    /* The region runs from the end of whatever of {image, DTB} sits highest in RAM. */
    if (info->dtb && dtb_end > start && dtb_end <= ram_end)
        start = dtb_end;
    start = ALIGN_UP(start, PAGE_SIZE);
    paddr_t end = ALIGN_DOWN(ram_end, PAGE_SIZE);
    if (start < info->ram_base || start >= end)
        return ERR_NO_MEMORY;
    *base = start;
    *size = end - start;
    return ERR_NONE;
}

err_t platform_rid_to_sid(const struct platform_info *info, uint32_t rid, uint32_t *sid)
{
    if (!info || !sid)
        return ERR_INVALID;
    uint32_t masked = rid & info->iommu_map_mask;
    for (uint32_t i = 0; i < info->n_iommu_map && i < PLAT_MAX_IOMMU_MAP; i++) {
        const struct iommu_map_entry *m = &info->iommu_map[i];
        if (masked < m->rid_base || masked - m->rid_base >= m->length)
            continue;
        if (!info->smmu_present || m->iommu_phandle != info->smmu_phandle)
            return ERR_UNSUPPORTED; /* behind some other IOMMU */
        *sid = m->sid_base + (masked - m->rid_base);
        return ERR_NONE;
    }
    return ERR_NOT_FOUND;
}

static void print_window(const char *name, const struct pci_window *w)
{
    if (!w->present) {
        kprintf("  %s: none\n", name);
        return;
    }
    kprintf("  %s: cpu 0x%llx pci 0x%llx size 0x%llx%s\n", name, (unsigned long long)w->cpu_addr,
            (unsigned long long)w->pci_addr, (unsigned long long)w->size,
            w->prefetchable ? " prefetchable" : "");
}

void platform_print(const struct platform_info *info)
{
    kprintf("platform: dtb %p (%u bytes), uart 0x%llx\n", info->dtb, info->dtb_size,
            (unsigned long long)info->uart_base);
    kprintf("  ram: 0x%llx size 0x%llx\n", (unsigned long long)info->ram_base,
            (unsigned long long)info->ram_size);
    kprintf("  image: %p..%p\n", (void *)__image_start, (void *)__image_end);
    if (info->smmu_present) {
        kprintf("  smmu: 0x%llx size 0x%llx phandle 0x%x%s\n", (unsigned long long)info->smmu_base,
                (unsigned long long)info->smmu_size, info->smmu_phandle,
                info->smmu_coherent ? " dma-coherent" : "");
        for (unsigned i = 0; i < SMMU_IRQ_COUNT; i++) {
            const struct plat_irq *q = &info->smmu_irq[i];
            if (q->present)
                kprintf("    irq %-9s: %s %u intid %u flags 0x%x\n", smmu_irq_names[i],
                        q->type == GIC_TYPE_SPI ? "SPI" : "PPI", q->num, q->intid, q->flags);
            else
                kprintf("    irq %-9s: none\n", smmu_irq_names[i]);
        }
    } else {
        kprintf("  smmu: none\n");
    }
    if (info->pcie_present) {
        kprintf("  pcie ecam: 0x%llx size 0x%llx buses %u..%u\n", (unsigned long long)info->ecam_base,
                (unsigned long long)info->ecam_size, info->bus_start, info->bus_end);
        print_window("mmio32", &info->mmio32);
        print_window("mmio64", &info->mmio64);
        for (uint32_t i = 0; i < info->n_iommu_map; i++) {
            const struct iommu_map_entry *m = &info->iommu_map[i];
            kprintf("  iommu-map: rid 0x%x -> phandle 0x%x sid 0x%x length 0x%x\n", m->rid_base,
                    m->iommu_phandle, m->sid_base, m->length);
        }
    } else {
        kprintf("  pcie: none\n");
    }
    kprintf("  bootargs: \"%s\"\n", info->bootargs);
}
