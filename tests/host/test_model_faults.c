/* Fault injection with the reference model as the SMMU: command errors, event storms and
 * overflow, an SMMU that never acknowledges CR0 or never completes CMD_SYNC, and memory
 * exhaustion, through the SIDControl fault-handling invocations where they apply. Each
 * test prints its figures (FIGURES: ...) for the closing note. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model_fixture.h"
#include "plat/host/plat_host.h"
#include "plat/plat.h"
#include "smmuv3/regs.h"
#include "smmuv3/tlb.h"

#define SIDA 0x10u
#define EVQ_LOST (1ULL << 63)

static struct {
    unsigned long faults_injected, events_handled, events_lost, unauthorized;
} fig;

static int setup(void **state)
{
    (void)state;
    return mfx_start(NULL) || mfx.init_err != ERR_NONE ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    mfx_stop_checked(false);
    return 0;
}

static uint64_t hw_errors(void) { return smmu_object_instance(0)->hw_errors; }

/* SIDA bound to a CB over a fresh VSpace with one RW frame at `va`; returns the CB. */
static seL4_CPtr bind_with_frame(uint64_t va, uint64_t *pa, seL4_CPtr *vs_out)
{
    seL4_CPtr sid = mfx.bi.smmu[0].sids.start, cb = mfx.bi.smmu[0].cbs.start;
    seL4_CPtr vs = mfx_retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    seL4_CPtr f = mfx_map_frame(vs, va, seL4_ReadWrite);
    if (pa)
        *pa = mfx_frame_pa(f);
    if (vs_out)
        *vs_out = vs;
    return cb;
}

/* ---- command-queue errors --------------------------------------------------------------- */

static void test_illegal_command_reported_and_skipped(void **state)
{
    (void)state;
    uint64_t pa;
    seL4_CPtr cb = bind_with_frame(0x10000000, &pa, NULL);
    uint32_t prod_before = mfx.m.cmdq_prod;

    /* The driver level: the next command the SMMU sees is illegal. */
    mfx.m.inject.fail_cmd_in = 0;
    mfx.m.inject.fail_cmd_code = MCERROR_ILL;
    assert_int_equal(smmu_tlbi_vmid(&mfx.smmu, 1), ERR_CMDQ);
    fig.faults_injected++;
    assert_true(smmu_gerror_active(&mfx.smmu) & GERROR_CMDQ_ERR);
    assert_int_equal(mfx.m.stats.irqs[MIRQ_GERROR], 1); /* IRQ_CTRL.GERROR_IRQEN: one pulse */
    assert_int_equal(FIELD_GET(CMDQ_CONS_ERR, plat_mmio_read32(MFX_BASE + SMMU_CMDQ_CONS)), CMDQ_ERR_ILL);

    /* The fault handler's view: GetGlobalError names CMDQ_ERR, CERROR_ILL and the command. */
    seL4_ARM_SIDControl_GetGlobalError_t g = seL4_ARM_SIDControl_GetGlobalError(seL4_CapSMMUSIDControl);
    assert_int_equal(g.error, seL4_NoError);
    assert_int_equal(g.active, GERROR_CMDQ_ERR);
    assert_int_equal(g.cmdq_error, CMDQ_ERR_ILL);
    assert_int_equal(g.cmd0 & 0xff, SMMU_CMD_TLBI_S12_VMALL);
    assert_int_equal((g.cmd0 >> 32) & 0xffff, 1);
    /* Nothing after the failed command ran: its CMD_SYNC is still queued. */
    assert_int_not_equal(mfx.m.cmdq_cons & 0xfffff, mfx.m.cmdq_prod);
    /* Clearing the error retries the command (the injection was one-shot: it passes). */
    assert_int_equal(seL4_ARM_SIDControl_ClearGlobalError(seL4_CapSMMUSIDControl, GERROR_CMDQ_ERR), seL4_NoError);
    assert_int_equal(mfx.m.cmdq_cons & 0xfffff, mfx.m.cmdq_prod);
    assert_int_equal(smmu_gerror_active(&mfx.smmu), 0);
    /* Refused: skipping or clearing with no error pending. */
    assert_int_equal(seL4_ARM_SIDControl_SkipCmdqError(seL4_CapSMMUSIDControl), seL4_IllegalOperation);
    assert_int_equal(seL4_ARM_SIDControl_ClearGlobalError(seL4_CapSMMUSIDControl, GERROR_CMDQ_ERR),
                     seL4_InvalidArgument);

    /* A corrupted command stays bad: retrying fails again, SkipCmdqError gets past it. The
     * invocation behind it (an unmap) cannot fail: the objects count the hardware error. */
    mfx.m.inject.fail_cmd_in = 0;
    mfx.m.inject.fail_cmd_corrupt = true;
    uint64_t hw0 = hw_errors();
    assert_int_equal(seL4_ARM_CB_TLBInvalidateAll(cb), seL4_NoError);
    fig.faults_injected++;
    assert_int_equal(hw_errors(), hw0 + 1);
    g = seL4_ARM_SIDControl_GetGlobalError(seL4_CapSMMUSIDControl);
    assert_int_equal(g.active, GERROR_CMDQ_ERR);
    assert_int_equal(g.cmdq_error, CMDQ_ERR_ILL);
    assert_int_equal(g.cmd0 & 0xff, 0); /* the opcode was overwritten */
    assert_int_equal(seL4_ARM_SIDControl_ClearGlobalError(seL4_CapSMMUSIDControl, GERROR_CMDQ_ERR), seL4_NoError);
    assert_int_equal(seL4_ARM_SIDControl_GetGlobalError(seL4_CapSMMUSIDControl).active, GERROR_CMDQ_ERR);
    assert_int_equal(seL4_ARM_SIDControl_SkipCmdqError(seL4_CapSMMUSIDControl), seL4_NoError);
    /* The commands after it completed; the queue is empty and error-free. */
    assert_int_equal(mfx.m.cmdq_cons & 0xfffff, mfx.m.cmdq_prod);
    assert_int_equal(seL4_ARM_SIDControl_GetGlobalError(seL4_CapSMMUSIDControl).active, 0);
    /* The driver goes on: further invocations complete without error. */
    hw0 = hw_errors();
    assert_int_equal(seL4_ARM_CB_TLBInvalidateAll(cb), seL4_NoError);
    assert_int_equal(hw_errors(), hw0);
    uint64_t got;
    assert_true(mfx_dma(SIDA, 0x10000000, true, &got));
    assert_int_equal(got, pa);
    assert_true(mfx.m.cmdq_prod != prod_before);
}

