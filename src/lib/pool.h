/* A pool of 4 KiB pages carved from one caller-given region: the only source of memory
 * for page tables and 2-level stream-table L2 arrays (no malloc anywhere). Allocations
 * are power-of-two page counts, naturally aligned, and zeroed. */
#ifndef LIB_POOL_H
#define LIB_POOL_H

#include "err.h"
#include "types.h"

struct page_pool {
    paddr_t base;       /* physical address of page 0, page aligned */
    uint32_t npages;    /* pages managed */
    uint32_t nfree;     /* pages currently free */
    uint64_t *used;     /* bitmap, one bit per page, caller-provided */
};

/* Words of bitmap needed for `npages` pages. */
#define POOL_BITMAP_WORDS(npages) (((npages) + 63u) / 64u)

/* Manage [base, base + npages * 4K). `bitmap` has POOL_BITMAP_WORDS(npages) words. */
err_t pool_init(struct page_pool *pool, paddr_t base, uint32_t npages, uint64_t *bitmap);

/* Allocate `npages` (a power of two) contiguous pages aligned to npages * 4K; zeroed. */
err_t pool_alloc(struct page_pool *pool, uint32_t npages, paddr_t *out);

/* Return pages obtained from pool_alloc with the same count. */
void pool_free(struct page_pool *pool, paddr_t pa, uint32_t npages);

#endif
