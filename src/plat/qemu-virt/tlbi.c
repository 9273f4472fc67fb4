/* CPU stage-2 TLB maintenance for the kernel core (src/kernel/kernel_plat.h), AArch64 at
 * EL2. TLBI operations by IPA or "all of a VM" act on the VMID currently in VTTBR_EL2
 * (Arm ARM D8.13 "TLB maintenance instructions"), so the target VMID is switched in for
 * the duration and the old VTTBR_EL2 restored, as hypervisors do. EL2's own translation
 * does not use VTTBR_EL2, so the switch is invisible to the kernel. */
#include "../../kernel/kernel_plat.h"
#include "../../lib/bits.h"

#define VTTBR_VMID GENMASK(63, 48) /* 16-bit VMID with VTCR_EL2.VS = 1; 8-bit is [55:48] */

static uint64_t vttbr_switch(uint16_t vmid)
{
    uint64_t old, val;
    __asm__ volatile("mrs %0, vttbr_el2" : "=r"(old));
    val = (old & ~VTTBR_VMID) | FIELD_PREP(VTTBR_VMID, vmid);
    __asm__ volatile("msr vttbr_el2, %0\n\tisb" : : "r"(val) : "memory");
    return old;
}

static void vttbr_restore(uint64_t old)
{
    __asm__ volatile("msr vttbr_el2, %0\n\tisb" : : "r"(old) : "memory");
}

void plat_tlbi_ipa(uint16_t vmid, uint64_t ipa)
{
    uint64_t old = vttbr_switch(vmid);
    /* The cleared descriptor is visible to the walkers before the invalidation; then the
     * stage-2 entry for the IPA (any level), then the combined stage-1+2 entries, which
     * are not tagged by IPA (D8.13.5), each completed by a DSB. */
    __asm__ volatile("dsb ishst\n\t"
                     "tlbi ipas2e1is, %0\n\t"
                     "dsb ish\n\t"
                     "tlbi vmalle1is\n\t"
                     "dsb ish\n\t"
                     "isb"
                     :
                     : "r"((ipa >> 12) & GENMASK(39, 0))
                     : "memory");
    vttbr_restore(old);
}

void plat_tlbi_vmid(uint16_t vmid)
{
    uint64_t old = vttbr_switch(vmid);
    __asm__ volatile("dsb ishst\n\t"
                     "tlbi vmalls12e1is\n\t"
                     "dsb ish\n\t"
                     "isb"
                     :
                     :
                     : "memory");
    vttbr_restore(old);
}
