/* ARMv8 VMSA translation tables (VMSAv8-64, 4 KB granule, DS=0), stage 1 and stage 2.
 *
 * Every walk is an explicit loop bounded by the number of levels (no recursion); whole
 * subtrees are visited with an explicit stack of PT_MAX_LEVELS frames.
 *
 * Visibility: the tables are read by the CPU walker and by the SMMU walker. Each call
 * that changes the live tree ends with one plat_dsb_ishst() so the new descriptors are
 * visible to those walkers before the caller announces the change (TLBI + CMD_SYNC after
 * an unmap; nothing needed after a map into an empty slot, since invalid entries are
 * never cached). A new table is filled while still private, then made visible with a
 * dsb before the single descriptor write that links it into the tree. */
#include "pgtable.h"

#include "../plat/plat.h"

/* Input address bits resolved below level l: 39 at L0, 30 at L1, 21 at L2, 12 at L3. */
#define LVL_SHIFT(l) (39u - 9u * (l))
#define LVL_SIZE(l) (1ULL << LVL_SHIFT(l))
#define IDX_MASK (PT_ENTRIES_PER_TABLE - 1u)

_Static_assert(LVL_SHIFT(3) == PAGE_SHIFT, "level 3 maps pages");
_Static_assert(LVL_SIZE(2) == SIZE_2M && LVL_SIZE(1) == SIZE_1G, "block sizes");
_Static_assert(PT_MEM_NORMAL_WB == PT_S1_MAIR_IDX_NORMAL_WB &&
               PT_MEM_NORMAL_NC == PT_S1_MAIR_IDX_NORMAL_NC &&
               PT_MEM_DEVICE_nGnRE == PT_S1_MAIR_IDX_DEVICE_nGnRE &&
               PT_MEM_DEVICE_nGnRnE == PT_S1_MAIR_IDX_DEVICE_nGnRnE,
               "AttrIndx equals enum pt_memtype");
_Static_assert(((PT_S1_MAIR >> 8 * PT_S1_MAIR_IDX_NORMAL_WB) & 0xff) == 0xff &&
               ((PT_S1_MAIR >> 8 * PT_S1_MAIR_IDX_NORMAL_NC) & 0xff) == 0x44 &&
               ((PT_S1_MAIR >> 8 * PT_S1_MAIR_IDX_DEVICE_nGnRE) & 0xff) == 0x04 &&
               ((PT_S1_MAIR >> 8 * PT_S1_MAIR_IDX_DEVICE_nGnRnE) & 0xff) == 0x00,
               "MAIR convention");

/* Slow paths stay out of line so the hot path of pt_map keeps few registers. */
#define PT_SLOW_PATH __attribute__((noinline, cold))

/* Descriptors are 64-bit single-copy-atomic accesses: a walker never sees a torn one. */
static inline uint64_t pte_read(const uint64_t *p) { return *(const volatile uint64_t *)p; }
static inline void pte_write(uint64_t *p, uint64_t v) { *(volatile uint64_t *)p = v; }

static inline uint64_t *table_va(paddr_t pa) { return (uint64_t *)plat_phys_to_virt(pa); }

static inline bool pte_valid(uint64_t d) { return (d & PTE_VALID) != 0; }

static inline bool pte_is_table(uint64_t d, unsigned level)
{
    return level < 3 && FIELD_GET(PTE_TYPE, d) == PTE_TYPE_TABLE;
}

/* Block at levels 1-2, page at level 3 (01 at level 3 is reserved: treated as invalid). */
static inline bool pte_is_leaf(uint64_t d, unsigned level)
{
    return FIELD_GET(PTE_TYPE, d) == (level == 3 ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK);
}

static inline uint64_t make_table_desc(paddr_t pa)
{
    return (pa & PTE_ADDR) | FIELD_PREP(PTE_TYPE, PTE_TYPE_TABLE);
}

/* ---- formats ---------------------------------------------------------------------- */

