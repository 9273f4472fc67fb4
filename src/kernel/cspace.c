/* CSpace: CNodes, cptr resolution, the derivation tree and CNode invocations, with seL4's
 * semantics (seL4 manual ch. 3 "Capability Spaces", kernel cspace.c/cnode.c behaviour).
 *
 * The derivation tree is seL4's MDB: one doubly-linked list through every cte_t, in which
 * a cap's descendants follow it directly; parenthood is not stored but derived
 * (is_mdb_parent_of: the earlier cap is revocable and its region contains the later one).
 * Copies are inserted right after their source, so all caps to one object are adjacent,
 * which is what makes the final-cap test a look at the two neighbours. Kernel-held copies
 * (kernel.h) sit among them but never count.
 *
 * Every loop is bounded: cptr resolution by the 64 bits it consumes, neighbour scans and
 * revocation by the number of caps in the list (each step moves along or deletes one),
 * CNode emptying by the number of slots (each step advances a cursor or deletes a cap). */
#include "cspace.h"

#include "irq.h"
#include "lib/bits.h"
#include "lib/string.h"
#include "plat/plat.h"
#include "untyped.h"
#include "vspace.h"

#include <sel4/invocation.h>
#include <sel4/object_types.h>

static inline uint64_t mask_bits(unsigned n) { return n >= 64 ? ~0ULL : (1ULL << n) - 1; }

cte_t *cnode_slots_of(cap_t cap)
{
    uint64_t pfn = cap_get_capType(cap) == cap_zombie_cap ? cap_zombie_cap_get_capZombiePtr_pfn(cap)
                                                          : cap_cnode_cap_get_capCNodePtr_pfn(cap);
    return (cte_t *)plat_phys_to_virt(pfn << PAGE_SHIFT);
}

/* ---- cptr resolution ------------------------------------------------------------------ */

bool resolve_address_bits(cap_t node, seL4_Word cptr, unsigned n_bits, cte_t **slot,
                          unsigned *bits_left)
{
    /* seL4 resolveAddressBits, iterative. Each round consumes guard + radix >= 1 bits. */
    for (unsigned round = 0; round < seL4_WordBits && n_bits > 0; round++) {
        if (cap_get_capType(node) != cap_cnode_cap)
            return false;
        unsigned radix = (unsigned)cap_cnode_cap_get_capCNodeRadix(node);
        unsigned guard_bits = (unsigned)cap_cnode_cap_get_capCNodeGuardSize(node);
        unsigned level_bits = radix + guard_bits;
        if (level_bits == 0 || level_bits > seL4_WordBits)
            return false; /* not produced by Retype or Mint; refuse rather than loop */
        if (guard_bits > n_bits || level_bits > n_bits)
            return false; /* guard or depth mismatch */
        uint64_t guard = guard_bits == 0 ? 0 : (cptr >> (n_bits - guard_bits)) & mask_bits(guard_bits);
        if (guard != (cap_cnode_cap_get_capCNodeGuard(node) & mask_bits(guard_bits)))
            return false; /* guard mismatch */
        uint64_t offset = (cptr >> (n_bits - level_bits)) & mask_bits(radix);
        cte_t *s = cnode_slots_of(node) + offset;
        n_bits -= level_bits;
        if (n_bits == 0 || cap_get_capType(s->cap) != cap_cnode_cap) {
            *slot = s;
            *bits_left = n_bits;
            return true;
        }
        node = s->cap;
    }
    return false;
}

struct syscall_error lookup_slot_for_cnode_op(bool is_source, cap_t root, seL4_Word index,
                                              seL4_Word depth, cte_t **out)
{
    struct syscall_error fl = syscall_err(seL4_FailedLookup);
    fl.failed_lookup_was_source = is_source;
    if (cap_get_capType(root) != cap_cnode_cap)
        return fl; /* seL4: lookup_fault_invalid_root */
    if (depth < 1 || depth > seL4_WordBits)
        return syscall_range(1, seL4_WordBits);
    cte_t *slot;
    unsigned left;
    if (!resolve_address_bits(root, index, (unsigned)depth, &slot, &left) || left != 0)
        return fl; /* guard/depth mismatch, or the walk ended early */
    *out = slot;
    return SYSCALL_OK;
}

