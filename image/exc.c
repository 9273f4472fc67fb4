/* Decoding follows ARM DDI 0487, D23.2 (ESR_ELx: EC [31:26], IL [25], ISS [24:0]). */
#include "exc.h"

#include "lib/bits.h"
#include "plat/qemu-virt/psci.h"
#include "plat/qemu-virt/uart.h"

#define ESR_EC GENMASK(31, 26)
#define ESR_ISS GENMASK(24, 0)

struct ec_name {
    uint8_t ec;
    const char *name;
};

static const struct ec_name ec_names[] = {
    { 0x00, "unknown reason" },
    { 0x01, "WFI/WFE trap" },
    { 0x07, "SIMD/FP access trap" },
    { 0x0e, "illegal execution state" },
    { 0x16, "HVC (AArch64)" },
    { 0x17, "SMC (AArch64)" },
    { 0x18, "MSR/MRS/system instruction trap" },
    { 0x20, "instruction abort, lower EL" },
    { 0x21, "instruction abort, same EL" },
    { 0x22, "PC alignment fault" },
    { 0x24, "data abort, lower EL" },
    { 0x25, "data abort, same EL" },
    { 0x26, "SP alignment fault" },
    { 0x2f, "SError" },
    { 0x3c, "BRK (AArch64)" },
};

static const char *const vector_names[16] = {
    "sync (EL2, SP_EL0)",   "IRQ (EL2, SP_EL0)",   "FIQ (EL2, SP_EL0)",   "SError (EL2, SP_EL0)",
    "sync (EL2, SP_EL2)",   "IRQ (EL2, SP_EL2)",   "FIQ (EL2, SP_EL2)",   "SError (EL2, SP_EL2)",
    "sync (lower, AArch64)", "IRQ (lower, AArch64)", "FIQ (lower, AArch64)", "SError (lower, AArch64)",
    "sync (lower, AArch32)", "IRQ (lower, AArch32)", "FIQ (lower, AArch32)", "SError (lower, AArch32)",
};

static volatile unsigned exc_depth;

#define DEFINE_SYSREG_READ(name)                               \
    static uint64_t read_##name(void)                          \
    {                                                          \
        uint64_t v;                                            \
        __asm__ volatile("mrs %0, " #name : "=r"(v));          \
        return v;                                              \
    }
DEFINE_SYSREG_READ(esr_el2)
DEFINE_SYSREG_READ(elr_el2)
DEFINE_SYSREG_READ(far_el2)
DEFINE_SYSREG_READ(spsr_el2)

_Noreturn void image_exception(struct exc_frame *frame, uint64_t kind)
{
    /* A fault while reporting a fault: stop at once instead of looping. */
    if (exc_depth++ != 0)
        psci_system_off();

    uint64_t esr = read_esr_el2();
    uint64_t elr = read_elr_el2();
    uint64_t far = read_far_el2();
    uint64_t spsr = read_spsr_el2();
    unsigned ec = (unsigned)FIELD_GET(ESR_EC, esr);
    const char *ec_str = "?";
    for (unsigned i = 0; i < ARRAY_SIZE(ec_names); i++)
        if (ec_names[i].ec == ec)
            ec_str = ec_names[i].name;

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
