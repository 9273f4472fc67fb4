/* AArch64 system registers the EL2 kernel programs, each field named once.
 * Source: Arm Architecture Reference Manual for A-profile (ARM DDI 0487), chapter D23
 * "AArch64 System Register Descriptions" (HCR_EL2, VTCR_EL2, VTTBR_EL2, ESR_EL2,
 * HPFAR_EL2, SPSR_EL2, SCTLR_EL1, ID_AA64MMFR0_EL1, ID_AA64MMFR1_EL1) and D1.4 / D1.10
 * (exception entry, syndrome). Header only; AArch64 builds only (the accessors are asm). */
#ifndef ARCH_AARCH64_SYSREG_H
#define ARCH_AARCH64_SYSREG_H

#include <stdint.h>

#include "lib/bits.h"

/* ---- accessors ------------------------------------------------------------------------- */
#define SYSREG_READ(reg)                                                                   \
    __extension__({                                                                        \
        uint64_t v_;                                                                       \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_));                                      \
        v_;                                                                                \
    })
#define SYSREG_WRITE(reg, val) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(val)) : "memory")
#define ISB() __asm__ volatile("isb" : : : "memory")

/* ---- HCR_EL2: hypervisor configuration (D23.2 HCR_EL2) ---------------------------------- */
#define HCR_VM   BIT(0)   /* stage 2 of the EL1&0 regime on */
#define HCR_SWIO BIT(1)
#define HCR_PTW  BIT(2)
#define HCR_FMO  BIT(3)   /* physical FIQ to EL2 */
#define HCR_IMO  BIT(4)   /* physical IRQ to EL2 */
#define HCR_AMO  BIT(5)   /* SError to EL2 */
#define HCR_DC   BIT(12)  /* default cacheable: EL1&0 stage 1 off, Normal WB; VM behaves as 1 */
#define HCR_TWI  BIT(13)
#define HCR_TWE  BIT(14)
#define HCR_TSC  BIT(19)  /* SMC from EL1 traps to EL2 */
#define HCR_TVM  BIT(26)
#define HCR_TGE  BIT(27)  /* trap general exceptions: everything EL0 raises goes to EL2 */
#define HCR_RW   BIT(31)  /* EL1 (and so EL0 under it) is AArch64 */
#define HCR_E2H  BIT(34)  /* VHE; 0 here: EL2 keeps its own regime */

/* ---- CPTR_EL2 with E2H = 0 (D23.2 CPTR_EL2) and CPACR_EL1 (D23.2 CPACR_EL1) ------------- */
#define CPTR_EL2_RES1 (GENMASK(13, 12) | BIT(9) | GENMASK(7, 0))
#define CPTR_EL2_TFP  BIT(10)        /* FP/SIMD at EL0-EL2 traps to EL2 (EC 0x07) */
#define CPACR_EL1_FPEN GENMASK(21, 20)
#define CPACR_EL1_FPEN_NONE 3u       /* no FP/SIMD trap at the EL1 level */

/* ---- VTCR_EL2 / VTTBR_EL2: stage 2 of the EL1&0 regime (D23.2 VTCR_EL2, VTTBR_EL2) -------- */
#define VTCR_T0SZ  GENMASK(5, 0)
#define VTCR_SL0   GENMASK(7, 6)
#define VTCR_IRGN0 GENMASK(9, 8)
#define VTCR_ORGN0 GENMASK(11, 10)
#define VTCR_SH0   GENMASK(13, 12)
#define VTCR_TG0   GENMASK(15, 14)
#define VTCR_PS    GENMASK(18, 16)
#define VTCR_VS    BIT(19)       /* 16-bit VMID (needs ID_AA64MMFR1_EL1.VMIDBits = 0b0010) */
#define VTCR_RES1  BIT(31)
#define VTCR_RGN_WBWA 1u
#define VTCR_SH_INNER 3u
#define VTCR_TG0_4K   0u
#define VTTBR_BADDR GENMASK(47, 1)
#define VTTBR_VMID  GENMASK(63, 48)  /* bits [63:56] are RES0 unless VTCR_EL2.VS = 1 */

/* ---- ID registers ------------------------------------------------------------------------- */
#define ID_AA64MMFR0_PARANGE GENMASK(3, 0)  /* 0..6 = 32, 36, 40, 42, 44, 48, 52 bits */
#define ID_AA64MMFR1_VMIDBITS GENMASK(7, 4) /* 0b0000: 8 bits, 0b0010: 16 bits */
#define ID_AA64MMFR1_VMIDBITS_16 2u

