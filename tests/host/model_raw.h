/* Raw programming of the SMMUv3 model for its own unit tests: registers through the host
 * MMIO seam, hand-built stream tables, CDs and translation tables in one RAM arena. Field
 * positions are written out here from the spec (IHI 0070 chapters 4-7, Arm ARM D8) so
 * that these tests check the model against the text, not against the driver. */
#ifndef TESTS_MODEL_RAW_H
#define TESTS_MODEL_RAW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "plat/plat.h"
#include "smmu_model.h"

#define RAW_BASE 0x7e0000000000ULL
#define RAW_ARENA_BYTES (4u << 20)
#define RAW_IPA_ALIAS 0x40000000ULL /* nested tests: the arena is also mapped at this IPA */

/* registers */
#define RR_IDR0 0x00
#define RR_IDR1 0x04
#define RR_CR0 0x20
#define RR_CR0ACK 0x24
#define RR_CR2 0x2c
#define RR_GBPA 0x44
#define RR_IRQ_CTRL 0x50
#define RR_IRQ_CTRLACK 0x54
#define RR_GERROR 0x60
#define RR_GERRORN 0x64
#define RR_STRTAB_BASE 0x80
#define RR_STRTAB_BASE_CFG 0x88
#define RR_CMDQ_BASE 0x90
#define RR_CMDQ_PROD 0x98
#define RR_CMDQ_CONS 0x9c
#define RR_EVENTQ_BASE 0xa0
#define RR_EVENTQ_PROD 0x100a8
#define RR_EVENTQ_CONS 0x100ac

/* opcodes (4.1.1) */
#define OPC_PREFETCH_CONFIG 0x01
#define OPC_CFGI_STE 0x03
#define OPC_CFGI_STE_RANGE 0x04
#define OPC_CFGI_CD 0x05
#define OPC_CFGI_CD_ALL 0x06
#define OPC_TLBI_NH_ALL 0x10
#define OPC_TLBI_NH_ASID 0x11
#define OPC_TLBI_NH_VA 0x12
#define OPC_TLBI_NH_VAA 0x13
#define OPC_TLBI_EL2_ALL 0x20
#define OPC_TLBI_S12_VMALL 0x28
#define OPC_TLBI_S2_IPA 0x2a
#define OPC_TLBI_NSNH_ALL 0x30
#define OPC_SYNC 0x46

struct raw {
    struct smmu_model m;
    uint8_t *arena;
    size_t used;
    uint64_t *strtab, *cmdq, *evq;
    unsigned cmdq_log2, evq_log2;
    uint32_t cmd_prod, ev_cons;
    unsigned strtab_log2;
    bool two_level;
    uint64_t *l1;           /* 2-level: L1 table */
};

static inline void rw32(uint64_t off, uint32_t v) { plat_mmio_write32(RAW_BASE + off, v); }
static inline uint32_t rr32(uint64_t off) { return plat_mmio_read32(RAW_BASE + off); }
static inline void rw64(uint64_t off, uint64_t v) { plat_mmio_write64(RAW_BASE + off, v); }
static inline uint64_t pa_of(const void *p) { return (uint64_t)(uintptr_t)p; }

void *raw_alloc(struct raw *r, size_t bytes, size_t align);
/* Model with QEMU's IDRs but OAS 48 bits (host addresses), registered at RAW_BASE, RAM =
 * the arena; queues and a stream table of 2^strtab_log2 entries (2-level: split 6). Leaves
 * the SMMU enabled (CMDQEN, EVENTQEN, SMMUEN; CR2.RECINVSID) unless !enable. */
void raw_setup(struct raw *r, const struct model_config *cfg_or_null, unsigned strtab_log2, bool two_level,
               bool enable);
void raw_teardown(struct raw *r);

/* Commands: write at PROD and publish (consumed at once by the model). */
void raw_cmd(struct raw *r, uint64_t c0, uint64_t c1);
void raw_sync(struct raw *r);
void raw_cfgi_ste(struct raw *r, uint32_t sid, bool leaf);
void raw_cfgi_all(struct raw *r);
void raw_tlbi_s2_ipa(struct raw *r, uint16_t vmid, uint64_t ipa, bool leaf);
/* Pop one event record; false if the queue is empty. */
bool raw_event(struct raw *r, uint64_t rec[4]);
unsigned raw_events_pending(struct raw *r);

/* The STE slot of `sid` (2-level: allocates the L2 array of its group, Span = 7). */
uint64_t *raw_ste(struct raw *r, uint32_t sid);
void raw_ste_abort(struct raw *r, uint32_t sid);
void raw_ste_bypass(struct raw *r, uint32_t sid);
/* Stage 2, 39-bit IPA (T0SZ 25, SL0 = 01: start at level 1), S2PS 48 bits, S2R. */
void raw_ste_s2(struct raw *r, uint32_t sid, uint16_t vmid, uint64_t s2ttb);
/* Stage 1 only (S1ContextPtr = cd), or nested (cd is an IPA) over s2ttb. */
void raw_ste_s1(struct raw *r, uint32_t sid, uint16_t vmid, uint64_t cd);
void raw_ste_nested(struct raw *r, uint32_t sid, uint16_t vmid, uint64_t cd_ipa, uint64_t s2ttb);
/* A CD: TTB0 (39-bit VA, 4K), EPD1, AA64, A, R, IPS 48 bits, ASID. */
void raw_cd(uint64_t *cd, uint64_t ttb0, uint16_t asid);

/* Translation tables with a 39-bit input (root at level 1). `alias` true: next-level
 * pointers are written as IPAs of the arena alias (stage 1 of a nested config). */
uint64_t *raw_table(struct raw *r);
void raw_map(struct raw *r, uint64_t *root, uint64_t ia, uint64_t oa, uint64_t attrs, bool alias);
void raw_map_block2m(struct raw *r, uint64_t *root, uint64_t ia, uint64_t oa, uint64_t attrs, bool alias);
/* The leaf descriptor slot of ia (NULL if a table is missing). */
uint64_t *raw_leaf(struct raw *r, uint64_t *root, uint64_t ia, bool alias);
uint64_t raw_table_addr(struct raw *r, const void *p, bool alias);

/* Leaf attributes. */
#define S2_RW ((3ULL << 6) | (0xfULL << 2) | (3ULL << 8) | (1ULL << 10))
#define S2_RO ((1ULL << 6) | (0xfULL << 2) | (3ULL << 8) | (1ULL << 10))
#define S1_RW_EL0 ((1ULL << 6) | (3ULL << 8) | (1ULL << 10) | (1ULL << 11)) /* nG */
#define S1_RO_EL0 ((3ULL << 6) | (3ULL << 8) | (1ULL << 10) | (1ULL << 11))

#endif
