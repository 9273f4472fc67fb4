/* Host tests of src/pgtable: formats, descriptor bits (checked against literal numbers
 * from the Arm ARM, not against the implementation's macros), error paths that must
 * leave the tree unchanged, pool accounting, unmap invalidation ranges, and a
 * randomized map/unmap/walk property test against a simple list of expected regions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pgtable/pgtable.h"
#include "plat/host/plat_host.h"

#define NPAGES 512
static uint8_t pool_mem[NPAGES * 4096] __attribute__((aligned(4096)));
static uint64_t bitmap[POOL_BITMAP_WORDS(NPAGES)];
static struct page_pool pool;

#define K4 0x1000ULL
#define M2 0x200000ULL
#define G1 0x40000000ULL

static const struct pt_attrs RW_WB = { PT_PERM_R | PT_PERM_W, PT_MEM_NORMAL_WB };

static void pool_setup(uint32_t npages)
{
    assert_true(npages <= NPAGES);
    assert_int_equal(pool_init(&pool, (paddr_t)(uintptr_t)pool_mem, npages, bitmap), ERR_NONE);
}

/* Create a table of `stage` with ia/oa bits, on a fresh pool of `npages`. */
static void pt_setup(struct pt *pt, enum pt_stage stage, unsigned ia, unsigned oa,
                     uint32_t npages)
{
    struct pt_format fmt;
    pool_setup(npages);
    assert_int_equal(pt_format_init(&fmt, stage, ia, oa), ERR_NONE);
    assert_int_equal(pt_init(pt, &fmt, &pool), ERR_NONE);
}

static void pt_teardown(struct pt *pt)
{
    pt_destroy(pt);
    assert_int_equal(pool.nfree, pool.npages); /* no table leaked */
}

/* ---- "tree unchanged" snapshots: every table lives in pool_mem --------------------- */
static uint8_t snap_mem[sizeof(pool_mem)];
static uint64_t snap_bitmap[POOL_BITMAP_WORDS(NPAGES)];
static struct page_pool snap_pool;
static struct pt snap_pt;

static void snapshot(const struct pt *pt)
{
    memcpy(snap_mem, pool_mem, sizeof(pool_mem));
    memcpy(snap_bitmap, bitmap, sizeof(bitmap));
    snap_pool = pool;
    snap_pt = *pt;
}

/* Same allocated pages with the same content (free pages may be zeroed again). */
static void assert_unchanged(const struct pt *pt)
{
    for (uint32_t i = 0; i < snap_pool.npages; i++)
        if (snap_bitmap[i / 64] >> (i % 64) & 1)
            assert_memory_equal(snap_mem + i * 4096, pool_mem + i * 4096, 4096);
    assert_memory_equal(snap_bitmap, bitmap, sizeof(bitmap));
    assert_int_equal(snap_pool.nfree, pool.nfree);
    assert_memory_equal(&snap_pt, pt, sizeof(*pt));
}

static uint64_t walk_desc(const struct pt *pt, uint64_t ia)
{
    struct pt_walk_result w;
    assert_int_equal(pt_walk(pt, ia, &w), ERR_NONE);
    return w.desc;
}

/* ---- formats ---------------------------------------------------------------------- */

static void test_format_stage2(void **state)
{
    (void)state;
    /* {ia_bits, start level, root pages}: fewest levels, per the concatenation table */
    static const unsigned exp[][3] = {
        {25, 2, 1}, {26, 2, 1}, {27, 2, 1}, {28, 2, 1}, {29, 2, 1}, {30, 2, 1},
        {31, 2, 2}, {32, 2, 4}, {33, 2, 8}, {34, 2, 16},
        {35, 1, 1}, {36, 1, 1}, {37, 1, 1}, {38, 1, 1}, {39, 1, 1},
        {40, 1, 2}, {41, 1, 4}, {42, 1, 8}, {43, 1, 16},
        {44, 0, 1}, {45, 0, 1}, {46, 0, 1}, {47, 0, 1}, {48, 0, 1},
    };
    for (size_t i = 0; i < sizeof(exp) / sizeof(exp[0]); i++) {
        struct pt_format f;
        assert_int_equal(pt_format_init(&f, PT_STAGE2, exp[i][0], 44), ERR_NONE);
        assert_int_equal(f.stage, PT_STAGE2);
        assert_int_equal(f.ia_bits, exp[i][0]);
        assert_int_equal(f.oa_bits, 44);
        assert_int_equal(f.start_level, exp[i][1]);
        assert_int_equal(f.root_pages, exp[i][2]);
        assert_int_equal(pt_format_t0sz(&f), 64 - exp[i][0]);
        assert_int_equal(pt_format_sl0(&f), 2 - exp[i][1]); /* 00 L2, 01 L1, 10 L0 */
    }
}

static void test_format_stage1(void **state)
{
    (void)state;
    for (unsigned ia = 25; ia <= 48; ia++) {
        struct pt_format f;
        unsigned t0sz = 64 - ia;
        unsigned lvl = t0sz <= 24 ? 0 : t0sz <= 33 ? 1 : 2;
        assert_int_equal(pt_format_init(&f, PT_STAGE1, ia, 48), ERR_NONE);
        assert_int_equal(f.start_level, lvl);
        assert_int_equal(f.root_pages, 1);
        assert_int_equal(pt_format_t0sz(&f), t0sz);
    }
}

static void test_format_ranges(void **state)
{
    (void)state;
    struct pt_format f;
    for (int s = 1; s <= 2; s++) {
        enum pt_stage st = (enum pt_stage)s;
        assert_int_equal(pt_format_init(&f, st, 24, 40), ERR_RANGE);
        assert_int_equal(pt_format_init(&f, st, 49, 40), ERR_RANGE);
        assert_int_equal(pt_format_init(&f, st, 40, 31), ERR_RANGE);
        assert_int_equal(pt_format_init(&f, st, 40, 49), ERR_RANGE);
        assert_int_equal(pt_format_init(&f, st, 25, 32), ERR_NONE);
        assert_int_equal(pt_format_init(&f, st, 48, 48), ERR_NONE);
        assert_int_equal(pt_format_init_level(&f, st, 24, 40, 2), ERR_RANGE);
    }
    assert_int_equal(pt_format_init(&f, (enum pt_stage)3, 40, 40), ERR_INVALID);
}

