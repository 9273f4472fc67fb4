/* CSpace: CNodes, cptr resolution, the derivation tree (seL4's MDB) and the CNode
 * invocations. Internal to src/kernel; the services the SMMU objects use are declared in
 * kernel.h. */
#ifndef KERNEL_CSPACE_H
#define KERNEL_CSPACE_H

#include <sel4/object_types.h>

#include "kernel.h"

_Static_assert(sizeof(cte_t) <= (1u << seL4_SlotBits), "a cte_t fits one slot");

/* Object size (log2 bytes) of a CNode of 2^radix slots (at least a page: see
 * seL4_SlotBits). */
static inline unsigned cnode_size_bits(unsigned radix)
{
    return radix + seL4_SlotBits > seL4_PageBits ? radix + seL4_SlotBits : seL4_PageBits;
}

/* The slots of the CNode a cnode_cap (or zombie_cap) names. */
cte_t *cnode_slots_of(cap_t cap);

/* seL4 resolveAddressBits: walk `n_bits` of `cptr` from the CNode `node` through guards
 * and CNodes. On success *slot is the slot reached and *bits_left the bits not resolved
 * (non-zero when the walk met a non-CNode cap early). False on a guard or depth mismatch
 * or when `node` is not a CNode. At most 64 steps (each consumes at least one bit). */
bool resolve_address_bits(cap_t node, seL4_Word cptr, unsigned n_bits, cte_t **slot,
                          unsigned *bits_left);

/* seL4 lookupSlotForCNodeOp: (root, index, depth) must name exactly one slot.
 * seL4_FailedLookup (root not a CNode, walk failed, bits left over; failed_lookup_was_source
 * = is_source) or seL4_RangeError (depth outside 1..64). */
struct syscall_error lookup_slot_for_cnode_op(bool is_source, cap_t root, seL4_Word index,
                                              seL4_Word depth, cte_t **out);

/* seL4 lookupSlot for the syscall path: resolve a cptr at depth 64 from a thread's CSpace
 * root, accepting an early stop at a non-CNode cap. NULL if it does not resolve. */
cte_t *lookup_slot(cap_t root, seL4_Word cptr);

/* seL4 sameRegionAs / sameObjectAs / isMDBParentOf. */
bool same_region_as(cap_t a, cap_t b);
bool same_object_as(cap_t a, cap_t b);
bool is_mdb_parent_of(const cte_t *a, const cte_t *b);

/* Physical region of a cap (untyped, CNode, frame, page table, VSpace). */
bool cap_phys_region(cap_t cap, paddr_t *base, unsigned *size_bits);

/* seL4 insertNewCap: a cap for an object just retyped from the untyped in `parent`. */
void cte_insert_new(cap_t cap, cte_t *parent, cte_t *dest);
/* seL4 cteMove: `cap` (src's cap, possibly updated) and src's place in the tree go to
 * dest; src becomes empty. */
void cte_move(cap_t cap, cte_t *src, cte_t *dest);
/* Replace the cap in an occupied slot, keeping its place in the tree (e.g. mapped state). */
static inline void cte_set_cap(cte_t *slot, cap_t cap) { slot->cap = cap; }

/* seL4 cteDelete: finalise if final, then empty. A final CNode cap with caps in its slots
 * has them deleted first, iteratively (see cspace.c: no recursion, any nesting, cycles
 * included). Never fails. Same as cte_delete_one. */
void cte_delete(cte_t *slot);
/* seL4 cteRevoke: delete every descendant of the cap in `slot`. Never fails. */
void cte_revoke(cte_t *slot);

/* seL4 deriveCap: the cap a copy of `slot`'s cap `cap` may be. seL4_RevokeFirst (untyped
 * with children), seL4_IllegalOperation (not derivable); *out may be the null cap. */
struct syscall_error derive_cap(const cte_t *slot, cap_t cap, cap_t *out);
/* seL4 maskCapRights: frames lose the VM rights `rights` lacks, notifications CanSend
 * without Write and CanReceive without Read; other caps unchanged. */
cap_t mask_cap_rights(seL4_CapRights_t rights, cap_t cap);
/* seL4 updateCapData(preserve = false): Mint's badge word. CNode caps take their guard
 * from it (seL4_CNode_CapData: guard [63:6], guard size [5:0]); null if it does not fit.
 * Unbadged notification caps take it as their badge (a badged one gives null). Other caps
 * have no badge here and are unchanged. */
cap_t update_cap_data(seL4_Word data, cap_t cap);

/* CNode invocations: seL4_CNode_Revoke, Delete, Copy, Mint, Move. */
struct syscall_error decode_cnode_invocation(struct invocation *inv);

/* Object finalisation for one cap being deleted (not CNodes: cte_delete handles those). */
void finalise_cap(cap_t cap, bool final);

#endif
