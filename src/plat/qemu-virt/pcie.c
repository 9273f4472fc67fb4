/* ECAM enumeration and BAR assignment. Configuration header layout: PCI Local Bus 3.0,
 * 6.1 (type 0 header) and 6.2.5 (base address registers); ECAM: PCIe Base 7.2.2. */
#include "pcie.h"

#include "../../lib/bits.h"
#include "../plat.h"
#include "uart.h"

/* ECAM offset of a function's 4 KiB configuration space. */
#define ECAM_BUS_SHIFT 20u
#define ECAM_DEV_SHIFT 15u
#define ECAM_FN_SHIFT 12u
#define PCI_CFG_SPACE_SIZE 4096u
#define PCI_DEVS_PER_BUS 32u
#define PCI_FNS_PER_DEV 8u

/* Type 0/1 configuration header registers (dword offsets). */
#define PCI_ID 0x00u          /* device [31:16], vendor [15:0] */
#define PCI_COMMAND 0x04u     /* command [15:0], status [31:16] (RW1C) */
#define PCI_CLASS_REV 0x08u   /* class code [31:8], revision [7:0] */
#define PCI_HDR_DWORD 0x0cu   /* header type [23:16] */
#define PCI_BAR0 0x10u
#define PCI_BUS_NUMBERS 0x18u /* type 1: primary, secondary, subordinate */

#define PCI_ID_VENDOR GENMASK(15, 0)
#define PCI_ID_DEVICE GENMASK(31, 16)
#define PCI_VENDOR_NONE 0xffffu
#define PCI_CLASS_CODE GENMASK(31, 8)
#define PCI_HDR_TYPE GENMASK(22, 16)
#define PCI_HDR_MULTIFN BIT(23)
#define PCI_HDR_TYPE_ENDPOINT 0u
#define PCI_HDR_TYPE_BRIDGE 1u

#define PCI_CMD_IO BIT(0)
#define PCI_CMD_MEMORY BIT(1)
#define PCI_CMD_BUS_MASTER BIT(2)

#define PCI_BAR_IO BIT(0)
#define PCI_BAR_TYPE GENMASK(2, 1)
#define PCI_BAR_TYPE_64 2u
#define PCI_BAR_PREFETCH BIT(3)
#define PCI_BAR_MEM_MASK GENMASK(31, 4)
#define PCI_BAR_IO_MASK GENMASK(31, 2)

uint32_t pcie_cfg_read32(const struct pcie_func *fn, uint32_t off)
{
    if (off >= PCI_CFG_SPACE_SIZE || !IS_ALIGNED(off, 4))
        return UINT32_MAX;
    return plat_mmio_read32(fn->cfg + off);
}

void pcie_cfg_write32(const struct pcie_func *fn, uint32_t off, uint32_t val)
{
    if (off >= PCI_CFG_SPACE_SIZE || !IS_ALIGNED(off, 4))
        return;
    plat_mmio_write32(fn->cfg + off, val);
}

/* Command register write that leaves the RW1C status bits alone (zeros in [31:16]). */
static void write_command(const struct pcie_func *fn, uint16_t cmd)
{
    pcie_cfg_write32(fn, PCI_COMMAND, cmd);
}

static uint16_t read_command(const struct pcie_func *fn)
{
    return (uint16_t)(pcie_cfg_read32(fn, PCI_COMMAND) & 0xffffu);
}

/* Take `size` bytes (a power of two) aligned to `size` from a window. */
static err_t window_alloc(const struct pci_window *w, uint64_t *next, uint64_t size,
                          uint64_t *pci_addr, paddr_t *cpu_addr)
{
    if (!w->present)
        return ERR_NO_MEMORY;
    uint64_t start = *next == 0 ? w->pci_addr : *next;
    uint64_t a = ALIGN_UP(start, size);
    uint64_t end = w->pci_addr + w->size;
    if (a < start || a + size < a || a + size > end)
        return ERR_NO_MEMORY;
    *next = a + size;
    *pci_addr = a;
    *cpu_addr = w->cpu_addr + (a - w->pci_addr);
    return ERR_NONE;
}

/* Size BAR i (and i+1 for a 64-bit BAR) by the write-ones protocol (PCI 3.0 6.2.5.1);
 * memory decoding is off meanwhile. Returns the number of BAR slots used (1 or 2). */
