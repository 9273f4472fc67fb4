/* The syscall entry's ABI (src/kernel/syscall.h): message info, MRs in registers and in
 * the IPC buffer both ways, extra caps, lookups that fail, error replies with their
 * details and lengths; and kernel_boot's argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernel_fixture.h"

#define ECHO 77 /* the SMMU stand-in answers this label with MRi + 1 */

static void test_round_trip_registers_and_buffer(void **state)
{
    (void)state;
    seL4_CPtr ctl = kfx.bi.smmu[0].sidControl;
    seL4_Word w[10];
    for (unsigned i = 0; i < 10; i++)
        w[i] = 1000 + i;
    seL4_CPtr caps[] = { KFX_ROOT, ctl };
    assert_int_equal(kfx_call(ctl, ECHO, w, 10, caps, 2), seL4_NoError);
    assert_int_equal(hooks.decode_n, 1);
    assert_int_equal(hooks.decode_label, ECHO);
    seL4_MessageInfo_t info = { { kfx.t.regs[1] } };
    assert_int_equal(seL4_MessageInfo_get_label(info), 0);
    assert_int_equal(seL4_MessageInfo_get_length(info), 10);
    assert_int_equal(seL4_MessageInfo_get_extraCaps(info), 0);
    assert_int_equal(kfx.t.regs[0], 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(kfx.t.regs[2 + i], 1001 + i);
    for (unsigned i = 4; i < 10; i++)
        assert_int_equal(kfx.ipc.msg[i], 1001 + i);
    assert_int_equal(kfx.t.regs[6], 0xdead0006); /* x6, x7 untouched */
    assert_int_equal(kfx.t.regs[7], 0xdead0007);
}

static void test_no_ipc_buffer(void **state)
{
    (void)state;
    seL4_CPtr ctl = kfx.bi.smmu[0].sidControl;
    kfx.t.ipc_buffer = NULL;
    seL4_Word w[4] = { 1, 2, 3, 4 };
    struct kernel_thread *t = &kfx.t;
    t->regs[0] = ctl;
    t->regs[1] = seL4_MessageInfo_new(ECHO, 0, 2, 9).words[0]; /* claims 9 words, 2 caps */
    for (unsigned i = 0; i < 4; i++)
        t->regs[2 + i] = w[i];
    kernel_handle_call(t);
    seL4_MessageInfo_t info = { { t->regs[1] } };
    assert_int_equal(seL4_MessageInfo_get_label(info), seL4_NoError);
    assert_int_equal(seL4_MessageInfo_get_length(info), 4); /* registers only */
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(t->regs[2 + i], w[i] + 1);
    kfx.t.ipc_buffer = &kfx.ipc;
}

static void test_lookup_failures(void **state)
{
    (void)state;
    /* an empty slot: InvalidCapability naming the invoked cap */
    assert_int_equal(kfx_call(kfx.bi.empty.start, CNodeDelete, NULL, 0, NULL, 0), seL4_InvalidCapability);
    assert_int_equal(kfx_reply_len(), 1);
    assert_int_equal(kfx_mr(0), SYSCALL_INVOKED_CAP);
    /* a cptr that does not resolve (guard bits set): FailedLookup */
    assert_int_equal(kfx_call(1ull << 63, CNodeDelete, NULL, 0, NULL, 0), seL4_FailedLookup);
    assert_int_equal(kfx_reply_len(), 1);
    assert_int_equal(kfx_mr(0), 0);
    /* an extra cap that does not resolve */
    seL4_Word w[] = { 500, 64, 2, 64, seL4_AllRights };
    seL4_CPtr c[] = { 1ull << 62 };
    assert_int_equal(kfx_call(KFX_ROOT, CNodeCopy, w, 5, c, 1), seL4_FailedLookup);
    assert_int_equal(cap_get_capType(kfx_slot(500)->cap), cap_null_cap);
}

static void test_error_reply_shapes(void **state)
{
    (void)state;
    seL4_CPtr u = kfx_untyped(20, false);
    /* InvalidArgument: 1 word, the argument index */
    assert_int_equal(kfx_retype(u, 99, 0, 500, 1), seL4_InvalidArgument);
    assert_int_equal(kfx_reply_len(), 1);
    assert_int_equal(kfx_mr(0), 0);
    /* RangeError: min and max */
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 500, 0), seL4_RangeError);
    assert_int_equal(kfx_reply_len(), 2);
    assert_int_equal(kfx_mr(0), 1);
    assert_int_equal(kfx_mr(1), seL4_RetypeFanOutLimit);
    /* NotEnoughMemory: bytes left */
    assert_int_equal(kfx_retype(u, seL4_ARM_LargePageObject, 0, 500, 1), seL4_NotEnoughMemory);
    assert_int_equal(kfx_reply_len(), 1);
    assert_int_equal(kfx_mr(0), 1u << 20);
    /* DeleteFirst, IllegalOperation, TruncatedMessage: no words */
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, KFX_ROOT, 1), seL4_DeleteFirst);
    assert_int_equal(kfx_reply_len(), 0);
    assert_int_equal(kfx_call(u, 9999, NULL, 0, NULL, 0), seL4_IllegalOperation);
    assert_int_equal(kfx_reply_len(), 0);
    seL4_Word one[] = { 5 };
    assert_int_equal(kfx_call(KFX_ROOT, CNodeDelete, one, 1, NULL, 0), seL4_TruncatedMessage);
    assert_int_equal(kfx_reply_len(), 0);
    /* an SMMU cap with an unknown label goes to the object layer */
    assert_int_equal(kfx_call(kfx.bi.smmu[0].cbControl, 5, NULL, 0, NULL, 0), seL4_IllegalOperation);
    assert_int_equal(hooks.decode_n, 1);
    /* success with results, through the whole path */
    assert_int_equal(kfx_retype(u, seL4_ARM_SmallPageObject, 0, 500, 1), seL4_NoError);
    assert_int_equal(kfx_reply_len(), 0);
    assert_int_equal(kfx_call(500, ARMPageGetAddress, NULL, 0, NULL, 0), seL4_NoError);
    assert_int_equal(kfx_reply_len(), 1);
    assert_true(kfx_mr(0) == cap_untyped_cap_get_capPtr_pfn(kfx_slot(u)->cap) << 12);
}

