/* Interrupt delivery (src/kernel/irq.c) on the host: notifications from Untyped_Retype,
 * IRQControl Get/GetTrigger, IRQHandler Ack/SetNotification/Clear, seL4_Signal and the
 * bounded seL4_Wait, with the platform's interrupt controller replaced by the fake GIC of
 * src/plat/host/irq_host.c (QEMU's GICv2 latching rules: edges latch while masked, level
 * pulses do not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <sel4/abi.h>

#include <sel4/stubs.h>
#include <sel4/syscall.h>

#include "kernel/irq.h"
#include "kernel_fixture.h"
#include "libsel4/host/sel4_host.h"
#include "plat/host/irq_host.h"

#define EVQ 106u   /* QEMU virt's SMMU eventq INTID */
#define GERR 109u  /* ... and gerror */
#define S_NTFN 600 /* slots used by the tests */
#define S_H1 601
#define S_H2 602
#define S_B1 603
#define S_B2 604
#define S_X 605

static int setup(void **state)
{
    host_gic_reset();
    return kfx_setup(state);
}

static seL4_Error get_irq(seL4_Word irq, seL4_CPtr dest)
{
    seL4_Word w[] = { irq, dest, 64 };
    seL4_CPtr c[] = { KFX_ROOT };
    return kfx_call(seL4_CapIRQControl, IRQIssueIRQHandler, w, 3, c, 1);
}

static seL4_Error get_irq_trigger(seL4_Word irq, seL4_Word trigger, seL4_CPtr dest)
{
    seL4_Word w[] = { irq, trigger, dest, 64 };
    seL4_CPtr c[] = { KFX_ROOT };
    return kfx_call(seL4_CapIRQControl, ARMIRQIssueIRQHandlerTrigger, w, 4, c, 1);
}

static seL4_Error set_ntfn(seL4_CPtr handler, seL4_CPtr ntfn)
{
    seL4_CPtr c[] = { ntfn };
    return kfx_call(handler, IRQSetIRQHandler, NULL, 0, c, 1);
}

static seL4_Error ack(seL4_CPtr handler) { return kfx_call(handler, IRQAckIRQ, NULL, 0, NULL, 0); }

/* seL4_Wait through the kernel's entry: returns the reply label, the word in *word. */
static seL4_Word wait_on(seL4_CPtr ntfn, seL4_Word *word)
{
    kfx.t.regs[SEL4_REG_CAP] = ntfn;
    kfx.t.regs[SEL4_REG_MSGINFO] = 0x1234; /* overwritten */
    kernel_handle_wait(&kfx.t);
    *word = kfx.t.regs[SEL4_REG_CAP];
    seL4_MessageInfo_t info = { { kfx.t.regs[SEL4_REG_MSGINFO] } };
    return seL4_MessageInfo_get_label(info);
}

static void make_ntfn(seL4_CPtr dest)
{
    assert_int_equal(kfx_retype(kfx_untyped(12, false), seL4_NotificationObject, 0, dest, 1), seL4_NoError);
}

static void test_boot_irq_control(void **state)
{
    (void)state;
    cap_t c = kfx_slot(seL4_CapIRQControl)->cap;
    assert_int_equal(cap_get_capType(c), cap_irq_control_cap);
    /* seL4: IRQControl is never copied */
    assert_int_equal(kfx_copy(S_X, seL4_CapIRQControl, seL4_AllRights), seL4_IllegalOperation);
    assert_int_equal(cap_get_capType(kfx_slot(S_X)->cap), cap_null_cap);
    struct irq_info i;
    assert_true(irq_get_info(5, &i) && i.reserved);    /* SGIs/PPIs */
    assert_true(irq_get_info(EVQ, &i) && !i.reserved && !i.issued);
}

