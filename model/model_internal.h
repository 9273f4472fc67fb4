/* Internals of the SMMUv3 model: register offsets, field extraction in the spec's
 * notation, cache entries, and the functions the model's files share. Field positions
 * are those of IHI 0070 G.b (chapters 4, 5, 6, 7) and Arm DDI 0487 D8 (descriptors). */
#ifndef MODEL_INTERNAL_H
#define MODEL_INTERNAL_H

#include "smmu_model.h"

/* bits(w, hi, lo) = w[hi:lo], as the spec writes fields. */
static inline uint64_t bits(uint64_t w, unsigned hi, unsigned lo)
{
    unsigned n = hi - lo + 1;
    return n >= 64 ? w >> lo : (w >> lo) & ((1ULL << n) - 1);
}
static inline bool bit(uint64_t w, unsigned b) { return (w >> b) & 1; }
static inline uint64_t mask_hi_lo(unsigned hi, unsigned lo)
{
    return (hi >= 63 ? ~0ULL : ((1ULL << (hi + 1)) - 1)) & ~((1ULL << lo) - 1);
}

/* ---- registers, 6.2 (page 0 at +0, page 1 at +0x10000) ---- */
enum {
    R_IDR0 = 0x00, R_IDR1 = 0x04, R_IDR2 = 0x08, R_IDR3 = 0x0c, R_IDR4 = 0x10, R_IDR5 = 0x14,
    R_IIDR = 0x18, R_AIDR = 0x1c, R_CR0 = 0x20, R_CR0ACK = 0x24, R_CR1 = 0x28, R_CR2 = 0x2c,
    R_STATUSR = 0x40, R_GBPA = 0x44, R_AGBPA = 0x48, R_IRQ_CTRL = 0x50, R_IRQ_CTRLACK = 0x54,
    R_GERROR = 0x60, R_GERRORN = 0x64, R_GERROR_IRQ_CFG0 = 0x68, R_GERROR_IRQ_CFG1 = 0x70,
    R_GERROR_IRQ_CFG2 = 0x74, R_STRTAB_BASE = 0x80, R_STRTAB_BASE_CFG = 0x88,
    R_CMDQ_BASE = 0x90, R_CMDQ_PROD = 0x98, R_CMDQ_CONS = 0x9c, R_EVENTQ_BASE = 0xa0,
    R_EVENTQ_PROD_P0 = 0xa8, R_EVENTQ_CONS_P0 = 0xac, /* 6.2: CONSTRAINED UNPREDICTABLE alias */
    R_EVENTQ_IRQ_CFG0 = 0xb0, R_EVENTQ_IRQ_CFG1 = 0xb8, R_EVENTQ_IRQ_CFG2 = 0xbc,
    R_PRIQ_BASE = 0xc0, R_PRIQ_IRQ_CFG0 = 0xd0,
    R_EVENTQ_PROD = 0x100a8, R_EVENTQ_CONS = 0x100ac, R_PRIQ_PROD = 0x100c8, R_PRIQ_CONS = 0x100cc,
};

/* IDR0 (6.3.1) */
#define IDR0_S2P(i) bit(i, 0)
#define IDR0_S1P(i) bit(i, 1)
#define IDR0_TTF(i) bits(i, 3, 2)
#define IDR0_HTTU(i) bits(i, 7, 6)
#define IDR0_HYP(i) bit(i, 9)
#define IDR0_ATS(i) bit(i, 10)
#define IDR0_ASID16(i) bit(i, 12)
#define IDR0_MSI(i) bit(i, 13)
#define IDR0_SEV(i) bit(i, 14)
#define IDR0_PRI(i) bit(i, 16)
#define IDR0_VMW(i) bit(i, 17)
#define IDR0_VMID16(i) bit(i, 18)
#define IDR0_CD2L(i) bit(i, 19)
#define IDR0_STALL_MODEL(i) bits(i, 25, 24)
#define IDR0_TERM_MODEL(i) bit(i, 26)
#define IDR0_ST_LEVEL(i) bits(i, 28, 27)
#define IDR0_TTENDIAN(i) bits(i, 22, 21)
/* IDR1 (6.3.2) */
#define IDR1_SIDSIZE(i) bits(i, 5, 0)
#define IDR1_SSIDSIZE(i) bits(i, 10, 6)
#define IDR1_EVENTQS(i) bits(i, 20, 16)
#define IDR1_CMDQS(i) bits(i, 25, 21)
/* IDR3 (6.3.4) */
#define IDR3_XNX(i) bit(i, 4)
#define IDR3_MPAM(i) bit(i, 7)
#define IDR3_RIL(i) bit(i, 10)
#define IDR3_DPT(i) bit(i, 15)
/* IDR5 (6.3.6) */
#define IDR5_OAS(i) bits(i, 2, 0)
#define IDR5_GRAN4K(i) bit(i, 4)
#define IDR5_DS(i) bit(i, 7)