cte_t *lookup_slot(cap_t root, seL4_Word cptr)
{
    cte_t *slot;
    unsigned left;
    if (!resolve_address_bits(root, cptr, seL4_WordBits, &slot, &left))
        return NULL;
    return slot; /* seL4 lookupSlot: remaining bits after a non-CNode cap are ignored */
}

struct syscall_error kernel_lookup_empty_slot(cap_t root, seL4_Word index, seL4_Word depth,
                                              unsigned first_arg, cte_t **out)
{
    (void)first_arg; /* seL4's errors here carry no argument index */
    cte_t *slot;
    struct syscall_error e = lookup_slot_for_cnode_op(false, root, index, depth, &slot);
    if (e.type != seL4_NoError)
        return e;
    if (cap_get_capType(slot->cap) != cap_null_cap)
        return syscall_err(seL4_DeleteFirst); /* seL4 ensureEmptySlot */
    *out = slot;
    return SYSCALL_OK;
}

/* ---- regions and objects ---------------------------------------------------------------- */

bool cap_phys_region(cap_t cap, paddr_t *base, unsigned *size_bits)
{
    switch (cap_get_capType(cap)) {
    case cap_untyped_cap:
        *base = cap_untyped_cap_get_capPtr_pfn(cap) << PAGE_SHIFT;
        *size_bits = (unsigned)cap_untyped_cap_get_capBlockSize(cap);
        return true;
    case cap_cnode_cap:
        *base = cap_cnode_cap_get_capCNodePtr_pfn(cap) << PAGE_SHIFT;
        *size_bits = cnode_size_bits((unsigned)cap_cnode_cap_get_capCNodeRadix(cap));
        return true;
    case cap_frame_cap:
        *base = cap_frame_cap_get_capFBasePtr_pfn(cap) << PAGE_SHIFT;
        *size_bits = frame_size_bits(cap);
        return true;
    case cap_page_table_cap:
        *base = cap_page_table_cap_get_capPTBasePtr_pfn(cap) << PAGE_SHIFT;
        *size_bits = seL4_PageTableBits;
        return true;
    case cap_vspace_cap:
        *base = cap_vspace_cap_get_capVSBasePtr_pfn(cap) << PAGE_SHIFT;
        *size_bits = seL4_VSpaceBits;
        return true;
    case cap_notification_cap:
        *base = (paddr_t)cap_notification_cap_get_capNtfnPtr(cap);
        *size_bits = seL4_NotificationBits;
        return true;
    default:
        return false;
    }
}

/* The SMMU control caps' regions hold the caps they issue (as seL4's IRQControl holds
 * IRQHandler caps): that makes issued caps children of the control cap, so revoking a
 * control cap deletes everything it issued. Kernel-held copies are nobody's children. */
static bool smmu_same_region(cap_t a, cap_t b)
{
    uint64_t ta = cap_get_capType(a), tb = cap_get_capType(b);
    if (cap_is_kernel_copy(b))
        return false;
    if (ta == cap_sid_control_cap) {
        uint64_t dev = cap_sid_control_cap_get_capDevID(a);
        if (tb == cap_sid_cap)
            return cap_sid_cap_get_capDevID(b) == dev;
        if (tb == cap_smmu_bypass_cap)
            return cap_smmu_bypass_cap_get_capDevID(b) == dev;
    }
    if (ta == cap_cb_control_cap && tb == cap_cb_cap)
        return cap_cb_cap_get_capDevID(b) == cap_cb_control_cap_get_capDevID(a);
    return smmu_same_object(a, b);
}

