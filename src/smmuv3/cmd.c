#include "cmd.h"

#include "regs.h"

struct smmu_cmd smmu_cmd_cfgi_ste(uint32_t sid)
{
    return (struct smmu_cmd){ .op = SMMU_CMD_CFGI_STE, .cfgi_ste = { .sid = sid, .leaf = true } };
}

struct smmu_cmd smmu_cmd_cfgi_all(void)
{
    return (struct smmu_cmd){ .op = SMMU_CMD_CFGI_STE_RANGE,
                              .cfgi_ste_range = { .sid = 0, .range = CFGI_ALL_RANGE } };
}

struct smmu_cmd smmu_cmd_tlbi_s12_vmall(uint16_t vmid)
{
    return (struct smmu_cmd){ .op = SMMU_CMD_TLBI_S12_VMALL, .tlbi_vmid = { .vmid = vmid } };
}

struct smmu_cmd smmu_cmd_tlbi_nsnh_all(void) { return (struct smmu_cmd){ .op = SMMU_CMD_TLBI_NSNH_ALL }; }
struct smmu_cmd smmu_cmd_tlbi_el2_all(void) { return (struct smmu_cmd){ .op = SMMU_CMD_TLBI_EL2_ALL }; }

struct smmu_cmd smmu_cmd_sync(void)
{
    return (struct smmu_cmd){ .op = SMMU_CMD_SYNC, .sync = { .cs = CMD_SYNC_CS_NONE } };
}

/* 4.4.1: TG selects the range form; NUM=SCALE=TTL=0 with TG!=0 is reserved (CERROR_ILL). */
static err_t encode_tlbi_addr(const struct smmu_cmd *cmd, uint64_t out[2])
{
    const struct smmu_tlbi_range *r = &cmd->tlbi_addr.range;
    if (!IS_ALIGNED(cmd->tlbi_addr.addr, PAGE_SIZE) || r->tg > 3 || r->ttl > 3 || r->num > 31 ||
        r->scale > 31)
        return ERR_INVALID;
    if (r->tg == 0 && (r->num || r->scale || r->ttl))
        return ERR_INVALID;
    if (r->tg != 0 && r->num == 0 && r->scale == 0 && r->ttl == 0)
        return ERR_INVALID;
    out[0] |= FIELD_PREP(CMD0_VMID, cmd->tlbi_addr.vmid) | FIELD_PREP(CMD0_TLBI_NUM, r->num) |
              FIELD_PREP(CMD0_TLBI_SCALE, r->scale);
    if (cmd->op == SMMU_CMD_TLBI_NH_VA)
        out[0] |= FIELD_PREP(CMD0_ASID, cmd->tlbi_addr.asid);
    out[1] = (cmd->tlbi_addr.leaf ? CMD1_LEAF : 0) | FIELD_PREP(CMD1_TLBI_TTL, r->ttl) |
             FIELD_PREP(CMD1_TLBI_TG, r->tg) | (cmd->tlbi_addr.addr & CMD1_ADDR);
    return ERR_NONE;
}

err_t smmu_cmd_encode(const struct smmu_cmd *cmd, uint64_t out[2])
{
    out[0] = FIELD_PREP(CMD0_OPCODE, cmd->op);
    out[1] = 0;
    switch (cmd->op) {
    case SMMU_CMD_PREFETCH_CONFIG:
        out[0] |= FIELD_PREP(CMD0_SID, cmd->prefetch_config.sid);
        return ERR_NONE;
    case SMMU_CMD_CFGI_STE:
        out[0] |= FIELD_PREP(CMD0_SID, cmd->cfgi_ste.sid);
        out[1] = cmd->cfgi_ste.leaf ? CMD1_LEAF : 0;
        return ERR_NONE;
    case SMMU_CMD_CFGI_STE_RANGE:
        if (cmd->cfgi_ste_range.range > CFGI_ALL_RANGE)
            return ERR_INVALID;
        out[0] |= FIELD_PREP(CMD0_SID, cmd->cfgi_ste_range.sid);
        out[1] = FIELD_PREP(CMD1_RANGE, cmd->cfgi_ste_range.range);
        return ERR_NONE;
    case SMMU_CMD_CFGI_CD:
        if (!FIELD_FITS(CMD0_SSID, cmd->cfgi_cd.ssid))
            return ERR_INVALID;
        out[0] |= FIELD_PREP(CMD0_SID, cmd->cfgi_cd.sid) | FIELD_PREP(CMD0_SSID, cmd->cfgi_cd.ssid);
        out[1] = cmd->cfgi_cd.leaf ? CMD1_LEAF : 0;
        return ERR_NONE;
    case SMMU_CMD_CFGI_CD_ALL:
        out[0] |= FIELD_PREP(CMD0_SID, cmd->cfgi_cd_all.sid);
        return ERR_NONE;
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_S12_VMALL:
        out[0] |= FIELD_PREP(CMD0_VMID, cmd->tlbi_vmid.vmid);
        return ERR_NONE;
    case SMMU_CMD_TLBI_NH_ASID:
        out[0] |= FIELD_PREP(CMD0_VMID, cmd->tlbi_asid.vmid) | FIELD_PREP(CMD0_ASID, cmd->tlbi_asid.asid);
        return ERR_NONE;
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
    case SMMU_CMD_TLBI_S2_IPA:
        return encode_tlbi_addr(cmd, out);
    case SMMU_CMD_TLBI_EL2_ALL:
    case SMMU_CMD_TLBI_NSNH_ALL:
        return ERR_NONE;
    case SMMU_CMD_SYNC:
        if (cmd->sync.cs > CMD_SYNC_CS_SEV)
            return ERR_INVALID;
        out[0] |= FIELD_PREP(CMD0_SYNC_CS, cmd->sync.cs);
        return ERR_NONE;
    }
    return ERR_INVALID;
}
