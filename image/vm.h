/* Virtual machines on the EL2 kernel, and the minimal VMM that runs them (image/vm.c).
 *
 * A VM is a guest at EL1 (image/guest/) whose stage 2 is a kernel VSpace object: the same
 * table is VTTBR_EL2 while the VM runs and STE.S2TTB for the VM's device, through a CB
 * whose VSpace it is. Its VCPU (struct vcpu) holds its general registers, PC and PSTATE,
 * and its EL1 system registers, which the world switch saves and restores, so VMs can run
 * one after the other and each finds its state as it left it.
 *
 * The VMM acts only through capabilities, in the root task's CNode (the last VMM_SLOTS
 * slots, taken out of the boot info's empty region): it retypes the VM's VSpace, RAM and
 * page tables from untyped memory, maps them with seL4_ARM_Page_Map, takes a CB with
 * seL4_ARM_CBControl_GetCB, assigns the VSpace to it and binds the device's SID. Each
 * IOMMU hypercall of the guest (guest_abi.h) becomes one invocation of that CB
 * (seL4_ARM_CB_AssignCDTable, CDInvalidate, S1TLBInvalidate, ...) through the kernel's
 * syscall path (kernel_handle_call): the guest names no CB, SID or VMID, so it can only
 * ever reach its own. docs/guest-smmu-interface.md describes the interface. */
#ifndef IMAGE_VM_H
#define IMAGE_VM_H

#include <sel4/types.h>

#include "guest/guest_abi.h"
#include "image.h"
#include "kernel/kernel.h"
#include "user.h"

/* HCR_EL2 while a guest runs (ARM DDI 0487, D23.2 HCR_EL2):
 *  VM   stage 2 on: the VSpace is all the VM reaches, from EL1 and for its stage-1 walks;
 *  RW   EL1 is AArch64;
 *  TGE = 0, DC = 0, E2H = 0: the guest owns the EL1&0 regime and its stage-1 MMU;
 *  FMO, IMO, AMO  physical FIQ/IRQ/SError go to EL2, never to the guest;
 *  TSC  SMC from EL1 traps to EL2 (EC 0x17): without it a guest could call PSCI
 *       SYSTEM_OFF, which QEMU's firmware emulation would perform;
 *  TWI  WFI traps (a guest with no interrupt to wait for would sleep forever);
 *  SWIO set/way invalidation acts as clean+invalidate (a guest cannot drop dirty lines
 *       of memory it shares with the kernel).
 * HVC is enabled (no HCR_EL2.HCD): it is the guest's call into the VMM. */
#define HCR_GUEST (HCR_VM | HCR_RW | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TSC | HCR_TWI | HCR_SWIO)

/* The root CNode slots the VMM owns, and how many each VM may use. */
#define VMM_SLOTS 512u
#define VMM_SLOTS_PER_VM 128u
#define VMM_MAX_VMS (VMM_SLOTS / VMM_SLOTS_PER_VM)

/* The guest's EL1 system registers, kept while another VM (or the root task) runs. */
struct vcpu_el1 {
    uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
    uint64_t tpidr_el1, tpidr_el0, tpidrro_el0, sp_el1, elr, spsr, esr, far;
    uint64_t afsr0, afsr1, par, cpacr, cntkctl, csselr, vmpidr;
};

struct vcpu {
    struct user_thread t; /* x0..x30, SP_EL0, PC (ELR_EL2), PSTATE (SPSR_EL2); HCR/VTTBR/VTCR */
    struct vcpu_el1 el1;
};

enum vm_exit_reason {
    VM_EXIT_YIELD,    /* GUEST_HVC_YIELD: value = x1; vm_run resumes after the hvc */
    VM_EXIT_DONE,     /* GUEST_HVC_EXIT: value = result; the VM never runs again */
    VM_EXIT_S2_FAULT, /* a stage-2 abort: esr/far/hpfar/ipa; vm_inject_abort, then vm_run */
    VM_EXIT_FAULT,    /* anything else the VMM does not handle; the VM is stopped */
};

struct vm_exit {
    enum vm_exit_reason reason;
    uint64_t value, detail[3];
    uint64_t vector, esr, far, hpfar, ipa, elr;
};

/* Extra memory a scenario asks for, mapped by vm_create. */
struct vm_config {
    unsigned index;           /* 0 = VM A, 1 = VM B, ... (< VMM_MAX_VMS) */
    const struct edu *edu;    /* its device */
    bool s2_block;            /* a 2 MiB LargePage frame at GUEST_S2BLOCK_IPA */
    bool s1_block_pages;      /* 4K frames at GUEST_S1BLOCK_IPA + guest_huge_off(k) */
};

struct vm {
    char name;                    /* 'A' + index */
    unsigned index;
    const struct edu *edu;
    struct vspace_obj *vs;        /* its VSpace (kernel object): VTTBR_EL2 and S2TTB */
    uint16_t smmu_vmid;           /* the CB's VMID on the SMMU */
    seL4_CPtr slot_base, slot_next, slot_end;
    seL4_CPtr vspace, cb, sid;    /* caps in the root CNode */
    bool own_sid;                 /* issued by the VMM (GetSID): deleted with the VM */
    paddr_t ram_pa[GUEST_RAM_PAGES];     /* PA behind each RAM page (0: not mapped) */
    paddr_t s2_block_pa;                 /* the LargePage frame (vm_config.s2_block) */
    paddr_t s1_block_pa[GUEST_HUGE_N];   /* the 4K frames (vm_config.s1_block_pages) */
    struct vcpu vcpu;
    bool started, done, line_start;
    /* Counters of the VMM. */
    uint64_t hvcs, console_hvcs, iommu_calls, smc_refused, s2_faults;
};

/* Make a VM: VSpace, RAM (frames zeroed), the guest image (shared, read-only), its
 * device's register page, a CB with the VSpace assigned, its device's SID bound to it;
 * a VCPU at guest_entry with x0..x4 = request, index, flags, arg, asid. Prints the layout.
 * False (after printing why) if any invocation fails; vm_destroy cleans up either way. */
bool vm_create(struct vm *vm, struct image_ctx *ctx, const struct vm_config *cfg, uint64_t request,
               uint64_t flags, uint64_t arg, uint16_t asid);

/* Run the VM at EL1 until it yields, exits, or takes an exception the VMM returns to the
 * caller. Its IOMMU hypercalls, console output and refused SMCs are handled inside. */
enum vm_exit_reason vm_run(struct vm *vm, struct vm_exit *exit);
void vm_exit_print(const struct vm *vm, const struct vm_exit *exit);

/* After VM_EXIT_S2_FAULT: deliver a synchronous external abort to the guest's own EL1
 * vector (what a VMM does for an access to memory the VM does not have). */
void vm_inject_abort(struct vm *vm, const struct vm_exit *exit);

/* Unbind the SID, delete the CB (its SIDs abort), the VSpace (its VMID invalidated) and
 * every cap the VM used; its RAM goes back to the untyped. */
void vm_destroy(struct vm *vm);

/* The VSpace root the CPU uses for the VM (VTTBR_EL2.BADDR). */
static inline paddr_t vm_vttbr_base(const struct vm *vm) { return vm->vcpu.t.vttbr & VTTBR_BADDR; }

#endif