/* CR0 (6.3.9) */
#define CR0_SMMUEN (1u << 0)
#define CR0_PRIQEN (1u << 1)
#define CR0_EVENTQEN (1u << 2)
#define CR0_CMDQEN (1u << 3)
/* CR2 (6.3.12) */
#define CR2_E2H (1u << 0)
#define CR2_RECINVSID (1u << 1)
/* GBPA (6.3.14) */
#define GBPA_UPDATE (1u << 31)
#define GBPA_ABORT (1u << 20)
/* IRQ_CTRL (6.3.17) */
#define IRQ_GERROR_EN (1u << 0)
#define IRQ_PRIQ_EN (1u << 1)
#define IRQ_EVENTQ_EN (1u << 2)
/* GERROR (6.3.19) */
#define GERR_CMDQ (1u << 0)
#define GERR_EVENTQ_ABT (1u << 2)
#define GERR_MSI_CMDQ_ABT (1u << 4)
#define GERR_SFM (1u << 8)
/* queue PROD/CONS (6.3.27, 6.3.28, 6.3.30, 6.3.31) */
#define Q_IDX_BITS 20u
#define Q_OVFLG (1u << 31)
#define CMDQ_CONS_ERR(v) bits(v, 30, 24)

/* ---- configuration cache and TLB entries ---- */
enum cfg_kind { CFG_FREE = 0, CFG_L1STD, CFG_STE, CFG_L1CD, CFG_CD };

struct model_cfg_entry {
    uint8_t kind;
    uint32_t sid;      /* STE, L1CD, CD: StreamID that located it; L1STD: the L1 index */
    uint32_t index;    /* L1CD: L1 index; CD: CD table index */
    uint8_t split;     /* L1CD: log2(CDs per leaf table) it was fetched with */
    uint64_t w[8];     /* the structure as fetched (L1 descriptors use w[0]) */
};

/* Translation regimes ("StreamWorld", 3.17) the model tags entries with. */
enum tlb_world { W_EL1 = 1, W_EL2 = 2 };
/* What an entry caches: a leaf of one stage, a combined stage 1+2 leaf, or a table
 * descriptor (walk cache) of one stage. */
enum tlb_kind { T_FREE = 0, T_S1, T_S2, T_S12, T_WALK_S1, T_WALK_S2 };

struct model_tlb_entry {
    uint8_t kind, world, level; /* level of the leaf or of the table holding the descriptor */
    bool global;                /* stage-1 leaf with nG = 0: matches every ASID */
    uint16_t vmid, asid;
    uint64_t ia;                /* input address (VA or IPA) of the entry, aligned to its span */
    unsigned span_log2;         /* bytes covered: 2^span_log2 */
    uint64_t out;               /* leaf: output address of ia; walk: next-level table address */
    uint64_t ipa;               /* T_S12: IPA of ia (for stage-2 fault reports) */
    uint64_t s1d, s2d;          /* leaf descriptors (permissions, attributes) */
    uint8_t s1_table;           /* accumulated stage-1 APTable[1:0] << 2 | UXNTable << 1 | PXNTable */
};

/* ---- shared between the model's files ---- */
/* model_mem.c: accesses to test-registered RAM; false = external abort. */
bool mem_read64(struct smmu_model *m, uint64_t pa, uint64_t *v);
bool mem_write64(struct smmu_model *m, uint64_t pa, uint64_t v);
bool mem_write32(struct smmu_model *m, uint64_t pa, uint32_t v);
void model_violation(struct smmu_model *m, const char *what);
unsigned oas_bits(const struct smmu_model *m);
unsigned ps_bits(unsigned code);

/* model_regs.c */
unsigned q_log2(uint64_t base_reg, unsigned idr_max);
uint64_t q_base(const struct smmu_model *m, uint64_t base_reg, unsigned log2, unsigned entry);
unsigned eventq_log2(const struct smmu_model *m);
void gerror_raise(struct smmu_model *m, uint32_t bit_mask);
void irq_pulse(struct smmu_model *m, enum model_irq line);
/* Write one 32-byte record; sets *recorded / *dropped. */
void eventq_record(struct smmu_model *m, const uint64_t rec[4], bool *recorded, bool *dropped);

/* model_cmd.c */
void cmdq_process(struct smmu_model *m);

/* model_cache.c */
struct model_cfg_entry *cfg_lookup(struct smmu_model *m, enum cfg_kind k, uint32_t sid, uint32_t index);
void cfg_insert(struct smmu_model *m, enum cfg_kind k, uint32_t sid, uint32_t index, unsigned split,
                const uint64_t *w, unsigned nw);
void cfg_invalidate_sids(struct smmu_model *m, uint64_t first, uint64_t count, bool leaf);
void cfg_invalidate_cd(struct smmu_model *m, uint32_t sid, bool all, uint32_t ssid, bool leaf);
struct model_tlb_entry *tlb_insert(struct smmu_model *m, const struct model_tlb_entry *e);

/* Scope of a TLB invalidation (4.4), matched against every entry. */
struct tlbi_scope {
    uint8_t world;            /* W_EL1 or W_EL2 */
    bool stage1, stage2, s12; /* which kinds of entries are in scope */
    bool match_vmid;
    uint16_t vmid;
    bool match_asid;          /* non-global entries of this ASID (global ones too if by_va) */
    uint16_t asid;
    bool nonglobal_only;      /* TLBI_*_ASID: global entries stay */
    bool by_addr;             /* [lo, hi) restricts the entries */
    uint64_t lo, hi;
    bool leaf_only;           /* Leaf = 1: walk-cache entries stay */
    unsigned ttl;             /* 0 any level; 1..3: only leaves at that level */
    bool tg_mismatch;         /* TG names a granule the model does not use: nothing matches */
};
void tlb_invalidate(struct smmu_model *m, const struct tlbi_scope *s);

/* model_xlate.c */
void translate(struct smmu_model *m, const struct model_txn *t, struct model_result *r, bool silent);
unsigned strtab_split(const struct smmu_model *m);

#endif
