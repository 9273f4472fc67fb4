#include "ste.h"

#include "smmu.h"

struct ste make_abort_ste(void)
{
    /* 5.2: V=1, Config=0b000: every transaction is aborted silently (no event). */
    struct ste s = { { 0 } };
    s.dw[0] = STE0_V | FIELD_PREP(STE0_CONFIG, STE_CONFIG_ABORT);
    return s;
}

struct ste make_bypass_ste(void)
{
    struct ste s = { { 0 } };
    s.dw[0] = STE0_V | FIELD_PREP(STE0_CONFIG, STE_CONFIG_BYPASS);
    /* Keep the device's own shareability; the other overrides at 0 use incoming values. */
    s.dw[1] = FIELD_PREP(STE1_SHCFG, STE1_SHCFG_INCOMING);
    return s;
}

err_t make_s2_ste(const struct smmu_features *f, const struct ste_s2_config *cfg, struct ste *out)
{
    if (!f->s2)
        return ERR_UNSUPPORTED;
    if (!f->vmid16 && cfg->vmid > 0xff)
        return ERR_RANGE;
    /* 5.2 S2T0SZ: at least MAX(16, 64 - IAS) and at most 39 (no STT, DS=0). IAS = OAS
     * for an SMMU with AArch64 tables only. */
    unsigned min_t0sz = 64u - (f->oas_bits < 48 ? f->oas_bits : 48u);
    if (cfg->t0sz < min_t0sz || cfg->t0sz > 39)
        return ERR_RANGE;
    if (cfg->sl0 > 2)
        return ERR_INVALID;
    /* Start level 0 needs an IPA above 39 bits; level 2 at most 34 bits (4K granule,
     * up to 16 concatenated tables; Arm ARM D8.2 and notes table). */
    unsigned ipa_bits = 64u - cfg->t0sz;
    if ((cfg->sl0 == 2 && ipa_bits < 40) || (cfg->sl0 == 1 && (ipa_bits < 31 || ipa_bits > 43)) ||
        (cfg->sl0 == 0 && ipa_bits > 34))
        return ERR_INVALID;
    if (!IS_ALIGNED(cfg->s2ttb, PAGE_SIZE))
        return ERR_ALIGN;
    if (f->oas_bits < 64 && (cfg->s2ttb >> f->oas_bits) != 0)
        return ERR_RANGE;

    struct ste s = { { 0 } };
    s.dw[0] = STE0_V | FIELD_PREP(STE0_CONFIG, STE_CONFIG_S2);
    s.dw[1] = FIELD_PREP(STE1_SHCFG, STE1_SHCFG_INCOMING);
    s.dw[2] = FIELD_PREP(STE2_S2VMID, cfg->vmid) | FIELD_PREP(STE2_S2T0SZ, cfg->t0sz) |
              FIELD_PREP(STE2_S2SL0, cfg->sl0) | FIELD_PREP(STE2_S2IR0, CR1_CACHE_WB) |
              FIELD_PREP(STE2_S2OR0, CR1_CACHE_WB) | FIELD_PREP(STE2_S2SH0, CR1_SH_ISH) |
              FIELD_PREP(STE2_S2TG, 0 /* 4K */) | FIELD_PREP(STE2_S2PS, f->oas_code) |
              STE2_S2AA64 | STE2_S2PTW | (cfg->record_faults ? STE2_S2R : 0);
    s.dw[3] = cfg->s2ttb & STE3_S2TTB;
    *out = s;
    return ERR_NONE;
}

void ste_used_bits(const struct ste *s, struct ste *mask)
{
    for (int i = 0; i < STE_DWORDS; i++)
        mask->dw[i] = 0;
    mask->dw[0] = STE0_V;
    if (!(s->dw[0] & STE0_V))
        return;
    mask->dw[0] |= STE0_CONFIG;
    unsigned config = (unsigned)FIELD_GET(STE0_CONFIG, s->dw[0]);
    if (config < STE_CONFIG_BYPASS)
        return; /* abort: nothing else is read */
    /* Bypass and translating configs read the attribute overrides in dword 1. */
    mask->dw[1] = ~0ULL;
    if (config == STE_CONFIG_S1 || config == STE_CONFIG_NESTED)
        mask->dw[0] = ~0ULL;
    if (config == STE_CONFIG_S2 || config == STE_CONFIG_NESTED) {
        mask->dw[2] = ~0ULL;
        mask->dw[3] = ~0ULL;
    }
}

bool ste_equivalent(const struct ste *a, const struct ste *b)
{
    struct ste ma, mb;
    ste_used_bits(a, &ma);
    ste_used_bits(b, &mb);
    for (int i = 0; i < STE_DWORDS; i++)
        if (ma.dw[i] != mb.dw[i] || (a->dw[i] & ma.dw[i]) != (b->dw[i] & mb.dw[i]))
            return false;
    return true;
}

static bool same(const struct ste *a, const struct ste *b)
{
    for (int i = 0; i < STE_DWORDS; i++)
        if (a->dw[i] != b->dw[i])
            return false;
    return true;
}

static unsigned push_step(struct ste steps[STE_MAX_STEPS], unsigned n, const struct ste *prev,
                          const struct ste *next)
{
    if (same(prev, next))
        return n;
    steps[n] = *next;
    return n + 1;
}

unsigned ste_update_plan(const struct ste *cur, const struct ste *target,
                         struct ste steps[STE_MAX_STEPS])
{
    struct ste used_cur, used_tgt, s = *cur;
    unsigned n = 0;
    ste_used_bits(cur, &used_cur);
    ste_used_bits(target, &used_tgt);

    /* Step 1: write the target's value into every bit the current config ignores. */
    struct ste prep;
    for (int i = 0; i < STE_DWORDS; i++)
        prep.dw[i] = (cur->dw[i] & used_cur.dw[i]) | (target->dw[i] & ~used_cur.dw[i]);

    /* Dwords still differing in bits the target will interpret. */
    int critical = -1, ncritical = 0;
    for (int i = 0; i < STE_DWORDS; i++) {
        if ((prep.dw[i] ^ target->dw[i]) & used_tgt.dw[i]) {
            critical = i;
            ncritical++;
        }
    }

    if (ncritical <= 1) {
        /* Hitless: one 64-bit store flips the SMMU's view from old to new. */
        n = push_step(steps, n, &s, &prep);
        s = prep;
        if (critical >= 0) {
            struct ste flip = s;
            flip.dw[critical] = target->dw[critical];
            n = push_step(steps, n, &s, &flip);
            s = flip;
        }
        /* Clean-up of bits the new config ignores (invisible to the SMMU). */
        n = push_step(steps, n, &s, target);
        return n;
    }

    /* No hitless path: break to abort (dword 0 only), fill, then make it live. */
    struct ste brk = s;
    brk.dw[0] = make_abort_ste().dw[0];
    n = push_step(steps, n, &s, &brk);
    s = brk;
    struct ste fill = *target;
    fill.dw[0] = brk.dw[0];
    n = push_step(steps, n, &s, &fill);
    s = fill;
    n = push_step(steps, n, &s, target);
    return n;
}
