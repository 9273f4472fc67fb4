/* SMMUv3 commands as typed structs, and their 16-byte encoding (IHI 0070 chapter 4).
 * Builders validate field ranges so a malformed command never reaches the queue. */
#ifndef SMMUV3_CMD_H
#define SMMUV3_CMD_H

#include "../lib/err.h"
#include "../lib/types.h"

enum smmu_cmd_op {
    SMMU_CMD_PREFETCH_CONFIG = 0x01,
    SMMU_CMD_CFGI_STE = 0x03,
    SMMU_CMD_CFGI_STE_RANGE = 0x04, /* and CFGI_ALL (range 31) */
    SMMU_CMD_CFGI_CD = 0x05,
    SMMU_CMD_CFGI_CD_ALL = 0x06,
    SMMU_CMD_TLBI_NH_ALL = 0x10,
    SMMU_CMD_TLBI_NH_ASID = 0x11,
    SMMU_CMD_TLBI_NH_VA = 0x12,
    SMMU_CMD_TLBI_NH_VAA = 0x13,
    SMMU_CMD_TLBI_EL2_ALL = 0x20,
    SMMU_CMD_TLBI_S12_VMALL = 0x28,
    SMMU_CMD_TLBI_S2_IPA = 0x2a,
    SMMU_CMD_TLBI_NSNH_ALL = 0x30,
    SMMU_CMD_SYNC = 0x46,
};

/* Range form of TLBI_*_VA / TLBI_S2_IPA (needs IDR3.RIL): covers
 * (num + 1) << scale granules from addr; tg 0 means the single-address form. */
struct smmu_tlbi_range {
    uint8_t tg;    /* 0 none, 1 4K, 2 16K, 3 64K */
    uint8_t ttl;   /* leaf level hint: 0 any, 1..3 */
    uint8_t num;   /* 0..31 */
    uint8_t scale; /* 0..31 */
};

struct smmu_cmd {
    enum smmu_cmd_op op;
    union {
        struct { uint32_t sid; bool leaf; } cfgi_ste;
        struct { uint32_t sid; uint8_t range; } cfgi_ste_range; /* 2^(range+1) SIDs */
        struct { uint32_t sid; uint32_t ssid; bool leaf; } cfgi_cd;
        struct { uint32_t sid; } cfgi_cd_all;
        struct { uint32_t sid; } prefetch_config;
        struct { uint16_t vmid; } tlbi_vmid;           /* NH_ALL, S12_VMALL */
        struct { uint16_t vmid; uint16_t asid; } tlbi_asid; /* NH_ASID */
        struct {
            uint16_t vmid;
            uint16_t asid;   /* NH_VA only */
            uint64_t addr;   /* VA or IPA, 4K aligned */
            bool leaf;
            struct smmu_tlbi_range range;
        } tlbi_addr;         /* NH_VA, NH_VAA, S2_IPA */
        struct { uint8_t cs; } sync;
    };
};

/* Convenience constructors for the commands the driver issues most. */
struct smmu_cmd smmu_cmd_cfgi_ste(uint32_t sid);
struct smmu_cmd smmu_cmd_cfgi_all(void);
struct smmu_cmd smmu_cmd_tlbi_s12_vmall(uint16_t vmid);
struct smmu_cmd smmu_cmd_tlbi_nsnh_all(void);
struct smmu_cmd smmu_cmd_tlbi_el2_all(void);
struct smmu_cmd smmu_cmd_sync(void);

/* Encode into two little-endian dwords. ERR_INVALID for an unknown opcode or a field
 * out of range (e.g. CFGI range > 31, range TLBI with num=scale=ttl=0, unaligned addr). */
err_t smmu_cmd_encode(const struct smmu_cmd *cmd, uint64_t out[2]);

#endif
