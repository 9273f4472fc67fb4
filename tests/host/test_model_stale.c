/* Stale-cache hunting: long random sequences of invocations (map, unmap, page-table map
 * and unmap, bind, unbind, bypass, assign, unassign, delete, re-create, revoke) against
 * the kernel with the reference model as its SMMU. After every step, every probe
 * (StreamID, IOVA, read/write) is translated by the model, which caches STEs, L1
 * descriptors, TLB and walk-cache entries as long as the architecture lets it, and is
 * compared with what the capabilities grant, computed by this file's own bookkeeping of
 * the calls that succeeded (never from the kernel's or the driver's state):
 *
 *   SID cap live, and either Bypass (any address, PA = IOVA) or bound (BindCB) to a live
 *   CB that has a live VSpace (AssignVspace) in which a live frame is mapped (Page_Map)
 *   at the IOVA's page through page tables that are still mapped where they were when
 *   it was mapped; writes need a read-write mapping.
 *
 * An access the model allows that this does not grant is an unauthorized access (a stale
 * cache the driver failed to invalidate); one it denies that is granted is an
 * availability miss. Both must be 0. STALE_STEPS and STALE_SEED (environment) make longer
 * or other runs; the figures are printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model_fixture.h"

#define NSIDS 4
#define NCBS 3
#define NVS 3
#define NFRAMES 20
#define NPTS 16
#define NPROBES 16
#define LOGN 12

static const uint32_t sid_values[NSIDS] = { 0x10, 0x18, 0x50, 0x90 };
/* Regions: two 2 MiB regions in the first 1 GiB, one in the second. */
static const uint64_t region_base[3] = { 0x10000000, 0x10600000, 0x50000000 };

struct o_sid { seL4_CPtr slot; bool live, bypass; int cb; };
struct o_cb { seL4_CPtr slot; bool live; int vs; };
struct o_vs { seL4_CPtr slot; bool live; };
struct o_frame { seL4_CPtr slot; bool live, mapped, rw; uint64_t pa, va; int vs, pt3; unsigned gen3; };
struct o_pt { seL4_CPtr slot; bool live, mapped; int vs, region, level, parent; unsigned gen, pgen; };

static struct {
    struct o_sid sid[NSIDS];
    struct o_cb cb[NCBS];
    struct o_vs vs[NVS];
    struct o_frame fr[NFRAMES];
    struct o_pt pt[NPTS];
    seL4_CPtr bypass;
    bool bypass_live;
    uint64_t probe[NPROBES];
    uint32_t rng;
    unsigned long step, checked, unauthorized, missing, ops[16], op_ok[16];
    char log[LOGN][96];
} W;

enum { OP_MAP, OP_UNMAP, OP_PT_MAP, OP_PT_UNMAP, OP_BIND, OP_UNBIND, OP_BYPASS, OP_ASSIGN, OP_UNASSIGN,
       OP_DELETE, OP_CREATE, OP_REVOKE, OP_TLBI, OP_COUNT };
static const char *op_names[OP_COUNT] = { "map", "unmap", "pt_map", "pt_unmap", "bind", "unbind", "bypass",
                                          "assign", "unassign", "delete", "create", "revoke", "cb_tlbi" };

static unsigned rnd(unsigned n)
{
    W.rng ^= W.rng << 13;
    W.rng ^= W.rng >> 17;
    W.rng ^= W.rng << 5;
    return W.rng % n;
}

/* A random index in [0, n) satisfying pred, or -1; with probability 1/8 any index (so that
 * calls that must fail are exercised too). */
static int pick(int n, bool (*pred)(int))
{
    if (rnd(8) == 0)
        return (int)rnd((unsigned)n);
    int cand[32], k = 0;
    for (int i = 0; i < n; i++)
        if (pred(i))
            cand[k++] = i;
    return k ? cand[rnd((unsigned)k)] : -1;
}

static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(W.log[W.step % LOGN], sizeof(W.log[0]), fmt, ap);
    va_end(ap);
}

/* ---- what the capabilities grant ----------------------------------------------------- */

static bool pt_reachable(int t, int vs)
{
    const struct o_pt *p = &W.pt[t];
    if (!p->live || !p->mapped || p->vs != vs)
        return false;
    if (p->level == 2)
        return true;
    const struct o_pt *up = &W.pt[p->parent];
    return up->live && up->mapped && up->vs == vs && up->gen == p->pgen;
}

