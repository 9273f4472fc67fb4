/* The minimal capability kernel: the contract between its core (CSpace, Untyped, VSpace,
 * syscall entry: src/kernel/) and the SMMU objects (src/object/). seL4 semantics and
 * names; no libc, no recursion, no malloc (objects come from Untyped memory, and the
 * kernel's own metadata from static tables sized below). */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <sel4/errors.h>
#include <sel4/types.h>

#include "kernel/cap_gen.h" /* generated from structures.bf: cap_t, enum cap_tag, accessors */
#include "lib/types.h"
#include "pgtable/pgtable.h"

/* ---- capability slots and the derivation tree (seL4's mdb_node) ----------------------- */
typedef struct cte {
    cap_t cap;
    struct cte *mdb_prev;
    struct cte *mdb_next;
    bool revocable;
    bool first_badged;
} cte_t;

/* ---- errors of one invocation: seL4's current_syscall_error, returned by value -------- */
struct syscall_error {
    seL4_Error type;
    unsigned invalid_argument;  /* seL4_InvalidArgument: index of the argument */
    unsigned invalid_cap;       /* seL4_InvalidCapability: index of the extra cap (0-based) */
    seL4_Word range_min, range_max; /* seL4_RangeError */
    bool failed_lookup_was_source;  /* seL4_FailedLookup */
    seL4_Word memory_left;          /* seL4_NotEnoughMemory */
};
#define SYSCALL_OK ((struct syscall_error){ .type = seL4_NoError })
static inline struct syscall_error syscall_err(seL4_Error type) { return (struct syscall_error){ .type = type }; }
static inline struct syscall_error syscall_invalid_arg(unsigned i)
{
    return (struct syscall_error){ .type = seL4_InvalidArgument, .invalid_argument = i };
}
static inline struct syscall_error syscall_invalid_cap(unsigned i)
{
    return (struct syscall_error){ .type = seL4_InvalidCapability, .invalid_cap = i };
}
static inline struct syscall_error syscall_range(seL4_Word min, seL4_Word max)
{
    return (struct syscall_error){ .type = seL4_RangeError, .range_min = min, .range_max = max };
}

/* ---- one invocation, as decoders see it ------------------------------------------------ */
struct invocation {
    seL4_Word label;
    unsigned length;                    /* message words present in mr[] */
    const seL4_Word *mr;
    unsigned extra_caps;                /* looked up by the syscall entry */
    cte_t *extra_slot[seL4_MsgMaxExtraCaps];
    cte_t *slot;                        /* the invoked cap's slot */
    seL4_Word *reply;                   /* words to return (invocations with results) */
    unsigned reply_length;
};

/* ---- CSpace services the objects use ----------------------------------------------------- */
/* seL4 lookupTargetSlot + ensureEmptySlot: resolve (root, index, depth) to an empty slot.
 * Errors: seL4_FailedLookup, seL4_RangeError (depth), seL4_DeleteFirst (occupied). The
 * `first_arg` index is reported for root (cap index) / index / depth arguments. */
struct syscall_error kernel_lookup_empty_slot(cap_t root, seL4_Word index, seL4_Word depth,
                                              unsigned first_arg, cte_t **out);
/* Insert `cap` into `dest` as a child of `parent` in the derivation tree. */
void cte_insert(cap_t cap, cte_t *parent, cte_t *dest);
/* Delete the cap in a kernel-held or user slot: finalises the object if it was the final
 * cap (calling the object's finaliser), then empties the slot. Never fails. */
void cte_delete_one(cte_t *slot);
bool cte_is_final(const cte_t *slot);
bool cte_has_children(const cte_t *slot);

/* ---- VSpaces (stage-2 roots): kernel metadata per VMID ----------------------------------- */
#define KERNEL_MAX_VSPACES 64
#define KERNEL_MAX_SMMUS 16

struct vspace_obj {
    bool live;
    uint16_t vmid;      /* CPU stage-2 VMID, also the VSpace's identity in caps */
    struct pt pt;       /* the stage-2 table: VTTBR_EL2 for the CPU, S2TTB for the SMMU */
    uint16_t smmu_refs[KERNEL_MAX_SMMUS]; /* CBs of each SMMU this VSpace is assigned to */
};
/* Kernel-held copies: a CB holds a copy of its VSpace's cap (capVSKernelCopy = 1) and a
 * bound SID holds a copy of its CB's cap (capCBBound = 1). Such copies never count when
 * deciding whether a cap is final (the object lives as long as user caps to it do) and
 * deleting them never finalises the object: the VSpace copy is just dropped, the CB copy
 * unbinds its SID (smmu_finalise_cap). */

