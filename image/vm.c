/* VMs and the VMM (vm.h): VM creation through capabilities, the world switch to EL1 and
 * back, and the guest's hypercalls. */
#include "vm.h"

#include <sel4/bootinfo.h>
#include <sel4/errors.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>
#include <sel4/syscall.h>

#include "exc.h"
#include "kernel/cspace.h"
#include "kernel/syscall.h"
#include "kernel/vspace.h"
#include "lib/bits.h"
#include "object/smmu_object.h"
#include "plat/qemu-virt/irq.h"
#include "plat/qemu-virt/uart.h"
#include "roottask_kernel.h"
#include "smmu_env.h"

extern const char guest_entry[]; /* image/guest/guest_entry.S: the guest's only global */
extern char __guest_text_start[], __guest_text_end[];
extern char __guest_rodata_start[], __guest_rodata_end[];

uint64_t user_enter(struct user_context *ctx); /* user_entry.S */

#define VECTOR_LOWER_A64_SYNC 8u
#define VECTOR_LOWER_A64_IRQ 9u
#define VM_MAX_TRAPS (1u << 22)  /* per vm_run: every run ends */
#define DEPTH seL4_WordBits
#define FOUR_GIB (1ULL << 32)
#define CD_IPS_MAX 5u            /* 48 bits: QEMU 10 asserts on CD.IPS 6 and 7 */

/* ---- the VMM: a CSpace (the root CNode), an IPC buffer, untyped memory ----------------- */
static struct {
    bool ready;
    struct roottask_kernel *rk;
    struct smmu_env *env;
    struct kernel_thread thread; /* the VMM as the kernel sees it: the root CNode */
    seL4_IPCBuffer ipc;
    seL4_MessageInfo_t last_reply;
    seL4_CPtr base;              /* first VMM slot */
    unsigned smmu_id;            /* the id (capDevID) the kernel gave the image's SMMU */
    seL4_CPtr ut;                /* normal untyped for VM memory */
    seL4_Word ut_paddr;
    unsigned ut_bits;
} vmm;

/* libsel4 for the VMM: the generated stubs call seL4_Call, which enters the kernel's
 * syscall path directly (the VMM runs at EL2 already), as the VMM's thread. */
seL4_IPCBuffer *seL4_GetIPCBuffer(void) { return &vmm.ipc; }
void seL4_SetIPCBuffer(seL4_IPCBuffer *buffer) { (void)buffer; }

seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    struct kernel_thread *t = &vmm.thread;
    t->ipc_buffer = &vmm.ipc;
    t->regs[SEL4_REG_CAP] = dest;
    t->regs[SEL4_REG_MSGINFO] = info.words[0];
    for (unsigned i = 0; i < SEL4_FAST_MRS; i++)
        t->regs[SEL4_REG_MR0 + i] = vmm.ipc.msg[i];
    kernel_handle_call(t);
    for (unsigned i = 0; i < SEL4_FAST_MRS; i++)
        vmm.ipc.msg[i] = t->regs[SEL4_REG_MR0 + i];
    vmm.last_reply = (seL4_MessageInfo_t){ { t->regs[SEL4_REG_MSGINFO] } };
    return vmm.last_reply;
}

static cte_t *root_slots(void) { return cnode_slots_of(vmm.rk->thread.cspace_root.cap); }

/* Normal untyped for VM memory: the largest, above 4 GiB if there is one (so that every
 * VM's RAM is high memory, as vm-legacy-dma needs). Objects that do not fit it come from
 * the other normal untypeds (retype_mem). */
static bool pick_untyped(const seL4_BootInfo *bi)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && i < seL4_MaxUntypedCaps; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->isDevice)
            continue;
        bool high = d->paddr >= FOUR_GIB, cur_high = vmm.ut && vmm.ut_paddr >= FOUR_GIB;
        if (!vmm.ut || (high && !cur_high) || (high == cur_high && d->sizeBits > vmm.ut_bits)) {
            vmm.ut = bi->untyped.start + i;
            vmm.ut_paddr = d->paddr;
            vmm.ut_bits = d->sizeBits;
        }
    }
    return vmm.ut != 0;
}