/* ---- event storm ------------------------------------------------------------------------ */

struct storm {
    unsigned long injected, recorded, dropped, handled, lost_reports, bursts_with_loss;
};

/* Drain through GetEventq, checking every record against the transactions the model
 * recorded, in order: nothing corrupted, nothing read twice, nothing invented. */
static void drain(const uint64_t *expect, unsigned long *next, unsigned long nexp, struct storm *st)
{
    for (;;) {
        seL4_ARM_SIDControl_GetEventq_t r = seL4_ARM_SIDControl_GetEventq(seL4_CapSMMUSIDControl, 29);
        assert_int_equal(r.error, seL4_NoError);
        if (r.remaining & EVQ_LOST)
            st->lost_reports++;
        for (seL4_Word i = 0; i < r.count; i++) {
            seL4_Word w0 = seL4_GetMR(2 + 4 * i), flags = seL4_GetMR(3 + 4 * i);
            seL4_Word in = seL4_GetMR(4 + 4 * i), ipa = seL4_GetMR(5 + 4 * i);
            assert_true(*next < nexp);
            uint64_t want = expect[(*next)++];
            bool is_write = (want >> 63) & 1;
            uint64_t iova = want & ~(1ULL << 63);
            if ((w0 & 0xff) != EVT_F_TRANSLATION || (w0 >> 32) != SIDA || in != iova || ipa != (iova & ~0xfffULL) ||
                (flags & 1) != !is_write || !(flags & 2) || ((flags >> 2) & 3) != EVT_CLASS_IN)
                fail_msg("record %lu corrupted or out of order: w0 %lx flags %lx in %lx ipa %lx (want %lx)",
                         *next - 1, (unsigned long)w0, (unsigned long)flags, (unsigned long)in,
                         (unsigned long)ipa, (unsigned long)iova);
            st->handled++;
        }
        if (r.count == 0 && (r.remaining & ~EVQ_LOST) == 0)
            return;
    }
}