static void test_notification_retype(void **state)
{
    (void)state;
    make_ntfn(S_NTFN);
    cap_t c = kfx_slot(S_NTFN)->cap;
    assert_int_equal(cap_get_capType(c), cap_notification_cap);
    assert_true(cap_notification_cap_get_capNtfnCanSend(c) && cap_notification_cap_get_capNtfnCanReceive(c));
    assert_int_equal(cap_notification_cap_get_capNtfnBadge(c), 0);
    struct notification *n = (struct notification *)(uintptr_t)cap_notification_cap_get_capNtfnPtr(c);
    assert_int_equal(n->state, NTFN_IDLE); /* zeroed over the fixture's 0xa5 fill */
    assert_int_equal(n->word, 0);
    assert_true(((uintptr_t)n & ((1u << seL4_NotificationBits) - 1)) == 0);
    /* four more are packed after it in the same untyped */
    assert_int_equal(kfx_retype(kfx_untyped(12, false), seL4_NotificationObject, 0, S_X, 4), seL4_NoError);
    cap_t d = kfx_slot(S_X + 3)->cap;
    assert_true(cap_notification_cap_get_capNtfnPtr(d) - cap_notification_cap_get_capNtfnPtr(kfx_slot(S_X)->cap) ==
                3u << seL4_NotificationBits);
    /* not from device memory */
    assert_int_equal(kfx_retype(kfx_untyped(12, true), seL4_NotificationObject, 0, 700, 1), seL4_InvalidArgument);
    /* revoking the untyped takes them all */
    assert_int_equal(kfx_revoke(kfx_untyped(12, false)), seL4_NoError);
    assert_int_equal(cap_get_capType(kfx_slot(S_NTFN)->cap), cap_null_cap);
    assert_int_equal(cap_get_capType(kfx_slot(S_X + 3)->cap), cap_null_cap);
}

static void test_get_errors(void **state)
{
    (void)state;
    assert_int_equal(get_irq(HOST_GIC_NR_IRQS, S_H1), seL4_RangeError);
    assert_int_equal(kfx_mr(0), 0);
    assert_int_equal(kfx_mr(1), HOST_GIC_NR_IRQS - 1);
    assert_int_equal(get_irq(27, S_H1), seL4_RevokeFirst); /* a PPI: reserved */
    assert_int_equal(get_irq_trigger(EVQ, 2, S_H1), seL4_InvalidArgument);
    assert_int_equal(kfx_mr(0), 1);
    assert_int_equal(get_irq(EVQ, seL4_CapInitThreadCNode), seL4_DeleteFirst);
    seL4_Word w[] = { EVQ, S_H1 };
    seL4_CPtr c[] = { KFX_ROOT };
    assert_int_equal(kfx_call(seL4_CapIRQControl, IRQIssueIRQHandler, w, 2, c, 1), seL4_TruncatedMessage);
    assert_int_equal(kfx_call(seL4_CapIRQControl, IRQAckIRQ, w, 2, c, 1), seL4_IllegalOperation);
    /* nothing was issued or configured */
    struct irq_info i;
    assert_true(irq_get_info(EVQ, &i) && !i.issued);
    assert_int_equal(host_gic.configured[EVQ], 0);
    assert_int_equal(cap_get_capType(kfx_slot(S_H1)->cap), cap_null_cap);
}

static void test_get_once_until_deleted(void **state)
{
    (void)state;
    assert_int_equal(get_irq_trigger(EVQ, 1, S_H1), seL4_NoError);
    cap_t h = kfx_slot(S_H1)->cap;
    assert_int_equal(cap_get_capType(h), cap_irq_handler_cap);
    assert_int_equal(cap_irq_handler_cap_get_capIRQ(h), EVQ);
    assert_true(host_gic.edge[EVQ] && host_gic.enabled[EVQ]);
    assert_int_equal(host_gic.configured[EVQ], 1);
    /* a child of IRQControl */
    assert_true(kfx_slot(S_H1)->mdb_prev == kfx_slot(seL4_CapIRQControl));
    assert_int_equal(get_irq(EVQ, S_H2), seL4_RevokeFirst);
    /* handler caps copy; the INTID stays issued while any copy exists */
    assert_int_equal(kfx_copy(S_X, S_H1, seL4_AllRights), seL4_NoError);
    assert_int_equal(kfx_delete(S_H1), seL4_NoError);
    assert_int_equal(get_irq(EVQ, S_H2), seL4_RevokeFirst);
    assert_true(host_gic.enabled[EVQ]);
    assert_int_equal(kfx_delete(S_X), seL4_NoError); /* the last: masked, free */
    assert_false(host_gic.enabled[EVQ]);
    struct irq_info i;
    assert_true(irq_get_info(EVQ, &i) && !i.issued);
    /* level this time (Get) */
    assert_int_equal(get_irq(EVQ, S_H2), seL4_NoError);
    assert_false(host_gic.edge[EVQ]);
    /* revoking IRQControl deletes every handler it issued */
    assert_int_equal(get_irq(GERR, S_H1), seL4_NoError);
    assert_int_equal(kfx_revoke(seL4_CapIRQControl), seL4_NoError);
    assert_int_equal(cap_get_capType(kfx_slot(S_H1)->cap), cap_null_cap);
    assert_int_equal(cap_get_capType(kfx_slot(S_H2)->cap), cap_null_cap);
    assert_false(host_gic.enabled[EVQ] || host_gic.enabled[GERR]);
    assert_int_equal(cap_get_capType(kfx_slot(seL4_CapIRQControl)->cap), cap_irq_control_cap);
}

