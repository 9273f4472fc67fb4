/* QEMU virt platform seam (src/plat/plat.h) for the bare-metal AArch64 image at EL2.
 * The EL2 MMU stays off, so every address is physical and every data access is to
 * Device-nGnRnE memory (ARM DDI 0487, D8.2.10 "Behavior when stage 1 address translation
 * is disabled"): addresses are identity mapped and accesses must be naturally aligned. */
#include "../plat.h"

/* MMIO through single load/store instructions with a plain base register: no writeback
 * addressing forms, so a hypervisor could emulate the access from the syndrome. */
uint32_t plat_mmio_read32(uintptr_t addr)
{
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

void plat_mmio_write32(uintptr_t addr, uint32_t val)
{
    __asm__ volatile("str %w0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

uint64_t plat_mmio_read64(uintptr_t addr)
{
    uint64_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

void plat_mmio_write64(uintptr_t addr, uint64_t val)
{
    __asm__ volatile("str %x0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

void plat_dsb_ishst(void) { __asm__ volatile("dsb ishst" : : : "memory"); }
void plat_dsb_sy(void) { __asm__ volatile("dsb sy" : : : "memory"); }
void plat_dmb_ish(void) { __asm__ volatile("dmb ish" : : : "memory"); }

/* Smallest data cache line, from CTR_EL0.DminLine (log2 of words), DDI 0487 D23.2. */
static uintptr_t dcache_line_size(void)
{
    uint64_t ctr;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    return (uintptr_t)4u << ((ctr >> 16) & 0xfu);
}

void plat_clean_to_poc(const void *va, size_t len)
{
    if (len == 0)
        return;
    uintptr_t line = dcache_line_size();
    uintptr_t p = (uintptr_t)va & ~(line - 1);
    uintptr_t end = (uintptr_t)va + len;
    /* Bounded: p advances by one line per iteration up to end. */
    for (; p < end; p += line)
        __asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
    __asm__ volatile("dsb sy" : : : "memory");
}

/* Generic timer: CNTPCT_EL0 counts at CNTFRQ_EL0 Hz (DDI 0487 D12.1). The isb keeps the
 * counter read from being hoisted above earlier instructions. */
uint64_t plat_now_us(void)
{
    uint64_t cnt, frq;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(cnt) : : "memory");
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    if (frq == 0)
        frq = 62500000u; /* unset by firmware: assume QEMU's historical 62.5 MHz so time
                          * still advances and every poll deadline still expires */
    /* Split to avoid 64-bit overflow of cnt * 1e6 (and any 128-bit libgcc helper). */
    return (cnt / frq) * 1000000u + ((cnt % frq) * 1000000u) / frq;
}

void *plat_phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)pa; }
paddr_t plat_virt_to_phys(const void *va) { return (paddr_t)(uintptr_t)va; }
