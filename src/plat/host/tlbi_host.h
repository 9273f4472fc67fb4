/* Host stand-in of the kernel's CPU TLB hooks (src/kernel/kernel_plat.h): records each
 * call, in order, with a sequence number shared with nothing else, for tests. */
#ifndef PLAT_HOST_TLBI_HOST_H
#define PLAT_HOST_TLBI_HOST_H

#include "../../kernel/kernel_plat.h"

enum host_tlbi_kind { HOST_TLBI_IPA = 1, HOST_TLBI_VMID = 2 };

struct host_tlbi_event {
    enum host_tlbi_kind kind;
    uint16_t vmid;
    uint64_t ipa; /* HOST_TLBI_IPA only */
};

#define HOST_TLBI_LOG_MAX 256
struct host_tlbi_log {
    unsigned n; /* calls made; only the first HOST_TLBI_LOG_MAX are kept in ev[] */
    struct host_tlbi_event ev[HOST_TLBI_LOG_MAX];
};
extern struct host_tlbi_log host_tlbi_log;

void host_tlbi_reset(void);

#endif
