/* Page-table benchmark: one operation per run, chosen by argv[1], so that bench/run.sh
 * can count the instructions of pt_map / pt_unmap alone under callgrind
 * (--toggle-collect=<fn>). Setup work that calls the same function runs before
 * CALLGRIND_ZERO_STATS, so only the measured calls are counted. Natively (no valgrind)
 * the client requests are no-ops and the program prints wall-clock ns per operation.
 *
 * Output, one line, parsed by run.sh:  op=<name> fn=<function> ops=<N> ns_per_op=<x>
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_ZERO_STATS
#define CALLGRIND_ZERO_STATS
#endif

#include "pgtable/pgtable.h"

#define NPAGES 4096u /* 16 MiB of table memory */
static unsigned char pool_mem[NPAGES * 4096u] __attribute__((aligned(4096)));
static uint64_t bitmap[POOL_BITMAP_WORDS(NPAGES)];
static struct page_pool pool;
static struct pt pt;

static const struct pt_attrs RW = { PT_PERM_R | PT_PERM_W, PT_MEM_NORMAL_WB };
#define BASE_IA 0x4000000000ULL /* 256 GiB: a typical device window */
#define BASE_PA 0x80000000ULL

static void die(const char *what, err_t e)
{
    fprintf(stderr, "bench_pgtable: %s: %s\n", what, err_name(e));
    exit(1);
}

static void setup(unsigned ia_bits)
{
    struct pt_format fmt;
    err_t e;
    if ((e = pool_init(&pool, (paddr_t)(uintptr_t)pool_mem, NPAGES, bitmap)) != ERR_NONE)
        die("pool_init", e);
    if ((e = pt_format_init(&fmt, PT_STAGE2, ia_bits, 48)) != ERR_NONE)
        die("pt_format_init", e);
    if ((e = pt_init(&pt, &fmt, &pool)) != ERR_NONE)
        die("pt_init", e);
}

static void map_pages(uint64_t ia, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        err_t e = pt_map(&pt, ia + i * PAGE_SIZE, BASE_PA + i * PAGE_SIZE, PAGE_SIZE, RW);
        if (e != ERR_NONE)
            die("pt_map", e);
    }
}

static void unmap_pages(uint64_t ia, unsigned n)
{
    struct pt_inval inv;
    for (unsigned i = 0; i < n; i++) {
        err_t e = pt_unmap(&pt, ia + i * PAGE_SIZE, PAGE_SIZE, &inv);
        if (e != ERR_NONE || inv.leaves != 1)
            die("pt_unmap", e);
    }
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *op = argc > 1 ? argv[1] : "";
    unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 4096;
    unsigned ia_bits = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 48;
    const char *fn;
    double t0, t1;
    struct pt_inval inv;

    if (n == 0 || n > 262144) {
        fprintf(stderr, "bench_pgtable: count must be 1..262144\n");
        return 2;
    }
    setup(ia_bits);
    if (strcmp(op, "map4k") == 0) {
        /* 4K maps with every table already present (the common case) */
        fn = "pt_map";
        map_pages(BASE_IA, n);
        unmap_pages(BASE_IA, n);
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        map_pages(BASE_IA, n);
        t1 = now_ns();
    } else if (strcmp(op, "map4k-cold") == 0) {
        /* 4K maps into an empty tree: tables allocated on demand (1 per 512 pages) */
        fn = "pt_map";
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        map_pages(BASE_IA, n);
        t1 = now_ns();
    } else if (strcmp(op, "unmap4k") == 0) {
        /* one pt_unmap per 4K page */
        fn = "pt_unmap";
        map_pages(BASE_IA, n);
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        unmap_pages(BASE_IA, n);
        t1 = now_ns();
    } else if (strcmp(op, "unmap-range") == 0) {
        /* one pt_unmap over n contiguous pages; reported per page */
        fn = "pt_unmap";
        map_pages(BASE_IA, n);
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        if (pt_unmap(&pt, BASE_IA, (uint64_t)n * PAGE_SIZE, &inv) != ERR_NONE || inv.leaves != n)
            die("pt_unmap range", ERR_INVALID);
        t1 = now_ns();
    } else if (strcmp(op, "unmap-sparse") == 0) {
        /* one pt_unmap of 1 GiB (262144 pages) holding 8 pages; reported per call */
        fn = "pt_unmap";
        for (unsigned i = 0; i < 8; i++)
            map_pages(BASE_IA + i * 64 * SIZE_2M + i * PAGE_SIZE, 1);
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        if (pt_unmap(&pt, BASE_IA, SIZE_1G, &inv) != ERR_NONE || inv.leaves != 8)
            die("pt_unmap sparse", ERR_INVALID);
        t1 = now_ns();
        n = 1;
    } else {
        fprintf(stderr,
                "usage: bench_pgtable map4k|map4k-cold|unmap4k|unmap-range|unmap-sparse "
                "[count=4096] [ia_bits=48]\n");
        return 2;
    }
    printf("op=%s fn=%s ops=%u ns_per_op=%.1f tables=%u\n", op, fn, n, (t1 - t0) / n,
           (unsigned)pt.tables);
    pt_destroy(&pt);
    return 0;
}
