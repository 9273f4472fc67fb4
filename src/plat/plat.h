/* The platform seam, resolved at link time (no function pointers): the same core sources
 * link against src/plat/qemu-virt/ in the AArch64 image and src/plat/host/ in host
 * tests, where MMIO reaches a software stand-in of the SMMU. */
#ifndef PLAT_PLAT_H
#define PLAT_PLAT_H

#include "../lib/types.h"

/* Device register access (SMMU MMIO). 64-bit accesses only where the spec allows. */
uint32_t plat_mmio_read32(uintptr_t addr);
void plat_mmio_write32(uintptr_t addr, uint32_t val);
uint64_t plat_mmio_read64(uintptr_t addr);
void plat_mmio_write64(uintptr_t addr, uint64_t val);

/* Barriers. dsb_ishst: earlier normal-memory stores (tables, queue entries) are visible
 * to the SMMU before a later MMIO write announces them. dsb_sy: full completion.
 * dmb_ish: ordering of normal-memory accesses between CPU observers. */
void plat_dsb_ishst(void);
void plat_dsb_sy(void);
void plat_dmb_ish(void);

/* Make CPU writes to [va, va+len) visible to a non-coherent device (clean to PoC).
 * A no-op when the SMMU is cache coherent (IDR0.COHACC), as on QEMU. */
void plat_clean_to_poc(const void *va, size_t len);

/* Microseconds since some fixed point; used only for poll deadlines. */
uint64_t plat_now_us(void);

/* Memory shared with the SMMU is identity mapped on every platform we support; these
 * keep the conversion explicit at each place where an address is handed over. */
void *plat_phys_to_virt(paddr_t pa);
paddr_t plat_virt_to_phys(const void *va);

#endif