/* Entries of the (possibly concatenated) root table. */
static inline uint64_t root_entries(const struct pt_format *fmt)
{
    return 1ULL << (fmt->ia_bits - LVL_SHIFT(fmt->start_level));
}

static uint32_t alloc_pages_for(uint32_t pages)
{
    uint32_t n = 1;
    while (n < pages && n < PT_MAX_ROOT_PAGES)
        n <<= 1;
    return n;
}

/* Root tables needed at `level` for `ia_bits`, or 0 if the pair is not allowed.
 * Arm ARM D8.2 (AArch64.S2InconsistentSL): the start level must resolve at least one
 * input bit, and a stage-2 root may concatenate up to 16 tables, never at level 0. */
static unsigned root_pages_at(enum pt_stage stage, unsigned ia_bits, unsigned level)
{
    if (level > 2)
        return 0; /* level-3 start needs FEAT_TTST */
    if (ia_bits <= LVL_SHIFT(level))
        return 0; /* nothing left to resolve at this level */
    unsigned bits = ia_bits - LVL_SHIFT(level);
    if (bits <= 9)
        return 1;
    if (stage == PT_STAGE1 || level == 0 || bits > 9 + 4)
        return 0;
    return 1u << (bits - 9);
}

/* Stage 1 start level is fixed by T0SZ (D8.2.6): 16..24 -> L0, 25..33 -> L1, 34..39 -> L2. */
static unsigned s1_start_level(unsigned ia_bits)
{
    return ia_bits >= 40 ? 0 : ia_bits >= 31 ? 1 : 2;
}

static err_t check_sizes(enum pt_stage stage, unsigned ia_bits, unsigned oa_bits)
{
    if (stage != PT_STAGE1 && stage != PT_STAGE2)
        return ERR_INVALID;
    if (ia_bits < 25 || ia_bits > 48 || oa_bits < 32 || oa_bits > 48)
        return ERR_RANGE;
    return ERR_NONE;
}

err_t pt_format_init_level(struct pt_format *fmt, enum pt_stage stage, unsigned ia_bits,
                           unsigned oa_bits, unsigned start_level)
{
    if (!fmt)
        return ERR_INVALID;
    err_t e = check_sizes(stage, ia_bits, oa_bits);
    if (e != ERR_NONE)
        return e;
    if (start_level > 3)
        return ERR_INVALID;
    if (stage == PT_STAGE1 && start_level != s1_start_level(ia_bits))
        return ERR_INVALID;
    unsigned pages = root_pages_at(stage, ia_bits, start_level);
    if (pages == 0)
        return ERR_INVALID;
    fmt->stage = stage;
    fmt->ia_bits = ia_bits;
    fmt->oa_bits = oa_bits;
    fmt->start_level = start_level;
    fmt->root_pages = pages;
    return ERR_NONE;
}

err_t pt_format_init(struct pt_format *fmt, enum pt_stage stage, unsigned ia_bits,
                     unsigned oa_bits)
{
    if (!fmt)
        return ERR_INVALID;
    err_t e = check_sizes(stage, ia_bits, oa_bits);
    if (e != ERR_NONE)
        return e;
    if (stage == PT_STAGE1)
        return pt_format_init_level(fmt, stage, ia_bits, oa_bits, s1_start_level(ia_bits));
    /* Fewest levels = the highest allowed start level. Each level has exactly one root
     * size for a given ia_bits, so the "smaller root" tie-break never has to choose. */
    for (unsigned level = 2;; level--) {
        if (root_pages_at(stage, ia_bits, level) != 0)
            return pt_format_init_level(fmt, stage, ia_bits, oa_bits, level);
        if (level == 0)
            break;
    }
    return ERR_RANGE; /* unreachable for 25..48 bits */
}

unsigned pt_format_t0sz(const struct pt_format *fmt) { return 64u - fmt->ia_bits; }

/* VTCR_EL2.SL0 / STE.S2SL0 with TG0 = 4K: 00 L2, 01 L1, 10 L0 (11 L3 needs TTST). */
unsigned pt_format_sl0(const struct pt_format *fmt)
{
    return fmt->start_level <= 2 ? 2u - fmt->start_level : 3u;
}