static bool vmm_init(struct image_ctx *ctx)
{
    if (vmm.ready)
        return true;
    struct roottask_kernel *k = roottask_kernel_get(ctx);
    if (!k)
        return false;
    if (k->bi.empty.end - k->bi.empty.start < VMM_SLOTS + 64) {
        kprintf("  vmm: not enough empty slots in the root CNode\n");
        return false;
    }
    vmm.rk = k;
    vmm.env = smmu_env_get(ctx);
    /* Its slots leave the root task's empty region (the root task gets the boot info
     * afresh at every start). */
    vmm.base = k->bi.empty.end - VMM_SLOTS;
    k->bi.empty.end = vmm.base;
    vmm.thread.cspace_root.cap = k->thread.cspace_root.cap;
    vmm.thread.ipc_buffer = &vmm.ipc;
    unsigned d = 0;
    while (d < KERNEL_MAX_SMMUS && !(smmu_object_instance(d) && smmu_object_instance(d)->dev == &vmm.env->smmu))
        d++;
    if (d == KERNEL_MAX_SMMUS || d >= k->bi.numSMMUs) {
        kprintf("  vmm: the SMMU is not reachable through capabilities\n");
        return false;
    }
    vmm.smmu_id = d;
    if (!pick_untyped(&k->bi)) {
        kprintf("  vmm: no normal untyped for VM memory\n");
        return false;
    }
    kprintf("  vmm: root CNode slots %llu..%llu; VM memory from untyped cap %llu (0x%llx, 2^%u bytes%s)\n",
            (unsigned long long)vmm.base, (unsigned long long)(vmm.base + VMM_SLOTS - 1),
            (unsigned long long)vmm.ut, (unsigned long long)vmm.ut_paddr, vmm.ut_bits,
            vmm.ut_paddr >= FOUR_GIB ? ", above 4 GiB" : "");
    vmm.ready = true;
    return true;
}

/* ---- building a VM through capabilities ---------------------------------------------------- */
static seL4_CPtr take_slots(struct vm *vm, unsigned n)
{
    if (vm->slot_next + n > vm->slot_end)
        return 0;
    seL4_CPtr s = vm->slot_next;
    vm->slot_next += n;
    return s;
}

static bool check(const char *what, seL4_Error e)
{
    if (e != seL4_NoError)
        kprintf("  vmm: %s: seL4 error %u\n", what, (unsigned)e);
    return e == seL4_NoError;
}

static seL4_CPtr retype(struct vm *vm, seL4_CPtr ut, seL4_Word type, unsigned n)
{
    seL4_CPtr first = take_slots(vm, n);
    if (!first)
        return 0;
    seL4_Error e = seL4_Untyped_Retype(ut, type, 0, seL4_CapInitThreadCNode, 0, 0, first, n);
    return check("Untyped_Retype", e) ? first : 0;
}

/* VM memory: from the VMM's untyped, else from any other normal untyped with room. */
static seL4_CPtr retype_mem(struct vm *vm, seL4_Word type, unsigned n)
{
    seL4_CPtr first = take_slots(vm, n);
    if (!first)
        return 0;
    seL4_Error e = seL4_Untyped_Retype(vmm.ut, type, 0, seL4_CapInitThreadCNode, 0, 0, first, n);
    const seL4_BootInfo *bi = &vmm.rk->bi;
    for (seL4_Word i = 0; e == seL4_NotEnoughMemory && i < bi->untyped.end - bi->untyped.start &&
                          i < seL4_MaxUntypedCaps; i++)
        if (!bi->untypedList[i].isDevice && bi->untyped.start + i != vmm.ut)
            e = seL4_Untyped_Retype(bi->untyped.start + i, type, 0, seL4_CapInitThreadCNode, 0, 0, first, n);
    return check("Untyped_Retype", e) ? first : 0;
}

/* Page_Map, making the page tables the IPA needs (PageTable objects) on the way. */
static bool map_frame(struct vm *vm, seL4_CPtr frame, uint64_t ipa, seL4_CapRights_t rights,
                      seL4_ARM_VMAttributes attr)
{
    for (unsigned tries = 0; tries < 4; tries++) {
        seL4_Error e = seL4_ARM_Page_Map(frame, vm->vspace, ipa, rights, attr);
        if (e != seL4_FailedLookup)
            return check("Page_Map", e);
        seL4_CPtr pt = retype_mem(vm, seL4_ARM_PageTableObject, 1);
        if (!pt || !check("PageTable_Map", seL4_ARM_PageTable_Map(pt, vm->vspace, ipa,
                                                                   seL4_ARM_Default_VMAttributes)))
            return false;
    }
    return false;
}

static paddr_t frame_pa(seL4_CPtr frame)
{
    seL4_ARM_Page_GetAddress_t r = seL4_ARM_Page_GetAddress(frame);
    return r.error == seL4_NoError ? r.paddr : 0;
}

/* The guest's code and read-only data: frame caps made by the kernel for the image's
 * pages (as seL4 gives the root task caps to its image frames), read-only, mapped identity
 * into every VM. */
