/* RT_REQ_FAULTS_EVENTQ (x3 = edu0's StreamID, to check the records) and
 * RT_REQ_FAULTS_GERROR: the root task is the SMMU's fault handler, reached the way seL4
 * delivers device interrupts to user level. With only capabilities it
 *  - gets IRQHandler caps for the SMMU's eventq and gerror interrupts (their INTIDs and
 *    trigger from the boot info; seL4_IRQControl_GetTrigger), binds both to one
 *    notification through badged send-only copies (badge 1: eventq, 2: gerror);
 *  - run 1: binds edu0 to a CB over its own VSpace, lets the device write to an address
 *    its VSpace does not map, and blocks in seL4_Wait: the SMMU records the faults and
 *    raises its eventq interrupt, the kernel signals the notification; the handler reads
 *    the records with seL4_ARM_SIDControl_GetEventq, checks them and acknowledges the
 *    interrupt (seL4_IRQHandler_Ack);
 *  - run 2 (after the kernel side put an illegal command into the SMMU's command queue):
 *    waits for the gerror interrupt, reads the error (GetGlobalError: CMDQ_ERR, CERROR_ILL,
 *    the command's words), skips it (SkipCmdqError), checks the error is gone and that an
 *    invocation issuing commands afterwards (CB_TLBInvalidateAll) completes, acknowledges,
 *    and deletes everything it made.
 * The two runs share the caps the first leaves in the CSpace (slots below). */
#include <stdbool.h>
#include <stdint.h>

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>
#include <sel4/syscall.h>

#include "roottask.h"
#include "rt.h"
#include "rt_caps.h"

/* The event/GERROR encodings GetEventq and
 * GetGlobalError use (docs/capability-api.md). */
#define EVT_F_TRANSLATION 0x10u
#define EVT_FLAG_READ 1u
#define EVT_FLAG_STAGE2 2u
#define EVENTQ_LOST (1ULL << 63)
#define EVENTQ_MAX 29u
#define GERROR_CMDQ_ERR 0x1u
#define GERROR_EVENTQ_ABT_ERR 0x4u
#define CERROR_ILL 1u
#define TRIGGER_EDGE 1u
#define MAX_WAITS 8u

/* Slots, after those of root_main.c (step slots) and smmu_demo.c/nested_demo.c. */
#define F_SLOT_OFFSET 48u
enum { F_NTFN, F_NTFN_EVQ, F_NTFN_GERR, F_H_EVQ, F_H_GERR, F_NSLOTS };

struct faults {
    struct ctx c;
    const seL4_SMMUBootInfo *smmu;
    seL4_Word irq_evq, irq_gerr;
    seL4_CPtr sid, cb;
    seL4_CPtr s[F_NSLOTS];
    volatile uint64_t *edu;
};

static bool init(struct faults *f, const seL4_BootInfo *bi)
{
    f->c.bi = bi;
    if (bi->numSMMUs < 1 || bi->smmu[0].sids.end == bi->smmu[0].sids.start ||
        bi->smmu[0].cbs.end == bi->smmu[0].cbs.start) {
        rt_printf("roottask: no SMMU caps in the boot info\n");
        return false;
    }
    f->smmu = &bi->smmu[0];
    f->irq_evq = f->smmu->irq[seL4_SMMUIRQ_EventQ];
    f->irq_gerr = f->smmu->irq[seL4_SMMUIRQ_GError];
    f->sid = f->smmu->sids.start; /* edu0's StreamID (config) */
    f->cb = f->smmu->cbs.start;
    if (bi->empty.end - bi->empty.start < F_SLOT_OFFSET + F_NSLOTS)
        return false;
    for (unsigned i = 0; i < F_NSLOTS; i++)
        f->s[i] = bi->empty.start + F_SLOT_OFFSET + i;
    if (f->irq_evq == 0 || f->irq_gerr == 0) {
        rt_printf("roottask: the boot info names no eventq/gerror interrupt for SMMU 0\n");
        return false;
    }
    return true;
}

/* Drain the event queue; return the number of records, checking each against the expected
 * fault when `sid` is not ~0 (counts mismatches in *bad). */
