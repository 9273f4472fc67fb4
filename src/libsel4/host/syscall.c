/* libsel4's system calls for host tests: the same marshalling as the AArch64 stub
 * (src/libsel4/aarch64/syscall.c, ABI in <sel4/abi.h>), with the kernel's saved
 * registers (struct kernel_thread.regs) standing in for x0..x7 and a direct call of
 * kernel_handle_call standing in for svc #0. Hosted code: uses libc. */
#include "sel4_host.h"

#include <stdio.h>
#include <stdlib.h>

#include <sel4/syscall.h>

#include "kernel/irq.h"
#include "kernel/syscall.h"

static seL4_IPCBuffer *ipc_buffer;
static struct kernel_thread *bound;
static seL4_HostExitHook exit_hook;

seL4_IPCBuffer *seL4_GetIPCBuffer(void) { return ipc_buffer; }
void seL4_SetIPCBuffer(seL4_IPCBuffer *buffer) { ipc_buffer = buffer; }
void seL4_HostBindThread(struct kernel_thread *thread) { bound = thread; }
void seL4_HostSetExitHook(seL4_HostExitHook hook) { exit_hook = hook; }

_Static_assert(sizeof(((struct kernel_thread *)0)->regs) / sizeof(seL4_Word) >=
                   SEL4_REG_MR0 + SEL4_FAST_MRS,
               "kernel_thread.regs holds x0..x5");

seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    struct kernel_thread *t = bound;
    seL4_IPCBuffer *ipc = ipc_buffer;
    if (!t || !ipc) {
        fprintf(stderr, "seL4_Call (host): no thread bound or no IPC buffer set\n");
        abort();
    }
    t->ipc_buffer = ipc;
    t->regs[SEL4_REG_CAP] = dest;
    t->regs[SEL4_REG_MSGINFO] = info.words[0];
    for (unsigned i = 0; i < SEL4_FAST_MRS; i++)
        t->regs[SEL4_REG_MR0 + i] = ipc->msg[i];
    kernel_handle_call(t);
    for (unsigned i = 0; i < SEL4_FAST_MRS; i++)
        ipc->msg[i] = t->regs[SEL4_REG_MR0 + i];
    seL4_MessageInfo_t reply = { { t->regs[SEL4_REG_MSGINFO] } };
    return reply;
}

seL4_MessageInfo_t seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    struct kernel_thread *t = bound;
    if (!t) {
        fprintf(stderr, "seL4_Wait (host): no thread bound\n");
        abort();
    }
    t->regs[SEL4_REG_CAP] = src;
    kernel_handle_wait(t);
    if (sender)
        *sender = t->regs[SEL4_REG_CAP];
    seL4_MessageInfo_t reply = { { t->regs[SEL4_REG_MSGINFO] } };
    if (seL4_MessageInfo_get_length(reply) > 0 && ipc_buffer)
        ipc_buffer->msg[0] = t->regs[SEL4_REG_MR0]; /* the error's detail */
    return reply;
}

void seL4_DebugPutChar(char c) { fputc(c, stdout); }

_Noreturn void seL4_DebugExit(seL4_Word result)
{
    if (exit_hook)
        exit_hook(result);
    exit(result == 0 ? 0 : 1);
}
