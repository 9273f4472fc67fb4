/* Stream-table memory for an SMMU with 32-bit StreamIDs: bytes per populated StreamID
 * with the driver's 2-level table (level 1 fixed, one level-2 array per group of 2^split
 * StreamIDs in use, allocated on first use), against a linear table (2^32 STEs of 64 B =
 * 256 GiB), and with the table sized to the StreamID bits the device tree needs (dt2smmu's
 * sid_bits). Counts the pool pages strtab_locate() really allocates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pool.h"
#include "smmuv3/ste.h"
#include "smmuv3/strtab.h"

#define POOL_PAGES (16384u + 64u) /* 1024 level-2 arrays of 64 KiB, and some */

static uint8_t *pool_mem;
static uint64_t pool_bitmap[POOL_BITMAP_WORDS(POOL_PAGES)];

struct figure {
    uint64_t l1, l2, sids, arrays;
};

/* Populate `n` StreamIDs, `stride` apart from `first`, in a fresh table of `bits`. */
static int measure(unsigned bits, uint32_t first, uint64_t stride, uint64_t n, struct figure *out)
{
    struct strtab_layout layout;
    if (strtab_choose_layout(bits, true, STRTAB_2LVL, &layout) != ERR_NONE)
        return -1;
    size_t l1_bytes = layout.bytes < 64 ? 64 : (size_t)layout.bytes;
    void *l1 = aligned_alloc(l1_bytes, l1_bytes);
    if (!l1)
        return -1;
    struct page_pool pool;
    memset(pool_bitmap, 0, sizeof(pool_bitmap));
    pool_init(&pool, (paddr_t)(uintptr_t)pool_mem, POOL_PAGES, pool_bitmap);
    struct smmu_strtab st;
    if (strtab_init(&st, &layout, l1, l1_bytes, &pool) != ERR_NONE) {
        free(l1);
        return -1;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct ste *e;
        if (strtab_locate(&st, (uint32_t)(first + i * stride), true, &e, NULL) != ERR_NONE) {
            fprintf(stderr, "bench_strtab: strtab_locate failed at SID %llu\n", (unsigned long long)(first + i * stride));
            free(l1);
            return -1;
        }
    }
    out->l1 = layout.bytes;
    out->l2 = (uint64_t)(POOL_PAGES - pool.nfree) * 4096;
    out->sids = n;
    out->arrays = st.l2_tables;
    strtab_destroy(&st);
    free(l1);
    return 0;
}

static void human(uint64_t b, char *buf, size_t n)
{
    if (b >= (1ull << 30) && b % (1ull << 30) == 0)
        snprintf(buf, n, "%llu GiB", (unsigned long long)(b >> 30));
    else if (b >= (1ull << 20) && b % (1ull << 20) == 0)
        snprintf(buf, n, "%llu MiB", (unsigned long long)(b >> 20));
    else if (b >= 1024 && b % 1024 == 0)
        snprintf(buf, n, "%llu KiB", (unsigned long long)(b >> 10));
    else
        snprintf(buf, n, "%llu B", (unsigned long long)b);
}

static int row(const char *label, unsigned bits, uint32_t first, uint64_t stride, uint64_t n)
{
    struct figure f;
    if (measure(bits, first, stride, n, &f) != 0)
        return -1;
    char l1[32], l2[32], total[32];
    human(f.l1, l1, sizeof(l1));
    human(f.l2, l2, sizeof(l2));
    human(f.l1 + f.l2, total, sizeof(total));
    printf("  %-34s %2u %7llu %6llu  %9s %9s %9s  %12.0f\n", label, bits, (unsigned long long)f.sids,
           (unsigned long long)f.arrays, l1, l2, total, (double)(f.l1 + f.l2) / (double)f.sids);
    return 0;
}

int main(void)
{
    pool_mem = aligned_alloc(1u << 16, (size_t)POOL_PAGES * 4096);
    if (!pool_mem)
        return 1;
    struct strtab_layout wide, lin;
    strtab_choose_layout(32, true, -1, &wide);
    strtab_choose_layout(32, false, STRTAB_LINEAR, &lin);
    char lb[32];
    human(lin.bytes, lb, sizeof(lb));
    printf("== stream table memory, 32-bit StreamIDs (2-level: split %u, level 1 %llu entries, "
           "level-2 array %llu B per %u SIDs)\n",
           wide.split, (unsigned long long)wide.l1_entries, (unsigned long long)wide.l2_bytes, 1u << wide.split);
    printf("  linear table for 32-bit StreamIDs: %s (%llu B), whatever is in use\n", lb, (unsigned long long)lin.bytes);
    printf("  %-34s %2s %7s %6s  %9s %9s %9s  %12s\n", "populated StreamIDs", "bits", "SIDs", "arrays", "level 1",
           "level 2", "total", "B per SID");
    int e = 0;
    e |= row("one", 32, 0xdead0000u, 1, 1);
    e |= row("16, each in its own group", 32, 0x10000000u, 1u << 20, 16);
    e |= row("256, each in its own group", 32, 0x10000000u, 1u << 20, 256);
    e |= row("1024, each in its own group", 32, 0, 1u << 22, 1024);
    e |= row("1024 consecutive (one group)", 32, 0x40000000u, 1, 1024);
    e |= row("65536 consecutive (a PCIe segment)", 32, 0x40000000u, 1, 65536);
    /* dt2smmu reports the StreamID bits the device tree's masters need; a table sized to
     * them (smmu_config.sid_bits) keeps level 1 small. */
    e |= row("one, table sized to 20 bits", 20, 0xd0000u, 1, 1);
    e |= row("16 in own groups, table of 20 bits", 20, 0, 1u << 16, 16);
    e |= row("one, table sized to 16 bits", 16, 0x10, 1, 1);
    free(pool_mem);
    return e ? 1 : 0;
}