static void test_set_notification_errors(void **state)
{
    (void)state;
    make_ntfn(S_NTFN);
    assert_int_equal(get_irq_trigger(EVQ, 1, S_H1), seL4_NoError);
    assert_int_equal(set_ntfn(S_H1, seL4_CapInitThreadCNode), seL4_InvalidCapability);
    assert_int_equal(kfx_mr(0), 0);
    /* a receive-only copy cannot be signalled */
    assert_int_equal(kfx_copy(S_X, S_NTFN, seL4_CanRead), seL4_NoError);
    assert_false(cap_notification_cap_get_capNtfnCanSend(kfx_slot(S_X)->cap));
    assert_int_equal(set_ntfn(S_H1, S_X), seL4_InvalidCapability);
    assert_int_equal(kfx_call(S_H1, IRQSetIRQHandler, NULL, 0, NULL, 0), seL4_TruncatedMessage);
    struct irq_info i;
    assert_true(irq_get_info(EVQ, &i) && i.ntfn == 0);
    assert_int_equal(set_ntfn(S_H1, S_NTFN), seL4_NoError);
    assert_true(irq_get_info(EVQ, &i) && i.ntfn == cap_notification_cap_get_capNtfnPtr(kfx_slot(S_NTFN)->cap));
}

static void test_edge_irq_delivery_and_ack(void **state)
{
    (void)state;
    make_ntfn(S_NTFN);
    assert_int_equal(kfx_mint(S_B1, S_NTFN, seL4_AllRights, 0x1), seL4_NoError);
    assert_int_equal(get_irq_trigger(EVQ, 1, S_H1), seL4_NoError);
    assert_int_equal(set_ntfn(S_H1, S_B1), seL4_NoError);
    seL4_Word word = 0;

    /* the device fires: delivered at the wait, badge 1; masked until Ack */
    host_gic_pulse(EVQ);
    assert_int_equal(wait_on(S_NTFN, &word), seL4_NoError);
    assert_int_equal(word, 0x1);
    assert_int_equal(host_gic.acked[EVQ], 1);
    assert_false(host_gic.enabled[EVQ]);
    struct irq_info i;
    assert_true(irq_get_info(EVQ, &i) && i.masked && i.delivered == 1);

    /* more pulses while masked: edges latch, nothing is delivered, the wait times out */
    host_gic_pulse(EVQ);
    host_gic_pulse(EVQ);
    assert_int_equal(wait_on(S_NTFN, &word), SEL4_WAIT_TIMED_OUT);
    assert_int_equal(word, 0);
    assert_int_equal(irq_stats.waits_timed_out, 1);
    assert_true(host_gic.pending[EVQ]);

    /* Ack: the latched edge is delivered (once) */
    assert_int_equal(ack(S_H1), seL4_NoError);
    assert_true(host_gic.enabled[EVQ]);
    assert_int_equal(wait_on(S_NTFN, &word), seL4_NoError);
    assert_int_equal(word, 0x1);
    assert_int_equal(host_gic.acked[EVQ], 2);
    assert_true(irq_get_info(EVQ, &i) && i.delivered == 2);
}