static void test_format_init_level(void **state)
{
    (void)state;
    struct pt_format f;
    /* {ia, level, expected err, root pages} for stage 2 */
    static const unsigned s2[][4] = {
        {40, 0, ERR_NONE, 1}, {40, 1, ERR_NONE, 2}, {40, 2, ERR_INVALID, 0},
        {32, 1, ERR_NONE, 1}, {32, 2, ERR_NONE, 4}, {31, 1, ERR_NONE, 1},
        {30, 1, ERR_INVALID, 0}, {34, 2, ERR_NONE, 16}, {35, 2, ERR_INVALID, 0},
        {43, 1, ERR_NONE, 16}, {44, 1, ERR_INVALID, 0}, {48, 1, ERR_INVALID, 0},
        {39, 0, ERR_INVALID, 0}, {48, 0, ERR_NONE, 1}, {30, 3, ERR_INVALID, 0},
        {25, 3, ERR_INVALID, 0}, {40, 4, ERR_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof(s2) / sizeof(s2[0]); i++) {
        assert_int_equal(pt_format_init_level(&f, PT_STAGE2, s2[i][0], 40, s2[i][1]), s2[i][2]);
        if (s2[i][2] == ERR_NONE) {
            assert_int_equal(f.start_level, s2[i][1]);
            assert_int_equal(f.root_pages, s2[i][3]);
        }
    }
    /* stage 1: the level is fixed by T0SZ */
    assert_int_equal(pt_format_init_level(&f, PT_STAGE1, 39, 40, 1), ERR_NONE);
    assert_int_equal(pt_format_init_level(&f, PT_STAGE1, 39, 40, 0), ERR_INVALID);
    assert_int_equal(pt_format_init_level(&f, PT_STAGE1, 39, 40, 2), ERR_INVALID);
    assert_int_equal(pt_format_init_level(&f, PT_STAGE1, 40, 40, 0), ERR_NONE);
    assert_int_equal(pt_format_init_level(&f, PT_STAGE1, 30, 40, 2), ERR_NONE);
}

static void test_init_concatenated_root(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_format f;
    pool_setup(64);
    assert_int_equal(pt_format_init(&f, PT_STAGE2, 43, 48), ERR_NONE);
    assert_int_equal(pt_init(&pt, &f, &pool), ERR_NONE);
    assert_int_equal(pt.root % (16 * 4096), 0);
    assert_int_equal(pt.tables, 16);
    assert_int_equal(pool.nfree, 64 - 16);
    /* the last root page maps the top of the IPA space */
    assert_int_equal(pt_map(&pt, (1ULL << 43) - K4, 0x1000, K4, RW_WB), ERR_NONE);
    assert_int_equal(walk_desc(&pt, (1ULL << 43) - 1) & GENMASK(47, 12), 0x1000);
    pt_teardown(&pt);

    /* an inconsistent hand-made format is refused */
    f.root_pages = 2;
    assert_int_equal(pt_init(&pt, &f, &pool), ERR_INVALID);
    /* a root that does not fit */
    pool_setup(8);
    assert_int_equal(pt_format_init(&f, PT_STAGE2, 43, 48), ERR_NONE);
    assert_int_equal(pt_init(&pt, &f, &pool), ERR_NO_MEMORY);
    assert_int_equal(pool.nfree, 8);
}

/* ---- map / walk ------------------------------------------------------------------- */

static void test_map_walk_sizes(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_walk_result w;
    pt_setup(&pt, PT_STAGE2, 40, 40, 64);
    assert_int_equal(pt_map(&pt, 0x12345000, 0xabcde000, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 0x80000000 + 3 * M2, 0x7600000, M2, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 0x9000000000ULL, 0xC0000000ULL, G1, RW_WB), ERR_NONE);

    assert_int_equal(pt_walk(&pt, 0x12345abc, &w), ERR_NONE);
    assert_int_equal(w.pa, 0xabcdeabc);
    assert_int_equal(w.leaf_size, K4);
    assert_int_equal(w.level, 3);
    assert_int_equal(w.attrs.perms, PT_PERM_R | PT_PERM_W);
    assert_int_equal(w.attrs.mem, PT_MEM_NORMAL_WB);

    assert_int_equal(pt_walk(&pt, 0x80000000 + 3 * M2 + 0x1f1234, &w), ERR_NONE);
    assert_int_equal(w.pa, 0x7600000 + 0x1f1234);
    assert_int_equal(w.leaf_size, M2);
    assert_int_equal(w.level, 2);

    assert_int_equal(pt_walk(&pt, 0x9000000000ULL + 0x3ffffff8, &w), ERR_NONE);
    assert_int_equal(w.pa, 0xC0000000ULL + 0x3ffffff8);
    assert_int_equal(w.leaf_size, G1);
    assert_int_equal(w.level, 1);

    assert_int_equal(pt_walk(&pt, 0x12346000, &w), ERR_NOT_MAPPED);
    assert_int_equal(pt_walk(&pt, 0x12344fff, &w), ERR_NOT_MAPPED);
    assert_int_equal(pt_walk(&pt, 0x80000000 + 2 * M2, &w), ERR_NOT_MAPPED);
    assert_int_equal(pt_walk(&pt, 0x8000000000ULL, &w), ERR_NOT_MAPPED);
    assert_int_equal(pt_walk(&pt, 1ULL << 40, &w), ERR_RANGE);
    /* root L1 x2 (2 tables), an L2 + an L3 for the page, an L2 for the 2M block */
    assert_int_equal(pt.tables, 2 + 2 + 1);
    assert_int_equal(pool.nfree + pt.tables, 64);
    pt_teardown(&pt);
}

static void test_stage2_desc_bits(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_walk_result w;
    pt_setup(&pt, PT_STAGE2, 48, 48, 64);
    const uint64_t pa = 0x0000876543210000ULL;
    /* page: type 11, MemAttr[5:2], S2AP[7:6] (6 = R, 7 = W), SH[9:8], AF 10, XN 54 */
    struct {
        struct pt_attrs a;
        uint64_t bits;
    } cases[] = {
        {{PT_PERM_R | PT_PERM_W, PT_MEM_NORMAL_WB}, 0x3 | 0xF << 2 | 3 << 6 | 3 << 8 | 1 << 10 | 1ULL << 54},
        {{PT_PERM_R | PT_PERM_W | PT_PERM_X, PT_MEM_NORMAL_WB}, 0x3 | 0xF << 2 | 3 << 6 | 3 << 8 | 1 << 10},
        {{PT_PERM_R, PT_MEM_NORMAL_NC}, 0x3 | 0x5 << 2 | 1 << 6 | 3 << 8 | 1 << 10 | 1ULL << 54},
        {{PT_PERM_W, PT_MEM_DEVICE_nGnRE}, 0x3 | 0x1 << 2 | 2 << 6 | 1 << 10 | 1ULL << 54},
        {{0, PT_MEM_DEVICE_nGnRnE}, 0x3 | 0x0 << 2 | 0 << 6 | 1 << 10 | 1ULL << 54},
        {{PT_PERM_X, PT_MEM_NORMAL_WB}, 0x3 | 0xF << 2 | 3 << 8 | 1 << 10},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t ia = 0x100000000ULL + i * K4;
        assert_int_equal(pt_map(&pt, ia, pa + i * K4, K4, cases[i].a), ERR_NONE);
        assert_int_equal(pt_walk(&pt, ia, &w), ERR_NONE);
        assert_int_equal(w.desc, (pa + i * K4) | cases[i].bits);
        assert_int_equal(w.attrs.perms, cases[i].a.perms);
        assert_int_equal(w.attrs.mem, cases[i].a.mem);
    }
    /* 2M and 1G blocks: type 01 */
    assert_int_equal(pt_map(&pt, 0x200000000ULL, 0x40000000ULL + M2, M2, RW_WB), ERR_NONE);
    assert_int_equal(walk_desc(&pt, 0x200000000ULL),
                     (0x40000000ULL + M2) | 0x1 | 0xF << 2 | 3 << 6 | 3 << 8 | 1 << 10 | 1ULL << 54);
    assert_int_equal(pt_map(&pt, 0x8000000000ULL, 0xFFFFC0000000ULL, G1,
                            (struct pt_attrs){ PT_PERM_R | PT_PERM_X, PT_MEM_NORMAL_NC }),
                     ERR_NONE);
    assert_int_equal(walk_desc(&pt, 0x8000000000ULL),
                     0xFFFFC0000000ULL | 0x1 | 0x5 << 2 | 1 << 6 | 3 << 8 | 1 << 10);
    /* the table descriptors on the way: 11 | NLTA, nothing else */
    const uint64_t *root = (const uint64_t *)(uintptr_t)pt.root;
    uint64_t l0 = root[0];
    assert_int_equal(l0 & ~GENMASK(47, 12), 0x3);
    assert_true((l0 & GENMASK(47, 12)) >= (uintptr_t)pool_mem);
    pt_teardown(&pt);
}

static void test_stage1_desc_bits(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_walk_result w;
    assert_int_equal(PT_S1_MAIR, 0x000444FFULL);
    pt_setup(&pt, PT_STAGE1, 39, 40, 64);
    const uint64_t pa = 0xfe00000000ULL;
    /* AttrIndx[4:2], AP[7:6] (01 RW el0+el1, 11 RO), SH ISH for normal, AF, nG 11,
     * PXN 53 + UXN 54 without X */
    struct {
        struct pt_attrs a;
        uint64_t bits;
    } cases[] = {
        {{PT_PERM_R | PT_PERM_W, PT_MEM_NORMAL_WB}, 0x3 | 0 << 2 | 1 << 6 | 3 << 8 | 1 << 10 | 1 << 11 | 3ULL << 53},
        {{PT_PERM_R, PT_MEM_NORMAL_NC}, 0x3 | 1 << 2 | 3 << 6 | 3 << 8 | 1 << 10 | 1 << 11 | 3ULL << 53},
        {{PT_PERM_R | PT_PERM_X, PT_MEM_NORMAL_WB}, 0x3 | 0 << 2 | 3 << 6 | 3 << 8 | 1 << 10 | 1 << 11},
        {{PT_PERM_R | PT_PERM_W, PT_MEM_DEVICE_nGnRE}, 0x3 | 2 << 2 | 1 << 6 | 1 << 10 | 1 << 11 | 3ULL << 53},
        {{PT_PERM_R | PT_PERM_W | PT_PERM_X, PT_MEM_DEVICE_nGnRnE}, 0x3 | 3 << 2 | 1 << 6 | 1 << 10 | 1 << 11},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t ia = 0x7f00000000ULL + i * K4;
        assert_int_equal(pt_map(&pt, ia, pa + i * K4, K4, cases[i].a), ERR_NONE);
        assert_int_equal(pt_walk(&pt, ia + 0x10, &w), ERR_NONE);
        assert_int_equal(w.desc, (pa + i * K4) | cases[i].bits);
        assert_int_equal(w.pa, pa + i * K4 + 0x10);
        assert_int_equal(w.attrs.perms, cases[i].a.perms);
        assert_int_equal(w.attrs.mem, cases[i].a.mem);
    }
    assert_int_equal(pt_map(&pt, G1, 0, G1, RW_WB), ERR_NONE);
    assert_int_equal(walk_desc(&pt, G1 + 5),
                     0x1 | 1 << 6 | 3 << 8 | 1 << 10 | 1 << 11 | 3ULL << 53);
    pt_teardown(&pt);
}

static void test_attr_errors(void **state)
{
    (void)state;
    struct pt s1, s2;
    pt_setup(&s1, PT_STAGE1, 39, 40, 64);
    snapshot(&s1);
    static const unsigned no_r[] = {0, PT_PERM_W, PT_PERM_X, PT_PERM_W | PT_PERM_X};
    for (size_t i = 0; i < sizeof(no_r) / sizeof(no_r[0]); i++)
        assert_int_equal(pt_map(&s1, 0, 0, K4, (struct pt_attrs){ no_r[i], PT_MEM_NORMAL_WB }),
                         ERR_INVALID);
    assert_int_equal(pt_map(&s1, 0, 0, K4, (struct pt_attrs){ 8 | PT_PERM_R, PT_MEM_NORMAL_WB }),
                     ERR_INVALID);
    assert_int_equal(pt_map(&s1, 0, 0, K4, (struct pt_attrs){ PT_PERM_R, (enum pt_memtype)4 }),
                     ERR_INVALID);
    assert_unchanged(&s1);
    pt_teardown(&s1);

    pt_setup(&s2, PT_STAGE2, 40, 40, 64);
    assert_int_equal(pt_map(&s2, 0, 0, K4, (struct pt_attrs){ 0x10, PT_MEM_NORMAL_WB }), ERR_INVALID);
    assert_int_equal(pt_map(&s2, 0, 0, K4, (struct pt_attrs){ 0, PT_MEM_NORMAL_WB }), ERR_NONE);
    pt_teardown(&s2);
}

static void test_map_arg_errors(void **state)
{
    (void)state;
    struct pt pt;
    pt_setup(&pt, PT_STAGE2, 40, 36, 64);
    assert_int_equal(pt_map(&pt, 0x40000000, 0, K4, RW_WB), ERR_NONE);
    snapshot(&pt);
    static const uint64_t bad_sizes[] = {0, 1, 2 * K4, 0x10000, 4 * M2, 2 * G1, 1ULL << 39};
    for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
        assert_int_equal(pt_map(&pt, 0, 0, bad_sizes[i], RW_WB), ERR_INVALID);
    /* misaligned ia or pa */
    assert_int_equal(pt_map(&pt, 0x800, 0, K4, RW_WB), ERR_ALIGN);
    assert_int_equal(pt_map(&pt, 0, 0x10, K4, RW_WB), ERR_ALIGN);
    assert_int_equal(pt_map(&pt, K4, 0, M2, RW_WB), ERR_ALIGN);
    assert_int_equal(pt_map(&pt, 0, M2, G1, RW_WB), ERR_ALIGN);
    assert_int_equal(pt_map(&pt, M2, M2 + K4, M2, RW_WB), ERR_ALIGN);
    /* ia beyond 2^40, pa beyond 2^36 (including wrap-around) */
    assert_int_equal(pt_map(&pt, 1ULL << 40, 0, K4, RW_WB), ERR_RANGE);
    assert_int_equal(pt_map(&pt, 1ULL << 41, 0, G1, RW_WB), ERR_RANGE);
    assert_int_equal(pt_map(&pt, ~0ULL << 12, 0, K4, RW_WB), ERR_RANGE);
    assert_int_equal(pt_map(&pt, 0, 1ULL << 36, K4, RW_WB), ERR_RANGE);
    assert_int_equal(pt_map(&pt, 0, ~0ULL << 30, G1, RW_WB), ERR_RANGE);
    /* the ends themselves are fine */
    assert_unchanged(&pt);
    assert_int_equal(pt_map(&pt, (1ULL << 40) - G1, (1ULL << 36) - G1, G1, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, (1ULL << 40) - G1 - K4, (1ULL << 36) - K4, K4, RW_WB), ERR_NONE);
    pt_teardown(&pt);

    /* 1G blocks need a level-1 slot: refused when the table starts at level 2 */
    pt_setup(&pt, PT_STAGE2, 34, 40, 64);
    assert_int_equal(pt.fmt.start_level, 2);
    assert_int_equal(pt_map(&pt, 0, 0, G1, RW_WB), ERR_INVALID);
    assert_int_equal(pt_map(&pt, (1ULL << 34) - M2, 0, M2, RW_WB), ERR_NONE);
    pt_teardown(&pt);
}

static void test_overlaps(void **state)
{
    (void)state;
    struct pt pt;
    pt_setup(&pt, PT_STAGE2, 40, 40, 64);
    const uint64_t blk = 0x40000000ULL + 4 * M2, pg = 0x40000000ULL + 9 * M2 + 5 * K4;
    assert_int_equal(pt_map(&pt, blk, 0x80000000, M2, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, pg, 0x1000, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 0x200000000ULL, 0, G1, RW_WB), ERR_NONE);
    snapshot(&pt);
    /* page inside a 2M block, and inside a 1G block */
    assert_int_equal(pt_map(&pt, blk + 7 * K4, 0, K4, RW_WB), ERR_EXISTS);
    assert_int_equal(pt_map(&pt, 0x200000000ULL + G1 - K4, 0, K4, RW_WB), ERR_EXISTS);
    assert_int_equal(pt_map(&pt, 0x200000000ULL + M2, 0, M2, RW_WB), ERR_EXISTS);
    /* same leaf again */
    assert_int_equal(pt_map(&pt, blk, 0, M2, RW_WB), ERR_EXISTS);
    assert_int_equal(pt_map(&pt, pg, 0x1000, K4, RW_WB), ERR_EXISTS);
    assert_int_equal(pt_map(&pt, 0x200000000ULL, 0, G1, RW_WB), ERR_EXISTS);
    /* block over a page, 1G over a 2M block and over a page */
    assert_int_equal(pt_map(&pt, pg & ~(M2 - 1), 0, M2, RW_WB), ERR_EXISTS);
    assert_int_equal(pt_map(&pt, 0x40000000ULL, 0, G1, RW_WB), ERR_EXISTS);
    assert_unchanged(&pt);
    /* a neighbour of each is fine */
    assert_int_equal(pt_map(&pt, pg + K4, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, blk + M2, 0, M2, RW_WB), ERR_NONE);
    pt_teardown(&pt);
}

static void test_no_memory_rollback(void **state)
{
    (void)state;
    struct pt pt;
    paddr_t hog[8];
    /* 48-bit stage 2: root at L0, a first 4K map needs 3 tables (L1, L2, L3) */
    for (unsigned avail = 0; avail < 3; avail++) {
        pt_setup(&pt, PT_STAGE2, 48, 48, 8);
        unsigned nhog = pool.nfree - avail;
        for (unsigned i = 0; i < nhog; i++)
            assert_int_equal(pool_alloc(&pool, 1, &hog[i]), ERR_NONE);
        snapshot(&pt);
        uint64_t before = host_barriers.dsb_ishst;
        assert_int_equal(pt_map(&pt, 0x123456789000ULL, 0, K4, RW_WB), ERR_NO_MEMORY);
        assert_int_equal(pool.nfree, avail); /* what this call took is back */
        assert_unchanged(&pt);
        assert_int_equal(host_barriers.dsb_ishst, before);
        /* a 1G block needs only the L1 table */
        if (avail >= 1) {
            assert_int_equal(pt_map(&pt, 0x7fc0000000ULL, 0, G1, RW_WB), ERR_NONE);
            assert_int_equal(pool.nfree, avail - 1);
        }
        for (unsigned i = 0; i < nhog; i++)
            pool_free(&pool, hog[i], 1);
        assert_int_equal(pt_map(&pt, 0x123456789000ULL, 0, K4, RW_WB), ERR_NONE);
        struct pt_walk_result w;
        assert_int_equal(pt_walk(&pt, 0x123456789000ULL, &w), ERR_NONE);
        pt_teardown(&pt);
    }
    /* partial: the L1 table exists, L2 + L3 needed, only one page left */
    pt_setup(&pt, PT_STAGE2, 48, 48, 8);
    assert_int_equal(pt_map(&pt, 0x100000000ULL, 0, K4, RW_WB), ERR_NONE); /* L1 idx 4 */
    unsigned nhog = pool.nfree - 1;
    for (unsigned i = 0; i < nhog; i++)
        assert_int_equal(pool_alloc(&pool, 1, &hog[i]), ERR_NONE);
    snapshot(&pt);
    assert_int_equal(pt_map(&pt, 0x140000000ULL, 0, K4, RW_WB), ERR_NO_MEMORY);
    assert_unchanged(&pt);
    assert_int_equal(pt_map(&pt, 0x140000000ULL, 0, M2, RW_WB), ERR_NONE); /* L2 only */
    for (unsigned i = 0; i < nhog; i++)
        pool_free(&pool, hog[i], 1);
    pt_teardown(&pt);
}

static void test_barriers(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_inval inv;
    pt_setup(&pt, PT_STAGE2, 40, 40, 64);
    uint64_t b = host_barriers.dsb_ishst;
    assert_int_equal(pt_map(&pt, 0, 0, K4, RW_WB), ERR_NONE); /* new tables: fill, dsb, link, dsb */
    assert_int_equal(host_barriers.dsb_ishst, b + 2);
    assert_int_equal(pt_map(&pt, K4, 0, K4, RW_WB), ERR_NONE); /* hot path: one dsb */
    assert_int_equal(host_barriers.dsb_ishst, b + 3);
    assert_int_equal(pt_map(&pt, K4, 0, K4, RW_WB), ERR_EXISTS);
    assert_int_equal(host_barriers.dsb_ishst, b + 3);
    assert_int_equal(pt_unmap(&pt, 0, M2, &inv), ERR_NONE);
    assert_int_equal(host_barriers.dsb_ishst, b + 4);
    assert_int_equal(pt_unmap(&pt, 0, M2, &inv), ERR_NONE); /* nothing cleared: no dsb */
    assert_int_equal(host_barriers.dsb_ishst, b + 4);
    pt_teardown(&pt);
}

static void test_block_replaces_empty_tables(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_inval inv;
    struct pt_walk_result w;
    pt_setup(&pt, PT_STAGE2, 40, 40, 64);
    assert_int_equal(pt_map(&pt, M2 + 3 * K4, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_unmap(&pt, M2, M2, &inv), ERR_NONE);
    uint32_t tables = pt.tables, nfree = pool.nfree;
    /* an empty L3 table in the 2M slot is replaced by the block */
    assert_int_equal(pt_map(&pt, M2, 0x40000000, M2, RW_WB), ERR_NONE);
    assert_int_equal(pt_walk(&pt, M2 + 3 * K4, &w), ERR_NONE);
    assert_int_equal(w.level, 2);
    assert_int_equal(w.pa, 0x40000000 + 3 * K4);
    assert_int_equal(pt.stale_tables, 1);
    assert_int_equal(pool.nfree, nfree); /* kept until the caller invalidated */
    const uint64_t *stale = (const uint64_t *)(uintptr_t)pt.stale;
    assert_int_equal(stale[0] & 3, 0); /* the link reads as an invalid descriptor */
    pt_reclaim(&pt);
    assert_int_equal(pt.stale_tables, 0);
    assert_int_equal(pool.nfree, nfree + 1);
    assert_int_equal(pt.tables, tables - 1);

    /* 1G over an L2 table holding empty L3 tables */
    assert_int_equal(pt_map(&pt, 3 * G1 + 5 * M2, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 3 * G1 + 9 * M2, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 3 * G1 + 10 * M2, 0, M2, RW_WB), ERR_NONE);
    assert_int_equal(pt_unmap(&pt, 3 * G1, G1, &inv), ERR_NONE);
    assert_int_equal(inv.leaves, 3);
    nfree = pool.nfree;
    assert_int_equal(pt_map(&pt, 3 * G1, 0, G1, RW_WB), ERR_NONE);
    assert_int_equal(pt.stale_tables, 3);
    assert_int_equal(pool.nfree, nfree);
    /* stale tables are freed by destroy as well */
    pt_teardown(&pt);

    /* one page left anywhere in the subtree keeps it */
    pt_setup(&pt, PT_STAGE2, 40, 40, 64);
    assert_int_equal(pt_map(&pt, 3 * G1 + 5 * M2, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 3 * G1 + 511 * M2 + 511 * K4, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_unmap(&pt, 3 * G1 + 5 * M2, K4, &inv), ERR_NONE);
    snapshot(&pt);
    assert_int_equal(pt_map(&pt, 3 * G1, 0, G1, RW_WB), ERR_EXISTS);
    assert_unchanged(&pt);
    pt_teardown(&pt);
}

/* ---- unmap ------------------------------------------------------------------------ */

static void test_unmap_straddle(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_inval inv;
    pt_setup(&pt, PT_STAGE2, 40, 40, 64);
    assert_int_equal(pt_map(&pt, 2 * M2, 0, M2, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 0, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 4 * M2, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 2 * G1, 0, G1, RW_WB), ERR_NONE);
    snapshot(&pt);
    assert_int_equal(pt_unmap(&pt, 2 * M2 + K4, K4, &inv), ERR_INVALID);   /* inside */
    assert_int_equal(pt_unmap(&pt, 2 * M2, K4, &inv), ERR_INVALID);        /* head only */
    assert_int_equal(pt_unmap(&pt, 3 * M2 - K4, K4, &inv), ERR_INVALID);   /* tail only */
    assert_int_equal(pt_unmap(&pt, 2 * G1, M2, &inv), ERR_INVALID);
    assert_int_equal(pt_unmap(&pt, 0, 2 * M2 + K4, &inv), ERR_INVALID);    /* end */
    assert_int_equal(pt_unmap(&pt, 2 * M2 + K4, 8 * M2, &inv), ERR_INVALID); /* start */
    assert_int_equal(inv.size, 0);
    assert_int_equal(pt_unmap(&pt, G1, G1 + M2, &inv), ERR_INVALID);      /* 1G, end */
    assert_int_equal(pt_unmap(&pt, 3 * G1 - K4, 2 * K4, &inv), ERR_INVALID);
    assert_unchanged(&pt);
    assert_int_equal(pt_unmap(&pt, 0, 3 * M2, &inv), ERR_NONE);
    assert_int_equal(inv.ia, 0);
    assert_int_equal(inv.size, 3 * M2);
    assert_int_equal(inv.leaf_level, 0);
    assert_int_equal(inv.leaves, 2);
    assert_int_equal(pt_unmap(&pt, 2 * G1, G1, &inv), ERR_NONE);
    assert_int_equal(inv.leaf_level, 1);
    pt_teardown(&pt);
}

static void test_unmap_inval(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_inval inv;
    struct pt_walk_result w;
    pt_setup(&pt, PT_STAGE2, 40, 40, 64);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(pt_map(&pt, 0x1000, 0, K4, RW_WB), ERR_NONE);
        assert_int_equal(pt_map(&pt, 0x5000, 0, K4, RW_WB), ERR_NONE);
        assert_int_equal(pt_map(&pt, 2 * M2, 0, M2, RW_WB), ERR_NONE);
        assert_int_equal(pt_map(&pt, G1, 0, G1, RW_WB), ERR_NONE);
        assert_int_equal(pt_map(&pt, 3 * G1 + M2 - K4, 0, K4, RW_WB), ERR_NONE);
        if (round == 0) {
            /* per kind */
            assert_int_equal(pt_unmap(&pt, 0, 4 * K4, &inv), ERR_NONE);
            assert_int_equal(inv.ia, 0x1000);
            assert_int_equal(inv.size, K4);
            assert_int_equal(inv.leaf_level, 3);
            assert_int_equal(inv.leaves, 1);
            assert_int_equal(pt_unmap(&pt, 0, M2, &inv), ERR_NONE);
            assert_int_equal(inv.ia, 0x5000);
            assert_int_equal(inv.size, K4);
            assert_int_equal(pt_unmap(&pt, M2, 2 * M2, &inv), ERR_NONE);
            assert_int_equal(inv.ia, 2 * M2);
            assert_int_equal(inv.size, M2);
            assert_int_equal(inv.leaf_level, 2);
            assert_int_equal(pt_unmap(&pt, G1 - M2, G1 + 2 * M2, &inv), ERR_NONE);
            assert_int_equal(inv.ia, G1);
            assert_int_equal(inv.size, G1);
            assert_int_equal(inv.leaf_level, 1);
            assert_int_equal(inv.leaves, 1);
            assert_int_equal(pt_unmap(&pt, 3 * G1, 512 * M2, &inv), ERR_NONE);
            assert_int_equal(inv.ia, 3 * G1 + M2 - K4);
            assert_int_equal(inv.leaf_level, 3);
        } else {
            /* all at once: mixed levels */
            assert_int_equal(pt_unmap(&pt, 0, 4 * G1, &inv), ERR_NONE);
            assert_int_equal(inv.ia, 0x1000);
            assert_int_equal(inv.size, 3 * G1 + M2 - 0x1000);
            assert_int_equal(inv.leaf_level, 0);
            assert_int_equal(inv.leaves, 5);
        }
        assert_int_equal(pt_walk(&pt, 0x1000, &w), ERR_NOT_MAPPED);
        assert_int_equal(pt_walk(&pt, G1, &w), ERR_NOT_MAPPED);
        assert_int_equal(pt_walk(&pt, 3 * G1 + M2 - K4, &w), ERR_NOT_MAPPED);
    }
    /* empty ranges and argument errors */
    assert_int_equal(pt_unmap(&pt, 0, 0, &inv), ERR_NONE);
    assert_int_equal(inv.size, 0);
    assert_int_equal(inv.leaves, 0);
    assert_int_equal(pt_unmap(&pt, 0, 1ULL << 40, &inv), ERR_NONE);
    assert_int_equal(inv.size, 0);
    assert_int_equal(pt_unmap(&pt, 0x800, K4, &inv), ERR_ALIGN);
    assert_int_equal(pt_unmap(&pt, 0, 0x800, &inv), ERR_ALIGN);
    assert_int_equal(pt_unmap(&pt, 0, (1ULL << 40) + K4, &inv), ERR_RANGE);
    assert_int_equal(pt_unmap(&pt, (1ULL << 40) - K4, 2 * K4, &inv), ERR_RANGE);
    assert_int_equal(pt_unmap(&pt, ~0ULL << 12, 2 * K4, &inv), ERR_RANGE);
    assert_int_equal(pt_unmap(&pt, 0, K4, NULL), ERR_NONE);
    /* tables are kept for later maps */
    uint32_t tables = pt.tables;
    assert_int_equal(pt_map(&pt, 0x1000, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt.tables, tables);
    pt_teardown(&pt);
}

static void test_unmap_sparse_huge(void **state)
{
    (void)state;
    struct pt pt;
    struct pt_inval inv;
    struct pt_walk_result w;
    pt_setup(&pt, PT_STAGE2, 48, 48, 128);
    /* a handful of leaves spread across 256 TiB */
    static const uint64_t pages[] = {0x1000, 0x7f123456000ULL, 0x800000000000ULL - K4,
                                     0xABCDE0000000ULL + 0x3000, 0xFFFFFFFFF000ULL};
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        assert_int_equal(pt_map(&pt, pages[i], pages[i] & 0xffffff000ULL, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 0x500000000000ULL, 0, G1, RW_WB), ERR_NONE);
    /* 1 GiB = 262144 pages, three leaves inside */
    assert_int_equal(pt_map(&pt, 0x3000000000ULL + 7 * M2, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 0x3000000000ULL + 300 * M2, 0, M2, RW_WB), ERR_NONE);
    assert_int_equal(pt_map(&pt, 0x3000000000ULL + G1 - K4, 0, K4, RW_WB), ERR_NONE);
    assert_int_equal(pt_unmap(&pt, 0x3000000000ULL, G1, &inv), ERR_NONE);
    assert_int_equal(inv.leaves, 3);
    assert_int_equal(inv.ia, 0x3000000000ULL + 7 * M2);
    assert_int_equal(inv.size, G1 - 7 * M2);
    assert_int_equal(inv.leaf_level, 0);
    /* the whole 48-bit space */
    assert_int_equal(pt_unmap(&pt, 0, 1ULL << 48, &inv), ERR_NONE);
    assert_int_equal(inv.leaves, 6);
    assert_int_equal(inv.ia, 0x1000);
    assert_int_equal(inv.size, (1ULL << 48) - 0x1000);
    assert_int_equal(inv.leaf_level, 0);
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        assert_int_equal(pt_walk(&pt, pages[i], &w), ERR_NOT_MAPPED);
    assert_int_equal(pt_walk(&pt, 0x500000000000ULL, &w), ERR_NOT_MAPPED);
    /* an empty 64 TiB range (2^34 pages) is skipped a missing table at a time */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(pt_unmap(&pt, 0x400000000000ULL, 1ULL << 46, &inv), ERR_NONE);
    pt_teardown(&pt);
}

/* ---- randomized property test ----------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

struct region {
    uint64_t ia, size, pa;
    struct pt_attrs a;
};
#define MAX_REGIONS 4096
static struct region regions[MAX_REGIONS];
static unsigned nregions;

static bool overlaps(const struct region *r, uint64_t s, uint64_t e)
{
    return r->ia < e && s < r->ia + r->size;
}

static unsigned size_level(uint64_t size) { return size == K4 ? 3 : size == M2 ? 2 : 1; }

static void check_walk(const struct pt *pt, uint64_t ia)
{
    struct pt_walk_result w;
    err_t e = pt_walk(pt, ia, &w);
    for (unsigned i = 0; i < nregions; i++) {
        const struct region *r = &regions[i];
        if (ia >= r->ia && ia < r->ia + r->size) {
            assert_int_equal(e, ERR_NONE);
            assert_int_equal(w.pa, r->pa + (ia - r->ia));
            assert_int_equal(w.leaf_size, r->size);
            assert_int_equal(w.level, size_level(r->size));
            assert_int_equal(w.attrs.perms, r->a.perms);
            assert_int_equal(w.attrs.mem, r->a.mem);
            return;
        }
    }
    assert_int_equal(e, ERR_NOT_MAPPED);
}

/* A clustered address so that operations collide often. */
static uint64_t rnd_ia(const uint64_t *gs, unsigned ng, uint64_t size)
{
    uint64_t ia = gs[rnd() % ng] * G1;
    if (size < G1)
        ia += (rnd() % 8) * M2;
    if (size < M2)
        ia += (rnd() % 32) * K4;
    return ia;
}

static void random_ops(enum pt_stage stage, unsigned ia_bits, const uint64_t *gs, unsigned ng)
{
    struct pt pt;
    struct pt_inval inv;
    const unsigned nops = 20000;
    unsigned counts[4] = {0};
    uint32_t stale_seen = 0; /* blocks that replaced empty table subtrees */

    pt_setup(&pt, stage, ia_bits, 40, NPAGES);
    rng_state = 0x9E3779B97F4A7C15ULL ^ stage;
    nregions = 0;
    for (unsigned op = 0; op < nops; op++) {
        unsigned kind = rnd() % 100;
        if (kind < 45) { /* map */
            unsigned sk = rnd() % 100;
            uint64_t size = sk < 75 ? K4 : sk < 96 ? M2 : G1;
            uint64_t ia = rnd_ia(gs, ng, size);
            uint64_t pa = (rnd() & ((1ULL << 40) - 1)) & ~(size - 1);
            struct pt_attrs a = { (unsigned)(rnd() % 8), (enum pt_memtype)(rnd() % 4) };
            if (stage == PT_STAGE1)
                a.perms |= PT_PERM_R;
            err_t expect = ERR_NONE;
            if (size > K4 && rnd() % 50 == 0) {
                ia += K4; /* occasionally misaligned */
                expect = ERR_ALIGN;
            } else {
                for (unsigned i = 0; i < nregions; i++)
                    if (overlaps(&regions[i], ia, ia + size))
                        expect = ERR_EXISTS;
            }
            assert_int_equal(pt_map(&pt, ia, pa, size, a), expect);
            if (expect == ERR_NONE) {
                assert_true(nregions < MAX_REGIONS);
                regions[nregions++] = (struct region){ ia, size, pa, a };
            }
            counts[expect == ERR_NONE ? 0 : 1]++;
        } else if (kind < 65) { /* unmap */
            unsigned uk = rnd() % 100;
            uint64_t s, len;
            if (uk < 60) {
                s = rnd_ia(gs, ng, K4);
                len = (1 + rnd() % 64) * K4;
            } else if (uk < 90) {
                s = rnd_ia(gs, ng, M2);
                len = (1 + rnd() % 4) * M2;
            } else if (uk < 99) {
                s = rnd_ia(gs, ng, G1);
                len = (1 + rnd() % 2) * G1;
            } else {
                s = 0;
                len = 1ULL << ia_bits;
            }
            if (s + len > (1ULL << ia_bits))
                len = (1ULL << ia_bits) - s;
            uint64_t e = s + len, lo = ~0ULL, hi = 0;
            bool straddle = false;
            unsigned lvl = 4, cleared = 0;
            for (unsigned i = 0; i < nregions; i++) {
                const struct region *r = &regions[i];
                if (!overlaps(r, s, e))
                    continue;
                if (r->ia < s || r->ia + r->size > e)
                    straddle = true;
                lo = r->ia < lo ? r->ia : lo;
                hi = r->ia + r->size > hi ? r->ia + r->size : hi;
                lvl = lvl == 4 ? size_level(r->size) : lvl == size_level(r->size) ? lvl : 0;
                cleared++;
            }
            if (straddle) {
                snapshot(&pt);
                assert_int_equal(pt_unmap(&pt, s, len, &inv), ERR_INVALID);
                assert_unchanged(&pt);
                counts[3]++;
                continue;
            }
            assert_int_equal(pt_unmap(&pt, s, len, &inv), ERR_NONE);
            assert_int_equal(inv.leaves, cleared);
            if (cleared == 0) {
                assert_int_equal(inv.size, 0);
            } else {
                assert_int_equal(inv.ia, lo);
                assert_int_equal(inv.size, hi - lo);
                assert_int_equal(inv.leaf_level, lvl);
            }
            for (unsigned i = 0; i < nregions;) {
                if (overlaps(&regions[i], s, e))
                    regions[i] = regions[--nregions];
                else
                    i++;
            }
            counts[2]++;
        } else { /* walk */
            uint64_t ia = rnd_ia(gs, ng, kind < 80 ? K4 : M2) + rnd() % (kind < 80 ? K4 : M2);
            check_walk(&pt, ia);
        }
        /* invariants: pool accounting, and now and then every region end to end */
        assert_int_equal(pool.nfree + pt.tables, pool.npages);
        if (op % 1000 == 999) {
            for (unsigned i = 0; i < nregions; i++) {
                check_walk(&pt, regions[i].ia);
                check_walk(&pt, regions[i].ia + regions[i].size - 1);
            }
            stale_seen += pt.stale_tables;
            pt_reclaim(&pt); /* as after a TLBI by VMID + CMD_SYNC */
        }
    }
    /* every kind of outcome happened */
    for (unsigned i = 0; i < 4; i++)
        assert_true(counts[i] > 100);
    assert_true(stale_seen > 10);
    assert_int_equal(pt_unmap(&pt, 0, 1ULL << ia_bits, &inv), ERR_NONE);
    assert_int_equal(inv.leaves, nregions);
    pt_teardown(&pt);
}

static void test_random_stage2(void **state)
{
    (void)state;
    /* 40-bit IPA: L1 x2; the 1G slots cover both root pages */
    static const uint64_t gs[] = {0, 1, 511, 512, 513, 1023};
    random_ops(PT_STAGE2, 40, gs, 6);
}

static void test_stage2_l2_concat(void **state)
{
    (void)state;
    /* 32-bit IPA: L2 x4, no 1G blocks possible; only gs[0..3] exist */
    static const uint64_t gs[] = {0, 1, 2, 3};
    struct pt pt;
    pt_setup(&pt, PT_STAGE2, 32, 40, 16);
    assert_int_equal(pt.fmt.start_level, 2);
    assert_int_equal(pt.fmt.root_pages, 4);
    for (unsigned g = 0; g < 4; g++)
        assert_int_equal(pt_map(&pt, gs[g] * G1 + 511 * M2, g * M2, M2, RW_WB), ERR_NONE);
    for (unsigned g = 0; g < 4; g++) {
        struct pt_walk_result w;
        assert_int_equal(pt_walk(&pt, gs[g] * G1 + 511 * M2 + 5, &w), ERR_NONE);
        assert_int_equal(w.pa, g * M2 + 5);
    }
    assert_int_equal(pt_map(&pt, 0, 0, G1, RW_WB), ERR_INVALID);
    assert_int_equal(pt_map(&pt, 4 * G1, 0, M2, RW_WB), ERR_RANGE);
    pt_teardown(&pt);
}

static void test_random_stage1(void **state)
{
    (void)state;
    static const uint64_t gs[] = {0, 1, 255, 510, 511};
    random_ops(PT_STAGE1, 39, gs, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_stage2),
        cmocka_unit_test(test_format_stage1),
        cmocka_unit_test(test_format_ranges),
        cmocka_unit_test(test_format_init_level),
        cmocka_unit_test(test_init_concatenated_root),
        cmocka_unit_test(test_map_walk_sizes),
        cmocka_unit_test(test_stage2_desc_bits),
        cmocka_unit_test(test_stage1_desc_bits),
        cmocka_unit_test(test_attr_errors),
        cmocka_unit_test(test_map_arg_errors),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_no_memory_rollback),
        cmocka_unit_test(test_barriers),
        cmocka_unit_test(test_block_replaces_empty_tables),
        cmocka_unit_test(test_unmap_straddle),
        cmocka_unit_test(test_unmap_inval),
        cmocka_unit_test(test_unmap_sparse_huge),
        cmocka_unit_test(test_random_stage2),
        cmocka_unit_test(test_stage2_l2_concat),
        cmocka_unit_test(test_random_stage1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