static bool map_guest_image(struct vm *vm)
{
    const struct {
        const char *start, *end;
        seL4_ARM_VMAttributes attr;
    } parts[] = {
        { __guest_text_start, __guest_text_end, seL4_ARM_PageCacheable },
        { __guest_rodata_start, __guest_rodata_end, seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever },
    };
    for (unsigned p = 0; p < ARRAY_SIZE(parts); p++) {
        for (uintptr_t a = (uintptr_t)parts[p].start; a < (uintptr_t)parts[p].end; a += PAGE_SIZE) {
            seL4_CPtr s = take_slots(vm, 1);
            if (!s)
                return false;
            cte_init_original(&root_slots()[s],
                              cap_frame_cap_new(a >> PAGE_SHIFT, 0, VM_READ_ONLY, 0, 0, 0, 0));
            if (!map_frame(vm, s, a, seL4_CanRead, parts[p].attr))
                return false;
        }
    }
    return true;
}

/* The device untyped of `edu`'s BAR0, revoked (so the next frame is its first page). */
static seL4_CPtr device_untyped(const struct edu *edu)
{
    const seL4_BootInfo *bi = &vmm.rk->bi;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && i < seL4_MaxUntypedCaps; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (d->isDevice && d->paddr == edu->fn->bar[0].cpu_addr) {
            seL4_CPtr ut = bi->untyped.start + i;
            return check("CNode_Revoke (device untyped)", seL4_CNode_Revoke(seL4_CapInitThreadCNode, ut, DEPTH))
                       ? ut
                       : 0;
        }
    }
    return 0;
}

/* The device's SID cap: the boot-time one of config/smmu.conf if it exists, else issued
 * now from SIDControl into a VM slot. */
static bool get_sid(struct vm *vm)
{
    const seL4_SMMUBootInfo *m = &vmm.rk->bi.smmu[vmm.smmu_id];
    for (seL4_CPtr s = m->sids.start; s < m->sids.end; s++) {
        cap_t cap = root_slots()[s].cap;
        if (cap_get_capType(cap) == cap_sid_cap && cap_sid_cap_get_capSID(cap) == vm->edu->sid) {
            vm->sid = s;
            return true;
        }
    }
    seL4_CPtr s = take_slots(vm, 1);
    if (!s || !check("SIDControl_GetSID", seL4_ARM_SIDControl_GetSID(m->sidControl, vmm.smmu_id, vm->edu->sid,
                                                                      seL4_CapInitThreadCNode, s, DEPTH)))
        return false;
    vm->sid = s;
    vm->own_sid = true;
    return true;
}

static bool get_cb(struct vm *vm)
{
    const seL4_SMMUBootInfo *m = &vmm.rk->bi.smmu[vmm.smmu_id];
    seL4_CPtr s = take_slots(vm, 1);
    if (!s)
        return false;
    /* Contexts from the top: the boot-time CB caps take the lowest ones. */
    for (unsigned cb = SMMU_MAX_CBS - 1; cb >= SMMU_MAX_CBS / 2; cb--) {
        if (seL4_ARM_CBControl_GetCB(m->cbControl, cb, seL4_CapInitThreadCNode, s, DEPTH) == seL4_NoError) {
            vm->cb = s;
            vm->smmu_vmid = smmu_object_instance(vmm.smmu_id)->cbs[cb].vmid;
            return true;
        }
    }
    kprintf("  vmm: no free translation context\n");
    return false;
}

static void delete_slot(seL4_CPtr s)
{
    if (s && cap_get_capType(root_slots()[s].cap) != cap_null_cap)
        (void)seL4_CNode_Delete(seL4_CapInitThreadCNode, s, DEPTH);
}

static void vcpu_init(struct vm *vm, uint64_t request, uint64_t flags, uint64_t arg, uint16_t asid)
{
    struct vcpu *v = &vm->vcpu;
    user_thread_init(&v->t, (uintptr_t)guest_entry, 0, NULL);
    v->t.ctx.spsr = FIELD_PREP(SPSR_M, SPSR_M_EL1H) | SPSR_D | SPSR_A | SPSR_I | SPSR_F;
    v->t.hcr = HCR_GUEST;
    user_thread_set_vspace(&v->t, &vm->vs->pt, vm->vs->vmid);
    v->t.ctx.x[0] = request;
    v->t.ctx.x[1] = vm->index;
    v->t.ctx.x[2] = flags;
    v->t.ctx.x[3] = arg;
    v->t.ctx.x[4] = asid;
    /* EL1 as after a reset: MMU and caches off; the guest decides. */
    v->el1 = (struct vcpu_el1){ .sctlr = SCTLR_EL1_RES1, .sp_el1 = GUEST_STACK_TOP,
                                .vmpidr = VMPIDR_RES1 | FIELD_PREP(VMPIDR_AFF0, vm->index) };
}

