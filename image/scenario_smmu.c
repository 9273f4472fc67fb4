/* The SMMUv3 stage-2 scenarios: each checks what the edu device actually read or wrote,
 * and the event records the SMMU produced. edu0 is the translated device; edu1 is used
 * for abort and bypass. DMA directions: "to device" = the device reads RAM, "from device"
 * = the device writes RAM. */
#include "image.h"

#include "lib/bits.h"
#include "plat/plat.h"
#include "plat/qemu-virt/psci.h"
#include "plat/qemu-virt/uart.h"
#include "smmu_env.h"
#include "smmuv3/regs.h"
#include "smmuv3/tlb.h"

#define N EDU_DMA_BUF_SIZE
#define FAULT_BYTES 64u /* small faulting transfers: QEMU logs one event per 4 bytes */

/* IOVA windows, one per scenario so they never collide. */
#define IOVA_XLATE 0x10000000ULL
#define IOVA_BLOCK 0x40000000ULL /* 2M-aligned: a 2 MiB block mapping */
#define IOVA_RO 0x20000000ULL
#define IOVA_STALE 0x30000000ULL

#define CHECK(cond, ...)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            kprintf("  CHECK FAILED: " __VA_ARGS__);                                            \
            kprintf("\n");                                                                      \
            return false;                                                                       \
        }                                                                                       \
    } while (0)
#define OK(expr) CHECK((expr) == ERR_NONE, "%s", #expr)

static bool have_edus(struct image_ctx *ctx, unsigned n)
{
    if (ctx->n_edu < n) {
        kprintf("  needs %u edu devices, found %u\n", n, ctx->n_edu);
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        if (!ctx->edu[i].fn->has_sid) {
            kprintf("  edu%u has no StreamID (no iommu-map?)\n", i);
            return false;
        }
    }
    return true;
}

bool scenario_s2_translate(struct image_ctx *ctx)
{
    if (!have_edus(ctx, 1))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    struct edu *dev = &ctx->edu[0];
    env_drain_events(env, NULL, false);

    /* Four pages: source, canary, destination, canary. */
    paddr_t base = env_alloc(ctx, 4);
    paddr_t src = base, canary1 = base + PAGE_SIZE, dst = base + 2 * PAGE_SIZE, canary2 = base + 3 * PAGE_SIZE;
    env_fill(src, N, 0x11);
    env_fill_byte(canary1, N, 0x5a);
    env_fill_byte(dst, N, 0);
    env_fill_byte(canary2, N, 0x5a);
    OK(env_map(env, IOVA_XLATE, src, PAGE_SIZE, PT_PERM_R));
    OK(env_map(env, IOVA_XLATE + PAGE_SIZE, dst, PAGE_SIZE, PT_PERM_R | PT_PERM_W));
    OK(env_set_stage2(env, dev->sid));
    kprintf("  sid 0x%x -> stage 2: IOVA 0x%llx -> PA 0x%llx (read), IOVA 0x%llx -> PA 0x%llx (read/write)\n",
            dev->sid, (unsigned long long)IOVA_XLATE, (unsigned long long)src,
            (unsigned long long)(IOVA_XLATE + PAGE_SIZE), (unsigned long long)dst);

    OK(edu_dma_to_device(dev, IOVA_XLATE, N));
    OK(edu_dma_from_device(dev, IOVA_XLATE + PAGE_SIZE, N));
    CHECK(env_check(dst, N, 0x11), "destination page does not hold the source bytes");
    CHECK(env_all_bytes(canary1, N, 0x5a) && env_all_bytes(canary2, N, 0x5a), "a neighbouring page changed");
    kprintf("  device copied 4096 bytes IOVA 0x%llx -> device -> IOVA 0x%llx: bytes at PA 0x%llx match, neighbours untouched\n",
            (unsigned long long)IOVA_XLATE, (unsigned long long)(IOVA_XLATE + PAGE_SIZE), (unsigned long long)dst);

    /* A 2 MiB block: stage-2 level-2 leaf; write near its end, read from its middle. */
    paddr_t block = env_alloc(ctx, 512);
    env_fill_byte(block + 0x1ff000, N, 0);
    env_fill(block + 0x123000, N, 0x77);
    OK(env_map(env, IOVA_BLOCK, block, SIZE_2M, PT_PERM_R | PT_PERM_W));
    struct pt_walk_result w;
    OK(pt_walk(&env->vspace, IOVA_BLOCK + 0x1ff000, &w));
    CHECK(w.level == 2 && w.leaf_size == SIZE_2M && w.pa == block + 0x1ff000, "walk of the block");
    OK(edu_dma_to_device(dev, IOVA_BLOCK + 0x123000, N));
    OK(edu_dma_from_device(dev, IOVA_BLOCK + 0x1ff000, N));
    CHECK(env_check(block + 0x1ff000, N, 0x77), "bytes did not arrive at block + 0x1ff000");
    kprintf("  2 MiB block IOVA 0x%llx -> PA 0x%llx: read at +0x123000, wrote at +0x1ff000, bytes match\n",
            (unsigned long long)IOVA_BLOCK, (unsigned long long)block);

    unsigned events = env_drain_events(env, NULL, true);
    CHECK(events == 0, "%u unexpected events", events);

    struct pt_inval inv;
    OK(env_unmap(env, IOVA_XLATE, 2 * PAGE_SIZE, true, &inv));
    OK(env_unmap(env, IOVA_BLOCK, SIZE_2M, true, &inv));
    CHECK(inv.leaf_level == 2, "block unmap reports level 2");
    OK(env_set_abort(env, dev->sid));
    pool_free(&ctx->pool, block, 512);
    pool_free(&ctx->pool, base, 4);
    return true;
}