static bool format_valid(const struct pt_format *fmt)
{
    struct pt_format ref;
    return pt_format_init_level(&ref, fmt->stage, fmt->ia_bits, fmt->oa_bits,
                                fmt->start_level) == ERR_NONE &&
           ref.root_pages == fmt->root_pages;
}

/* ---- attributes ------------------------------------------------------------------- */

/* Upper and lower attributes of a leaf (everything but type and address). */
static err_t leaf_attrs(enum pt_stage stage, struct pt_attrs a, uint64_t *out)
{
    static const uint8_t s2_memattr[] = {
        [PT_MEM_NORMAL_WB] = PTE_S2_MEMATTR_WB,
        [PT_MEM_NORMAL_NC] = PTE_S2_MEMATTR_NC,
        [PT_MEM_DEVICE_nGnRE] = PTE_S2_MEMATTR_nGnRE,
        [PT_MEM_DEVICE_nGnRnE] = PTE_S2_MEMATTR_nGnRnE,
    };
    if ((a.perms & ~(PT_PERM_R | PT_PERM_W | PT_PERM_X)) != 0 ||
        (unsigned)a.mem > PT_MEM_DEVICE_nGnRnE)
        return ERR_INVALID;
    /* Normal memory is inner shareable; SH is ignored for Device memory (leave 00). */
    uint64_t d = PTE_AF;
    if (a.mem == PT_MEM_NORMAL_WB || a.mem == PT_MEM_NORMAL_NC)
        d |= FIELD_PREP(PTE_SH, PTE_SH_ISH);
    if (stage == PT_STAGE2) {
        d |= FIELD_PREP(PTE_S2_MEMATTR, s2_memattr[a.mem]);
        if (a.perms & PT_PERM_R)
            d |= PTE_S2AP_R;
        if (a.perms & PT_PERM_W)
            d |= PTE_S2AP_W;
        if (!(a.perms & PT_PERM_X))
            d |= PTE_S2_XN;
    } else {
        if (!(a.perms & PT_PERM_R))
            return ERR_INVALID; /* AP[2:1] cannot express write-only or no access */
        d |= FIELD_PREP(PTE_S1_ATTRINDX, a.mem) | PTE_S1_NG;
        d |= FIELD_PREP(PTE_S1_AP, (a.perms & PT_PERM_W) ? PTE_S1_AP_RW_ALL : PTE_S1_AP_RO_ALL);
        if (!(a.perms & PT_PERM_X))
            d |= PTE_S1_PXN | PTE_S1_UXN;
    }
    *out = d;
    return ERR_NONE;
}

static struct pt_attrs decode_attrs(enum pt_stage stage, uint64_t d)
{
    struct pt_attrs a = { .perms = 0, .mem = PT_MEM_NORMAL_WB };
    if (stage == PT_STAGE2) {
        unsigned m = (unsigned)FIELD_GET(PTE_S2_MEMATTR, d);
        if (d & PTE_S2AP_R)
            a.perms |= PT_PERM_R;
        if (d & PTE_S2AP_W)
            a.perms |= PT_PERM_W;
        if (!(d & PTE_S2_XN))
            a.perms |= PT_PERM_X;
        if ((m & 0xcu) == 0) /* Device-* */
            a.mem = m == PTE_S2_MEMATTR_nGnRnE ? PT_MEM_DEVICE_nGnRnE : PT_MEM_DEVICE_nGnRE;
        else
            a.mem = m == PTE_S2_MEMATTR_WB ? PT_MEM_NORMAL_WB : PT_MEM_NORMAL_NC;
    } else {
        unsigned idx = (unsigned)FIELD_GET(PTE_S1_ATTRINDX, d);
        a.perms = PT_PERM_R;
        if (FIELD_GET(PTE_S1_AP, d) == PTE_S1_AP_RW_ALL || FIELD_GET(PTE_S1_AP, d) == 0)
            a.perms |= PT_PERM_W;
        if (!(d & PTE_S1_UXN))
            a.perms |= PT_PERM_X;
        a.mem = idx <= PT_S1_MAIR_IDX_DEVICE_nGnRnE ? (enum pt_memtype)idx
                                                     : PT_MEM_DEVICE_nGnRnE;
    }
    return a;
}