bool vm_create(struct vm *vm, struct image_ctx *ctx, const struct vm_config *cfg, uint64_t request,
               uint64_t flags, uint64_t arg, uint16_t asid)
{
    *vm = (struct vm){ .name = (char)('A' + cfg->index), .index = cfg->index, .edu = cfg->edu };
    if (cfg->index >= VMM_MAX_VMS || !cfg->edu || !cfg->edu->fn->has_sid || !vmm_init(ctx))
        return false;
    vm->slot_base = vm->slot_next = vmm.base + cfg->index * VMM_SLOTS_PER_VM;
    vm->slot_end = vm->slot_base + VMM_SLOTS_PER_VM;
    for (seL4_CPtr s = vm->slot_end - 1; s >= vm->slot_base; s--)
        delete_slot(s); /* whatever a failed earlier run left */

    /* A 2 MiB frame first, while an untyped may still be empty enough to hold it. */
    seL4_CPtr big = cfg->s2_block ? retype_mem(vm, seL4_ARM_LargePageObject, 1) : 0;
    if (cfg->s2_block && !big)
        return false;
    /* Its VSpace: a stage-2 root with a VMID, from untyped. */
    vm->vspace = retype_mem(vm, seL4_ARM_VSpaceObject, 1);
    if (!vm->vspace || !(vm->vs = vspace_from_cap(root_slots()[vm->vspace].cap)))
        return false;
    if (big) {
        if (!map_frame(vm, big, GUEST_S2BLOCK_IPA, seL4_ReadWrite, seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever))
            return false;
        vm->s2_block_pa = frame_pa(big);
    }
    /* Its RAM: frames from untyped (zeroed), mapped at GUEST_RAM_IPA; the guard stays out. */
    seL4_CPtr ram = retype_mem(vm, seL4_ARM_SmallPageObject, GUEST_RAM_PAGES);
    if (!ram)
        return false;
    for (unsigned p = 0; p < GUEST_RAM_PAGES; p++) {
        if (p == GP_GUARD)
            continue;
        if (!map_frame(vm, ram + p, GUEST_RAM_PAGE_IPA(p), seL4_ReadWrite,
                       seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever))
            return false;
        vm->ram_pa[p] = frame_pa(ram + p);
    }
    if (!map_guest_image(vm))
        return false;
    /* Its device's registers: the first page of its BAR0, Device-nGnRnE, at GUEST_DEV_IPA. */
    seL4_CPtr dev_ut = device_untyped(vm->edu);
    seL4_CPtr dev = dev_ut ? retype(vm, dev_ut, seL4_ARM_SmallPageObject, 1) : 0;
    if (!dev || frame_pa(dev) != vm->edu->fn->bar[0].cpu_addr ||
        !map_frame(vm, dev, GUEST_DEV_IPA, seL4_ReadWrite, seL4_ARM_ExecuteNever))
        return false;
    if (cfg->s1_block_pages) {
        seL4_CPtr pages = retype_mem(vm, seL4_ARM_SmallPageObject, GUEST_HUGE_N);
        if (!pages)
            return false;
        for (unsigned k = 0; k < GUEST_HUGE_N; k++) {
            seL4_CPtr f = pages + (GUEST_HUGE_N - 1 - k); /* PAs in the reverse order of IPAs */
            if (!map_frame(vm, f, GUEST_S1BLOCK_IPA + guest_huge_off(k), seL4_ReadWrite,
                           seL4_ARM_PageCacheable | seL4_ARM_ExecuteNever))
                return false;
            vm->s1_block_pa[k] = frame_pa(f);
        }
    }
    /* Its IOMMU context: a CB with the VSpace, and the device's SID bound to it. */
    if (!get_sid(vm) || !get_cb(vm) ||
        !check("CB_AssignVspace", seL4_ARM_CB_AssignVspace(vm->cb, vm->vspace)))
        return false;
    (void)seL4_ARM_SID_UnbindCB(vm->sid); /* in case an earlier run left it bound */
    if (!check("SID_BindCB", seL4_ARM_SID_BindCB(vm->sid, vm->cb)))
        return false;

    vcpu_init(vm, request, flags, arg, asid);
    kprintf("  VM %c: VSpace cap %llu (CPU VMID %u, root 0x%llx), CB cap %llu (SMMU VMID %u), SID 0x%x cap %llu%s;\n"
            "        edu%u registers at IPA 0x%llx (PA 0x%llx); RAM IPA 0x%llx..0x%llx -> PA 0x%llx..; "
            "guest code 0x%llx..0x%llx shared r-x; %llu caps\n",
            vm->name, (unsigned long long)vm->vspace, vm->vs->vmid, (unsigned long long)vm->vs->pt.root,
            (unsigned long long)vm->cb, vm->smmu_vmid, vm->edu->sid, (unsigned long long)vm->sid,
            vm->own_sid ? " (issued now)" : " (boot-time)", (unsigned)(vm->edu - ctx->edu),
            (unsigned long long)GUEST_DEV_IPA, (unsigned long long)vm->edu->fn->bar[0].cpu_addr,
            (unsigned long long)GUEST_RAM_IPA, (unsigned long long)GUEST_STACK_TOP,
            (unsigned long long)vm->ram_pa[0], (unsigned long long)(uintptr_t)__guest_text_start,
            (unsigned long long)(uintptr_t)__guest_text_end,
            (unsigned long long)(vm->slot_next - vm->slot_base));
    return true;
}

