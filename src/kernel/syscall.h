/* The kernel's system-call entry: seL4_Call on a capability (include/sel4/abi.h).
 *
 * In:  x0 = cptr of the invoked cap (resolved at depth 64 in the caller's CSpace),
 *      x1 = seL4_MessageInfo: label, extraCaps (0..3), length (words, capped at
 *           seL4_MsgMaxLength; at 4 when the thread has no IPC buffer),
 *      x2..x5 = MR0..MR3; MR4.. in ipc_buffer->msg[4..];
 *      extra caps: cptrs in ipc_buffer->caps_or_badges[0..extraCaps-1].
 * Out: x0 = 0 (seL4's badge), x1 = seL4_MessageInfo with label = seL4_Error (0 success),
 *      extraCaps 0, length = reply words; x2..x5 = reply MR0..MR3, MR4.. in
 *      ipc_buffer->msg[4..]. Registers x6, x7 are left as they were.
 *   Success: MR0.. = the invocation's results (e.g. seL4_ARM_Page_GetAddress: MR0 = paddr).
 *   Errors (seL4's setMRs_syscall_error):
 *     seL4_InvalidArgument   length 1: MR0 = index of the argument (message word)
 *     seL4_InvalidCapability length 1: MR0 = index of the extra cap (0-based), or
 *                            SYSCALL_INVOKED_CAP (0xff) for the invoked cap itself
 *     seL4_RangeError        length 2: MR0 = min, MR1 = max allowed
 *     seL4_FailedLookup      length 1: MR0 = 1 if the source slot failed (Copy/Mint/Move),
 *                            else 0 (also when the invoked cap or an extra cap cptr does
 *                            not resolve: seL4 would raise a fault, this kernel replies)
 *     seL4_NotEnoughMemory   length 1: MR0 = bytes left in the untyped
 *     others (IllegalOperation, AlignmentError, TruncatedMessage, DeleteFirst,
 *     RevokeFirst)           length 0
 * On any error the invocation changed nothing. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include "kernel.h"

/* The kernel's view of a thread at a system call (seL4's TCB, reduced to what Call uses). */
struct kernel_thread {
    cte_t cspace_root;          /* the thread's CSpace root (seL4 tcbCTable), a real slot */
    seL4_IPCBuffer *ipc_buffer; /* kernel-visible address of the IPC buffer, or NULL */
    seL4_Word regs[8];          /* x0..x7 saved at the trap; the reply is written here */
};

/* Handle seL4_Call from `t` (regs as above) and write the reply into t->regs and the IPC
 * buffer. Never fails: errors are replies. */
void kernel_handle_call(struct kernel_thread *t);

/* Dispatch one decoded invocation by the type of inv->slot's cap (the syscall entry's
 * second half; host tests may call it directly). */
struct syscall_error kernel_decode_invocation(struct invocation *inv);

#endif