bool scenario_unmapped(struct image_ctx *ctx)
{
    if (!have_edus(ctx, 1))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    struct edu *dev = &ctx->edu[0];
    env_drain_events(env, NULL, false);
    OK(env_set_stage2(env, dev->sid));

    /* Load the device buffer with known bytes through a mapped page. */
    paddr_t src = env_alloc(ctx, 1), canary = env_alloc(ctx, 1);
    env_fill(src, N, 0x22);
    OK(env_map(env, IOVA_XLATE, src, PAGE_SIZE, PT_PERM_R));
    OK(edu_dma_to_device(dev, IOVA_XLATE, N));

    /* The canary's own physical address used as an IOVA: without the SMMU the write
     * would land on it. Nothing is mapped there in the VSpace. */
    env_fill_byte(canary, N, 0x5a);
    iova_t iova = canary;
    struct pt_walk_result w;
    CHECK(pt_walk(&env->vspace, iova, &w) == ERR_NOT_MAPPED, "IOVA must be unmapped");
    kprintf("  device writes %u bytes to unmapped IOVA 0x%llx (= the canary's PA)\n", FAULT_BYTES,
            (unsigned long long)iova);
    OK(edu_dma_from_device(dev, iova, FAULT_BYTES));
    CHECK(env_all_bytes(canary, N, 0x5a), "canary page changed: the DMA was not blocked");
    kprintf("  blocked: the canary page kept its bytes\n");

    struct smmu_event ev;
    unsigned n = env_drain_events(env, &ev, true);
    CHECK(n >= 1, "no event recorded");
    CHECK(ev.type == EVT_F_TRANSLATION, "event type %s, expected F_TRANSLATION", smmu_event_name(ev.type));
    CHECK(ev.sid == dev->sid, "event sid 0x%x, expected 0x%x", ev.sid, dev->sid);
    CHECK(ev.input_addr == iova, "event address 0x%llx", (unsigned long long)ev.input_addr);
    CHECK(ev.stage2 && !ev.is_read, "expected a stage-2 write fault");
    kprintf("  event: F_TRANSLATION, sid 0x%x, write, IOVA 0x%llx, stage 2 (%u records)\n", ev.sid,
            (unsigned long long)ev.input_addr, n);

    struct pt_inval inv;
    OK(env_unmap(env, IOVA_XLATE, PAGE_SIZE, true, &inv));
    OK(env_set_abort(env, dev->sid));
    pool_free(&ctx->pool, src, 1);
    pool_free(&ctx->pool, canary, 1);
    return true;
}