static bool grant(int s, uint64_t iova, bool write, uint64_t *pa)
{
    const struct o_sid *sd = &W.sid[s];
    if (!sd->live)
        return false;
    if (sd->bypass) {
        *pa = iova;
        return true;
    }
    if (sd->cb < 0 || !W.cb[sd->cb].live || W.cb[sd->cb].vs < 0)
        return false;
    int vs = W.cb[sd->cb].vs;
    if (!W.vs[vs].live)
        return false;
    for (int f = 0; f < NFRAMES; f++) {
        const struct o_frame *fr = &W.fr[f];
        if (!fr->live || !fr->mapped || fr->vs != vs || fr->va != (iova & ~0xfffULL))
            continue;
        if (!pt_reachable(fr->pt3, vs) || W.pt[fr->pt3].gen != fr->gen3)
            continue;
        if (write && !fr->rw)
            return false;
        *pa = fr->pa + (iova & 0xfff);
        return true;
    }
    return false;
}

static void check_all(void)
{
    for (int s = 0; s < NSIDS; s++) {
        for (int p = 0; p < NPROBES; p++) {
            for (int w = 0; w < 2; w++) {
                uint64_t iova = W.probe[p] + 8 * (unsigned)p, want = 0, got = 0;
                bool g = grant(s, iova, w, &want);
                bool m = mfx_dma(sid_values[s], iova, w, &got);
                W.checked++;
                if (m && (!g || got != want)) {
                    if (W.unauthorized++ < 4) {
                        fprintf(stderr, "UNAUTHORIZED at step %lu: SID 0x%x %s IOVA 0x%lx reached PA 0x%lx (caps: %s 0x%lx)\n",
                                W.step, sid_values[s], w ? "write" : "read", (unsigned long)iova, (unsigned long)got,
                                g ? "grant" : "nothing", (unsigned long)want);
                        for (unsigned i = 0; i < LOGN; i++) {
                            unsigned long k = W.step + 1 + i;
                            if (k > LOGN - 1 && W.log[k % LOGN][0])
                                fprintf(stderr, "   step %lu: %s\n", k - LOGN, W.log[k % LOGN]);
                        }
                    }
                } else if (!m && g) {
                    if (W.missing++ < 4)
                        fprintf(stderr, "MISSING at step %lu: SID 0x%x %s IOVA 0x%lx denied, caps grant PA 0x%lx\n",
                                W.step, sid_values[s], w ? "write" : "read", (unsigned long)iova, (unsigned long)want);
                }
            }
        }
    }
}

/* ---- operations ----------------------------------------------------------------------- */

/* Retype into a fixed slot from whichever untyped has room. */
static bool retype_into(seL4_Word type, seL4_CPtr slot)
{
    for (seL4_Word ut = mfx.bi.untyped.start; ut < mfx.bi.untyped.end; ut++)
        if (seL4_Untyped_Retype(ut, type, 0, MFX_ROOT, 0, 0, slot, 1) == seL4_NoError)
            return true;
    return false;
}

static void kill_frame(int f)
{
    W.fr[f].live = W.fr[f].mapped = false;
}

static void kill_pt(int t)
{
    W.pt[t].live = W.pt[t].mapped = false;
    W.pt[t].gen++;
}

static void kill_vs(int v)
{
    W.vs[v].live = false;
    /* What was mapped in it is gone with it (the caps keep a dead VMID: unmap is a no-op). */
    for (int f = 0; f < NFRAMES; f++)
        if (W.fr[f].vs == v)
            W.fr[f].mapped = false;
    for (int t = 0; t < NPTS; t++)
        if (W.pt[t].vs == v && W.pt[t].mapped) {
            W.pt[t].mapped = false;
            W.pt[t].gen++;
        }
    for (int c = 0; c < NCBS; c++)
        if (W.cb[c].vs == v)
            W.cb[c].vs = -1; /* the CB loses its VSpace; SIDs stay bound to the CB */
}

static void kill_cb(int c)
{
    W.cb[c].live = false;
    W.cb[c].vs = -1;
    for (int s = 0; s < NSIDS; s++)
        if (W.sid[s].cb == c)
            W.sid[s].cb = -1;
}

static void kill_sid(int s)
{
    W.sid[s].live = W.sid[s].bypass = false;
    W.sid[s].cb = -1;
}

