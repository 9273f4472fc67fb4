#include "smmu_env.h"

#include "lib/bits.h"
#include "plat/plat.h"
#include "plat/qemu-virt/psci.h"
#include "plat/qemu-virt/uart.h"
#include "smmuv3/regs.h"
#include "smmuv3/tlb.h"

/* 256 commands; 2048 events: a faulting 4 KiB DMA on QEMU raises 1024 (one per 4 bytes). */
#define ENV_CMDQ_LOG2 8u
#define ENV_EVENTQ_LOG2 11u

static struct smmu_env env;

paddr_t env_alloc(struct image_ctx *ctx, uint32_t pages)
{
    paddr_t pa = 0;
    if (pool_alloc(&ctx->pool, pages, &pa) != ERR_NONE)
        plat_fatal("image pool exhausted");
    return pa;
}

static void print_features(const struct smmu_features *f)
{
    kprintf("  SMMUv3.%u: stage1 %s, stage2 %s, %s stream table, %u SID bits, %u SSID bits,\n"
            "    OAS %u bits, VMID%u, RIL %s, coherent %s, cmdq 2^%u, eventq 2^%u\n",
            f->arch_minor, f->s1 ? "yes" : "no", f->s2 ? "yes" : "no",
            f->two_level_strtab ? "2-level" : "linear", f->sid_bits, f->ssid_bits, f->oas_bits,
            f->vmid16 ? 16 : 8, f->ril ? "yes" : "no", f->coherent ? "yes" : "no", f->cmdq_log2,
            f->eventq_log2);
}

struct smmu_env *smmu_env_get(struct image_ctx *ctx)
{
    if (env.ready)
        return &env;
    if (!ctx->plat.smmu_present)
        plat_fatal("no arm,smmu-v3 node in the device tree");

    struct smmu_features f;
    err_t e = smmu_probe((uintptr_t)ctx->plat.smmu_base, &f);
    if (e != ERR_NONE) {
        kprintf("  smmu_probe: %s\n", err_name(e));
        plat_fatal("SMMU not usable");
    }
    struct smmu_config cfg = {
        .base = (uintptr_t)ctx->plat.smmu_base,
        .sid_bits = 0, /* all of IDR1.SIDSIZE */
        .strtab = SMMU_STRTAB_AUTO,
        .cmdq_log2 = ENV_CMDQ_LOG2,
        .eventq_log2 = ENV_EVENTQ_LOG2,
        .pool = &ctx->pool,
    };
    struct strtab_layout layout;
    if (smmu_strtab_layout(&f, &cfg, &layout) != ERR_NONE)
        plat_fatal("no stream-table layout");
    uint32_t st_pages = (uint32_t)((layout.bytes + PAGE_SIZE - 1) / PAGE_SIZE);
    uint32_t st_alloc = 1;
    while (st_alloc < st_pages)
        st_alloc <<= 1;
    cfg.strtab_mem = plat_phys_to_virt(env_alloc(ctx, st_alloc));
    cfg.strtab_bytes = (size_t)st_alloc * PAGE_SIZE;
    cfg.cmdq_mem = plat_phys_to_virt(env_alloc(ctx, 1));
    cfg.eventq_mem = plat_phys_to_virt(env_alloc(ctx, (32u << ENV_EVENTQ_LOG2) / PAGE_SIZE));

    e = smmu_init(&env.smmu, &cfg);
    if (e != ERR_NONE) {
        kprintf("  smmu_init: %s\n", err_name(e));
        plat_fatal("SMMU reset failed");
    }
    print_features(&env.smmu.f);
    kprintf("  stream table: %s, %llu bytes%s; every StreamID aborts until bound\n",
            layout.fmt == STRTAB_LINEAR ? "linear" : "2-level", (unsigned long long)layout.bytes,
            layout.fmt == STRTAB_2LVL ? " (level 1; level-2 arrays on first use)" : "");

    struct pt_format fmt;
    e = pt_format_init(&fmt, PT_STAGE2, ENV_IPA_BITS, env.smmu.f.oas_bits);
    if (e == ERR_NONE)
        e = pt_init(&env.vspace, &fmt, &ctx->pool);
    if (e != ERR_NONE)
        plat_fatal("stage-2 VSpace");
    kprintf("  VSpace: stage 2, %u-bit IPA, start level %u, root 0x%llx (%u page%s), VMID %u\n",
            fmt.ia_bits, fmt.start_level, (unsigned long long)env.vspace.root, fmt.root_pages,
            fmt.root_pages > 1 ? "s, concatenated" : "", ENV_VMID);
    env.ready = true;
    return &env;
}