static void test_level_pulse_while_masked_is_lost(void **state)
{
    (void)state;
    make_ntfn(S_NTFN);
    assert_int_equal(get_irq(GERR, S_H1), seL4_NoError); /* level */
    assert_int_equal(set_ntfn(S_H1, S_NTFN), seL4_NoError);
    host_gic_pulse(GERR);
    seL4_Word word = 7;
    assert_int_equal(wait_on(S_NTFN, &word), seL4_NoError);
    assert_int_equal(word, 0); /* an unbadged cap signals badge 0 */
    host_gic_pulse(GERR);      /* masked: a level pulse leaves nothing behind */
    assert_int_equal(ack(S_H1), seL4_NoError);
    assert_int_equal(wait_on(S_NTFN, &word), SEL4_WAIT_TIMED_OUT);
}

static void test_two_irqs_one_notification(void **state)
{
    (void)state;
    make_ntfn(S_NTFN);
    assert_int_equal(kfx_mint(S_B1, S_NTFN, seL4_AllRights, 0x1), seL4_NoError);
    assert_int_equal(kfx_mint(S_B2, S_NTFN, seL4_AllRights, 0x2), seL4_NoError);
    assert_int_equal(get_irq_trigger(EVQ, 1, S_H1), seL4_NoError);
    assert_int_equal(get_irq_trigger(GERR, 1, S_H2), seL4_NoError);
    assert_int_equal(set_ntfn(S_H1, S_B1), seL4_NoError);
    assert_int_equal(set_ntfn(S_H2, S_B2), seL4_NoError);
    host_gic_pulse(GERR);
    host_gic_pulse(EVQ);
    seL4_Word word = 0;
    assert_int_equal(wait_on(S_NTFN, &word), seL4_NoError);
    assert_int_equal(word, 0x3);
    /* a minted badged cap cannot be badged again; it is the parent of its own copies only */
    assert_int_equal(kfx_mint(S_X, S_B1, seL4_AllRights, 0x4), seL4_IllegalOperation);
    assert_int_equal(kfx_copy(S_X, S_B1, seL4_AllRights), seL4_NoError);
    assert_int_equal(kfx_revoke(S_B1), seL4_NoError);
    assert_int_equal(cap_get_capType(kfx_slot(S_X)->cap), cap_null_cap);
    assert_int_equal(cap_get_capType(kfx_slot(S_B2)->cap), cap_notification_cap);
    /* the unbadged original is the parent of every badged cap */
    assert_int_equal(kfx_revoke(S_NTFN), seL4_NoError);
    assert_int_equal(cap_get_capType(kfx_slot(S_B2)->cap), cap_null_cap);
    /* the bindings did not hold the notification: it is still live (S_NTFN), still bound */
    struct irq_info i;
    assert_true(irq_get_info(GERR, &i) && i.ntfn != 0 && i.badge == 0x2);
}

/* The device raises its line while the thread is blocked in seL4_Wait (the fake GIC's
 * hook runs at each wait of the CPU). */
static void pulse_evq(void *arg)
{
    unsigned *calls = arg;
    if ((*calls)++ == 0)
        host_gic_pulse(EVQ);
}

static void test_device_fires_during_wait(void **state)
{
    (void)state;
    make_ntfn(S_NTFN);
    assert_int_equal(kfx_mint(S_B1, S_NTFN, seL4_AllRights, 0x1), seL4_NoError);
    assert_int_equal(get_irq_trigger(EVQ, 1, S_H1), seL4_NoError);
    assert_int_equal(set_ntfn(S_H1, S_B1), seL4_NoError);
    unsigned calls = 0;
    host_gic.wait_hook = pulse_evq;
    host_gic.wait_hook_arg = &calls;
    seL4_Word word = 0;
    assert_int_equal(wait_on(S_NTFN, &word), seL4_NoError);
    assert_int_equal(word, 0x1);
    assert_int_equal(irq_stats.waits_blocked, 1);
    assert_int_equal(host_gic.waits, 1);
    assert_int_equal(host_gic.idle_waits, 0);
    host_gic.wait_hook = NULL;
}