bool same_region_as(cap_t a, cap_t b)
{
    paddr_t ba, bb;
    unsigned sa, sb;
    switch (cap_get_capType(a)) {
    case cap_untyped_cap:
        /* seL4: b's region lies inside a's (kernel-held copies excluded: see above). */
        if (cap_is_kernel_copy(b) || !cap_phys_region(b, &bb, &sb))
            return false;
        cap_phys_region(a, &ba, &sa);
        return bb >= ba && sb <= sa && bb - ba <= (1ULL << sa) - (1ULL << sb);
    case cap_cnode_cap:
        return cap_get_capType(b) == cap_cnode_cap &&
               cap_cnode_cap_get_capCNodePtr_pfn(a) == cap_cnode_cap_get_capCNodePtr_pfn(b) &&
               cap_cnode_cap_get_capCNodeRadix(a) == cap_cnode_cap_get_capCNodeRadix(b);
    case cap_frame_cap:
        /* seL4 ARM: b's frame lies inside a's. */
        if (cap_get_capType(b) != cap_frame_cap)
            return false;
        cap_phys_region(a, &ba, &sa);
        cap_phys_region(b, &bb, &sb);
        return bb >= ba && sb <= sa && bb - ba <= (1ULL << sa) - (1ULL << sb);
    case cap_page_table_cap:
        return cap_get_capType(b) == cap_page_table_cap &&
               cap_page_table_cap_get_capPTBasePtr_pfn(a) == cap_page_table_cap_get_capPTBasePtr_pfn(b);
    case cap_vspace_cap:
        return cap_get_capType(b) == cap_vspace_cap && !cap_is_kernel_copy(a) &&
               !cap_is_kernel_copy(b) &&
               cap_vspace_cap_get_capVSBasePtr_pfn(a) == cap_vspace_cap_get_capVSBasePtr_pfn(b);
    case cap_notification_cap:
        return cap_get_capType(b) == cap_notification_cap &&
               cap_notification_cap_get_capNtfnPtr(a) == cap_notification_cap_get_capNtfnPtr(b);
    case cap_irq_control_cap:
        /* seL4: IRQControl's region holds every IRQHandler (issued caps are its children). */
        return cap_get_capType(b) == cap_irq_control_cap || cap_get_capType(b) == cap_irq_handler_cap;
    case cap_irq_handler_cap:
        return cap_get_capType(b) == cap_irq_handler_cap &&
               cap_irq_handler_cap_get_capIRQ(a) == cap_irq_handler_cap_get_capIRQ(b);
    default:
        if (cap_is_smmu(a) && !cap_is_kernel_copy(a))
            return smmu_same_region(a, b);
        return false; /* null, zombie, kernel-held copies */
    }
}

bool same_object_as(cap_t a, cap_t b)
{
    /* seL4 sameObjectAs: untyped caps are never "the same object" (each may be final). */
    if (cap_get_capType(a) == cap_untyped_cap || cap_is_kernel_copy(a) || cap_is_kernel_copy(b))
        return false;
    if (cap_get_capType(a) == cap_frame_cap && cap_get_capType(b) == cap_frame_cap)
        return cap_frame_cap_get_capFBasePtr_pfn(a) == cap_frame_cap_get_capFBasePtr_pfn(b) &&
               cap_frame_cap_get_capFSize(a) == cap_frame_cap_get_capFSize(b) &&
               cap_frame_cap_get_capFIsDevice(a) == cap_frame_cap_get_capFIsDevice(b);
    if (cap_is_smmu(a) || cap_is_smmu(b))
        return cap_is_smmu(a) && cap_is_smmu(b) && smmu_same_object(a, b);
    if (cap_get_capType(a) == cap_irq_control_cap && cap_get_capType(b) == cap_irq_handler_cap)
        return false; /* seL4 sameObjectAs: a handler is not the control cap's object */
    return same_region_as(a, b);
}

bool is_mdb_parent_of(const cte_t *a, const cte_t *b)
{
    /* seL4 isMDBParentOf, with the notification badge rule (there are no endpoints): an
     * unbadged notification cap is the parent of every cap to its object; a badged one
     * only of the copies of itself made after it (same badge, not first-badged). */
    if (!a->revocable || !same_region_as(a->cap, b->cap))
        return false;
    if (cap_get_capType(a->cap) == cap_notification_cap) {
        seL4_Word badge = cap_notification_cap_get_capNtfnBadge(a->cap);
        if (badge == 0)
            return true;
        return badge == cap_notification_cap_get_capNtfnBadge(b->cap) && !b->first_badged;
    }
    return true;
}

/* ---- the derivation tree ---------------------------------------------------------------- */

static void mdb_link_after(cte_t *parent, cte_t *dest)
{
    dest->mdb_prev = parent;
    dest->mdb_next = parent->mdb_next;
    if (parent->mdb_next)
        parent->mdb_next->mdb_prev = dest;
    parent->mdb_next = dest;
}

static void mdb_unlink(cte_t *slot)
{
    if (slot->mdb_prev)
        slot->mdb_prev->mdb_next = slot->mdb_next;
    if (slot->mdb_next) {
        slot->mdb_next->mdb_prev = slot->mdb_prev;
        /* seL4 emptySlot: firstBadged passes on to the next cap. */
        slot->mdb_next->first_badged = slot->mdb_next->first_badged || slot->first_badged;
    }
    slot->mdb_prev = NULL;
    slot->mdb_next = NULL;
}

