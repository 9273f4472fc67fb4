/* RT_REQ_NESTED: the root task plays a guest's SMMU driver (the nested scheme). It builds,
 * in its own memory (addresses are IPAs of its VSpace), a context descriptor and stage-1
 * page tables, asks the kernel to bind that CD table (seL4_ARM_CB_AssignCDTable) and then
 * drives edu0's DMA with stage-1 IOVAs: IOVA -> (its stage 1) IPA -> (its VSpace, stage 2)
 * PA. The kernel never reads the CD or the stage-1 tables; the SMMU fetches them through
 * stage 2. Then a stage-1 entry pointing outside the VSpace (faults at stage 2) and a
 * guest unmap + invalidation request (faults at stage 1). */
#include <stdbool.h>
#include <stdint.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>
#include <sel4/syscall.h>

#include "lib/bits.h"
#include "pgtable/pgtable.h"
#include "roottask.h"
#include "rt.h"
#include "rt_caps.h"
#include "s1_tables.h"
#include "smmuv3/regs.h"

enum { F_CD, F_L1, F_L2, F_L3, F_SRC, F_DST, F_PT0, F_PT1, F_NSLOTS };

#define ASID 7u
#define N 4096u

struct guest {
    struct ctx c;
    volatile uint64_t *edu;
    seL4_CPtr sid, cb;
    seL4_CPtr s[F_NSLOTS];
    unsigned next_pt;
};

/* ---- helpers over rt_caps.h ----------------------------------------------------------- */
static bool retype(struct guest *g, seL4_Word type, seL4_CPtr dest) { return rt_retype(g->c.bi, type, dest); }

static bool map(struct guest *g, seL4_CPtr frame, uint64_t va)
{
    return rt_map(g->c.bi, frame, va, &g->s[F_PT0], F_PT1 - F_PT0 + 1, &g->next_pt);
}

static bool dma(struct guest *g, uint64_t src, uint64_t dst, uint32_t n, bool to_ram)
{
    return rt_edu_dma(g->edu, src, dst, n, to_ram);
}

static uint64_t ipa_of(unsigned f) { return RT_NESTED_IPA_BASE + (uint64_t)f * 0x1000u; }

