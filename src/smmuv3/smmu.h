/* The SMMUv3 driver: probe, reset/enable/disable, command submission with CMD_SYNC,
 * event queue, global errors, and STE updates. Freestanding; memory comes from the
 * caller. One `struct smmu` per SMMU instance. */
#ifndef SMMUV3_SMMU_H
#define SMMUV3_SMMU_H

#include "../lib/err.h"
#include "../lib/pool.h"
#include "../lib/types.h"
#include "cmd.h"
#include "event.h"
#include "queue.h"
#include "ste.h"
#include "strtab.h"

/* What the SMMU offers, decoded from IDR0/1/3/5, IIDR and AIDR (6.3.1-6.3.6). */
struct smmu_features {
    uint32_t idr0, idr1, idr3, idr5, iidr, aidr;
    bool s1, s2, two_level_strtab, coherent, ril, vmid16, asid16, cd2l, hyp, btm, xnx, msi,
        ats, pri, gran4k, gran16k, gran64k;
    unsigned ttf;        /* IDR0.TTF */
    unsigned stall_model;
    unsigned sid_bits;   /* IDR1.SIDSIZE */
    unsigned ssid_bits;  /* IDR1.SSIDSIZE */
    unsigned cmdq_log2;  /* IDR1.CMDQS: max entries, log2 */
    unsigned eventq_log2;
    unsigned oas_code;   /* IDR5.OAS */
    unsigned oas_bits;
    unsigned arch_major, arch_minor; /* AIDR: SMMUv3.x */
};

/* Read the ID registers. ERR_UNSUPPORTED if this SMMU lacks what we need: AArch64
 * translation tables, stage 2, the 4K granule, little-endian walks, or non-stalling
 * fault handling; or if the ID registers are inconsistent (SIDSIZE >= 7 without 2-level
 * stream tables). */
err_t smmu_probe(uintptr_t base, struct smmu_features *f);

/* Counters for benchmarks and tests. */
struct smmu_stats {
    uint64_t cmds;       /* commands written to the queue, CMD_SYNCs included */
    uint64_t syncs;      /* CMD_SYNCs */
    uint64_t prod_writes;
    uint64_t ste_writes; /* STE updates applied */
};

enum smmu_strtab_choice { SMMU_STRTAB_AUTO = 0, SMMU_STRTAB_FORCE_LINEAR, SMMU_STRTAB_FORCE_2LVL };

struct smmu_config {
    uintptr_t base;
    unsigned sid_bits;        /* StreamID bits in use; 0 means IDR1.SIDSIZE */
    enum smmu_strtab_choice strtab;
    /* Caller memory. Queues: 16 B (cmd) / 32 B (event) entries, aligned to the size. */
    void *cmdq_mem;
    unsigned cmdq_log2;
    void *eventq_mem;
    unsigned eventq_log2;
    /* Linear table or level-1 table; size from smmu_strtab_bytes(). */
    void *strtab_mem;
    size_t strtab_bytes;
    struct page_pool *pool;   /* level-2 stream tables (2-level format only) */
    uint64_t poll_timeout_us; /* 0 means SMMU_DEFAULT_TIMEOUT_US */
};

#define SMMU_DEFAULT_TIMEOUT_US 1000000u

struct smmu {
    uintptr_t base;
    struct smmu_config cfg; /* as given to smmu_init, for smmu_reinit */
    struct smmu_features f;
    struct smmu_queue cmdq;
    struct smmu_queue eventq;
    struct smmu_strtab strtab;
    uint64_t timeout_us;
    bool enabled;
    struct smmu_stats stats;
};

/* The stream-table layout (format, bytes to provide) smmu_init will use for `cfg`. */
err_t smmu_strtab_layout(const struct smmu_features *f, const struct smmu_config *cfg,
                         struct strtab_layout *out);