static void test_signal_and_wait_errors(void **state)
{
    (void)state;
    make_ntfn(S_NTFN);
    assert_int_equal(kfx_mint(S_B1, S_NTFN, seL4_AllRights, 0x10), seL4_NoError);
    assert_int_equal(kfx_mint(S_B2, S_NTFN, seL4_AllRights, 0x20), seL4_NoError);
    /* seL4_Signal: a Call on the cap, any label, empty reply */
    assert_int_equal(kfx_call(S_B1, 0, NULL, 0, NULL, 0), seL4_NoError);
    assert_int_equal(kfx_reply_len(), 0);
    assert_int_equal(kfx_call(S_B2, 42, NULL, 0, NULL, 0), seL4_NoError);
    seL4_Word word = 0;
    unsigned waits = host_gic.waits;
    assert_int_equal(wait_on(S_NTFN, &word), seL4_NoError);
    assert_int_equal(word, 0x30);
    assert_int_equal(host_gic.waits, waits); /* pending: no blocking */
    /* a signal without the Write right: InvalidCapability naming the invoked cap */
    assert_int_equal(kfx_copy(S_X, S_NTFN, seL4_CanRead), seL4_NoError);
    assert_int_equal(kfx_call(S_X, 0, NULL, 0, NULL, 0), seL4_InvalidCapability);
    assert_int_equal(kfx_mr(0), SYSCALL_INVOKED_CAP);
    assert_int_equal(kfx_delete(S_X), seL4_NoError);
    /* waits on a cap without Read, on another cap, on nothing */
    assert_int_equal(kfx_copy(S_X, S_NTFN, seL4_CanWrite), seL4_NoError);
    assert_int_equal(wait_on(S_X, &word), seL4_InvalidCapability);
    assert_int_equal(kfx.t.regs[SEL4_REG_MR0], SYSCALL_INVOKED_CAP);
    assert_int_equal(wait_on(seL4_CapInitThreadCNode, &word), seL4_InvalidCapability);
    assert_int_equal(wait_on(1ull << 63, &word), seL4_FailedLookup);
    assert_int_equal(word, 0);
    assert_int_equal(irq_stats.waits_blocked, 0);
}

static void test_deleted_notification_is_unbound(void **state)
{
    (void)state;
    seL4_CPtr ut = kfx_untyped(12, false);
    make_ntfn(S_NTFN);
    assert_int_equal(kfx_mint(S_B1, S_NTFN, seL4_AllRights, 0x1), seL4_NoError);
    assert_int_equal(get_irq_trigger(EVQ, 1, S_H1), seL4_NoError);
    assert_int_equal(set_ntfn(S_H1, S_B1), seL4_NoError);
    /* deleting one of two caps keeps the binding; the last one unbinds */
    assert_int_equal(kfx_delete(S_B1), seL4_NoError);
    struct irq_info i;
    assert_true(irq_get_info(EVQ, &i) && i.ntfn != 0);
    assert_int_equal(kfx_revoke(ut), seL4_NoError); /* the notification goes with its untyped */
    assert_int_equal(cap_get_capType(kfx_slot(S_NTFN)->cap), cap_null_cap);
    assert_true(irq_get_info(EVQ, &i) && i.ntfn == 0 && i.issued);
    /* the interrupt still fires and is masked, but signals nothing */
    host_gic_pulse(EVQ);
    plat_irq_wait(0);
    assert_int_equal(irq_stats.undelivered, 1);
    assert_false(host_gic.enabled[EVQ]);
    /* Clear on a bound handler unbinds too */
    make_ntfn(S_NTFN);
    assert_int_equal(set_ntfn(S_H1, S_NTFN), seL4_NoError);
    assert_int_equal(kfx_call(S_H1, IRQClearIRQHandler, NULL, 0, NULL, 0), seL4_NoError);
    assert_true(irq_get_info(EVQ, &i) && i.ntfn == 0);
    assert_int_equal(ack(S_H1), seL4_NoError);
    host_gic_pulse(EVQ);
    seL4_Word word;
    assert_int_equal(wait_on(S_NTFN, &word), SEL4_WAIT_TIMED_OUT);
    assert_int_equal(irq_stats.undelivered, 2);
}

