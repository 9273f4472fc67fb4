/* ARMv8 VMSA translation tables, 4 KiB granule, 64-bit descriptors (DS=0).
 *
 * One table format serves the CPU and the SMMU: a stage-2 table built here is loaded
 * unchanged as VTTBR_EL2 by the CPU and as STE.S2TTB by the SMMU (no copies). The stage
 * (1 or 2) is a parameter of the format so stage 1 shares the walker and allocator.
 *
 * Tables come from a caller-given page pool. Unmap reports what must be invalidated;
 * the caller batches it into the SMMU command queue (and the CPU TLBI). */
#ifndef PGTABLE_PGTABLE_H
#define PGTABLE_PGTABLE_H

#include "../lib/bits.h"
#include "../lib/err.h"
#include "../lib/pool.h"
#include "../lib/types.h"

/* ---- Descriptor fields: Arm ARM (DDI 0487) D8.3 "Translation table descriptor
 * formats", VMSAv8-64, 4 KB granule, DS=0 (see notes/smmuv3-fields.md section 7). */
#define PTE_VALID           BIT(0)
#define PTE_TYPE            GENMASK(1, 0)
#define PTE_TYPE_BLOCK      1u /* levels 1-2 (level-0 blocks need DS=1) */
#define PTE_TYPE_TABLE      3u /* levels 0-2 */
#define PTE_TYPE_PAGE       3u /* level 3 */
#define PTE_ADDR            GENMASK(47, 12) /* NLTA[47:12] of a table, OA[47:12] of a page */
#define PTE_SH              GENMASK(9, 8)   /* both stages: 00 NSH, 10 OSH, 11 ISH */
#define PTE_SH_ISH          3u
#define PTE_AF              BIT(10)         /* both stages: access flag */
/* Stage 1 lower attributes (D8.3.2) */
#define PTE_S1_ATTRINDX     GENMASK(4, 2)   /* index of a byte of MAIR / CD.MAIR */
#define PTE_S1_AP           GENMASK(7, 6)   /* AP[2:1] */
#define PTE_S1_AP_RW_ALL    1u              /* 01: read/write at EL1 and EL0 */
#define PTE_S1_AP_RO_ALL    3u              /* 11: read-only at EL1 and EL0 */
#define PTE_S1_NG           BIT(11)         /* not global: tagged by ASID */
#define PTE_S1_PXN          BIT(53)
#define PTE_S1_UXN          BIT(54)
/* Stage 2 lower attributes (D8.3.2, FWB=0) */
#define PTE_S2_MEMATTR      GENMASK(5, 2)
#define PTE_S2_MEMATTR_WB   0xfu            /* Normal, outer WB : inner WB */
#define PTE_S2_MEMATTR_NC   0x5u            /* Normal, outer NC : inner NC */
#define PTE_S2_MEMATTR_nGnRE 0x1u           /* Device-nGnRE */
#define PTE_S2_MEMATTR_nGnRnE 0x0u          /* Device-nGnRnE */
#define PTE_S2AP            GENMASK(7, 6)
#define PTE_S2AP_R          BIT(6)
#define PTE_S2AP_W          BIT(7)
/* XN[1] only: 0b10 forbids execution at every EL with or without FEAT_XNX (trap D14). */
#define PTE_S2_XN           BIT(54)

/* Stage-1 memory attributes: AttrIndx n selects byte n of this MAIR value, which the
 * user of a stage-1 table must program (MAIR_EL1 on the CPU, CD.MAIR for the SMMU):
 *   index 0 = 0xFF Normal WB RA WA (inner+outer), 1 = 0x44 Normal NC,
 *   index 2 = 0x04 Device-nGnRE,                  3 = 0x00 Device-nGnRnE.
 * The index equals the enum pt_memtype value. Bytes 4..7 are 0 (unused). */
#define PT_S1_MAIR_IDX_NORMAL_WB     0u
#define PT_S1_MAIR_IDX_NORMAL_NC     1u
#define PT_S1_MAIR_IDX_DEVICE_nGnRE  2u
#define PT_S1_MAIR_IDX_DEVICE_nGnRnE 3u
#define PT_S1_MAIR 0x000444ffULL

