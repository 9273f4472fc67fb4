/* edu driver. Register map from QEMU docs/specs/edu.rst; behaviour confirmed against
 * hw/misc/edu.c (QEMU 10.0): registers below 0x80 accept only 32-bit accesses, the DMA
 * registers 32- or 64-bit; DMA register writes are ignored while a transfer runs. A DMA
 * whose device-side range leaves the 4 KiB buffer is dropped with only a guest-error log
 * line and still reports completion (seen on QEMU 10.0.2), so ranges are checked here. */
#include "edu.h"

#include "../../lib/bits.h"
#include "../plat.h"

#define EDU_REG_ID 0x00u        /* RO: 0xRRrr00ed, RR.rr = major.minor */
#define EDU_REG_LIVENESS 0x04u  /* RW: reads back the bitwise inverse of the last write */
#define EDU_REG_FACTORIAL 0x08u /* RW: write n, read n! once STATUS.COMPUTING clears */
#define EDU_REG_STATUS 0x20u
#define EDU_REG_DMA_SRC 0x80u   /* 64-bit */
#define EDU_REG_DMA_DST 0x88u   /* 64-bit */
#define EDU_REG_DMA_COUNT 0x90u /* 64-bit */
#define EDU_REG_DMA_CMD 0x98u   /* 64-bit */

#define EDU_ID_MAGIC GENMASK(15, 0)
#define EDU_ID_MAGIC_VALUE 0x00edu
#define EDU_ID_VERSION GENMASK(31, 16)

#define EDU_STATUS_COMPUTING BIT(0)

#define EDU_DMA_CMD_START BIT(0)   /* set to start; the device clears it when done */
#define EDU_DMA_CMD_TO_RAM BIT(1)  /* direction: 0 = RAM -> edu, 1 = edu -> RAM */
#define EDU_DMA_CMD_IRQ BIT(2)     /* raise interrupt 0x100 when done (unused: we poll) */

#define EDU_LIVENESS_PATTERN 0x5a5aa5c3u
#define EDU_FACTORIAL_TIMEOUT_US 1000000u
#define EDU_BAR0_MIN_SIZE 0x100u

static uint32_t rd32(const struct edu *edu, uint32_t off) { return plat_mmio_read32(edu->regs + off); }
static void wr32(const struct edu *edu, uint32_t off, uint32_t v) { plat_mmio_write32(edu->regs + off, v); }
static uint64_t rd64(const struct edu *edu, uint32_t off) { return plat_mmio_read64(edu->regs + off); }
static void wr64(const struct edu *edu, uint32_t off, uint64_t v) { plat_mmio_write64(edu->regs + off, v); }

err_t edu_init(struct edu *edu, const struct pcie_func *fn)
{
    if (!edu || !fn || fn->vendor != EDU_VENDOR_ID || fn->device != EDU_DEVICE_ID)
        return ERR_INVALID;
    if (!fn->bar[0].present || fn->bar[0].is64 || fn->bar[0].size < EDU_BAR0_MIN_SIZE)
        return ERR_STATE; /* BAR0 was not assigned by pcie_enumerate */
    edu->fn = fn;
    edu->regs = (uintptr_t)fn->bar[0].cpu_addr;
    edu->sid = fn->sid;
    uint32_t id = rd32(edu, EDU_REG_ID);
    if (FIELD_GET(EDU_ID_MAGIC, id) != EDU_ID_MAGIC_VALUE)
        return ERR_UNSUPPORTED;
    edu->version = (uint32_t)FIELD_GET(EDU_ID_VERSION, id);
    wr32(edu, EDU_REG_LIVENESS, EDU_LIVENESS_PATTERN);
    if (rd32(edu, EDU_REG_LIVENESS) != ~EDU_LIVENESS_PATTERN)
        return ERR_STATE;
    /* A transfer left running (not after a reset) would swallow our register writes. */
    if (rd64(edu, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START)
        return ERR_STATE;
    return ERR_NONE;
}

static err_t wait_dma_done(const struct edu *edu)
{
    uint64_t deadline = plat_now_us() + EDU_DMA_TIMEOUT_US;
    for (;;) {
        if (!(rd64(edu, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START))
            return ERR_NONE;
        if (plat_now_us() > deadline)
            return ERR_TIMEOUT;
    }
}

static err_t dma(struct edu *edu, uint64_t src, uint64_t dst, uint32_t count, uint64_t cmd)
{
    wr64(edu, EDU_REG_DMA_SRC, src);
    wr64(edu, EDU_REG_DMA_DST, dst);
    wr64(edu, EDU_REG_DMA_COUNT, count);
    /* CPU stores to the RAM side must be visible to the device before it starts. */
    plat_dsb_sy();
    wr64(edu, EDU_REG_DMA_CMD, cmd | EDU_DMA_CMD_START);
    err_t e = wait_dma_done(edu);
    /* Reads of the RAM side after this see what the device wrote. */
    plat_dsb_sy();
    return e;
}

static err_t check_args(const struct edu *edu, uint32_t dev_off, uint32_t count)
{
    if (!edu || edu->regs == 0)
        return ERR_INVALID;
    if (count == 0 || count > EDU_DMA_BUF_SIZE || dev_off > EDU_DMA_BUF_SIZE - count)
        return ERR_RANGE;
    if (rd64(edu, EDU_REG_DMA_CMD) & EDU_DMA_CMD_START)
        return ERR_STATE; /* a previous transfer is still running */
    return ERR_NONE;
}

err_t edu_dma_to_device_at(struct edu *edu, uint64_t bus_addr, uint32_t dev_off, uint32_t count)
{
    err_t e = check_args(edu, dev_off, count);
    if (e != ERR_NONE)
        return e;
    return dma(edu, bus_addr, EDU_DMA_BUF_ADDR + dev_off, count, 0);
}

err_t edu_dma_from_device_at(struct edu *edu, uint64_t bus_addr, uint32_t dev_off, uint32_t count)
{
    err_t e = check_args(edu, dev_off, count);
    if (e != ERR_NONE)
        return e;
    return dma(edu, EDU_DMA_BUF_ADDR + dev_off, bus_addr, count, EDU_DMA_CMD_TO_RAM);
}

err_t edu_dma_to_device(struct edu *edu, uint64_t bus_addr, uint32_t count)
{
    return edu_dma_to_device_at(edu, bus_addr, 0, count);
}

err_t edu_dma_from_device(struct edu *edu, uint64_t bus_addr, uint32_t count)
{
    return edu_dma_from_device_at(edu, bus_addr, 0, count);
}

err_t edu_factorial(struct edu *edu, uint32_t n, uint32_t *result)
{
    if (!edu || edu->regs == 0 || !result)
        return ERR_INVALID;
    wr32(edu, EDU_REG_FACTORIAL, n);
    uint64_t deadline = plat_now_us() + EDU_FACTORIAL_TIMEOUT_US;
    while (rd32(edu, EDU_REG_STATUS) & EDU_STATUS_COMPUTING) {
        if (plat_now_us() > deadline)
            return ERR_TIMEOUT;
    }
    *result = rd32(edu, EDU_REG_FACTORIAL);
    return ERR_NONE;
}