/* ---- table allocation and subtree traversal --------------------------------------- */

static err_t table_alloc(struct pt *pt, paddr_t *pa)
{
    err_t e = pool_alloc(pt->pool, 1, pa);
    if (e != ERR_NONE)
        return e;
    if ((*pa & ~PTE_ADDR) != 0) { /* a table must be addressable by NLTA[47:12] */
        pool_free(pt->pool, *pa, 1);
        return ERR_NO_MEMORY;
    }
    pt->tables++;
    return ERR_NONE;
}

static void table_free(struct pt *pt, paddr_t pa)
{
    pool_free(pt->pool, pa, 1);
    pt->tables--;
}

/* An unlinked table that walk caches may still reference: keep it, empty, on the stale
 * list. Word 0 holds the link; a page-aligned address has bits[1:0] = 00, so a walker
 * reading it sees an invalid descriptor. */
static void table_retire(struct pt *pt, paddr_t pa)
{
    pte_write(table_va(pa), pt->stale);
    pt->stale = pa;
    pt->stale_tables++;
}

enum subtree_op {
    SUBTREE_HAS_LEAF, /* report whether any leaf lies below */
    SUBTREE_FREE,     /* free every table below to the pool */
    SUBTREE_RETIRE,   /* move every table below to the stale list */
};

/* Visit the tables below `tbl` (a table at `level` with `nent` entries, itself not
 * released), post-order, with an explicit stack: at most one frame per level. */
static bool subtree(struct pt *pt, uint64_t *tbl, unsigned level, uint64_t nent,
                    enum subtree_op op)
{
    struct {
        uint64_t *tbl;
        paddr_t pa;
        uint64_t idx, nent;
    } st[PT_MAX_LEVELS];
    unsigned sp = 0;

    st[0].tbl = tbl;
    st[0].pa = 0;
    st[0].idx = 0;
    st[0].nent = nent;
    for (;;) {
        if (st[sp].idx == st[sp].nent) {
            if (sp == 0)
                return false;
            if (op == SUBTREE_FREE)
                table_free(pt, st[sp].pa);
            else if (op == SUBTREE_RETIRE)
                table_retire(pt, st[sp].pa);
            sp--;
            continue;
        }
        uint64_t d = pte_read(&st[sp].tbl[st[sp].idx++]);
        if (!pte_valid(d))
            continue;
        if (pte_is_table(d, level + sp)) {
            /* level + sp < 3, so sp + 1 <= 3 - level < PT_MAX_LEVELS */
            sp++;
            st[sp].pa = d & PTE_ADDR;
            st[sp].tbl = table_va(st[sp].pa);
            st[sp].idx = 0;
            st[sp].nent = PT_ENTRIES_PER_TABLE;
        } else if (op == SUBTREE_HAS_LEAF) {
            return true;
        }
    }
}

/* ---- init / destroy --------------------------------------------------------------- */

err_t pt_init(struct pt *pt, const struct pt_format *fmt, struct page_pool *pool)
{
    if (!pt || !fmt || !pool || !format_valid(fmt))
        return ERR_INVALID;
    paddr_t root;
    uint32_t pages = alloc_pages_for(fmt->root_pages);
    err_t e = pool_alloc(pool, pages, &root);
    if (e != ERR_NONE)
        return e;
    if ((root & ~PTE_ADDR) != 0) {
        pool_free(pool, root, pages);
        return ERR_NO_MEMORY;
    }
    pt->fmt = *fmt;
    pt->root = root;
    pt->pool = pool;
    pt->tables = fmt->root_pages; /* a concatenated root counts as its n tables */
    pt->stale = 0;
    pt->stale_tables = 0;
    return ERR_NONE;
}

