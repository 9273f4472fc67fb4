/* seL4_Untyped_Retype with seL4's semantics (kernel object/untyped.c behaviour): objects
 * are carved from the untyped's free index upward, each aligned to its own size, zeroed
 * (not on device untypeds, which only become frames or smaller device untypeds), and
 * their caps placed in consecutive empty slots of a CNode as children of the untyped. An
 * untyped with no children is reset (free index back to 0) before it is used again. */
#include "untyped.h"

#include <sel4/invocation.h>
#include <sel4/object_types.h>

#include "cspace.h"
#include "lib/bits.h"
#include "lib/string.h"
#include "plat/plat.h"
#include "vspace.h"

unsigned object_size_bits(seL4_Word type, seL4_Word size_bits)
{
    switch (type) {
    case seL4_UntypedObject:
        return (unsigned)size_bits;
    case seL4_CapTableObject:
        return cnode_size_bits((unsigned)size_bits);
    case seL4_ARM_SmallPageObject:
        return seL4_PageBits;
    case seL4_ARM_LargePageObject:
        return seL4_LargePageBits;
    case seL4_ARM_HugePageObject:
        return seL4_HugePageBits;
    case seL4_ARM_PageTableObject:
        return seL4_PageTableBits;
    case seL4_ARM_VSpaceObject:
        return seL4_VSpaceBits;
    case seL4_ARM_IOSpaceObject:
        return seL4_IOSpaceBits;
    case seL4_NotificationObject:
        return seL4_NotificationBits;
    default:
        return 0;
    }
}

static bool is_supported_type(seL4_Word type)
{
    return type == seL4_UntypedObject || type == seL4_CapTableObject ||
           (type < seL4_ObjectTypeCount && object_size_bits(type, 0) != 0);
}

static bool is_frame_type(seL4_Word type)
{
    return type == seL4_ARM_SmallPageObject || type == seL4_ARM_LargePageObject ||
           type == seL4_ARM_HugePageObject;
}

/* Create one object at `pa` (already zeroed if it must be) and return its cap. */
static cap_t create_object(seL4_Word type, seL4_Word size_bits, paddr_t pa, bool device)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    cap_t cap;
    switch (type) {
    case seL4_UntypedObject:
        cap = cap_untyped_cap_new(0, 0, 0, 0);
        cap = cap_untyped_cap_set_capIsDevice(cap, device);
        cap = cap_untyped_cap_set_capBlockSize(cap, size_bits);
        return cap_untyped_cap_set_capPtr_pfn(cap, pfn);
    case seL4_CapTableObject:
        cap = cap_cnode_cap_new(0, 0, 0, 0);
        cap = cap_cnode_cap_set_capCNodeRadix(cap, size_bits);
        return cap_cnode_cap_set_capCNodePtr_pfn(cap, pfn);
    case seL4_ARM_PageTableObject:
        cap = cap_page_table_cap_new(0, 0, 0, 0, 0);
        return cap_page_table_cap_set_capPTBasePtr_pfn(cap, pfn);
    case seL4_NotificationObject: /* zeroed: idle, word 0; full rights, no badge */
        cap = cap_notification_cap_new(0, 0, 0, 0);
        cap = cap_notification_cap_set_capNtfnPtr(cap, pa);
        cap = cap_notification_cap_set_capNtfnCanSend(cap, 1);
        return cap_notification_cap_set_capNtfnCanReceive(cap, 1);
    case seL4_ARM_VSpaceObject:
    case seL4_ARM_IOSpaceObject: { /* the same cap; the object's format tells them apart */
        struct vspace_obj *vs = type == seL4_ARM_VSpaceObject ? vspace_create(pa) : iospace_create(pa);
        cap = cap_vspace_cap_new(0, 0, 0, 0, 0, 0);
        cap = cap_vspace_cap_set_capVSBasePtr_pfn(cap, pfn);
        cap = cap_vspace_cap_set_capVSIsMapped(cap, vs != NULL);
        return cap_vspace_cap_set_capVSVMID(cap, vs ? vs->vmid : 0);
    }
    default: { /* frames */
        unsigned fsize = type == seL4_ARM_SmallPageObject ? 0 : type == seL4_ARM_LargePageObject ? 1 : 2;
        cap = cap_frame_cap_new(0, 0, 0, 0, 0, 0, 0);
        cap = cap_frame_cap_set_capFBasePtr_pfn(cap, pfn);
        cap = cap_frame_cap_set_capFSize(cap, fsize);
        cap = cap_frame_cap_set_capFVMRights(cap, VM_READ_WRITE);
        return cap_frame_cap_set_capFIsDevice(cap, device);
    }
    }
}

