/* VSpaces, page tables and frames with seL4's AArch64 semantics (kernel
 * arch/arm/64/kernel/vspace.c behaviour): page tables are objects the user retypes and
 * maps; a frame cap maps its frame once; unmapping invalidates the CPU TLB and then the
 * SMMU TLBs of every CB the VSpace is assigned to (smmu_vspace_unmapped) before the cap
 * is marked unmapped or leaves its slot, so its memory cannot be reused while a TLB may
 * still hold a translation to it. IO spaces (seL4_ARM_IOSpaceObject) are the same objects
 * in stage-1 format: only the SMMU walks them, so the CPU TLB is left alone for them. */
#include "vspace.h"

#include "cspace.h"
#include "kernel_plat.h"
#include "lib/bits.h"
#include "lib/string.h"
#include "plat/plat.h"

#include <sel4/invocation.h>

static struct vspace_obj vspaces[KERNEL_MAX_VSPACES];

/* ---- rights and attributes ------------------------------------------------------------ */

unsigned mask_vm_rights(unsigned vm, seL4_CapRights_t rights)
{
    /* seL4 maskVMRights. */
    if (vm == VM_READ_ONLY && (rights & seL4_CanRead))
        return VM_READ_ONLY;
    if (vm == VM_READ_WRITE && (rights & seL4_CanRead))
        return (rights & seL4_CanWrite) ? VM_READ_WRITE : VM_READ_ONLY;
    return VM_KERNEL_ONLY;
}

static struct pt_attrs page_attrs(unsigned vm, seL4_ARM_VMAttributes attr)
{
    struct pt_attrs a = { .perms = 0, .mem = PT_MEM_NORMAL_WB };
    if (vm == VM_READ_ONLY || vm == VM_READ_WRITE)
        a.perms |= PT_PERM_R;
    if (vm == VM_READ_WRITE)
        a.perms |= PT_PERM_W;
    if (!(attr & seL4_ARM_ExecuteNever) && a.perms != 0)
        a.perms |= PT_PERM_X;
    /* seL4 AArch64: not cacheable means Device-nGnRnE. */
    a.mem = (attr & seL4_ARM_PageCacheable) ? PT_MEM_NORMAL_WB : PT_MEM_DEVICE_nGnRnE;
    return a;
}

/* ---- the VSpace table ------------------------------------------------------------------- */

void vspace_table_reset(void) { kmemset(vspaces, 0, sizeof(vspaces)); }

unsigned vspace_free_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < KERNEL_MAX_VSPACES; i++)
        n += !vspaces[i].live;
    return n;
}

static struct vspace_obj *create(paddr_t root, enum pt_stage stage)
{
    struct pt_format fmt;
    unsigned ia_bits = stage == PT_STAGE2 ? KERNEL_S2_IA_BITS : seL4_IOSpaceVABits;
    if (pt_format_init(&fmt, stage, ia_bits, KERNEL_S2_OA_BITS) != ERR_NONE)
        return NULL;
    for (unsigned i = 0; i < KERNEL_MAX_VSPACES; i++) {
        struct vspace_obj *vs = &vspaces[i];
        if (vs->live)
            continue;
        kmemset(vs, 0, sizeof(*vs));
        if (pt_init_at(&vs->pt, &fmt, root, NULL) != ERR_NONE)
            return NULL;
        vs->vmid = (uint16_t)(KERNEL_VMID_BASE + i);
        vs->live = true;
        return vs;
    }
    return NULL;
}

struct vspace_obj *vspace_create(paddr_t root) { return create(root, PT_STAGE2); }
struct vspace_obj *iospace_create(paddr_t root) { return create(root, PT_STAGE1); }

struct vspace_obj *vspace_from_vmid(uint64_t vmid)
{
    if (vmid < KERNEL_VMID_BASE || vmid - KERNEL_VMID_BASE >= KERNEL_MAX_VSPACES)
        return NULL;
    struct vspace_obj *vs = &vspaces[vmid - KERNEL_VMID_BASE];
    return vs->live ? vs : NULL;
}