static void test_long_messages_capped(void **state)
{
    (void)state;
    seL4_CPtr ctl = kfx.bi.smmu[0].sidControl;
    struct kernel_thread *t = &kfx.t;
    for (unsigned i = 0; i < seL4_MsgMaxLength; i++)
        kfx.ipc.msg[i] = i;
    t->regs[0] = ctl;
    t->regs[1] = seL4_MessageInfo_new(ECHO, 0, 0, 127).words[0]; /* more than the maximum */
    for (unsigned i = 0; i < 4; i++)
        t->regs[2 + i] = i;
    kernel_handle_call(t);
    assert_int_equal(kfx_reply_len(), seL4_MsgMaxLength);
    assert_int_equal(kfx.ipc.msg[seL4_MsgMaxLength - 1], seL4_MsgMaxLength);
}

static void test_boot_arguments(void **state)
{
    (void)state;
    struct kernel_thread t;
    seL4_BootInfo bi;
    struct kernel_boot_config cfg = { .root_cnode_radix = 0, .n_regions = 0 };
    assert_int_equal(kernel_boot(&cfg, &t, &bi), ERR_INVALID);
    cfg.root_cnode_radix = KERNEL_ROOT_CNODE_MAX_RADIX + 1;
    assert_int_equal(kernel_boot(&cfg, &t, &bi), ERR_INVALID);
    cfg.root_cnode_radix = 12;
    cfg.n_regions = KERNEL_BOOT_MAX_REGIONS + 1;
    assert_int_equal(kernel_boot(&cfg, &t, &bi), ERR_INVALID);
    /* only device memory, or too little: no room for the root CNode */
    cfg.n_regions = 1;
    cfg.regions[0] = (struct kernel_boot_region){ KFX_DEV_BASE, 1ull << 30, true };
    assert_int_equal(kernel_boot(&cfg, &t, &bi), ERR_NO_MEMORY);
    cfg.regions[0] = (struct kernel_boot_region){ (paddr_t)(uintptr_t)kfx.mem, 4096, false };
    assert_int_equal(kernel_boot(&cfg, &t, &bi), ERR_NO_MEMORY);
    /* a small root CNode: the initial layout does not fit, the SMMU hook gets no room */
    unsigned calls = hooks.populate_n;
    cfg.root_cnode_radix = 4;
    cfg.regions[0] = (struct kernel_boot_region){ (paddr_t)(uintptr_t)kfx.mem + 4096, 1u << 20, false };
    assert_int_equal(kernel_boot(&cfg, &t, &bi), ERR_NONE);
    assert_int_equal(hooks.populate_n, calls + 1);
    assert_int_equal(bi.numSMMUs, 0);
    assert_int_equal(bi.untyped.start, seL4_NumInitialCaps);
    assert_int_equal(bi.untyped.end, 16);
    assert_int_equal(bi.empty.start, 16);
    /* the CNode went to the first 4K-aligned place, the untyped to the part above it */
    assert_true(bi.untypedList[0].paddr == (paddr_t)(uintptr_t)kfx.mem + 8192);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_registers_and_buffer, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_no_ipc_buffer, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_lookup_failures, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_error_reply_shapes, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_long_messages_capped, kfx_setup, kfx_teardown),
        cmocka_unit_test_setup_teardown(test_boot_arguments, kfx_setup, kfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