static void storm(unsigned long total, struct storm *st)
{
    const uint64_t base = 0x20000000; /* unmapped: every access faults at stage 2 */
    uint64_t *expect = calloc(total, sizeof(uint64_t));
    unsigned long nexp = 0, next = 0, done = 0;
    uint32_t seed = 12345;
    while (done < total) {
        seed = seed * 1103515245u + 12345u;
        unsigned long burst = 1 + (seed >> 16) % 200; /* the queue holds 64 */
        unsigned long dropped0 = (unsigned long)(mfx.m.stats.events_dropped + mfx.m.stats.events_discarded);
        for (unsigned long i = 0; i < burst && done < total; i++, done++) {
            uint64_t iova = base + done * 0x1000 + (done & 0xff8);
            bool write = done & 1;
            struct model_txn t = { .sid = SIDA, .addr = iova, .write = write };
            struct model_result r;
            model_translate_ex(&mfx.m, &t, &r);
            assert_int_equal(r.event, MEV_F_TRANSLATION);
            st->injected++;
            if (r.recorded) {
                expect[nexp++] = iova | ((uint64_t)write << 63);
                st->recorded++;
            } else {
                st->dropped++;
            }
        }
        unsigned long lost_here =
            (unsigned long)(mfx.m.stats.events_dropped + mfx.m.stats.events_discarded) - dropped0;
        unsigned long reports0 = st->lost_reports;
        drain(expect, &next, nexp, st);
        if (lost_here) {
            st->bursts_with_loss++;
            assert_int_equal(st->lost_reports, reports0 + 1); /* reported once per overflow */
        } else {
            assert_int_equal(st->lost_reports, reports0);
        }
    }
    assert_int_equal(next, nexp);
    free(expect);
}

static void check_storm(const struct storm *st, const char *mode)
{
    /* Every event is either handled or lost; lost = what the queue could not hold. */
    assert_int_equal(st->handled, st->recorded);
    assert_int_equal(st->handled + st->dropped, st->injected);
    assert_int_equal(st->dropped, mfx.m.stats.events_dropped + mfx.m.stats.events_discarded);
    assert_true(st->dropped > 0 && st->bursts_with_loss > 0);
    fig.faults_injected += st->injected;
    fig.events_handled += st->handled;
    fig.events_lost += st->dropped;
    printf("FIGURES: event storm (%s): %lu faulting DMAs, %lu events handled, %lu lost to overflow "
           "(%lu bursts overflowed, %lu overflow reports), 0 corrupted or read twice\n",
           mode, st->injected, st->handled, st->dropped, st->bursts_with_loss, st->lost_reports);
}

static void test_event_storm(void **state)
{
    (void)state;
    bind_with_frame(0x10000000, NULL, NULL);
    struct storm st = { 0 };
    storm(5000, &st);
    check_storm(&st, "OVFLG, architected");
    assert_int_equal(mfx.m.stats.irqs[MIRQ_EVENTQ], st.recorded); /* one pulse per record */
}

static void test_event_storm_qemu_overflow(void **state)
{
    (void)state;
    mfx_stop();
    struct mfx_opts o = { .qemu_eventq_overflow = true };
    assert_int_equal(mfx_start(&o), 0);
    assert_int_equal(mfx.init_err, ERR_NONE);
    bind_with_frame(0x10000000, NULL, NULL);
    struct storm st = { 0 };
    storm(5000, &st);
    check_storm(&st, "GERROR.EVENTQ_ABT_ERR, QEMU");
}

/* ---- an SMMU that does not answer ---------------------------------------------------- */

