/* One table, two walkers: the VSpace the SMMU uses as S2TTB is loaded as the CPU's
 * stage 2 (VTTBR_EL2/VTCR_EL2), and the CPU's own translation (AT S12E1R, with EL1
 * stage 1 off so VA = IPA) must give the same physical address as the SMMU's DMA. */
#include "image.h"

#include "arch/aarch64/sysreg.h"
#include "lib/bits.h"
#include "plat/plat.h"
#include "plat/qemu-virt/uart.h"
#include "smmu_env.h"

#define IOVA_CPU 0x50000000ULL

static void load_cpu_stage2(const struct pt *vs, unsigned ps_code)
{
    uint64_t vtcr = VTCR_RES1 | FIELD_PREP(VTCR_T0SZ, pt_format_t0sz(&vs->fmt)) |
                    FIELD_PREP(VTCR_SL0, pt_format_sl0(&vs->fmt)) | FIELD_PREP(VTCR_IRGN0, VTCR_RGN_WBWA) |
                    FIELD_PREP(VTCR_ORGN0, VTCR_RGN_WBWA) | FIELD_PREP(VTCR_SH0, VTCR_SH_INNER) |
                    FIELD_PREP(VTCR_TG0, VTCR_TG0_4K) |
                    FIELD_PREP(VTCR_PS, ps_code);
    uint64_t vttbr = vs->root | FIELD_PREP(VTTBR_VMID, ENV_VMID);
    uint64_t hcr;
    __asm__ volatile("mrs %0, hcr_el2" : "=r"(hcr));
    __asm__ volatile("msr vtcr_el2, %0\n"
                     "msr vttbr_el2, %1\n"
                     "msr sctlr_el1, %2\n" /* EL1 stage 1 off: VA = IPA */
                     "msr hcr_el2, %3\n"
                     "isb\n"
                     "tlbi vmalls12e1\n"
                     "dsb sy\n"
                     "isb\n" ::"r"(vtcr),
                     "r"(vttbr), "r"(SCTLR_EL1_RES1), "r"(hcr | HCR_VM)
                     : "memory");
}

static uint64_t cpu_translate(uint64_t ipa)
{
    uint64_t par;
    __asm__ volatile("at s12e1r, %1\n"
                     "isb\n"
                     "mrs %0, par_el1\n"
                     : "=r"(par)
                     : "r"(ipa)
                     : "memory");
    return par;
}

bool scenario_cpu_shares_s2(struct image_ctx *ctx)
{
    if (ctx->n_edu < 1 || !ctx->edu[0].fn->has_sid)
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    struct edu *dev = &ctx->edu[0];
    env_drain_events(env, NULL, false);

    paddr_t page = env_alloc(ctx, 1), block = env_alloc(ctx, 512), dst = env_alloc(ctx, 1);
    if (env_map(env, IOVA_CPU, page, PAGE_SIZE, PT_PERM_R) != ERR_NONE ||
        env_map(env, IOVA_CPU + SIZE_2M, block, SIZE_2M, PT_PERM_R | PT_PERM_W) != ERR_NONE ||
        env_map(env, IOVA_CPU + 2 * SIZE_2M, dst, PAGE_SIZE, PT_PERM_R | PT_PERM_W) != ERR_NONE)
        return false;
    load_cpu_stage2(&env->vspace, env->smmu.f.oas_code);
    kprintf("  VTTBR_EL2 = S2TTB = 0x%llx (VMID %u): the CPU and the SMMU walk the same table\n",
            (unsigned long long)env->vspace.root, ENV_VMID);

    const struct { uint64_t ipa; paddr_t want; bool mapped; } probes[] = {
        { IOVA_CPU + 0x10, page + 0x10, true },
        { IOVA_CPU + SIZE_2M + 0x1abcd0, block + 0x1abcd0, true },
        { IOVA_CPU + 0x1000, 0, false },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(probes); i++) {
        uint64_t par = cpu_translate(probes[i].ipa);
        struct pt_walk_result w;
        err_t we = pt_walk(&env->vspace, probes[i].ipa, &w);
        if (probes[i].mapped) {
            paddr_t cpu_pa = (par & PAR_PA) | (probes[i].ipa & 0xfff);
            kprintf("  IPA 0x%llx: CPU (AT S12E1R) -> 0x%llx, table walk -> 0x%llx\n",
                    (unsigned long long)probes[i].ipa, (unsigned long long)cpu_pa,
                    (unsigned long long)w.pa);
            if ((par & PAR_F) || we != ERR_NONE || cpu_pa != probes[i].want || w.pa != probes[i].want)
                return false;
        } else {
            kprintf("  IPA 0x%llx: CPU faults (PAR.F=1, FST 0x%llx), table walk: not mapped\n",
                    (unsigned long long)probes[i].ipa, (unsigned long long)FIELD_GET(PAR_FST, par));
            if (!(par & PAR_F) || we != ERR_NOT_MAPPED)
                return false;
        }
    }

    /* The device, through the SMMU, reaches the same PA the CPU computed. */
    if (env_set_stage2(env, dev->sid) != ERR_NONE)
        return false;
    env_fill(block + 0x1ab000, EDU_DMA_BUF_SIZE, 0x99);
    env_fill_byte(dst, EDU_DMA_BUF_SIZE, 0);
    if (edu_dma_to_device(dev, IOVA_CPU + SIZE_2M + 0x1ab000, EDU_DMA_BUF_SIZE) != ERR_NONE ||
        edu_dma_from_device(dev, IOVA_CPU + 2 * SIZE_2M, EDU_DMA_BUF_SIZE) != ERR_NONE)
        return false;
    bool same = env_check(dst, EDU_DMA_BUF_SIZE, 0x99);
    kprintf("  device read IPA 0x%llx through the SMMU: %s\n",
            (unsigned long long)(IOVA_CPU + SIZE_2M + 0x1ab000),
            same ? "the bytes the CPU's translation points at" : "WRONG bytes");

    struct pt_inval inv;
    env_unmap(env, IOVA_CPU, 3 * SIZE_2M, true, &inv);
    __asm__ volatile("tlbi vmalls12e1\n dsb sy\n isb" ::: "memory");
    env_set_abort(env, dev->sid);
    pool_free(&ctx->pool, page, 1);
    pool_free(&ctx->pool, block, 512);
    pool_free(&ctx->pool, dst, 1);
    return same && env_drain_events(env, NULL, true) == 0;
}
