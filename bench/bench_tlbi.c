/* Commands and CMD_SYNCs issued to unmap N contiguous pages from a stage-2 VSpace and
 * invalidate the SMMU TLB: the real path (pt_unmap -> smmu_tlbi_s2_range) against the
 * host SMMU stand-in, which counts what it consumes. Also the table memory the VSpace
 * used. Figures are counts, independent of machine speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtable/pgtable.h"
#include "smmu_standin.h"
#include "smmuv3/regs.h"
#include "smmuv3/smmu.h"
#include "smmuv3/tlb.h"

#define POOL_PAGES 4096u

static uint64_t cmdq_mem[2 * 256] __attribute__((aligned(4096)));
static uint64_t eventq_mem[4 * 64] __attribute__((aligned(2048)));
static uint8_t strtab_mem[16384] __attribute__((aligned(16384)));
static uint64_t bitmap[POOL_BITMAP_WORDS(POOL_PAGES)];
static struct standin sd;

static void run(struct smmu *smmu, struct page_pool *pool, bool ril, uint64_t pages, uint64_t leaf)
{
    smmu->f.ril = ril;
    struct pt_format fmt;
    struct pt vs;
    if (pt_format_init(&fmt, PT_STAGE2, 40, 44) != ERR_NONE || pt_init(&vs, &fmt, pool) != ERR_NONE) {
        fprintf(stderr, "pt init failed\n");
        exit(1);
    }
    const ipa_t base = 0x4000000000ULL / 2; /* 128 GiB: 1G aligned */
    uint64_t leaves = pages * PAGE_SIZE / leaf;
    for (uint64_t i = 0; i < leaves; i++) {
        struct pt_attrs a = { .perms = PT_PERM_R | PT_PERM_W, .mem = PT_MEM_NORMAL_WB };
        if (pt_map(&vs, base + i * leaf, 0x80000000ULL + i * leaf, leaf, a) != ERR_NONE) {
            fprintf(stderr, "map failed at %llu\n", (unsigned long long)i);
            exit(1);
        }
    }
    uint64_t table_bytes = (uint64_t)vs.tables * PAGE_SIZE;
    struct pt_inval inv;
    if (pt_unmap(&vs, base, pages * PAGE_SIZE, &inv) != ERR_NONE) {
        fprintf(stderr, "unmap failed\n");
        exit(1);
    }
    unsigned tlbi0 = standin_count(&sd, CMD_OP_TLBI_S2_IPA), all0 = standin_count(&sd, CMD_OP_TLBI_S12_VMALL);
    unsigned sync0 = sd.nsync;
    if (smmu_tlbi_s2_range(smmu, 1, inv.ia, inv.size, inv.leaf_level) != ERR_NONE) {
        fprintf(stderr, "tlbi failed\n");
        exit(1);
    }
    unsigned tlbi = standin_count(&sd, CMD_OP_TLBI_S2_IPA) - tlbi0;
    unsigned vmall = standin_count(&sd, CMD_OP_TLBI_S12_VMALL) - all0;
    printf("  unmap %7llu pages as %-3s leaves, RIL %-3s: %3u TLBI_S2_IPA + %u TLBI_S12_VMALL + %u CMD_SYNC"
           "   (tables: %llu KiB)\n",
           (unsigned long long)pages, leaf == PAGE_SIZE ? "4K" : leaf == SIZE_2M ? "2M" : "1G",
           ril ? "on" : "off", tlbi, vmall, sd.nsync - sync0, (unsigned long long)(table_bytes / 1024));
    pt_destroy(&vs);
}

int main(void)
{
    static uint8_t *pool_mem;
    pool_mem = aligned_alloc(4096, (size_t)POOL_PAGES * 4096);
    struct page_pool pool;
    pool_init(&pool, (paddr_t)(uintptr_t)pool_mem, POOL_PAGES, bitmap);
    standin_init(&sd);
    struct smmu smmu;
    struct smmu_config cfg = {
        .base = STANDIN_BASE, .sid_bits = 8, .cmdq_mem = cmdq_mem, .cmdq_log2 = 8,
        .eventq_mem = eventq_mem, .eventq_log2 = 6, .strtab_mem = strtab_mem,
        .strtab_bytes = sizeof(strtab_mem), .pool = &pool,
    };
    if (smmu_init(&smmu, &cfg) != ERR_NONE) {
        fprintf(stderr, "smmu_init failed\n");
        return 1;
    }
    printf("== TLB invalidation per unmap (target with RIL: <= ceil(log32(pages))+1 TLBI, exactly 1 CMD_SYNC)\n");
    const uint64_t sizes[] = { 1, 512, 262144 };
    for (unsigned i = 0; i < 3; i++)
        run(&smmu, &pool, true, sizes[i], PAGE_SIZE);
    run(&smmu, &pool, true, 262143, PAGE_SIZE); /* worst case: every base-32 digit non-zero */
    run(&smmu, &pool, true, 262144, SIZE_2M);
    run(&smmu, &pool, true, 262144, SIZE_1G);
    for (unsigned i = 0; i < 3; i++)
        run(&smmu, &pool, false, sizes[i], PAGE_SIZE);
    free(pool_mem);
    return 0;
}
