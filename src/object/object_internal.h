/* Shared between the SMMU object files; not an interface for the kernel. */
#ifndef OBJECT_INTERNAL_H
#define OBJECT_INTERNAL_H

#include "smmu_object.h"
#include "smmuv3/tlb.h"

struct syscall_error decode_sid_control_invocation(struct invocation *inv);
struct syscall_error decode_sid_invocation(struct invocation *inv);
struct syscall_error decode_cb_control_invocation(struct invocation *inv);
struct syscall_error decode_cb_invocation(struct invocation *inv);
/* SIDControl's SMMU-wide operations (smmu_control.c). */
struct syscall_error decode_smmu_control_invocation(struct invocation *inv, struct smmu_instance *s);

/* Count a hardware failure (the state in memory is already the new one). */
void obj_note_hw(struct smmu_instance *s, err_t e);
/* The STE a SID bound to `cb` should hold: stage 2 over the CB's VSpace (nested with a
 * guest CD table), stage 1 only through the kernel's CD when the VSpace is an IO space,
 * or abort. */
err_t obj_make_cb_ste(struct smmu_instance *s, const struct cb_state *cb, struct ste *out);
void obj_write_ste(struct smmu_instance *s, uint32_t sid, const struct ste *ste);
/* Rewrite the STE of every SID bound to `cb` from its current state. */
void obj_cb_rewrite_stes(struct smmu_instance *s, struct cb_state *cb);
void obj_cb_unassign(struct smmu_instance *s, unsigned dev_id, struct cb_state *cb);
/* The invoke halves of GetSID and GetCB (also used at boot for pre-generated caps). */
void obj_issue_sid(struct sid_state *rec, unsigned dev_id, uint32_t sid, cte_t *parent, cte_t *dest);
void obj_issue_cb(struct smmu_instance *s, unsigned dev_id, unsigned cb, cte_t *parent, cte_t *dest);

/* Stage-1 TLBI commands for [va, va + size) of a stage-1-only context (VMID 0, its ASID):
 * smmu_tlbi_s1_build, whose fallback for too many commands (TLBI_S12_VMALL of VMID 0: every
 * native context) is narrowed to TLBI_NH_ASID of this context. */
static inline unsigned obj_s1_tlbi_build(struct smmu_instance *s, unsigned cb, uint64_t va, uint64_t size,
                                         struct smmu_cmd *out, unsigned max, err_t *err)
{
    unsigned k = smmu_tlbi_s1_build(&s->dev->f, SMMU_S1_VMID, SMMU_CB_ASID(cb), va, size, out, max, err);
    if (k == 1 && out[0].op == SMMU_CMD_TLBI_S12_VMALL)
        out[0] = (struct smmu_cmd){ .op = SMMU_CMD_TLBI_NH_ASID,
                                    .tlbi_asid = { .vmid = SMMU_S1_VMID, .asid = SMMU_CB_ASID(cb) } };
    return k;
}

/* seL4_TruncatedMessage unless the invocation carries `words` words and `caps` caps. */
static inline bool obj_truncated(const struct invocation *inv, unsigned words, unsigned caps)
{
    return inv->length < words || inv->extra_caps < caps;
}

#endif