static bool frame_free(int f) { return W.fr[f].live && !W.fr[f].mapped; }
static bool frame_mapped(int f) { return W.fr[f].live && W.fr[f].mapped; }
static bool pt_free(int t) { return W.pt[t].live && !W.pt[t].mapped; }
static bool pt_mapped(int t) { return W.pt[t].live && W.pt[t].mapped; }
static bool vs_live(int v) { return W.vs[v].live; }
static bool vs_used(int v)
{
    for (int c = 0; c < NCBS; c++)
        if (W.cb[c].live && W.cb[c].vs == v)
            return W.vs[v].live;
    return false;
}
static bool sid_unbound(int s) { return W.sid[s].live && W.sid[s].cb < 0 && !W.sid[s].bypass; }
static bool sid_bound(int s) { return W.sid[s].live && (W.sid[s].cb >= 0 || W.sid[s].bypass); }
static bool sid_live(int s) { return W.sid[s].live; }
static bool cb_assigned(int c) { return W.cb[c].live && W.cb[c].vs >= 0; }
static bool cb_unassigned(int c) { return W.cb[c].live && W.cb[c].vs < 0; }

/* The level-2 table object covering region r of vs, if one is mapped and reachable. */
static int l2_of(int vs, int r)
{
    for (int t = 0; t < NPTS; t++)
        if (pt_reachable(t, vs) && W.pt[t].level == 2 && (region_base[W.pt[t].region] >> 30) == (region_base[r] >> 30))
            return t;
    return -1;
}

static int l3_of(int vs, int r)
{
    for (int t = 0; t < NPTS; t++)
        if (pt_reachable(t, vs) && W.pt[t].level == 3 && W.pt[t].region == r)
            return t;
    return -1;
}

static int region_of_probe(int p) { return p < 8 ? 0 : p < 12 ? 1 : 2; }

/* Map page table t in vs v at region r; updates the bookkeeping. */
static seL4_Error do_pt_map(int t, int v, int r)
{
    int l2 = l2_of(v, r);
    int level = l2 >= 0 ? 3 : 2;
    seL4_Error e = seL4_ARM_PageTable_Map(W.pt[t].slot, W.vs[v].slot, region_base[r], seL4_ARM_Default_VMAttributes);
    note("pt_map %d in vs %d region %d (level %d): %d", t, v, r, level, e);
    if (e != seL4_NoError)
        return e;
    W.pt[t].mapped = true;
    W.pt[t].vs = v;
    W.pt[t].region = r;
    W.pt[t].level = level;
    W.pt[t].parent = l2;
    W.pt[t].pgen = l2 >= 0 ? W.pt[l2].gen : 0;
    W.pt[t].gen++; /* a fresh mapping starts empty (PageTable_Unmap cleared it) */
    W.op_ok[OP_PT_MAP]++;
    return e;
}

static void op_map(void)
{
    int f = pick(NFRAMES, frame_free), v = rnd(4) ? pick(NVS, vs_used) : pick(NVS, vs_live);
    int p = (int)rnd(NPROBES);
    bool rw = rnd(3) != 0;
    if (f < 0 || v < 0 || !W.fr[f].live || !W.vs[v].live)
        return;
    uint64_t va = W.probe[p] & ~0xfffULL;
    seL4_Error e = seL4_ARM_Page_Map(W.fr[f].slot, W.vs[v].slot, va, rw ? seL4_ReadWrite : seL4_CanRead,
                                     seL4_ARM_Default_VMAttributes);
    /* A level is missing: give it page tables, as a root task would, then try again. */
    for (int i = 0; i < 2 && e == seL4_FailedLookup; i++) {
        int t = pick(NPTS, pt_free);
        if (t < 0 || !pt_free(t) || do_pt_map(t, v, region_of_probe(p)) != seL4_NoError)
            break;
        e = seL4_ARM_Page_Map(W.fr[f].slot, W.vs[v].slot, va, rw ? seL4_ReadWrite : seL4_CanRead,
                              seL4_ARM_Default_VMAttributes);
    }
    note("map frame %d at 0x%lx in vs %d %s: %d", f, (unsigned long)va, v, rw ? "rw" : "ro", e);
    if (e != seL4_NoError)
        return;
    int t3 = l3_of(v, region_of_probe(p));
    assert_true(t3 >= 0); /* the kernel found tables: so must the bookkeeping */
    W.fr[f] = (struct o_frame){ .slot = W.fr[f].slot, .live = true, .mapped = true, .rw = rw, .pa = W.fr[f].pa,
                                .va = va, .vs = v, .pt3 = t3, .gen3 = W.pt[t3].gen };
    W.op_ok[OP_MAP]++;
}

