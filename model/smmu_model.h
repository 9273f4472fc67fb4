/* A reference model of an Arm SMMUv3 (IHI 0070 G.b), for host tests: our executable
 * specification. It is written from the architecture text, not from src/smmuv3/ (it has
 * its own field definitions and shares no header with the driver).
 *
 * The model registers as an MMIO device on the host platform (src/plat/host) and reads
 * and writes the same memory the driver programs: stream table, context descriptors,
 * translation tables and queues. Host "physical" addresses are process addresses, so
 * every access the model makes goes through a list of RAM windows the test registers
 * (model_add_ram); an access outside them is an external abort (F_STE_FETCH,
 * F_CD_FETCH, F_WALK_EABT, CERROR_ABT, GERROR.EVENTQ_ABT_ERR), never a host crash.
 *
 * What it implements (section numbers of IHI 0070):
 *  - the Non-secure register file (6.3): IDRs, CR0/CR0ACK, CR1/CR2, GBPA with Update,
 *    IRQ_CTRL/ACK, GERROR/GERRORN, STRTAB_BASE(_CFG), CMDQ and EVENTQ BASE/PROD/CONS
 *    with CONS.ERR and OVFLG/OVACKFLG; guarded registers ignore writes while their
 *    queue or SMMUEN is on (the v3.2 rule) and count a programming violation;
 *  - command consumption (4, 7.1) on every CMDQ_PROD write, CR0 write and GERRORN
 *    acknowledge: all Non-secure opcodes, CERROR_ILL for reserved opcodes, Secure-only
 *    opcodes, SSec=1, features the ID registers do not advertise, reserved TLBI range
 *    encodings and (check_res0) non-zero RES0 fields; CONS stays at the bad entry and
 *    GERROR.CMDQ_ERR toggles until GERRORN acknowledges it;
 *  - invalidation that completes at the next CMD_SYNC (4.3.8, 4.4): a configuration
 *    cache (L1STD, STE, L1CD, CD) and a TLB with walk caches, tagged by translation
 *    regime, VMID, ASID, level and granule, that keep an entry until exactly the
 *    invalidations the architecture says remove it (CFGI Leaf, TLBI Leaf, TG/TTL,
 *    range, S2_IPA not touching combined stage 1+2 entries, ...). Caching is as eager
 *    as the architecture allows: every structure fetched is cached, valid or not (3.21.3);
 *  - translation (3.3, 5.2, 5.4, Arm ARM D8) of (StreamID, SubstreamID, address,
 *    access) through linear and 2-level stream tables, STE abort/bypass/S1/S2/nested,
 *    linear and 2-level CD tables, VMSAv8-64 4K-granule stage-1 and stage-2 walks with
 *    permissions, Access flag, address size; STE (5.2.2) and CD (5.4.2) validity;
 *  - event records (7.3) written to the event queue, the translation faults only when
 *    CD.R / STE.S2R allow (4a of the notes), with overflow (7.4), and optionally
 *    QEMU's behaviour (a full queue raises GERROR.EVENTQ_ABT_ERR instead);
 *  - GBPA bypass/abort when SMMUEN = 0 (3.11);
 *  - fault injection knobs and counters for tests.
 *
 * Not modelled (documented limits): Secure/Realm interfaces, stalls (the model behaves
 * as IDR0.STALL_MODEL = 0b01 and reports so), ATS/PRI (commands are accepted as no-ops
 * only if the IDRs advertise them), 16K/64K granules and 52-bit descriptors (an STE or
 * CD asking for them is reported as C_BAD_STE / C_BAD_CD), HTTU dirty state, MPAM,
 * event merging. The host is little-endian; big-endian walks are refused (TTENDIAN). */
#ifndef MODEL_SMMU_MODEL_H
#define MODEL_SMMU_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_MMIO_SIZE 0x20000u  /* page 0 and page 1 */
#define MODEL_MAX_RAM 16
#define MODEL_CFG_ENTRIES 512     /* configuration cache capacity (FIFO eviction) */
#define MODEL_TLB_ENTRIES 4096    /* TLB + walk cache capacity (FIFO eviction) */
#define MODEL_PENDING_INV 256     /* invalidations waiting for a CMD_SYNC */
#define MODEL_WATCH 16            /* (SID, address) pairs prefetched after each command */

/* Event numbers (7.3). */
enum model_event {
    MEV_NONE = 0x00,
    MEV_F_UUT = 0x01,
    MEV_C_BAD_STREAMID = 0x02,
    MEV_F_STE_FETCH = 0x03,
    MEV_C_BAD_STE = 0x04,
    MEV_F_STREAM_DISABLED = 0x06,
    MEV_C_BAD_SUBSTREAMID = 0x08,
    MEV_F_CD_FETCH = 0x09,
    MEV_C_BAD_CD = 0x0a,
    MEV_F_WALK_EABT = 0x0b,
    MEV_F_TRANSLATION = 0x10,
    MEV_F_ADDR_SIZE = 0x11,
    MEV_F_ACCESS = 0x12,
    MEV_F_PERMISSION = 0x13,
};

