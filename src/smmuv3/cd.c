#include "cd.h"

#include "smmu.h"

err_t make_cd(const struct smmu_features *f, const struct cd_config *cfg, struct cd *out)
{
    if (!f->s1)
        return ERR_UNSUPPORTED;
    if (!f->asid16 && cfg->asid > 0xff)
        return ERR_RANGE;
    /* 5.4 T0SZ: 16..39 for a 4K granule without STT (48-bit VA at most, VAX=0). */
    if (cfg->t0sz < 16 || cfg->t0sz > 39)
        return ERR_RANGE;
    if (!IS_ALIGNED(cfg->ttb0, PAGE_SIZE))
        return ERR_ALIGN;
    if (f->oas_bits < 64 && (cfg->ttb0 >> f->oas_bits) != 0)
        return ERR_RANGE;
    struct cd c = { { 0 } };
    /* IPS = the SMMU's OAS (never 6 or 7 on QEMU 10.0: its model asserts on them). */
    c.dw[0] = FIELD_PREP(CD0_T0SZ, cfg->t0sz) | FIELD_PREP(CD0_TG0, 0 /* 4K */) |
              FIELD_PREP(CD0_IR0, CR1_CACHE_WB) | FIELD_PREP(CD0_OR0, CR1_CACHE_WB) |
              FIELD_PREP(CD0_SH0, CR1_SH_ISH) | CD0_EPD1 | CD0_V | FIELD_PREP(CD0_IPS, f->oas_code) |
              CD0_AA64 | (cfg->record_faults ? CD0_R : 0) | CD0_A | CD0_ASET |
              FIELD_PREP(CD0_ASID, cfg->asid);
    c.dw[1] = cfg->ttb0 & CD1_TTB0;
    c.dw[3] = cfg->mair;
    *out = c;
    return ERR_NONE;
}

static err_t s1_fields(const struct smmu_features *f, const struct ste_s1_config *s1, struct ste *s)
{
    if (!f->s1)
        return ERR_UNSUPPORTED;
    if (s1->fmt > STE0_S1FMT_64K_L2 || (s1->fmt != STE0_S1FMT_LINEAR && !f->cd2l))
        return ERR_RANGE;
    /* 5.2 S1CDMax: the number of CDs is 2^S1CDMax, at most 2^SSIDSIZE. */
    if (s1->cdmax > f->ssid_bits || !FIELD_FITS(STE0_S1CDMAX, s1->cdmax))
        return ERR_RANGE;
    if (!IS_ALIGNED(s1->cd_table, CD_SIZE))
        return ERR_ALIGN;
    if ((s1->cd_table & ~STE0_S1CTXPTR) != 0)
        return ERR_RANGE;
    s->dw[0] |= FIELD_PREP(STE0_S1FMT, s1->fmt) | (s1->cd_table & STE0_S1CTXPTR) |
                FIELD_PREP(STE0_S1CDMAX, s1->cdmax);
    /* CD fetches: write-back, inner shareable; the device's own shareability for data;
     * non-secure EL1 translation regime (the guest's, or a native component's). */
    s->dw[1] |= FIELD_PREP(STE1_S1CIR, CR1_CACHE_WB) | FIELD_PREP(STE1_S1COR, CR1_CACHE_WB) |
                FIELD_PREP(STE1_S1CSH, CR1_SH_ISH) | FIELD_PREP(STE1_STRW, STE1_STRW_NSEL1) |
                FIELD_PREP(STE1_SHCFG, STE1_SHCFG_INCOMING);
    return ERR_NONE;
}

err_t make_s1_ste(const struct smmu_features *f, const struct ste_s1_config *s1, struct ste *out)
{
    struct ste s = { { 0 } };
    s.dw[0] = STE0_V | FIELD_PREP(STE0_CONFIG, STE_CONFIG_S1);
    err_t e = s1_fields(f, s1, &s);
    if (e != ERR_NONE)
        return e;
    *out = s;
    return ERR_NONE;
}

err_t make_nested_ste(const struct smmu_features *f, const struct ste_s1_config *s1,
                      const struct ste_s2_config *s2, struct ste *out)
{
    /* Stage-2 fields and checks as for a stage-2-only STE; then stage 1 on top. */
    struct ste s;
    err_t e = make_s2_ste(f, s2, &s);
    if (e != ERR_NONE)
        return e;
    s.dw[0] = STE0_V | FIELD_PREP(STE0_CONFIG, STE_CONFIG_NESTED);
    e = s1_fields(f, s1, &s);
    if (e != ERR_NONE)
        return e;
    *out = s;
    return ERR_NONE;
}