static unsigned drain_events(struct faults *f, seL4_Word sid, unsigned *bad, bool print_first)
{
    unsigned total = 0;
    for (unsigned round = 0; round < 64; round++) {
        seL4_ARM_SIDControl_GetEventq_t r = seL4_ARM_SIDControl_GetEventq(f->smmu->sidControl, EVENTQ_MAX);
        if (r.error != seL4_NoError) {
            rt_printf("roottask: GetEventq: error %d\n", r.error);
            (*bad)++;
            return total;
        }
        if (r.remaining & EVENTQ_LOST) {
            rt_printf("roottask: GetEventq: records were lost to overflow\n");
            (*bad)++;
        }
        for (seL4_Word i = 0; i < r.count; i++) {
            seL4_Word w0 = seL4_GetMR(2 + 4 * (int)i), flags = seL4_GetMR(3 + 4 * (int)i);
            seL4_Word addr = seL4_GetMR(4 + 4 * (int)i), ipa = seL4_GetMR(5 + 4 * (int)i);
            unsigned type = (unsigned)(w0 & 0xffu);
            seL4_Word esid = w0 >> 32;
            if (print_first && total + i == 0)
                rt_printf("roottask:   record 0: type 0x%x (F_TRANSLATION is 0x10), StreamID 0x%lx, IOVA 0x%lx, "
                          "IPA 0x%lx, %s, stage %u\n",
                          type, (unsigned long)esid, (unsigned long)addr, (unsigned long)ipa,
                          (flags & EVT_FLAG_READ) ? "read" : "write", (flags & EVT_FLAG_STAGE2) ? 2u : 1u);
            if (sid != ~0ULL &&
                (type != EVT_F_TRANSLATION || esid != sid || addr < RT_FAULTS_IOVA ||
                 addr >= RT_FAULTS_IOVA + RT_FAULTS_BYTES || (flags & EVT_FLAG_READ) || !(flags & EVT_FLAG_STAGE2)))
                (*bad)++;
        }
        total += (unsigned)r.count;
        if (r.count == 0 || (r.remaining & ~EVENTQ_LOST) == 0)
            return total;
    }
    return total;
}

static void delete_slots(struct faults *f)
{
    for (unsigned i = 0; i < F_NSLOTS; i++)
        (void)seL4_CNode_Delete(seL4_CapInitThreadCNode, f->s[i], DEPTH);
}

