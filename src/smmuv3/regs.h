/* SMMUv3 registers, fields and in-memory structure layouts, named once.
 * Spec: Arm IHI 0070 (SMMUv3), chapter 6 (registers), 5 (STE/CD), 4 (commands),
 * 7 (events). Cross-checked in shared/notes/smmuv3-fields.md. */
#ifndef SMMUV3_REGS_H
#define SMMUV3_REGS_H

#include "../lib/bits.h"

/* ---- Register offsets (6.2). Page 1 is at +0x10000. ---------------------------------- */
#define SMMU_IDR0 0x00
#define SMMU_IDR1 0x04
#define SMMU_IDR2 0x08
#define SMMU_IDR3 0x0c
#define SMMU_IDR4 0x10
#define SMMU_IDR5 0x14
#define SMMU_IIDR 0x18
#define SMMU_AIDR 0x1c
#define SMMU_CR0 0x20
#define SMMU_CR0ACK 0x24
#define SMMU_CR1 0x28
#define SMMU_CR2 0x2c
#define SMMU_STATUSR 0x40
#define SMMU_GBPA 0x44
#define SMMU_IRQ_CTRL 0x50
#define SMMU_IRQ_CTRLACK 0x54
#define SMMU_GERROR 0x60
#define SMMU_GERRORN 0x64
#define SMMU_GERROR_IRQ_CFG0 0x68
#define SMMU_STRTAB_BASE 0x80
#define SMMU_STRTAB_BASE_CFG 0x88
#define SMMU_CMDQ_BASE 0x90
#define SMMU_CMDQ_PROD 0x98
#define SMMU_CMDQ_CONS 0x9c
#define SMMU_EVENTQ_BASE 0xa0
#define SMMU_EVENTQ_IRQ_CFG0 0xb0
#define SMMU_PRIQ_BASE 0xc0
/* EVENTQ_PROD/CONS live on Page 1 (6.3.26/27; QEMU aliases page 0, the spec does not). */
#define SMMU_EVENTQ_PROD 0x100a8
#define SMMU_EVENTQ_CONS 0x100ac
#define SMMU_MMIO_SIZE 0x20000

/* ---- IDR0 (6.3.1) --------------------------------------------------------------------- */
#define IDR0_S2P BIT(0)
#define IDR0_S1P BIT(1)
#define IDR0_TTF GENMASK(3, 2)
#define IDR0_TTF_AARCH64 2u
#define IDR0_TTF_BOTH 3u
#define IDR0_COHACC BIT(4)
#define IDR0_BTM BIT(5)
#define IDR0_HTTU GENMASK(7, 6)
#define IDR0_HYP BIT(9)
#define IDR0_ATS BIT(10)
#define IDR0_ASID16 BIT(12)
#define IDR0_MSI BIT(13)
#define IDR0_PRI BIT(16)
#define IDR0_VMID16 BIT(18)
#define IDR0_CD2L BIT(19)
#define IDR0_TTENDIAN GENMASK(22, 21)
#define IDR0_TTENDIAN_BE 3u
#define IDR0_STALL_MODEL GENMASK(25, 24)
#define IDR0_STALL_FORCED 2u
#define IDR0_TERM_MODEL BIT(26)
#define IDR0_ST_LEVEL GENMASK(28, 27)
#define IDR0_ST_LEVEL_2LVL 1u

/* ---- IDR1 (6.3.2) --------------------------------------------------------------------- */
#define IDR1_SIDSIZE GENMASK(5, 0)
#define IDR1_SSIDSIZE GENMASK(10, 6)
#define IDR1_PRIQS GENMASK(15, 11)
#define IDR1_EVENTQS GENMASK(20, 16)
#define IDR1_CMDQS GENMASK(25, 21)
#define IDR1_REL BIT(28)
#define IDR1_QUEUES_PRESET BIT(29)
#define IDR1_TABLES_PRESET BIT(30)

/* ---- IDR3 (6.3.4), IDR5 (6.3.6) -------------------------------------------------------- */
#define IDR3_XNX BIT(4)
#define IDR3_FWB BIT(8)
#define IDR3_RIL BIT(10)
#define IDR3_BBML GENMASK(12, 11)

