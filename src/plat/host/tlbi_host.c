#include "tlbi_host.h"

struct host_tlbi_log host_tlbi_log;

void host_tlbi_reset(void) { host_tlbi_log.n = 0; }

static void record(enum host_tlbi_kind kind, uint16_t vmid, uint64_t ipa)
{
    if (host_tlbi_log.n < HOST_TLBI_LOG_MAX) {
        struct host_tlbi_event *e = &host_tlbi_log.ev[host_tlbi_log.n];
        e->kind = kind;
        e->vmid = vmid;
        e->ipa = ipa;
    }
    host_tlbi_log.n++;
}

void plat_tlbi_ipa(uint16_t vmid, uint64_t ipa) { record(HOST_TLBI_IPA, vmid, ipa); }
void plat_tlbi_vmid(uint16_t vmid) { record(HOST_TLBI_VMID, vmid, 0); }
