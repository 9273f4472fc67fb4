#include "psci.h"

#include "uart.h"

/* Function IDs (DEN 0022, 5.1 "Function prototypes"). */
#define PSCI_0_2_FN_SYSTEM_OFF 0x84000008u

/* SMCCC 1.0 (DEN 0028) lets the callee clobber x1..x17. */
#define SMCCC_CLOBBERS                                                                      \
    "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", \
        "x15", "x16", "x17", "memory"

static unsigned current_el(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(v));
    return (unsigned)((v >> 2) & 3u);
}

/* QEMU virt's conduit: SMC when the guest owns EL2 (virtualization=on), HVC when it
 * starts at EL1 (then EL2 belongs to QEMU's firmware emulation). */
static uint64_t psci_call(uint64_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    if (current_el() >= 2)
        __asm__ volatile("smc #0" : "+r"(x0) : : SMCCC_CLOBBERS);
    else
        __asm__ volatile("hvc #0" : "+r"(x0) : : SMCCC_CLOBBERS);
    return x0;
}

_Noreturn void psci_system_off(void)
{
    (void)psci_call(PSCI_0_2_FN_SYSTEM_OFF);
    /* Only reached if PSCI is missing: stop here; the runner's timeout ends QEMU. */
    kprintf("psci: SYSTEM_OFF returned; halting\n");
    for (;;)
        __asm__ volatile("wfi");
}

_Noreturn void plat_fatal(const char *why)
{
    kprintf("FATAL: %s\n", why);
    psci_system_off();
}