void pt_reclaim(struct pt *pt)
{
    if (!pt)
        return;
    paddr_t pa = pt->stale;
    for (uint32_t i = 0; i < pt->stale_tables && pa != 0; i++) {
        paddr_t next = pte_read(table_va(pa));
        table_free(pt, pa);
        pa = next;
    }
    pt->stale = 0;
    pt->stale_tables = 0;
}

void pt_destroy(struct pt *pt)
{
    if (!pt || pt->root == 0)
        return;
    subtree(pt, table_va(pt->root), pt->fmt.start_level, root_entries(&pt->fmt),
            SUBTREE_FREE);
    pool_free(pt->pool, pt->root, alloc_pages_for(pt->fmt.root_pages));
    pt->tables -= pt->fmt.root_pages;
    pt_reclaim(pt);
    pt->root = 0;
}

/* ---- map -------------------------------------------------------------------------- */

/* `pte` (at `level`) is invalid and the leaf lives at `leaf_level` > level: build the
 * missing tables privately, then link the first one with a single write. */
PT_SLOW_PATH static err_t map_new_tables(struct pt *pt, uint64_t *pte, unsigned level,
                                         unsigned leaf_level, uint64_t ia, uint64_t leaf)
{
    paddr_t pa[PT_MAX_LEVELS - 1];
    unsigned n = leaf_level - level; /* tables at levels level+1 .. leaf_level */

    if (n == 0 || n > ARRAY_SIZE(pa))
        return ERR_INVALID; /* not reached: the caller has level < leaf_level <= 3 */

    for (unsigned i = 0; i < n; i++) {
        if (table_alloc(pt, &pa[i]) != ERR_NONE) {
            while (i-- > 0)
                table_free(pt, pa[i]);
            return ERR_NO_MEMORY; /* nothing was linked: the tree is unchanged */
        }
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned l = level + 1 + i;
        uint64_t *slot = &table_va(pa[i])[(ia >> LVL_SHIFT(l)) & IDX_MASK];
        pte_write(slot, i + 1 < n ? make_table_desc(pa[i + 1]) : leaf);
    }
    /* The pool zeroed the new tables and we filled them: make all of it visible to the
     * walkers before the link below can lead them there. */
    plat_dsb_ishst();
    pte_write(pte, make_table_desc(pa[0]));
    plat_dsb_ishst(); /* the link itself, before the caller hands the range to a device */
    return ERR_NONE;
}

/* A block slot holds a table: replace it if no leaf lies below, else ERR_EXISTS. */
PT_SLOW_PATH static err_t map_over_table(struct pt *pt, uint64_t *pte, unsigned level,
                                         uint64_t d, uint64_t leaf)
{
    uint64_t *tbl = table_va(d & PTE_ADDR);
    if (subtree(pt, tbl, level + 1, PT_ENTRIES_PER_TABLE, SUBTREE_HAS_LEAF))
        return ERR_EXISTS;
    pte_write(pte, leaf);
    /* Walk caches may still point into the old subtree: keep it until pt_reclaim(). */
    subtree(pt, tbl, level + 1, PT_ENTRIES_PER_TABLE, SUBTREE_RETIRE);
    table_retire(pt, d & PTE_ADDR);
    plat_dsb_ishst(); /* the block is visible to the walkers when we return */
    return ERR_NONE;
}