struct vspace_obj *vspace_from_cap(cap_t cap)
{
    if (cap_get_capType(cap) != cap_vspace_cap || !cap_vspace_cap_get_capVSIsMapped(cap))
        return NULL;
    struct vspace_obj *vs = vspace_from_vmid(cap_vspace_cap_get_capVSVMID(cap));
    if (!vs || vs->pt.root != cap_vspace_cap_get_capVSBasePtr_pfn(cap) << PAGE_SHIFT)
        return NULL;
    return vs;
}

/* ---- unmapping (shared by invocations and finalisers) ---------------------------------- */

/* Remove the frame's leaf if the VSpace still maps exactly this frame there (seL4
 * unmapPage checks the same: a stale cap never removes someone else's mapping). */
static void frame_unmap(cap_t cap)
{
    struct vspace_obj *vs = vspace_from_vmid(cap_frame_cap_get_capFMappedVMID(cap));
    if (!vs)
        return; /* the VSpace is gone: nothing maps the frame any more */
    uint64_t ipa = cap_frame_cap_get_capFMappedAddress_pfn(cap) << PAGE_SHIFT;
    paddr_t pa = cap_frame_cap_get_capFBasePtr_pfn(cap) << PAGE_SHIFT;
    uint64_t size = 1ULL << frame_size_bits(cap);
    struct pt_walk_result w;
    if (pt_walk(&vs->pt, ipa, &w) != ERR_NONE || w.pa != pa || w.leaf_size != size)
        return;
    struct pt_inval inv;
    if (pt_unmap(&vs->pt, ipa, size, &inv) != ERR_NONE || inv.size == 0)
        return;
    if (!vspace_is_io(vs))
        plat_tlbi_ipa(vs->vmid, ipa);                            /* the CPU's TLBs */
    smmu_vspace_unmapped(vs, inv.ia, inv.size, inv.leaf_level); /* every SMMU's, + SYNC */
}

void frame_finalise(cap_t cap)
{
    if (cap_frame_cap_get_capFIsMapped(cap))
        frame_unmap(cap);
}

/* Unlink a mapped page table; true if it was still linked (then TLBs were invalidated). */
static bool page_table_unmap(cap_t cap)
{
    struct vspace_obj *vs = vspace_from_vmid(cap_page_table_cap_get_capPTMappedVMID(cap));
    if (!vs)
        return false;
    unsigned level = (unsigned)cap_page_table_cap_get_capPTLevel(cap);
    uint64_t ipa = cap_page_table_cap_get_capPTMappedAddress_pfn(cap) << PAGE_SHIFT;
    paddr_t pa = cap_page_table_cap_get_capPTBasePtr_pfn(cap) << PAGE_SHIFT;
    if (level < 1 || pt_remove_table(&vs->pt, ipa, level, pa) != ERR_NONE)
        return false;
    /* Leaves and walk-cache entries below the table: the whole VMID on the CPU, the
     * table's span on the SMMUs (leaf_level 0: non-leaf entries too). */
    if (!vspace_is_io(vs))
        plat_tlbi_vmid(vs->vmid);
    smmu_vspace_unmapped(vs, ipa, pt_level_entry_size(level - 1), 0);
    return true;
}

void page_table_finalise(cap_t cap)
{
    if (cap_page_table_cap_get_capPTIsMapped(cap))
        page_table_unmap(cap);
}

void vspace_finalise(cap_t cap)
{
    struct vspace_obj *vs = vspace_from_cap(cap);
    if (!vs)
        return;
    smmu_vspace_deleted(vs);  /* CBs unassigned: their SIDs abort, SMMU TLBs invalidated */
    if (!vspace_is_io(vs))
        plat_tlbi_vmid(vs->vmid); /* then the CPU's entries for the VMID */
    vs->live = false;         /* the VMID is free for the next VSpace */
}