bool scenario_readonly(struct image_ctx *ctx)
{
    if (!have_edus(ctx, 1))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    struct edu *dev = &ctx->edu[0];
    env_drain_events(env, NULL, false);
    OK(env_set_stage2(env, dev->sid));

    paddr_t src = env_alloc(ctx, 1), ro = env_alloc(ctx, 1);
    env_fill(src, N, 0x33);
    env_fill(ro, N, 0x44);
    OK(env_map(env, IOVA_XLATE, src, PAGE_SIZE, PT_PERM_R));
    OK(env_map(env, IOVA_RO, ro, PAGE_SIZE, PT_PERM_R));
    OK(edu_dma_to_device(dev, IOVA_XLATE, N));
    /* QEMU 10.0 records no event for a write that hits a cached read-only entry (notes):
     * make sure the TLB is cold for this IOVA. */
    OK(smmu_tlbi_s2_range(&env->smmu, ENV_VMID, IOVA_RO, PAGE_SIZE, 3));

    kprintf("  IOVA 0x%llx -> PA 0x%llx mapped read-only; device writes %u bytes to it\n",
            (unsigned long long)IOVA_RO, (unsigned long long)ro, FAULT_BYTES);
    OK(edu_dma_from_device(dev, IOVA_RO, FAULT_BYTES));
    CHECK(env_check(ro, N, 0x44), "read-only page was modified");
    struct smmu_event ev;
    unsigned n = env_drain_events(env, &ev, true);
    CHECK(n >= 1, "no event recorded");
    CHECK(ev.type == EVT_F_PERMISSION, "event type %s, expected F_PERMISSION", smmu_event_name(ev.type));
    CHECK(ev.sid == dev->sid && ev.input_addr == IOVA_RO && ev.stage2 && !ev.is_read,
          "event fields: sid 0x%x addr 0x%llx s2 %d read %d", ev.sid, (unsigned long long)ev.input_addr,
          ev.stage2, ev.is_read);
    kprintf("  blocked: page unchanged; event F_PERMISSION, sid 0x%x, write, IOVA 0x%llx, stage 2\n",
            ev.sid, (unsigned long long)ev.input_addr);

    /* Reading the same page is allowed. */
    paddr_t dst = env_alloc(ctx, 1);
    env_fill_byte(dst, N, 0);
    OK(env_map(env, IOVA_XLATE + PAGE_SIZE, dst, PAGE_SIZE, PT_PERM_R | PT_PERM_W));
    OK(edu_dma_to_device(dev, IOVA_RO, N));
    OK(edu_dma_from_device(dev, IOVA_XLATE + PAGE_SIZE, N));
    CHECK(env_check(dst, N, 0x44), "read of the read-only page failed");
    CHECK(env_drain_events(env, NULL, true) == 0, "unexpected events on the allowed read");
    kprintf("  reading it is allowed: its bytes reached another page through the device\n");

    struct pt_inval inv;
    OK(env_unmap(env, IOVA_XLATE, 2 * PAGE_SIZE, true, &inv));
    OK(env_unmap(env, IOVA_RO, PAGE_SIZE, true, &inv));
    OK(env_set_abort(env, dev->sid));
    pool_free(&ctx->pool, src, 1);
    pool_free(&ctx->pool, ro, 1);
    pool_free(&ctx->pool, dst, 1);
    return true;
}

bool scenario_abort_bypass(struct image_ctx *ctx)
{
    if (!have_edus(ctx, 2))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    struct edu *dev = &ctx->edu[1];
    env_drain_events(env, NULL, false);
    paddr_t a = env_alloc(ctx, 1), b = env_alloc(ctx, 1), c = env_alloc(ctx, 1);

    /* Bypass: bus address = physical address. */
    OK(env_set_bypass(env, dev->sid));
    env_fill(a, N, 0x55);
    env_fill_byte(b, N, 0);
    OK(edu_dma_to_device(dev, a, N));
    OK(edu_dma_from_device(dev, b, N));
    CHECK(env_check(b, N, 0x55), "bypass DMA did not reach physical memory");
    kprintf("  sid 0x%x bypass: device copied PA 0x%llx -> PA 0x%llx, bytes match\n", dev->sid,
            (unsigned long long)a, (unsigned long long)b);

    /* Abort: neither a write nor a read moves anything. */
    OK(env_set_abort(env, dev->sid));
    env_fill_byte(c, N, 0x5a);
    OK(edu_dma_from_device(dev, c, N));
    CHECK(env_all_bytes(c, N, 0x5a), "abort STE let a write through");
    env_fill(a, N, 0x66);
    OK(edu_dma_to_device(dev, a, N)); /* refused: the device buffer keeps 0x55... */
    OK(env_set_bypass(env, dev->sid));
    env_fill_byte(b, N, 0);
    OK(edu_dma_from_device(dev, b, N));
    CHECK(!env_check(b, N, 0x66), "abort STE let a read through");
    CHECK(env_check(b, N, 0x55) || env_all_bytes(b, N, 0), "device buffer holds unexpected bytes");
    unsigned n = env_drain_events(env, NULL, true);
    CHECK(n == 0, "abort is silent, yet %u events", n);
    kprintf("  sid 0x%x abort: the device's write left PA 0x%llx unchanged, its read got nothing; no events (Config=abort is silent)\n",
            dev->sid, (unsigned long long)c);

    OK(env_set_abort(env, dev->sid));
    pool_free(&ctx->pool, a, 1);
    pool_free(&ctx->pool, b, 1);
    pool_free(&ctx->pool, c, 1);
    return true;
}