/* CMDQ_CONS.ERR codes (7.1). */
enum model_cerror { MCERROR_NONE = 0, MCERROR_ILL = 1, MCERROR_ABT = 2, MCERROR_ATC_INV_SYNC = 3 };

/* Interrupt lines (3.18; QEMU virt wires them as SPIs). */
enum model_irq { MIRQ_EVENTQ, MIRQ_PRIQ, MIRQ_CMD_SYNC, MIRQ_GERROR, MIRQ_COUNT };

struct model_config {
    uintptr_t base;                  /* MMIO window: [base, base + MODEL_MMIO_SIZE) */
    uint32_t idr[6], iidr, aidr;     /* identification registers */
    uint32_t gbpa_reset;             /* GBPA at reset (QEMU: 0x1000, bypass) */
    bool check_res0;                 /* 4.1.5: treat non-zero RES0 command fields as ILL */
    bool qemu_eventq_overflow;       /* full queue -> GERROR.EVENTQ_ABT_ERR, no OVFLG */
    bool dirty_reset;                /* 3.11: caches hold junk at reset (bypass STEs,
                                        TLB entries): software must invalidate them */
};

/* Fault injection. Every knob can be changed at any time. */
struct model_inject {
    bool never_ack_cr0;        /* CR0ACK never follows CR0 (the old value stays in use) */
    bool gbpa_stuck;           /* GBPA.Update never clears (and the new value never applies) */
    bool never_complete_sync;  /* a CMD_SYNC is never consumed: CONS stays at it */
    long fail_cmd_in;          /* >= 0: the command that many commands from now fails */
    enum model_cerror fail_cmd_code; /* ... with this error (ILL or ABT) */
    bool fail_cmd_corrupt;     /* ... and its opcode is overwritten with a reserved one in
                                  memory, so it stays bad until software replaces it */
    bool eventq_full;          /* the event queue behaves as full */
    bool eventq_write_abort;   /* event record writes abort (GERROR.EVENTQ_ABT_ERR) */
    uint64_t abort_lo, abort_hi; /* accesses to [lo, hi) abort (fetch faults) */
};

struct model_stats {
    uint64_t cmds;             /* commands consumed */
    uint64_t cmd_op[256];      /* ... by opcode */
    uint64_t syncs;            /* CMD_SYNCs completed */
    uint64_t cmd_errors;       /* command queue errors raised */
    uint64_t syncs_withheld;   /* times a CMD_SYNC was held back (never_complete_sync) */
    uint64_t translations;     /* model_translate* calls */
    uint64_t allowed;          /* ... that reached memory */
    uint64_t faults;           /* ... that were terminated (with or without an event) */
    uint64_t events_written;   /* records written to the event queue */
    uint64_t events_dropped;   /* records discarded because the queue was full (7.4) */
    uint64_t events_discarded; /* records discarded: queue disabled or aborted (7.2.1) */
    uint64_t events_unrecorded;/* faults not recorded: CD.R / STE.S2R / CR2.RECINVSID = 0 */
    uint64_t cfg_hits, cfg_misses, cfg_evictions;
    uint64_t tlb_hits, tlb_misses, walk_hits, tlb_evictions;
    uint64_t cfg_invalidated, tlb_invalidated; /* entries removed by invalidation */
    uint64_t prefetches;       /* structures / translations fetched by prefetch */
    uint64_t illegal_ste_seen; /* prefetched STEs with V=1 that were ILLEGAL (a mixture) */
    uint64_t irqs[MIRQ_COUNT]; /* interrupt pulses */
    uint64_t msi_writes;       /* CMD_SYNC MSI writes */
    uint64_t violations;       /* software broke a programming rule (see last_violation) */
};

struct model_cfg_entry;
struct model_tlb_entry;

/* One input transaction. */
struct model_txn {
    uint32_t sid;
    bool ssv;          /* a SubstreamID is supplied */
    uint32_t ssid;
    uint64_t addr;     /* input address: VA (stage 1), IPA (stage 2 only) */
    bool write;
    bool priv;         /* PnU: privileged (default unprivileged, as PCIe) */
    bool instr;        /* InD: instruction fetch (reads only) */
};