static unsigned size_bar(struct pcie_func *fn, unsigned i, struct pcie_bar *bar)
{
    uint32_t off = PCI_BAR0 + 4u * i;
    uint32_t orig = pcie_cfg_read32(fn, off);
    bar->present = false;
    bar->size = 0;
    if (orig & PCI_BAR_IO) {
        pcie_cfg_write32(fn, off, UINT32_MAX);
        pcie_cfg_write32(fn, off, orig);
        return 1; /* I/O BARs are left unassigned (I/O decoding stays off) */
    }
    bar->is64 = FIELD_GET(PCI_BAR_TYPE, orig) == PCI_BAR_TYPE_64 && i + 1 < PCIE_NUM_BARS;
    bar->prefetchable = (orig & PCI_BAR_PREFETCH) != 0;
    pcie_cfg_write32(fn, off, UINT32_MAX);
    uint64_t mask = pcie_cfg_read32(fn, off) & PCI_BAR_MEM_MASK;
    pcie_cfg_write32(fn, off, orig);
    if (bar->is64) {
        uint32_t orig_hi = pcie_cfg_read32(fn, off + 4);
        pcie_cfg_write32(fn, off + 4, UINT32_MAX);
        mask |= (uint64_t)pcie_cfg_read32(fn, off + 4) << 32;
        pcie_cfg_write32(fn, off + 4, orig_hi);
    } else if (mask != 0) {
        mask |= GENMASK(63, 32); /* a 32-bit BAR decodes no upper bits */
    }
    if (mask != 0)
        bar->size = ~mask + 1; /* lowest writable bit gives the size */
    return bar->is64 ? 2 : 1;
}

static err_t assign_bars(struct pcie_bus *bus, struct pcie_func *fn)
{
    const struct platform_info *p = bus->plat;
    unsigned nbars = fn->header_type == PCI_HDR_TYPE_ENDPOINT ? PCIE_NUM_BARS : 2;
    for (unsigned i = 0; i < nbars;) {
        struct pcie_bar *bar = &fn->bar[i];
        unsigned used = size_bar(fn, i, bar);
        if (bar->size != 0) {
            err_t e;
            if (bar->is64 && p->mmio64.present)
                e = window_alloc(&p->mmio64, &bus->next_mmio64, bar->size, &bar->pci_addr,
                                 &bar->cpu_addr);
            else
                e = window_alloc(&p->mmio32, &bus->next_mmio32, bar->size, &bar->pci_addr,
                                 &bar->cpu_addr);
            if (e == ERR_NONE && !bar->is64 && bar->pci_addr + bar->size > BIT(32))
                e = ERR_NO_MEMORY; /* a 32-bit BAR needs an address below 4 GiB */
            if (e != ERR_NONE)
                return e;
            uint32_t off = PCI_BAR0 + 4u * i;
            uint32_t flags = pcie_cfg_read32(fn, off) & ~(uint32_t)PCI_BAR_MEM_MASK;
            pcie_cfg_write32(fn, off, (uint32_t)(bar->pci_addr & PCI_BAR_MEM_MASK) | flags);
            if (bar->is64)
                pcie_cfg_write32(fn, off + 4, (uint32_t)(bar->pci_addr >> 32));
            bar->present = true;
        }
        i += used;
    }
    return ERR_NONE;
}

