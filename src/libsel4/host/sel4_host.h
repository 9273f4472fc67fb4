/* libsel4 on the host (src/libsel4/host/syscall.c): user code of host tests calls the
 * kernel's syscall entry directly, as the thread bound here. */
#ifndef LIBSEL4_HOST_SEL4_HOST_H
#define LIBSEL4_HOST_SEL4_HOST_H

#include <sel4/types.h>

struct kernel_thread;

/* The thread that seL4_Call runs as (its CSpace root; its IPC buffer is set to the one
 * seL4_SetIPCBuffer gave at each call). NULL unbinds; a call without a bound thread or
 * IPC buffer aborts the test. */
void seL4_HostBindThread(struct kernel_thread *thread);

/* seL4_DebugExit on the host records the result and returns to the test through this
 * hook (it must not return; e.g. longjmp). Without one, DebugExit exits the process with
 * status 0 for result 0, 1 otherwise. */
typedef void (*seL4_HostExitHook)(seL4_Word result);
void seL4_HostSetExitHook(seL4_HostExitHook hook);

#endif