err_t env_set_stage2(struct smmu_env *e, uint32_t sid)
{
    struct ste_s2_config c = {
        .vmid = ENV_VMID,
        .s2ttb = e->vspace.root,
        .t0sz = pt_format_t0sz(&e->vspace.fmt),
        .sl0 = pt_format_sl0(&e->vspace.fmt),
        .record_faults = true,
    };
    struct ste s;
    err_t err = make_s2_ste(&e->smmu.f, &c, &s);
    if (err != ERR_NONE)
        return err;
    return smmu_write_ste(&e->smmu, sid, &s);
}

err_t env_set_bypass(struct smmu_env *e, uint32_t sid)
{
    struct ste s = make_bypass_ste();
    return smmu_write_ste(&e->smmu, sid, &s);
}

err_t env_set_abort(struct smmu_env *e, uint32_t sid)
{
    struct ste s = make_abort_ste();
    return smmu_write_ste(&e->smmu, sid, &s);
}

bool env_sid_aborts(struct smmu_env *e, uint32_t sid)
{
    struct ste now, abort_ste = make_abort_ste();
    return smmu_read_ste(&e->smmu, sid, &now) == ERR_NONE && ste_equivalent(&now, &abort_ste);
}

err_t env_map(struct smmu_env *e, iova_t iova, paddr_t pa, uint64_t size, unsigned perms)
{
    struct pt_attrs a = { .perms = perms, .mem = PT_MEM_NORMAL_WB };
    return pt_map(&e->vspace, iova, pa, size, a);
}

err_t env_unmap(struct smmu_env *e, iova_t iova, uint64_t size, bool invalidate, struct pt_inval *inv)
{
    err_t err = pt_unmap(&e->vspace, iova, size, inv);
    if (err != ERR_NONE || !invalidate || inv->size == 0)
        return err;
    return smmu_tlbi_s2_range(&e->smmu, ENV_VMID, inv->ia, inv->size, inv->leaf_level);
}

unsigned env_drain_events(struct smmu_env *e, struct smmu_event *first, bool print)
{
    struct smmu_event ev;
    unsigned n = 0;
    /* Bounded: the queue holds at most 2^ENV_EVENTQ_LOG2 records. */
    for (unsigned i = 0; i < (1u << ENV_EVENTQ_LOG2) && smmu_eventq_pop(&e->smmu, &ev); i++) {
        if (n == 0 && first)
            *first = ev;
        if (print && n < 2)
            kprintf("    event: %s sid 0x%x %s addr 0x%llx%s ipa 0x%llx class %u\n",
                    smmu_event_name(ev.type), ev.sid, ev.is_read ? "read" : "write",
                    (unsigned long long)ev.input_addr, ev.stage2 ? " stage 2" : "",
                    (unsigned long long)ev.ipa, ev.class_);
        n++;
    }
    if (print && n > 2)
        kprintf("    ... %u events in all (QEMU retries a failed DMA 4 bytes at a time)\n", n);
    if (smmu_eventq_overflowed(&e->smmu))
        kprintf("    event queue overflowed: records were lost\n");
    return n;
}

static uint8_t pat(uint32_t i, uint8_t seed)
{
    return (uint8_t)(i * 31u + seed + (i >> 7));
}

void env_fill(paddr_t pa, uint32_t n, uint8_t seed)
{
    volatile uint8_t *p = plat_phys_to_virt(pa);
    for (uint32_t i = 0; i < n; i++)
        p[i] = pat(i, seed);
    plat_clean_to_poc((const void *)p, n);
    plat_dsb_sy();
}

bool env_check(paddr_t pa, uint32_t n, uint8_t seed)
{
    const volatile uint8_t *p = plat_phys_to_virt(pa);
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != pat(i, seed))
            return false;
    return true;
}

void env_fill_byte(paddr_t pa, uint32_t n, uint8_t v)
{
    volatile uint8_t *p = plat_phys_to_virt(pa);
    for (uint32_t i = 0; i < n; i++)
        p[i] = v;
    plat_clean_to_poc((const void *)p, n);
    plat_dsb_sy();
}

bool env_all_bytes(paddr_t pa, uint32_t n, uint8_t v)
{
    const volatile uint8_t *p = plat_phys_to_virt(pa);
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}