void vm_destroy(struct vm *vm)
{
    if (!vmm.ready || !vm->slot_base)
        return;
    if (vm->sid)
        (void)seL4_ARM_SID_UnbindCB(vm->sid);
    delete_slot(vm->cb);     /* the last cap to the CB: its SIDs abort, its VMID invalidated */
    delete_slot(vm->vspace); /* the last cap to the VSpace: CPU TLB of its VMID invalidated */
    for (seL4_CPtr s = vm->slot_end - 1; s >= vm->slot_base; s--)
        delete_slot(s);
    vm->slot_base = 0;
}

/* ---- the world switch ------------------------------------------------------------------- */
static void el1_load(const struct vcpu_el1 *r)
{
    SYSREG_WRITE(sctlr_el1, r->sctlr);
    SYSREG_WRITE(ttbr0_el1, r->ttbr0);
    SYSREG_WRITE(ttbr1_el1, r->ttbr1);
    SYSREG_WRITE(tcr_el1, r->tcr);
    SYSREG_WRITE(mair_el1, r->mair);
    SYSREG_WRITE(amair_el1, r->amair);
    SYSREG_WRITE(vbar_el1, r->vbar);
    SYSREG_WRITE(contextidr_el1, r->contextidr);
    SYSREG_WRITE(tpidr_el1, r->tpidr_el1);
    SYSREG_WRITE(tpidr_el0, r->tpidr_el0);
    SYSREG_WRITE(tpidrro_el0, r->tpidrro_el0);
    SYSREG_WRITE(sp_el1, r->sp_el1);
    SYSREG_WRITE(elr_el1, r->elr);
    SYSREG_WRITE(spsr_el1, r->spsr);
    SYSREG_WRITE(esr_el1, r->esr);
    SYSREG_WRITE(far_el1, r->far);
    SYSREG_WRITE(afsr0_el1, r->afsr0);
    SYSREG_WRITE(afsr1_el1, r->afsr1);
    SYSREG_WRITE(par_el1, r->par);
    SYSREG_WRITE(cpacr_el1, r->cpacr);
    SYSREG_WRITE(cntkctl_el1, r->cntkctl);
    SYSREG_WRITE(csselr_el1, r->csselr);
    SYSREG_WRITE(vmpidr_el2, r->vmpidr);
}

static void el1_save(struct vcpu_el1 *r)
{
    r->sctlr = SYSREG_READ(sctlr_el1);
    r->ttbr0 = SYSREG_READ(ttbr0_el1);
    r->ttbr1 = SYSREG_READ(ttbr1_el1);
    r->tcr = SYSREG_READ(tcr_el1);
    r->mair = SYSREG_READ(mair_el1);
    r->amair = SYSREG_READ(amair_el1);
    r->vbar = SYSREG_READ(vbar_el1);
    r->contextidr = SYSREG_READ(contextidr_el1);
    r->tpidr_el1 = SYSREG_READ(tpidr_el1);
    r->tpidr_el0 = SYSREG_READ(tpidr_el0);
    r->tpidrro_el0 = SYSREG_READ(tpidrro_el0);
    r->sp_el1 = SYSREG_READ(sp_el1);
    r->elr = SYSREG_READ(elr_el1);
    r->spsr = SYSREG_READ(spsr_el1);
    r->esr = SYSREG_READ(esr_el1);
    r->far = SYSREG_READ(far_el1);
    r->afsr0 = SYSREG_READ(afsr0_el1);
    r->afsr1 = SYSREG_READ(afsr1_el1);
    r->par = SYSREG_READ(par_el1);
    r->cpacr = SYSREG_READ(cpacr_el1);
    r->cntkctl = SYSREG_READ(cntkctl_el1);
    r->csselr = SYSREG_READ(csselr_el1);
    r->vmpidr = SYSREG_READ(vmpidr_el2);
}

/* ---- hypercalls ------------------------------------------------------------------------- */
static void guest_putc(struct vm *vm, char c)
{
    if (vm->line_start)
        kprintf("    [VM %c] ", vm->name);
    uart_putc(c);
    vm->line_start = c == '\n';
}

