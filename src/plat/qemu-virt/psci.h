/* PSCI calls for QEMU virt (Arm DEN 0022, PSCI 1.x). With virtualization=on the image
 * runs at EL2 and QEMU's built-in PSCI firmware is reached by SMC (hw/arm/virt.c sets
 * the conduit to SMC when EL2 is given to the guest); started at EL1 it is HVC. */
#ifndef PLAT_QEMU_PSCI_H
#define PLAT_QEMU_PSCI_H

#include "../../lib/types.h"

/* Power off: QEMU exits with status 0. Does not return. */
_Noreturn void psci_system_off(void);

/* Print "FATAL: <why>" and power off. The exit status is 0 either way (QEMU has no
 * failure exit through PSCI without semihosting): test runners judge by the console,
 * where a FATAL line and the missing "N passed, 0 failed" line mark the failure. */
_Noreturn void plat_fatal(const char *why);

#endif