static void op_pt_map(void)
{
    int t = pick(NPTS, pt_free), v = pick(NVS, vs_live);
    if (t < 0 || v < 0 || !W.pt[t].live || !W.vs[v].live)
        return;
    do_pt_map(t, v, (int)rnd(3));
}

static void op_pt_unmap(void)
{
    int t = pick(NPTS, pt_mapped);
    if (t < 0 || !W.pt[t].live)
        return;
    seL4_Error e = seL4_ARM_PageTable_Unmap(W.pt[t].slot);
    note("pt_unmap %d: %d", t, e);
    if (e == seL4_NoError) {
        W.pt[t].mapped = false;
        W.pt[t].gen++;
        W.op_ok[OP_PT_UNMAP]++;
    }
}

static void op_delete(void)
{
    unsigned k = rnd(12);
    switch (k < 4 ? 0 : k < 7 ? 1 : k < 8 ? 2 : k < 10 ? 3 : 4) {
    case 0: {
        int f = rnd(NFRAMES);
        if (!W.fr[f].live)
            return;
        note("delete frame %d: %d", f, seL4_CNode_Delete(MFX_ROOT, W.fr[f].slot, MFX_DEPTH));
        kill_frame(f);
        break;
    }
    case 1: {
        int t = rnd(NPTS);
        if (!W.pt[t].live)
            return;
        note("delete pt %d: %d", t, seL4_CNode_Delete(MFX_ROOT, W.pt[t].slot, MFX_DEPTH));
        kill_pt(t);
        break;
    }
    case 2: {
        int v = rnd(NVS);
        if (!W.vs[v].live)
            return;
        note("delete vs %d: %d", v, seL4_CNode_Delete(MFX_ROOT, W.vs[v].slot, MFX_DEPTH));
        kill_vs(v);
        break;
    }
    case 3: {
        int c = rnd(NCBS);
        if (!W.cb[c].live)
            return;
        note("delete cb %d: %d", c, seL4_CNode_Delete(MFX_ROOT, W.cb[c].slot, MFX_DEPTH));
        kill_cb(c);
        break;
    }
    default: {
        int s = rnd(NSIDS);
        if (!W.sid[s].live)
            return;
        note("delete sid %d: %d", s, seL4_CNode_Delete(MFX_ROOT, W.sid[s].slot, MFX_DEPTH));
        kill_sid(s);
        break;
    }
    }
    W.op_ok[OP_DELETE]++;
}

static void op_create(void)
{
    switch (rnd(6)) {
    case 0: {
        int f = (int)rnd(NFRAMES);
        if (W.fr[f].live || !retype_into(seL4_ARM_SmallPageObject, W.fr[f].slot))
            return;
        W.fr[f] = (struct o_frame){ .slot = W.fr[f].slot, .live = true, .pa = mfx_frame_pa(W.fr[f].slot) };
        note("create frame %d at PA 0x%lx", f, (unsigned long)W.fr[f].pa);
        break;
    }
    case 1: {
        int t = rnd(NPTS);
        if (W.pt[t].live || !retype_into(seL4_ARM_PageTableObject, W.pt[t].slot))
            return;
        W.pt[t].live = true;
        W.pt[t].mapped = false;
        W.pt[t].gen++;
        note("create pt %d", t);
        break;
    }
    case 2: {
        int v = rnd(NVS);
        if (W.vs[v].live || !retype_into(seL4_ARM_VSpaceObject, W.vs[v].slot))
            return;
        W.vs[v].live = true;
        note("create vs %d", v);
        break;
    }
    case 3: {
        int c = rnd(NCBS);
        if (W.cb[c].live)
            return;
        seL4_Error e = seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, (seL4_Word)c, MFX_ROOT, W.cb[c].slot, MFX_DEPTH);
        note("create cb %d: %d", c, e);
        if (e != seL4_NoError)
            return;
        W.cb[c].live = true;
        W.cb[c].vs = -1;
        break;
    }
    case 4: {
        int s = rnd(NSIDS);
        if (W.sid[s].live)
            return;
        seL4_Error e = seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, sid_values[s], MFX_ROOT, W.sid[s].slot,
                                                  MFX_DEPTH);
        note("create sid %d: %d", s, e);
        if (e != seL4_NoError)
            return;
        W.sid[s].live = true;
        W.sid[s].cb = -1;
        W.sid[s].bypass = false;
        break;
    }
    default:
        if (W.bypass_live)
            return;
        if (seL4_ARM_SIDControl_GetBypass(seL4_CapSMMUSIDControl, MFX_ROOT, W.bypass, MFX_DEPTH) != seL4_NoError)
            return;
        W.bypass_live = true;
        note("create bypass cap");
        break;
    }
    W.op_ok[OP_CREATE]++;
}

