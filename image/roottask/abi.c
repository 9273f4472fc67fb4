/* The root task's ABI tests and probes (EL0): seL4_Call against the image's test service
 * (roottask.h), each reply checked; and the accesses the isolation scenario asks for. */
#include <stdbool.h>
#include <stdint.h>

#include <sel4/errors.h>
#include <sel4/syscall.h>

#include "roottask.h"
#include "rt.h"

#define ECHO_WORDS 6u /* MR0..MR3 in registers, MR4..MR5 in the IPC buffer */
#define ECHO_CAPS 2u

static seL4_Word echo_word(unsigned i) { return 0x1000200030004000ULL + i * 0x0101u; }

/* One ECHO call: 6 words and 2 extra caps out; 7 words back, MR[i] = ~MR[i]. */
static bool step_echo(void)
{
    seL4_IPCBuffer *ipc = seL4_GetIPCBuffer();
    for (unsigned i = 0; i < ECHO_WORDS; i++)
        seL4_SetMR((int)i, echo_word(i));
    seL4_SetCap(0, 0x11);
    seL4_SetCap(1, 0x22);
    /* What the kernel must not read as MRs: words past the message's length. */
    ipc->msg[ECHO_WORDS] = 0xdeadbeefULL;
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(RT_TEST_LABEL_ECHO, 0, ECHO_CAPS, ECHO_WORDS);
    seL4_MessageInfo_t reply = seL4_Call(RT_TEST_CPTR, tag);
    if (seL4_MessageInfo_get_label(reply) != seL4_NoError ||
        seL4_MessageInfo_get_length(reply) != ECHO_WORDS + 1) {
        rt_printf("roottask: echo: reply label %lu length %lu\n",
                  (unsigned long)seL4_MessageInfo_get_label(reply),
                  (unsigned long)seL4_MessageInfo_get_length(reply));
        return false;
    }
    bool ok = true;
    for (unsigned i = 0; i < ECHO_WORDS; i++) {
        /* MR0..3 came back in x2..x5 and were stored here by seL4_Call; MR4.. were
         * written into the buffer by the kernel. */
        if (seL4_GetMR((int)i) != ~echo_word(i)) {
            rt_printf("roottask: echo: MR%u = 0x%lx, want 0x%lx (%s)\n", i,
                      (unsigned long)seL4_GetMR((int)i), (unsigned long)~echo_word(i),
                      i < SEL4_FAST_MRS ? "register" : "IPC buffer");
            ok = false;
        }
    }
    if (seL4_GetMR(ECHO_WORDS) != RT_TEST_CPTR + 0x11 + 0x22) {
        rt_printf("roottask: echo: cap summary 0x%lx\n", (unsigned long)seL4_GetMR(ECHO_WORDS));
        ok = false;
    }
    return ok;
}

/* A short message: only MR0 travels; the reply's MR1.. must not be stale request words. */
static bool step_echo_short(void)
{
    seL4_SetMR(0, 42);
    seL4_MessageInfo_t reply =
        seL4_Call(RT_TEST_CPTR, seL4_MessageInfo_new(RT_TEST_LABEL_ECHO, 0, 0, 1));
    return seL4_MessageInfo_get_label(reply) == seL4_NoError &&
           seL4_MessageInfo_get_length(reply) == 2 && seL4_GetMR(0) == ~(seL4_Word)42 &&
           seL4_GetMR(1) == RT_TEST_CPTR;
}

/* An error reply: the label is the seL4_Error, the detail in MR0/MR1. */
static bool step_error(void)
{
    seL4_SetMR(0, 0);
    seL4_SetMR(1, 0);
    seL4_MessageInfo_t reply =
        seL4_Call(RT_TEST_CPTR, seL4_MessageInfo_new(RT_TEST_LABEL_ERROR, 0, 0, 0));
    rt_printf("roottask: error reply: label %lu (seL4_RangeError = %u), MR0 %lu, MR1 %lu\n",
              (unsigned long)seL4_MessageInfo_get_label(reply), (unsigned)seL4_RangeError,
              (unsigned long)seL4_GetMR(0), (unsigned long)seL4_GetMR(1));
    return seL4_MessageInfo_get_label(reply) == seL4_RangeError && seL4_GetMR(0) == RT_ERROR_MIN &&
           seL4_GetMR(1) == RT_ERROR_MAX;
}

/* Invoking a cptr the test service does not know: the reply must be an error. */
static bool step_bad_cptr(void)
{
    seL4_MessageInfo_t reply =
        seL4_Call(RT_TEST_CPTR + 1, seL4_MessageInfo_new(RT_TEST_LABEL_NULL, 0, 0, 0));
    return seL4_MessageInfo_get_label(reply) == seL4_InvalidCapability;
}

static bool step_regs(void)
{
    seL4_Word r = rt_call_preserves_regs(
        RT_TEST_CPTR, seL4_MessageInfo_new(RT_TEST_LABEL_NULL, 0, 0, 0).words[0]);
    if (r != 0)
        rt_printf("roottask: register check failed: code %lu\n", (unsigned long)r);
    return r == 0;
}

seL4_Word root_abi_tests(void)
{
    rt_printf("roottask: ABI tests at EL0, IPC buffer %p\n", (void *)seL4_GetIPCBuffer());
    static bool (*const steps[])(void) = { step_echo, step_echo_short, step_error, step_bad_cptr,
                                           step_regs };
    static const char *const names[] = { "6 MRs + 2 caps echoed (4 in registers, 2 in the buffer)",
                                         "1 MR echoed, reply longer than the request",
                                         "error reply (label = seL4_Error, detail in MR0/MR1)",
                                         "unknown cptr gives seL4_InvalidCapability",
                                         "x6..x30 and SP preserved across svc" };
    for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        bool ok = steps[i]();
        rt_printf("roottask: ABI step %u %s: %s\n", i + 1, names[i], ok ? "ok" : "FAILED");
        if (!ok)
            return i + 1;
    }
    return RT_RESULT_OK;
}

/* A `ret` instruction (A64 RET X30, C6.2.254), for the execute-from-data probe. */
#define A64_RET 0xd65f03c0u
static uint32_t code_in_data[4];

seL4_Word root_probe(seL4_Word request, seL4_Word arg)
{
    switch (request) {
    case RT_REQ_READ:
        return *(volatile const uint64_t *)(uintptr_t)arg;
    case RT_REQ_WRITE:
        *(volatile uint64_t *)(uintptr_t)arg = RT_WRITE_PATTERN;
        return 0;
    case RT_REQ_EXEC_DATA: {
        code_in_data[0] = A64_RET;
        void (*fn)(void) = (void (*)(void))(uintptr_t)code_in_data;
        fn();
        return 0;
    }
    case RT_REQ_WRITE_TEXT:
        *(volatile uint32_t *)(uintptr_t)&root_probe = A64_RET;
        return 0;
    case RT_REQ_UDF:
        __asm__ volatile("udf #0");
        return 0;
    case RT_REQ_BAD_SVC:
        __asm__ volatile("svc %[imm]" : : [imm] "i"(RT_BAD_SVC_IMM) : "memory");
        return 0;
    case RT_REQ_FP:
        __asm__ volatile("fmov d0, xzr" : : : "memory");
        return 0;
    case RT_REQ_NULL_CALLS:
        for (seL4_Word i = 0; i < arg; i++)
            (void)seL4_Call(RT_TEST_CPTR, seL4_MessageInfo_new(RT_TEST_LABEL_NULL, 0, 0, 0));
        return 0;
    default:
        return ~(seL4_Word)0;
    }
}
