#include "pool.h"

#include "../plat/plat.h"
#include "bits.h"
#include "string.h"

err_t pool_init(struct page_pool *pool, paddr_t base, uint32_t npages, uint64_t *bitmap)
{
    if (!pool || !bitmap || npages == 0)
        return ERR_INVALID;
    if (!IS_ALIGNED(base, PAGE_SIZE))
        return ERR_ALIGN;
    pool->base = base;
    pool->npages = npages;
    pool->nfree = npages;
    pool->used = bitmap;
    kmemset(bitmap, 0, POOL_BITMAP_WORDS(npages) * sizeof(uint64_t));
    return ERR_NONE;
}

static bool page_used(const struct page_pool *pool, uint32_t i)
{
    return (pool->used[i / 64] >> (i % 64)) & 1;
}

static void mark(struct page_pool *pool, uint32_t first, uint32_t n, bool used)
{
    for (uint32_t i = first; i < first + n; i++) {
        if (used)
            pool->used[i / 64] |= BIT(i % 64);
        else
            pool->used[i / 64] &= ~BIT(i % 64);
    }
}

err_t pool_alloc(struct page_pool *pool, uint32_t npages, paddr_t *out)
{
    if (!pool || !out || npages == 0 || (npages & (npages - 1)) != 0)
        return ERR_INVALID;
    if (npages > pool->nfree)
        return ERR_NO_MEMORY;
    /* First fit over naturally aligned candidates: bounded by npages total probes. */
    uint64_t align_pages = npages;
    uint64_t first = (ALIGN_UP(pool->base, align_pages * PAGE_SIZE) - pool->base) / PAGE_SIZE;
    for (uint64_t start = first; start + npages <= pool->npages;) {
        uint32_t i = 0;
        while (i < npages && !page_used(pool, (uint32_t)(start + i)))
            i++;
        if (i == npages) {
            mark(pool, (uint32_t)start, npages, true);
            pool->nfree -= npages;
            *out = pool->base + start * PAGE_SIZE;
            kmemset(plat_phys_to_virt(*out), 0, (size_t)npages * PAGE_SIZE);
            return ERR_NONE;
        }
        start += align_pages; /* the busy page lies inside this candidate */
    }
    return ERR_NO_MEMORY;
}

void pool_free(struct page_pool *pool, paddr_t pa, uint32_t npages)
{
    if (!pool || pa < pool->base || !IS_ALIGNED(pa - pool->base, PAGE_SIZE))
        return;
    uint64_t first = (pa - pool->base) / PAGE_SIZE;
    if (first + npages > pool->npages)
        return;
    mark(pool, (uint32_t)first, npages, false);
    pool->nfree += npages;
}