err_t pt_map(struct pt *pt, uint64_t ia, paddr_t pa, uint64_t size, struct pt_attrs attrs)
{
    unsigned leaf_level;
    uint64_t type;

    if (!pt || pt->root == 0)
        return ERR_INVALID;
    if (size == PAGE_SIZE) {
        leaf_level = 3;
        type = PTE_TYPE_PAGE;
    } else if (size == SIZE_2M) {
        leaf_level = 2;
        type = PTE_TYPE_BLOCK;
    } else if (size == SIZE_1G) {
        leaf_level = 1;
        type = PTE_TYPE_BLOCK;
    } else {
        return ERR_INVALID;
    }
    const struct pt_format *fmt = &pt->fmt;
    if (leaf_level < fmt->start_level)
        return ERR_INVALID; /* e.g. a 1G block in a table that starts at level 2 */
    uint64_t leaf;
    err_t e = leaf_attrs(fmt->stage, attrs, &leaf);
    if (e != ERR_NONE)
        return e;
    if (((ia | pa) & (size - 1)) != 0)
        return ERR_ALIGN;
    uint64_t ia_lim = 1ULL << fmt->ia_bits, oa_lim = 1ULL << fmt->oa_bits;
    if (size > ia_lim || ia > ia_lim - size || size > oa_lim || pa > oa_lim - size)
        return ERR_RANGE;
    leaf |= pa | FIELD_PREP(PTE_TYPE, type);

    /* Walk down to the leaf slot; ia < 2^ia_bits, so the root index needs no mask. */
    unsigned level = fmt->start_level;
    uint64_t *pte = &table_va(pt->root)[ia >> LVL_SHIFT(level)];
    for (; level < leaf_level; level++) {
        uint64_t d = pte_read(pte);
        if (!pte_is_table(d, level)) {
            if (pte_valid(d))
                return ERR_EXISTS; /* a block already covers ia */
            return map_new_tables(pt, pte, level, leaf_level, ia, leaf);
        }
        pte = &table_va(d & PTE_ADDR)[(ia >> LVL_SHIFT(level + 1)) & IDX_MASK];
    }
    uint64_t d = pte_read(pte);
    if (!pte_valid(d)) {
        pte_write(pte, leaf);
        plat_dsb_ishst(); /* visible to the walkers before the caller hands ia out */
        return ERR_NONE;
    }
    if (pte_is_table(d, level))
        return map_over_table(pt, pte, level, d, leaf);
    return ERR_EXISTS;
}

/* ---- walk ------------------------------------------------------------------------- */

/* The leaf entry that translates `ia` (< 2^ia_bits) and its level, or NULL. */
static uint64_t *find_leaf(const struct pt *pt, uint64_t ia, unsigned *level_out)
{
    unsigned level = pt->fmt.start_level;
    uint64_t *pte = &table_va(pt->root)[ia >> LVL_SHIFT(level)];
    for (;;) {
        uint64_t d = pte_read(pte);
        if (pte_is_leaf(d, level)) {
            *level_out = level;
            return pte;
        }
        if (!pte_is_table(d, level))
            return NULL; /* invalid (or reserved) */
        level++;
        pte = &table_va(d & PTE_ADDR)[(ia >> LVL_SHIFT(level)) & IDX_MASK];
    }
}

err_t pt_walk(const struct pt *pt, uint64_t ia, struct pt_walk_result *out)
{
    if (!pt || !out || pt->root == 0)
        return ERR_INVALID;
    if ((ia >> pt->fmt.ia_bits) != 0)
        return ERR_RANGE;
    unsigned level;
    const uint64_t *pte = find_leaf(pt, ia, &level);
    if (!pte)
        return ERR_NOT_MAPPED;
    uint64_t d = pte_read(pte), span = LVL_SIZE(level);
    out->desc = d;
    out->level = level;
    out->leaf_size = span;
    out->pa = (d & PTE_ADDR & ~(span - 1)) | (ia & (span - 1));
    out->attrs = decode_attrs(pt->fmt.stage, d);
    return ERR_NONE;
}

/* ---- unmap ------------------------------------------------------------------------ */

/* True if the leaf holding `addr` (if any) extends outside [start, end). */
static bool leaf_straddles(const struct pt *pt, uint64_t addr, uint64_t start, uint64_t end)
{
    unsigned level;
    if (!find_leaf(pt, addr, &level))
        return false;
    uint64_t base = ALIGN_DOWN(addr, LVL_SIZE(level));
    return base < start || base + LVL_SIZE(level) > end;
}