static const char *iommu_call_name(uint64_t fn)
{
    switch (fn) {
    case GUEST_HVC_IOMMU_ASSIGN_CD_TABLE: return "assign-cd-table -> seL4_ARM_CB_AssignCDTable";
    case GUEST_HVC_IOMMU_UNASSIGN_CD_TABLE: return "unassign-cd-table -> seL4_ARM_CB_UnassignCDTable";
    case GUEST_HVC_IOMMU_CD_INVALIDATE: return "cd-invalidate -> seL4_ARM_CB_CDInvalidate";
    case GUEST_HVC_IOMMU_S1_TLB_INVALIDATE: return "s1-tlb-invalidate -> seL4_ARM_CB_S1TLBInvalidate";
    default: return "?";
    }
}

/* CNTPCT_EL0: 1 GHz on QEMU -cpu max; with -icount shift=0 one tick is one instruction. */
static uint64_t counter_now(void)
{
    ISB();
    return SYSREG_READ(cntpct_el0);
}

/* An IOMMU call: one invocation of the VM's own CB; status and detail back in x0..x2.
 * Printed with the commands it cost and the time the invocation took (the kernel's path
 * from seL4_Call to the reply; QEMU consumes commands on the CMDQ_PROD write). */
static void hvc_iommu(struct vm *vm, uint64_t *x)
{
    uint64_t fn = x[0];
    const struct smmu_features *f = &vmm.env->smmu.f;
    if (fn == GUEST_HVC_IOMMU_INFO) {
        unsigned ips = pa_range_code(f->oas_bits);
        x[0] = 0;
        x[1] = f->ssid_bits;
        x[2] = f->asid16 ? 16 : 8;
        x[3] = vm->vs->pt.fmt.ia_bits;
        x[4] = ips < CD_IPS_MAX ? ips : CD_IPS_MAX;
        return;
    }
    struct smmu_stats before = vmm.env->smmu.stats;
    uint64_t t0 = counter_now();
    seL4_Error e;
    switch (fn) {
    case GUEST_HVC_IOMMU_ASSIGN_CD_TABLE:
        e = seL4_ARM_CB_AssignCDTable(vm->cb, x[1], x[2], x[3]);
        break;
    case GUEST_HVC_IOMMU_UNASSIGN_CD_TABLE:
        e = seL4_ARM_CB_UnassignCDTable(vm->cb);
        break;
    case GUEST_HVC_IOMMU_CD_INVALIDATE:
        e = seL4_ARM_CB_CDInvalidate(vm->cb);
        break;
    default: /* GUEST_HVC_IOMMU_S1_TLB_INVALIDATE */
        e = seL4_ARM_CB_S1TLBInvalidate(vm->cb, x[1], x[2], x[3]);
        break;
    }
    uint64_t ticks = counter_now() - t0;
    vm->iommu_calls++;
    unsigned n = e ? (unsigned)seL4_MessageInfo_get_length(vmm.last_reply) : 0;
    kprintf("    vmm: VM %c %s(0x%llx, 0x%llx, 0x%llx) on CB cap %llu: %s%u, %llu commands (%llu CMD_SYNC), "
            "%llu ticks\n",
            vm->name, iommu_call_name(fn), (unsigned long long)x[1], (unsigned long long)x[2],
            (unsigned long long)x[3], (unsigned long long)vm->cb, e ? "seL4 error " : "ok ", (unsigned)e,
            (unsigned long long)(vmm.env->smmu.stats.cmds - before.cmds),
            (unsigned long long)(vmm.env->smmu.stats.syncs - before.syncs), (unsigned long long)ticks);
    x[0] = e;
    x[1] = n > 0 ? vmm.ipc.msg[0] : 0;
    x[2] = n > 1 ? vmm.ipc.msg[1] : 0;
    x[3] = x[4] = 0;
}

/* True if the hypercall ends this run (yield, exit). */
static bool handle_hvc(struct vm *vm, uint64_t esr, struct vm_exit *exit)
{
    uint64_t *x = vm->vcpu.t.ctx.x;
    vm->hvcs++;
    if (FIELD_GET(ESR_ISS_SVC_IMM16, esr) != GUEST_HVC_IMM) {
        x[0] = GUEST_HVC_NOT_SUPPORTED;
        return false;
    }
    switch (x[0]) {
    case GUEST_HVC_PUTC:
        vm->console_hvcs++;
        guest_putc(vm, (char)(x[1] & 0xffu));
        x[0] = 0;
        return false;
    case GUEST_HVC_YIELD:
        exit->reason = VM_EXIT_YIELD;
        exit->value = x[1];
        x[0] = 0;
        return true;
    case GUEST_HVC_EXIT:
        exit->reason = VM_EXIT_DONE;
        exit->value = x[1];
        exit->detail[0] = x[2];
        exit->detail[1] = x[3];
        exit->detail[2] = x[4];
        vm->done = true;
        return true;
    case GUEST_HVC_IOMMU_INFO:
    case GUEST_HVC_IOMMU_ASSIGN_CD_TABLE:
    case GUEST_HVC_IOMMU_UNASSIGN_CD_TABLE:
    case GUEST_HVC_IOMMU_CD_INVALIDATE:
    case GUEST_HVC_IOMMU_S1_TLB_INVALIDATE:
        hvc_iommu(vm, x);
        return false;
    default:
        x[0] = GUEST_HVC_NOT_SUPPORTED;
        return false;
    }
}

