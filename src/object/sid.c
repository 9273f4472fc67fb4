/* SIDControl (issues StreamID caps, the privileged bypass cap) and SID caps (bind to a
 * CB, unbind, bypass). seL4 SMMUv2's shape with 32-bit SIDs and a device id. */
#include <sel4/invocation.h>

#include "lib/bits.h"
#include "object_internal.h"

static struct smmu_instance *instance_of(cap_t cap)
{
    switch ((unsigned)cap_get_capType(cap)) {
    case cap_sid_control_cap: return smmu_object_instance((unsigned)cap_sid_control_cap_get_capDevID(cap));
    case cap_sid_cap: return smmu_object_instance((unsigned)cap_sid_cap_get_capDevID(cap));
    default: return NULL;
    }
}

static struct syscall_error decode_get_sid(struct invocation *inv, unsigned dev_id, struct smmu_instance *s)
{
    if (obj_truncated(inv, ARMSIDControlGetSID_NWORDS, ARMSIDControlGetSID_NCAPS))
        return syscall_err(seL4_TruncatedMessage);
    seL4_Word smmu_id = inv->mr[ARMSIDControlGetSID_smmu_id];
    seL4_Word sid = inv->mr[ARMSIDControlGetSID_sid];
    if (smmu_id != dev_id)
        return syscall_invalid_arg(ARMSIDControlGetSID_smmu_id);
    unsigned bits = s->dev->strtab.layout.sid_bits;
    seL4_Word max = bits >= 32 ? 0xffffffffULL : (1ULL << bits) - 1;
    if (sid > max) {
        struct syscall_error e = syscall_range(0, max);
        e.invalid_argument = ARMSIDControlGetSID_sid;
        return e;
    }
    if (smmu_object_find_sid(s, (uint32_t)sid))
        return syscall_err(seL4_RevokeFirst);
    struct sid_state *free_rec = smmu_object_free_sid(s, (uint32_t)sid);
    if (!free_rec)
        return syscall_err(seL4_NotEnoughMemory);
    cte_t *dest;
    struct syscall_error e = kernel_lookup_empty_slot(inv->extra_slot[ARMSIDControlGetSID_root]->cap,
                                                      inv->mr[ARMSIDControlGetSID_index],
                                                      inv->mr[ARMSIDControlGetSID_depth],
                                                      ARMSIDControlGetSID_index, &dest);
    if (e.type != seL4_NoError)
        return e;
    /* Populate the level-2 stream table now, so binding can never run out of memory. It
     * holds only abort STEs: this grants nothing, and stays if the call fails later. */
    struct ste abort_ste = make_abort_ste();
    err_t err = smmu_write_ste(s->dev, (uint32_t)sid, &abort_ste);
    if (err == ERR_NO_MEMORY)
        return syscall_err(seL4_NotEnoughMemory);
    obj_note_hw(s, err);

    obj_issue_sid(free_rec, dev_id, (uint32_t)sid, inv->slot, dest);
    return SYSCALL_OK;
}

void obj_issue_sid(struct sid_state *rec, unsigned dev_id, uint32_t sid, cte_t *parent, cte_t *dest)
{
    rec->used = true;
    rec->issued = true;
    rec->bypass = false;
    rec->sid = sid;
    rec->cb_slot = (cte_t){ 0 };
    cte_insert(cap_sid_cap_new(sid, dev_id), parent, dest);
}

static struct syscall_error decode_get_bypass(struct invocation *inv, unsigned dev_id, struct smmu_instance *s)
{
    if (obj_truncated(inv, ARMSIDControlGetBypass_NWORDS, ARMSIDControlGetBypass_NCAPS))
        return syscall_err(seL4_TruncatedMessage);
    if (s->bypass_issued)
        return syscall_err(seL4_RevokeFirst); /* one bypass cap per SMMU; copy it to share */
    cte_t *dest;
    struct syscall_error e = kernel_lookup_empty_slot(inv->extra_slot[ARMSIDControlGetBypass_root]->cap,
                                                      inv->mr[ARMSIDControlGetBypass_index],
                                                      inv->mr[ARMSIDControlGetBypass_depth],
                                                      ARMSIDControlGetBypass_index, &dest);
    if (e.type != seL4_NoError)
        return e;
    s->bypass_issued = true;
    cte_insert(cap_smmu_bypass_cap_new(dev_id), inv->slot, dest);
    return SYSCALL_OK;
}