/* What happened to it. */
struct model_result {
    bool allowed;      /* the access reaches memory at pa */
    uint64_t pa;
    bool bypassed;     /* GBPA or STE bypass: pa == addr */
    bool raz_wi;       /* terminated as RAZ/WI (CD.A = 0 with TERM_MODEL = 0), not aborted */
    uint8_t event;     /* event the transaction caused (MEV_NONE if none, even if silent) */
    bool recorded;     /* ... written to the event queue */
    bool dropped;      /* ... lost: queue full (overflow) */
    bool s2;           /* translation fault at stage 2 */
    uint8_t class_;    /* 0 CD, 1 TT, 2 IN */
    uint64_t ipa;      /* IPA (stage 2 faults) or fetch address */
    bool tlb_hit;      /* the final translation came from the TLB */
    bool cfg_hit;      /* the STE came from the configuration cache */
};

struct smmu_model {
    struct model_config cfg;
    struct model_inject inject;
    struct model_stats stats;
    const char *last_violation;

    /* memory the model may access */
    struct { uint64_t base, size; } ram[MODEL_MAX_RAM];
    unsigned nram;

    /* registers (6.3); *_ack hold the values in effect */
    uint32_t cr0, cr0ack, cr1, cr2, gbpa, irq_ctrl, irq_ctrlack, gerror, gerrorn;
    uint64_t gerror_irq_cfg0, eventq_irq_cfg0;
    uint32_t gerror_irq_cfg1, gerror_irq_cfg2, eventq_irq_cfg1, eventq_irq_cfg2;
    uint64_t strtab_base;
    uint32_t strtab_base_cfg;
    uint64_t cmdq_base, eventq_base;
    uint32_t cmdq_prod, cmdq_cons, eventq_prod, eventq_cons;
    bool busy;         /* inside command processing (no re-entry from hooks) */

    /* caches */
    struct model_cfg_entry *cfgc;  /* MODEL_CFG_ENTRIES */
    struct model_tlb_entry *tlb;   /* MODEL_TLB_ENTRIES */
    unsigned ncfg, ntlb;           /* live entries (kept dense at the front) */
    unsigned cfg_next, tlb_next;   /* replacement cursors when full */
    uint64_t pending[MODEL_PENDING_INV][2]; /* consumed invalidations awaiting CMD_SYNC */
    unsigned npending;

    /* prefetch watch list: after every consumed command the model fetches the STE (and
     * the translation, if with_addr) of each watched stream, as 3.21.3 allows */
    bool prefetch_every_cmd;
    struct { uint32_t sid; uint64_t addr; bool with_addr; } watch[MODEL_WATCH];
    unsigned nwatch;

    /* optional observers */
    void (*irq_hook)(struct smmu_model *m, enum model_irq line, void *ctx);
    void *irq_ctx;
    void (*sync_hook)(struct smmu_model *m, void *ctx); /* after each CMD_SYNC completes */
    void *sync_ctx;
};

/* QEMU 10 virt's identification registers (shared/notes/qemu-virt-smmuv3.md). */
void model_default_config(struct model_config *c, uintptr_t base);

/* Reset (3.11) and register the MMIO window. Allocates the caches (model_fini frees). */
void model_init(struct smmu_model *m, const struct model_config *c);
void model_fini(struct smmu_model *m);

/* Memory the model may access (queues, tables, DMA targets). */
void model_add_ram(struct smmu_model *m, const void *base, size_t size);

/* A device transaction. model_translate: unprivileged data access without SubstreamID;
 * returns true and *pa if it reaches memory. */
bool model_translate(struct smmu_model *m, uint32_t sid, uint64_t iova, bool is_write, uint64_t *pa);
bool model_translate_ex(struct smmu_model *m, const struct model_txn *t, struct model_result *r);

/* Fetch and cache what a transaction would use, without events (CMD_PREFETCH_* or
 * speculation, 3.21.3, 4.2). Returns true if a translation was cached. */
bool model_prefetch(struct smmu_model *m, uint32_t sid, uint64_t addr, bool with_addr);
/* Add to the list prefetched after every consumed command (prefetch_every_cmd). */
void model_watch(struct smmu_model *m, uint32_t sid, uint64_t addr, bool with_addr);

/* Cache contents, for tests and reports. */
unsigned model_cfg_count(const struct smmu_model *m);
unsigned model_tlb_count(const struct smmu_model *m);
/* Drop every cached entry (a model operation, not an SMMU command). */
void model_flush_caches(struct smmu_model *m);

/* Process the command queue now (commands are otherwise consumed on register writes). */
void model_kick(struct smmu_model *m);

/* Active global errors: GERROR xor GERRORN. */
uint32_t model_gerror_active(const struct smmu_model *m);
/* Event queue records waiting for software (PROD - CONS). */
unsigned model_eventq_pending(const struct smmu_model *m);

const char *model_event_name(uint8_t type);

#endif