err_t pt_unmap(struct pt *pt, uint64_t ia, uint64_t size, struct pt_inval *inv)
{
    struct pt_inval dummy;
    if (!inv)
        inv = &dummy;
    inv->ia = ia;
    inv->size = 0;
    inv->leaf_level = 0;
    inv->leaves = 0;
    if (!pt || pt->root == 0)
        return ERR_INVALID;
    if (((ia | size) & (PAGE_SIZE - 1)) != 0)
        return ERR_ALIGN;
    uint64_t lim = 1ULL << pt->fmt.ia_bits;
    if (size > lim || ia > lim - size)
        return ERR_RANGE;
    if (size == 0)
        return ERR_NONE;
    const uint64_t end = ia + size;

    /* Check first, then clear. Only the first and the last leaf of the range can stick
     * out of it. The first one is checked in the loop below before anything is cleared;
     * the last one here, unless the range is one page (then it is the first one). */
    if (size > PAGE_SIZE && leaf_straddles(pt, end - 1, ia, end))
        return ERR_INVALID;

    /* One cursor, one table per level on an explicit path. Runs of invalid entries are
     * skipped by a tight scan; an invalid entry skips its whole span (a missing L2 table
     * skips 262144 pages in one step). */
    const unsigned start = pt->fmt.start_level;
    uint64_t *tbl[PT_MAX_LEVELS];
    unsigned level = start;
    uint64_t addr = ia, first = 0, last = 0;
    unsigned leaf_level = 0;
    uint32_t leaves = 0;

    tbl[start] = table_va(pt->root);
    while (addr < end) {
        const unsigned shift = LVL_SHIFT(level);
        const uint64_t span = 1ULL << shift;
        uint64_t idx = addr >> shift;
        if (level != start)
            idx &= IDX_MASK;
        uint64_t *const p = &tbl[level][idx];
        uint64_t d = pte_read(p);
        if (pte_is_table(d, level)) {
            level++;
            tbl[level] = table_va(d & PTE_ADDR);
            continue;
        }
        /* Scan the entries of this table that [addr, end) touches (up to the end of the
         * range or of the table; the root ends at `lim`), clearing leaves, until the
         * next table entry. */
        uint64_t stop = lim;
        if (level != start)
            stop = ALIGN_DOWN(addr, LVL_SIZE(level - 1)) + LVL_SIZE(level - 1);
        if (stop > end)
            stop = end;
        const uint64_t n = ((stop - 1) >> shift) - (addr >> shift) + 1;
        const uint64_t base = ALIGN_DOWN(addr, span);
        uint64_t k = 0;
        for (;;) {
            if (pte_is_leaf(d, level)) {
                uint64_t b = base + k * span;
                if (leaves == 0) {
                    if (b < ia || b + span > end)
                        return ERR_INVALID; /* first leaf: nothing cleared yet */
                    first = b;
                    leaf_level = level;
                } else if (leaf_level != level) {
                    leaf_level = 0;
                }
                pte_write(&p[k], 0);
                last = b + span;
                leaves++;
            }
            do { /* tight skip over invalid entries */
                if (++k == n)
                    goto table_done;
                d = pte_read(&p[k]);
            } while (!pte_valid(d));
            if (pte_is_table(d, level))
                break; /* the next iteration descends into it */
        }
    table_done:
        addr = base + k * span;
        /* Leave each table whose last entry we just passed. */
        while (level > start && (addr & (LVL_SIZE(level - 1) - 1)) == 0)
            level--;
    }
    if (leaves != 0) {
        /* The cleared entries must be visible to the walkers before the caller's TLBI
         * and CMD_SYNC, otherwise a walk after the invalidation could refill the TLB. */
        plat_dsb_ishst();
        inv->ia = first;
        inv->size = last - first;
        inv->leaf_level = leaf_level;
        inv->leaves = leaves;
    }
    return ERR_NONE;
}

/* ---- caller-provided tables ------------------------------------------------------- */