seL4_Word root_nested_demo(const seL4_BootInfo *bi)
{
    struct guest g = { .c = { .bi = bi } };
    if (bi->numSMMUs < 1 || !step_setup(&g.c))
        return 1;
    for (unsigned i = 0; i < F_NSLOTS; i++) {
        g.s[i] = g.c.slot[SLOTS_USED - 1] + 1 + i;
        if (seL4_CNode_Delete(seL4_CapInitThreadCNode, g.s[i], DEPTH) != seL4_NoError)
            return 2;
    }
    g.next_pt = 0;
    g.sid = bi->smmu[0].sids.start;
    g.cb = bi->smmu[0].cbs.start;
    seL4_Word regs = map_device_page(&g.c);
    if (!regs)
        return 3;
    g.edu = (volatile uint64_t *)(uintptr_t)regs;

    /* Its memory: CD, three stage-1 tables, two data pages, at consecutive IPAs. */
    for (unsigned f = F_CD; f <= F_DST; f++)
        if (!retype(&g, seL4_ARM_SmallPageObject, g.s[f]) || !map(&g, g.s[f], ipa_of(f)))
            return 4;
    volatile uint64_t *l1 = (volatile uint64_t *)(uintptr_t)ipa_of(F_L1);
    volatile uint64_t *l2 = (volatile uint64_t *)(uintptr_t)ipa_of(F_L2);
    volatile uint64_t *l3 = (volatile uint64_t *)(uintptr_t)ipa_of(F_L3);
    for (unsigned i = 0; i < 512; i++)
        l1[i] = l2[i] = l3[i] = 0;
    l1[s1_idx(RT_NESTED_IOVA_SRC, 1)] = s1_table(ipa_of(F_L2));
    l2[s1_idx(RT_NESTED_IOVA_SRC, 2)] = s1_table(ipa_of(F_L3));
    l3[s1_idx(RT_NESTED_IOVA_SRC, 3)] = s1_page(ipa_of(F_SRC));
    l3[s1_idx(RT_NESTED_IOVA_DST, 3)] = s1_page(ipa_of(F_DST));
    /* A malicious entry: an IPA its VSpace does not map (another VM's, the kernel's). */
    l3[s1_idx(RT_NESTED_IOVA_EVIL, 3)] = s1_page(RT_NESTED_EVIL_IPA);
    s1_write_cd((volatile uint64_t *)(uintptr_t)ipa_of(F_CD), ipa_of(F_L1), ASID);
    __asm__ volatile("dsb ishst" ::: "memory"); /* the SMMU reads what we wrote */

    seL4_Error ea = seL4_ARM_CB_AssignVspace(g.cb, seL4_CapInitThreadVSpace);
    seL4_Error eb = seL4_ARM_SID_BindCB(g.sid, g.cb);
    seL4_Error ec = seL4_ARM_CB_AssignCDTable(g.cb, ipa_of(F_CD), 0, 0);
    rt_printf("guest: CD at IPA 0x%lx (ASID %u, stage-1 root IPA 0x%lx); AssignVspace %u, BindCB %u, "
              "AssignCDTable %u\n", (unsigned long)ipa_of(F_CD), ASID, (unsigned long)ipa_of(F_L1),
              (unsigned)ea, (unsigned)eb, (unsigned)ec);
    if (ea || eb || ec)
        return 5;

    /* 1. Nested translation: stage-1 IOVAs to its own pages. */
    rt_fill(ipa_of(F_SRC), N, 0x40);
    rt_fill(ipa_of(F_DST), N, 0x00);
    if (!dma(&g, RT_NESTED_IOVA_SRC, 0x40000, N, false) || !dma(&g, 0x40000, RT_NESTED_IOVA_DST, N, true))
        return 6;
    bool ok = rt_holds(ipa_of(F_DST), N, 0x40);
    rt_printf("guest: device copied IOVA 0x%lx -> 0x%lx (stage 1) = IPA 0x%lx -> 0x%lx: %s\n",
              (unsigned long)RT_NESTED_IOVA_SRC, (unsigned long)RT_NESTED_IOVA_DST,
              (unsigned long)ipa_of(F_SRC), (unsigned long)ipa_of(F_DST), ok ? "bytes match" : "MISMATCH");
    if (!ok)
        return 7;

    /* 2. The malicious entry: the write faults at stage 2 (the kernel checks the event). */
    if (!dma(&g, 0x40000, RT_NESTED_IOVA_EVIL, 64, true))
        return 8;
    rt_printf("guest: wrote through a stage-1 entry to IPA 0x%lx (outside its VSpace)\n",
              (unsigned long)RT_NESTED_EVIL_IPA);

    /* 3. Guest unmap at stage 1: before its invalidation request the SMMU may still use
     *    the cached translation; after it, the stale IOVA faults. */
    l3[s1_idx(RT_NESTED_IOVA_DST, 3)] = 0;
    __asm__ volatile("dsb ishst" ::: "memory");
    rt_fill(ipa_of(F_DST), N, 0x00);
    if (!dma(&g, 0x40000, RT_NESTED_IOVA_DST, 64, true))
        return 9;
    rt_printf("guest: unmapped IOVA 0x%lx at stage 1, no invalidation yet: the write %s\n",
              (unsigned long)RT_NESTED_IOVA_DST,
              rt_holds(ipa_of(F_DST), N, 0x00) ? "is blocked (nothing cached)" : "still landed (cached entry)");
    seL4_Error ei = seL4_ARM_CB_S1TLBInvalidate(g.cb, ASID, RT_NESTED_IOVA_DST, 0x1000);
    rt_fill(ipa_of(F_DST), N, 0x00);
    if (ei || !dma(&g, 0x40000, RT_NESTED_IOVA_DST, 64, true))
        return 9;
    bool blocked = rt_holds(ipa_of(F_DST), N, 0x00);
    rt_printf("guest: unmapped IOVA 0x%lx at stage 1, S1TLBInvalidate %u: the write %s\n",
              (unsigned long)RT_NESTED_IOVA_DST, (unsigned)ei, blocked ? "is blocked" : "LANDED");
    if (!blocked)
        return 10;
    /* A request naming another VMID cannot even be expressed: the CB supplies it. */

    seL4_Error eu = seL4_ARM_CB_UnassignCDTable(g.cb);
    seL4_Error ev = seL4_ARM_CB_UnassignVspace(g.cb);
    seL4_Error en = seL4_ARM_SID_UnbindCB(g.sid);
    seL4_Error er = seL4_CNode_Revoke(seL4_CapInitThreadCNode, g.c.ut, DEPTH);
    if (!er && g.c.dev_ut)
        er = seL4_CNode_Revoke(seL4_CapInitThreadCNode, g.c.dev_ut, DEPTH);
    rt_printf("guest: cleanup: UnassignCDTable %u, UnassignVspace %u, UnbindCB %u, Revoke %u\n",
              (unsigned)eu, (unsigned)ev, (unsigned)en, (unsigned)er);
    return (eu || ev || en || er) ? 11 : RT_RESULT_OK;
}