/* The VSpace a vspace_cap names (NULL if the cap is not a live VSpace). */
struct vspace_obj *vspace_from_cap(cap_t cap);
/* An IO space (seL4_ARM_IOSpaceObject): a stage-1 table only the SMMU walks. Its caps are
 * vspace caps; frames and page tables map into it the same way (stage-1 descriptors). */
static inline bool vspace_is_io(const struct vspace_obj *vs) { return vs->pt.fmt.stage == PT_STAGE1; }

/* ---- hooks the kernel calls into src/object/ ------------------------------------------ */
/* Decode and perform an invocation on an SMMU cap (SIDControl, SID, CBControl, CB,
 * bypass). Decode checks everything first; on error nothing has changed. */
struct syscall_error decode_smmu_invocation(struct invocation *inv);
/* The last cap to an SMMU object is going away (or any copy, for kernel-held bindings). */
void smmu_finalise_cap(cap_t cap, bool final);
/* A leaf was removed from `vs` (frame unmap, page-table unmap): invalidate the SMMU TLBs
 * of every CB the VSpace is assigned to (range TLBI + one CMD_SYNC per SMMU) before the
 * kernel lets the frame be reused. For an IO space `ipa` is a stage-1 VA: TLBI_NH_VA
 * with each CB's ASID. */
void smmu_vspace_unmapped(struct vspace_obj *vs, uint64_t ipa, uint64_t size, unsigned leaf_level);
/* The VSpace is being destroyed: unassign it from every CB (their SIDs abort). */
void smmu_vspace_deleted(struct vspace_obj *vs);
/* seL4 sameObjectAs / sameRegionAs for SMMU caps (the derivation tree needs them). */
bool smmu_same_object(cap_t a, cap_t b);
/* Whether a user may copy/mint this SMMU cap (control caps and kernel-held bound CB
 * copies may not be). */
bool smmu_cap_derivable(cap_t cap);

/* ---- added by the kernel core (src/kernel/) ------------------------------------------- */
#include <sel4/bootinfo.h>

/* syscall_error.invalid_cap names an extra cap by its 0-based index; this value names the
 * invoked cap itself (seL4's invalidCapNumber 0: a null cap invoked, a mapped frame mapped
 * again, a mapped page table mapped again). The reply carries it unchanged in MR0. */
#define SYSCALL_INVOKED_CAP 0xffu

/* Boot: place an original cap in an empty slot, outside any derivation chain, revocable
 * (seL4's boot-time caps). For smmu_boot_populate. */
void cte_init_original(cte_t *slot, cap_t cap);

/* Hook into src/object/, called once by kernel_boot after the root CNode exists: create
 * the SMMU caps (SIDControl/CBControl per SMMU, the pre-generated SID/CB caps) in
 * cnode_slots[first_free .. nslots - 1] with cte_init_original (or cte_insert for caps
 * derived from a control cap), fill bi->numSMMUs and bi->smmu[], and return the next free
 * slot. Slots below seL4_NumInitialCaps (e.g. seL4_CapSMMUSIDControl) may be used too. */
unsigned smmu_boot_populate(cte_t *cnode_slots, unsigned first_free, unsigned nslots, seL4_BootInfo *bi);

/* Whether the SMMU layer owns this cap type (the kernel hands its invocations, finalisation
 * and same-object questions to the hooks above). */
static inline bool cap_is_smmu(cap_t cap)
{
    uint64_t t = cap_get_capType(cap);
    return t == cap_sid_control_cap || t == cap_sid_cap || t == cap_cb_control_cap ||
           t == cap_cb_cap || t == cap_smmu_bypass_cap;
}

/* A kernel-held copy (see above): a bound CB copy or a CB's VSpace copy. */
static inline bool cap_is_kernel_copy(cap_t cap)
{
    uint64_t t = cap_get_capType(cap);
    return (t == cap_cb_cap && cap_cb_cap_get_capCBBound(cap)) ||
           (t == cap_vspace_cap && cap_vspace_cap_get_capVSKernelCopy(cap));
}

#endif