static void test_stray_interrupt_stays_masked(void **state)
{
    (void)state;
    host_gic.enabled[200] = true; /* enabled behind the kernel's back */
    host_gic_pulse(200);
    assert_false(plat_irq_wait(0) == false);
    assert_int_equal(irq_stats.spurious, 1);
    assert_false(host_gic.enabled[200]);
}

/* The same path as the root task's, through libsel4: the generated stubs (seL4_Call) and
 * seL4_Wait/seL4_Signal of the host libsel4, which enter the kernel as svc #0/#3 would. */
static void test_through_libsel4(void **state)
{
    (void)state;
    seL4_HostBindThread(&kfx.t);
    seL4_SetIPCBuffer(&kfx.ipc);
    seL4_CPtr ut = kfx_untyped(12, false);
    assert_int_equal(seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, KFX_ROOT, 0, 0, S_NTFN, 1), seL4_NoError);
    assert_int_equal(seL4_CNode_Mint(KFX_ROOT, S_B1, 64, KFX_ROOT, S_NTFN, 64, seL4_CanWrite, 0x1), seL4_NoError);
    assert_int_equal(seL4_CNode_Mint(KFX_ROOT, S_B2, 64, KFX_ROOT, S_NTFN, 64, seL4_CanWrite, 0x2), seL4_NoError);
    assert_int_equal(seL4_IRQControl_GetTrigger(seL4_CapIRQControl, EVQ, 1, KFX_ROOT, S_H1, 64), seL4_NoError);
    assert_int_equal(seL4_IRQControl_Get(seL4_CapIRQControl, GERR, KFX_ROOT, S_H2, 64), seL4_NoError);
    assert_int_equal(seL4_IRQControl_Get(seL4_CapIRQControl, GERR, KFX_ROOT, S_X, 64), seL4_RevokeFirst);
    assert_int_equal(seL4_IRQHandler_SetNotification(S_H1, S_B1), seL4_NoError);
    assert_int_equal(seL4_IRQHandler_SetNotification(S_H2, S_B2), seL4_NoError);
    /* a send-only cap cannot be waited on */
    seL4_Word badge = 5;
    seL4_MessageInfo_t r = seL4_Wait(S_B1, &badge);
    assert_int_equal(seL4_MessageInfo_get_label(r), seL4_InvalidCapability);
    assert_int_equal(seL4_GetMR(0), SYSCALL_INVOKED_CAP);
    /* both lines fire: one wait sees both badges */
    host_gic_pulse(EVQ);
    host_gic_pulse(GERR);
    r = seL4_Wait(S_NTFN, &badge);
    assert_int_equal(seL4_MessageInfo_get_label(r), seL4_NoError);
    assert_int_equal(badge, 0x3);
    /* the thread signals through the badged caps and the unbadged one */
    seL4_Signal(S_B2);
    seL4_Signal(S_NTFN); /* badge 0: adds nothing to the word, but signals */
    r = seL4_Wait(S_NTFN, &badge);
    assert_int_equal(seL4_MessageInfo_get_label(r), seL4_NoError);
    assert_int_equal(badge, 0x2);
    r = seL4_Wait(S_NTFN, &badge);
    assert_int_equal(seL4_MessageInfo_get_label(r), seL4_WaitTimedOut);
    assert_int_equal(seL4_IRQHandler_Ack(S_H1), seL4_NoError);
    assert_int_equal(seL4_IRQHandler_Clear(S_H2), seL4_NoError);
    assert_int_equal(seL4_CNode_Delete(KFX_ROOT, S_H1, 64), seL4_NoError);
    assert_int_equal(seL4_CNode_Revoke(KFX_ROOT, seL4_CapIRQControl, 64), seL4_NoError);
    assert_int_equal(cap_get_capType(kfx_slot(S_H2)->cap), cap_null_cap);
    seL4_HostBindThread(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot_irq_control, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_notification_retype, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_get_errors, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_get_once_until_deleted, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_set_notification_errors, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_edge_irq_delivery_and_ack, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_level_pulse_while_masked_is_lost, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_two_irqs_one_notification, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_device_fires_during_wait, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_signal_and_wait_errors, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_deleted_notification_is_unbound, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_stray_interrupt_stays_masked, setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_through_libsel4, setup, kfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
