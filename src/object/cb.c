/* CBControl (issues translation contexts) and CB caps (assign or unassign a VSpace,
 * invalidate the context's TLB entries). Each context has its own VMID on its SMMU. */
#include <sel4/invocation.h>

#include "lib/bits.h"
#include "object_internal.h"
#include "smmuv3/tlb.h"

static struct syscall_error decode_get_cb(struct invocation *inv, unsigned dev_id, struct smmu_instance *s)
{
    if (obj_truncated(inv, ARMCBControlGetCB_NWORDS, ARMCBControlGetCB_NCAPS))
        return syscall_err(seL4_TruncatedMessage);
    seL4_Word cb = inv->mr[ARMCBControlGetCB_cb];
    if (cb >= SMMU_MAX_CBS) {
        struct syscall_error e = syscall_range(0, SMMU_MAX_CBS - 1);
        e.invalid_argument = ARMCBControlGetCB_cb;
        return e;
    }
    if (s->cbs[cb].issued)
        return syscall_err(seL4_RevokeFirst);
    cte_t *dest;
    struct syscall_error e = kernel_lookup_empty_slot(inv->extra_slot[ARMCBControlGetCB_root]->cap,
                                                      inv->mr[ARMCBControlGetCB_index],
                                                      inv->mr[ARMCBControlGetCB_depth],
                                                      ARMCBControlGetCB_index, &dest);
    if (e.type != seL4_NoError)
        return e;

    obj_issue_cb(s, dev_id, (unsigned)cb, inv->slot, dest);
    return SYSCALL_OK;
}

void obj_issue_cb(struct smmu_instance *s, unsigned dev_id, unsigned cb, cte_t *parent, cte_t *dest)
{
    /* VMIDs 1..SMMU_MAX_CBS, one per context (VMID 0 stays unused). */
    s->cbs[cb] = (struct cb_state){ .issued = true, .vmid = (uint16_t)(cb + 1) };
    cte_insert(cap_cb_cap_new(cb, dev_id, 0, 0), parent, dest);
}

struct syscall_error decode_cb_control_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    unsigned dev_id = (unsigned)cap_cb_control_cap_get_capDevID(cap);
    struct smmu_instance *s = smmu_object_instance(dev_id);
    if (!s)
        return syscall_err(seL4_IllegalOperation);
    switch (inv->label) {
    case ARMCBControlGetCB:
        return decode_get_cb(inv, dev_id, s);
    case ARMCBControlTLBInvalidateAll: {
        struct smmu_cmd cmd = smmu_cmd_tlbi_nsnh_all();
        obj_note_hw(s, smmu_cmdq_submit(s->dev, &cmd, 1));
        return SYSCALL_OK;
    }
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}

static struct syscall_error decode_assign(struct invocation *inv, unsigned dev_id, struct smmu_instance *s,
                                          struct cb_state *c)
{
    if (obj_truncated(inv, ARMCBAssignVspace_NWORDS, ARMCBAssignVspace_NCAPS))
        return syscall_err(seL4_TruncatedMessage);
    cte_t *vs_slot = inv->extra_slot[ARMCBAssignVspace_vspace];
    cap_t vs_cap = vs_slot->cap;
    struct vspace_obj *vs = vspace_from_cap(vs_cap);
    if (cap_get_capType(vs_cap) != cap_vspace_cap || cap_vspace_cap_get_capVSKernelCopy(vs_cap) || !vs)
        return syscall_invalid_cap(ARMCBAssignVspace_vspace);
    if (cap_get_capType(c->vspace_slot.cap) == cap_vspace_cap)
        return syscall_err(seL4_DeleteFirst);
    /* The SMMU must be able to walk this table (IPA size within its OAS, ...). */
    struct smmu_features *f = &s->dev->f;
    struct ste probe;
    struct ste_s2_config pc = { .vmid = c->vmid, .s2ttb = vs->pt.root, .t0sz = pt_format_t0sz(&vs->pt.fmt),
                                .sl0 = pt_format_sl0(&vs->pt.fmt) };
    if (make_s2_ste(f, &pc, &probe) != ERR_NONE)
        return syscall_invalid_cap(ARMCBAssignVspace_vspace);

