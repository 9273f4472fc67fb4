/* The capability invariant (see cap_oracle.h): a model kept from the calls that succeeded
 * and the caps still in the root CNode, judged against the hardware-visible state (STEs
 * fetched through the stand-in, stage-2 tables walked by this file's own walker, and a
 * TLB / walk-cache / STE-cache model driven by the commands the stand-in consumes).
 * Hosted test code: libc is fine here. */
#include "cap_oracle.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>

#include "kernel/boot.h"
#include "kernel/syscall.h"
#include "lib/bits.h"
#include "libsel4/host/sel4_host.h"
#include "object/smmu_boot.h"
#include "object/smmu_object.h"
#include "plat/plat.h"
#include "smmu_fixture.h"
#include "smmuv3/regs.h"

#define DEPTH 64
#define ROOT seL4_CapInitThreadCNode
#define RADIX 8u
#define NSLOTS (1u << RADIX)
#define N_UT 4u
#define UT_BITS 16u
#define MAX_OBJS 16384u
#define TLB_MAX 8192u
#define TRACE_LEN 48u
#define MAX_TEST_SLOTS 128u

/* seL4 vm_rights (capFVMRights) and the permissions a mapping grants. */
#define VM_KERNEL 1u
#define VM_RO 2u
#define VM_RW 3u
#define P_R 1u
#define P_W 2u

#define DESC_ADDR GENMASK(47, 12)
#define DESC_S2AP_R BIT(6)
#define DESC_S2AP_W BIT(7)
#define DESC_AF BIT(10)

/* ---- the world --------------------------------------------------------------------------- */

static const struct smmu_boot_sid boot_sids[] = { { .smmu_id = 0, .sid = 0x10 }, { .smmu_id = 0, .sid = 0x18 } };

/* StreamIDs whose device view is checked: the boot ones, ones GetSID issues and deletes,
 * 0x22 which is never requested (its level-2 array exists once 0x20 is issued). */
static const uint32_t test_sids[] = { 0x10, 0x18, 0x20, 0x21, 0x22, 0x1f0, 0xffff };
#define NTSID (sizeof(test_sids) / sizeof(test_sids[0]))
/* What GetSID is asked for: the test SIDs but 0x22, and out-of-range ones. */
static const uint64_t request_sids[] = { 0x10, 0x18, 0x20, 0x21, 0x1f0, 0xffff, 0x10000, 0xffffffffULL,
                                         0x100000000ULL };

/* The IOVA window: pages under two L1 entries, three L3 tables, and the top of the IPA
 * space. Every successful mapping lands here (the generator only makes others fail). */
static const uint64_t window[] = { 0x3fffc000, 0x3fffd000, 0x3fffe000, 0x3ffff000, 0x40000000, 0x40001000,
                                   0x40002000, 0x40003000, 0x40200000, 0x40201000, 0xfffffff000ULL };
#define NWIN (sizeof(window) / sizeof(window[0]))

static struct cw_config cfg;
static struct fixture fx;
static void *mem;
static uint64_t mem_base, mem_size;
static struct kernel_thread root_thread;
static seL4_IPCBuffer ipc;
static seL4_BootInfo bi;
static cte_t *cnode;
static seL4_CPtr ut_slot[N_UT];
static seL4_CPtr test_base;
static bool world_up;
static bool world_full; /* model tables exhausted: further steps are skipped */

/* ---- the model ----------------------------------------------------------------------------- */

enum okind { OK_NONE, OK_UNTYPED, OK_FRAME, OK_PT, OK_VS, OK_SID, OK_CB, OK_BYPASS, OK_SIDCTL, OK_CBCTL, OK_CNODE };

struct obj {
    uint8_t kind;
    uint32_t parent;   /* the untyped or control object it came from (0: boot) */
    uint64_t pa, size; /* memory objects */
    uint64_t value;    /* SID number or CB index */
    uint32_t bound_cb; /* SID: the CB object of its last successful BindCB (0: none) */
    bool bypass;       /* SID: a successful SID_Bypass since issue/unbind */
    uint32_t vs;       /* CB: the VSpace object of its last successful AssignVspace */
};

struct slotm {
    uint32_t obj;
    bool original;     /* created by Retype/Get*, or an untyped copy: revoking it revokes */
    uint8_t vm;        /* frames: VM_* rights of this cap */
    bool mapped;       /* frames: mapped by a successful Page_Map, not unmapped since */
    uint32_t map_vs;
    uint64_t map_va;
    uint8_t map_perms;
};

static struct obj objs[MAX_OBJS];
static uint32_t nobjs;
static struct slotm sm[NSLOTS];
static uint32_t alive_stamp[MAX_OBJS];
static uint32_t stamp;

static bool alive(uint32_t id) { return id != 0 && id < MAX_OBJS && alive_stamp[id] == stamp; }

/* Per-check digests of the CNode: mapped frames, live page tables, SID caps, bypass caps. */
struct mapped_frame {
    uint32_t vs;
    uint64_t va, pa, size;
    uint8_t perms;
};
static struct mapped_frame mapped[NSLOTS];
static unsigned nmapped;
static uint64_t live_pts[NSLOTS];
static unsigned nlive_pts;
static bool any_bypass;

static void compute_alive(void)
{
    stamp++;
    nmapped = nlive_pts = 0;
    any_bypass = false;
    for (unsigned i = 0; i < NSLOTS; i++) {
        uint32_t o = sm[i].obj;
        if (!o)
            continue;
        alive_stamp[o] = stamp;
        switch (objs[o].kind) {
        case OK_FRAME:
            if (sm[i].mapped)
                mapped[nmapped++] = (struct mapped_frame){ sm[i].map_vs, sm[i].map_va, objs[o].pa, objs[o].size,
                                                           sm[i].map_perms };
            break;
        case OK_PT:
            live_pts[nlive_pts++] = objs[o].pa;
            break;
        case OK_BYPASS:
            any_bypass = true;
            break;
        default:
            break;
        }
    }
}

static uint32_t new_obj(uint8_t kind, uint32_t parent, uint64_t pa, uint64_t size, uint64_t value)
{
    if (nobjs + 1 >= MAX_OBJS) {
        world_full = true;
        return 0;
    }
    uint32_t id = ++nobjs;
    objs[id] = (struct obj){ .kind = kind, .parent = parent, .pa = pa, .size = size, .value = value };
    return id;
}

/* ---- the TLB, walk-cache and STE-cache model ---------------------------------------------- */

struct tlb_ent {
    bool live;
    bool leaf;
    uint16_t vmid;
    uint8_t level;     /* leaf: its level; walk entry: the level of the table descriptor */
    uint8_t perms;
    uint64_t base, span;
    uint64_t out;      /* leaf: output base; walk entry: next-level table */
    int32_t chain;     /* next entry in the same hash bucket, -1 at the end */
};
#define TLB_BUCKETS 1024u
static struct tlb_ent tlb[TLB_MAX];
static unsigned ntlb;
static int32_t tlb_head[TLB_BUCKETS];

/* Entries are hashed by (VMID, level, base): a lookup for an IPA probes one bucket per
 * level (the base is the IPA aligned to that level's span). */
static unsigned tlb_hash(uint16_t vmid, unsigned level, uint64_t base)
{
    uint64_t h = (base >> 12) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)vmid << 7) ^ level;
    return (unsigned)(h >> 40) & (TLB_BUCKETS - 1);
}

static void tlb_reset(void)
{
    ntlb = 0;
    for (unsigned i = 0; i < TLB_BUCKETS; i++)
        tlb_head[i] = -1;
}

struct ste_cache {
    bool valid;
    uint64_t dw[8];
};
static struct ste_cache ste_cache[NTSID];
static unsigned log_done; /* stand-in log entries already applied to the model */

/* ---- results ---------------------------------------------------------------------------------- */

static struct cw_stats stats;
static FILE *report;
static unsigned report_limit = 8;
static unsigned reported;
static char trace[TRACE_LEN][160];
static unsigned trace_n;
static unsigned long step_no;
static bool step_reported;
static uint32_t ignore_mask;
static bool ignore_parsed;

static const char *const vnames[CV_NKINDS] = {
    [CV_SID_DEAD] = "sid_dead",       [CV_UNBOUND] = "unbound",       [CV_NO_VSPACE] = "no_vspace",
    [CV_VMID] = "vmid",               [CV_DMA] = "dma",               [CV_BYPASS] = "bypass",
    [CV_STE_FORMAT] = "ste_format",   [CV_STE_STALE] = "ste_stale",   [CV_WALK_TABLE] = "walk_table",
    [CV_ALIAS] = "alias",             [CV_ERROR_CHANGED] = "error_changed", [CV_TLBI] = "tlbi",
    [CV_TLBI_WALK] = "tlbi_walk",     [CV_SLOTS] = "slots",           [CV_REVOKE] = "revoke",
    [CV_OVERREACH] = "overreach",         [CV_TRUNCATED] = "truncated",
    [CV_HW] = "hw",                   [CV_MODEL] = "model",
};
static const char *const opnames[CW_NOPS] = {
    "Untyped_Retype", "Page_Map", "Page_Unmap", "PageTable_Map", "PageTable_Unmap", "SIDControl_GetSID",
    "CBControl_GetCB", "CB_AssignVspace", "CB_UnassignVspace", "SID_BindCB", "SID_UnbindCB",
    "SIDControl_GetBypass", "SID_Bypass", "CNode_Copy", "CNode_Move", "CNode_Delete", "CNode_Revoke",
    "CB_TLBInvalidateAll", "CB_TLBInvalidate", "CBControl_TLBInvalidateAll", "malformed call", "user write",
};
static const char *const errnames[seL4_NumErrors] = {
    "NoError", "InvalidArgument", "InvalidCapability", "IllegalOperation", "RangeError", "AlignmentError",
    "FailedLookup", "TruncatedMessage", "DeleteFirst", "RevokeFirst", "NotEnoughMemory",
};

const char *cw_violation_name(enum cw_violation v) { return v < CV_NKINDS ? vnames[v] : "?"; }
void cw_set_report_stream(FILE *sink) { report = sink; }
void cw_set_report_limit(unsigned n) { report_limit = n; }
unsigned long cw_violations(void) { return stats.violations; }
const struct cw_stats *cw_get_stats(void) { return &stats; }
void cw_stats_reset(void)
{
    memset(&stats, 0, sizeof(stats));
    reported = 0;
}