static err_t add_function(struct pcie_bus *bus, uint32_t b, uint32_t d, uint32_t f, uint32_t id,
                          uint32_t hdr)
{
    if (bus->nfuncs >= PCIE_MAX_FUNCS)
        return ERR_RANGE;
    struct pcie_func *fn = &bus->funcs[bus->nfuncs++];
    const struct pcie_func blank = { 0 };
    *fn = blank;
    fn->bus = (uint8_t)b;
    fn->dev = (uint8_t)d;
    fn->fn = (uint8_t)f;
    fn->rid = PCI_RID(b, d, f);
    fn->vendor = (uint16_t)FIELD_GET(PCI_ID_VENDOR, id);
    fn->device = (uint16_t)FIELD_GET(PCI_ID_DEVICE, id);
    fn->header_type = (uint8_t)FIELD_GET(PCI_HDR_TYPE, hdr);
    fn->cfg = (uintptr_t)(bus->plat->ecam_base + ((uint64_t)(b - bus->plat->bus_start) << ECAM_BUS_SHIFT) +
                          ((uint64_t)d << ECAM_DEV_SHIFT) + ((uint64_t)f << ECAM_FN_SHIFT));
    fn->class_code = (uint32_t)FIELD_GET(PCI_CLASS_CODE, pcie_cfg_read32(fn, PCI_CLASS_REV));
    fn->has_sid = platform_rid_to_sid(bus->plat, fn->rid, &fn->sid) == ERR_NONE;

    if (fn->header_type != PCI_HDR_TYPE_ENDPOINT && fn->header_type != PCI_HDR_TYPE_BRIDGE)
        return ERR_NONE; /* unknown header layout: list it, do not touch it */
    /* Decoding off while BARs are sized and moved (PCI 3.0 6.2.5.1). */
    uint16_t cmd = read_command(fn);
    write_command(fn, (uint16_t)(cmd & ~(PCI_CMD_MEMORY | PCI_CMD_IO)));
    err_t e = assign_bars(bus, fn);
    if (e != ERR_NONE)
        return e;
    if (fn->header_type == PCI_HDR_TYPE_ENDPOINT)
        write_command(fn, (uint16_t)((cmd & ~PCI_CMD_IO) | PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER));
    return ERR_NONE;
}

err_t pcie_enumerate(const struct platform_info *info, struct pcie_bus *bus)
{
    if (!info || !bus)
        return ERR_INVALID;
    bus->plat = info;
    bus->nfuncs = 0;
    bus->next_mmio32 = 0;
    bus->next_mmio64 = 0;
    if (!info->pcie_present)
        return ERR_UNSUPPORTED;
    uint32_t b = info->bus_start;
    for (uint32_t d = 0; d < PCI_DEVS_PER_BUS; d++) {
        for (uint32_t f = 0; f < PCI_FNS_PER_DEV; f++) {
            uintptr_t cfg = (uintptr_t)(info->ecam_base + ((uint64_t)d << ECAM_DEV_SHIFT) +
                                        ((uint64_t)f << ECAM_FN_SHIFT));
            uint32_t id = plat_mmio_read32(cfg + PCI_ID);
            if (FIELD_GET(PCI_ID_VENDOR, id) == PCI_VENDOR_NONE) {
                if (f == 0)
                    break; /* no device: functions 1..7 cannot exist either */
                continue;
            }
            uint32_t hdr = plat_mmio_read32(cfg + PCI_HDR_DWORD);
            err_t e = add_function(bus, b, d, f, id, hdr);
            if (e != ERR_NONE)
                return e;
            if (f == 0 && !(hdr & PCI_HDR_MULTIFN))
                break;
        }
    }
    return ERR_NONE;
}

const struct pcie_func *pcie_find(const struct pcie_bus *bus, uint16_t vendor, uint16_t device,
                                  uint32_t n)
{
    for (uint32_t i = 0; i < bus->nfuncs; i++) {
        const struct pcie_func *fn = &bus->funcs[i];
        if (fn->vendor == vendor && fn->device == device) {
            if (n == 0)
                return fn;
            n--;
        }
    }
    return NULL;
}

void pcie_print(const struct pcie_bus *bus)
{
    kprintf("pcie: %u function(s) on bus %u\n", bus->nfuncs, bus->plat->bus_start);
    for (uint32_t i = 0; i < bus->nfuncs; i++) {
        const struct pcie_func *fn = &bus->funcs[i];
        kprintf("  %02x:%02x.%x %04x:%04x class %06x hdr %u rid 0x%04x", fn->bus, fn->dev, fn->fn,
                fn->vendor, fn->device, fn->class_code, fn->header_type, fn->rid);
        if (fn->has_sid)
            kprintf(" sid 0x%x\n", fn->sid);
        else
            kprintf(" sid none\n");
        for (unsigned j = 0; j < PCIE_NUM_BARS; j++) {
            const struct pcie_bar *bar = &fn->bar[j];
            if (bar->present)
                kprintf("    bar%u: pci 0x%llx cpu 0x%llx size 0x%llx %s%s\n", j,
                        (unsigned long long)bar->pci_addr, (unsigned long long)bar->cpu_addr,
                        (unsigned long long)bar->size, bar->is64 ? "64-bit" : "32-bit",
                        bar->prefetchable ? " prefetchable" : "");
        }
    }
}