static void exit_fault(struct vm_exit *exit, enum vm_exit_reason reason, uint64_t vector, uint64_t esr,
                       uint64_t elr)
{
    exit->reason = reason;
    exit->vector = vector;
    exit->esr = esr;
    exit->far = SYSREG_READ(far_el2);
    exit->hpfar = SYSREG_READ(hpfar_el2);
    exit->ipa = (FIELD_GET(HPFAR_FIPA, exit->hpfar) << PAGE_SHIFT) | (exit->far & (PAGE_SIZE - 1));
    exit->elr = elr;
}

enum vm_exit_reason vm_run(struct vm *vm, struct vm_exit *exit)
{
    *exit = (struct vm_exit){ .reason = VM_EXIT_FAULT };
    if (vm->done)
        return exit->reason;
    struct vcpu *v = &vm->vcpu;
    uint64_t host_hcr = SYSREG_READ(hcr_el2), host_vttbr = SYSREG_READ(vttbr_el2);
    uint64_t host_vtcr = SYSREG_READ(vtcr_el2), host_cptr = SYSREG_READ(cptr_el2);
    uint64_t host_vmpidr = SYSREG_READ(vmpidr_el2);
    SYSREG_WRITE(vtcr_el2, v->t.vtcr);
    SYSREG_WRITE(vttbr_el2, v->t.vttbr);
    el1_load(&v->el1);
    /* FP/SIMD traps to EL2: the VMM saves no FP registers (the guest is built without). */
    SYSREG_WRITE(cptr_el2, CPTR_EL2_RES1 | CPTR_EL2_TFP);
    SYSREG_WRITE(hcr_el2, v->t.hcr);
    ISB();
    if (!vm->started) {
        /* The VMID may have belonged to an earlier VSpace: forget its stage 1+2 entries. */
        __asm__ volatile("tlbi vmalls12e1\n dsb ish\n isb" : : : "memory");
        vm->started = true;
        vm->line_start = true;
    }
    for (uint32_t traps = 0;; traps++) {
        if (traps == VM_MAX_TRAPS) {
            exit_fault(exit, VM_EXIT_FAULT, 0, 0, v->t.ctx.elr);
            break;
        }
        SYSREG_WRITE(hpfar_el2, 0); /* written only by stage-2 aborts */
        uint64_t vector = user_enter(&v->t.ctx);
        uint64_t esr = SYSREG_READ(esr_el2);
        unsigned ec = (unsigned)FIELD_GET(ESR_EC, esr);
        if (vector == VECTOR_LOWER_A64_IRQ) {
            /* A physical interrupt (HCR_EL2.IMO): the kernel's, never the guest's. Handle it,
             * resume the guest where it was (ELR_EL2). */
            plat_irq_handle_pending();
            continue;
        }
        if (vector != VECTOR_LOWER_A64_SYNC) {
            exit_fault(exit, VM_EXIT_FAULT, vector, esr, v->t.ctx.elr);
            break;
        }
        if (ec == ESR_EC_HVC64) { /* ELR_EL2 is past the hvc already */
            if (handle_hvc(vm, esr, exit))
                break;
        } else if (ec == ESR_EC_SMC64) {
            /* HCR_EL2.TSC: ELR_EL2 is the smc itself. Refused: no firmware for guests. */
            vm->smc_refused++;
            kprintf("    vmm: VM %c smc #%u (x0 0x%llx) trapped at EL2 (HCR_EL2.TSC): refused\n", vm->name,
                    (unsigned)FIELD_GET(ESR_ISS_SVC_IMM16, esr), (unsigned long long)v->t.ctx.x[0]);
            v->t.ctx.x[0] = GUEST_HVC_NOT_SUPPORTED;
            v->t.ctx.elr += 4;
        } else if (ec == ESR_EC_WFX) {
            v->t.ctx.elr += 4; /* nothing to wait for */
        } else if (ec == ESR_EC_DABT_LOWER || ec == ESR_EC_IABT_LOWER) {
            /* With TGE = 0 the guest's own stage-1 faults stay at EL1: this is stage 2. */
            vm->s2_faults++;
            exit_fault(exit, VM_EXIT_S2_FAULT, vector, esr, v->t.ctx.elr);
            break;
        } else {
            exit_fault(exit, VM_EXIT_FAULT, vector, esr, v->t.ctx.elr);
            break;
        }
    }
    el1_save(&v->el1);
    SYSREG_WRITE(hcr_el2, host_hcr);
    SYSREG_WRITE(vttbr_el2, host_vttbr);
    SYSREG_WRITE(vtcr_el2, host_vtcr);
    SYSREG_WRITE(cptr_el2, host_cptr);
    SYSREG_WRITE(vmpidr_el2, host_vmpidr);
    ISB();
    if (exit->reason == VM_EXIT_FAULT)
        vm->done = true;
    return exit->reason;
}