err_t pt_init_at(struct pt *pt, const struct pt_format *fmt, paddr_t root, struct page_pool *pool)
{
    if (!pt || !fmt || !format_valid(fmt))
        return ERR_INVALID;
    uint64_t bytes = (uint64_t)alloc_pages_for(fmt->root_pages) * PAGE_SIZE;
    if (root == 0 || (root & (bytes - 1)) != 0 || (root & ~PTE_ADDR) != 0)
        return ERR_ALIGN;
    pt->fmt = *fmt;
    pt->root = root;
    pt->pool = pool;
    pt->tables = fmt->root_pages;
    pt->stale = 0;
    pt->stale_tables = 0;
    return ERR_NONE;
}

err_t pt_lookup(const struct pt *pt, uint64_t ia, unsigned *level, uint64_t *desc)
{
    if (!pt || !level || !desc || pt->root == 0)
        return ERR_INVALID;
    if ((ia >> pt->fmt.ia_bits) != 0)
        return ERR_RANGE;
    unsigned l = pt->fmt.start_level;
    const uint64_t *pte = &table_va(pt->root)[ia >> LVL_SHIFT(l)];
    for (;;) { /* at most PT_MAX_LEVELS steps: l grows to 3 */
        uint64_t d = pte_read(pte);
        if (!pte_is_table(d, l)) {
            *level = l;
            *desc = d;
            return ERR_NONE;
        }
        l++;
        pte = &table_va(d & PTE_ADDR)[(ia >> LVL_SHIFT(l)) & IDX_MASK];
    }
}

/* The entry at `level` (>= start) covering ia, through tables only; NULL if a table above
 * it is missing (or a block covers ia). */
static uint64_t *entry_at(const struct pt *pt, uint64_t ia, unsigned level)
{
    unsigned l = pt->fmt.start_level;
    uint64_t *pte = &table_va(pt->root)[ia >> LVL_SHIFT(l)];
    for (; l < level; l++) {
        uint64_t d = pte_read(pte);
        if (!pte_is_table(d, l))
            return NULL;
        pte = &table_va(d & PTE_ADDR)[(ia >> LVL_SHIFT(l + 1)) & IDX_MASK];
    }
    return pte;
}

static err_t check_table_args(const struct pt *pt, uint64_t ia, unsigned level, paddr_t table_pa)
{
    if (!pt || pt->root == 0 || level <= pt->fmt.start_level || level > 3)
        return ERR_INVALID;
    if ((table_pa & (PAGE_SIZE - 1)) != 0 || (table_pa & ~PTE_ADDR) != 0 || table_pa == 0)
        return ERR_ALIGN;
    if ((ia >> pt->fmt.ia_bits) != 0)
        return ERR_RANGE;
    return ERR_NONE;
}

err_t pt_install_table(struct pt *pt, uint64_t ia, unsigned level, paddr_t table_pa)
{
    err_t e = check_table_args(pt, ia, level, table_pa);
    if (e != ERR_NONE)
        return e;
    uint64_t *pte = entry_at(pt, ia, level - 1);
    if (!pte)
        return ERR_NOT_MAPPED;
    if (pte_valid(pte_read(pte)))
        return ERR_EXISTS;
    /* The caller zeroed the table: make that visible before the link can lead there. */
    plat_dsb_ishst();
    pte_write(pte, make_table_desc(table_pa));
    plat_dsb_ishst();
    pt->tables++;
    return ERR_NONE;
}

err_t pt_remove_table(struct pt *pt, uint64_t ia, unsigned level, paddr_t table_pa)
{
    err_t e = check_table_args(pt, ia, level, table_pa);
    if (e != ERR_NONE)
        return e;
    uint64_t *pte = entry_at(pt, ia, level - 1);
    if (!pte)
        return ERR_NOT_MAPPED;
    uint64_t d = pte_read(pte);
    if (!pte_is_table(d, level - 1) || (d & PTE_ADDR) != table_pa)
        return ERR_NOT_MAPPED;
    pte_write(pte, 0);
    plat_dsb_ishst(); /* visible to the walkers before the caller's TLBI */
    pt->tables--;
    return ERR_NONE;
}
