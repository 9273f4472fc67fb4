#include "s1_tables.h"

#include "lib/bits.h"
#include "pgtable/pgtable.h"
#include "smmuv3/regs.h"

/* Arm ARM D8.3: table and page descriptors of stage 1. */
uint64_t s1_table(uint64_t ipa) { return (ipa & PTE_ADDR) | PTE_TYPE_TABLE; }

uint64_t s1_page(uint64_t ipa)
{
    return (ipa & PTE_ADDR) | PTE_TYPE_PAGE | FIELD_PREP(PTE_S1_ATTRINDX, PT_S1_MAIR_IDX_NORMAL_WB) |
           FIELD_PREP(PTE_S1_AP, PTE_S1_AP_RW_ALL) | FIELD_PREP(PTE_SH, PTE_SH_ISH) | PTE_AF | PTE_S1_NG;
}

unsigned s1_idx(uint64_t va, unsigned level) { return (unsigned)(va >> (39 - 9 * level)) & 511u; }

/* IHI 0070 5.4: TTB0 only, IPS 44 bits (QEMU 10 aborts on 6/7), record and abort faults. */
void s1_write_cd(volatile uint64_t *cd, uint64_t ttb0_ipa, unsigned asid)
{
    for (unsigned i = 0; i < CD_DWORDS; i++)
        cd[i] = 0;
    cd[1] = ttb0_ipa & CD1_TTB0;
    cd[3] = PT_S1_MAIR;
    cd[0] = FIELD_PREP(CD0_T0SZ, S1_T0SZ) | FIELD_PREP(CD0_IR0, 1) | FIELD_PREP(CD0_OR0, 1) |
            FIELD_PREP(CD0_SH0, 3) | CD0_EPD1 | FIELD_PREP(CD0_IPS, 4) | CD0_AA64 | CD0_R | CD0_A | CD0_ASET |
            FIELD_PREP(CD0_ASID, asid) | CD0_V; /* V in the same 64-bit store */
}
