/* CBControl (issues translation contexts) and CB caps (assign or unassign a VSpace,
 * invalidate the context's TLB entries). Each context has its own VMID on its SMMU, and
 * its own ASID for when its VSpace is an IO space (stage 1 only, kernel-built CD). */
#include <sel4/invocation.h>

#include "lib/bits.h"
#include "object_internal.h"
#include "plat/plat.h"
#include "smmuv3/cd.h"
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
    unsigned cb = (unsigned)(c - s->cbs);
    struct cd cd;
    if (vspace_is_io(vs)) {
        /* An IO space: stage 1 only, through the kernel's CD for this context. */
        struct cd_config cc = { .asid = SMMU_CB_ASID(cb), .ttb0 = vs->pt.root, .t0sz = pt_format_t0sz(&vs->pt.fmt),
                                .mair = PT_S1_MAIR, .record_faults = true };
        if (make_cd(f, &cc, &cd) != ERR_NONE)
            return syscall_invalid_cap(ARMCBAssignVspace_vspace); /* e.g. no stage 1 */
    } else {
        struct ste probe;
        struct ste_s2_config pc = { .vmid = c->vmid, .s2ttb = vs->pt.root, .t0sz = pt_format_t0sz(&vs->pt.fmt),
                                    .sl0 = pt_format_sl0(&vs->pt.fmt) };
        if (make_s2_ste(f, &pc, &probe) != ERR_NONE)
            return syscall_invalid_cap(ARMCBAssignVspace_vspace);
    }

    /* invoke: keep a kernel copy; record the binding in the user's cap (capPUDSMMUID). */
    cap_t copy = cap_vspace_cap_set_capVSKernelCopy(vs_cap, 1);
    cte_insert(copy, vs_slot, &c->vspace_slot);
    if (!cap_vspace_cap_get_capVSBound(vs_cap)) {
        vs_cap = cap_vspace_cap_set_capVSBound(vs_cap, 1);
        vs_cap = cap_vspace_cap_set_capPUDSMMUID(vs_cap, dev_id);
        vs_slot->cap = vs_cap;
    }
    vs->smmu_refs[dev_id]++;
    if (vspace_is_io(vs)) {
        /* The CD is complete and visible before any STE points at it. The CD was invalid
         * (V = 0) since the last unassign, whose TLBI_NH_ASID emptied the ASID, and each
         * STE rewrite below (CFGI_STE) drops whatever CD the SMMU cached for the SID. */
        s->cds[cb] = cd;
        plat_clean_to_poc(&s->cds[cb], sizeof(cd));
        plat_dsb_ishst();
        c->s1 = true;
    }
    /* SIDs that stayed bound across an unassign translate again. */
    obj_cb_rewrite_stes(s, c);
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
    if (c->s1) {
        /* Stage 1 only: the context's ASID, VMID as its STEs (TLBI_NH_VA + CMD_SYNC). */
        struct smmu_cmd cmds[TLBI_MAX_PAGE_CMDS];
        err_t e;
        unsigned n = obj_s1_tlbi_build(s, (unsigned)(c - s->cbs), va, size, cmds, ARRAY_SIZE(cmds), &e);
        if (n)
            obj_note_hw(s, smmu_cmdq_submit(s->dev, cmds, n));
        return SYSCALL_OK;
    }
    obj_note_hw(s, smmu_tlbi_s2_range(s->dev, c->vmid, va, size, 0));
    return SYSCALL_OK;
}

/* Bytes the CD table's top level occupies: the CDs themselves (linear), or the level-1
 * descriptors (2-level; 4K leaves hold 64 CDs, 64K leaves 1024). */
static uint64_t cd_table_bytes(unsigned fmt, unsigned cdmax)
{
    if (fmt == STE0_S1FMT_LINEAR)
        return (uint64_t)CD_SIZE << cdmax;
    unsigned leaf_bits = fmt == STE0_S1FMT_4K_L2 ? 6u : 10u;
    return 8ULL << (cdmax > leaf_bits ? cdmax - leaf_bits : 0);
}

static struct syscall_error decode_assign_cd(struct invocation *inv, struct smmu_instance *s, struct cb_state *c)
{
    if (obj_truncated(inv, ARMCBAssignCDTable_NWORDS, 0))
        return syscall_err(seL4_TruncatedMessage);
    struct vspace_obj *vs = vspace_from_cap(c->vspace_slot.cap);
    if (!vs || c->s1 || !s->dev->f.s1)
        return syscall_err(seL4_IllegalOperation); /* nesting needs the stage 2 and stage 1 */
    if (c->has_cd)
        return syscall_err(seL4_DeleteFirst);
    seL4_Word ipa = inv->mr[ARMCBAssignCDTable_cd_table];
    seL4_Word fmt = inv->mr[ARMCBAssignCDTable_fmt];
    seL4_Word cdmax = inv->mr[ARMCBAssignCDTable_cdmax];
    if (fmt > STE0_S1FMT_64K_L2 || (fmt != STE0_S1FMT_LINEAR && !s->dev->f.cd2l))
        return syscall_invalid_arg(ARMCBAssignCDTable_fmt);
    if (cdmax > s->dev->f.ssid_bits) {
        struct syscall_error e = syscall_range(0, s->dev->f.ssid_bits);
        e.invalid_argument = ARMCBAssignCDTable_cdmax;
        return e;
    }
    if (!IS_ALIGNED(ipa, CD_SIZE))
        return syscall_err(seL4_AlignmentError);
    uint64_t limit = 1ULL << vs->pt.fmt.ia_bits, bytes = cd_table_bytes((unsigned)fmt, (unsigned)cdmax);
    if (ipa >= limit || bytes > limit - ipa) {
        struct syscall_error e = syscall_range(0, limit - bytes);
        e.invalid_argument = ARMCBAssignCDTable_cd_table;
        return e;
    }
    /* invoke: every bound SID becomes nested; forget what was cached for the VMID. */
    c->has_cd = true;
    c->cd_table = ipa;
    c->cd_fmt = (uint8_t)fmt;
    c->cd_max = (uint8_t)cdmax;
    obj_cb_rewrite_stes(s, c);
    obj_note_hw(s, smmu_tlbi_vmid(s->dev, c->vmid));
    return SYSCALL_OK;
}

