/* Shared set-up for driver tests: one SMMU driven against the stand-in, with statically
 * allocated, suitably aligned queue, stream-table and pool memory. */
#ifndef TESTS_SMMU_FIXTURE_H
#define TESTS_SMMU_FIXTURE_H

#include "smmu_standin.h"
#include "smmuv3/smmu.h"

#define FX_POOL_PAGES 256

struct fixture {
    struct standin sd;
    struct smmu smmu;
    struct smmu_config cfg;
    struct page_pool pool;
};

/* Fill cfg with the fixture's memory (cmdq 2^cmdq_log2 entries, eventq 2^6 entries). */
void fx_config(struct fixture *fx, unsigned sid_bits, enum smmu_strtab_choice choice,
               unsigned cmdq_log2);
/* standin_init + fx_config + smmu_init; returns smmu_init's result. */
err_t fx_start(struct fixture *fx, unsigned sid_bits, enum smmu_strtab_choice choice);
void fx_stop(struct fixture *fx);

#endif