/* Geometry limits of this format (4 KB granule). */
#define PT_MAX_LEVELS 4u
#define PT_ENTRIES_PER_TABLE 512u
#define PT_MAX_ROOT_PAGES 16u

enum pt_stage { PT_STAGE1 = 1, PT_STAGE2 = 2 };

/* Geometry of one table tree: input size, start level, concatenated root tables. */
struct pt_format {
    enum pt_stage stage;
    unsigned ia_bits;     /* input address bits: 25..48 */
    unsigned oa_bits;     /* output address bits: 32..48 */
    unsigned start_level; /* 0..3 (4K granule) */
    unsigned root_pages;  /* concatenated root tables (stage 2 only; 1 for stage 1) */
};

/* Fill `fmt` for the given stage and sizes, with the start level that the architecture
 * allows and needs the fewest levels (stage 2 concatenates up to 16 root tables; stage 1
 * never concatenates). ERR_RANGE for sizes outside the limits. */
err_t pt_format_init(struct pt_format *fmt, enum pt_stage stage, unsigned ia_bits,
                     unsigned oa_bits);

/* Same, with an explicit start level; ERR_INVALID if the architecture forbids the pair. */
err_t pt_format_init_level(struct pt_format *fmt, enum pt_stage stage, unsigned ia_bits,
                           unsigned oa_bits, unsigned start_level);

/* Encodings for the VTCR_EL2 / STE S2 fields: T0SZ and SL0 (4K granule). */
unsigned pt_format_t0sz(const struct pt_format *fmt);
unsigned pt_format_sl0(const struct pt_format *fmt);

/* Access permissions; stage 2 maps them to S2AP and XN, stage 1 to AP[2:1] and XN. */
#define PT_PERM_R 1u
#define PT_PERM_W 2u
#define PT_PERM_X 4u

enum pt_memtype {
    PT_MEM_NORMAL_WB = 0, /* normal, write-back cacheable, inner shareable */
    PT_MEM_NORMAL_NC,     /* normal non-cacheable */
    PT_MEM_DEVICE_nGnRE,
    PT_MEM_DEVICE_nGnRnE,
};

struct pt_attrs {
    unsigned perms;        /* PT_PERM_* ; a stage-2 mapping with no permission is allowed */
    enum pt_memtype mem;
};

struct pt {
    struct pt_format fmt;
    paddr_t root;              /* physical address of the (concatenated) root */
    struct page_pool *pool;    /* where intermediate tables come from */
    uint32_t tables;           /* tables allocated, root included (for benchmarks) */
    /* Tables unlinked by pt_map when it replaced an empty table subtree with a block.
     * The SMMU or CPU may still hold walk-cache entries pointing at them, so they stay
     * allocated (each one empty, linked through its word 0, which reads as an invalid
     * descriptor) until the caller has invalidated the table's TLBs and walk caches and
     * calls pt_reclaim(). pt_destroy() frees them too. */
    paddr_t stale;             /* head of the list, 0 if empty */
    uint32_t stale_tables;     /* tables on that list */
};

/* Allocate an empty root from `pool`. */
err_t pt_init(struct pt *pt, const struct pt_format *fmt, struct page_pool *pool);

/* Free every table (root included) back to the pool. Mapped frames are not touched. */
void pt_destroy(struct pt *pt);

/* Return the stale tables (see struct pt) to the pool. Call only after the TLB and walk
 * caches of this table (by VMID / ASID) have been invalidated and the invalidation has
 * completed (CMD_SYNC, DSB), so nothing can walk them any more. */
void pt_reclaim(struct pt *pt);

/* Map one page or block: size is 4K, 2M or 1G; ia and pa aligned to size; ia inside the
 * input range, pa inside the output range. ERR_EXISTS if any part of [ia, ia+size) is
 * already mapped (nothing is changed then). ERR_NO_MEMORY if a table cannot be allocated
 * (tables allocated by this call are released again).
 * Error order: size, level or attributes (ERR_INVALID: a size the start level cannot
 * hold, unknown perms/mem, or a stage-1 mapping without PT_PERM_R), then ERR_ALIGN, then
 * ERR_RANGE, then ERR_EXISTS / ERR_NO_MEMORY.
 * A block whose slot holds a table subtree without any leaf (left behind by unmaps)
 * replaces it; the unlinked tables become stale (see struct pt, pt_reclaim). */
