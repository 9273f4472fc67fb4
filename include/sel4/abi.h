/* The system-call ABI between EL0 threads and the EL2 kernel (AArch64): which register
 * carries what. libsel4 (src/libsel4/aarch64/syscall.c) and the kernel's trap path
 * (image/user.c, and kernel_handle_call through struct kernel_thread) both follow it.
 *
 *   seL4_Call:   svc #0
 *     in:   x0 = cptr of the invoked capability
 *           x1 = seL4_MessageInfo (label, capsUnwrapped, extraCaps, length)
 *           x2..x5 = MR0..MR3 (the stub loads them from ipc->msg[0..3])
 *           MR4.. stay in the IPC buffer (ipc->msg[4..]); the cptrs of extra caps are
 *           in ipc->caps_or_badges[0..extraCaps-1]
 *     out:  x1 = reply seL4_MessageInfo: label = seL4_Error (0 on success),
 *                length = reply words
 *           x2..x5 = reply MR0..MR3 (the stub stores them to ipc->msg[0..3]);
 *           reply MR4.. are written by the kernel into ipc->msg[4..]
 *           x0: undefined for the caller (seL4 returns the badge there; this
 *           kernel writes 0); every other general register, SP_EL0 and
 *           PSTATE.NZCV are preserved.
 *   seL4_Wait(src, &badge):  svc #3  (seL4's Wait on a notification, bounded: see below)
 *     in:   x0 = cptr of a notification capability with the Read right (CanReceive)
 *     out:  x0 = the notification word: the OR of the badges it was signalled with since
 *                the last Wait (seL4's badge register), 0 unless the call succeeded
 *           x1 = seL4_MessageInfo, length 0 except for errors: label 0 = success;
 *                seL4_FailedLookup (cptr does not resolve), seL4_InvalidCapability
 *                (not a notification, or no Read right; MR0 in x2 = 0xff, the invoked
 *                cap), or seL4_WaitTimedOut (<sel4/syscall.h>; no signal before the
 *                kernel's deadline: 2 s, KERNEL_WAIT_TIMEOUT_US, unless the platform
 *                set another)
 *           every other register, SP_EL0 and NZCV preserved.
 *     With no signal pending the kernel waits for interrupts at EL2 (wfi) and handles them
 *     (each signals the notification its IRQHandler is bound to) until this notification
 *     is signalled or the deadline passes: there is one thread, so nothing else can
 *     signal it, and a wait that could never end returns instead of hanging the system.
 *   seL4_Signal(ntfn): seL4_Call (svc #0) on a notification capability with the Write
 *     right (CanSend), any label: ORs the cap's badge into the word; reply length 0.
 *     (seL4 uses seL4_Send; this kernel has no Send, and the empty reply is harmless.)
 *   seL4_DebugPutChar(c):  svc #1, x0 = character; every register preserved.
 *   seL4_DebugExit(r):     svc #2, x0 = result (0 = success); does not return. The
 *                          image's convention for "this thread is done" (seL4 has no
 *                          such call; a root task there would suspend itself).
 *
 * seL4 itself uses `svc #0` for every syscall and the syscall number in x7; this kernel
 * has two real syscalls (Call and Wait), so they and the debug calls are told apart by
 * the SVC immediate, which the trap reads from ESR_EL2.ISS without touching a register.
 *
 * The root task's entry (image): x0 = seL4_BootInfo * (as seL4), x1 = its IPC buffer (seL4
 * would leave that to the boot info; here it also serves runs without the kernel), x2/x3 =
 * a request and its argument from the image's scenario (0, 0 for a normal run); SP_EL0 =
 * the top of its stack; PSTATE = EL0t, AArch64, interrupts unmasked. Its VSpace, IPC buffer
 * and boot-info frames are caps in the root CNode's fixed slots (<sel4/bootinfo.h>). */
#ifndef SEL4_ABI_H
#define SEL4_ABI_H

/* SVC immediates (ESR_EL2.ISS[15:0]). */
#define SEL4_SVC_CALL 0u
#define SEL4_SVC_DEBUG_PUTCHAR 1u
#define SEL4_SVC_DEBUG_EXIT 2u
#define SEL4_SVC_WAIT 3u

/* seL4_Wait's reply label when the deadline passed without a signal. Not a seL4_Error (seL4
 * has no bounded Wait); above every seL4_Error value. */
#define SEL4_WAIT_TIMED_OUT 64u

/* General-register numbers (xN) of the syscall arguments. */
#define SEL4_REG_CAP 0u      /* x0: cptr (in), undefined (out; Wait: the badge) */
#define SEL4_REG_MSGINFO 1u  /* x1: message info (in and out) */
#define SEL4_REG_MR0 2u      /* x2..x5: MR0..MR3 */
#define SEL4_FAST_MRS 4u     /* message registers that travel in registers */

/* Root task entry registers. */
#define SEL4_REG_ENTRY_BOOTINFO 0u
#define SEL4_REG_ENTRY_IPCBUF 1u
#define SEL4_REG_ENTRY_REQUEST 2u
#define SEL4_REG_ENTRY_ARG 3u

#endif