seL4_Word root_faults_eventq(const seL4_BootInfo *bi, seL4_Word edu_sid)
{
    struct faults f = { 0 };
    if (!init(&f, bi))
        return 1;
    rt_printf("roottask: SMMU 0 interrupts from the boot info: eventq INTID %lu, gerror INTID %lu (%s)\n",
              (unsigned long)f.irq_evq, (unsigned long)f.irq_gerr,
              (f.smmu->irqEdge & (1u << seL4_SMMUIRQ_EventQ)) ? "edge-triggered" : "level-sensitive");
    /* A clean start: whatever an earlier run left goes (handlers, notification, objects). */
    delete_slots(&f);
    if (!step_setup(&f.c))
        return 2;

    /* 1. IRQ handlers, a notification, badged send-only copies, the bindings. */
    seL4_Word trig_evq = (f.smmu->irqEdge >> seL4_SMMUIRQ_EventQ) & 1u;
    seL4_Word trig_gerr = (f.smmu->irqEdge >> seL4_SMMUIRQ_GError) & 1u;
    seL4_Error e1 = seL4_IRQControl_GetTrigger(seL4_CapIRQControl, f.irq_evq, trig_evq, seL4_CapInitThreadCNode,
                                               f.s[F_H_EVQ], DEPTH);
    seL4_Error e2 = seL4_IRQControl_GetTrigger(seL4_CapIRQControl, f.irq_gerr, trig_gerr, seL4_CapInitThreadCNode,
                                               f.s[F_H_GERR], DEPTH);
    seL4_Error e3 = seL4_IRQControl_Get(seL4_CapIRQControl, f.irq_evq, seL4_CapInitThreadCNode, f.s[F_NTFN], DEPTH);
    rt_printf("roottask: IRQControl_GetTrigger(eventq) %u, (gerror) %u -> IRQHandler caps %lu, %lu; "
              "a second Get for eventq: %u (seL4_RevokeFirst = 9)\n",
              (unsigned)e1, (unsigned)e2, (unsigned long)f.s[F_H_EVQ], (unsigned long)f.s[F_H_GERR], (unsigned)e3);
    if (e1 || e2 || e3 != seL4_RevokeFirst)
        return 3;
    seL4_Error e4 = seL4_Untyped_Retype(f.c.ut, seL4_NotificationObject, 0, seL4_CapInitThreadCNode, 0, 0,
                                        f.s[F_NTFN], 1);
    seL4_Error e5 = seL4_CNode_Mint(seL4_CapInitThreadCNode, f.s[F_NTFN_EVQ], DEPTH, seL4_CapInitThreadCNode,
                                    f.s[F_NTFN], DEPTH, seL4_CanWrite, RT_FAULTS_BADGE_EVENTQ);
    seL4_Error e6 = seL4_CNode_Mint(seL4_CapInitThreadCNode, f.s[F_NTFN_GERR], DEPTH, seL4_CapInitThreadCNode,
                                    f.s[F_NTFN], DEPTH, seL4_CanWrite, RT_FAULTS_BADGE_GERROR);
    seL4_Error e7 = seL4_IRQHandler_SetNotification(f.s[F_H_EVQ], f.s[F_NTFN_EVQ]);
    seL4_Error e8 = seL4_IRQHandler_SetNotification(f.s[F_H_GERR], f.s[F_NTFN_GERR]);
    rt_printf("roottask: notification (Untyped_Retype) %u, badged send-only copies (Mint, badges 0x%x, 0x%x) %u %u, "
              "SetNotification %u %u\n",
              (unsigned)e4, RT_FAULTS_BADGE_EVENTQ, RT_FAULTS_BADGE_GERROR, (unsigned)e5, (unsigned)e6, (unsigned)e7,
              (unsigned)e8);
    if (e4 || e5 || e6 || e7 || e8)
        return 4;

    /* 2. Nothing stale: no global error, an empty event queue. */
    seL4_ARM_SIDControl_GetGlobalError_t g = seL4_ARM_SIDControl_GetGlobalError(f.smmu->sidControl);
    if (g.error)
        return 5;
    if (g.active)
        (void)seL4_ARM_SIDControl_ClearGlobalError(f.smmu->sidControl, g.active);
    unsigned bad = 0;
    unsigned stale = drain_events(&f, ~0ULL, &bad, false);
    rt_printf("roottask: start: global errors 0x%lx, %u stale event record(s) drained\n", (unsigned long)g.active, stale);

    /* 3. edu0 translates through the root task's own VSpace (as roottask-smmu). */
    seL4_Word regs = map_device_page(&f.c);
    f.edu = (volatile uint64_t *)(uintptr_t)regs;
    seL4_Error ea = seL4_ARM_CB_AssignVspace(f.cb, seL4_CapInitThreadVSpace);
    seL4_Error eb = seL4_ARM_SID_BindCB(f.sid, f.cb);
    if (regs == 0 || ea || eb) {
        rt_printf("roottask: edu0 set-up failed: AssignVspace %u, BindCB %u\n", (unsigned)ea, (unsigned)eb);
        return 6;
    }

    /* 4. The device writes where the VSpace maps nothing; the handler blocks meanwhile. */
    rt_printf("roottask: edu0 DMA of %u bytes to IOVA 0x%lx (unmapped); seL4_Wait on the notification...\n",
              RT_FAULTS_BYTES, (unsigned long)RT_FAULTS_IOVA);
    rt_edu_start(f.edu, EDU_BUF, RT_FAULTS_IOVA, RT_FAULTS_BYTES, true);
    seL4_Word badge = 0;
    seL4_MessageInfo_t w = seL4_Wait(f.s[F_NTFN], &badge);
    seL4_Word label = seL4_MessageInfo_get_label(w);
    bool dma_done = rt_edu_wait(f.edu);
    rt_printf("roottask: seL4_Wait returned %lu with badge 0x%lx: %s (DMA %s)\n", (unsigned long)label,
              (unsigned long)badge,
              label == seL4_WaitTimedOut ? "TIMED OUT"
              : (badge & RT_FAULTS_BADGE_EVENTQ) ? "the SMMU's eventq interrupt"
                                                 : "not the eventq",
              dma_done ? "finished" : "STILL RUNNING");
    if (label != seL4_NoError || !(badge & RT_FAULTS_BADGE_EVENTQ) || !dma_done)
        return 7;

    /* 5. Read the records: one per 4 bytes, all F_TRANSLATION at stage 2 for edu0's writes. */
    bad = 0;
    unsigned n = drain_events(&f, edu_sid, &bad, true);
    rt_printf("roottask: GetEventq: %u record(s), %u unexpected; expected %u F_TRANSLATION writes at stage 2 "
              "from StreamID 0x%lx in 0x%lx..0x%lx\n",
              n, bad, RT_FAULTS_BYTES / 4u, (unsigned long)edu_sid, (unsigned long)RT_FAULTS_IOVA,
              (unsigned long)(RT_FAULTS_IOVA + RT_FAULTS_BYTES - 1));
    if (n != RT_FAULTS_BYTES / 4u || bad != 0)
        return 8;
    seL4_Error ek = seL4_IRQHandler_Ack(f.s[F_H_EVQ]);
    rt_printf("roottask: IRQHandler_Ack(eventq): %u; the handlers, the notification and the binding stay for "
              "the next run\n", (unsigned)ek);
    return ek ? 9 : RT_RESULT_OK;
}

