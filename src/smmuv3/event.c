#include "event.h"

#include "../lib/bits.h"
#include "regs.h"

bool smmu_event_is_translation_fault(uint8_t type)
{
    return type == EVT_F_TRANSLATION || type == EVT_F_ADDR_SIZE || type == EVT_F_ACCESS ||
           type == EVT_F_PERMISSION;
}

static bool is_fetch_fault(uint8_t type)
{
    return type == EVT_F_STE_FETCH || type == EVT_F_CD_FETCH || type == EVT_F_WALK_EABT ||
           type == EVT_F_VMS_FETCH;
}

void smmu_event_decode(const uint64_t raw[4], struct smmu_event *e)
{
    for (int i = 0; i < 4; i++)
        e->raw[i] = raw[i];
    e->type = (uint8_t)FIELD_GET(EVT0_TYPE, raw[0]);
    e->sid = (uint32_t)FIELD_GET(EVT0_SID, raw[0]);
    e->ssv = (raw[0] & EVT0_SSV) != 0 || e->type == EVT_C_BAD_SUBSTREAMID; /* 7.3.9: always valid */
    e->ssid = e->ssv ? (uint32_t)FIELD_GET(EVT0_SSID, raw[0]) : 0;
    e->stall = (raw[1] & EVT1_STALL) != 0;
    e->is_read = (raw[1] & EVT1_RNW) != 0;
    e->privileged = (raw[1] & EVT1_PNU) != 0;
    e->instruction = (raw[1] & EVT1_IND) != 0;
    e->stage2 = false;
    e->class_ = 0;
    e->input_addr = raw[2];
    e->ipa = 0;
    if (smmu_event_is_translation_fault(e->type)) {
        e->stage2 = (raw[1] & EVT1_S2) != 0;
        e->class_ = (uint8_t)FIELD_GET(EVT1_CLASS, raw[1]);
        e->ipa = raw[3] & EVT3_IPA;
    } else if (is_fetch_fault(e->type)) {
        e->ipa = raw[3] & EVT3_FETCH_ADDR;
    }
}

const char *smmu_event_name(uint8_t type)
{
    switch (type) {
    case EVT_F_UUT: return "F_UUT";
    case EVT_C_BAD_STREAMID: return "C_BAD_STREAMID";
    case EVT_F_STE_FETCH: return "F_STE_FETCH";
    case EVT_C_BAD_STE: return "C_BAD_STE";
    case EVT_F_BAD_ATS_TREQ: return "F_BAD_ATS_TREQ";
    case EVT_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
    case EVT_F_TRANSL_FORBIDDEN: return "F_TRANSL_FORBIDDEN";
    case EVT_C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
    case EVT_F_CD_FETCH: return "F_CD_FETCH";
    case EVT_C_BAD_CD: return "C_BAD_CD";
    case EVT_F_WALK_EABT: return "F_WALK_EABT";
    case EVT_F_TRANSLATION: return "F_TRANSLATION";
    case EVT_F_ADDR_SIZE: return "F_ADDR_SIZE";
    case EVT_F_ACCESS: return "F_ACCESS";
    case EVT_F_PERMISSION: return "F_PERMISSION";
    case EVT_F_TLB_CONFLICT: return "F_TLB_CONFLICT";
    case EVT_F_CFG_CONFLICT: return "F_CFG_CONFLICT";
    case EVT_E_PAGE_REQUEST: return "E_PAGE_REQUEST";
    case EVT_F_VMS_FETCH: return "F_VMS_FETCH";
    }
    return "UNKNOWN";
}