/* ---- frame invocations ------------------------------------------------------------------ */

static struct syscall_error invoked_cap_error(void)
{
    return syscall_invalid_cap(SYSCALL_INVOKED_CAP);
}

static struct syscall_error decode_frame_map(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    /* seL4 decodeARMFrameInvocation(ARMPageMap), in its order. */
    if (inv->length < ARMPageMap_NWORDS || inv->extra_caps < ARMPageMap_NCAPS)
        return syscall_err(seL4_TruncatedMessage);
    cap_t vs_cap = inv->extra_slot[ARMPageMap_vspace]->cap;
    struct vspace_obj *vs = vspace_from_cap(vs_cap);
    if (!vs || cap_is_kernel_copy(vs_cap))
        return syscall_invalid_cap(ARMPageMap_vspace);
    if (cap_frame_cap_get_capFIsMapped(cap))
        return invoked_cap_error(); /* one mapping per frame cap: unmap or copy first */
    seL4_Word vaddr = inv->mr[ARMPageMap_vaddr];
    uint64_t size = 1ULL << frame_size_bits(cap);
    if (vaddr >= KERNEL_USER_TOP || size > KERNEL_USER_TOP - vaddr)
        return syscall_invalid_arg(ARMPageMap_vaddr);
    if (!IS_ALIGNED(vaddr, size))
        return syscall_err(seL4_AlignmentError);
    unsigned leaf_level = size == SIZE_1G ? 1 : size == SIZE_2M ? 2 : 3;
    unsigned level;
    uint64_t desc;
    if (pt_lookup(&vs->pt, vaddr, &level, &desc) != ERR_NONE)
        return syscall_invalid_arg(ARMPageMap_vaddr);
    if (level < leaf_level && !(desc & PTE_VALID)) {
        /* seL4: the lookup stopped above the frame's level: map a page table first. */
        struct syscall_error fl = syscall_err(seL4_FailedLookup);
        fl.failed_lookup_was_source = false;
        return fl;
    }
    if (level != leaf_level || (desc & PTE_VALID))
        return syscall_err(seL4_DeleteFirst); /* a block above, a table or a leaf here */
    unsigned vm = mask_vm_rights((unsigned)cap_frame_cap_get_capFVMRights(cap), inv->mr[ARMPageMap_rights]);
    struct pt_attrs attrs = page_attrs(vm, inv->mr[ARMPageMap_attr]);
    /* Stage 1 has no write-only or no-access leaf: an IO-space mapping must be readable. */
    if (vspace_is_io(vs) && !(attrs.perms & PT_PERM_R))
        return syscall_invalid_arg(ARMPageMap_rights);
    paddr_t pa = cap_frame_cap_get_capFBasePtr_pfn(cap) << PAGE_SHIFT;

    /* invoke: the slot is empty and every table exists, so this cannot fail */
    if (pt_map(&vs->pt, vaddr, pa, size, attrs) != ERR_NONE)
        return syscall_err(seL4_IllegalOperation); /* not reached */
    cap = cap_frame_cap_set_capFIsMapped(cap, 1);
    cap = cap_frame_cap_set_capFMappedVMID(cap, vs->vmid);
    cap = cap_frame_cap_set_capFMappedAddress_pfn(cap, vaddr >> PAGE_SHIFT);
    cte_set_cap(inv->slot, cap);
    return SYSCALL_OK;
}

struct syscall_error decode_frame_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    switch (inv->label) {
    case ARMPageMap:
        return decode_frame_map(inv);
    case ARMPageUnmap:
        /* seL4 performPageInvocationUnmap: unmap (TLBs invalidated), then forget. */
        frame_finalise(cap);
        cap = cap_frame_cap_set_capFIsMapped(cap, 0);
        cap = cap_frame_cap_set_capFMappedVMID(cap, 0);
        cap = cap_frame_cap_set_capFMappedAddress_pfn(cap, 0);
        cte_set_cap(inv->slot, cap);
        return SYSCALL_OK;
    case ARMPageGetAddress:
        inv->reply[0] = cap_frame_cap_get_capFBasePtr_pfn(cap) << PAGE_SHIFT;
        inv->reply_length = ARMPageGetAddress_NRESULTS;
        return SYSCALL_OK;
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}