static void op_revoke(void)
{
    unsigned k = rnd(3);
    if (k == 0) {
        /* Every CB, boot ones included, is derived from CBControl. */
        note("revoke CBControl: %d", seL4_CNode_Revoke(MFX_ROOT, seL4_CapSMMUCBControl, MFX_DEPTH));
        for (int c = 0; c < NCBS; c++)
            if (W.cb[c].live)
                kill_cb(c);
    } else if (k == 1) {
        note("revoke SIDControl: %d", seL4_CNode_Revoke(MFX_ROOT, seL4_CapSMMUSIDControl, MFX_DEPTH));
        for (int s = 0; s < NSIDS; s++)
            if (W.sid[s].live)
                kill_sid(s);
        W.bypass_live = false;
    } else {
        /* Every untyped: all frames, tables and VSpaces go; their memory is reused. */
        for (seL4_Word ut = mfx.bi.untyped.start; ut < mfx.bi.untyped.end; ut++)
            assert_int_equal(seL4_CNode_Revoke(MFX_ROOT, ut, MFX_DEPTH), seL4_NoError);
        note("revoke untypeds");
        for (int f = 0; f < NFRAMES; f++)
            kill_frame(f);
        for (int t = 0; t < NPTS; t++)
            kill_pt(t);
        for (int v = 0; v < NVS; v++)
            if (W.vs[v].live)
                kill_vs(v);
    }
    W.op_ok[OP_REVOKE]++;
}

static void step(void)
{
    unsigned r = rnd(100), op;
    /* Weights: mapping churn most, then binding, then lifecycle. */
    op = r < 20 ? OP_MAP : r < 32 ? OP_UNMAP : r < 42 ? OP_PT_MAP : r < 48 ? OP_PT_UNMAP : r < 57 ? OP_BIND
       : r < 63 ? OP_UNBIND : r < 65 ? OP_BYPASS : r < 73 ? OP_ASSIGN : r < 77 ? OP_UNASSIGN : r < 86 ? OP_DELETE
       : r < 97 ? OP_CREATE : r < 98 && rnd(3) == 0 ? OP_REVOKE : OP_TLBI;
    W.ops[op]++;
    W.log[W.step % LOGN][0] = 0;
    switch (op) {
    case OP_MAP: op_map(); break;
    case OP_UNMAP: {
        int f = pick(NFRAMES, frame_mapped);
        if (f < 0 || !W.fr[f].live)
            break;
        seL4_Error e = seL4_ARM_Page_Unmap(W.fr[f].slot);
        note("unmap frame %d: %d", f, e);
        if (e == seL4_NoError) {
            W.fr[f].mapped = false;
            W.op_ok[op]++;
        }
        break;
    }
    case OP_PT_MAP: op_pt_map(); break;
    case OP_PT_UNMAP: op_pt_unmap(); break;
    case OP_BIND: {
        int s = pick(NSIDS, sid_unbound), c = pick(NCBS, cb_assigned);
        if (s < 0 || c < 0 || !W.sid[s].live || !W.cb[c].live)
            break;
        seL4_Error e = seL4_ARM_SID_BindCB(W.sid[s].slot, W.cb[c].slot);
        note("bind sid %d to cb %d: %d", s, c, e);
        if (e == seL4_NoError) {
            assert_true(W.sid[s].cb < 0 && !W.sid[s].bypass && W.cb[c].vs >= 0);
            W.sid[s].cb = c;
            W.op_ok[op]++;
        }
        break;
    }
    case OP_UNBIND: {
        int s = pick(NSIDS, sid_bound);
        if (s < 0 || !W.sid[s].live)
            break;
        seL4_Error e = seL4_ARM_SID_UnbindCB(W.sid[s].slot);
        note("unbind sid %d: %d", s, e);
        if (e == seL4_NoError) {
            W.sid[s].cb = -1;
            W.sid[s].bypass = false;
            W.op_ok[op]++;
        }
        break;
    }
    case OP_BYPASS: {
        int s = pick(NSIDS, sid_live);
        if (s < 0 || !W.sid[s].live || !W.bypass_live)
            break;
        seL4_Error e = seL4_ARM_SID_Bypass(W.sid[s].slot, W.bypass);
        note("bypass sid %d: %d", s, e);
        if (e == seL4_NoError) {
            W.sid[s].bypass = true;
            W.op_ok[op]++;
        }
        break;
    }
    case OP_ASSIGN: {
        int c = pick(NCBS, cb_unassigned), v = pick(NVS, vs_live);
        if (c < 0 || v < 0 || !W.cb[c].live || !W.vs[v].live)
            break;
        seL4_Error e = seL4_ARM_CB_AssignVspace(W.cb[c].slot, W.vs[v].slot);
        note("assign vs %d to cb %d: %d", v, c, e);
        if (e == seL4_NoError) {
            W.cb[c].vs = v;
            W.op_ok[op]++;
        }
        break;
    }
    case OP_UNASSIGN: {
        int c = pick(NCBS, cb_assigned);
        if (c < 0 || !W.cb[c].live)
            break;
        seL4_Error e = seL4_ARM_CB_UnassignVspace(W.cb[c].slot);
        note("unassign cb %d: %d", c, e);
        if (e == seL4_NoError) {
            W.cb[c].vs = -1;
            W.op_ok[op]++;
        }
        break;
    }
    case OP_DELETE: op_delete(); break;
    case OP_CREATE: op_create(); break;
    case OP_REVOKE: op_revoke(); break;
    default: {
        int c = (int)rnd(NCBS);
        if (W.cb[c].live)
            note("cb %d TLBInvalidateAll: %d", c, seL4_ARM_CB_TLBInvalidateAll(W.cb[c].slot));
        break;
    }
    }
}