seL4_Word root_faults_gerror(const seL4_BootInfo *bi)
{
    struct faults f = { 0 };
    if (!init(&f, bi))
        return 1;
    /* The untypeds as step_setup finds them, without revoking (the notification lives there). */
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && i < seL4_MaxUntypedCaps; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->isDevice && f.c.dev_ut == 0)
            f.c.dev_ut = bi->untyped.start + i;
        else if (!d->isDevice && d->sizeBits >= seL4_PageBits + 2 && f.c.ut == 0)
            f.c.ut = bi->untyped.start + i;
    }

    /* 1. Wait until the gerror interrupt comes (an eventq one may come first: edges that
     *    arrived while it was masked; such a wake-up finds the queue empty). */
    rt_printf("roottask: seL4_Wait for the SMMU's gerror interrupt...\n");
    bool gerror = false;
    for (unsigned i = 0; i < MAX_WAITS && !gerror; i++) {
        seL4_Word badge = 0;
        seL4_Word label = seL4_MessageInfo_get_label(seL4_Wait(f.s[F_NTFN], &badge));
        rt_printf("roottask: seL4_Wait returned %lu with badge 0x%lx\n", (unsigned long)label, (unsigned long)badge);
        if (label != seL4_NoError)
            return 2;
        if (badge & RT_FAULTS_BADGE_EVENTQ) {
            unsigned bad = 0;
            unsigned n = drain_events(&f, ~0ULL, &bad, false);
            rt_printf("roottask:   eventq: %u record(s); IRQHandler_Ack %u\n", n,
                      (unsigned)seL4_IRQHandler_Ack(f.s[F_H_EVQ]));
        }
        gerror = (badge & RT_FAULTS_BADGE_GERROR) != 0;
    }
    if (!gerror)
        return 3;

    /* 2. What happened: CMDQ_ERR, CERROR_ILL, the command's words. */
    seL4_ARM_SIDControl_GetGlobalError_t g = seL4_ARM_SIDControl_GetGlobalError(f.smmu->sidControl);
    rt_printf("roottask: GetGlobalError: active 0x%lx (CMDQ_ERR = 0x1), command error %lu (CERROR_ILL = 1), "
              "command 0x%lx 0x%lx\n",
              (unsigned long)g.active, (unsigned long)g.cmdq_error, (unsigned long)g.cmd0, (unsigned long)g.cmd1);
    if (g.error || g.active != GERROR_CMDQ_ERR || g.cmdq_error != CERROR_ILL || g.cmd0 != RT_FAULTS_BAD_CMD0 ||
        g.cmd1 != RT_FAULTS_BAD_CMD1)
        return 4;

    /* 3. Skip it; the error is gone; acknowledging an error that is not active is refused;
     *    commands flow again. */
    seL4_Error ec = seL4_ARM_SIDControl_ClearGlobalError(f.smmu->sidControl, GERROR_EVENTQ_ABT_ERR);
    seL4_Error es = seL4_ARM_SIDControl_SkipCmdqError(f.smmu->sidControl);
    seL4_ARM_SIDControl_GetGlobalError_t g2 = seL4_ARM_SIDControl_GetGlobalError(f.smmu->sidControl);
    seL4_Error es2 = seL4_ARM_SIDControl_SkipCmdqError(f.smmu->sidControl);
    rt_printf("roottask: ClearGlobalError(EVENTQ_ABT_ERR, not active): %u (seL4_InvalidArgument = 1); "
              "SkipCmdqError: %u; GetGlobalError: active 0x%lx; SkipCmdqError again: %u (seL4_IllegalOperation = 3)\n",
              (unsigned)ec, (unsigned)es, (unsigned long)g2.active, (unsigned)es2);
    if (ec != seL4_InvalidArgument || es || g2.error || g2.active != 0 || es2 != seL4_IllegalOperation)
        return 5;
    seL4_Error et = seL4_ARM_CB_TLBInvalidateAll(f.cb);
    seL4_ARM_SIDControl_GetGlobalError_t g3 = seL4_ARM_SIDControl_GetGlobalError(f.smmu->sidControl);
    seL4_Error ek = seL4_IRQHandler_Ack(f.s[F_H_GERR]);
    rt_printf("roottask: CB_TLBInvalidateAll (TLBI + CMD_SYNC) after the skip: %u, global errors now 0x%lx; "
              "IRQHandler_Ack(gerror): %u\n",
              (unsigned)et, (unsigned long)g3.active, (unsigned)ek);
    if (et || g3.error || g3.active != 0 || ek)
        return 6;

    /* 4. Nothing more will come: a wait ends at the kernel's deadline instead of hanging. */
    seL4_Word tlabel = seL4_NoError;
    for (unsigned i = 0; i < MAX_WAITS && tlabel == seL4_NoError; i++) {
        seL4_Word badge = 0;
        tlabel = seL4_MessageInfo_get_label(seL4_Wait(f.s[F_NTFN], &badge));
        if (tlabel == seL4_NoError && (badge & RT_FAULTS_BADGE_EVENTQ))
            (void)seL4_IRQHandler_Ack(f.s[F_H_EVQ]); /* a late edge; the queue was drained */
    }
    rt_printf("roottask: seL4_Wait with nothing to come: %lu (seL4_WaitTimedOut = %u)\n", (unsigned long)tlabel,
              (unsigned)seL4_WaitTimedOut);
    if (tlabel != seL4_WaitTimedOut)
        return 7;

    /* 5. Take everything back: the SID unbound, the CB without VSpace, the handlers
     *    deleted (their interrupts masked, free to be issued again), every object revoked. */
    seL4_Error u1 = seL4_ARM_SID_UnbindCB(f.sid);
    seL4_Error u2 = seL4_ARM_CB_UnassignVspace(f.cb);
    delete_slots(&f);
    seL4_Error r1 = f.c.ut ? seL4_CNode_Revoke(seL4_CapInitThreadCNode, f.c.ut, DEPTH) : seL4_NoError;
    seL4_Error r2 = f.c.dev_ut ? seL4_CNode_Revoke(seL4_CapInitThreadCNode, f.c.dev_ut, DEPTH) : seL4_NoError;
    seL4_Error again =
        seL4_IRQControl_Get(seL4_CapIRQControl, f.irq_evq, seL4_CapInitThreadCNode, f.s[F_H_EVQ], DEPTH);
    seL4_Error d = seL4_CNode_Delete(seL4_CapInitThreadCNode, f.s[F_H_EVQ], DEPTH);
    rt_printf("roottask: cleanup: UnbindCB %u, UnassignVspace %u, Revoke %u %u; eventq handler issued again after "
              "the delete: %u (then deleted: %u)\n",
              (unsigned)u1, (unsigned)u2, (unsigned)r1, (unsigned)r2, (unsigned)again, (unsigned)d);
    return (u1 || u2 || r1 || r2 || again || d) ? 8 : RT_RESULT_OK;
}