err_t pt_map(struct pt *pt, uint64_t ia, paddr_t pa, uint64_t size, struct pt_attrs attrs);

/* What a TLB must forget after an unmap: the input range and the level of the leaf
 * entries removed (3 for pages, 2 for 2M blocks, 1 for 1G blocks; 0 if mixed). */
struct pt_inval {
    uint64_t ia;
    uint64_t size;        /* 0 when nothing was unmapped */
    unsigned leaf_level;  /* TTL hint */
    uint32_t leaves;      /* leaf entries cleared */
};

/* Unmap every leaf inside [ia, ia+size) (4K-aligned). A block that straddles either end
 * of the range is ERR_INVALID (nothing changed): unmap never splits blocks. Unmapping an
 * empty range is not an error (inv->size is 0). Tables are kept for later maps.
 * ERR_ALIGN if ia or size is not 4K-aligned, ERR_RANGE if the range leaves the input
 * range. inv->ia/size span the first to the last leaf cleared (a block's whole extent);
 * absent subtrees are skipped a whole table at a time. */
err_t pt_unmap(struct pt *pt, uint64_t ia, uint64_t size, struct pt_inval *inv);

/* Translate one input address. ERR_NOT_MAPPED if there is no leaf, ERR_RANGE if `ia` is
 * outside the input range. */
struct pt_walk_result {
    paddr_t pa;            /* output address of `ia` itself */
    uint64_t leaf_size;    /* 4K, 2M or 1G */
    unsigned level;
    struct pt_attrs attrs;
    uint64_t desc;         /* raw leaf descriptor */
};
err_t pt_walk(const struct pt *pt, uint64_t ia, struct pt_walk_result *out);

/* ---- Caller-provided tables (the capability kernel: tables are user-retyped objects) --- */

/* Adopt a caller-given, zeroed root of fmt->root_pages pages, aligned to its size (a
 * concatenated root must be). `pool` may be NULL: pt_map then never allocates a table
 * (ERR_NO_MEMORY where one is missing) and pt_destroy must not be called. */
err_t pt_init_at(struct pt *pt, const struct pt_format *fmt, paddr_t root, struct page_pool *pool);

/* Walk toward `ia` through the existing tables and stop at the first entry that is not a
 * table descriptor (or at level 3): *level and *desc are that entry's level and value
 * (an invalid, block or page descriptor). ERR_RANGE if ia is outside the input range. */
err_t pt_lookup(const struct pt *pt, uint64_t ia, unsigned *level, uint64_t *desc);

/* Link the caller's zeroed table at `table_pa` as the level-`level` table covering `ia`
 * (its descriptor goes in the level-`level - 1` entry; level is start_level + 1 .. 3).
 * ERR_INVALID (level), ERR_ALIGN (table_pa not page aligned or outside NLTA),
 * ERR_RANGE (ia), ERR_NOT_MAPPED (no level-`level - 1` table covers ia: an intermediate
 * table is missing), ERR_EXISTS (the entry is valid: a table or block is there). Nothing
 * changes on error. The table is made visible (dsb) before the link is written. */
err_t pt_install_table(struct pt *pt, uint64_t ia, unsigned level, paddr_t table_pa);

/* Unlink the level-`level` table at `table_pa` that covers `ia`. ERR_NOT_MAPPED if the
 * covering entry does not point at it (nothing changes). The caller then invalidates the
 * TLBs and walk caches for the table's whole span (LVL span of level - 1) before the
 * table's memory is reused or cleared. Leaves inside the table are left as they are. */
err_t pt_remove_table(struct pt *pt, uint64_t ia, unsigned level, paddr_t table_pa);

/* Bytes one entry of a level-`level` table maps: 1G at 1, 2M at 2, 4K at 3. */
static inline uint64_t pt_level_entry_size(unsigned level) { return 1ULL << (39u - 9u * level); }

#endif
