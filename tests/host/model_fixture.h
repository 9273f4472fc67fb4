/* The driver, the kernel and the SMMU objects running on the reference model instead of
 * the stand-in: the model is SMMU 0 (QEMU virt's IDRs, 48-bit OAS for host addresses),
 * the kernel boots on a heap region, and the root task's calls go through the generated
 * user stubs and the host seL4_Call. Every buffer the SMMU reads is registered as model
 * RAM, so a wild pointer in a table is an abort the model reports, not a host crash
 * (the kernel's static CD array for stage-1-only contexts included). */
#ifndef TESTS_MODEL_FIXTURE_H
#define TESTS_MODEL_FIXTURE_H

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>

#include "kernel/boot.h"
#include "kernel/syscall.h"
#include "object/smmu_boot.h"
#include "object/smmu_object.h"
#include "smmu_model.h"
#include "smmuv3/smmu.h"

#define MFX_BASE 0x7d0000000000ULL
#define MFX_ROOT seL4_CapInitThreadCNode
#define MFX_DEPTH 64
#define MFX_POOL_PAGES 64
#define MFX_INTID_EVENTQ 106 /* the model's interrupt lines reach the host GIC (irq_host.h) */
#define MFX_INTID_GERROR 109

struct mfx_opts {
    unsigned mem_bits;        /* kernel memory: 2^mem_bits (default 24) */
    unsigned sid_bits;        /* default 16 (2-level stream table, split 6) */
    enum smmu_strtab_choice strtab;
    unsigned cmdq_log2;       /* default 8 */
    unsigned eventq_log2;     /* default 6 */
    unsigned pool_pages;      /* pages for level-2 stream tables (<= MFX_POOL_PAGES) */
    bool no_ril;              /* clear IDR3.RIL */
    bool qemu_eventq_overflow;
    bool dirty_reset;
    const struct smmu_boot_sid *boot_sids; /* default: SIDs 0x10, 0x18 on SMMU 0 */
    unsigned n_boot_sids;
};

struct mfx {
    struct smmu_model m;
    struct smmu smmu;
    struct smmu_config cfg;
    struct page_pool pool;
    void *mem;
    struct kernel_thread root;
    seL4_IPCBuffer ipc;
    seL4_BootInfo bi;
    seL4_CPtr next_slot;
    err_t init_err;
};
extern struct mfx mfx;

/* Model + smmu_init + kernel boot. 0 on success (init_err holds smmu_init's result). */
int mfx_start(const struct mfx_opts *o);
void mfx_stop(void);

seL4_CPtr mfx_slot(void);
/* Retype one object from the first untyped with room; 0 if none has (no failure). */
seL4_CPtr mfx_retype(seL4_Word type, seL4_Word size_bits);
/* Map a fresh 4K frame at va in vs (page tables as needed); returns the frame cap. */
seL4_CPtr mfx_map_frame(seL4_CPtr vs, seL4_Word va, seL4_CapRights_t rights);
uint64_t mfx_frame_pa(seL4_CPtr frame);

/* What a device sees: the model's answer for (sid, iova, write). */
bool mfx_dma(uint32_t sid, uint64_t iova, bool write, uint64_t *pa);

/* Fail the test unless the access is refused / reaches exactly `want`. */
void mfx_expect_denied(uint32_t sid, uint64_t iova, bool write);
void mfx_expect_reaches(uint32_t sid, uint64_t iova, bool write, uint64_t want);

/* mfx_stop, then fail the test if the driver broke an SMMU programming rule (the model
 * counts them) or, with `no_hw_errors`, if the objects counted hardware errors. */
void mfx_stop_checked(bool no_hw_errors);

#endif