struct syscall_error decode_untyped_invocation(struct invocation *inv)
{
    /* seL4 decodeUntypedInvocation: every check, in seL4's order, before any change. */
    if (inv->label != UntypedRetype)
        return syscall_err(seL4_IllegalOperation);
    if (inv->length < UntypedRetype_NWORDS || inv->extra_caps < UntypedRetype_NCAPS)
        return syscall_err(seL4_TruncatedMessage);
    seL4_Word type = inv->mr[UntypedRetype_type];
    seL4_Word user_size = inv->mr[UntypedRetype_size_bits];
    seL4_Word node_index = inv->mr[UntypedRetype_node_index];
    seL4_Word node_depth = inv->mr[UntypedRetype_node_depth];
    seL4_Word node_offset = inv->mr[UntypedRetype_node_offset];
    seL4_Word node_window = inv->mr[UntypedRetype_num_objects];
    cap_t root = inv->extra_slot[UntypedRetype_root]->cap;

    if (!is_supported_type(type))
        return syscall_invalid_arg(UntypedRetype_type); /* unknown, or TCB/endpoints */
    unsigned obj_bits = object_size_bits(type, user_size);
    if (user_size >= seL4_WordBits || obj_bits > seL4_MaxUntypedBits)
        return syscall_range(0, seL4_MaxUntypedBits);
    if (type == seL4_CapTableObject && user_size == 0)
        return syscall_invalid_arg(UntypedRetype_size_bits);
    if (type == seL4_UntypedObject && user_size < seL4_MinUntypedBits)
        return syscall_invalid_arg(UntypedRetype_size_bits);

    cap_t node = root; /* depth 0: the root cap itself is the destination CNode */
    if (node_depth != 0) {
        cte_t *node_slot;
        struct syscall_error e = lookup_slot_for_cnode_op(false, root, node_index, node_depth, &node_slot);
        if (e.type != seL4_NoError)
            return e;
        node = node_slot->cap;
    }
    if (cap_get_capType(node) != cap_cnode_cap) {
        struct syscall_error fl = syscall_err(seL4_FailedLookup);
        fl.failed_lookup_was_source = false;
        return fl;
    }
    uint64_t node_size = 1ULL << cap_cnode_cap_get_capCNodeRadix(node);
    if (node_offset > node_size - 1)
        return syscall_range(0, node_size - 1);
    if (node_window < 1 || node_window > seL4_RetypeFanOutLimit)
        return syscall_range(1, seL4_RetypeFanOutLimit);
    if (node_window > node_size - node_offset)
        return syscall_range(1, node_size - node_offset);
    cte_t *dest = cnode_slots_of(node) + node_offset;
    for (seL4_Word i = 0; i < node_window; i++)
        if (cap_get_capType(dest[i].cap) != cap_null_cap)
            return syscall_err(seL4_DeleteFirst);

    /* An untyped without children is reset: its whole region is free again. */
    cte_t *slot = inv->slot;
    cap_t ut = slot->cap;
    bool reset = !cte_has_children(slot);
    uint64_t free_index = reset ? 0 : cap_untyped_cap_get_capFreeIndex(ut);
    unsigned block_bits = (unsigned)cap_untyped_cap_get_capBlockSize(ut);
    paddr_t base = cap_untyped_cap_get_capPtr_pfn(ut) << PAGE_SHIFT;
    uint64_t block = 1ULL << block_bits;
    uint64_t free_bytes = free_index <= block ? block - free_index : 0;
    uint64_t obj_size = 1ULL << obj_bits;
    /* seL4 checks free >> size < window; alignment padding is counted here as well. */
    uint64_t first = ALIGN_UP(free_index, obj_size); /* base is aligned to the block */
    if (obj_bits > block_bits || first > block || (block - first) >> obj_bits < node_window) {
        struct syscall_error e = syscall_err(seL4_NotEnoughMemory);
        e.memory_left = free_bytes;
        return e;
    }
    bool device = cap_untyped_cap_get_capIsDevice(ut);
    if (device && !is_frame_type(type) && type != seL4_UntypedObject)
        return syscall_invalid_arg(UntypedRetype_size_bits); /* seL4: argument 1 */
    if ((type == seL4_ARM_VSpaceObject || type == seL4_ARM_IOSpaceObject) && vspace_free_count() < node_window) {
        struct syscall_error e = syscall_err(seL4_NotEnoughMemory); /* no VMID left */
        e.memory_left = free_bytes;
        return e;
    }

    /* invoke: cannot fail from here */
    cap_untyped_cap_ptr_set_capFreeIndex(&slot->cap, first + node_window * obj_size);
    for (seL4_Word i = 0; i < node_window; i++) {
        paddr_t pa = base + first + i * obj_size;
        if (!device && type != seL4_UntypedObject)
            kmemset(plat_phys_to_virt(pa), 0, (size_t)obj_size);
        cte_insert_new(create_object(type, user_size, pa, device), slot, &dest[i]);
    }
    return SYSCALL_OK;
}
