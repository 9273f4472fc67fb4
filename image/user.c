/* The run loop of user threads at EL0 (image/user.h). */
#include "user.h"

#include "exc.h"
#include "kernel/irq.h"
#include "kernel/syscall.h"
#include "lib/bits.h"
#include "plat/qemu-virt/irq.h"
#include "plat/qemu-virt/uart.h"

/* Lower-EL vector indices (boot.S): offset 0x400 + 0x80 * (kind - 8). */
#define VECTOR_LOWER_A64_SYNC 8u
#define VECTOR_LOWER_A64_IRQ 9u

/* A thread that traps more often than this in one run is stopped (a seL4 kernel would
 * keep scheduling it; the image wants every run to end). A thread that spins without
 * trapping is not preempted: there is no timer interrupt yet. */
#define USER_RUN_MAX_TRAPS (1u << 22)

uint64_t user_enter(struct user_context *ctx); /* user_entry.S */

void user_thread_init(struct user_thread *t, uintptr_t entry, uintptr_t stack_top,
                      seL4_IPCBuffer *ipc)
{
    *t = (struct user_thread){ 0 };
    t->ctx.elr = entry;
    t->ctx.sp_el0 = stack_top;
    /* EL0t, AArch64, D/A/I/F unmasked: physical interrupts from EL0 go to EL2 anyway
     * (HCR_EL2.{TGE,IMO,FMO,AMO}), PSTATE masks do not hold them back at a lower EL. */
    t->ctx.spsr = FIELD_PREP(SPSR_M, SPSR_M_EL0T);
    t->ipc = ipc;
    t->hcr = HCR_NATIVE;
}

void user_thread_set_vspace(struct user_thread *t, const struct pt *vs, uint16_t vmid)
{
    unsigned cpu_pa = (unsigned)FIELD_GET(ID_AA64MMFR0_PARANGE, SYSREG_READ(id_aa64mmfr0_el1));
    unsigned ps = pa_range_code(vs->fmt.oa_bits);
    if (ps > cpu_pa)
        ps = cpu_pa; /* VTCR_EL2.PS above PARange behaves as PARange; say it explicitly */
    bool vmid16 = FIELD_GET(ID_AA64MMFR1_VMIDBITS, SYSREG_READ(id_aa64mmfr1_el1)) ==
                  ID_AA64MMFR1_VMIDBITS_16;
    t->vtcr = VTCR_RES1 | FIELD_PREP(VTCR_T0SZ, pt_format_t0sz(&vs->fmt)) |
              FIELD_PREP(VTCR_SL0, pt_format_sl0(&vs->fmt)) |
              FIELD_PREP(VTCR_IRGN0, VTCR_RGN_WBWA) | FIELD_PREP(VTCR_ORGN0, VTCR_RGN_WBWA) |
              FIELD_PREP(VTCR_SH0, VTCR_SH_INNER) | FIELD_PREP(VTCR_TG0, VTCR_TG0_4K) |
              FIELD_PREP(VTCR_PS, ps) | (vmid16 ? VTCR_VS : 0);
    t->vttbr = (vs->root & VTTBR_BADDR) | FIELD_PREP(VTTBR_VMID, vmid16 ? vmid : (vmid & 0xffu));
}

seL4_Word user_get_mr(const struct user_thread *t, unsigned i)
{
    if (i < SEL4_FAST_MRS)
        return t->ctx.x[SEL4_REG_MR0 + i];
    return i < seL4_MsgMaxLength ? t->ipc->msg[i] : 0;
}

void user_reply(struct user_thread *t, seL4_Word label, const seL4_Word *mr, unsigned n)
{
    if (n > seL4_MsgMaxLength)
        n = seL4_MsgMaxLength;
    t->ctx.x[SEL4_REG_MSGINFO] = seL4_MessageInfo_new(label, 0, 0, n).words[0];
    for (unsigned i = 0; i < n; i++) {
        if (i < SEL4_FAST_MRS)
            t->ctx.x[SEL4_REG_MR0 + i] = mr[i];
        else
            t->ipc->msg[i] = mr[i];
    }
}