#define IDR5_OAS GENMASK(2, 0)
#define IDR5_GRAN4K BIT(4)
#define IDR5_GRAN16K BIT(5)
#define IDR5_GRAN64K BIT(6)
#define IDR5_VAX GENMASK(11, 10)

/* ---- IIDR / AIDR ---------------------------------------------------------------------- */
#define IIDR_IMPLEMENTER GENMASK(11, 0)
#define IIDR_REVISION GENMASK(15, 12)
#define IIDR_VARIANT GENMASK(19, 16)
#define IIDR_PRODUCTID GENMASK(31, 20)
#define AIDR_MINOR GENMASK(3, 0)
#define AIDR_MAJOR GENMASK(7, 4)

/* ---- CR0 (6.3.9), CR1 (6.3.11), CR2 (6.3.12) ------------------------------------------- */
#define CR0_SMMUEN BIT(0)
#define CR0_PRIQEN BIT(1)
#define CR0_EVENTQEN BIT(2)
#define CR0_CMDQEN BIT(3)
#define CR0_ATSCHK BIT(4)

#define CR1_QUEUE_IC GENMASK(7, 6)
#define CR1_QUEUE_OC GENMASK(9, 8)
#define CR1_QUEUE_SH GENMASK(11, 10)
#define CR1_TABLE_IC GENMASK(1, 0)
#define CR1_TABLE_OC GENMASK(3, 2)
#define CR1_TABLE_SH GENMASK(5, 4)
#define CR1_CACHE_WB 1u   /* Write-back cacheable */
#define CR1_SH_ISH 3u     /* Inner shareable */

#define CR2_E2H BIT(0)
#define CR2_RECINVSID BIT(1)  /* record C_BAD_STREAMID for out-of-range SIDs */
#define CR2_PTM BIT(2)        /* private TLB maintenance: ignore broadcast TLBI */

/* ---- GBPA (6.3.14) -------------------------------------------------------------------- */
#define GBPA_UPDATE BIT(31)
#define GBPA_ABORT BIT(20)

/* ---- IRQ_CTRL (6.3.16) ---------------------------------------------------------------- */
#define IRQ_CTRL_GERROR_IRQEN BIT(0)
#define IRQ_CTRL_PRIQ_IRQEN BIT(1)
#define IRQ_CTRL_EVENTQ_IRQEN BIT(2)

/* ---- GERROR / GERRORN (6.3.18) -------------------------------------------------------- */
#define GERROR_CMDQ_ERR BIT(0)
#define GERROR_EVENTQ_ABT_ERR BIT(2)
#define GERROR_PRIQ_ABT_ERR BIT(3)
#define GERROR_MSI_CMDQ_ABT_ERR BIT(4)
#define GERROR_MSI_EVENTQ_ABT_ERR BIT(5)
#define GERROR_MSI_PRIQ_ABT_ERR BIT(6)
#define GERROR_MSI_GERROR_ABT_ERR BIT(7)
#define GERROR_SFM_ERR BIT(8)
#define GERROR_ERR_MASK (GENMASK(8, 7) | GENMASK(6, 2) | BIT(0))

/* ---- STRTAB_BASE (6.3.23), STRTAB_BASE_CFG (6.3.24) ------------------------------------ */
#define STRTAB_BASE_RA BIT(62)
#define STRTAB_BASE_ADDR GENMASK(51, 6)
#define STRTAB_BASE_CFG_LOG2SIZE GENMASK(5, 0)
#define STRTAB_BASE_CFG_SPLIT GENMASK(10, 6)
#define STRTAB_BASE_CFG_FMT GENMASK(17, 16)
#define STRTAB_FMT_LINEAR 0u
#define STRTAB_FMT_2LVL 1u

/* ---- Queue base and index registers (6.3.25-6.3.27) ------------------------------------ */
#define Q_BASE_RA BIT(62)
#define Q_BASE_ADDR GENMASK(51, 5)
#define Q_BASE_LOG2SIZE GENMASK(4, 0)
/* PROD/CONS: index in the low log2size bits, then the wrap bit; CONS.ERR in [30:24];
 * EVENTQ PROD.OVFLG and CONS.OVACKFLG are bit 31. */
