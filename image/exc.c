/* Decoding follows ARM DDI 0487, D23.2 (ESR_ELx: EC [31:26], IL [25], ISS [24:0]). */
#include "exc.h"

#include "arch/aarch64/sysreg.h"
#include "lib/bits.h"
#include "plat/qemu-virt/psci.h"
#include "plat/qemu-virt/uart.h"

struct ec_name {
    uint8_t ec;
    const char *name;
};

static const struct ec_name ec_names[] = {
    { ESR_EC_UNKNOWN, "unknown reason" },
    { ESR_EC_WFX, "WFI/WFE trap" },
    { ESR_EC_FP_ACCESS, "SIMD/FP access trap" },
    { ESR_EC_ILLEGAL, "illegal execution state" },
    { ESR_EC_SVC64, "SVC (AArch64)" },
    { ESR_EC_HVC64, "HVC (AArch64)" },
    { ESR_EC_SMC64, "SMC (AArch64)" },
    { ESR_EC_SYSREG, "MSR/MRS/system instruction trap" },
    { ESR_EC_IABT_LOWER, "instruction abort, lower EL" },
    { ESR_EC_IABT_CUR, "instruction abort, same EL" },
    { ESR_EC_PC_ALIGN, "PC alignment fault" },
    { ESR_EC_DABT_LOWER, "data abort, lower EL" },
    { ESR_EC_DABT_CUR, "data abort, same EL" },
    { ESR_EC_SP_ALIGN, "SP alignment fault" },
    { ESR_EC_SERROR, "SError" },
    { ESR_EC_BRK64, "BRK (AArch64)" },
};

const char *esr_ec_name(unsigned ec)
{
    for (unsigned i = 0; i < ARRAY_SIZE(ec_names); i++)
        if (ec_names[i].ec == ec)
            return ec_names[i].name;
    return "?";
}

static const char *const vector_names[16] = {
    "sync (EL2, SP_EL0)",   "IRQ (EL2, SP_EL0)",   "FIQ (EL2, SP_EL0)",   "SError (EL2, SP_EL0)",
    "sync (EL2, SP_EL2)",   "IRQ (EL2, SP_EL2)",   "FIQ (EL2, SP_EL2)",   "SError (EL2, SP_EL2)",
    "sync (lower, AArch64)", "IRQ (lower, AArch64)", "FIQ (lower, AArch64)", "SError (lower, AArch64)",
    "sync (lower, AArch32)", "IRQ (lower, AArch32)", "FIQ (lower, AArch32)", "SError (lower, AArch32)",
};

static volatile unsigned exc_depth;

_Noreturn void image_exception(struct exc_frame *frame, uint64_t kind)
{
    /* A fault while reporting a fault: stop at once instead of looping. */
    if (exc_depth++ != 0)
        psci_system_off();

    uint64_t esr = SYSREG_READ(esr_el2);
    uint64_t elr = SYSREG_READ(elr_el2);
    uint64_t far = SYSREG_READ(far_el2);
    uint64_t spsr = SYSREG_READ(spsr_el2);
    unsigned ec = (unsigned)FIELD_GET(ESR_EC, esr);
    const char *ec_str = esr_ec_name(ec);

    kprintf("\n*** unexpected exception: %s\n", vector_names[kind & 15u]);
    kprintf("    ESR_EL2 0x%016llx (EC 0x%02x %s, ISS 0x%07llx)\n", (unsigned long long)esr, ec,
            ec_str, (unsigned long long)FIELD_GET(ESR_ISS, esr));
    kprintf("    ELR_EL2 0x%016llx  FAR_EL2 0x%016llx  SPSR_EL2 0x%016llx\n",
            (unsigned long long)elr, (unsigned long long)far, (unsigned long long)spsr);
    for (unsigned i = 0; i < 31; i += 2) {
        if (i + 1 < 31)
            kprintf("    x%-2u 0x%016llx  x%-2u 0x%016llx\n", i, (unsigned long long)frame->x[i],
                    i + 1, (unsigned long long)frame->x[i + 1]);
        else
            kprintf("    x%-2u 0x%016llx  sp  0x%016llx\n", i, (unsigned long long)frame->x[i],
                    (unsigned long long)frame->sp);
    }
    image_report_crash("unexpected exception");
    psci_system_off();
}

_Noreturn void boot_wrong_el(uint64_t el)
{
    kprintf("smmu-demo: entered at EL%llu; this image needs EL2 "
            "(-M virt,virtualization=on)\n", (unsigned long long)el);
    image_report_crash("wrong exception level");
    psci_system_off();
}
