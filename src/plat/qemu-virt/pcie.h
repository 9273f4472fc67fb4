/* PCIe enumeration through ECAM on the QEMU virt host bridge: bus 0 only (QEMU puts
 * -device endpoints there; bridges are listed, not crossed). */
#ifndef PLAT_QEMU_PCIE_H
#define PLAT_QEMU_PCIE_H

#include "../../lib/err.h"
#include "../../lib/types.h"
#include "platform.h"

#define PCIE_MAX_FUNCS 32
#define PCIE_NUM_BARS 6

/* Requester ID = bus[15:8] device[7:3] function[2:0] (PCIe Base 2.2.6.2). */
#define PCI_RID(bus, dev, fn) ((uint32_t)(((bus) << 8) | ((dev) << 3) | (fn)))

struct pcie_bar {
    bool present;   /* implemented memory BAR that got an address */
    bool is64;
    bool prefetchable;
    uint64_t pci_addr; /* programmed into the BAR */
    paddr_t cpu_addr;  /* where the CPU reaches it */
    uint64_t size;
};

struct pcie_func {
    uint8_t bus, dev, fn;
    uint32_t rid;
    uint16_t vendor, device;
    uint32_t class_code; /* base class [23:16], subclass [15:8], prog-if [7:0] */
    uint8_t header_type; /* without the multi-function bit */
    bool has_sid;        /* iommu-map translated this RID */
    uint32_t sid;
    uintptr_t cfg;       /* ECAM address of the function's configuration space */
    struct pcie_bar bar[PCIE_NUM_BARS];
};

struct pcie_bus {
    const struct platform_info *plat;
    uint64_t next_mmio32; /* next free PCI address in each window */
    uint64_t next_mmio64;
    uint32_t nfuncs;
    struct pcie_func funcs[PCIE_MAX_FUNCS];
};

/* Scan bus `info->bus_start`, size every memory BAR and assign it from the windows
 * (32-bit BARs from the 32-bit window; 64-bit BARs from the 64-bit window, or the 32-bit
 * one when absent), then enable memory space and bus mastering on endpoints that got all
 * their BARs. ERR_NO_MEMORY when a window is exhausted, ERR_RANGE past PCIE_MAX_FUNCS. */
err_t pcie_enumerate(const struct platform_info *info, struct pcie_bus *bus);

/* The n-th function (from 0) with vendor:device, or NULL. */
const struct pcie_func *pcie_find(const struct pcie_bus *bus, uint16_t vendor, uint16_t device,
                                  uint32_t n);

/* Configuration space dword access (aligned offsets < 4096). */
uint32_t pcie_cfg_read32(const struct pcie_func *fn, uint32_t off);
void pcie_cfg_write32(const struct pcie_func *fn, uint32_t off, uint32_t val);

void pcie_print(const struct pcie_bus *bus);

#endif
