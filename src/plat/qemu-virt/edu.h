/* QEMU's educational PCI device "edu" (QEMU docs/specs/edu.rst, hw/misc/edu.c): an
 * ID/liveness register pair and a 4 KiB buffer that it fills or drains by bus-master DMA,
 * which on virt,iommu=smmuv3 goes through the SMMU. */
#ifndef PLAT_QEMU_EDU_H
#define PLAT_QEMU_EDU_H

#include "../../lib/err.h"
#include "../../lib/types.h"
#include "pcie.h"

#define EDU_VENDOR_ID 0x1234u
#define EDU_DEVICE_ID 0x11e8u

/* The device-side buffer: EDU_DMA_BUF_SIZE bytes at device address EDU_DMA_BUF_ADDR. */
#define EDU_DMA_BUF_ADDR 0x40000u
#define EDU_DMA_BUF_SIZE 4096u

/* A transfer takes 100 ms of virtual time (edu.c: dma_timer); allow ample margin. */
#define EDU_DMA_TIMEOUT_US 2000000u

struct edu {
    const struct pcie_func *fn;
    uintptr_t regs; /* BAR0, CPU address */
    uint32_t sid;   /* StreamID of its DMA (valid if fn->has_sid) */
    uint32_t version; /* ID register [31:16] major.minor, as the device reports it */
};

/* Check the ID register (0x..0000ed: 0x00ed in [7:0]) and liveness (reads ~written). */
err_t edu_init(struct edu *edu, const struct pcie_func *fn);

/* `count` (1..4096) bytes from bus address `bus_addr` into the buffer at
 * EDU_DMA_BUF_ADDR + dev_off; waits for completion with a deadline. */
err_t edu_dma_to_device_at(struct edu *edu, uint64_t bus_addr, uint32_t dev_off, uint32_t count);
/* `count` bytes from the buffer at EDU_DMA_BUF_ADDR + dev_off to bus address `bus_addr`. */
err_t edu_dma_from_device_at(struct edu *edu, uint64_t bus_addr, uint32_t dev_off, uint32_t count);

/* The same at the start of the device buffer. */
err_t edu_dma_to_device(struct edu *edu, uint64_t bus_addr, uint32_t count);
err_t edu_dma_from_device(struct edu *edu, uint64_t bus_addr, uint32_t count);

/* Factorial unit (edu.rst 0x08): a second liveness check that exercises the worker. */
err_t edu_factorial(struct edu *edu, uint32_t n, uint32_t *result);

#endif