_Static_assert(ARRAY_SIZE(((struct kernel_thread *)0)->regs) >= SEL4_REG_MR0 + SEL4_FAST_MRS &&
                   ARRAY_SIZE(((struct kernel_thread *)0)->regs) <= 31,
               "kernel_thread.regs mirrors x0..x5 at least");

void user_kernel_call(struct user_thread *t, void *arg)
{
    struct kernel_thread *kt = arg;
    for (unsigned i = 0; i < ARRAY_SIZE(kt->regs); i++)
        kt->regs[i] = t->ctx.x[i];
    kt->ipc_buffer = t->ipc;
    if (t->svc == SEL4_SVC_WAIT)
        kernel_handle_wait(kt);
    else
        kernel_handle_call(kt);
    for (unsigned i = 0; i < ARRAY_SIZE(kt->regs); i++)
        t->ctx.x[i] = kt->regs[i];
}

struct el2_state {
    uint64_t hcr, vttbr, vtcr, cptr;
};

static void load_thread_state(const struct user_thread *t, struct el2_state *saved)
{
    saved->hcr = SYSREG_READ(hcr_el2);
    saved->vttbr = SYSREG_READ(vttbr_el2);
    saved->vtcr = SYSREG_READ(vtcr_el2);
    SYSREG_WRITE(vtcr_el2, t->vtcr);
    SYSREG_WRITE(vttbr_el2, t->vttbr);
    /* The EL1 controls EL0 still obeys with E2H = 0: no SCTLR_EL1.M (TGE forces it off
     * anyway), SP alignment checked, cache maintenance, CTR_EL0, DC ZVA and WFI/WFE trap
     * (UCI, UCT, DZE, nTWI, nTWE = 0); no EL0 access to the counters and timers
     * (CNTKCTL_EL1). FP/SIMD: the kernel does not save FP registers, so EL0 may not use
     * them. The trap is CPTR_EL2.TFP (to EL2, EC 0x07), not CPACR_EL1.FPEN = 0: that one
     * targets EL1, and TGE reroutes it to EL2 as EC 0x00 "unknown" (Arm ARM pseudocode
     * AArch64.AdvSIMDFPAccessTrap; seen on QEMU), which hides what happened. */
    saved->cptr = SYSREG_READ(cptr_el2);
    SYSREG_WRITE(sctlr_el1, SCTLR_EL1_RES1 | SCTLR_EL1_SA0);
    SYSREG_WRITE(cpacr_el1, FIELD_PREP(CPACR_EL1_FPEN, CPACR_EL1_FPEN_NONE));
    SYSREG_WRITE(cptr_el2, CPTR_EL2_RES1 | CPTR_EL2_TFP);
    SYSREG_WRITE(cntkctl_el1, 0);
    SYSREG_WRITE(hcr_el2, t->hcr);
    ISB();
    /* Stage 1+2 entries of this VMID (VTTBR_EL2.VMID, now current) may come from an
     * earlier table with the same VMID: forget them (D8.14 "TLB maintenance"). */
    __asm__ volatile("tlbi vmalls12e1\n dsb ish\n isb" : : : "memory");
}

static void restore_state(const struct el2_state *saved)
{
    SYSREG_WRITE(hcr_el2, saved->hcr);
    SYSREG_WRITE(vttbr_el2, saved->vttbr);
    SYSREG_WRITE(vtcr_el2, saved->vtcr);
    SYSREG_WRITE(cptr_el2, saved->cptr);
    ISB();
}

static void stop_fault(struct user_stop *stop, uint64_t vector, uint64_t esr)
{
    stop->reason = USER_STOP_FAULT;
    stop->vector = vector;
    stop->esr = esr;
    stop->far = SYSREG_READ(far_el2);
    stop->hpfar = SYSREG_READ(hpfar_el2);
}