/* seL4 isCapRevocable: untyped copies are revocable (they own what is retyped from
 * them); so are caps a control cap issues (as IRQHandler from IRQControl). */
static bool is_cap_revocable(cap_t new_cap, cap_t src_cap)
{
    if (cap_get_capType(new_cap) == cap_untyped_cap)
        return true;
    if (cap_get_capType(new_cap) == cap_irq_handler_cap)
        return cap_get_capType(src_cap) == cap_irq_control_cap;
    if (cap_get_capType(new_cap) == cap_notification_cap) /* a newly badged copy (Mint) */
        return cap_notification_cap_get_capNtfnBadge(new_cap) != cap_notification_cap_get_capNtfnBadge(src_cap);
    return cap_is_smmu(new_cap) && cap_get_capType(new_cap) != cap_get_capType(src_cap);
}

void cte_insert(cap_t cap, cte_t *parent, cte_t *dest)
{
    bool revocable = is_cap_revocable(cap, parent->cap);
    /* seL4 setUntypedCapAsFull: a copy of a whole untyped leaves the original no room, so
     * the two can never hand out the same memory. */
    if (cap_get_capType(cap) == cap_untyped_cap && cap_get_capType(parent->cap) == cap_untyped_cap &&
        cap_untyped_cap_get_capPtr_pfn(cap) == cap_untyped_cap_get_capPtr_pfn(parent->cap) &&
        cap_untyped_cap_get_capBlockSize(cap) == cap_untyped_cap_get_capBlockSize(parent->cap))
        parent->cap = cap_untyped_cap_set_capFreeIndex(
            parent->cap, 1ULL << cap_untyped_cap_get_capBlockSize(parent->cap));
    dest->cap = cap;
    dest->revocable = revocable;
    dest->first_badged = revocable;
    mdb_link_after(parent, dest);
}

void cte_insert_new(cap_t cap, cte_t *parent, cte_t *dest)
{
    dest->cap = cap;
    dest->revocable = true; /* seL4 insertNewCap */
    dest->first_badged = true;
    mdb_link_after(parent, dest);
}

void cte_init_original(cte_t *slot, cap_t cap)
{
    slot->cap = cap;
    slot->mdb_prev = NULL;
    slot->mdb_next = NULL;
    slot->revocable = true;
    slot->first_badged = true;
}

void cte_move(cap_t cap, cte_t *src, cte_t *dest)
{
    dest->cap = cap;
    dest->mdb_prev = src->mdb_prev;
    dest->mdb_next = src->mdb_next;
    dest->revocable = src->revocable;
    dest->first_badged = src->first_badged;
    if (dest->mdb_prev)
        dest->mdb_prev->mdb_next = dest;
    if (dest->mdb_next)
        dest->mdb_next->mdb_prev = dest;
    src->cap = cap_null_cap_new();
    src->mdb_prev = NULL;
    src->mdb_next = NULL;
    src->revocable = false;
    src->first_badged = false;
}

static void cte_empty(cte_t *slot)
{
    mdb_unlink(slot);
    slot->cap = cap_null_cap_new();
    slot->revocable = false;
    slot->first_badged = false;
}

bool cte_is_final(const cte_t *slot)
{
    /* seL4 isFinalCapability: no neighbour in the list is the same object. Kernel-held
     * copies are skipped (they may sit between user caps) and are never final. */
    cap_t cap = slot->cap;
    if (cap_is_kernel_copy(cap))
        return false;
    const cte_t *p = slot->mdb_prev;
    while (p && cap_is_kernel_copy(p->cap))
        p = p->mdb_prev;
    if (p && same_object_as(p->cap, cap))
        return false;
    const cte_t *n = slot->mdb_next;
    while (n && cap_is_kernel_copy(n->cap))
        n = n->mdb_next;
    return !(n && same_object_as(cap, n->cap));
}

/* The first entry after `slot` in the list that is not a kernel-held copy: kernel copies
 * sit among a cap's descendants but are nobody's children, so they must not hide the
 * real children that follow them (Revoke, the untyped reset check). */
static cte_t *next_user_entry(const cte_t *slot)
{
    cte_t *n = slot->mdb_next;
    while (n && cap_is_kernel_copy(n->cap))
        n = n->mdb_next;
    return n;
}