/* CFGI_CD_ALL for every SID bound to the CB, one CMD_SYNC: the guest changed its CDs. */
static struct syscall_error cd_invalidate(struct smmu_instance *s, struct cb_state *c)
{
    struct smmu_cmd cmds[64];
    unsigned n = 0, cb = (unsigned)(c - s->cbs);
    for (struct sid_state *st = smmu_object_next_bound_sid(s, cb, NULL); st;
         st = smmu_object_next_bound_sid(s, cb, st)) {
        if (n == ARRAY_SIZE(cmds)) {
            obj_note_hw(s, smmu_cmdq_submit(s->dev, cmds, n));
            n = 0;
        }
        cmds[n++] = (struct smmu_cmd){ .op = SMMU_CMD_CFGI_CD_ALL, .cfgi_cd_all = { .sid = st->sid } };
    }
    if (n)
        obj_note_hw(s, smmu_cmdq_submit(s->dev, cmds, n));
    return SYSCALL_OK;
}

/* Stage-1 TLB maintenance for the guest: TLBI_NH_ASID or TLBI_NH_VA ranges, always with
 * this CB's VMID, so nothing of another VM can be touched. */
static struct syscall_error s1_tlb_invalidate(struct invocation *inv, struct smmu_instance *s, struct cb_state *c)
{
    if (obj_truncated(inv, ARMCBS1TLBInvalidate_NWORDS, 0))
        return syscall_err(seL4_TruncatedMessage);
    seL4_Word asid = inv->mr[ARMCBS1TLBInvalidate_asid];
    seL4_Word va = inv->mr[ARMCBS1TLBInvalidate_vaddr], size = inv->mr[ARMCBS1TLBInvalidate_size];
    seL4_Word asid_max = s->dev->f.asid16 ? 0xffff : 0xff;
    if (asid > asid_max) {
        struct syscall_error e = syscall_range(0, asid_max);
        e.invalid_argument = ARMCBS1TLBInvalidate_asid;
        return e;
    }
    if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
        return syscall_err(seL4_AlignmentError);
    if (size != 0 && (va >> 48 != 0 || size > (1ULL << 48) - va)) {
        struct syscall_error e = syscall_range(0, 1ULL << 48);
        e.invalid_argument = ARMCBS1TLBInvalidate_vaddr;
        return e;
    }
    if (size == 0) {
        struct smmu_cmd cmd = { .op = SMMU_CMD_TLBI_NH_ASID,
                                .tlbi_asid = { .vmid = c->vmid, .asid = (uint16_t)asid } };
        obj_note_hw(s, smmu_cmdq_submit(s->dev, &cmd, 1));
        return SYSCALL_OK;
    }
    struct smmu_cmd cmds[TLBI_MAX_PAGE_CMDS];
    err_t e;
    unsigned n = smmu_tlbi_s1_build(&s->dev->f, c->vmid, (uint16_t)asid, va, size, cmds, ARRAY_SIZE(cmds), &e);
    if (n)
        obj_note_hw(s, smmu_cmdq_submit(s->dev, cmds, n));
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
        if (c->s1) {
            struct smmu_cmd cmd = { .op = SMMU_CMD_TLBI_NH_ASID,
                                    .tlbi_asid = { .vmid = SMMU_S1_VMID, .asid = SMMU_CB_ASID(cb) } };
            obj_note_hw(s, smmu_cmdq_submit(s->dev, &cmd, 1));
            return SYSCALL_OK;
        }
        obj_note_hw(s, smmu_tlbi_vmid(s->dev, c->vmid));
        return SYSCALL_OK;
    case ARMCBTLBInvalidate:
        return decode_tlb_invalidate(inv, s, c);
    case ARMCBAssignCDTable:
        return decode_assign_cd(inv, s, c);
    case ARMCBUnassignCDTable:
        if (!c->has_cd)
            return syscall_err(seL4_IllegalOperation);
        c->has_cd = false;
        obj_cb_rewrite_stes(s, c); /* back to stage 2 only */
        obj_note_hw(s, smmu_tlbi_vmid(s->dev, c->vmid));
        return SYSCALL_OK;
    case ARMCBCDInvalidate:
        if (!c->has_cd)
            return syscall_err(seL4_IllegalOperation);
        return cd_invalidate(s, c);
    case ARMCBS1TLBInvalidate:
        if (!c->has_cd)
            return syscall_err(seL4_IllegalOperation);
        return s1_tlb_invalidate(inv, s, c);
    default:
        return syscall_err(seL4_IllegalOperation);
    }
}
