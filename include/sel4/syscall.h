/* The user-side system-call layer (libsel4's shape): seL4_Call and the message-register
 * accessors. The register ABI is in <sel4/abi.h>. Two implementations: AArch64 EL0
 * (src/libsel4/aarch64/syscall.c: svc #0) and host (src/libsel4/host/syscall.c: calls the
 * kernel's entry directly). */
#ifndef SEL4_SYSCALL_H
#define SEL4_SYSCALL_H

#include <sel4/abi.h>
#include <sel4/types.h>

/* Invoke the capability at `dest` with the message in `info` (MR0..MR3 and the extra-cap
 * cptrs taken from the IPC buffer); wait for the kernel's reply. Returns the reply's
 * message info (label = seL4_Error); the reply's MRs are in the IPC buffer afterwards
 * (MR0..MR3 stored back from registers, MR4.. written by the kernel). */
seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t info);

/* Wait on a notification (svc #3, <sel4/abi.h>): returns when it has been signalled, with
 * its word (the OR of the badges signalled) in *sender if sender is not NULL, and the word
 * cleared. The reply's label is 0, or a seL4_Error for a bad capability, or
 * seL4_WaitTimedOut: this kernel bounds every wait by a deadline (seL4 would block). */
#define seL4_WaitTimedOut SEL4_WAIT_TIMED_OUT
seL4_MessageInfo_t seL4_Wait(seL4_CPtr src, seL4_Word *sender);

/* Signal a notification: its word |= the cap's badge (seL4_Send in seL4; a Call here, whose
 * reply is empty). */
static inline void seL4_Signal(seL4_CPtr dest) { (void)seL4_Call(dest, seL4_MessageInfo_new(0, 0, 0, 0)); }

/* The calling thread's IPC buffer (seL4 keeps it in thread-local storage; threads here
 * are single, so it is a variable of the library). Set once at start-up. */
seL4_IPCBuffer *seL4_GetIPCBuffer(void);
void seL4_SetIPCBuffer(seL4_IPCBuffer *buffer);

static inline void seL4_SetMR(int i, seL4_Word w) { seL4_GetIPCBuffer()->msg[i] = w; }
static inline seL4_Word seL4_GetMR(int i) { return seL4_GetIPCBuffer()->msg[i]; }
static inline void seL4_SetCap(int i, seL4_CPtr cptr) { seL4_GetIPCBuffer()->caps_or_badges[i] = cptr; }
static inline seL4_CPtr seL4_GetCap(int i) { return seL4_GetIPCBuffer()->caps_or_badges[i]; }

/* Debug calls (see <sel4/abi.h>): a character on the kernel's console; end the thread
 * with a result the kernel reports (0 = success). */
void seL4_DebugPutChar(char c);
_Noreturn void seL4_DebugExit(seL4_Word result);

#endif