bool cte_has_children(const cte_t *slot)
{
    cte_t *n = next_user_entry(slot);
    return n && is_mdb_parent_of(slot, n);
}

/* ---- deletion --------------------------------------------------------------------------- */

void finalise_cap(cap_t cap, bool final)
{
    switch (cap_get_capType(cap)) {
    case cap_frame_cap:
        frame_finalise(cap); /* every mapped frame cap owns its own mapping */
        return;
    case cap_page_table_cap:
        if (final)
            page_table_finalise(cap);
        return;
    case cap_vspace_cap:
        if (final && !cap_is_kernel_copy(cap))
            vspace_finalise(cap);
        return;
    case cap_notification_cap:
        if (final)
            notification_finalise(cap);
        return;
    case cap_irq_handler_cap:
        if (final)
            irq_handler_finalise(cap);
        return;
    case cap_irq_control_cap:
    case cap_untyped_cap: /* seL4: nothing; the memory goes back with the parent untyped */
    case cap_cnode_cap:   /* a non-final CNode cap; final ones go through delete_cnode */
    case cap_null_cap:
    case cap_zombie_cap:
        return;
    default:
        if (cap_is_smmu(cap))
            smmu_finalise_cap(cap, final);
        return;
    }
}

/* Delete a final CNode cap and every cap in the CNode, and in CNodes only reachable
 * through it, without recursion (seL4 does this with Zombie caps).
 *
 * The slot that held the final cap stays occupied by a zombie cap, out of the derivation
 * tree, naming the CNode and a cursor (the next slot to empty). Zombies form a stack
 * through their otherwise unused mdb_prev links: the top one is emptied slot by slot; a
 * slot holding another final CNode cap becomes a zombie in place and is pushed; a
 * zombie whose cursor reaches the end is emptied (its slot becomes null) and popped, and
 * its parent resumes at that now-empty slot. A zombie met while scanning (the cyclic
 * case: a CNode holding the slot of a CNode being emptied) is skipped: it belongs to an
 * unfinished zombie lower in the stack, which is emptied in its turn. Memory of emptied
 * CNodes is only reusable after this returns (Retype is a separate invocation), so
 * zombie slots inside them stay valid until popped. */
static void delete_cnode(cte_t *top)
{
    cap_t cap = top->cap;
    mdb_unlink(top);
    top->cap = cap_zombie_cap_new(cap_cnode_cap_get_capCNodePtr_pfn(cap),
                                  cap_cnode_cap_get_capCNodeRadix(cap), 0);
    top->mdb_prev = NULL; /* stack link: no zombie below */

    cte_t *cur = top;
    while (cur) {
        cap_t z = cur->cap;
        uint64_t i = cap_zombie_cap_get_capZombieCursor(z);
        uint64_t n = 1ULL << cap_zombie_cap_get_capZombieRadix(z);
        if (i >= n) {
            cte_t *below = cur->mdb_prev;
            cur->cap = cap_null_cap_new();
            cur->mdb_prev = NULL;
            cur->mdb_next = NULL;
            cur->revocable = false;
            cur->first_badged = false;
            cur = below;
            continue;
        }
        cte_t *s = cnode_slots_of(z) + i;
        uint64_t t = cap_get_capType(s->cap);
        if (t == cap_null_cap || t == cap_zombie_cap) {
            cur->cap = cap_zombie_cap_set_capZombieCursor(z, i + 1);
            continue;
        }
        bool final = cte_is_final(s);
        if (t == cap_cnode_cap && final) {
            cap_t c = s->cap;
            mdb_unlink(s);
            s->cap = cap_zombie_cap_new(cap_cnode_cap_get_capCNodePtr_pfn(c),
                                        cap_cnode_cap_get_capCNodeRadix(c), 0);
            s->mdb_prev = cur; /* push; cur resumes at slot i, empty once s is popped */
            cur = s;
            continue;
        }
        finalise_cap(s->cap, final);
        cte_empty(s);
        cur->cap = cap_zombie_cap_set_capZombieCursor(cur->cap, i + 1);
    }
}

void cte_delete(cte_t *slot)
{
    cap_t cap = slot->cap;
    uint64_t t = cap_get_capType(cap);
    if (t == cap_null_cap || t == cap_zombie_cap)
        return;
    bool final = cte_is_final(slot);
    if (t == cap_cnode_cap && final) {
        delete_cnode(slot);
        return;
    }
    /* Finalise first, while the cap still sits in the tree (a frame is unmapped and its
     * TLBs invalidated before anything can retype its memory), then empty the slot. */
    finalise_cap(cap, final);
    cte_empty(slot);
}

