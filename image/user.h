/* User threads at EL0 under the EL2 kernel: their saved registers, the EL2 state that
 * goes with them (HCR_EL2, the stage-2 VSpace), and the run loop that enters EL0 and
 * handles each exception it takes: system calls (<sel4/abi.h>) and faults.
 *
 * Translation (as in seL4's hypervisor build, "native" threads): EL0 runs with HCR_EL2.TGE
 * set and E2H clear, so stage 1 of the EL1&0 regime is off (SCTLR_EL1.M behaves as 0) and
 * the thread's addresses are IPAs that its stage-2 VSpace (VTTBR_EL2) translates; every
 * exception it raises, SVC included, is taken to EL2. See docs/qemu-platform.md for what
 * was verified on QEMU. */
#ifndef IMAGE_USER_H
#define IMAGE_USER_H

#include <sel4/abi.h>
#include <sel4/types.h>

#include "arch/aarch64/sysreg.h"
#include "lib/types.h"
#include "pgtable/pgtable.h"
#include "user_ctx.h"

/* HCR_EL2 while a native thread runs (ARM DDI 0487, D23.2 HCR_EL2):
 *  VM   stage 2 on: the VSpace is the thread's only view of memory;
 *  DC   stage 1 off with Normal write-back as its default attributes (instead of
 *       Device-nGnRnE), so the VSpace's memory attributes decide; DC also makes VM
 *       behave as 1;
 *  TGE  every exception from EL0 (SVC, aborts, undefined instructions) goes to EL2, and
 *       the EL1&0 stage 1 is off; with E2H = 0 stage 2 still applies;
 *  RW   the lower ELs are AArch64;
 *  FMO, IMO, AMO  physical FIQ/IRQ/SError to EL2 (TGE forces them; named for when TGE is
 *       cleared to run a guest at EL1).
 * The EL1 trap controls (TSC, TVM, TTLB, TWI, ...) behave as 0 while TGE is 1 and are
 * left clear. */
#define HCR_NATIVE (HCR_VM | HCR_DC | HCR_TGE | HCR_RW | HCR_FMO | HCR_IMO | HCR_AMO)

struct user_context {
    uint64_t x[31];
    uint64_t sp_el0;
    uint64_t elr;       /* ELR_EL2: where the thread resumes */
    uint64_t spsr;      /* SPSR_EL2: its PSTATE (EL0t, AArch64) */
    uint64_t kernel_sp; /* private to user_entry.S */
    uint64_t pad;
} __attribute__((aligned(16)));
_Static_assert(__builtin_offsetof(struct user_context, sp_el0) == USER_CTX_SP_EL0, "user_ctx.h");
_Static_assert(__builtin_offsetof(struct user_context, elr) == USER_CTX_ELR, "user_ctx.h");
_Static_assert(__builtin_offsetof(struct user_context, spsr) == USER_CTX_SPSR, "user_ctx.h");
_Static_assert(__builtin_offsetof(struct user_context, kernel_sp) == USER_CTX_KERNEL_SP, "user_ctx.h");
_Static_assert(sizeof(struct user_context) == USER_CTX_SIZE, "user_ctx.h");

struct user_thread {
    struct user_context ctx;
    seL4_IPCBuffer *ipc;  /* the kernel's pointer to its IPC buffer (identity mapped) */
    uint64_t hcr;         /* HCR_EL2 while it runs (HCR_NATIVE) */
    uint64_t vttbr;       /* its VSpace: table base | VMID */
    uint64_t vtcr;
    unsigned svc;         /* the SVC immediate of the system call being handled (Call, Wait) */
};

/* Fill a thread: entry point, stack top, IPC buffer; PSTATE = EL0t; no registers set. */
void user_thread_init(struct user_thread *t, uintptr_t entry, uintptr_t stack_top,
                      seL4_IPCBuffer *ipc);
/* Give it `vs` (a stage-2 table) as its VSpace, tagged `vmid`. */
void user_thread_set_vspace(struct user_thread *t, const struct pt *vs, uint16_t vmid);

/* What ended a run. */
enum user_stop_reason {
    USER_STOP_EXIT,   /* seL4_DebugExit(result) */
    USER_STOP_FAULT,  /* any other exception: see esr/far/hpfar */
};
struct user_stop {
    enum user_stop_reason reason;
    uint64_t result;  /* EXIT: the thread's x0 */
    uint64_t vector;  /* FAULT: lower-EL vector (8 sync, 9 IRQ, 10 FIQ, 11 SError, 12.. AArch32) */
    uint64_t esr, far, hpfar, elr;
    uint64_t syscalls;  /* seL4_Call and seL4_Wait traps handled in the run */
    uint64_t irqs;      /* physical IRQs taken while the thread ran (handled, then resumed) */
};

/* Handles seL4_Call (and seL4_Wait: t->svc says which) for a thread: read the request
 * (user_get_mr, ...), write the reply (user_reply). The image passes the kernel's entry or
 * a test service. */
typedef void (*user_call_fn)(struct user_thread *t, void *arg);

/* The kernel's entry as a call handler: `arg` is the thread's struct kernel_thread (its
 * CSpace root); x0..x7 go in, kernel_handle_call (or kernel_handle_wait) replies, x0..x7
 * come back. */
void user_kernel_call(struct user_thread *t, void *arg);

/* Run `t` at EL0 until it exits or faults. A physical IRQ that arrives while it runs is
 * taken to EL2 (HCR_EL2.IMO/TGE), handled (plat_irq_handle_pending) and the thread
 * resumed where it was. Loads the thread's HCR_EL2/VTCR/VTTBR (and the
 * EL1 controls EL0 still obeys: SCTLR_EL1, CPACR_EL1, CNTKCTL_EL1), invalidates its VMID's
 * TLB entries, and restores the previous HCR_EL2/VTCR/VTTBR afterwards. */
void user_run(struct user_thread *t, user_call_fn call, void *arg, struct user_stop *stop);

/* Print a stop: the exit result, or the fault decoded (EC, fault type and level, IPA). */
void user_stop_print(const struct user_stop *stop);

/* The faulting IPA of a stage-2 abort (from HPFAR_EL2, page granular) plus FAR's offset. */
uint64_t user_stop_ipa(const struct user_stop *stop);

/* ---- message access for call handlers (the ABI of <sel4/abi.h>) ------------------------- */
static inline seL4_CPtr user_get_cptr(const struct user_thread *t) { return t->ctx.x[SEL4_REG_CAP]; }
static inline seL4_MessageInfo_t user_get_info(const struct user_thread *t)
{
    seL4_MessageInfo_t m = { { t->ctx.x[SEL4_REG_MSGINFO] } };
    return m;
}
/* Message word i of the request: MR0..3 from x2..x5, MR4.. from the IPC buffer. */
seL4_Word user_get_mr(const struct user_thread *t, unsigned i);
/* Reply: label (seL4_Error) and `n` words: MR0..3 into x2..x5, MR4.. into the buffer. */
void user_reply(struct user_thread *t, seL4_Word label, const seL4_Word *mr, unsigned n);

#endif