static void parse_ignore(void)
{
    if (ignore_parsed)
        return;
    ignore_parsed = true;
    const char *env = getenv("CAP_ORACLE_IGNORE");
    if (!env)
        return;
    for (unsigned v = 0; v < CV_NKINDS; v++) {
        size_t n = strlen(vnames[v]);
        for (const char *p = env; (p = strstr(p, vnames[v])) != NULL; p += n)
            if ((p == env || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
                ignore_mask |= 1u << v;
    }
}

static void tracef(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(trace[trace_n % TRACE_LEN], sizeof(trace[0]), fmt, ap);
    va_end(ap);
    trace_n++;
}

static void violation(enum cw_violation kind, const char *fmt, ...)
{
    parse_ignore();
    if (ignore_mask & (1u << kind))
        return;
    stats.violations++;
    stats.vkind[kind]++;
    if (reported >= report_limit)
        return;
    reported++;
    FILE *f = report ? report : stderr;
    va_list ap;
    va_start(ap, fmt);
    fprintf(f, "VIOLATION [%s] after step %lu: ", vnames[kind], step_no);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    va_end(ap);
    if (!step_reported) {
        step_reported = true;
        unsigned first = trace_n > TRACE_LEN ? trace_n - TRACE_LEN : 0;
        fprintf(f, "  last operations (oldest first):\n");
        for (unsigned i = first; i < trace_n; i++)
            fprintf(f, "    %s\n", trace[i % TRACE_LEN]);
    }
}

void cw_print_stats(FILE *f)
{
    fprintf(f, "steps %lu, invariant checks %lu, DMA outcomes judged %lu (%lu from the TLB model), "
               "TLBI requirements checked %lu, failed calls compared %lu, command-log overflows %lu\n",
            stats.steps, stats.checks, stats.dma_checks, stats.cached_outcomes, stats.tlbi_checks,
            stats.error_checks, stats.log_overflow);
    fprintf(f, "invocations by kind (total, then by result):\n");
    for (unsigned o = 0; o < CW_NOPS; o++) {
        fprintf(f, "  %-27s %6lu:", opnames[o], stats.op[o]);
        for (unsigned e = 0; e < seL4_NumErrors; e++)
            if (stats.op_err[o][e])
                fprintf(f, " %s %lu", errnames[e], stats.op_err[o][e]);
        fputc('\n', f);
    }
    fprintf(f, "errors by seL4_Error:");
    for (unsigned e = 0; e < seL4_NumErrors; e++)
        fprintf(f, " %s %lu%s", errnames[e], stats.err[e], e + 1 < seL4_NumErrors ? "," : "\n");
    fprintf(f, "violations %lu", stats.violations);
    for (unsigned v = 0; v < CV_NKINDS; v++)
        if (stats.vkind[v])
            fprintf(f, " (%s %lu)", vnames[v], stats.vkind[v]);
    fputc('\n', f);
}

/* ---- the walker (independent of src/pgtable) ------------------------------------------------ */

static bool in_heap(uint64_t pa, uint64_t len)
{
    return pa >= mem_base && len <= mem_size && pa - mem_base <= mem_size - len;
}

enum wstat { W_FAULT, W_LEAF, W_OUTSIDE };
struct walk_table {
    unsigned level;              /* level of the table descriptor */
    uint64_t region, span, next; /* the input region it covers, the table it points at */
};
struct walk {
    enum wstat st;
    uint64_t pa, base, span; /* leaf: pa of the IOVA, the leaf's input base and size */
    unsigned level, perms;
    unsigned nt;
    struct walk_table t[4];
    uint64_t bad; /* W_OUTSIDE: the table address outside RAM */
};

static unsigned lvl_shift(unsigned l) { return 39u - 9u * l; }

/* Walk from the table at `table` (level `level`, 2^idx_bits entries) toward `ipa`. */
static void walk_from(uint64_t table, unsigned level, unsigned idx_bits, uint64_t ipa, struct walk *w)
{
    w->nt = 0;
    w->st = W_FAULT;
    for (unsigned l = level; l <= 3; l++) {
        unsigned bits = l == level ? idx_bits : 9u;
        uint64_t entries = 1ULL << bits;
        if (!in_heap(table, entries * 8) || (table & 7)) {
            w->st = W_OUTSIDE;
            w->bad = table;
            return;
        }
        uint64_t d = ((const uint64_t *)plat_phys_to_virt(table))[(ipa >> lvl_shift(l)) & (entries - 1)];
        uint64_t span = 1ULL << lvl_shift(l);
        if (!(d & 1))
            return;
        if (l < 3 && (d & 3) == 3) {
            w->t[w->nt].level = l;
            w->t[w->nt].region = ipa & ~(span - 1);
            w->t[w->nt].span = span;
            w->t[w->nt].next = d & DESC_ADDR;
            w->nt++;
            table = d & DESC_ADDR;
            continue;
        }
        if ((l == 3 && (d & 3) == 3) || ((l == 1 || l == 2) && (d & 3) == 1)) {
            /* A leaf. The access flag is ignored: the SMMU may manage it (HTTU). */
            w->st = W_LEAF;
            w->level = l;
            w->span = span;
            w->base = ipa & ~(span - 1);
            w->pa = (d & DESC_ADDR & ~(span - 1)) | (ipa & (span - 1));
            w->perms = ((d & DESC_S2AP_R) ? P_R : 0) | ((d & DESC_S2AP_W) ? P_W : 0);
            return;
        }
        return; /* reserved encodings fault */
    }
}

/* The stage-2 geometry an STE describes. */
struct s2geo {
    unsigned ia_bits, start, root_bits;
    uint64_t root;
    uint16_t vmid;
    bool ok;
};

static struct s2geo ste_geo(const uint64_t *dw)
{
    struct s2geo g = { 0 };
    unsigned t0sz = (unsigned)FIELD_GET(STE2_S2T0SZ, dw[2]);
    unsigned sl0 = (unsigned)FIELD_GET(STE2_S2SL0, dw[2]);
    g.vmid = (uint16_t)FIELD_GET(STE2_S2VMID, dw[2]);
    g.root = dw[3] & STE3_S2TTB;
    g.ia_bits = 64 - t0sz;
    if (sl0 > 2 || t0sz > 64 || g.ia_bits < 25 || g.ia_bits > 48 || FIELD_GET(STE2_S2TG, dw[2]) != 0)
        return g;
    g.start = 2 - sl0;
    if (g.ia_bits <= lvl_shift(g.start) || g.ia_bits - lvl_shift(g.start) > 13)
        return g;
    g.root_bits = g.ia_bits - lvl_shift(g.start);
    g.ok = true;
    return g;
}

static void walk_ste(const struct s2geo *g, uint64_t ipa, struct walk *w)
{
    if (ipa >> g->ia_bits) {
        w->st = W_FAULT;
        w->nt = 0;
        return;
    }
    walk_from(g->root, g->start, g->root_bits, ipa, w);
}

/* A VSpace root as the kernel formats it: level 1, 2 x 512 entries. */
static void walk_vspace(uint64_t root, uint64_t ipa, struct walk *w) { walk_from(root, 1, 10, ipa, w); }

/* ---- STEs ------------------------------------------------------------------------------------ */

enum stekind { STE_ABORT, STE_BYPASS, STE_S2, STE_OTHER };

static enum stekind fetch_ste(uint32_t sid, uint64_t dw[8])
{
    if (standin_fetch_ste(&fx.sd, sid, dw) != 0) {
        memset(dw, 0, 64);
        return STE_ABORT;
    }
    if (!(dw[0] & STE0_V))
        return STE_ABORT;
    switch ((unsigned)FIELD_GET(STE0_CONFIG, dw[0])) {
    case STE_CONFIG_ABORT: return STE_ABORT;
    case STE_CONFIG_BYPASS: return STE_BYPASS;
    case STE_CONFIG_S2: return STE_S2;
    default: return STE_OTHER;
    }
}

static enum stekind ste_kind(const uint64_t dw[8])
{
    if (!(dw[0] & STE0_V))
        return STE_ABORT;
    switch ((unsigned)FIELD_GET(STE0_CONFIG, dw[0])) {
    case STE_CONFIG_ABORT: return STE_ABORT;
    case STE_CONFIG_BYPASS: return STE_BYPASS;
    case STE_CONFIG_S2: return STE_S2;
    default: return STE_OTHER;
    }
}

static bool permissive(enum stekind k) { return k != STE_ABORT; }

/* ---- TLB model ---------------------------------------------------------------------------------- */

static void tlb_insert(bool leaf, uint16_t vmid, unsigned level, uint64_t base, uint64_t span, uint64_t out,
                       unsigned perms)
{
    unsigned h = tlb_hash(vmid, level, base);
    int32_t free_at = -1;
    for (int32_t i = tlb_head[h]; i >= 0; i = tlb[i].chain) {
        struct tlb_ent *e = &tlb[i];
        if (!e->live) {
            if (free_at < 0)
                free_at = i;
            continue;
        }
        if (e->leaf == leaf && e->vmid == vmid && e->level == level && e->base == base && e->out == out &&
            e->perms == perms && e->span == span)
            return;
    }
    if (free_at < 0) {
        if (ntlb == TLB_MAX) {
            /* Compact: keep the live entries, rebuild the chains. */
            unsigned k = 0;
            for (unsigned i = 0; i < ntlb; i++)
                if (tlb[i].live)
                    tlb[k++] = tlb[i];
            ntlb = k;
            for (unsigned i = 0; i < TLB_BUCKETS; i++)
                tlb_head[i] = -1;
            for (unsigned i = 0; i < ntlb; i++) {
                unsigned hb = tlb_hash(tlb[i].vmid, tlb[i].level, tlb[i].base);
                tlb[i].chain = tlb_head[hb];
                tlb_head[hb] = (int32_t)i;
            }
            if (ntlb == TLB_MAX) {
                world_full = true;
                return;
            }
        }
        free_at = (int32_t)ntlb++;
        tlb[free_at].chain = tlb_head[h];
        tlb_head[h] = free_at;
    }
    int32_t chain = tlb[free_at].chain;
    tlb[free_at] = (struct tlb_ent){ .live = true, .leaf = leaf, .vmid = vmid, .level = (uint8_t)level,
                                     .perms = (uint8_t)perms, .base = base, .span = span, .out = out,
                                     .chain = chain };
}

static void tlb_fill(uint16_t vmid, const struct walk *w)
{
    for (unsigned i = 0; i < w->nt; i++)
        tlb_insert(false, vmid, w->t[i].level, w->t[i].region, w->t[i].span, w->t[i].next, 0);
    if (w->st == W_LEAF)
        tlb_insert(true, vmid, w->level, w->base, w->span, w->pa & ~(w->span - 1), w->perms);
}

/* What a TLBI_S2_IPA command covers: [lo, hi). */
static void tlbi_range(const uint64_t c[2], uint64_t *lo, uint64_t *hi)
{
    uint64_t addr = c[1] & CMD1_ADDR;
    unsigned tg = (unsigned)FIELD_GET(CMD1_TLBI_TG, c[1]);
    if (tg == 0) {
        *lo = addr;
        *hi = addr + PAGE_SIZE;
        return;
    }
    if (tg != 1) { /* 16K/64K granules: not this kernel's; covers nothing of ours */
        *lo = *hi = 0;
        return;
    }
    uint64_t pages = (FIELD_GET(CMD0_TLBI_NUM, c[0]) + 1) << FIELD_GET(CMD0_TLBI_SCALE, c[0]);
    *lo = addr;
    *hi = addr + pages * PAGE_SIZE;
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t lo, uint64_t hi) { return a < hi && lo < a + as; }

/* Does command c invalidate a cached entry? */
static bool cmd_invalidates(const uint64_t c[2], const struct tlb_ent *e)
{
    unsigned op = (unsigned)FIELD_GET(CMD0_OPCODE, c[0]);
    switch (op) {
    case CMD_OP_TLBI_NSNH_ALL:
        return true;
    case CMD_OP_TLBI_S12_VMALL:
        return FIELD_GET(CMD0_VMID, c[0]) == e->vmid;
    case CMD_OP_TLBI_S2_IPA: {
        if (FIELD_GET(CMD0_VMID, c[0]) != e->vmid)
            return false;
        uint64_t lo, hi;
        tlbi_range(c, &lo, &hi);
        if (!overlaps(e->base, e->span, lo, hi))
            return false;
        if (!e->leaf)
            return !(c[1] & CMD1_LEAF); /* Leaf=1 leaves walk-cache entries alone */
        unsigned ttl = (unsigned)FIELD_GET(CMD1_TLBI_TTL, c[1]);
        return FIELD_GET(CMD1_TLBI_TG, c[1]) == 0 || ttl == 0 || ttl == e->level;
    }
    default:
        return false;
    }
}

static void apply_command(const uint64_t c[2])
{
    unsigned op = (unsigned)FIELD_GET(CMD0_OPCODE, c[0]);
    if (op == CMD_OP_CFGI_STE || op == CMD_OP_CFGI_STE_RANGE) {
        uint32_t sid = (uint32_t)FIELD_GET(CMD0_SID, c[0]);
        unsigned range = op == CMD_OP_CFGI_STE ? 0 : (unsigned)FIELD_GET(CMD1_RANGE, c[1]);
        for (unsigned i = 0; i < NTSID; i++) {
            bool hit = op == CMD_OP_CFGI_STE ? test_sids[i] == sid
                                             : (range >= 31 || (test_sids[i] >> (range + 1)) == (sid >> (range + 1)));
            if (hit)
                ste_cache[i].valid = false;
        }
        return;
    }
    if (op != CMD_OP_TLBI_NSNH_ALL && op != CMD_OP_TLBI_S12_VMALL && op != CMD_OP_TLBI_S2_IPA)
        return;
    for (unsigned i = 0; i < ntlb; i++)
        if (tlb[i].live && cmd_invalidates(c, &tlb[i]))
            tlb[i].live = false;
}

/* ---- the device: what each SID reaches -------------------------------------------------------- */

struct outcome {
    uint64_t pa;
    unsigned perms;
    bool cached;
};
#define MAX_OUT 64

/* Every translation of `ipa` the SMMU may use for VMID g->vmid: a fresh walk, cached leaves,
 * walks resumed from cached table descriptors. Each is cached in turn. Returns the count;
 * *fresh is the fresh walk (the caller checks the tables it went through). */
static unsigned outcomes_for(const struct s2geo *g, uint64_t ipa, struct outcome *out, struct walk *fresh)
{
    unsigned n = 0;
    walk_ste(g, ipa, fresh);
    tlb_fill(g->vmid, fresh);
    if (fresh->st == W_LEAF)
        out[n++] = (struct outcome){ fresh->pa, fresh->perms, false };
    /* Cached entries whose span holds ipa: one bucket per level. Entries added while
     * resuming walks are at deeper levels or the same keys; a bounded number is visited. */
    for (unsigned l = 1; l <= 3 && n < MAX_OUT; l++) {
        uint64_t span = 1ULL << lvl_shift(l);
        uint64_t base = ipa & ~(span - 1);
        unsigned visited = 0;
        for (int32_t i = tlb_head[tlb_hash(g->vmid, l, base)]; i >= 0 && n < MAX_OUT && visited < 256;
             i = tlb[i].chain, visited++) {
            struct tlb_ent e = tlb[i];
            if (!e.live || e.vmid != g->vmid || e.level != l || e.base != base)
                continue;
            if (e.leaf) {
                out[n++] = (struct outcome){ e.out | (ipa & (e.span - 1)), e.perms, true };
                continue;
            }
            if (e.level >= 3)
                continue;
            struct walk w;
            walk_from(e.out, e.level + 1, 9, ipa, &w);
            tlb_fill(g->vmid, &w);
            if (w.st == W_LEAF)
                out[n++] = (struct outcome){ w.pa, w.perms, true };
            else if (w.st == W_OUTSIDE)
                out[n++] = (struct outcome){ w.bad, P_R | P_W, true }; /* reads "tables" anywhere */
        }
    }
    return n;
}

/* The device side of a CMD_SYNC (and of every check): STEs not in the STE cache are
 * fetched and cached; every page of the window is translated and the result cached. */
static void device_touch_all(void)
{
    for (unsigned s = 0; s < NTSID; s++) {
        if (!ste_cache[s].valid) {
            fetch_ste(test_sids[s], ste_cache[s].dw);
            ste_cache[s].valid = true;
        }
        if (ste_kind(ste_cache[s].dw) != STE_S2)
            continue;
        struct s2geo g = ste_geo(ste_cache[s].dw);
        if (!g.ok)
            continue;
        for (unsigned p = 0; p < NWIN; p++) {
            struct outcome o[MAX_OUT];
            struct walk w;
            outcomes_for(&g, window[p], o, &w);
        }
    }
}

static void on_sync(struct standin *sd, void *ctx)
{
    (void)ctx;
    unsigned n = sd->nlog;
    for (; log_done < n; log_done++)
        apply_command(sd->log[log_done]);
    device_touch_all();
}

enum cw_view cw_device_view(uint32_t sid, uint64_t iova, bool write, uint64_t *pa)
{
    uint64_t dw[8];
    enum stekind k = fetch_ste(sid, dw);
    if (k == STE_BYPASS) {
        *pa = iova;
        return CW_BYPASS_VIEW;
    }
    if (k != STE_S2)
        return CW_ABORT;
    struct s2geo g = ste_geo(dw);
    if (!g.ok)
        return CW_ABORT;
    struct walk w;
    walk_ste(&g, iova, &w);
    if (w.st != W_LEAF || !(w.perms & (write ? P_W : P_R)))
        return CW_FAULT;
    *pa = w.pa;
    return CW_OK;
}

/* ---- the invariant --------------------------------------------------------------------------- */

static uint32_t live_sid_obj(uint32_t sid)
{
    for (unsigned i = 0; i < NSLOTS; i++) {
        uint32_t o = sm[i].obj;
        if (o && objs[o].kind == OK_SID && objs[o].value == sid)
            return o;
    }
    return 0;
}

/* A frame cap (alive, in the CNode) mapped through Page_Map at `ipa`'s page in VSpace
 * object `vs`, over physical `pa`, with every permission in `need`. */
static bool frame_justifies(uint32_t vs, uint64_t ipa, uint64_t pa, unsigned need)
{
    for (unsigned i = 0; i < nmapped; i++) {
        const struct mapped_frame *m = &mapped[i];
        if (m->vs != vs || ipa < m->va || ipa - m->va >= m->size || pa != m->pa + (ipa - m->va))
            continue;
        if ((m->perms & need) == need)
            return true;
    }
    return false;
}

static bool live_table_at(uint64_t pa)
{
    for (unsigned i = 0; i < nlive_pts; i++)
        if (live_pts[i] == pa)
            return true;
    return false;
}

struct memobj {
    uint64_t pa, size;
    uint32_t id;
};

static int memobj_cmp(const void *a, const void *b)
{
    const struct memobj *x = a, *y = b;
    return x->pa < y->pa ? -1 : x->pa > y->pa ? 1 : 0;
}

static void check_alias(void)
{
    static struct memobj list[NSLOTS];
    unsigned n = 0;
    for (unsigned i = 0; i < NSLOTS; i++) {
        uint32_t o = sm[i].obj;
        if (!o)
            continue;
        uint8_t k = objs[o].kind;
        if (k != OK_FRAME && k != OK_PT && k != OK_VS && k != OK_CNODE)
            continue;
        bool seen = false;
        for (unsigned j = 0; j < n && !seen; j++)
            seen = list[j].id == o;
        if (!seen)
            list[n++] = (struct memobj){ objs[o].pa, objs[o].size, o };
    }
    qsort(list, n, sizeof(list[0]), memobj_cmp);
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j-- > 0;) {
            if (list[j].pa + list[j].size <= list[i].pa)
                continue;
            violation(CV_ALIAS,
                      "objects overlap: #%u (kind %u, pa 0x%llx + 0x%llx) and #%u (kind %u, pa 0x%llx + 0x%llx)",
                      list[j].id, objs[list[j].id].kind, (unsigned long long)list[j].pa,
                      (unsigned long long)list[j].size, list[i].id, objs[list[i].id].kind,
                      (unsigned long long)list[i].pa, (unsigned long long)list[i].size);
        }
}

static void check_sid(unsigned s)
{
    uint32_t sid = test_sids[s];
    uint64_t dw[8];
    enum stekind k = fetch_ste(sid, dw);
    if (k == STE_ABORT)
        return;
    uint32_t so = live_sid_obj(sid);
    if (!so) {
        violation(CV_SID_DEAD, "SID 0x%x has no SID cap (issued-and-deleted or never issued) but its STE is %s",
                  sid, k == STE_BYPASS ? "bypass" : k == STE_S2 ? "stage 2" : "not abort");
        return;
    }
    if (k == STE_OTHER) {
        violation(CV_STE_FORMAT, "SID 0x%x: STE config %u (this kernel writes abort, bypass, S2)", sid,
                  (unsigned)FIELD_GET(STE0_CONFIG, dw[0]));
        return;
    }
    if (k == STE_BYPASS) {
        if (!objs[so].bypass)
            violation(CV_BYPASS, "SID 0x%x bypasses without a successful SID_Bypass since issue or unbind", sid);
        else if (!any_bypass)
            violation(CV_BYPASS, "SID 0x%x still bypasses translation, but no bypass cap of SMMU 0 exists", sid);
        stats.dma_checks++;
        return;
    }
    /* stage 2 */
    uint32_t cb = objs[so].bound_cb;
    if (!alive(cb)) {
        violation(CV_UNBOUND, "SID 0x%x translates (stage 2, VMID %u) but %s", sid,
                  (unsigned)FIELD_GET(STE2_S2VMID, dw[2]),
                  cb ? "the CB it was bound to has no cap left" : "it was never bound since issue/unbind");
        return;
    }
    uint32_t vs = objs[cb].vs;
    if (!alive(vs)) {
        violation(CV_NO_VSPACE, "SID 0x%x translates through CB %llu whose VSpace %s", sid,
                  (unsigned long long)objs[cb].value, vs ? "has no user cap left" : "was never assigned/unassigned");
        return;
    }
    struct s2geo g = ste_geo(dw);
    if (!g.ok || g.ia_bits != seL4_VSpaceIPABits || g.start != 1) {
        violation(CV_STE_FORMAT, "SID 0x%x: S2 STE geometry (T0SZ/SL0/TG) is not the kernel's VSpace format", sid);
        if (!g.ok)
            return;
    }
    if (g.root != objs[vs].pa)
        violation(CV_NO_VSPACE, "SID 0x%x: STE walks 0x%llx, but its CB's VSpace is at 0x%llx", sid,
                  (unsigned long long)g.root, (unsigned long long)objs[vs].pa);
    if (g.vmid != objs[cb].value + 1)
        violation(CV_VMID, "SID 0x%x: STE VMID %u, its CB %llu has VMID %llu", sid, g.vmid,
                  (unsigned long long)objs[cb].value, (unsigned long long)objs[cb].value + 1);
    for (unsigned p = 0; p < NWIN; p++) {
        struct outcome o[MAX_OUT];
        struct walk fresh;
        unsigned n = outcomes_for(&g, window[p], o, &fresh);
        if (fresh.st == W_OUTSIDE)
            violation(CV_WALK_TABLE, "SID 0x%x IOVA 0x%llx: the walk reads a table at 0x%llx outside RAM", sid,
                      (unsigned long long)window[p], (unsigned long long)fresh.bad);
        for (unsigned t = 0; t < fresh.nt; t++)
            if (!live_table_at(fresh.t[t].next))
                violation(CV_WALK_TABLE,
                          "SID 0x%x IOVA 0x%llx: level-%u descriptor points at 0x%llx, which is no live page table",
                          sid, (unsigned long long)window[p], fresh.t[t].level + 1,
                          (unsigned long long)fresh.t[t].next);
        for (unsigned i = 0; i < n; i++) {
            for (unsigned need = P_R; need <= P_W; need <<= 1) {
                if (!(o[i].perms & need))
                    continue;
                stats.dma_checks++;
                if (o[i].cached)
                    stats.cached_outcomes++;
                if (!frame_justifies(vs, window[p], o[i].pa, need))
                    violation(CV_DMA,
                              "SID 0x%x (CB %llu, VMID %u) %s IOVA 0x%llx -> PA 0x%llx%s, but no frame cap maps that "
                              "page there with that right",
                              sid, (unsigned long long)objs[cb].value, g.vmid, need == P_W ? "writes" : "reads",
                              (unsigned long long)window[p], (unsigned long long)o[i].pa,
                              o[i].cached ? " (through a TLB/walk-cache entry never invalidated)" : "");
            }
        }
    }
}

static void check_ste_caches(void)
{
    for (unsigned s = 0; s < NTSID; s++) {
        uint64_t dw[8];
        fetch_ste(test_sids[s], dw);
        if (ste_cache[s].valid && permissive(ste_kind(ste_cache[s].dw)) && memcmp(ste_cache[s].dw, dw, 32) != 0)
            violation(CV_STE_STALE,
                      "SID 0x%x: the SMMU may still use its cached %s STE: memory holds another, without CFGI_STE + "
                      "CMD_SYNC (cached dw0-3 %016llx %016llx %016llx %016llx, memory %016llx %016llx %016llx %016llx)",
                      test_sids[s], ste_kind(ste_cache[s].dw) == STE_BYPASS ? "bypass" : "stage-2",
                      (unsigned long long)ste_cache[s].dw[0], (unsigned long long)ste_cache[s].dw[1],
                      (unsigned long long)ste_cache[s].dw[2], (unsigned long long)ste_cache[s].dw[3],
                      (unsigned long long)dw[0], (unsigned long long)dw[1], (unsigned long long)dw[2],
                      (unsigned long long)dw[3]);
        memcpy(ste_cache[s].dw, dw, 64);
        ste_cache[s].valid = true;
    }
}

static uint64_t hw_errors_seen;

static void check_all(void)
{
    stats.checks++;
    compute_alive();
    check_ste_caches();
    for (unsigned s = 0; s < NTSID; s++)
        check_sid(s);
    check_alias();
    struct smmu_instance *inst = smmu_object_instance(0);
    if (inst && inst->hw_errors != hw_errors_seen) {
        violation(CV_HW, "the object layer counted %llu hardware errors",
                  (unsigned long long)(inst->hw_errors - hw_errors_seen));
        hw_errors_seen = inst->hw_errors;
    }
    if ((fx.sd.gerror ^ fx.sd.gerrorn) & GERROR_ERR_MASK)
        violation(CV_HW, "GERROR 0x%x active", (fx.sd.gerror ^ fx.sd.gerrorn) & (uint32_t)GERROR_ERR_MASK);
}

/* ---- reading caps ------------------------------------------------------------------------------ */

static uint8_t kind_of_cap(cap_t c)
{
    switch ((unsigned)cap_get_capType(c)) {
    case cap_untyped_cap: return OK_UNTYPED;
    case cap_frame_cap: return OK_FRAME;
    case cap_page_table_cap: return OK_PT;
    case cap_vspace_cap: return OK_VS;
    case cap_sid_cap: return OK_SID;
    case cap_cb_cap: return OK_CB;
    case cap_smmu_bypass_cap: return OK_BYPASS;
    case cap_sid_control_cap: return OK_SIDCTL;
    case cap_cb_control_cap: return OK_CBCTL;
    case cap_cnode_cap: return OK_CNODE;
    default: return OK_NONE;
    }
}

static void cap_region(cap_t c, uint64_t *pa, uint64_t *size, uint64_t *value)
{
    *pa = *size = *value = 0;
    switch ((unsigned)cap_get_capType(c)) {
    case cap_untyped_cap:
        *pa = cap_untyped_cap_get_capPtr_pfn(c) << 12;
        *size = 1ULL << cap_untyped_cap_get_capBlockSize(c);
        return;
    case cap_frame_cap: {
        static const unsigned bits[4] = { 12, 21, 30, 12 };
        *pa = cap_frame_cap_get_capFBasePtr_pfn(c) << 12;
        *size = 1ULL << bits[cap_frame_cap_get_capFSize(c) & 3];
        return;
    }
    case cap_page_table_cap:
        *pa = cap_page_table_cap_get_capPTBasePtr_pfn(c) << 12;
        *size = 1ULL << seL4_PageTableBits;
        return;
    case cap_vspace_cap:
        *pa = cap_vspace_cap_get_capVSBasePtr_pfn(c) << 12;
        *size = 1ULL << seL4_VSpaceBits;
        return;
    case cap_cnode_cap:
        *pa = cap_cnode_cap_get_capCNodePtr_pfn(c) << 12;
        *size = (uint64_t)sizeof(cte_t) << cap_cnode_cap_get_capCNodeRadix(c);
        return;
    case cap_sid_cap:
        *value = cap_sid_cap_get_capSID(c);
        return;
    case cap_cb_cap:
        *value = cap_cb_cap_get_capCB(c);
        return;
    default:
        return;
    }
}

uint64_t cw_cap_pa(seL4_CPtr slot)
{
    if (slot >= NSLOTS)
        return 0;
    uint64_t pa, size, value;
    cap_region(cnode[slot].cap, &pa, &size, &value);
    return pa;
}

unsigned cw_cap_type(seL4_CPtr slot)
{
    return slot < NSLOTS ? (unsigned)cap_get_capType(cnode[slot].cap) : 0;
}

static bool cap_matches(cap_t c, const struct obj *o)
{
    if (kind_of_cap(c) != o->kind)
        return false;
    uint64_t pa, size, value;
    cap_region(c, &pa, &size, &value);
    switch (o->kind) {
    case OK_SID:
        return value == o->value && cap_sid_cap_get_capDevID(c) == 0;
    case OK_CB:
        return value == o->value && cap_cb_cap_get_capDevID(c) == 0 && !cap_cb_cap_get_capCBBound(c);
    case OK_VS:
        return pa == o->pa && !cap_vspace_cap_get_capVSKernelCopy(c);
    case OK_UNTYPED:
    case OK_FRAME:
    case OK_PT:
    case OK_CNODE:
        return pa == o->pa && size == o->size;
    default:
        return true;
    }
}

/* A model object for a cap found where the model had none (boot, or after a violation). */
static uint32_t adopt(unsigned slot, uint32_t parent)
{
    cap_t c = cnode[slot].cap;
    uint64_t pa, size, value;
    cap_region(c, &pa, &size, &value);
    uint32_t id = new_obj(kind_of_cap(c), parent, pa, size, value);
    sm[slot] = (struct slotm){ .obj = id, .original = cnode[slot].revocable };
    if (id && objs[id].kind == OK_FRAME)
        sm[slot].vm = (uint8_t)cap_frame_cap_get_capFVMRights(c);
    return id;
}

/* ---- calls: before, after ------------------------------------------------------------------------ */

struct vs_struct {
    uint32_t vs;
    uint64_t root;
    struct walk w[NWIN];
};

struct pre {
    enum cw_op op;
    cte_t slots[NSLOTS];
    struct smmu_instance inst;
    uint64_t ste[NTSID][8];
    int view[NTSID][NWIN][2];
    uint64_t view_pa[NTSID][NWIN][2];
    struct vs_struct vs[KERNEL_MAX_VSPACES + 8];
    unsigned nvs;
    uint32_t users[KERNEL_MAX_VSPACES + 8][SMMU_MAX_CBS]; /* CB objects using each VSpace */
    unsigned nusers[KERNEL_MAX_VSPACES + 8];
    bool allowed_empty[NSLOTS];  /* slots this call may empty */
    bool must_empty[NSLOTS];     /* slots this call must empty if it succeeds (revoke) */
    seL4_CPtr target;
};
static struct pre pre;

static void snapshot_views(int view[NTSID][NWIN][2], uint64_t view_pa[NTSID][NWIN][2])
{
    for (unsigned s = 0; s < NTSID; s++)
        for (unsigned p = 0; p < NWIN; p++)
            for (unsigned wr = 0; wr < 2; wr++) {
                uint64_t pa = 0;
                view[s][p][wr] = (int)cw_device_view(test_sids[s], window[p], wr, &pa);
                view_pa[s][p][wr] = pa;
            }
}

static void before(enum cw_op op)
{
    pre.op = op;
    memcpy(pre.slots, cnode, sizeof(pre.slots));
    struct smmu_instance *inst = smmu_object_instance(0);
    if (inst)
        pre.inst = *inst;
    for (unsigned s = 0; s < NTSID; s++)
        fetch_ste(test_sids[s], pre.ste[s]);
    snapshot_views(pre.view, pre.view_pa);
    compute_alive();
    pre.nvs = 0;
    for (unsigned i = 0; i < NSLOTS && pre.nvs < KERNEL_MAX_VSPACES + 8; i++) {
        uint32_t id = sm[i].obj;
        if (!id || objs[id].kind != OK_VS)
            continue;
        bool seen = false;
        for (unsigned v = 0; v < pre.nvs && !seen; v++)
            seen = pre.vs[v].vs == id;
        if (seen)
            continue;
        struct vs_struct *v = &pre.vs[pre.nvs];
        v->vs = id;
        v->root = objs[id].pa;
        for (unsigned p = 0; p < NWIN; p++)
            walk_vspace(v->root, window[p], &v->w[p]);
        unsigned nu = 0;
        for (unsigned j = 0; j < NSLOTS && nu < SMMU_MAX_CBS; j++) {
            uint32_t cb = sm[j].obj;
            if (!cb || objs[cb].kind != OK_CB || objs[cb].vs != id)
                continue;
            bool dup = false;
            for (unsigned k = 0; k < nu && !dup; k++)
                dup = pre.users[pre.nvs][k] == cb;
            if (!dup)
                pre.users[pre.nvs][nu++] = cb;
        }
        pre.nusers[pre.nvs] = nu;
        pre.nvs++;
    }
    memset(pre.allowed_empty, 0, sizeof(pre.allowed_empty));
    memset(pre.must_empty, 0, sizeof(pre.must_empty));
    /* The command log belongs to this call from here on. */
    fx.sd.nlog = 0;
    log_done = 0;
    step_reported = false;
}

/* Is there, in this call's log, a command that covers the requirement, followed by a
 * CMD_SYNC? Leaf requirement: the page's leaf entry; table requirement: walk-cache
 * entries for `region` (Leaf=0 by address/range, or VMALL/NSNH_ALL). */
static bool log_covers(uint16_t vmid, uint64_t base, uint64_t span, bool table, unsigned leaf_level)
{
    struct tlb_ent probe = { .live = true, .leaf = !table, .vmid = vmid, .level = (uint8_t)leaf_level,
                             .base = base, .span = span };
    for (unsigned i = 0; i < fx.sd.nlog; i++) {
        if (!cmd_invalidates(fx.sd.log[i], &probe))
            continue;
        for (unsigned j = i + 1; j < fx.sd.nlog; j++)
            if (FIELD_GET(CMD0_OPCODE, fx.sd.log[j][0]) == CMD_OP_SYNC)
                return true;
    }
    return false;
}

static void check_tlbi_requirements(void)
{
    if (fx.sd.nlog >= STANDIN_LOG_MAX) {
        stats.log_overflow++;
        return;
    }
    uint64_t reported_tables[16];
    unsigned nreported = 0;
    for (unsigned v = 0; v < pre.nvs; v++) {
        const struct vs_struct *b = &pre.vs[v];
        for (unsigned p = 0; p < NWIN; p++) {
            struct walk a;
            walk_vspace(b->root, window[p], &a);
            const struct walk *w0 = &b->w[p];
            bool leaf_gone = w0->st == W_LEAF &&
                             (a.st != W_LEAF || a.pa != w0->pa || (a.perms & w0->perms) != w0->perms);
            /* The first table descriptor on the old path that no longer leads the same way. */
            int table_gone = -1;
            for (unsigned t = 0; t < w0->nt && table_gone < 0; t++)
                if (t >= a.nt || a.t[t].next != w0->t[t].next)
                    table_gone = (int)t;
            if (!leaf_gone && table_gone < 0)
                continue;
            for (unsigned u = 0; u < pre.nusers[v]; u++) {
                const struct obj *cb = &objs[pre.users[v][u]];
                uint16_t vmid = (uint16_t)(cb->value + 1);
                stats.tlbi_checks++;
                if (table_gone >= 0) {
                    const struct walk_table *t = &w0->t[table_gone];
                    bool seen = false;
                    for (unsigned k = 0; k < nreported && !seen; k++)
                        seen = reported_tables[k] == (t->next ^ vmid);
                    if (seen)
                        continue;
                    if (!log_covers(vmid, t->region, t->span, true, 0) && nreported < 16) {
                        reported_tables[nreported++] = t->next ^ vmid;
                        violation(CV_TLBI_WALK,
                                  "%s removed the level-%u table at 0x%llx (IPA 0x%llx..) from VSpace #%u, used by CB "
                                  "%llu: no TLBI with Leaf=0 (or VMALL) for VMID %u covering it, then CMD_SYNC",
                                  opnames[pre.op], t->level + 1, (unsigned long long)t->next,
                                  (unsigned long long)t->region, b->vs, (unsigned long long)cb->value, vmid);
                    }
                } else if (!log_covers(vmid, w0->base, w0->span, false, w0->level)) {
                    violation(CV_TLBI,
                              "%s removed IPA 0x%llx -> PA 0x%llx from VSpace #%u, used by CB %llu: no TLBI for VMID "
                              "%u covering it, then CMD_SYNC",
                              opnames[pre.op], (unsigned long long)window[p], (unsigned long long)w0->pa, b->vs,
                              (unsigned long long)cb->value, vmid);
                }
            }
        }
    }
}

static void check_unchanged(void)
{
    stats.error_checks++;
    for (unsigned i = 0; i < NSLOTS; i++)
        if (memcmp(&pre.slots[i], &cnode[i], sizeof(cte_t)) != 0) {
            violation(CV_ERROR_CHANGED, "%s failed but changed slot %u of the root CNode", opnames[pre.op], i);
            break;
        }
    struct smmu_instance *inst = smmu_object_instance(0);
    if (inst && memcmp(&pre.inst, inst, sizeof(*inst)) != 0)
        violation(CV_ERROR_CHANGED, "%s failed but changed the SMMU object state", opnames[pre.op]);
    for (unsigned s = 0; s < NTSID; s++) {
        uint64_t dw[8];
        fetch_ste(test_sids[s], dw);
        if (memcmp(dw, pre.ste[s], 64) != 0)
            violation(CV_ERROR_CHANGED, "%s failed but changed the STE of SID 0x%x", opnames[pre.op], test_sids[s]);
    }
    static int view[NTSID][NWIN][2];
    static uint64_t view_pa[NTSID][NWIN][2];
    snapshot_views(view, view_pa);
    if (memcmp(view, pre.view, sizeof(view)) != 0 || memcmp(view_pa, pre.view_pa, sizeof(view_pa)) != 0)
        violation(CV_ERROR_CHANGED, "%s failed but changed what a device reaches", opnames[pre.op]);
}

/* Bring the model's slots in line with the CNode, checking that only the allowed slots
 * emptied and that no cap appeared, changed type or changed object. */
static void reconcile(bool ok)
{
    for (unsigned i = 0; i < NSLOTS; i++) {
        cap_t c = cnode[i].cap;
        bool null = cap_get_capType(c) == cap_null_cap;
        if (null && sm[i].obj) {
            if (!ok || !pre.allowed_empty[i])
                violation(pre.op == CW_DELETE || pre.op == CW_REVOKE ? CV_OVERREACH : CV_SLOTS,
                          "%s emptied slot %u (a cap to object #%u, kind %u) that it %s", opnames[pre.op], i, sm[i].obj,
                          objs[sm[i].obj].kind,
                          pre.op == CW_REVOKE ? "does not derive from the revoked cap" : "had no business touching");
            sm[i] = (struct slotm){ 0 };
            continue;
        }
        if (ok && pre.must_empty[i] && !null)
            violation(CV_REVOKE, "%s succeeded but left slot %u (object #%u, kind %u), which derives from slot %lu",
                      opnames[pre.op], i, sm[i].obj, objs[sm[i].obj].kind, (unsigned long)pre.target);
        if (null)
            continue;
        if (!sm[i].obj) {
            violation(CV_SLOTS, "%s made a cap appear in slot %u (type %u)", opnames[pre.op], i,
                      (unsigned)cap_get_capType(c));
            adopt(i, 0);
            continue;
        }
        if (!cap_matches(c, &objs[sm[i].obj])) {
            violation(CV_MODEL, "slot %u holds a cap (type %u) that is not the model's object #%u (kind %u)", i,
                      (unsigned)cap_get_capType(c), sm[i].obj, objs[sm[i].obj].kind);
            adopt(i, 0);
            continue;
        }
        if (objs[sm[i].obj].kind == OK_FRAME) {
            struct slotm *m = &sm[i];
            if (cap_frame_cap_get_capFVMRights(c) != m->vm)
                violation(CV_MODEL, "frame cap in slot %u has rights %u, the model says %u", i,
                          (unsigned)cap_frame_cap_get_capFVMRights(c), m->vm);
            bool is_mapped = cap_frame_cap_get_capFIsMapped(c);
            if (is_mapped != m->mapped ||
                (is_mapped && cap_frame_cap_get_capFMappedAddress_pfn(c) << 12 != m->map_va))
                violation(CV_MODEL, "frame cap in slot %u: mapped %d at 0x%llx, the model says %d at 0x%llx", i,
                          is_mapped, (unsigned long long)(cap_frame_cap_get_capFMappedAddress_pfn(c) << 12), m->mapped,
                          (unsigned long long)m->map_va);
            m->vm = (uint8_t)cap_frame_cap_get_capFVMRights(c);
        }
    }
}

static seL4_Error after(seL4_Error e)
{
    unsigned o = pre.op;
    stats.steps++;
    stats.op[o]++;
    if ((unsigned)e < seL4_NumErrors) {
        stats.op_err[o][e]++;
        if (e != seL4_NoError)
            stats.err[e]++;
    }
    if (e != seL4_NoError)
        check_unchanged();
    reconcile(e == seL4_NoError);
    if (e == seL4_NoError)
        check_tlbi_requirements();
    check_all();
    step_no++;
    return e;
}

static void note(seL4_Error e, const char *fmt, ...)
{
    char buf[140];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    tracef("%lu: %s -> %s", step_no, buf, (unsigned)e < seL4_NumErrors ? errnames[e] : "?");
}

/* ---- operations ------------------------------------------------------------------------------ */

static seL4_CPtr find_type(unsigned type, seL4_CPtr dflt);

static uint32_t obj_at(seL4_CPtr slot) { return slot < NSLOTS ? sm[slot].obj : 0; }

static unsigned mask_vm(unsigned vm, seL4_CapRights_t r)
{
    if (vm == VM_RO && (r & seL4_CanRead))
        return VM_RO;
    if (vm == VM_RW && (r & seL4_CanRead))
        return (r & seL4_CanWrite) ? VM_RW : VM_RO;
    return VM_KERNEL;
}

static unsigned vm_perms(unsigned vm) { return vm == VM_RW ? P_R | P_W : vm == VM_RO ? P_R : 0; }

seL4_Error cw_retype(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr dest, seL4_Word n)
{
    before(CW_RETYPE);
    uint32_t parent = obj_at(ut);
    seL4_Error e = seL4_Untyped_Retype(ut, type, size_bits, ROOT, 0, 0, dest, n);
    if (e == seL4_NoError) {
        for (seL4_Word i = 0; i < n && dest + i < NSLOTS; i++) {
            unsigned s = (unsigned)(dest + i);
            uint32_t id = adopt(s, parent);
            if (!id)
                break;
            sm[s].original = true;
            const struct obj *p = &objs[parent];
            if (!parent || p->kind != OK_UNTYPED || objs[id].pa < p->pa ||
                objs[id].pa + objs[id].size > p->pa + p->size)
                violation(CV_MODEL, "Retype placed object #%u (pa 0x%llx) outside its untyped #%u", id,
                          (unsigned long long)objs[id].pa, parent);
        }
    }
    note(e, "Retype(ut %lu, type %lu, bits %lu, dest %lu, n %lu)", (unsigned long)ut, (unsigned long)type,
         (unsigned long)size_bits, (unsigned long)dest, (unsigned long)n);
    return after(e);
}

seL4_Error cw_page_map(seL4_CPtr frame, seL4_CPtr vs, seL4_Word va, seL4_CapRights_t rights)
{
    before(CW_PAGE_MAP);
    seL4_Error e = seL4_ARM_Page_Map(frame, vs, va, rights, seL4_ARM_Default_VMAttributes);
    if (e == seL4_NoError && frame < NSLOTS && obj_at(frame)) {
        struct slotm *m = &sm[frame];
        m->mapped = true;
        m->map_vs = obj_at(vs);
        m->map_va = va;
        m->map_perms = (uint8_t)vm_perms(mask_vm(m->vm, rights));
    }
    note(e, "Page_Map(frame %lu, vs %lu, va 0x%llx, rights %lu)", (unsigned long)frame, (unsigned long)vs,
         (unsigned long long)va, (unsigned long)rights);
    return after(e);
}

seL4_Error cw_page_unmap(seL4_CPtr frame)
{
    before(CW_PAGE_UNMAP);
    seL4_Error e = seL4_ARM_Page_Unmap(frame);
    if (e == seL4_NoError && frame < NSLOTS && objs[obj_at(frame)].kind == OK_FRAME)
        sm[frame].mapped = false;
    note(e, "Page_Unmap(frame %lu)", (unsigned long)frame);
    return after(e);
}

seL4_Error cw_pt_map(seL4_CPtr pt, seL4_CPtr vs, seL4_Word va)
{
    before(CW_PT_MAP);
    seL4_Error e = seL4_ARM_PageTable_Map(pt, vs, va, seL4_ARM_Default_VMAttributes);
    note(e, "PageTable_Map(pt %lu, vs %lu, va 0x%llx)", (unsigned long)pt, (unsigned long)vs, (unsigned long long)va);
    return after(e);
}

seL4_Error cw_pt_unmap(seL4_CPtr pt)
{
    before(CW_PT_UNMAP);
    seL4_Error e = seL4_ARM_PageTable_Unmap(pt);
    note(e, "PageTable_Unmap(pt %lu)", (unsigned long)pt);
    return after(e);
}

static uint32_t control_obj(uint8_t kind)
{
    for (unsigned i = 0; i < NSLOTS; i++)
        if (sm[i].obj && objs[sm[i].obj].kind == kind)
            return sm[i].obj;
    return 0;
}

seL4_Error cw_get_sid(seL4_Word smmu_id, seL4_Word sid, seL4_CPtr dest, seL4_Uint8 depth)
{
    before(CW_GET_SID);
    seL4_Error e = seL4_ARM_SIDControl_GetSID(cw_sid_control(), smmu_id, sid, ROOT, dest, depth);
    if (e == seL4_NoError && dest < NSLOTS) {
        uint32_t id = adopt((unsigned)dest, control_obj(OK_SIDCTL));
        if (id)
            sm[dest].original = true;
    }
    note(e, "GetSID(smmu %lu, sid 0x%llx, dest %lu, depth %u)", (unsigned long)smmu_id, (unsigned long long)sid,
         (unsigned long)dest, depth);
    return after(e);
}

seL4_Error cw_get_cb(seL4_Word cb, seL4_CPtr dest, seL4_Uint8 depth)
{
    before(CW_GET_CB);
    seL4_Error e = seL4_ARM_CBControl_GetCB(cw_cb_control(), cb, ROOT, dest, depth);
    if (e == seL4_NoError && dest < NSLOTS) {
        uint32_t id = adopt((unsigned)dest, control_obj(OK_CBCTL));
        if (id)
            sm[dest].original = true;
    }
    note(e, "GetCB(cb %llu, dest %lu, depth %u)", (unsigned long long)cb, (unsigned long)dest, depth);
    return after(e);
}

seL4_Error cw_assign(seL4_CPtr cb, seL4_CPtr vs)
{
    before(CW_ASSIGN);
    seL4_Error e = seL4_ARM_CB_AssignVspace(cb, vs);
    if (e == seL4_NoError && obj_at(cb) && obj_at(vs))
        objs[obj_at(cb)].vs = obj_at(vs);
    note(e, "AssignVspace(cb %lu, vs %lu)", (unsigned long)cb, (unsigned long)vs);
    return after(e);
}

seL4_Error cw_unassign(seL4_CPtr cb)
{
    before(CW_UNASSIGN);
    seL4_Error e = seL4_ARM_CB_UnassignVspace(cb);
    if (e == seL4_NoError && obj_at(cb))
        objs[obj_at(cb)].vs = 0;
    note(e, "UnassignVspace(cb %lu)", (unsigned long)cb);
    return after(e);
}

seL4_Error cw_bind(seL4_CPtr sid, seL4_CPtr cb)
{
    before(CW_BIND);
    seL4_Error e = seL4_ARM_SID_BindCB(sid, cb);
    if (e == seL4_NoError && obj_at(sid) && obj_at(cb))
        objs[obj_at(sid)].bound_cb = obj_at(cb);
    note(e, "BindCB(sid %lu, cb %lu)", (unsigned long)sid, (unsigned long)cb);
    return after(e);
}

seL4_Error cw_unbind(seL4_CPtr sid)
{
    before(CW_UNBIND);
    seL4_Error e = seL4_ARM_SID_UnbindCB(sid);
    if (e == seL4_NoError && obj_at(sid)) {
        objs[obj_at(sid)].bound_cb = 0;
        objs[obj_at(sid)].bypass = false;
    }
    note(e, "UnbindCB(sid %lu)", (unsigned long)sid);
    return after(e);
}

seL4_Error cw_get_bypass(seL4_CPtr dest, seL4_Uint8 depth)
{
    before(CW_GET_BYPASS);
    seL4_Error e = seL4_ARM_SIDControl_GetBypass(cw_sid_control(), ROOT, dest, depth);
    if (e == seL4_NoError && dest < NSLOTS) {
        uint32_t id = adopt((unsigned)dest, control_obj(OK_SIDCTL));
        if (id)
            sm[dest].original = true;
    }
    note(e, "GetBypass(dest %lu, depth %u)", (unsigned long)dest, depth);
    return after(e);
}

seL4_Error cw_bypass(seL4_CPtr sid, seL4_CPtr bypass)
{
    before(CW_BYPASS);
    seL4_Error e = seL4_ARM_SID_Bypass(sid, bypass);
    if (e == seL4_NoError && obj_at(sid))
        objs[obj_at(sid)].bypass = true;
    note(e, "SID_Bypass(sid %lu, bypass %lu)", (unsigned long)sid, (unsigned long)bypass);
    return after(e);
}

seL4_Error cw_copy(seL4_CPtr src, seL4_CPtr dest, seL4_CapRights_t rights)
{
    before(CW_COPY);
    seL4_Error e = seL4_CNode_Copy(ROOT, dest, DEPTH, ROOT, src, DEPTH, rights);
    if (e == seL4_NoError && src < NSLOTS && dest < NSLOTS && obj_at(src)) {
        uint32_t so = obj_at(src);
        if (objs[so].kind == OK_UNTYPED) {
            /* An untyped copy is a revocable child covering the same memory. */
            uint32_t id = new_obj(OK_UNTYPED, so, objs[so].pa, objs[so].size, 0);
            sm[dest] = (struct slotm){ .obj = id, .original = true };
        } else {
            sm[dest] = (struct slotm){ .obj = so, .original = false };
            if (objs[so].kind == OK_FRAME)
                sm[dest].vm = (uint8_t)mask_vm(sm[src].vm, rights);
        }
    }
    note(e, "Copy(src %lu, dest %lu, rights %lu)", (unsigned long)src, (unsigned long)dest, (unsigned long)rights);
    return after(e);
}

seL4_Error cw_move(seL4_CPtr src, seL4_CPtr dest)
{
    before(CW_MOVE);
    if (src < NSLOTS)
        pre.allowed_empty[src] = true;
    seL4_Error e = seL4_CNode_Move(ROOT, dest, DEPTH, ROOT, src, DEPTH);
    if (e == seL4_NoError && src < NSLOTS && dest < NSLOTS && src != dest) {
        sm[dest] = sm[src];
        sm[src] = (struct slotm){ 0 };
    }
    note(e, "Move(src %lu, dest %lu)", (unsigned long)src, (unsigned long)dest);
    return after(e);
}

seL4_Error cw_delete(seL4_CPtr slot)
{
    before(CW_DELETE);
    if (slot < NSLOTS)
        pre.allowed_empty[slot] = pre.must_empty[slot] = true;
    pre.target = slot;
    seL4_Error e = seL4_CNode_Delete(ROOT, slot, DEPTH);
    note(e, "Delete(slot %lu)", (unsigned long)slot);
    return after(e);
}

static bool descends_from_untyped(uint32_t o, uint32_t ut)
{
    for (unsigned guard = 0; o && guard < MAX_OBJS; guard++) {
        o = objs[o].parent;
        if (o == ut)
            return true;
    }
    return false;
}

seL4_Error cw_revoke(seL4_CPtr slot)
{
    before(CW_REVOKE);
    pre.target = slot;
    uint32_t o = obj_at(slot);
    if (o && sm[slot].original) {
        uint8_t k = objs[o].kind;
        for (unsigned i = 0; i < NSLOTS; i++) {
            uint32_t x = sm[i].obj;
            if (!x || i == slot)
                continue;
            bool d;
            switch (k) {
            case OK_SIDCTL: d = objs[x].kind == OK_SID || objs[x].kind == OK_BYPASS; break;
            case OK_CBCTL: d = objs[x].kind == OK_CB; break;
            case OK_UNTYPED: d = descends_from_untyped(x, o); break;
            default: d = x == o; break;
            }
            pre.allowed_empty[i] = pre.must_empty[i] = d;
        }
    }
    seL4_Error e = seL4_CNode_Revoke(ROOT, slot, DEPTH);
    note(e, "Revoke(slot %lu)", (unsigned long)slot);
    return after(e);
}

seL4_Error cw_cb_tlbi_all(seL4_CPtr cb)
{
    before(CW_CB_TLBI_ALL);
    seL4_Error e = seL4_ARM_CB_TLBInvalidateAll(cb);
    note(e, "CB_TLBInvalidateAll(cb %lu)", (unsigned long)cb);
    return after(e);
}

seL4_Error cw_cb_tlbi(seL4_CPtr cb, seL4_Word va, seL4_Word size)
{
    before(CW_CB_TLBI);
    seL4_Error e = seL4_ARM_CB_TLBInvalidate(cb, va, size);
    note(e, "CB_TLBInvalidate(cb %lu, va 0x%llx, size 0x%llx)", (unsigned long)cb, (unsigned long long)va,
         (unsigned long long)size);
    return after(e);
}

seL4_Error cw_cbctl_tlbi_all(void)
{
    before(CW_CBCTL_TLBI_ALL);
    seL4_Error e = seL4_ARM_CBControl_TLBInvalidateAll(cw_cb_control());
    note(e, "CBControl_TLBInvalidateAll()");
    return after(e);
}

/* Labels each cap type answers (the generator keeps each object's labels together, in
 * this order), and how many words/caps each label needs. */
static bool label_of_type(unsigned type, seL4_Word label)
{
    switch (type) {
    case cap_cnode_cap: return label >= CNodeRevoke && label < UntypedRetype;
    case cap_untyped_cap: return label == UntypedRetype;
    case cap_page_table_cap: return label >= ARMPageTableMap && label < ARMPageMap;
    case cap_frame_cap: return label >= ARMPageMap && label < ARMSIDControlGetSID;
    case cap_sid_control_cap: return label >= ARMSIDControlGetSID && label < ARMSIDBindCB;
    case cap_sid_cap: return label >= ARMSIDBindCB && label < ARMCBControlGetCB;
    case cap_cb_control_cap: return label >= ARMCBControlGetCB && label < ARMCBAssignVspace;
    case cap_cb_cap: return label >= ARMCBAssignVspace && label < nInvocationLabels;
    default: return false;
    }
}

static void label_needs(seL4_Word label, unsigned *words, unsigned *caps)
{
#define NEED(l) [l] = { l##_NWORDS, l##_NCAPS }
    static const unsigned need[nInvocationLabels][2] = {
        NEED(CNodeRevoke), NEED(CNodeDelete), NEED(CNodeCopy), NEED(CNodeMint), NEED(CNodeMove),
        NEED(UntypedRetype), NEED(ARMPageTableMap), NEED(ARMPageMap), NEED(ARMSIDControlGetSID),
        NEED(ARMSIDControlGetBypass), NEED(ARMSIDBindCB), NEED(ARMSIDBypass), NEED(ARMCBControlGetCB),
        NEED(ARMCBAssignVspace), NEED(ARMCBTLBInvalidate),
#ifdef ARMSIDControlClearGlobalError_NWORDS
        NEED(ARMSIDControlClearGlobalError),
#endif
#ifdef ARMSIDControlGetEventq_NWORDS
        NEED(ARMSIDControlGetEventq),
#endif
#ifdef ARMCBAssignCDTable_NWORDS
        NEED(ARMCBAssignCDTable),
#endif
#ifdef ARMCBS1TLBInvalidate_NWORDS
        NEED(ARMCBS1TLBInvalidate),
#endif
    };
#undef NEED
    *words = *caps = 0;
    if (label < nInvocationLabels) {
        *words = need[label][0];
        *caps = need[label][1];
    }
}

seL4_Error cw_raw(seL4_CPtr cap, seL4_Word label, unsigned words, unsigned caps)
{
    unsigned type = cap < NSLOTS ? (unsigned)cap_get_capType(cnode[cap].cap) : cap_null_cap;
    unsigned nw, nc;
    label_needs(label, &nw, &nc);
    if (words > seL4_MsgMaxLength)
        words = seL4_MsgMaxLength;
    if (caps > seL4_MsgMaxExtraCaps)
        caps = seL4_MsgMaxExtraCaps;
    bool malformed = !label_of_type(type, label) || words < nw || caps < nc;
    if (!malformed)
        return seL4_NumErrors; /* a well-formed call: not this operation's business */
    before(CW_RAW);
    for (unsigned i = 0; i < words; i++)
        seL4_SetMR((int)i, i == 0 ? window[0] : i == 1 ? DEPTH : test_base);
    for (unsigned i = 0; i < caps; i++)
        seL4_SetCap((int)i, ROOT);
    seL4_MessageInfo_t r = seL4_Call(cap, seL4_MessageInfo_new(label, 0, caps, words));
    seL4_Error e = (seL4_Error)seL4_MessageInfo_get_label(r);
    if (e == seL4_NoError)
        violation(CV_TRUNCATED, "label %lu on slot %lu (cap type %u) with %u words and %u caps succeeded",
                  (unsigned long)label, (unsigned long)cap, type, words, caps);
    note(e, "malformed(slot %lu, label %lu, %u words, %u caps)", (unsigned long)cap, (unsigned long)label, words, caps);
    return after(e);
}

seL4_Error cw_user_write(seL4_CPtr frame, unsigned word_index, uint64_t value)
{
    if (frame >= NSLOTS || cap_get_capType(cnode[frame].cap) != cap_frame_cap ||
        cap_frame_cap_get_capFVMRights(cnode[frame].cap) != VM_RW)
        return seL4_IllegalOperation;
    before(CW_USER_WRITE);
    uint64_t pa = cap_frame_cap_get_capFBasePtr_pfn(cnode[frame].cap) << 12;
    ((volatile uint64_t *)plat_phys_to_virt(pa))[word_index % 512u] = value;
    note(seL4_NoError, "user write(frame %lu @pa 0x%llx, word %u, 0x%llx)", (unsigned long)frame,
         (unsigned long long)pa, word_index % 512u, (unsigned long long)value);
    return after(seL4_NoError);
}

void cw_poke(uint64_t pa, uint64_t value)
{
    before(CW_USER_WRITE);
    *(volatile uint64_t *)plat_phys_to_virt(pa) = value;
    note(seL4_NoError, "poke(pa 0x%llx, 0x%llx)", (unsigned long long)pa, (unsigned long long)value);
    after(seL4_NoError);
}

uint64_t cw_page_desc(uint64_t pa) { return (pa & DESC_ADDR) | DESC_AF | DESC_S2AP_R | DESC_S2AP_W | 3u; }
uint64_t cw_table_desc(uint64_t pa) { return (pa & DESC_ADDR) | 3u; }
uint64_t cw_secret_pa(void) { return (uint64_t)(uintptr_t)cnode; }

/* ---- the world ---------------------------------------------------------------------------------- */

seL4_CPtr cw_slot(unsigned i) { return test_base + i; }
seL4_CPtr cw_untyped(unsigned i) { return ut_slot[i % N_UT]; }
seL4_CPtr cw_boot_sid(unsigned i) { return bi.smmu[0].sids.start + i; }
seL4_CPtr cw_boot_cb(unsigned i) { return bi.smmu[0].cbs.start + i; }
seL4_CPtr cw_sid_control(void) { return find_type(cap_sid_control_cap, bi.smmu[0].sidControl); }
seL4_CPtr cw_cb_control(void) { return find_type(cap_cb_control_cap, bi.smmu[0].cbControl); }
uint64_t cw_window_page(unsigned i) { return window[i % NWIN]; }
unsigned cw_window_pages(void) { return NWIN; }

int cw_init(const struct cw_config *c)
{
    cfg = *c;
    if (cfg.mem_bits < 20)
        cfg.mem_bits = 20;
    if (cfg.test_slots == 0 || cfg.test_slots > MAX_TEST_SLOTS)
        cfg.test_slots = 64;
    world_up = false;
    world_full = false;
    memset(&fx, 0, sizeof(fx));
    standin_init(&fx.sd);
    fx.sd.idr[5] = (fx.sd.idr[5] & ~7u) | 5u; /* 48-bit OAS: heap addresses are "physical" */
    if (cfg.no_ril)
        fx.sd.idr[3] &= ~(uint32_t)IDR3_RIL;
    fx_config(&fx, 16, SMMU_STRTAB_AUTO, 8);
    if (smmu_init(&fx.smmu, &fx.cfg) != ERR_NONE)
        return -1;
    smmu_object_reset();
    smmu_object_register(0, &fx.smmu);
    smmu_boot_set_table(boot_sids, 2);

    mem_size = 1ULL << cfg.mem_bits;
    free(mem);
    mem = aligned_alloc((size_t)mem_size, (size_t)mem_size);
    if (!mem)
        return -1;
    memset(mem, 0, (size_t)mem_size);
    mem_base = (uint64_t)(uintptr_t)mem;
    struct kernel_boot_config bc = { .root_cnode_radix = RADIX, .n_regions = 1,
                                     .regions = { { .base = mem_base, .size = mem_size } } };
    memset(&root_thread, 0, sizeof(root_thread));
    if (kernel_boot(&bc, &root_thread, &bi) != ERR_NONE)
        return -1;
    seL4_HostBindThread(&root_thread);
    memset(&ipc, 0, sizeof(ipc));
    seL4_SetIPCBuffer(&ipc);
    cnode = (cte_t *)plat_phys_to_virt(cap_cnode_cap_get_capCNodePtr_pfn(root_thread.cspace_root.cap) << 12);

    /* Four small untypeds, so memory runs out and is reused. */
    seL4_CPtr big = 0;
    unsigned big_bits = 0;
    for (seL4_CPtr u = bi.untyped.start; u < bi.untyped.end; u++) {
        unsigned b = bi.untypedList[u - bi.untyped.start].sizeBits;
        if (b > big_bits) {
            big_bits = b;
            big = u;
        }
    }
    if (big_bits < UT_BITS + 2 || bi.empty.start + N_UT + cfg.test_slots + 4 > NSLOTS)
        return -1;
    if (seL4_Untyped_Retype(big, seL4_UntypedObject, UT_BITS, ROOT, 0, 0, bi.empty.start, N_UT) != seL4_NoError)
        return -1;
    for (unsigned i = 0; i < N_UT; i++)
        ut_slot[i] = bi.empty.start + i;
    test_base = bi.empty.start + N_UT;

    /* The model starts from the CNode as booted. */
    nobjs = 0;
    memset(sm, 0, sizeof(sm));
    memset(alive_stamp, 0, sizeof(alive_stamp));
    for (unsigned i = 0; i < NSLOTS; i++)
        if (cap_get_capType(cnode[i].cap) != cap_null_cap)
            adopt(i, 0);
    uint32_t sidctl = control_obj(OK_SIDCTL), cbctl = control_obj(OK_CBCTL);
    for (unsigned i = 0; i < NSLOTS; i++) {
        uint32_t o = sm[i].obj;
        if (!o)
            continue;
        if (objs[o].kind == OK_SID)
            objs[o].parent = sidctl;
        if (objs[o].kind == OK_CB)
            objs[o].parent = cbctl;
        if (objs[o].kind == OK_UNTYPED && i != big)
            for (unsigned j = 0; j < NSLOTS; j++) {
                uint32_t p = sm[j].obj;
                if (p && p != o && objs[p].kind == OK_UNTYPED && objs[p].pa <= objs[o].pa &&
                    objs[o].pa + objs[o].size <= objs[p].pa + objs[p].size && objs[p].size > objs[o].size)
                    objs[o].parent = p;
            }
    }
    tlb_reset();
    memset(ste_cache, 0, sizeof(ste_cache));
    log_done = 0;
    fx.sd.nlog = 0;
    fx.sd.on_sync = on_sync;
    fx.sd.on_sync_ctx = NULL;
    struct smmu_instance *inst = smmu_object_instance(0);
    hw_errors_seen = inst ? inst->hw_errors : 0;
    trace_n = 0;
    step_no = 0;
    reported = 0;
    world_up = true;
    check_all();
    return 0;
}

void cw_fini(void)
{
    if (!world_up && !mem)
        return;
    fx.sd.on_sync = NULL;
    fx_stop(&fx);
    seL4_HostBindThread(NULL);
    free(mem);
    mem = NULL;
    world_up = false;
}

/* ---- the byte interpreter ---------------------------------------------------------------------- */

struct rd {
    cw_next_byte next;
    void *ctx;
};
static uint8_t b8(struct rd *r) { return r->next(r->ctx); }

/* A slot holding one of the cap types in `types` (bit per cap type), mostly; sometimes
 * any slot the sequences use, sometimes a cptr that does not resolve. */
static seL4_CPtr pick(struct rd *r, uint32_t types)
{
    uint8_t b = b8(r);
    static seL4_CPtr cand[NSLOTS];
    unsigned n = 0;
    if (b < 216) {
        for (unsigned i = 0; i < NSLOTS; i++)
            if (types & (1u << cap_get_capType(cnode[i].cap)))
                cand[n++] = i;
        if (n)
            return cand[(b8(r)) % n];
    }
    if (b < 244 || n == 0) {
        unsigned lo = seL4_CapSMMUSIDControl, hi = (unsigned)(test_base + cfg.test_slots);
        return lo + b8(r) % (hi - lo);
    }
    static const seL4_CPtr bogus[] = { seL4_CapNull, seL4_CapInitThreadTCB, NSLOTS + 3, 0xdeadbeef, ~(seL4_CPtr)0 };
    return bogus[b % 5];
}

/* Like pick, but mostly among the slots `pref` likes (the generator's taste only). */
typedef bool (*slot_pref)(unsigned slot);
static seL4_CPtr pick_pref(struct rd *r, uint32_t types, slot_pref pref)
{
    uint8_t b = b8(r);
    if (b < 176) {
        static seL4_CPtr cand[NSLOTS];
        unsigned n = 0;
        for (unsigned i = 0; i < NSLOTS; i++)
            if ((types & (1u << cap_get_capType(cnode[i].cap))) && pref(i))
                cand[n++] = i;
        if (n)
            return cand[b8(r) % n];
    }
    return pick(r, types);
}

static bool frame_unmapped(unsigned s) { return !cap_frame_cap_get_capFIsMapped(cnode[s].cap); }
static bool frame_mapped(unsigned s) { return cap_frame_cap_get_capFIsMapped(cnode[s].cap); }
static bool pt_unmapped(unsigned s) { return !cap_page_table_cap_get_capPTIsMapped(cnode[s].cap); }
static bool pt_mapped(unsigned s) { return cap_page_table_cap_get_capPTIsMapped(cnode[s].cap); }
static bool cb_has_vs(unsigned s) { return sm[s].obj && alive(objs[sm[s].obj].vs); }
static bool cb_no_vs(unsigned s) { return !cb_has_vs(s); }
static bool sid_free(unsigned s)
{
    return sm[s].obj && !alive(objs[sm[s].obj].bound_cb) && !objs[sm[s].obj].bypass;
}
static bool sid_busy(unsigned s) { return !sid_free(s); }

/* Where the control caps are now (Move may have moved them). */
static seL4_CPtr find_type(unsigned type, seL4_CPtr dflt)
{
    if (dflt < NSLOTS && cap_get_capType(cnode[dflt].cap) == type)
        return dflt;
    for (unsigned i = 0; i < NSLOTS; i++)
        if (cap_get_capType(cnode[i].cap) == type)
            return i;
    return dflt;
}

/* A VSpace cap and a window page where Page_Map (for_page: both tables there, no leaf) or
 * PageTable_Map (a table missing) would succeed, judged by walking the VSpace. */
static bool pick_vs_va(struct rd *r, bool for_page, seL4_CPtr *vs, seL4_Word *va)
{
    static struct {
        seL4_CPtr vs;
        uint64_t va;
    } cand[NSLOTS];
    unsigned n = 0;
    for (unsigned i = 0; i < NSLOTS && n < NSLOTS; i++) {
        if (cap_get_capType(cnode[i].cap) != cap_vspace_cap)
            continue;
        uint64_t root = cap_vspace_cap_get_capVSBasePtr_pfn(cnode[i].cap) << 12;
        for (unsigned p = 0; p < NWIN && n < NSLOTS; p++) {
            struct walk w;
            walk_vspace(root, window[p], &w);
            bool fits = for_page ? (w.nt == 2 && w.st == W_FAULT) : (w.nt < 2 && w.st == W_FAULT);
            if (fits) {
                cand[n].vs = i;
                cand[n].va = window[p];
                n++;
            }
        }
    }
    if (!n)
        return false;
    unsigned k = b8(r) % n;
    *vs = cand[k].vs;
    *va = cand[k].va;
    return true;
}

static seL4_CPtr pick_dest(struct rd *r)
{
    uint8_t b = b8(r);
    if (b < 224) {
        static seL4_CPtr cand[MAX_TEST_SLOTS];
        unsigned n = 0;
        for (unsigned i = 0; i < cfg.test_slots; i++)
            if (cap_get_capType(cnode[test_base + i].cap) == cap_null_cap)
                cand[n++] = test_base + i;
        if (n)
            return cand[b8(r) % n];
    }
    if (b < 250)
        return test_base + b8(r) % cfg.test_slots; /* likely occupied */
    return b % 2 ? NSLOTS + 1 : 0x1000;            /* outside the CNode */
}

static seL4_Word pick_va(struct rd *r, bool table)
{
    uint8_t b = b8(r);
    uint64_t page = window[b8(r) % NWIN];
    if (b < 200)
        return table ? page + (uint64_t)(b8(r) & 0xf) * 0x100 : page;
    if (b < 220)
        return table ? 0x40400000 : page + 0x800; /* a table outside the window / unaligned */
    if (b < 236)
        return 1ULL << seL4_VSpaceIPABits;
    if (b < 246)
        return ~0ULL & ~0xfffULL;
    return page;
}

static seL4_CapRights_t pick_rights(struct rd *r)
{
    static const seL4_CapRights_t rr[] = { seL4_ReadWrite, seL4_ReadWrite, seL4_CanRead, seL4_CanRead,
                                           seL4_AllRights, seL4_CanWrite, 0 };
    return rr[b8(r) % 7];
}

static seL4_Uint8 pick_depth(struct rd *r)
{
    uint8_t b = b8(r);
    static const seL4_Uint8 odd[] = { 0, 8, 63, 65, 255 };
    return b < 236 ? DEPTH : odd[b % 5];
}

#define T(x) (1u << (x))
#define T_ANY (~(uint32_t)T(cap_null_cap))
/* Caps Delete/Revoke/Move may touch: not the root CNode (the sequences need it). */
#define T_MOVABLE (T_ANY & ~T(cap_cnode_cap))

static const uint8_t op_weight[CW_NOPS] = {
    [CW_RETYPE] = 30,    [CW_PAGE_MAP] = 34,  [CW_PAGE_UNMAP] = 10, [CW_PT_MAP] = 22,       [CW_PT_UNMAP] = 8,
    [CW_GET_SID] = 10,   [CW_GET_CB] = 8,     [CW_ASSIGN] = 14,     [CW_UNASSIGN] = 6,      [CW_BIND] = 16,
    [CW_UNBIND] = 6,     [CW_GET_BYPASS] = 3, [CW_BYPASS] = 5,      [CW_COPY] = 16,         [CW_MOVE] = 5,
    [CW_DELETE] = 14,    [CW_REVOKE] = 8,     [CW_CB_TLBI_ALL] = 2, [CW_CB_TLBI] = 3,       [CW_CBCTL_TLBI_ALL] = 1,
    [CW_RAW] = 8,        [CW_USER_WRITE] = 7,
};

static enum cw_op op_of(uint8_t b)
{
    static uint8_t table[256];
    static bool built;
    if (!built) {
        unsigned total = 0;
        for (unsigned o = 0; o < CW_NOPS; o++)
            total += op_weight[o];
        unsigned k = 0;
        for (unsigned o = 0; o < CW_NOPS; o++) {
            unsigned n = (op_weight[o] * 256u + total / 2) / total;
            for (unsigned i = 0; i < n && k < 256; i++)
                table[k++] = (uint8_t)o;
        }
        while (k < 256)
            table[k++] = CW_PAGE_MAP;
        built = true;
    }
    return (enum cw_op)table[b];
}

void cw_step(cw_next_byte next, void *ctx)
{
    if (!world_up || world_full)
        return;
    struct rd r = { next, ctx };
    switch (op_of(b8(&r))) {
    case CW_RETYPE: {
        seL4_CPtr ut = pick(&r, T(cap_untyped_cap));
        uint8_t t = b8(&r);
        seL4_Word type, bits = 0;
        if (t < 100)
            type = seL4_ARM_SmallPageObject;
        else if (t < 150)
            type = seL4_ARM_PageTableObject;
        else if (t < 200)
            type = seL4_ARM_VSpaceObject;
        else if (t < 215) {
            type = seL4_UntypedObject;
            bits = 12 + t % 3;
        } else if (t < 225)
            type = seL4_ARM_LargePageObject;
        else if (t < 235)
            type = seL4_TCBObject;
        else if (t < 245) {
            type = seL4_ARM_SmallPageObject;
            bits = 70; /* size out of range */
        } else
            type = 99;
        seL4_CPtr dest = pick_dest(&r);
        uint8_t nb = b8(&r);
        seL4_Word n = nb < 220 ? 1 : nb < 245 ? 2 : nb % 2 ? 0 : 300;
        cw_retype(ut, type, bits, dest, n);
        return;
    }
    case CW_PAGE_MAP: {
        seL4_CPtr f = pick_pref(&r, T(cap_frame_cap), frame_unmapped);
        seL4_CPtr vs;
        seL4_Word va;
        if (b8(&r) >= 150 || !pick_vs_va(&r, true, &vs, &va)) {
            vs = pick(&r, T(cap_vspace_cap));
            va = pick_va(&r, false);
        }
        cw_page_map(f, vs, va, pick_rights(&r));
        return;
    }
    case CW_PAGE_UNMAP:
        cw_page_unmap(pick_pref(&r, T(cap_frame_cap), frame_mapped));
        return;
    case CW_PT_MAP: {
        seL4_CPtr pt = pick_pref(&r, T(cap_page_table_cap), pt_unmapped);
        seL4_CPtr vs;
        seL4_Word va;
        if (b8(&r) >= 150 || !pick_vs_va(&r, false, &vs, &va)) {
            vs = pick(&r, T(cap_vspace_cap));
            va = pick_va(&r, true);
        } else {
            va += (uint64_t)(b8(&r) & 0xf) * 0x100;
        }
        cw_pt_map(pt, vs, va);
        return;
    }
    case CW_PT_UNMAP:
        cw_pt_unmap(pick_pref(&r, T(cap_page_table_cap), pt_mapped));
        return;
    case CW_GET_SID: {
        uint8_t b = b8(&r);
        seL4_Word smmu = b < 236 ? 0 : b % 2 ? 1 : 16;
        seL4_Word sid = request_sids[b8(&r) % (sizeof(request_sids) / sizeof(request_sids[0]))];
        seL4_CPtr dest = pick_dest(&r);
        cw_get_sid(smmu, sid, dest, pick_depth(&r));
        return;
    }
    case CW_GET_CB: {
        uint8_t b = b8(&r);
        seL4_Word cb = b < 220 ? b % 6 : b < 235 ? 63 : b < 245 ? 64 : ~0ULL;
        seL4_CPtr dest = pick_dest(&r);
        cw_get_cb(cb, dest, pick_depth(&r));
        return;
    }
    case CW_ASSIGN: {
        seL4_CPtr cb = pick_pref(&r, T(cap_cb_cap), cb_no_vs);
        cw_assign(cb, pick(&r, T(cap_vspace_cap)));
        return;
    }
    case CW_UNASSIGN:
        cw_unassign(pick_pref(&r, T(cap_cb_cap), cb_has_vs));
        return;
    case CW_BIND: {
        seL4_CPtr sid = pick_pref(&r, T(cap_sid_cap), sid_free);
        cw_bind(sid, pick_pref(&r, T(cap_cb_cap), cb_has_vs));
        return;
    }
    case CW_UNBIND:
        cw_unbind(pick_pref(&r, T(cap_sid_cap), sid_busy));
        return;
    case CW_GET_BYPASS: {
        seL4_CPtr dest = pick_dest(&r);
        cw_get_bypass(dest, pick_depth(&r));
        return;
    }
    case CW_BYPASS: {
        seL4_CPtr sid = pick_pref(&r, T(cap_sid_cap), sid_free);
        cw_bypass(sid, pick(&r, T(cap_smmu_bypass_cap)));
        return;
    }
    case CW_COPY: {
        seL4_CPtr src = pick(&r, T(cap_frame_cap) | T(cap_sid_cap) | T(cap_cb_cap) | T(cap_vspace_cap) |
                                     T(cap_smmu_bypass_cap) | T(cap_page_table_cap) | T(cap_untyped_cap) |
                                     T(cap_sid_control_cap));
        seL4_CPtr dest = pick_dest(&r);
        cw_copy(src, dest, pick_rights(&r));
        return;
    }
    case CW_MOVE: {
        seL4_CPtr src = pick(&r, T_MOVABLE);
        seL4_CPtr dest = pick_dest(&r);
        if (src < NSLOTS && cap_get_capType(cnode[src].cap) == cap_cnode_cap)
            return; /* keep the root CNode where the sequences find it */
        cw_move(src, dest);
        return;
    }
    case CW_DELETE: {
        seL4_CPtr s = pick(&r, T_MOVABLE & ~T(cap_sid_control_cap) & ~T(cap_cb_control_cap));
        unsigned t = s < NSLOTS ? (unsigned)cap_get_capType(cnode[s].cap) : cap_null_cap;
        if (t == cap_cnode_cap || t == cap_sid_control_cap || t == cap_cb_control_cap ||
            (s >= bi.untyped.start && s < bi.untyped.end))
            return; /* the root CNode, the control caps and the boot untypeds stay */
        cw_delete(s);
        return;
    }
    case CW_REVOKE: {
        seL4_CPtr s = pick(&r, T_MOVABLE);
        if (s < NSLOTS && (cap_get_capType(cnode[s].cap) == cap_cnode_cap ||
                           (s >= bi.untyped.start && s < bi.untyped.end)))
            return;
        cw_revoke(s);
        return;
    }
    case CW_CB_TLBI_ALL:
        cw_cb_tlbi_all(pick(&r, T(cap_cb_cap)));
        return;
    case CW_CB_TLBI: {
        seL4_CPtr cb = pick(&r, T(cap_cb_cap));
        seL4_Word va = pick_va(&r, false);
        static const seL4_Word sizes[] = { 0x1000, 0x2000, 0x200000, 0, 0x1800, 1ULL << 40 };
        cw_cb_tlbi(cb, va, sizes[b8(&r) % 6]);
        return;
    }
    case CW_CBCTL_TLBI_ALL:
        cw_cbctl_tlbi_all();
        return;
    case CW_RAW: {
        seL4_CPtr cap = pick(&r, T_ANY);
        seL4_Word label = b8(&r) % (nInvocationLabels + 2);
        unsigned words = b8(&r) % 7, caps = b8(&r) % 2;
        cw_raw(cap, label, words, caps);
        return;
    }
    case CW_USER_WRITE: {
        seL4_CPtr f = pick(&r, T(cap_frame_cap));
        static const unsigned idx[] = { 0, 1, 2, 3, 508, 509, 510, 511 };
        unsigned i = idx[b8(&r) % 8];
        uint8_t v = b8(&r);
        uint64_t self = f < NSLOTS ? cw_cap_pa(f) : 0;
        uint64_t value = v % 4 == 0 ? cw_page_desc(cw_secret_pa())
                       : v % 4 == 1 ? cw_table_desc(cw_secret_pa())
                       : v % 4 == 2 ? cw_page_desc(self)
                                    : cw_table_desc(self);
        cw_user_write(f, i, value);
        return;
    }
    default:
        return;
    }
}