static void test_never_ack_cr0(void **state)
{
    (void)state;
    /* smmu_disable: CR0 never acknowledged: ERR_TIMEOUT within the deadline. */
    mfx.m.inject.never_ack_cr0 = true;
    uint64_t t0 = plat_now_us();
    assert_int_equal(smmu_disable(&mfx.smmu), ERR_TIMEOUT);
    uint64_t took = plat_now_us() - t0;
    fig.faults_injected++;
    assert_true(took <= 3 * mfx.smmu.timeout_us);
    assert_true(mfx.smmu.enabled); /* the driver did not pretend */
    /* Through the invocation: it cannot fail, the objects count the hardware error. */
    uint64_t hw0 = hw_errors();
    assert_int_equal(seL4_ARM_SIDControl_DisableSMMU(seL4_CapSMMUSIDControl), seL4_NoError);
    fig.faults_injected++;
    assert_int_equal(hw_errors(), hw0 + 1);
    /* The SMMU recovers: the next attempt completes; every stream aborts. */
    mfx.m.inject.never_ack_cr0 = false;
    assert_int_equal(seL4_ARM_SIDControl_DisableSMMU(seL4_CapSMMUSIDControl), seL4_NoError);
    assert_false(mfx.smmu.enabled);
    assert_false(mfx_dma(SIDA, 0, false, NULL));
    assert_int_equal(seL4_ARM_SIDControl_InitSMMU(seL4_CapSMMUSIDControl), seL4_NoError);
    assert_true(mfx.smmu.enabled);
    /* smmu_init against an SMMU that never acknowledges: ERR_TIMEOUT, no hang. */
    mfx.m.inject.never_ack_cr0 = true;
    assert_int_equal(smmu_init(&mfx.smmu, &mfx.cfg), ERR_TIMEOUT);
    fig.faults_injected++;
    mfx.m.inject.never_ack_cr0 = false;
    /* GBPA.Update that never clears. */
    mfx.m.inject.gbpa_stuck = true;
    assert_int_equal(smmu_disable(&mfx.smmu), ERR_TIMEOUT);
    fig.faults_injected++;
    printf("FIGURES: never-ack CR0 / stuck GBPA: ERR_TIMEOUT after %lu us of virtual time (deadline %lu us)\n",
           (unsigned long)took, (unsigned long)mfx.smmu.timeout_us);
}

static void test_sync_never_completes(void **state)
{
    (void)state;
    const uint64_t va = 0x10000000;
    seL4_CPtr sid = mfx.bi.smmu[0].sids.start, cb = mfx.bi.smmu[0].cbs.start;
    seL4_CPtr vs = mfx_retype(seL4_ARM_VSpaceObject, 0);
    assert_int_equal(seL4_ARM_CB_AssignVspace(cb, vs), seL4_NoError);
    assert_int_equal(seL4_ARM_SID_BindCB(sid, cb), seL4_NoError);
    seL4_CPtr f = mfx_map_frame(vs, va, seL4_ReadWrite);
    assert_true(mfx_dma(SIDA, va, true, NULL));
    mfx.m.inject.never_complete_sync = true;
    uint64_t hw0 = hw_errors(), t0 = plat_now_us();
    assert_int_equal(seL4_ARM_Page_Unmap(f), seL4_NoError); /* returns: the deadline passed */
    uint64_t took = plat_now_us() - t0;
    fig.faults_injected++;
    assert_int_equal(hw_errors(), hw0 + 1);
    assert_true(took <= 3 * mfx.smmu.timeout_us);
    /* The SMMU comes back and completes what was queued: then the page is gone for the
     * device too (the invalidation was queued before the kernel gave up waiting). */
    mfx.m.inject.never_complete_sync = false;
    model_kick(&mfx.m);
    assert_int_equal(mfx.m.cmdq_cons & 0xfffff, mfx.m.cmdq_prod);
    if (mfx_dma(SIDA, va, true, NULL))
        fig.unauthorized++;
    assert_false(mfx_dma(SIDA, va, false, NULL));
    /* And the driver works again. */
    assert_int_equal(smmu_tlbi_vmid(&mfx.smmu, 1), ERR_NONE);
    printf("FIGURES: CMD_SYNC never completed: invocation returned after %lu us (deadline %lu us), "
           "hardware error counted\n", (unsigned long)took, (unsigned long)mfx.smmu.timeout_us);
}

/* ---- out of memory ------------------------------------------------------------------------ */