void cte_delete_one(cte_t *slot) { cte_delete(slot); }

void cte_revoke(cte_t *slot)
{
    /* seL4 cteRevoke: delete the next cap while it is a child. Each round deletes at
     * least one cap, so the loop ends; if the revoked cap itself is deleted on the way
     * (it lived in a CNode that went), its slot is empty and the loop stops. */
    while (cap_get_capType(slot->cap) != cap_null_cap) {
        cte_t *next = next_user_entry(slot);
        if (!next || !is_mdb_parent_of(slot, next))
            break;
        cte_delete(next);
    }
}

/* ---- derivation ------------------------------------------------------------------------- */

struct syscall_error derive_cap(const cte_t *slot, cap_t cap, cap_t *out)
{
    switch (cap_get_capType(cap)) {
    case cap_untyped_cap:
        /* seL4 ensureNoChildren: an untyped with objects is not copied. */
        if (cte_has_children(slot))
            return syscall_err(seL4_RevokeFirst);
        *out = cap;
        return SYSCALL_OK;
    case cap_frame_cap:
        /* seL4 ARM: a copy of a frame cap is unmapped (each cap maps the frame once). */
        cap = cap_frame_cap_set_capFIsMapped(cap, 0);
        cap = cap_frame_cap_set_capFMappedVMID(cap, 0);
        *out = cap_frame_cap_set_capFMappedAddress_pfn(cap, 0);
        return SYSCALL_OK;
    case cap_page_table_cap:
        /* seL4 ARM: only mapped page-table caps are copied, and the copy is as mapped
         * (one table, one place: an unmapped copy could map it a second time). */
        if (!cap_page_table_cap_get_capPTIsMapped(cap))
            return syscall_err(seL4_IllegalOperation);
        *out = cap;
        return SYSCALL_OK;
    case cap_vspace_cap:
        /* seL4 ARM: a VSpace root is copied only once it has an ASID (here: a VMID,
         * always); kernel-held copies never reach a user. */
        if (cap_is_kernel_copy(cap) || !cap_vspace_cap_get_capVSIsMapped(cap))
            return syscall_err(seL4_IllegalOperation);
        *out = cap;
        return SYSCALL_OK;
    case cap_cnode_cap:
    case cap_notification_cap:
    case cap_irq_handler_cap:
        *out = cap;
        return SYSCALL_OK;
    case cap_null_cap:
    case cap_zombie_cap:
    case cap_irq_control_cap: /* seL4: IRQControl derives to a null cap (not copied) */
        *out = cap_null_cap_new();
        return SYSCALL_OK;
    default:
        if (cap_is_smmu(cap) && smmu_cap_derivable(cap)) {
            *out = cap;
            return SYSCALL_OK;
        }
        return syscall_err(seL4_IllegalOperation);
    }
}

cap_t mask_cap_rights(seL4_CapRights_t rights, cap_t cap)
{
    if (cap_get_capType(cap) == cap_notification_cap) {
        /* seL4 maskCapRights: send with Write, receive with Read. */
        cap = cap_notification_cap_set_capNtfnCanSend(
            cap, cap_notification_cap_get_capNtfnCanSend(cap) && (rights & seL4_CanWrite));
        return cap_notification_cap_set_capNtfnCanReceive(
            cap, cap_notification_cap_get_capNtfnCanReceive(cap) && (rights & seL4_CanRead));
    }
    if (cap_get_capType(cap) != cap_frame_cap)
        return cap;
    unsigned vm = mask_vm_rights((unsigned)cap_frame_cap_get_capFVMRights(cap), rights);
    return cap_frame_cap_set_capFVMRights(cap, vm);
}

cap_t update_cap_data(seL4_Word data, cap_t cap)
{
    if (cap_get_capType(cap) == cap_notification_cap) {
        /* seL4: a badge is set once; minting a badged cap again gives a null cap. */
        if (cap_notification_cap_get_capNtfnBadge(cap) != 0)
            return cap_null_cap_new();
        return cap_notification_cap_set_capNtfnBadge(cap, data);
    }
    if (cap_get_capType(cap) != cap_cnode_cap)
        return cap;
    unsigned guard_size = (unsigned)(data & 0x3fu);
    uint64_t guard = data >> 6;
    unsigned radix = (unsigned)cap_cnode_cap_get_capCNodeRadix(cap);
    if (guard_size + radix > seL4_WordBits)
        return cap_null_cap_new();
    cap = cap_cnode_cap_set_capCNodeGuardSize(cap, guard_size);
    return cap_cnode_cap_set_capCNodeGuard(cap, guard & mask_bits(guard_size));
}

