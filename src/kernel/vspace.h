/* VSpaces (stage-2 roots), page tables and frames: seL4's AArch64 VSpace interface over
 * the shared stage-2 tables of src/pgtable (the CPU loads a VSpace as VTTBR_EL2, the SMMU
 * as STE.S2TTB). Internal to src/kernel. */
#ifndef KERNEL_VSPACE_H
#define KERNEL_VSPACE_H

#include <sel4/object_types.h>

#include "kernel.h"

/* The kernel's one stage-2 format: 40-bit IPA (seL4_VSpaceIPABits), 48-bit output range,
 * 4K granule, start level 1 with 2 concatenated root tables (seL4_VSpaceBits). */
#define KERNEL_S2_IA_BITS seL4_VSpaceIPABits
#define KERNEL_S2_OA_BITS 48u
#define KERNEL_USER_TOP (1ULL << KERNEL_S2_IA_BITS) /* first IPA beyond every VSpace */
/* VMIDs of VSpaces: KERNEL_VMID_BASE + index in the VSpace table. */
#define KERNEL_VMID_BASE 1u

/* seL4 vm_rights_t (capFVMRights). */
#define VM_KERNEL_ONLY 1u
#define VM_READ_ONLY 2u
#define VM_READ_WRITE 3u

/* capFSize: 0 = 4K, 1 = 2M, 2 = 1G. */
static inline unsigned frame_size_bits(cap_t frame)
{
    static const unsigned bits[] = { seL4_PageBits, seL4_LargePageBits, seL4_HugePageBits, seL4_PageBits };
    return bits[cap_frame_cap_get_capFSize(frame) & 3u];
}

/* seL4 maskVMRights: what remains of vm rights `vm` under cap rights `rights`. */
unsigned mask_vm_rights(unsigned vm, seL4_CapRights_t rights);

/* The VSpace table. */
void vspace_table_reset(void);                 /* forget every VSpace (boot, host tests) */
unsigned vspace_free_count(void);              /* VMIDs available to Retype */
struct vspace_obj *vspace_create(paddr_t root); /* a zeroed 8 KiB root; NULL if no VMID */
/* An IO space: a stage-1 table (seL4_IOSpaceVABits, one zeroed 4 KiB root) in the same
 * table of objects (it takes an entry, and so an identity, like a VSpace); the CPU never
 * loads it, only SMMU contexts assigned to it walk it. NULL if no entry is free. */
struct vspace_obj *iospace_create(paddr_t root);
struct vspace_obj *vspace_from_vmid(uint64_t vmid);

/* Finalisers (cte_delete): unmap a mapped frame cap's mapping; unmap a final mapped page
 * table; destroy a VSpace (final user cap). Each invalidates the CPU TLB and calls the
 * SMMU hooks before returning, i.e. before the cap leaves its slot. */
void frame_finalise(cap_t cap);
void page_table_finalise(cap_t cap);
void vspace_finalise(cap_t cap);

/* Invocations: seL4_ARM_Page_Map/Unmap/GetAddress, seL4_ARM_PageTable_Map/Unmap. */
struct syscall_error decode_frame_invocation(struct invocation *inv);
struct syscall_error decode_page_table_invocation(struct invocation *inv);

#endif
