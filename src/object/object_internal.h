/* Shared between the SMMU object files; not an interface for the kernel. */
#ifndef OBJECT_INTERNAL_H
#define OBJECT_INTERNAL_H

#include "smmu_object.h"

struct syscall_error decode_sid_control_invocation(struct invocation *inv);
struct syscall_error decode_sid_invocation(struct invocation *inv);
struct syscall_error decode_cb_control_invocation(struct invocation *inv);
struct syscall_error decode_cb_invocation(struct invocation *inv);
/* SIDControl's SMMU-wide operations (smmu_control.c). */
struct syscall_error decode_smmu_control_invocation(struct invocation *inv, struct smmu_instance *s);

/* Count a hardware failure (the state in memory is already the new one). */
void obj_note_hw(struct smmu_instance *s, err_t e);
/* The STE a SID bound to `cb` should hold: stage 2 over the CB's VSpace, or abort. */
err_t obj_make_cb_ste(struct smmu_instance *s, const struct cb_state *cb, struct ste *out);
void obj_write_ste(struct smmu_instance *s, uint32_t sid, const struct ste *ste);
/* Rewrite the STE of every SID bound to `cb` from its current state. */
void obj_cb_rewrite_stes(struct smmu_instance *s, struct cb_state *cb);
void obj_cb_unassign(struct smmu_instance *s, unsigned dev_id, struct cb_state *cb);
/* The invoke halves of GetSID and GetCB (also used at boot for pre-generated caps). */
void obj_issue_sid(struct sid_state *rec, unsigned dev_id, uint32_t sid, cte_t *parent, cte_t *dest);
void obj_issue_cb(struct smmu_instance *s, unsigned dev_id, unsigned cb, cte_t *parent, cte_t *dest);

/* seL4_TruncatedMessage unless the invocation carries `words` words and `caps` caps. */
static inline bool obj_truncated(const struct invocation *inv, unsigned words, unsigned caps)
{
    return inv->length < words || inv->extra_caps < caps;
}

#endif
