/* Event records (IHI 0070 7.3) decoded into a struct. */
#ifndef SMMUV3_EVENT_H
#define SMMUV3_EVENT_H

#include "../lib/types.h"

enum smmu_event_class { EVT_CLASS_CD = 0, EVT_CLASS_TT = 1, EVT_CLASS_IN = 2 };

struct smmu_event {
    uint8_t type;         /* EVT_* code */
    uint32_t sid;
    uint32_t ssid;
    bool ssv;
    bool stall;
    bool is_read;         /* RnW = 1 */
    bool privileged;
    bool instruction;
    bool stage2;          /* S2 = 1: the fault happened at stage 2 */
    uint8_t class_;       /* enum smmu_event_class */
    uint64_t input_addr;  /* IOVA / IPA / PA as presented by the device */
    uint64_t ipa;         /* stage-2 faults: the IPA; fetch faults: the fetch address */
    uint64_t raw[4];
};

void smmu_event_decode(const uint64_t raw[4], struct smmu_event *out);
/* "F_TRANSLATION", ...; "UNKNOWN" for codes the spec does not define. */
const char *smmu_event_name(uint8_t type);
/* True for the four translation-fault types that carry S2/CLASS/IPA information. */
bool smmu_event_is_translation_fault(uint8_t type);

#endif
