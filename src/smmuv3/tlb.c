#include "tlb.h"

#include "../lib/bits.h"
#include "regs.h"

#define TLBI_TG_4K 1u
#define RANGE_NUM_MAX 32u /* NUM is 5 bits: 1..32 granules per scale step */

static uint64_t leaf_size(unsigned ttl)
{
    return ttl == 1 ? SIZE_1G : ttl == 2 ? SIZE_2M : PAGE_SIZE;
}

/* 4.4.1 range form: each command covers (NUM+1) << SCALE pages. Consume the page count
 * five bits at a time from the least significant set bit, so the number of commands is the
 * number of non-zero base-32 digits of the count. */
static unsigned build_range(enum smmu_cmd_op op, uint16_t vmid, uint16_t asid, uint64_t addr,
                            uint64_t pages, unsigned ttl, struct smmu_cmd *out, unsigned max)
{
    unsigned n = 0;
    while (pages != 0 && n < max) {
        unsigned scale = (unsigned)__builtin_ctzll(pages);
        uint64_t num = (pages >> scale) & (RANGE_NUM_MAX - 1u);
        struct smmu_tlbi_range r = { .tg = TLBI_TG_4K, .ttl = (uint8_t)ttl, .num = (uint8_t)(num - 1),
                                     .scale = (uint8_t)scale };
        if (r.num == 0 && r.scale == 0 && r.ttl == 0)
            r = (struct smmu_tlbi_range){ 0 }; /* reserved encoding: use the single form */
        out[n++] = (struct smmu_cmd){ .op = op, .tlbi_addr = { .vmid = vmid, .asid = asid, .addr = addr,
                                                               .leaf = ttl != 0, .range = r } };
        uint64_t covered = num << scale;
        pages -= covered;
        addr += covered * PAGE_SIZE;
    }
    if (pages != 0) { /* caller's array too small: fall back to the whole VMID */
        out[0] = smmu_cmd_tlbi_s12_vmall(vmid);
        return 1;
    }
    return n;
}

/* TLBI_S2_IPA (stage-2 IPAs of a VMID) or TLBI_NH_VA (stage-1 VAs of an ASID in a VMID):
 * the same range arithmetic. The fallback for too many commands covers the whole VMID. */
static unsigned build_addr_cmds(const struct smmu_features *f, enum smmu_cmd_op op, uint16_t vmid,
                                uint16_t asid, uint64_t addr, uint64_t size, unsigned ttl,
                                struct smmu_cmd *out, unsigned max, err_t *err)
{
    *err = ERR_NONE;
    if (ttl > 3 || max == 0) {
        *err = ERR_INVALID;
        return 0;
    }
    uint64_t step = ttl ? leaf_size(ttl) : PAGE_SIZE;
    if (!IS_ALIGNED(addr, step) || !IS_ALIGNED(size, step)) {
        *err = ERR_ALIGN;
        return 0;
    }
    if (size == 0)
        return 0;
    if (f->ril)
        return build_range(op, vmid, asid, addr, size / PAGE_SIZE, ttl, out, max);

    uint64_t leaves = size / step;
    if (leaves > TLBI_MAX_PAGE_CMDS || leaves > max) {
        out[0] = smmu_cmd_tlbi_s12_vmall(vmid);
        return 1;
    }
    for (uint64_t i = 0; i < leaves; i++)
        out[i] = (struct smmu_cmd){ .op = op, .tlbi_addr = { .vmid = vmid, .asid = asid,
                                                             .addr = addr + i * step, .leaf = ttl != 0 } };
    return (unsigned)leaves;
}

unsigned smmu_tlbi_s2_build(const struct smmu_features *f, uint16_t vmid, ipa_t ipa,
                            uint64_t size, unsigned ttl, struct smmu_cmd *out, unsigned max,
                            err_t *err)
{
    return build_addr_cmds(f, SMMU_CMD_TLBI_S2_IPA, vmid, 0, ipa, size, ttl, out, max, err);
}

unsigned smmu_tlbi_s1_build(const struct smmu_features *f, uint16_t vmid, uint16_t asid, iova_t va,
                            uint64_t size, struct smmu_cmd *out, unsigned max, err_t *err)
{
    return build_addr_cmds(f, SMMU_CMD_TLBI_NH_VA, vmid, asid, va, size, 0, out, max, err);
}

err_t smmu_tlbi_s2_range(struct smmu *smmu, uint16_t vmid, ipa_t ipa, uint64_t size, unsigned ttl)
{
    struct smmu_cmd cmds[TLBI_MAX_PAGE_CMDS];
    err_t e;
    unsigned n = smmu_tlbi_s2_build(&smmu->f, vmid, ipa, size, ttl, cmds, ARRAY_SIZE(cmds), &e);
    if (e != ERR_NONE)
        return e;
    if (n == 0)
        return ERR_NONE;
    return smmu_cmdq_submit(smmu, cmds, n);
}

err_t smmu_tlbi_vmid(struct smmu *smmu, uint16_t vmid)
{
    struct smmu_cmd cmd = smmu_cmd_tlbi_s12_vmall(vmid);
    return smmu_cmdq_submit(smmu, &cmd, 1);
}