/* ---- page-table invocations ------------------------------------------------------------- */

static struct syscall_error decode_page_table_map(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    /* seL4 decodeARMPageTableInvocation(ARMPageTableMap), in its order. */
    if (inv->length < ARMPageTableMap_NWORDS || inv->extra_caps < ARMPageTableMap_NCAPS)
        return syscall_err(seL4_TruncatedMessage);
    if (cap_page_table_cap_get_capPTIsMapped(cap))
        return invoked_cap_error();
    cap_t vs_cap = inv->extra_slot[ARMPageTableMap_vspace]->cap;
    struct vspace_obj *vs = vspace_from_cap(vs_cap);
    if (!vs || cap_is_kernel_copy(vs_cap))
        return syscall_invalid_cap(ARMPageTableMap_vspace);
    seL4_Word vaddr = inv->mr[ARMPageTableMap_vaddr];
    if (vaddr >= KERNEL_USER_TOP)
        return syscall_invalid_arg(ARMPageTableMap_vaddr);
    /* seL4 AArch64: the table goes where the lookup stops, if that entry is empty and
     * a level below it exists. */
    unsigned level;
    uint64_t desc;
    if (pt_lookup(&vs->pt, vaddr, &level, &desc) != ERR_NONE)
        return syscall_invalid_arg(ARMPageTableMap_vaddr);
    if (level >= 3 || (desc & PTE_VALID))
        return syscall_err(seL4_DeleteFirst);
    unsigned pt_level = level + 1;
    uint64_t base = ALIGN_DOWN(vaddr, pt_level_entry_size(level));
    paddr_t pa = cap_page_table_cap_get_capPTBasePtr_pfn(cap) << PAGE_SHIFT;

    /* invoke */
    if (pt_install_table(&vs->pt, base, pt_level, pa) != ERR_NONE)
        return syscall_err(seL4_IllegalOperation); /* not reached */
    cap = cap_page_table_cap_set_capPTIsMapped(cap, 1);
    cap = cap_page_table_cap_set_capPTLevel(cap, pt_level);
    cap = cap_page_table_cap_set_capPTMappedVMID(cap, vs->vmid);
    cap = cap_page_table_cap_set_capPTMappedAddress_pfn(cap, base >> PAGE_SHIFT);
    cte_set_cap(inv->slot, cap);
    return SYSCALL_OK;
}

struct syscall_error decode_page_table_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    switch (inv->label) {
    case ARMPageTableMap:
        return decode_page_table_map(inv);
    case ARMPageTableUnmap:
        /* seL4: only the final cap unmaps (copies of a mapped table say "mapped"). */
        if (!cte_is_final(inv->slot))
            return syscall_err(seL4_RevokeFirst);
        if (cap_page_table_cap_get_capPTIsMapped(cap)) {
            page_table_unmap(cap);
            /* seL4 clears the table so it can be mapped again elsewhere without what it
             * mapped (even when its VSpace is gone); those frames' caps unmap as no-ops. */
            kmemset(plat_phys_to_virt(cap_page_table_cap_get_capPTBasePtr_pfn(cap) << PAGE_SHIFT), 0,
                    1u << seL4_PageTableBits);
        }
        cap = cap_page_table_cap_set_capPTIsMapped(cap, 0);
        cap = cap_page_table_cap_set_capPTLevel(cap, 0);
        cap = cap_page_table_cap_set_capPTMappedVMID(cap, 0);
        cap = cap_page_table_cap_set_capPTMappedAddress_pfn(cap, 0);
        cte_set_cap(inv->slot, cap);
        return SYSCALL_OK;
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}