void vm_inject_abort(struct vm *vm, const struct vm_exit *exit)
{
    struct vcpu *v = &vm->vcpu;
    unsigned from = (unsigned)FIELD_GET(SPSR_M, v->t.ctx.spsr);
    bool from_el0 = from == SPSR_M_EL0T;
    bool data = FIELD_GET(ESR_EC, exit->esr) == ESR_EC_DABT_LOWER;
    /* ESR_EL1 as the guest's EL1 would see an external abort (D23.2 ESR_EL1, ISS of aborts). */
    unsigned ec = data ? (from_el0 ? ESR_EC_DABT_LOWER : ESR_EC_DABT_CUR)
                       : (from_el0 ? ESR_EC_IABT_LOWER : ESR_EC_IABT_CUR);
    v->el1.esr = ((uint64_t)ec << ESR_ELx_EC_SHIFT) | ESR_IL | FSC_SYNC_EXT_ABORT |
                 (data ? (exit->esr & ESR_ISS_WNR) : 0);
    v->el1.far = exit->far;
    v->el1.elr = exit->elr; /* the faulting instruction */
    v->el1.spsr = v->t.ctx.spsr;
    /* VBAR_EL1 + 0x200 from EL1 with SP_EL1, + 0x000 with SP_EL0, + 0x400 from EL0. */
    uint64_t offset = from_el0 ? 0x400 : from == SPSR_M_EL1H ? 0x200 : 0x000;
    v->t.ctx.elr = v->el1.vbar + offset;
    v->t.ctx.spsr = FIELD_PREP(SPSR_M, SPSR_M_EL1H) | SPSR_D | SPSR_A | SPSR_I | SPSR_F;
}

void vm_exit_print(const struct vm *vm, const struct vm_exit *exit)
{
    switch (exit->reason) {
    case VM_EXIT_YIELD:
        kprintf("  VM %c yielded (%llu) after %llu hypercalls (%llu IOMMU, %llu console)\n", vm->name,
                (unsigned long long)exit->value, (unsigned long long)vm->hvcs,
                (unsigned long long)vm->iommu_calls, (unsigned long long)vm->console_hvcs);
        return;
    case VM_EXIT_DONE:
        kprintf("  VM %c exited: result 0x%llx after %llu hypercalls (%llu IOMMU, %llu console)\n", vm->name,
                (unsigned long long)exit->value, (unsigned long long)vm->hvcs,
                (unsigned long long)vm->iommu_calls, (unsigned long long)vm->console_hvcs);
        if (exit->value & GUEST_RESULT_EXCEPTION)
            kprintf("    guest exception: ESR_EL1 0x%llx ELR_EL1 0x%llx FAR_EL1 0x%llx\n",
                    (unsigned long long)exit->detail[0], (unsigned long long)exit->detail[1],
                    (unsigned long long)exit->detail[2]);
        return;
    case VM_EXIT_S2_FAULT:
    case VM_EXIT_FAULT: {
        unsigned ec = (unsigned)FIELD_GET(ESR_EC, exit->esr);
        kprintf("  VM %c %s: vector %llu, ESR_EL2 0x%llx (EC 0x%02x %s), PC 0x%llx, FAR 0x%llx", vm->name,
                exit->reason == VM_EXIT_S2_FAULT ? "stage-2 fault" : "stopped", (unsigned long long)exit->vector,
                (unsigned long long)exit->esr, ec, esr_ec_name(ec), (unsigned long long)exit->elr,
                (unsigned long long)exit->far);
        if (exit->reason == VM_EXIT_S2_FAULT)
            kprintf(", HPFAR_EL2 0x%llx -> IPA 0x%llx (%s)", (unsigned long long)exit->hpfar,
                    (unsigned long long)exit->ipa, (exit->esr & ESR_ISS_WNR) ? "write" : "read");
        kprintf("\n");
        return;
    }
    }
}