struct syscall_error decode_sid_control_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    unsigned dev_id = (unsigned)cap_sid_control_cap_get_capDevID(cap);
    struct smmu_instance *s = instance_of(cap);
    if (!s)
        return syscall_err(seL4_IllegalOperation);
    switch (inv->label) {
    case ARMSIDControlGetSID:
        return decode_get_sid(inv, dev_id, s);
    case ARMSIDControlGetBypass:
        return decode_get_bypass(inv, dev_id, s);
    default:
        return decode_smmu_control_invocation(inv, s);
    }
}

static bool sid_is_bound(const struct sid_state *st)
{
    return st->bypass || cap_get_capType(st->cb_slot.cap) == cap_cb_cap;
}

static struct syscall_error decode_bind(struct invocation *inv, struct smmu_instance *s, struct sid_state *st,
                                        unsigned dev_id)
{
    if (obj_truncated(inv, ARMSIDBindCB_NWORDS, ARMSIDBindCB_NCAPS))
        return syscall_err(seL4_TruncatedMessage);
    cte_t *cb_slot = inv->extra_slot[ARMSIDBindCB_cb];
    cap_t cb_cap = cb_slot->cap;
    if (cap_get_capType(cb_cap) != cap_cb_cap || cap_cb_cap_get_capCBBound(cb_cap) ||
        cap_cb_cap_get_capDevID(cb_cap) != dev_id)
        return syscall_invalid_cap(ARMSIDBindCB_cb); /* not a CB of this SMMU */
    unsigned cb = (unsigned)cap_cb_cap_get_capCB(cb_cap);
    if (cb >= SMMU_MAX_CBS || !s->cbs[cb].issued ||
        cap_get_capType(s->cbs[cb].vspace_slot.cap) != cap_vspace_cap)
        return syscall_invalid_cap(ARMSIDBindCB_cb); /* CB without a VSpace */
    if (sid_is_bound(st))
        return syscall_err(seL4_DeleteFirst);
    struct ste ste;
    if (obj_make_cb_ste(s, &s->cbs[cb], &ste) != ERR_NONE)
        return syscall_invalid_cap(ARMSIDBindCB_cb); /* VSpace format this SMMU cannot walk */

    /* invoke */
    cap_t copy = cb_cap;
    copy = cap_cb_cap_set_capCBBound(copy, 1);
    copy = cap_cb_cap_set_capBindSID(copy, st->sid);
    cte_insert(copy, cb_slot, &st->cb_slot);
    s->cbs[cb].bound_sids++;
    obj_write_ste(s, st->sid, &ste);
    return SYSCALL_OK;
}

static struct syscall_error decode_bypass(struct invocation *inv, struct smmu_instance *s, struct sid_state *st,
                                          unsigned dev_id)
{
    if (obj_truncated(inv, ARMSIDBypass_NWORDS, ARMSIDBypass_NCAPS))
        return syscall_err(seL4_TruncatedMessage);
    cap_t b = inv->extra_slot[ARMSIDBypass_bypass]->cap;
    if (cap_get_capType(b) != cap_smmu_bypass_cap || cap_smmu_bypass_cap_get_capDevID(b) != dev_id)
        return syscall_invalid_cap(ARMSIDBypass_bypass);
    if (sid_is_bound(st))
        return syscall_err(seL4_DeleteFirst);
    st->bypass = true;
    struct ste ste = make_bypass_ste();
    obj_write_ste(s, st->sid, &ste);
    return SYSCALL_OK;
}

struct syscall_error decode_sid_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    unsigned dev_id = (unsigned)cap_sid_cap_get_capDevID(cap);
    struct smmu_instance *s = instance_of(cap);
    struct sid_state *st = s ? smmu_object_find_sid(s, (uint32_t)cap_sid_cap_get_capSID(cap)) : NULL;
    if (!st)
        return syscall_err(seL4_IllegalOperation);
    switch (inv->label) {
    case ARMSIDBindCB:
        return decode_bind(inv, s, st, dev_id);
    case ARMSIDUnbindCB:
        if (!sid_is_bound(st))
            return syscall_err(seL4_IllegalOperation);
        if (st->bypass) {
            st->bypass = false;
            struct ste abort_ste = make_abort_ste();
            obj_write_ste(s, st->sid, &abort_ste);
        } else {
            cte_delete_one(&st->cb_slot); /* its finaliser writes the abort STE */
        }
        return SYSCALL_OK;
    case ARMSIDBypass:
        return decode_bypass(inv, s, st, dev_id);
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}
