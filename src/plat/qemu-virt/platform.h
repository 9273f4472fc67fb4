/* What the QEMU virt image learns from the device tree at boot. The DTB is the only
 * source of addresses (besides the early console, see uart.h). */
#ifndef PLAT_QEMU_PLATFORM_H
#define PLAT_QEMU_PLATFORM_H

#include "../../lib/err.h"
#include "../../lib/types.h"

/* Where QEMU puts the DTB for an ELF image linked at or above RAM + 1 MiB
 * (hw/arm/boot.c: dtb_start = loader_start, limited by the image's lowest address). */
#define QEMU_VIRT_DTB_ADDR 0x40000000u
/* Largest DTB accepted when it does not sit below the image (Linux's MAX_FDT_SIZE). */
#define PLAT_DTB_MAX_SIZE (2u * 1024u * 1024u)

/* The SMMUv3 wired interrupts, in the order of the binding's interrupt-names
 * (Documentation/devicetree/bindings/iommu/arm,smmu-v3.yaml). */
enum smmu_irq_index {
    SMMU_IRQ_EVENTQ,
    SMMU_IRQ_PRIQ,
    SMMU_IRQ_CMDQ_SYNC,
    SMMU_IRQ_GERROR,
    SMMU_IRQ_COUNT
};

struct plat_irq {
    bool present;
    uint32_t type;  /* GIC specifier cell 0: 0 = SPI, 1 = PPI */
    uint32_t num;   /* cell 1: SPI/PPI number */
    uint32_t flags; /* cell 2: trigger (1 = edge rising, 4 = level high) */
    uint32_t intid; /* GIC INTID: SPI + 32, PPI + 16 */
};

/* One PCI host bridge window from "ranges" (PCI bus binding, IEEE 1275 PCI 2.2.1.1). */
struct pci_window {
    bool present;
    bool prefetchable;
    uint64_t pci_addr; /* address on the PCI bus (what a BAR holds) */
    paddr_t cpu_addr;  /* where the CPU reaches it */
    uint64_t size;
};

/* One "iommu-map" entry (Documentation/devicetree/bindings/pci/pci-iommu.txt):
 * RIDs [rid_base, rid_base + length) map to StreamIDs from sid_base on `iommu_phandle`. */
struct iommu_map_entry {
    uint32_t rid_base;
    uint32_t iommu_phandle;
    uint32_t sid_base;
    uint32_t length;
};

#define PLAT_MAX_IOMMU_MAP 8
#define PLAT_BOOTARGS_MAX 256

struct platform_info {
    const void *dtb;
    uint32_t dtb_size;

    paddr_t uart_base;

    bool smmu_present;
    paddr_t smmu_base;
    uint64_t smmu_size;
    uint32_t smmu_phandle;
    bool smmu_coherent; /* "dma-coherent" */
    struct plat_irq smmu_irq[SMMU_IRQ_COUNT];

    paddr_t ram_base;
    uint64_t ram_size;

    bool pcie_present;
    paddr_t ecam_base;
    uint64_t ecam_size;
    uint32_t bus_start, bus_end;
    struct pci_window mmio32; /* 32-bit memory space window */
    struct pci_window mmio64; /* 64-bit memory space window */
    uint32_t iommu_map_mask;  /* "iommu-map-mask", all ones when absent */
    uint32_t n_iommu_map;
    struct iommu_map_entry iommu_map[PLAT_MAX_IOMMU_MAP];

    char bootargs[PLAT_BOOTARGS_MAX]; /* "" when absent */
};

extern const char *const smmu_irq_names[SMMU_IRQ_COUNT];

/* Validate and read the DTB at `dtb` (NULL: QEMU's fixed place, QEMU_VIRT_DTB_ADDR).
 * Required: /memory, a PL011. Optional (flagged): the SMMU and the PCIe host. Any
 * malformed input returns an error; nothing is read outside the blob. */
err_t platform_probe(const void *dtb, struct platform_info *info);

/* The same for a blob of which at most `max_size` bytes may be read (host tests, fuzzing). */
err_t platform_parse(const void *dtb, size_t max_size, struct platform_info *info);

/* The largest page-aligned free RAM region after the image: excludes the DTB and the
 * image (from the linker symbols __image_start/__image_end, stack included). */
err_t platform_free_ram(const struct platform_info *info, paddr_t *base, uint64_t *size);

/* Print what platform_probe found. */
void platform_print(const struct platform_info *info);

/* StreamID of PCI requester `rid` on the SMMU found (info->smmu_phandle), from the PCIe
 * host's iommu-map after applying iommu-map-mask. ERR_NOT_FOUND: not translated. */
err_t platform_rid_to_sid(const struct platform_info *info, uint32_t rid, uint32_t *sid);

#endif
