/* SMMU object state, the hooks the kernel calls (finalise, same-object, derivable, VSpace
 * unmap/delete), and the invocation dispatch. */
#include "smmu_object.h"

#include <sel4/invocation.h>

#include "lib/bits.h"
#include "lib/string.h"
#include "object_internal.h"
#include "plat/plat.h"
#include "smmuv3/cd.h"
#include "smmuv3/tlb.h"

static struct smmu_instance instances[KERNEL_MAX_SMMUS];

err_t smmu_object_register(unsigned dev_id, struct smmu *dev)
{
    if (dev_id >= KERNEL_MAX_SMMUS || !dev)
        return ERR_RANGE;
    struct smmu_instance *s = &instances[dev_id];
    kmemset(s, 0, sizeof(*s));
    s->present = true;
    s->dev = dev;
    return ERR_NONE;
}

void smmu_object_reset(void) { kmemset(instances, 0, sizeof(instances)); }

struct smmu_instance *smmu_object_instance(unsigned dev_id)
{
    if (dev_id >= KERNEL_MAX_SMMUS || !instances[dev_id].present)
        return NULL;
    return &instances[dev_id];
}

_Static_assert((SMMU_MAX_ISSUED_SIDS & (SMMU_MAX_ISSUED_SIDS - 1)) == 0, "power of two");

/* Fibonacci hashing of the StreamID into the record table. */
static unsigned sid_home(uint32_t sid)
{
    return (unsigned)((sid * 2654435761u) >> 16) & (SMMU_MAX_ISSUED_SIDS - 1);
}

struct sid_state *smmu_object_find_sid(struct smmu_instance *s, uint32_t sid)
{
    unsigned h = sid_home(sid);
    for (unsigned i = 0; i < SMMU_MAX_ISSUED_SIDS; i++) {
        struct sid_state *st = &s->sids[(h + i) & (SMMU_MAX_ISSUED_SIDS - 1)];
        if (!st->used)
            return NULL; /* never used: the SID would have been placed here or before */
        if (st->issued && st->sid == sid)
            return st;
    }
    return NULL;
}

struct sid_state *smmu_object_free_sid(struct smmu_instance *s, uint32_t sid)
{
    unsigned h = sid_home(sid);
    for (unsigned i = 0; i < SMMU_MAX_ISSUED_SIDS; i++) {
        struct sid_state *st = &s->sids[(h + i) & (SMMU_MAX_ISSUED_SIDS - 1)];
        if (!st->issued)
            return st;
    }
    return NULL;
}

static bool bound_to(const struct sid_state *st, unsigned cb)
{
    return st->issued && cap_get_capType(st->cb_slot.cap) == cap_cb_cap &&
           cap_cb_cap_get_capCB(st->cb_slot.cap) == cb;
}

struct sid_state *smmu_object_next_bound_sid(struct smmu_instance *s, unsigned cb, struct sid_state *prev)
{
    if (cb >= SMMU_MAX_CBS || s->cbs[cb].bound_sids == 0)
        return NULL;
    for (unsigned i = prev ? (unsigned)(prev - s->sids) + 1 : 0; i < SMMU_MAX_ISSUED_SIDS; i++)
        if (bound_to(&s->sids[i], cb))
            return &s->sids[i];
    return NULL;
}

void obj_note_hw(struct smmu_instance *s, err_t e)
{
    if (e != ERR_NONE)
        s->hw_errors++;
}

/* ---- STEs from object state -------------------------------------------------------------- */

err_t obj_make_cb_ste(struct smmu_instance *s, const struct cb_state *cb, struct ste *out)
{
    struct vspace_obj *vs = vspace_from_cap(cb->vspace_slot.cap);
    if (!vs) {
        *out = make_abort_ste();
        return ERR_NONE;
    }
    if (cb->s1) {
        /* Stage 1 only: the kernel's CD for this context (written at AssignVspace). */
        struct ste_s1_config s1 = { .cd_table = plat_virt_to_phys(&s->cds[cb - s->cbs]),
                                    .fmt = STE0_S1FMT_LINEAR, .cdmax = 0 };
        return make_s1_ste(&s->dev->f, &s1, out);
    }
    struct ste_s2_config c = {
        .vmid = cb->vmid,
        .s2ttb = vs->pt.root,
        .t0sz = pt_format_t0sz(&vs->pt.fmt),
        .sl0 = pt_format_sl0(&vs->pt.fmt),
        .record_faults = true,
    };
    if (!cb->has_cd)
        return make_s2_ste(&s->dev->f, &c, out);
    struct ste_s1_config s1 = { .cd_table = cb->cd_table, .fmt = cb->cd_fmt, .cdmax = cb->cd_max };
    return make_nested_ste(&s->dev->f, &s1, &c, out);
}

void obj_cb_rewrite_stes(struct smmu_instance *s, struct cb_state *cb)
{
    unsigned cb_index = (unsigned)(cb - s->cbs);
    struct ste ste;
    if (obj_make_cb_ste(s, cb, &ste) != ERR_NONE)
        ste = make_abort_ste();
    for (struct sid_state *st = smmu_object_next_bound_sid(s, cb_index, NULL); st;
         st = smmu_object_next_bound_sid(s, cb_index, st))
        obj_write_ste(s, st->sid, &ste);
}