bool scenario_unmap_stale(struct image_ctx *ctx)
{
    if (!have_edus(ctx, 1))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    struct edu *dev = &ctx->edu[0];
    env_drain_events(env, NULL, false);
    OK(env_set_stage2(env, dev->sid));

    paddr_t src = env_alloc(ctx, 1), page = env_alloc(ctx, 1);
    OK(env_map(env, IOVA_XLATE, src, PAGE_SIZE, PT_PERM_R));
    OK(env_map(env, IOVA_STALE, page, PAGE_SIZE, PT_PERM_R | PT_PERM_W));

    /* 1. Mapped: the write lands (and the SMMU caches the translation). */
    env_fill(src, N, 0x01);
    env_fill_byte(page, N, 0);
    OK(edu_dma_to_device(dev, IOVA_XLATE, N));
    OK(edu_dma_from_device(dev, IOVA_STALE, N));
    CHECK(env_check(page, N, 0x01), "mapped write did not land");
    kprintf("  mapped: device wrote IOVA 0x%llx -> PA 0x%llx\n", (unsigned long long)IOVA_STALE,
            (unsigned long long)page);

    /* 2. Unmapped but not invalidated: the SMMU may still use its cached entry. */
    struct pt_inval inv;
    OK(env_unmap(env, IOVA_STALE, PAGE_SIZE, false, &inv));
    env_fill(src, N, 0x02);
    OK(edu_dma_to_device(dev, IOVA_XLATE, N));
    env_fill_byte(page, N, 0);
    OK(edu_dma_from_device(dev, IOVA_STALE, FAULT_BYTES));
    bool stale = env_check(page, FAULT_BYTES, 0x02);
    kprintf("  unmapped WITHOUT TLB invalidation: the write %s\n",
            stale ? "still landed through the stale IOTLB entry (this is why we invalidate)"
                  : "was blocked (no cached entry)");
    env_drain_events(env, NULL, false);

    /* 3. The real unmap path: range TLBI + one CMD_SYNC. */
    struct smmu_stats before = env->smmu.stats;
    OK(smmu_tlbi_s2_range(&env->smmu, ENV_VMID, inv.ia, inv.size, inv.leaf_level));
    uint64_t cmds = env->smmu.stats.cmds - before.cmds, syncs = env->smmu.stats.syncs - before.syncs;
    kprintf("  invalidated: %llu TLBI_S2_IPA + %llu CMD_SYNC\n", (unsigned long long)(cmds - syncs),
            (unsigned long long)syncs);
    CHECK(syncs == 1 && cmds - syncs == 1, "expected one TLBI and one CMD_SYNC");
    env_fill_byte(page, N, 0);
    OK(edu_dma_from_device(dev, IOVA_STALE, FAULT_BYTES));
    CHECK(env_all_bytes(page, N, 0), "write landed after unmap + invalidation");
    struct smmu_event ev;
    unsigned n = env_drain_events(env, &ev, true);
    CHECK(n >= 1 && ev.type == EVT_F_TRANSLATION && ev.input_addr == IOVA_STALE, "expected F_TRANSLATION at the unmapped IOVA");
    kprintf("  after invalidation: blocked, page unchanged, F_TRANSLATION at IOVA 0x%llx\n",
            (unsigned long long)ev.input_addr);

    OK(env_unmap(env, IOVA_XLATE, PAGE_SIZE, true, &inv));
    OK(env_set_abort(env, dev->sid));
    pool_free(&ctx->pool, src, 1);
    pool_free(&ctx->pool, page, 1);
    return true;
}
