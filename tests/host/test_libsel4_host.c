/* libsel4 on the host (src/libsel4/host/syscall.c): the marshalling of seL4_Call against a
 * recording stand-in of the kernel's entry (defined here, so the real syscall.c is not
 * linked): MR0..3 travel in regs[2..5] both ways, MR4.. and the extra caps stay in the
 * IPC buffer, the reply's label and length come back in regs[1], and the thread's IPC
 * buffer is the one the library was given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sel4/syscall.h>

#include "kernel/syscall.h"
#include "libsel4/host/sel4_host.h"

static struct kernel_thread thread;
static seL4_IPCBuffer ipc;
static struct {
    unsigned calls;
    seL4_Word regs[8];            /* as the kernel saw them */
    seL4_IPCBuffer *ipc_seen;
} seen;

/* The stand-in kernel: records the request, replies label 0 with 6 words
 * MR[i] = request MR[i] + 100 (MR0..3 into regs, MR4..5 into the buffer). */
void kernel_handle_call(struct kernel_thread *t)
{
    seen.calls++;
    memcpy(seen.regs, t->regs, sizeof(seen.regs));
    seen.ipc_seen = t->ipc_buffer;
    for (unsigned i = 0; i < 6; i++) {
        seL4_Word w = (i < 4 ? t->regs[2 + i] : t->ipc_buffer->msg[i]) + 100;
        if (i < 4)
            t->regs[2 + i] = w;
        else
            t->ipc_buffer->msg[i] = w;
    }
    t->regs[0] = 0;
    t->regs[1] = seL4_MessageInfo_new(0, 0, 0, 6).words[0];
}

static int setup(void **state)
{
    (void)state;
    memset(&thread, 0, sizeof(thread));
    memset(&ipc, 0, sizeof(ipc));
    memset(&seen, 0, sizeof(seen));
    seL4_HostBindThread(&thread);
    seL4_SetIPCBuffer(&ipc);
    return 0;
}

static void test_call_marshalling(void **state)
{
    (void)state;
    assert_ptr_equal(seL4_GetIPCBuffer(), &ipc);
    for (int i = 0; i < 6; i++)
        seL4_SetMR(i, (seL4_Word)(10 + i));
    seL4_SetCap(0, 0x33);
    seL4_MessageInfo_t reply = seL4_Call(0x44, seL4_MessageInfo_new(7, 0, 1, 6));

    assert_int_equal(seen.calls, 1);
    assert_int_equal(seen.regs[SEL4_REG_CAP], 0x44);
    assert_int_equal(seL4_MessageInfo_get_label((seL4_MessageInfo_t){ { seen.regs[SEL4_REG_MSGINFO] } }), 7);
    assert_int_equal(seL4_MessageInfo_get_extraCaps((seL4_MessageInfo_t){ { seen.regs[SEL4_REG_MSGINFO] } }), 1);
    assert_int_equal(seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { seen.regs[SEL4_REG_MSGINFO] } }), 6);
    for (unsigned i = 0; i < SEL4_FAST_MRS; i++)
        assert_int_equal(seen.regs[SEL4_REG_MR0 + i], 10 + i);
    assert_ptr_equal(seen.ipc_seen, &ipc);
    assert_int_equal(ipc.caps_or_badges[0], 0x33);

    assert_int_equal(seL4_MessageInfo_get_label(reply), 0);
    assert_int_equal(seL4_MessageInfo_get_length(reply), 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(seL4_GetMR(i), 110 + (seL4_Word)i);
}

static jmp_buf exited;
static seL4_Word exit_result;
static void on_exit_hook(seL4_Word result)
{
    exit_result = result;
    longjmp(exited, 1);
}

static void test_debug_exit_hook(void **state)
{
    (void)state;
    seL4_HostSetExitHook(on_exit_hook);
    if (setjmp(exited) == 0)
        seL4_DebugExit(42);
    assert_int_equal(exit_result, 42);
    seL4_HostSetExitHook(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_call_marshalling, setup),
        cmocka_unit_test_setup(test_debug_exit_hook, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
