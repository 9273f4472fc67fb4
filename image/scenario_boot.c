/* Boot-time scenarios that need no SMMU programming. */
#include "image.h"

#include "lib/bits.h"
#include "plat/plat.h"
#include "plat/qemu-virt/uart.h"

static uint8_t pattern_byte(unsigned dev, uint32_t i)
{
    return (uint8_t)(i * 13u + 0x5bu + dev * 0x21u + (i >> 8));
}

/* First differing byte, or -1. */
static int32_t first_mismatch(const volatile uint8_t *a, const volatile uint8_t *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return (int32_t)i;
    return -1;
}

/* The SMMU is never touched: after reset SMMU_CR0.SMMUEN = 0 and SMMU_GBPA = 0x1000
 * (ABORT = 0), so device transactions bypass it (SMMUv3 spec 6.3.14; QEMU smmuv3.c
 * reset). Each edu copies a page RAM -> device buffer -> another RAM page. */
bool scenario_boot_bypass(struct image_ctx *ctx)
{
    if (ctx->n_edu == 0) {
        kprintf("  no edu device initialised\n");
        return false;
    }
    bool ok = true;
    for (unsigned d = 0; d < ctx->n_edu; d++) {
        struct edu *edu = &ctx->edu[d];
        if (image_edu_is_legacy(edu)) {
            kprintf("  edu%u (sid 0x%x): skipped, its 28-bit DMA mask cannot reach RAM (see vm-legacy-dma)\n", d,
                    edu->sid);
            continue;
        }
        paddr_t src_pa, dst_pa;
        err_t e = pool_alloc(&ctx->pool, 1, &src_pa);
        if (e == ERR_NONE)
            e = pool_alloc(&ctx->pool, 1, &dst_pa);
        if (e != ERR_NONE) {
            kprintf("  edu%u: pool_alloc: %s\n", d, err_name(e));
            return false;
        }
        volatile uint8_t *src = plat_phys_to_virt(src_pa);
        volatile uint8_t *dst = plat_phys_to_virt(dst_pa);
        for (uint32_t i = 0; i < EDU_DMA_BUF_SIZE; i++) {
            src[i] = pattern_byte(d, i);
            dst[i] = 0xee;
        }
        plat_clean_to_poc((const void *)src, EDU_DMA_BUF_SIZE);
        plat_clean_to_poc((const void *)dst, EDU_DMA_BUF_SIZE);

        /* Bypass: the bus address is the physical address. */
        uint64_t t0 = plat_now_us();
        e = edu_dma_to_device(edu, src_pa, EDU_DMA_BUF_SIZE);
        uint64_t t1 = plat_now_us();
        if (e == ERR_NONE)
            e = edu_dma_from_device(edu, dst_pa, EDU_DMA_BUF_SIZE);
        uint64_t t2 = plat_now_us();
        if (e != ERR_NONE) {
            kprintf("  edu%u: dma: %s\n", d, err_name(e));
            ok = false;
        } else {
            int32_t bad = first_mismatch(src, dst, EDU_DMA_BUF_SIZE);
            kprintf("  edu%u (sid 0x%x): 0x%llx -> dev -> 0x%llx, %u bytes, %llu + %llu us: %s\n", d,
                    edu->sid, (unsigned long long)src_pa, (unsigned long long)dst_pa,
                    EDU_DMA_BUF_SIZE, (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1),
                    bad < 0 ? "bytes match" : "MISMATCH");
            if (bad >= 0) {
                kprintf("    first difference at %d: wrote 0x%02x read 0x%02x\n", bad,
                        src[bad], dst[bad]);
                ok = false;
            }
        }
        pool_free(&ctx->pool, dst_pa, 1);
        pool_free(&ctx->pool, src_pa, 1);
    }
    return ok;
}
