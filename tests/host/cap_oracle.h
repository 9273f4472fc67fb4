/* The capability invariant of the SMMU subsystem, checked against what the hardware sees.
 *
 * A "world" is the kernel booted on a heap region with the SMMU stand-in registered as
 * SMMU 0, driven only through the generated user stubs and the host seL4_Call. Every
 * invocation made through this module (cw_*) is followed by the full check:
 *
 *   For every test StreamID and every IOVA page of the test window, whatever a DMA can
 *   reach (the STE the stand-in fetches, the stage-2 table it points at, walked by this
 *   file's own walker, plus every TLB and walk-cache entry the SMMU may still hold, see
 *   below) must be justified by capabilities that still exist in the root CNode: the SID
 *   cap; a binding made through BindCB to a CB whose user cap exists, which has a VSpace
 *   (through AssignVspace) whose user cap exists and is the table the STE walks; and a
 *   frame cap for the physical page, mapped (through Page_Map) at that IOVA in that
 *   VSpace with at least the right used (write needs a RW mapping). Bypass needs a
 *   successful SID_Bypass while a bypass cap of the SMMU still exists. Un-issued SIDs and
 *   SIDs whose caps were deleted abort.
 *
 * The TLB model: after every check, every translation a device could have used (each
 * leaf and each table descriptor of every walk) is assumed cached, tagged with the STE's
 * VMID. A cached entry is dropped only when the stand-in consumes a CMD_SYNC after a
 * TLBI that covers it (TLBI_S2_IPA by address or range, honouring Leaf and TTL;
 * TLBI_S12_VMALL; TLBI_NSNH_ALL). Cached entries count as reachable in later checks.
 * STEs likewise: a permissive STE (bypass or stage 2) seen at a check stays cached until
 * a CFGI_STE/CFGI_ALL for it is followed by CMD_SYNC; if memory holds a different STE by
 * the end of a call, that is a violation.
 *
 * Other checks after every call: a call that returned an error changed nothing visible
 * (root CNode slots, kernel SMMU object state, STEs, what each SID reaches); a call that
 * removed a leaf or a table from a VSpace issued, before returning, a TLBI covering that
 * IPA for the VMID of every CB using the VSpace (Leaf=0 or VMALL/NSNH_ALL for a removed
 * table), followed by CMD_SYNC; Delete empties exactly its slot and Revoke exactly the
 * caps derived from the revoked one; no two live objects overlap in memory; no error is
 * counted by the hardware layer. */
#ifndef TESTS_CAP_ORACLE_H
#define TESTS_CAP_ORACLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sel4/errors.h>
#include <sel4/types.h>

struct cw_config {
    unsigned mem_bits;     /* the kernel boots on a 2^mem_bits heap region (>= 20) */
    unsigned test_slots;   /* slots the sequences play in (<= 128) */
    bool no_ril;           /* clear IDR3.RIL in the stand-in (QEMU sets it) */
};

enum cw_op {
    CW_RETYPE, CW_PAGE_MAP, CW_PAGE_UNMAP, CW_PT_MAP, CW_PT_UNMAP, CW_GET_SID, CW_GET_CB,
    CW_ASSIGN, CW_UNASSIGN, CW_BIND, CW_UNBIND, CW_GET_BYPASS, CW_BYPASS, CW_COPY, CW_MOVE,
    CW_DELETE, CW_REVOKE, CW_CB_TLBI_ALL, CW_CB_TLBI, CW_CBCTL_TLBI_ALL, CW_RAW,
    CW_USER_WRITE, CW_NOPS
};

enum cw_violation {
    CV_SID_DEAD,        /* a non-abort STE for a SID without a live SID cap */
    CV_UNBOUND,         /* a stage-2 STE without a live BindCB binding */
    CV_NO_VSPACE,       /* the bound CB has no live VSpace, or the STE walks another table */
    CV_VMID,            /* the STE's VMID is not its CB's */
    CV_DMA,             /* a DMA reaches a page no frame mapping justifies */
    CV_BYPASS,          /* bypass without a SID_Bypass and a live bypass cap */
    CV_STE_FORMAT,      /* an STE this kernel never writes (S1, nested, bad S2 fields) */
    CV_STE_STALE,       /* a cached permissive STE changed without CFGI + CMD_SYNC */
    CV_WALK_TABLE,      /* the SMMU walks memory that is not a live table of that VSpace */
    CV_ALIAS,           /* two live objects overlap */
    CV_ERROR_CHANGED,   /* a call that failed changed something */
    CV_TLBI,            /* a removed leaf without a covering TLBI + CMD_SYNC */
    CV_TLBI_WALK,       /* a removed table without a Leaf=0 (or VMALL) TLBI + CMD_SYNC */
    CV_SLOTS,           /* the CNode changed in a way the call does not allow */
    CV_REVOKE,          /* revoke/delete left a cap it had to delete */
    CV_OVERREACH,       /* revoke/delete removed a cap not derived from its target */
    CV_TRUNCATED,       /* a malformed call succeeded */
    CV_HW,              /* the hardware layer counted an error / GERROR */
    CV_MODEL,           /* a cap's fields disagree with what the calls made */
    CV_NKINDS
};

struct cw_stats {
    unsigned long steps;
    unsigned long op[CW_NOPS];
    unsigned long op_err[CW_NOPS][seL4_NumErrors];
    unsigned long err[seL4_NumErrors];
    unsigned long checks;        /* full invariant checks (one after every call) */
    unsigned long dma_checks;    /* (SID, IOVA page, outcome) pairs judged */
    unsigned long tlbi_checks;   /* (VMID, IPA) removals whose invalidation was checked */
    unsigned long error_checks;  /* failed calls compared against their snapshot */
    unsigned long cached_outcomes; /* DMA outcomes that came only from the TLB model */
    unsigned long log_overflow;  /* calls whose command log overflowed (checks skipped) */
    unsigned long violations;
    unsigned long vkind[CV_NKINDS];
};