/* ---- CNode invocations (seL4 decodeCNodeInvocation) -------------------------------------- */

static struct syscall_error decode_copy_mint_move(struct invocation *inv, cte_t *dest)
{
    /* dest_index, dest_depth, src_index, src_depth share positions across Copy/Mint/Move. */
    _Static_assert(CNodeCopy_src_index == CNodeMint_src_index &&
                   CNodeCopy_src_index == CNodeMove_src_index &&
                   CNodeCopy_src_depth == CNodeMint_src_depth &&
                   CNodeCopy_src_depth == CNodeMove_src_depth &&
                   CNodeCopy_src_root == CNodeMint_src_root && CNodeCopy_src_root == CNodeMove_src_root,
                   "CNode message layouts agree");
    if (inv->length < CNodeMove_NWORDS || inv->extra_caps < CNodeMove_NCAPS)
        return syscall_err(seL4_TruncatedMessage);
    if (cap_get_capType(dest->cap) != cap_null_cap)
        return syscall_err(seL4_DeleteFirst);
    cte_t *src;
    struct syscall_error e =
        lookup_slot_for_cnode_op(true, inv->extra_slot[CNodeCopy_src_root]->cap,
                                 inv->mr[CNodeCopy_src_index], inv->mr[CNodeCopy_src_depth], &src);
    if (e.type != seL4_NoError)
        return e;
    if (cap_get_capType(src->cap) == cap_null_cap) {
        struct syscall_error fl = syscall_err(seL4_FailedLookup);
        fl.failed_lookup_was_source = true;
        return fl;
    }
    if (inv->label == CNodeMove) {
        cte_move(src->cap, src, dest);
        return SYSCALL_OK;
    }
    cap_t cap;
    if (inv->label == CNodeCopy) {
        if (inv->length < CNodeCopy_NWORDS)
            return syscall_err(seL4_TruncatedMessage);
        cap = mask_cap_rights(inv->mr[CNodeCopy_rights], src->cap);
    } else {
        if (inv->length < CNodeMint_NWORDS)
            return syscall_err(seL4_TruncatedMessage);
        cap = update_cap_data(inv->mr[CNodeMint_badge],
                              mask_cap_rights(inv->mr[CNodeMint_rights], src->cap));
    }
    cap_t derived;
    e = derive_cap(src, cap, &derived);
    if (e.type != seL4_NoError)
        return e;
    if (cap_get_capType(derived) == cap_null_cap)
        return syscall_err(seL4_IllegalOperation);
    cte_insert(derived, src, dest);
    return SYSCALL_OK;
}

struct syscall_error decode_cnode_invocation(struct invocation *inv)
{
    switch (inv->label) {
    case CNodeRevoke:
    case CNodeDelete:
    case CNodeCopy:
    case CNodeMint:
    case CNodeMove:
        break;
    default:
        return syscall_err(seL4_IllegalOperation);
    }
    _Static_assert(CNodeRevoke_index == 0 && CNodeDelete_index == 0 && CNodeCopy_dest_index == 0 &&
                   CNodeMint_dest_index == 0 && CNodeMove_dest_index == 0 &&
                   CNodeRevoke_depth == 1 && CNodeDelete_depth == 1 && CNodeCopy_dest_depth == 1 &&
                   CNodeMint_dest_depth == 1 && CNodeMove_dest_depth == 1,
                   "every CNode invocation starts with (index, depth)");
    if (inv->length < 2)
        return syscall_err(seL4_TruncatedMessage);
    cte_t *slot;
    struct syscall_error e = lookup_slot_for_cnode_op(false, inv->slot->cap, inv->mr[0], inv->mr[1], &slot);
    if (e.type != seL4_NoError)
        return e;
    switch (inv->label) {
    case CNodeRevoke:
        cte_revoke(slot);
        return SYSCALL_OK;
    case CNodeDelete:
        cte_delete(slot);
        return SYSCALL_OK;
    default:
        return decode_copy_mint_move(inv, slot);
    }
}
