/* libFuzzer harness for the capability invariant: the input is a sequence of invocations
 * (an op byte, then argument bytes: slot selectors, addresses, rights; see cw_step in
 * tests/host/cap_oracle.c), run through the generated user stubs and the host seL4_Call
 * on a freshly booted kernel with the SMMU stand-in. After every invocation the oracle
 * checks the hardware-visible state against the capabilities; a violation traps.
 *
 * Input byte 0 picks the stand-in's IDR3.RIL (bit 7 set: no range invalidation); the
 * rest is the sequence (at most FUZZ_MAX_STEPS invocations). Known, open bugs can be
 * masked while fuzzing for others: CAP_ORACLE_IGNORE=tlbi_walk,revoke,... */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cap_oracle.h"

#define FUZZ_MAX_STEPS 1024u

struct input {
    const uint8_t *p;
    size_t n, i;
};

static uint8_t next_byte(void *ctx)
{
    struct input *in = ctx;
    return in->i < in->n ? in->p[in->i++] : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct cw_config cfg = { .mem_bits = 20, .test_slots = 64, .no_ril = (data[0] & 0x80) != 0 };
    cw_set_report_limit(4);
    if (cw_init(&cfg) != 0)
        __builtin_trap(); /* the world must boot */
    cw_stats_reset();
    struct input in = { data + 1, size - 1, 0 };
    for (unsigned steps = 0; in.i < in.n && steps < FUZZ_MAX_STEPS; steps++) {
        cw_step(next_byte, &in);
        if (cw_violations()) {
            fprintf(stderr, "capability invariant violated: see the report above\n");
            __builtin_trap();
        }
    }
    cw_fini();
    return 0;
}