void obj_write_ste(struct smmu_instance *s, uint32_t sid, const struct ste *ste)
{
    obj_note_hw(s, smmu_write_ste(s->dev, sid, ste));
}

/* ---- kernel hooks --------------------------------------------------------------------- */

bool smmu_same_object(cap_t a, cap_t b)
{
    unsigned ta = (unsigned)cap_get_capType(a), tb = (unsigned)cap_get_capType(b);
    if (ta != tb)
        return false;
    switch (ta) {
    case cap_sid_control_cap:
        return cap_sid_control_cap_get_capDevID(a) == cap_sid_control_cap_get_capDevID(b);
    case cap_cb_control_cap:
        return cap_cb_control_cap_get_capDevID(a) == cap_cb_control_cap_get_capDevID(b);
    case cap_smmu_bypass_cap:
        return cap_smmu_bypass_cap_get_capDevID(a) == cap_smmu_bypass_cap_get_capDevID(b);
    case cap_sid_cap:
        return cap_sid_cap_get_capDevID(a) == cap_sid_cap_get_capDevID(b) &&
               cap_sid_cap_get_capSID(a) == cap_sid_cap_get_capSID(b);
    case cap_cb_cap:
        /* A SID's binding copy never keeps the CB alive. */
        if (cap_cb_cap_get_capCBBound(a) || cap_cb_cap_get_capCBBound(b))
            return false;
        return cap_cb_cap_get_capDevID(a) == cap_cb_cap_get_capDevID(b) &&
               cap_cb_cap_get_capCB(a) == cap_cb_cap_get_capCB(b);
    }
    return false;
}

bool smmu_cap_derivable(cap_t cap)
{
    switch ((unsigned)cap_get_capType(cap)) {
    case cap_sid_control_cap:
    case cap_cb_control_cap:
        return false; /* as seL4's SMMU control caps: one each, never copied */
    case cap_cb_cap:
        return !cap_cb_cap_get_capCBBound(cap);
    default:
        return true;
    }
}

/* The SID's binding copy is going: the stream aborts. */
static void unbind_sid(struct smmu_instance *s, struct sid_state *st, unsigned cb)
{
    if (cb < SMMU_MAX_CBS && s->cbs[cb].bound_sids > 0)
        s->cbs[cb].bound_sids--;
    struct ste abort_ste = make_abort_ste();
    obj_write_ste(s, st->sid, &abort_ste);
}

/* Unassign the CB's VSpace: SIDs bound to it abort, its VMID is invalidated. */
void obj_cb_unassign(struct smmu_instance *s, unsigned dev_id, struct cb_state *cb)
{
    struct vspace_obj *vs = vspace_from_cap(cb->vspace_slot.cap);
    if (vs && vs->smmu_refs[dev_id] > 0)
        vs->smmu_refs[dev_id]--;
    unsigned cb_index = (unsigned)(cb - s->cbs);
    struct ste abort_ste = make_abort_ste();
    for (struct sid_state *st = smmu_object_next_bound_sid(s, cb_index, NULL); st;
         st = smmu_object_next_bound_sid(s, cb_index, st))
        obj_write_ste(s, st->sid, &abort_ste);
    if (cb->s1) {
        /* Stage 1 only: the context's ASID goes (the STE no longer points at the CD). */
        struct smmu_cmd cmd = { .op = SMMU_CMD_TLBI_NH_ASID,
                                .tlbi_asid = { .vmid = SMMU_S1_VMID, .asid = SMMU_CB_ASID(cb_index) } };
        obj_note_hw(s, smmu_cmdq_submit(s->dev, &cmd, 1));
        s->cds[cb_index] = (struct cd){ { 0 } }; /* V = 0 */
        cb->s1 = false;
    } else {
        obj_note_hw(s, smmu_tlbi_vmid(s->dev, cb->vmid));
    }
    cb->has_cd = false; /* nesting needs the stage 2 */
    cte_delete_one(&cb->vspace_slot); /* a kernel copy: dropping it finalises nothing */
}