/* Probe, reset and enable, in the order 6.3.9 / 3.5 asks: GBPA abort, CR0 off and
 * acknowledged, queues, stream table (every STE abort), CR1/CR2, command queue on,
 * CFGI_ALL + TLBI_EL2_ALL + TLBI_NSNH_ALL + CMD_SYNC, event queue and IRQs on, SMMUEN.
 * Every acknowledgement poll has a deadline (ERR_TIMEOUT). */
err_t smmu_init(struct smmu *smmu, const struct smmu_config *cfg);

/* Make every stream abort: GBPA.ABORT, then SMMUEN off (queues stay on). */
err_t smmu_disable(struct smmu *smmu);

/* Queue commands then one CMD_SYNC, and wait for it. Waits for space when the queue is
 * full. ERR_INVALID (nothing queued) if any command does not encode; ERR_CMDQ if the
 * SMMU flags a command error; ERR_TIMEOUT past the deadline. */
err_t smmu_cmdq_submit(struct smmu *smmu, const struct smmu_cmd *cmds, unsigned n);

/* Replace the STE of `sid` by `target`, in the ordered steps of ste_update_plan(), each
 * made visible (dsb) and, when it changes bits the SMMU interprets, announced (CFGI_STE +
 * CMD_SYNC). Allocates the level-2 table on first use. ERR_RANGE for a SID beyond the
 * table; ERR_NO_MEMORY. */
err_t smmu_write_ste(struct smmu *smmu, uint32_t sid, const struct ste *target);

/* Read the STE the SMMU currently sees for `sid` (abort if its group has no L2 yet). */
err_t smmu_read_ste(const struct smmu *smmu, uint32_t sid, struct ste *out);

/* Event queue. Returns true and fills `ev` if a record was pending. */
bool smmu_eventq_pop(struct smmu *smmu, struct smmu_event *ev);
/* True (and acknowledged) if the SMMU reported event-queue overflow since the last call:
 * PROD.OVFLG != CONS.OVACKFLG, or GERROR.EVENTQ_ABT_ERR. */
bool smmu_eventq_overflowed(struct smmu *smmu);

/* Reset and enable again with the configuration of smmu_init (fresh queues; the stream
 * table rebuilt with every STE abort and its level-2 arrays returned to the pool). The
 * caller then rewrites the STEs it wants. */
err_t smmu_reinit(struct smmu *smmu);

/* Records waiting in the event queue. */
uint32_t smmu_eventq_pending(const struct smmu *smmu);

/* What GERROR reports (6.3.18), with the command-queue error's detail (6.3.27, 7.1). */
struct smmu_gerror_info {
    uint32_t active;    /* GERROR xor GERRORN, GERROR_* bits */
    uint8_t cmdq_err;   /* CMDQ_CONS.ERR when CMDQ_ERR is active: CMDQ_ERR_ILL, ... */
    uint64_t cmd[2];    /* the command at CMDQ_CONS (the one that failed) */
};
void smmu_gerror_read(const struct smmu *smmu, struct smmu_gerror_info *out);

/* With GERROR.CMDQ_ERR active: replace the failed command by a CMD_SYNC (harmless, and
 * what it was part of completes) and acknowledge the error, so the queue resumes.
 * ERR_STATE when no command error is pending. */
err_t smmu_cmdq_skip_error(struct smmu *smmu);

/* TEST ONLY (fault injection, used by the image's roottask-faults scenario; nothing in the
 * kernel calls it): write two raw command words into the command queue and publish them,
 * without CMD_SYNC and without waiting. A command the SMMU does not know stops the queue at
 * that entry with CMDQ_CONS.ERR = CERROR_ILL and raises GERROR.CMDQ_ERR (and the gerror
 * interrupt); smmu_cmdq_skip_error() recovers. ERR_TIMEOUT/ERR_CMDQ if the queue is full. */
err_t smmu_debug_inject_cmd(struct smmu *smmu, const uint64_t words[2]);

/* Active global errors: GERROR xor GERRORN (6.3.18). */
uint32_t smmu_gerror_active(const struct smmu *smmu);
/* Acknowledge `mask` (only bits currently active). */
void smmu_gerror_ack(struct smmu *smmu, uint32_t mask);

#endif