void user_run(struct user_thread *t, user_call_fn call, void *arg, struct user_stop *stop)
{
    *stop = (struct user_stop){ 0 };
    struct el2_state saved;
    load_thread_state(t, &saved);
    for (uint32_t traps = 0;; traps++) {
        if (traps == USER_RUN_MAX_TRAPS) {
            stop_fault(stop, 0, 0);
            break;
        }
        /* HPFAR_EL2 is written only by stage-2 aborts (D23.2 HPFAR_EL2): clear it so that
         * a report can tell a stage-2 fault from anything else. */
        SYSREG_WRITE(hpfar_el2, 0);
        uint64_t vector = user_enter(&t->ctx);
        uint64_t esr = SYSREG_READ(esr_el2);
        stop->elr = t->ctx.elr;
        if (vector == VECTOR_LOWER_A64_IRQ) {
            /* ELR_EL2 is where the thread was interrupted: handle, then resume it there. */
            stop->irqs++;
            plat_irq_handle_pending();
            continue;
        }
        if (vector != VECTOR_LOWER_A64_SYNC || FIELD_GET(ESR_EC, esr) != ESR_EC_SVC64) {
            stop_fault(stop, vector, esr);
            break;
        }
        /* SVC: ELR_EL2 already points past the instruction (preferred return address). */
        unsigned imm = (unsigned)FIELD_GET(ESR_ISS_SVC_IMM16, esr);
        if (imm == SEL4_SVC_CALL || imm == SEL4_SVC_WAIT) {
            stop->syscalls++;
            t->svc = imm;
            call(t, arg);
        } else if (imm == SEL4_SVC_DEBUG_PUTCHAR) {
            uart_putc((char)(t->ctx.x[0] & 0xffu));
        } else if (imm == SEL4_SVC_DEBUG_EXIT) {
            stop->reason = USER_STOP_EXIT;
            stop->result = t->ctx.x[0];
            break;
        } else {
            stop_fault(stop, vector, esr); /* an SVC number the kernel does not know */
            break;
        }
    }
    restore_state(&saved);
}

uint64_t user_stop_ipa(const struct user_stop *stop)
{
    return (FIELD_GET(HPFAR_FIPA, stop->hpfar) << PAGE_SHIFT) | (stop->far & (PAGE_SIZE - 1));
}

static const char *const fsc_types[] = { "address-size", "translation", "access-flag",
                                         "permission" };

void user_stop_print(const struct user_stop *stop)
{
    if (stop->reason == USER_STOP_EXIT) {
        kprintf("  thread exited: result 0x%llx after %llu calls\n",
                (unsigned long long)stop->result, (unsigned long long)stop->syscalls);
        return;
    }
    if (stop->vector == 0) {
        kprintf("  thread stopped: more than %u traps in one run\n", USER_RUN_MAX_TRAPS);
        return;
    }
    unsigned ec = (unsigned)FIELD_GET(ESR_EC, stop->esr);
    kprintf("  thread fault: vector %llu, ESR_EL2 0x%llx (EC 0x%02x %s), ELR_EL2 0x%llx\n",
            (unsigned long long)stop->vector, (unsigned long long)stop->esr, ec, esr_ec_name(ec),
            (unsigned long long)stop->elr);
    if (stop->vector == VECTOR_LOWER_A64_SYNC &&
        (ec == ESR_EC_DABT_LOWER || ec == ESR_EC_IABT_LOWER)) {
        unsigned fsc = (unsigned)FIELD_GET(ESR_ISS_xFSC, stop->esr);
        unsigned type = (unsigned)FIELD_GET(FSC_TYPE, fsc);
        kprintf("    %s fault, level %u, %s%s; FAR_EL2 0x%llx, HPFAR_EL2 0x%llx",
                type < ARRAY_SIZE(fsc_types) ? fsc_types[type] : "other",
                (unsigned)FIELD_GET(FSC_LEVEL, fsc),
                ec == ESR_EC_IABT_LOWER ? "fetch"
                : (stop->esr & ESR_ISS_WNR) ? "write" : "read",
                (stop->esr & ESR_ISS_S1PTW) ? " (on a stage-1 walk)" : "",
                (unsigned long long)stop->far, (unsigned long long)stop->hpfar);
        if (stop->hpfar != 0)
            kprintf(" -> stage 2, IPA 0x%llx\n", (unsigned long long)user_stop_ipa(stop));
        else
            kprintf(" (not a stage-2 fault)\n");
    }
}
