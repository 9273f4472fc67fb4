/* Boot-time SMMU caps for the root task: per SMMU its SIDControl and CBControl caps, and
 * for every entry of the static configuration (smmu_sids) a SID cap and a CB cap, derived
 * from those control caps exactly as GetSID/GetCB would (CAmkES's alloc(type=seL4_ARMSID)
 * and alloc(type=seL4_ARMCB)). */
#include "smmu_boot.h"

#include "object_internal.h"

static const struct smmu_boot_sid *boot_table;
static unsigned boot_table_n;
static unsigned boot_skipped;

void smmu_boot_set_table(const struct smmu_boot_sid *table, unsigned n)
{
    boot_table = table;
    boot_table_n = n;
}

unsigned smmu_boot_skipped(void) { return boot_skipped; }

static int free_cb(const struct smmu_instance *s)
{
    for (unsigned i = 0; i < SMMU_MAX_CBS; i++)
        if (!s->cbs[i].issued)
            return (int)i;
    return -1;
}

/* Whether table entry `e` can be issued on its SMMU (present, SID in range, not twice). */
static bool entry_usable(const struct smmu_boot_sid *e)
{
    struct smmu_instance *s = smmu_object_instance(e->smmu_id);
    if (!s)
        return false;
    unsigned bits = s->dev->strtab.layout.sid_bits;
    if (bits < 32 && (e->sid >> bits) != 0)
        return false;
    return smmu_object_find_sid(s, e->sid) == NULL;
}

unsigned smmu_boot_populate(cte_t *slots, unsigned next, unsigned nslots, seL4_BootInfo *bi)
{
    boot_skipped = 0;
    bi->numSMMUs = 0;
    for (unsigned d = 0; d < KERNEL_MAX_SMMUS && d < seL4_MaxSMMUs; d++) {
        bi->smmu[d] = (seL4_SMMUBootInfo){ 0 };
        struct smmu_instance *s = smmu_object_instance(d);
        if (!s)
            continue;
        bi->numSMMUs = d + 1;
        /* SMMU 0 uses seL4's fixed initial slots; the others take free slots. */
        unsigned sidctl = d == 0 ? seL4_CapSMMUSIDControl : next++;
        unsigned cbctl = d == 0 ? seL4_CapSMMUCBControl : next++;
        if (sidctl >= nslots || cbctl >= nslots)
            return next;
        cte_init_original(&slots[sidctl], cap_sid_control_cap_new(d));
        cte_init_original(&slots[cbctl], cap_cb_control_cap_new(d));
        bi->smmu[d].sidControl = sidctl;
        bi->smmu[d].cbControl = cbctl;

        /* This SMMU's SID caps, then its CB caps: two contiguous regions. */
        bi->smmu[d].sids.start = bi->smmu[d].sids.end = next;
        for (unsigned i = 0; i < boot_table_n && next < nslots; i++) {
            const struct smmu_boot_sid *e = &boot_table[i];
            if (e->smmu_id != d)
                continue;
            struct sid_state *rec = smmu_object_free_sid(s, e->sid);
            if (!entry_usable(e) || !rec) {
                boot_skipped++;
                continue;
            }
            struct ste abort_ste = make_abort_ste(); /* populate the level-2 array now */
            if (smmu_write_ste(s->dev, e->sid, &abort_ste) == ERR_NO_MEMORY) {
                boot_skipped++;
                continue;
            }
            obj_issue_sid(rec, d, e->sid, &slots[sidctl], &slots[next++]);
        }
        bi->smmu[d].sids.end = next;
        bi->smmu[d].cbs.start = next;
        unsigned nsids = (unsigned)(bi->smmu[d].sids.end - bi->smmu[d].sids.start);
        for (unsigned i = 0; i < nsids && next < nslots; i++) {
            int cb = free_cb(s);
            if (cb < 0)
                break;
            obj_issue_cb(s, d, (unsigned)cb, &slots[cbctl], &slots[next++]);
        }
        bi->smmu[d].cbs.end = next;
    }
    return next;
}