static void test_oom_level2_stream_table(void **state)
{
    (void)state;
    mfx_stop();
    struct mfx_opts o = { .pool_pages = 2 }; /* boot SIDs take one level-2 array */
    assert_int_equal(mfx_start(&o), 0);
    assert_int_equal(mfx.init_err, ERR_NONE);
    seL4_CPtr s1 = mfx_slot(), s2 = mfx_slot();
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x100, MFX_ROOT, s1, MFX_DEPTH), seL4_NoError);
    uint32_t l2_before = mfx.smmu.strtab.l2_tables, free_before = mfx.pool.nfree;
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x200, MFX_ROOT, s2, MFX_DEPTH),
                     seL4_NotEnoughMemory);
    fig.faults_injected++;
    /* Nothing half-built: no cap, no level-2 array, no L1 descriptor, the pool untouched. */
    assert_int_equal(mfx.smmu.strtab.l2_tables, l2_before);
    assert_int_equal(mfx.pool.nfree, free_before);
    assert_int_equal(mfx.smmu.strtab.base[0x200 >> mfx.smmu.strtab.layout.split], 0);
    assert_int_equal(seL4_CNode_Delete(MFX_ROOT, s2, MFX_DEPTH), seL4_NoError); /* empty: no-op */
    struct model_txn t = { .sid = 0x200 };
    struct model_result r;
    model_translate_ex(&mfx.m, &t, &r);
    assert_int_equal(r.event, MEV_C_BAD_STREAMID);
    /* The SID was not issued: a later attempt with memory succeeds. SID 0x101 shares 0x100's array. */
    assert_int_equal(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x101, MFX_ROOT, s2, MFX_DEPTH), seL4_NoError);
}

static void test_oom_page_table(void **state)
{
    (void)state;
    mfx_stop();
    struct mfx_opts o = { .mem_bits = 21 };
    assert_int_equal(mfx_start(&o), 0);
    assert_int_equal(mfx.init_err, ERR_NONE);
    const uint64_t va = 0x10000000;
    uint64_t pa;
    seL4_CPtr vs;
    bind_with_frame(va, &pa, &vs);
    /* Use up every untyped with frames, keeping one frame cap spare. */
    seL4_CPtr spare = mfx_retype(seL4_ARM_SmallPageObject, 0);
    assert_true(spare != 0);
    unsigned n = 0;
    while (mfx_retype(seL4_ARM_SmallPageObject, 0) != 0)
        n++;
    assert_true(n > 0);
    seL4_CPtr pt_slot = mfx_slot();
    seL4_Error last = seL4_NoError;
    for (seL4_Word ut = mfx.bi.untyped.start; ut < mfx.bi.untyped.end; ut++) {
        last = seL4_Untyped_Retype(ut, seL4_ARM_PageTableObject, 0, MFX_ROOT, 0, 0, pt_slot, 1);
        assert_int_not_equal(last, seL4_NoError);
    }
    assert_int_equal(last, seL4_NotEnoughMemory);
    fig.faults_injected++;
    /* Mapping in a region with no table fails cleanly (a level is missing); nothing new is
     * reachable, the slot stays empty. */
    const uint64_t va2 = 0x40000000; /* another 1 GiB region: needs a level-2 table */
    assert_int_equal(seL4_ARM_Page_Map(spare, vs, va2, seL4_ReadWrite, seL4_ARM_Default_VMAttributes),
                     seL4_FailedLookup);
    assert_int_equal(seL4_ARM_PageTable_Map(pt_slot, vs, va2, seL4_ARM_Default_VMAttributes), seL4_InvalidCapability);
    assert_false(mfx_dma(SIDA, va2, false, NULL));
    /* The existing mapping is untouched. */
    uint64_t got;
    assert_true(mfx_dma(SIDA, va, true, &got));
    assert_int_equal(got, pa);
}

static void test_print_figures(void **state)
{
    (void)state;
    printf("FIGURES: fault injection total: faults injected %lu, events handled %lu, events lost %lu "
           "(= events the queue could not hold), unauthorized accesses %lu\n",
           fig.faults_injected, fig.events_handled, fig.events_lost, fig.unauthorized);
    assert_int_equal(fig.unauthorized, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_illegal_command_reported_and_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_storm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_storm_qemu_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_ack_cr0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_never_completes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_level2_stream_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_page_table, setup, teardown),
        cmocka_unit_test(test_print_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