/* Boot a fresh world (global state: one world at a time). 0 on success. */
int cw_init(const struct cw_config *cfg);
void cw_fini(void);

/* Decode one operation and its arguments from a byte source and run it (with checks).
 * Bytes select ops, slots (mostly ones holding a fitting cap), addresses (mostly in the
 * window, sometimes unaligned or out of range) and rights. */
typedef uint8_t (*cw_next_byte)(void *ctx);
void cw_step(cw_next_byte next, void *ctx);

/* The world's slots. */
seL4_CPtr cw_slot(unsigned i);      /* test slot i (< cfg.test_slots) */
seL4_CPtr cw_untyped(unsigned i);   /* one of 4 64 KiB untypeds made at boot */
seL4_CPtr cw_boot_sid(unsigned i);  /* SIDs 0x10, 0x18 */
seL4_CPtr cw_boot_cb(unsigned i);   /* CBs 0, 1 */
seL4_CPtr cw_sid_control(void);
seL4_CPtr cw_cb_control(void);
uint64_t cw_window_page(unsigned i); /* IOVA page i of the window */
unsigned cw_window_pages(void);

/* Operations, each run through the stubs and followed by every check. */
seL4_Error cw_retype(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr dest, seL4_Word n);
seL4_Error cw_page_map(seL4_CPtr frame, seL4_CPtr vs, seL4_Word va, seL4_CapRights_t rights);
seL4_Error cw_page_unmap(seL4_CPtr frame);
seL4_Error cw_pt_map(seL4_CPtr pt, seL4_CPtr vs, seL4_Word va);
seL4_Error cw_pt_unmap(seL4_CPtr pt);
seL4_Error cw_get_sid(seL4_Word smmu_id, seL4_Word sid, seL4_CPtr dest, seL4_Uint8 depth);
seL4_Error cw_get_cb(seL4_Word cb, seL4_CPtr dest, seL4_Uint8 depth);
seL4_Error cw_assign(seL4_CPtr cb, seL4_CPtr vs);
seL4_Error cw_unassign(seL4_CPtr cb);
seL4_Error cw_bind(seL4_CPtr sid, seL4_CPtr cb);
seL4_Error cw_unbind(seL4_CPtr sid);
seL4_Error cw_get_bypass(seL4_CPtr dest, seL4_Uint8 depth);
seL4_Error cw_bypass(seL4_CPtr sid, seL4_CPtr bypass);
seL4_Error cw_copy(seL4_CPtr src, seL4_CPtr dest, seL4_CapRights_t rights);
seL4_Error cw_move(seL4_CPtr src, seL4_CPtr dest);
seL4_Error cw_delete(seL4_CPtr slot);
seL4_Error cw_revoke(seL4_CPtr slot);
seL4_Error cw_cb_tlbi_all(seL4_CPtr cb);
seL4_Error cw_cb_tlbi(seL4_CPtr cb, seL4_Word va, seL4_Word size);
seL4_Error cw_cbctl_tlbi_all(void);
/* A malformed call: `label` on `cap` with `words` message words and `caps` extra caps
 * (fewer than the invocation needs, or a label the cap does not have): must fail. */
seL4_Error cw_raw(seL4_CPtr cap, seL4_Word label, unsigned words, unsigned caps);
/* What the holder of a writable frame cap can do: write a word into the frame (through
 * a mapping of its own). Not a system call; checked like one. Refused (returns
 * seL4_IllegalOperation, nothing written) unless `frame` holds a RW frame cap. */
seL4_Error cw_user_write(seL4_CPtr frame, unsigned word_index, uint64_t value);

/* A descriptor value for cw_user_write: a stage-2 page (level 3) or table descriptor,
 * RW, pointing at `pa`. */
uint64_t cw_page_desc(uint64_t pa);
uint64_t cw_table_desc(uint64_t pa);
/* Memory a DMA must never reach: the root CNode's first page. */
uint64_t cw_secret_pa(void);
/* Physical address of the object a slot's cap names (0 for none), and the cap's type
 * (0: null; numbering of src/kernel/structures.bf). */
uint64_t cw_cap_pa(seL4_CPtr slot);
unsigned cw_cap_type(seL4_CPtr slot);
/* For the oracle's own tests: a memory write the kernel would make (e.g. clearing a
 * descriptor without invalidating), checked like a call. */
void cw_poke(uint64_t pa, uint64_t value);

/* What the invariant's own walker says `sid` reaches at `iova` right now (no TLB). */
enum cw_view { CW_ABORT, CW_BYPASS_VIEW, CW_FAULT, CW_OK };
enum cw_view cw_device_view(uint32_t sid, uint64_t iova, bool write, uint64_t *pa);

/* Results. Stats accumulate over worlds until cw_stats_reset. */
const struct cw_stats *cw_get_stats(void);
void cw_stats_reset(void);
void cw_print_stats(FILE *f);
/* Violations: counted in the stats; each is reported once to `sink` (default: stderr)
 * with the step number and the recent operations. Categories in the comma-separated
 * environment variable CAP_ORACLE_IGNORE (names as in cw_violation_name) are not
 * counted (for triage while a known bug is open). */
const char *cw_violation_name(enum cw_violation v);
void cw_set_report_stream(FILE *sink);
unsigned long cw_violations(void);
/* Stop reporting after this many violations (the test stops the run; default 8). */
void cw_set_report_limit(unsigned n);

#endif