#define Q_OVF BIT(31)
#define CMDQ_CONS_ERR GENMASK(30, 24)
#define CMDQ_ERR_NONE 0u
#define CMDQ_ERR_ILL 1u
#define CMDQ_ERR_ABT 2u
#define CMDQ_ERR_ATC_INV_SYNC 3u

/* ---- Stream table entries (5.2): 64 bytes, 8 dwords ------------------------------------ */
#define STE_DWORDS 8
#define STE_SIZE 64u
#define STE0_V BIT(0)
#define STE0_CONFIG GENMASK(3, 1)
#define STE_CONFIG_ABORT 0u
#define STE_CONFIG_BYPASS 4u
#define STE_CONFIG_S1 5u
#define STE_CONFIG_S2 6u
#define STE_CONFIG_NESTED 7u
#define STE0_S1FMT GENMASK(5, 4)
#define STE0_S1CTXPTR GENMASK(51, 6)
#define STE0_S1CDMAX GENMASK(63, 59)

#define STE1_S1DSS GENMASK(1, 0)
#define STE1_S1CIR GENMASK(3, 2)
#define STE1_S1COR GENMASK(5, 4)
#define STE1_S1CSH GENMASK(7, 6)
#define STE1_EATS GENMASK(29, 28)
#define STE1_STRW GENMASK(31, 30)
#define STE1_STRW_NSEL1 0u
#define STE1_STRW_EL2 2u
#define STE1_MEMATTR GENMASK(35, 32)
#define STE1_MTCFG BIT(36)
#define STE1_ALLOCCFG GENMASK(40, 37)
#define STE1_SHCFG GENMASK(45, 44)
#define STE1_SHCFG_INCOMING 1u
#define STE1_NSCFG GENMASK(47, 46)
#define STE1_PRIVCFG GENMASK(49, 48)
#define STE1_INSTCFG GENMASK(51, 50)

#define STE2_S2VMID GENMASK(15, 0)
#define STE2_VTCR GENMASK(50, 32) /* S2T0SZ..S2PS mirror VTCR_EL2[18:0] */
#define STE2_S2T0SZ GENMASK(37, 32)
#define STE2_S2SL0 GENMASK(39, 38)
#define STE2_S2IR0 GENMASK(41, 40)
#define STE2_S2OR0 GENMASK(43, 42)
#define STE2_S2SH0 GENMASK(45, 44)
#define STE2_S2TG GENMASK(47, 46)
#define STE2_S2PS GENMASK(50, 48)
#define STE2_S2AA64 BIT(51)
#define STE2_S2ENDI BIT(52)
#define STE2_S2AFFD BIT(53)
#define STE2_S2PTW BIT(54)
#define STE2_S2S BIT(57)
#define STE2_S2R BIT(58)

#define STE3_S2TTB GENMASK(51, 4)

#define STE0_S1FMT_LINEAR 0u
#define STE0_S1FMT_4K_L2 1u  /* 2-level CD table, 4 KiB level-2 tables */
#define STE0_S1FMT_64K_L2 2u /* 2-level CD table, 64 KiB level-2 tables */

/* ---- Context descriptors (5.4): 64 bytes, 8 dwords ------------------------------------- */
#define CD_DWORDS 8
#define CD_SIZE 64u
#define CD0_T0SZ GENMASK(5, 0)
#define CD0_TG0 GENMASK(7, 6)
#define CD0_IR0 GENMASK(9, 8)
#define CD0_OR0 GENMASK(11, 10)
#define CD0_SH0 GENMASK(13, 12)
#define CD0_EPD0 BIT(14)
#define CD0_ENDI BIT(15)
#define CD0_EPD1 BIT(30)
#define CD0_V BIT(31)
#define CD0_IPS GENMASK(34, 32)
#define CD0_AFFD BIT(35)
#define CD0_AA64 BIT(41)
#define CD0_R BIT(45)
#define CD0_A BIT(46)
#define CD0_ASET BIT(47)
#define CD0_ASID GENMASK(63, 48)
#define CD1_TTB0 GENMASK(51, 4)
#define CD3_MAIR GENMASK(63, 0)

/* ---- Level-1 stream table descriptor (5.1) --------------------------------------------- */
#define L1STD_SPAN GENMASK(4, 0)
#define L1STD_L2PTR GENMASK(51, 6)