/* ---- ESR_EL2: exception syndrome (D23.2 ESR_EL2; ISS encodings in D23.2.40 ff.) ----------- */
#define ESR_EC  GENMASK(31, 26)
#define ESR_IL  BIT(25)
#define ESR_ISS GENMASK(24, 0)
#define ESR_EC_UNKNOWN      0x00u
#define ESR_EC_WFX          0x01u
#define ESR_EC_FP_ACCESS    0x07u
#define ESR_EC_ILLEGAL      0x0eu
#define ESR_EC_SVC64        0x15u
#define ESR_EC_HVC64        0x16u
#define ESR_EC_SMC64        0x17u
#define ESR_EC_SYSREG       0x18u
#define ESR_EC_IABT_LOWER   0x20u
#define ESR_EC_IABT_CUR     0x21u
#define ESR_EC_PC_ALIGN     0x22u
#define ESR_EC_DABT_LOWER   0x24u
#define ESR_EC_DABT_CUR     0x25u
#define ESR_EC_SP_ALIGN     0x26u
#define ESR_EC_SERROR       0x2fu
#define ESR_EC_BRK64        0x3cu
/* ISS of SVC/HVC (AArch64): the instruction's imm16. */
#define ESR_ISS_SVC_IMM16   GENMASK(15, 0)
/* ISS of instruction and data aborts. */
#define ESR_ISS_xFSC        GENMASK(5, 0)   /* DFSC / IFSC */
#define ESR_ISS_WNR         BIT(6)          /* data abort: 1 = write */
#define ESR_ISS_S1PTW       BIT(7)          /* stage-2 fault on a stage-1 table walk */
#define ESR_ISS_FNV         BIT(10)         /* FAR_EL2 not valid */
/* Fault status codes (DFSC/IFSC [5:0]): type in [5:2], lookup level in [1:0]. */
#define FSC_TYPE            GENMASK(5, 2)
#define FSC_LEVEL           GENMASK(1, 0)
#define FSC_TYPE_ADDR_SIZE  0x0u
#define FSC_TYPE_TRANSLATION 0x1u
#define FSC_TYPE_ACCESS_FLAG 0x2u
#define FSC_TYPE_PERMISSION 0x3u

/* ---- HPFAR_EL2: faulting IPA of a stage-2 abort (D23.2 HPFAR_EL2) ------------------------- */
#define HPFAR_FIPA GENMASK(43, 4)  /* IPA[51:12] (IPA[47:12] in [39:4] without FEAT_LPA) */
#define HPFAR_NS   BIT(63)

/* ---- PAR_EL1: result of an AT instruction (D23.2 PAR_EL1) ------------------------------- */
#define PAR_F   BIT(0)           /* 1: the translation faulted */
#define PAR_FST GENMASK(6, 1)    /* F = 1: fault status */
#define PAR_PA  GENMASK(47, 12)  /* F = 0: output address */

/* ---- SPSR_EL2 (D1.4 "Process state, PSTATE"; D23.2 SPSR_EL2 for an exception from AArch64) */
#define SPSR_M      GENMASK(3, 0)   /* mode: 0b0000 EL0t, 0b0100 EL1t, 0b0101 EL1h, ... */
#define SPSR_M_EL0T 0u
#define SPSR_M_EL1H 5u              /* EL1 with SP_EL1: where a guest kernel starts */
#define SPSR_M_RW   BIT(4)          /* 0: the interrupted state was AArch64 */
#define SPSR_F      BIT(6)
#define SPSR_I      BIT(7)
#define SPSR_A      BIT(8)
#define SPSR_D      BIT(9)
#define SPSR_IL     BIT(20)

/* ---- SCTLR_EL1: its EL0 controls still apply with HCR_EL2.{E2H,TGE} = {0,1}; its M bit is
 * then treated as 0 (D23.2 SCTLR_EL1, HCR_EL2.TGE). ---------------------------------------- */
#define SCTLR_EL1_RES1 (BIT(29) | BIT(28) | BIT(23) | BIT(22) | BIT(20) | BIT(11))
#define SCTLR_EL1_SA0  BIT(4)       /* SP alignment check at EL0 */
#define SCTLR_EL1_M    BIT(0)       /* EL1&0 stage-1 MMU on (a guest's choice) */
#define SCTLR_EL1_C    BIT(2)       /* data accesses cacheable as stage 1 says */
#define SCTLR_EL1_SA   BIT(3)       /* SP alignment check at EL1 */
#define SCTLR_EL1_I    BIT(12)      /* instruction fetches cacheable */

/* ---- A guest's own stage 1 (D23.2 TCR_EL1, TTBR0_EL1); the guest programs these, the
 * kernel only saves and restores them per VM. ------------------------------------------ */
#define TCR_EL1_T0SZ  GENMASK(5, 0)
#define TCR_EL1_IRGN0 GENMASK(9, 8)
#define TCR_EL1_ORGN0 GENMASK(11, 10)
#define TCR_EL1_SH0   GENMASK(13, 12)
#define TCR_EL1_TG0   GENMASK(15, 14)   /* 0: 4K */
#define TCR_EL1_EPD1  BIT(23)           /* no TTBR1 walks */
#define TCR_EL1_IPS   GENMASK(34, 32)   /* intermediate physical address size (PARange code) */
#define TTBR_EL1_ASID GENMASK(63, 48)

/* ---- VMPIDR_EL2: the MPIDR_EL1 a guest reads (D23.2 VMPIDR_EL2) ------------------------- */
#define VMPIDR_RES1 BIT(31)
#define VMPIDR_AFF0 GENMASK(7, 0)

/* ---- Injecting a synchronous external abort into a guest (D1.10, ESR_EL1 for EC 0x25) ---- */
#define ESR_ELx_EC_SHIFT 26
#define FSC_SYNC_EXT_ABORT 0x10u

/* Physical-address-size encodings shared by ID_AA64MMFR0_EL1.PARange, VTCR_EL2.PS and the
 * SMMU's OAS/S2PS: bits for a code, and the code for a number of bits (~0u if none). */
static inline unsigned pa_range_bits(unsigned code)
{
    static const unsigned char bits[] = { 32, 36, 40, 42, 44, 48, 52 };
    return code < sizeof(bits) ? bits[code] : 0u;
}
static inline unsigned pa_range_code(unsigned nbits)
{
    for (unsigned c = 0; c < 7u; c++)
        if (pa_range_bits(c) == nbits)
            return c;
    return ~0u;
}

#endif