void smmu_finalise_cap(cap_t cap, bool final)
{
    unsigned type = (unsigned)cap_get_capType(cap);
    switch (type) {
    case cap_sid_cap: {
        if (!final)
            return;
        struct smmu_instance *s = smmu_object_instance((unsigned)cap_sid_cap_get_capDevID(cap));
        struct sid_state *st = s ? smmu_object_find_sid(s, (uint32_t)cap_sid_cap_get_capSID(cap)) : NULL;
        if (!st)
            return;
        if (cap_get_capType(st->cb_slot.cap) == cap_cb_cap)
            cte_delete_one(&st->cb_slot); /* -> the binding copy's finaliser: STE abort */
        if (st->bypass) {
            struct ste abort_ste = make_abort_ste();
            obj_write_ste(s, st->sid, &abort_ste);
        }
        st->issued = false;
        st->bypass = false;
        return;
    }
    case cap_cb_cap: {
        unsigned dev_id = (unsigned)cap_cb_cap_get_capDevID(cap);
        struct smmu_instance *s = smmu_object_instance(dev_id);
        unsigned cb = (unsigned)cap_cb_cap_get_capCB(cap);
        if (!s || cb >= SMMU_MAX_CBS)
            return;
        if (cap_cb_cap_get_capCBBound(cap)) {
            /* A binding copy: unbind exactly that SID. */
            struct sid_state *st = smmu_object_find_sid(s, (uint32_t)cap_cb_cap_get_capBindSID(cap));
            if (st)
                unbind_sid(s, st, cb);
            return;
        }
        if (!final)
            return;
        /* The last user cap to the CB: unbind its SIDs, drop its VSpace, free it. */
        for (struct sid_state *st = smmu_object_next_bound_sid(s, cb, NULL); st;
             st = smmu_object_next_bound_sid(s, cb, st))
            cte_delete_one(&st->cb_slot); /* its finaliser aborts the stream */
        struct cb_state *c = &s->cbs[cb];
        if (cap_get_capType(c->vspace_slot.cap) == cap_vspace_cap)
            obj_cb_unassign(s, dev_id, c);
        c->issued = false;
        return;
    }
    case cap_smmu_bypass_cap: {
        /* The last bypass authority of this SMMU is gone: nothing may bypass any more. */
        struct smmu_instance *s = smmu_object_instance((unsigned)cap_smmu_bypass_cap_get_capDevID(cap));
        if (!final || !s)
            return;
        s->bypass_issued = false;
        struct ste abort_ste = make_abort_ste();
        for (unsigned i = 0; i < SMMU_MAX_ISSUED_SIDS; i++) {
            struct sid_state *st = &s->sids[i];
            if (st->issued && st->bypass) {
                st->bypass = false;
                obj_write_ste(s, st->sid, &abort_ste);
            }
        }
        return;
    }
    default:
        return; /* control caps hold no state */
    }
}

void smmu_vspace_unmapped(struct vspace_obj *vs, uint64_t ipa, uint64_t size, unsigned leaf_level)
{
    if (size == 0)
        return;
    for (unsigned d = 0; d < KERNEL_MAX_SMMUS; d++) {
        if (!vs->smmu_refs[d] || !instances[d].present)
            continue;
        struct smmu_instance *s = &instances[d];
        /* Every CB of this SMMU that uses the VSpace, in one batch and one CMD_SYNC. */
        struct smmu_cmd cmds[TLBI_MAX_RANGE_CMDS * 8];
        unsigned n = 0;
        bool overflow = false;
        for (unsigned cb = 0; cb < SMMU_MAX_CBS; cb++) {
            struct cb_state *c = &s->cbs[cb];
            if (!c->issued || vspace_from_cap(c->vspace_slot.cap) != vs)
                continue;
            err_t e;
            unsigned k = c->s1 ? obj_s1_tlbi_build(s, cb, ipa, size, &cmds[n], (unsigned)ARRAY_SIZE(cmds) - n, &e)
                               : smmu_tlbi_s2_build(&s->dev->f, c->vmid, ipa, size, leaf_level, &cmds[n],
                                                    (unsigned)ARRAY_SIZE(cmds) - n, &e);
            if (e != ERR_NONE || k == 0 || n + k >= ARRAY_SIZE(cmds)) {
                overflow = true;
                break;
            }
            n += k;
            /* Nested: combined stage 1+2 entries need not go with TLBI_S2_IPA (4.4.3.1). */
            if (c->has_cd)
                cmds[n++] = (struct smmu_cmd){ .op = SMMU_CMD_TLBI_NH_ALL, .tlbi_vmid = { .vmid = c->vmid } };
        }
        if (overflow) {
            /* More contexts than one batch holds: flush this SMMU's TLB entirely. */
            cmds[0] = smmu_cmd_tlbi_nsnh_all();
            n = 1;
        }
        if (n)
            obj_note_hw(s, smmu_cmdq_submit(s->dev, cmds, n));
    }
}

void smmu_vspace_deleted(struct vspace_obj *vs)
{
    for (unsigned d = 0; d < KERNEL_MAX_SMMUS; d++) {
        struct smmu_instance *s = &instances[d];
        if (!s->present)
            continue;
        for (unsigned cb = 0; cb < SMMU_MAX_CBS; cb++) {
            struct cb_state *c = &s->cbs[cb];
            if (c->issued && vspace_from_cap(c->vspace_slot.cap) == vs)
                obj_cb_unassign(s, d, c);
        }
    }
}

/* ---- dispatch ----------------------------------------------------------------------- */

struct syscall_error decode_smmu_invocation(struct invocation *inv)
{
    cap_t cap = inv->slot->cap;
    switch ((unsigned)cap_get_capType(cap)) {
    case cap_sid_control_cap:
        return decode_sid_control_invocation(inv);
    case cap_sid_cap:
        return decode_sid_invocation(inv);
    case cap_cb_control_cap:
        return decode_cb_control_invocation(inv);
    case cap_cb_cap:
        return decode_cb_invocation(inv);
    default:
        return syscall_err(seL4_IllegalOperation); /* bypass caps have no invocations */
    }
}