static unsigned long env_ul(const char *name, unsigned long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 0) : dflt;
}

static void hunt(bool prefetch, bool no_ril, unsigned long steps, uint32_t seed)
{
    struct mfx_opts o = { .no_ril = no_ril };
    assert_int_equal(mfx_start(&o), 0);
    assert_int_equal(mfx.init_err, ERR_NONE);
    memset(&W, 0, sizeof(W));
    W.rng = seed ? seed : 1;
    for (int p = 0; p < NPROBES; p++)
        W.probe[p] = region_base[p < 8 ? 0 : p < 12 ? 1 : 2] + 0x1000ULL * (unsigned)(p < 8 ? p : p < 12 ? p - 8 : p - 12);
    /* Boot caps: SIDs 0x10 and 0x18, CBs 0 and 1. */
    for (int s = 0; s < NSIDS; s++) {
        W.sid[s].cb = -1;
        W.sid[s].slot = s < 2 ? mfx.bi.smmu[0].sids.start + (seL4_CPtr)s : mfx_slot();
        W.sid[s].live = s < 2;
    }
    for (int c = 0; c < NCBS; c++) {
        W.cb[c].vs = -1;
        W.cb[c].slot = c < 2 ? mfx.bi.smmu[0].cbs.start + (seL4_CPtr)c : mfx_slot();
        W.cb[c].live = c < 2;
    }
    for (int v = 0; v < NVS; v++)
        W.vs[v].slot = mfx_slot();
    for (int f = 0; f < NFRAMES; f++)
        W.fr[f].slot = mfx_slot();
    for (int t = 0; t < NPTS; t++)
        W.pt[t].slot = mfx_slot();
    W.bypass = mfx_slot();
    /* Start populated: every object exists (creation is also a random step later). */
    for (int f = 0; f < NFRAMES; f++) {
        assert_true(retype_into(seL4_ARM_SmallPageObject, W.fr[f].slot));
        W.fr[f].live = true;
        W.fr[f].pa = mfx_frame_pa(W.fr[f].slot);
    }
    for (int t = 0; t < NPTS; t++) {
        assert_true(retype_into(seL4_ARM_PageTableObject, W.pt[t].slot));
        W.pt[t].live = true;
    }
    for (int v = 0; v < NVS; v++) {
        assert_true(retype_into(seL4_ARM_VSpaceObject, W.vs[v].slot));
        W.vs[v].live = true;
    }
    for (int s = 2; s < NSIDS; s++) {
        assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, sid_values[s], MFX_ROOT, W.sid[s].slot,
                                                    MFX_DEPTH), seL4_NoError);
        W.sid[s].live = true;
    }
    for (int c = 2; c < NCBS; c++) {
        assert_int_equal(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, (seL4_Word)c, MFX_ROOT, W.cb[c].slot, MFX_DEPTH),
                         seL4_NoError);
        W.cb[c].live = true;
    }
    assert_int_equal(seL4_ARM_SIDControl_GetBypass(seL4_CapSMMUSIDControl, MFX_ROOT, W.bypass, MFX_DEPTH), seL4_NoError);
    W.bypass_live = true;
    if (prefetch) {
        /* The model also fetches these after every command it consumes (3.21.3). */
        mfx.m.prefetch_every_cmd = true;
        for (int s = 0; s < NSIDS; s++) {
            model_watch(&mfx.m, sid_values[s], 0, false);
            model_watch(&mfx.m, sid_values[s], W.probe[s * 3], true);
            model_watch(&mfx.m, sid_values[s], W.probe[8 + s], true);
        }
    }
    for (W.step = 0; W.step < steps; W.step++) {
        step();
        check_all();
        if (W.unauthorized >= 4)
            break;
    }
    uint64_t hw = smmu_object_instance(0)->hw_errors;
    printf("FIGURES: stale-cache hunting (seed %u%s%s): %lu steps, %lu translations checked, "
           "%lu unauthorized accesses, %lu availability misses; model: %lu TLB hits, %lu walk-cache hits, "
           "%lu config-cache hits, %lu TLB + %lu config entries invalidated, %lu evictions, %lu commands, "
           "%lu CMD_SYNCs, %lu prefetches, %lu mixed STEs seen, %lu violations, %lu hardware errors\n",
           seed, prefetch ? ", prefetch after every command" : "", no_ril ? ", no RIL" : "", W.step, W.checked,
           W.unauthorized, W.missing, (unsigned long)mfx.m.stats.tlb_hits, (unsigned long)mfx.m.stats.walk_hits,
           (unsigned long)mfx.m.stats.cfg_hits, (unsigned long)mfx.m.stats.tlb_invalidated,
           (unsigned long)mfx.m.stats.cfg_invalidated,
           (unsigned long)(mfx.m.stats.tlb_evictions + mfx.m.stats.cfg_evictions), (unsigned long)mfx.m.stats.cmds,
           (unsigned long)mfx.m.stats.syncs, (unsigned long)mfx.m.stats.prefetches,
           (unsigned long)mfx.m.stats.illegal_ste_seen, (unsigned long)mfx.m.stats.violations, (unsigned long)hw);
    printf("FIGURES:   successful calls:");
    for (int op = 0; op < OP_COUNT; op++)
        printf(" %s %lu/%lu", op_names[op], W.op_ok[op], W.ops[op]);
    printf("\n");
    uint64_t violations = mfx.m.stats.violations, mixed = mfx.m.stats.illegal_ste_seen;
    const char *what = mfx.m.last_violation;
    unsigned long unauthorized = W.unauthorized, missing = W.missing;
    mfx_stop();
    if (violations)
        fail_msg("driver broke an SMMU programming rule: %s", what);
    assert_int_equal(unauthorized, 0);
    assert_int_equal(missing, 0);
    assert_int_equal(mixed, 0);
    assert_int_equal(hw, 0);
}

static void test_hunt(void **state)
{
    (void)state;
    hunt(false, false, env_ul("STALE_STEPS", 4000), (uint32_t)env_ul("STALE_SEED", 1));
}

static void test_hunt_prefetch(void **state)
{
    (void)state;
    hunt(true, false, env_ul("STALE_STEPS", 4000), (uint32_t)env_ul("STALE_SEED", 1) + 1);
}

static void test_hunt_no_ril(void **state)
{
    (void)state;
    hunt(false, true, env_ul("STALE_STEPS", 4000), (uint32_t)env_ul("STALE_SEED", 1) + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hunt),
        cmocka_unit_test(test_hunt_prefetch),
        cmocka_unit_test(test_hunt_no_ril),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
