/* libFuzzer harness: the driver's event record decoder (src/smmuv3/event.c) on arbitrary
 * 32-byte records. Every decoded field is checked against the record layout of IHI 0070
 * 7.3 as written out here (not through the driver's field macros):
 *   dw0: Type[7:0], SSV[11], SubstreamID[31:12], StreamID[63:32] (C_BAD_SUBSTREAMID: the
 *        SubstreamID is always valid, 7.3.9);
 *   dw1: Stall[31], PnU[33], InD[34], RnW[35]; for F_TRANSLATION, F_ADDR_SIZE, F_ACCESS,
 *        F_PERMISSION also S2[39] and CLASS[41:40];
 *   dw2: InputAddr; dw3: IPA[..:12] (those four) or FetchAddr[..:3] (F_STE_FETCH,
 *        F_CD_FETCH, F_WALK_EABT, F_VMS_FETCH).
 * An address field may be narrower than the spec's [55:x] (the driver keeps [51:x], trap
 * D1) but must never invent bits. Decoding is a pure function of the record. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smmuv3/event.h"

static uint64_t field(uint64_t w, unsigned hi, unsigned lo) { return (w >> lo) & ((2ULL << (hi - lo)) - 1); }

static bool is_xlat(unsigned t) { return t >= 0x10 && t <= 0x13; }
static bool is_fetch(unsigned t) { return t == 0x03 || t == 0x09 || t == 0x0b || t == 0x25; }
static bool architected(unsigned t)
{
    return (t >= 0x01 && t <= 0x0b) || is_xlat(t) || t == 0x20 || t == 0x21 || t == 0x24 || t == 0x25;
}

/* `dec` keeps at least bits [51:lo] of `raw`, nothing below lo, nothing raw lacks. */
static bool addr_ok(uint64_t dec, uint64_t raw, unsigned lo)
{
    uint64_t low = (1ULL << lo) - 1, keep = ((1ULL << 52) - 1) & ~low;
    return (dec & low) == 0 && (dec & ~raw) == 0 && ((dec ^ raw) & keep) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
    uint64_t raw[4] = { 0 };
    memcpy(raw, in, len < 32 ? len : 32);
    struct smmu_event e, again;
    memset(&e, 0, sizeof(e));
    memset(&again, 0, sizeof(again));
    smmu_event_decode(raw, &e);
    smmu_event_decode(raw, &again);
    if (memcmp(&e, &again, sizeof(e)) != 0)
        abort();
    unsigned t = (unsigned)field(raw[0], 7, 0);
    if (e.type != t || e.sid != field(raw[0], 63, 32) || memcmp(e.raw, raw, sizeof(raw)) != 0)
        abort();
    bool ssv = field(raw[0], 11, 11) || t == 0x08;
    if (e.ssv != ssv || e.ssid != (ssv ? field(raw[0], 31, 12) : 0))
        abort();
    if (e.stall != field(raw[1], 31, 31) || e.privileged != field(raw[1], 33, 33) ||
        e.instruction != field(raw[1], 34, 34) || e.is_read != field(raw[1], 35, 35))
        abort();
    if (e.input_addr != raw[2])
        abort();
    if (is_xlat(t)) {
        if (e.stage2 != field(raw[1], 39, 39) || e.class_ != field(raw[1], 41, 40) || !addr_ok(e.ipa, raw[3], 12))
            abort();
    } else {
        if (e.stage2 || e.class_ != 0)
            abort();
        if (is_fetch(t) ? !addr_ok(e.ipa, raw[3], 3) : e.ipa != 0)
            abort();
    }
    if (smmu_event_is_translation_fault((uint8_t)t) != is_xlat(t))
        abort();
    const char *name = smmu_event_name((uint8_t)t);
    if (!name || (strcmp(name, "UNKNOWN") == 0) == architected(t))
        abort();
    return 0;
}