/* ---- Commands (4.1-4.7): 16 bytes ------------------------------------------------------ */
#define CMD_DWORDS 2
#define CMD0_OPCODE GENMASK(7, 0)
#define CMD0_SSV BIT(11)
#define CMD0_SSID GENMASK(31, 12)
#define CMD0_SID GENMASK(63, 32)
#define CMD0_VMID GENMASK(47, 32)
#define CMD0_ASID GENMASK(63, 48)
#define CMD0_TLBI_NUM GENMASK(16, 12)
#define CMD0_TLBI_SCALE GENMASK(24, 20)
#define CMD1_LEAF BIT(0)
#define CMD1_RANGE GENMASK(4, 0)
#define CMD1_TLBI_TTL GENMASK(9, 8)
#define CMD1_TLBI_TG GENMASK(11, 10)
#define CMD1_ADDR GENMASK(63, 12)
#define CMD0_SYNC_CS GENMASK(13, 12)
#define CMD_SYNC_CS_NONE 0u
#define CMD_SYNC_CS_IRQ 1u
#define CMD_SYNC_CS_SEV 2u
#define CMD0_SYNC_MSH GENMASK(23, 22)
#define CMD0_SYNC_MSIATTR GENMASK(27, 24)
#define CMD0_SYNC_MSIDATA GENMASK(63, 32)
#define CMD1_SYNC_MSIADDR GENMASK(51, 2)

#define CMD_OP_PREFETCH_CONFIG 0x01
#define CMD_OP_CFGI_STE 0x03
#define CMD_OP_CFGI_STE_RANGE 0x04 /* CFGI_ALL is this with Range = 31 */
#define CMD_OP_CFGI_CD 0x05
#define CMD_OP_CFGI_CD_ALL 0x06
#define CMD_OP_TLBI_NH_ALL 0x10
#define CMD_OP_TLBI_NH_ASID 0x11
#define CMD_OP_TLBI_NH_VA 0x12
#define CMD_OP_TLBI_NH_VAA 0x13
#define CMD_OP_TLBI_EL2_ALL 0x20
#define CMD_OP_TLBI_S12_VMALL 0x28
#define CMD_OP_TLBI_S2_IPA 0x2a
#define CMD_OP_TLBI_NSNH_ALL 0x30
#define CMD_OP_SYNC 0x46
#define CFGI_ALL_RANGE 31u

/* ---- Event records (7.3): 32 bytes ----------------------------------------------------- */
#define EVT_DWORDS 4
#define EVT0_TYPE GENMASK(7, 0)
#define EVT0_SSV BIT(11)
#define EVT0_SSID GENMASK(31, 12)
#define EVT0_SID GENMASK(63, 32)
#define EVT1_STAG GENMASK(15, 0)
#define EVT1_STALL BIT(31)
#define EVT1_PNU BIT(33)
#define EVT1_IND BIT(34)
#define EVT1_RNW BIT(35)
#define EVT1_S2 BIT(39)
#define EVT1_CLASS GENMASK(41, 40)
#define EVT3_IPA GENMASK(51, 12)
#define EVT3_FETCH_ADDR GENMASK(51, 3)

#define EVT_F_UUT 0x01
#define EVT_C_BAD_STREAMID 0x02
#define EVT_F_STE_FETCH 0x03
#define EVT_C_BAD_STE 0x04
#define EVT_F_BAD_ATS_TREQ 0x05
#define EVT_F_STREAM_DISABLED 0x06
#define EVT_F_TRANSL_FORBIDDEN 0x07
#define EVT_C_BAD_SUBSTREAMID 0x08
#define EVT_F_CD_FETCH 0x09
#define EVT_C_BAD_CD 0x0a
#define EVT_F_WALK_EABT 0x0b
#define EVT_F_TRANSLATION 0x10
#define EVT_F_ADDR_SIZE 0x11
#define EVT_F_ACCESS 0x12
#define EVT_F_PERMISSION 0x13
#define EVT_F_TLB_CONFLICT 0x20
#define EVT_F_CFG_CONFLICT 0x21
#define EVT_E_PAGE_REQUEST 0x24
#define EVT_F_VMS_FETCH 0x25

/* ---- Size codes shared by IDR5.OAS, STE.S2PS, CD.IPS, VTCR.PS (6.3.6) ------------------- */
#define OAS_CODE_MAX 6u

#endif