    /* invoke: keep a kernel copy; record the binding in the user's cap (capPUDSMMUID). */
    cap_t copy = cap_vspace_cap_set_capVSKernelCopy(vs_cap, 1);
    cte_insert(copy, vs_slot, &c->vspace_slot);
    if (!cap_vspace_cap_get_capVSBound(vs_cap)) {
        vs_cap = cap_vspace_cap_set_capVSBound(vs_cap, 1);
        vs_cap = cap_vspace_cap_set_capPUDSMMUID(vs_cap, dev_id);
        vs_slot->cap = vs_cap;
    }
    vs->smmu_refs[dev_id]++;
    /* SIDs that stayed bound across an unassign translate again. */
    unsigned cb_index = (unsigned)(c - s->cbs);
    struct ste ste;
    if (obj_make_cb_ste(s, c, &ste) == ERR_NONE) {
        for (struct sid_state *st = smmu_object_next_bound_sid(s, cb_index, NULL); st;
             st = smmu_object_next_bound_sid(s, cb_index, st))
            obj_write_ste(s, st->sid, &ste);
    }
    return SYSCALL_OK;
}

static struct syscall_error decode_tlb_invalidate(struct invocation *inv, struct smmu_instance *s,
                                                  struct cb_state *c)
{
    if (obj_truncated(inv, ARMCBTLBInvalidate_NWORDS, ARMCBTLBInvalidate_NCAPS))
        return syscall_err(seL4_TruncatedMessage);
    struct vspace_obj *vs = vspace_from_cap(c->vspace_slot.cap);
    if (!vs)
        return syscall_err(seL4_IllegalOperation);
    seL4_Word va = inv->mr[ARMCBTLBInvalidate_vaddr], size = inv->mr[ARMCBTLBInvalidate_size];
    if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
        return syscall_err(seL4_AlignmentError);
    uint64_t limit = 1ULL << vs->pt.fmt.ia_bits;
    if (size == 0 || va >= limit || size > limit - va) {
        struct syscall_error e = syscall_range(0, limit);
        e.invalid_argument = size == 0 || va < limit ? ARMCBTLBInvalidate_size : ARMCBTLBInvalidate_vaddr;
        return e;
    }
    obj_note_hw(s, smmu_tlbi_s2_range(s->dev, c->vmid, va, size, 0));
    return SYSCALL_OK;
}

struct syscall_error decode_cb_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    unsigned dev_id = (unsigned)cap_cb_cap_get_capDevID(cap);
    unsigned cb = (unsigned)cap_cb_cap_get_capCB(cap);
    struct smmu_instance *s = smmu_object_instance(dev_id);
    if (!s || cb >= SMMU_MAX_CBS || !s->cbs[cb].issued || cap_cb_cap_get_capCBBound(cap))
        return syscall_err(seL4_IllegalOperation);
    struct cb_state *c = &s->cbs[cb];
    bool assigned = cap_get_capType(c->vspace_slot.cap) == cap_vspace_cap;
    switch (inv->label) {
    case ARMCBAssignVspace:
        return decode_assign(inv, dev_id, s, c);
    case ARMCBUnassignVspace:
        if (!assigned)
            return syscall_err(seL4_IllegalOperation);
        obj_cb_unassign(s, dev_id, c);
        return SYSCALL_OK;
    case ARMCBTLBInvalidateAll:
        if (!assigned)
            return syscall_err(seL4_IllegalOperation);
        obj_note_hw(s, smmu_tlbi_vmid(s->dev, c->vmid));
        return SYSCALL_OK;
    case ARMCBTLBInvalidate:
        return decode_tlb_invalidate(inv, s, c);
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}
