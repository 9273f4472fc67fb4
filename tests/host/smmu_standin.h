/* A host stand-in for the SMMUv3 register interface, enough for unit tests of the driver:
 * ID registers, CR0/CR0ACK, GBPA, IRQ_CTRL, GERROR/GERRORN, and a command queue that is
 * consumed on every CMDQ_PROD write (opcode validity, CMD_SYNC, CERROR_ILL). It logs every
 * command and lets tests inject events and faults. It does not translate: the reference
 * model (model/) does that. */
#ifndef TESTS_SMMU_STANDIN_H
#define TESTS_SMMU_STANDIN_H

#include <stdbool.h>
#include <stdint.h>

#define STANDIN_BASE 0x7f0000000000ULL /* fake MMIO window, never dereferenced */
#define STANDIN_LOG_MAX 8192

struct standin;
typedef void (*standin_sync_hook)(struct standin *sd, void *ctx);

struct standin {
    uintptr_t base; /* where it is registered (host_mmio_register) */
    uint32_t idr[6], iidr, aidr;
    uint32_t cr0, cr0ack, cr1, cr2, gbpa, irq_ctrl, irq_ctrlack, gerror, gerrorn;
    uint64_t strtab_base, cmdq_base, eventq_base;
    uint32_t strtab_base_cfg, cmdq_prod, cmdq_cons, eventq_prod, eventq_cons;

    /* fault injection */
    bool never_ack_cr0;   /* CR0ACK never follows CR0 */
    bool gbpa_stuck;      /* GBPA.UPDATE never clears */
    bool stall_sync;      /* CMD_SYNC is never consumed */
    bool eventq_overflow_gerror; /* QEMU style: full queue -> GERROR.EVENTQ_ABT_ERR */

    /* observation */
    uint64_t log[STANDIN_LOG_MAX][2];
    unsigned nlog;
    unsigned nsync;
    unsigned op_count[256];
    /* register write order: (offset) for the reset-order test */
    uint32_t writes[256];
    unsigned nwrites;
    standin_sync_hook on_sync;
    void *on_sync_ctx;
    uint64_t events_dropped;
};

/* Reset to QEMU virt's ID values (IDR0 0x0d44101b etc.) and register it at STANDIN_BASE. */
void standin_init(struct standin *sd);
/* The same at another MMIO base, so that several stand-ins (several SMMUs) coexist; a
 * window is SMMU_MMIO_SIZE bytes. Change sd->idr[] afterwards for another SMMU model. */
void standin_init_at(struct standin *sd, uintptr_t base);
/* Unregister it from its base. */
void standin_remove(struct standin *sd);

/* Write an event record at EVENTQ_PROD; returns false (and records overflow) if full. */
bool standin_inject_event(struct standin *sd, const uint64_t raw[4]);

/* The STE the SMMU would fetch for `sid` from the tables the driver programmed; returns
 * 0 or the event type that fetch would raise (C_BAD_STREAMID). */
int standin_fetch_ste(const struct standin *sd, uint32_t sid, uint64_t ste[8]);

/* Count of logged commands with `opcode`. */
unsigned standin_count(const struct standin *sd, uint8_t opcode);

#endif
