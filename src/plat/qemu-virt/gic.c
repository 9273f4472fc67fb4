/* GICv2 and GICv3 for the EL2 kernel (gic.h). Every register and field is named once,
 * here, in the specifications' notation. */
#include "gic.h"

#include "../../arch/aarch64/sysreg.h"
#include "../../lib/bits.h"
#include "../plat.h"
#include "fdt.h"

/* ---- distributor, both versions (IHI 0048B 4.3, IHI 0069 12.9) -------------------------- */
#define GICD_CTLR 0x0000u
#define GICD_TYPER 0x0004u
#define GICD_IGROUPR(n) (0x0080u + 4u * (n))     /* 32 INTIDs per register */
#define GICD_ISENABLER(n) (0x0100u + 4u * (n))
#define GICD_ICENABLER(n) (0x0180u + 4u * (n))
#define GICD_ISPENDR(n) (0x0200u + 4u * (n))
#define GICD_ICPENDR(n) (0x0280u + 4u * (n))
#define GICD_ICACTIVER(n) (0x0380u + 4u * (n))
#define GICD_IPRIORITYR(n) (0x0400u + 4u * (n))  /* 4 INTIDs per register, a byte each */
#define GICD_ITARGETSR(n) (0x0800u + 4u * (n))   /* GICv2: 4 INTIDs per register */
#define GICD_ICFGR(n) (0x0C00u + 4u * (n))       /* 16 INTIDs per register, 2 bits each */
#define GICD_IROUTER(n) (0x6000u + 8u * (n))     /* GICv3: one 64-bit register per SPI */

#define GICD_CTLR_ENABLE_GRP0 BIT(0)
#define GICD_CTLR_ENABLE_GRP1 BIT(1)  /* GICv3 (one security state): EnableGrp1 */
#define GICD_CTLR_ARE BIT(4)          /* GICv3: affinity routing */
#define GICD_CTLR_RWP BIT(31)         /* GICv3: register write pending */
#define GICD_TYPER_ITLINES GENMASK(4, 0) /* INTIDs = 32 * (N + 1) */
#define GICD_ICFGR_EDGE 2u            /* Int_config[1]: 1 = edge-triggered */

/* ---- GICv2 CPU interface (IHI 0048B 4.4) -------------------------------------------------- */
#define GICC_CTLR 0x0000u
#define GICC_PMR 0x0004u
#define GICC_BPR 0x0008u
#define GICC_IAR 0x000Cu
#define GICC_EOIR 0x0010u
#define GICC_CTLR_ENABLE_GRP0 BIT(0)
#define GICC_CTLR_ENABLE_GRP1 BIT(1)
#define GICC_IAR_INTID GENMASK(9, 0)

/* ---- GICv3 redistributor (IHI 0069 12.10, 12.11) ----------------------------------------- */
#define GICR_FRAME_SIZE 0x20000u       /* RD_base + SGI_base */
#define GICR_SGI_BASE 0x10000u
#define GICR_CTLR 0x0000u
#define GICR_TYPER 0x0008u             /* 64-bit */
#define GICR_WAKER 0x0014u
#define GICR_TYPER_LAST BIT(4)
#define GICR_TYPER_AFFINITY GENMASK(63, 32)
#define GICR_WAKER_PROCESSOR_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)
/* In the SGI_base frame: the same layout as the distributor's first registers. */
#define GICR_IGROUPR0 0x0080u
#define GICR_ISENABLER0 0x0100u
#define GICR_ICENABLER0 0x0180u
#define GICR_ICPENDR0 0x0280u
#define GICR_ISPENDR0 0x0200u
#define GICR_ICACTIVER0 0x0380u
#define GICR_IPRIORITYR(n) (0x0400u + 4u * (n))

/* ---- GICv3 CPU interface: system registers (IHI 0069 12.2), by encoding ----------------- */
#define ICC_SRE_EL2 "s3_4_c12_c9_5"
#define ICC_PMR_EL1 "s3_0_c4_c6_0"
#define ICC_IAR1_EL1 "s3_0_c12_c12_0"
#define ICC_EOIR1_EL1 "s3_0_c12_c12_1"
#define ICC_BPR1_EL1 "s3_0_c12_c12_3"
#define ICC_CTLR_EL1 "s3_0_c12_c12_4"
#define ICC_IGRPEN1_EL1 "s3_0_c12_c12_7"
#define ICC_SRE_SRE BIT(0)      /* system-register interface */
#define ICC_SRE_ENABLE BIT(3)   /* EL1 may use ICC_SRE_EL1 */
#define ICC_IAR_INTID GENMASK(23, 0)

#define ICC_WRITE(reg, v) __asm__ volatile("msr " reg ", %0" : : "r"((uint64_t)(v)) : "memory")
#define ICC_READ(reg, v) __asm__ volatile("mrs %0, " reg : "=r"(v) : : "memory")

#define GIC_PRIO_MASK_OPEN 0xffu
#define GIC_POLL_US 10000u
#define GIC_MAX_INTIDS GIC_INTID_SPECIAL

/* MPIDR_EL1 affinity fields (ARM DDI 0487 D23.2), for GICv3 routing. */
#define MPIDR_AFF0_2 GENMASK(23, 0)
#define MPIDR_AFF3 GENMASK(39, 32)

static uint32_t rd(uintptr_t base, uint32_t off) { return plat_mmio_read32(base + off); }
static void wr(uintptr_t base, uint32_t off, uint32_t v) { plat_mmio_write32(base + off, v); }

/* ---- the device tree ------------------------------------------------------------------------ */

static const char *const gicv2_compatibles[] = { "arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic" };

#define TIMER_SPEC_CELLS 3u
#define TIMER_HYP_INDEX 3u /* arm,armv8-timer: secure, non-secure, virtual, hypervisor */
#define GIC_PPI_TYPE 1u
#define GIC_PPI_INTID_BASE 16u

static void probe_timer(const struct fdt *f, struct gic *g)
{
    uint32_t node, type, num;
    const uint8_t *d;
    uint32_t len;
    g->timer_intid = 0;
    if (fdt_find_compatible(f, FDT_NODE_NONE, "arm,armv8-timer", &node) != ERR_NONE ||
        fdt_get_prop(f, node, "interrupts", &d, &len) != ERR_NONE)
        return;
    uint32_t c = TIMER_HYP_INDEX * TIMER_SPEC_CELLS;
    if (fdt_cell(d, len, c, &type) != ERR_NONE || fdt_cell(d, len, c + 1, &num) != ERR_NONE)
        return;
    if (type == GIC_PPI_TYPE && num < 16u)
        g->timer_intid = GIC_PPI_INTID_BASE + num;
}

err_t gic_probe_dt(const struct platform_info *info, struct gic *g)
{
    struct fdt f;
    *g = (struct gic){ 0 };
    if (!info->dtb)
        return ERR_NOT_FOUND;
    err_t e = fdt_init(&f, info->dtb, info->dtb_size);
    if (e != ERR_NONE)
        return e;
    uint32_t node;
    uint64_t base, size;
    if (fdt_find_compatible(&f, FDT_NODE_NONE, "arm,gic-v3", &node) == ERR_NONE) {
        g->version = 3;
        e = fdt_read_reg(&f, node, 0, &base, &size);
        if (e == ERR_NONE) {
            g->gicd = (uintptr_t)base;
            e = fdt_read_reg(&f, node, 1, &base, &g->gicr_size); /* first redistributor region */
            g->gicr = (uintptr_t)base;
        }
    } else {
        e = ERR_NOT_FOUND;
        for (unsigned i = 0; i < ARRAY_SIZE(gicv2_compatibles) && e == ERR_NOT_FOUND; i++)
            e = fdt_find_compatible(&f, FDT_NODE_NONE, gicv2_compatibles[i], &node);
        if (e != ERR_NONE)
            return e;
        g->version = 2;
        e = fdt_read_reg(&f, node, 0, &base, &size);
        if (e == ERR_NONE) {
            g->gicd = (uintptr_t)base;
            e = fdt_read_reg(&f, node, 1, &base, &size);
            g->gicc = (uintptr_t)base;
        }
    }
    if (e != ERR_NONE)
        return e;
    probe_timer(&f, g);
    return ERR_NONE;
}

/* ---- set-up ----------------------------------------------------------------------------------- */

static err_t poll_clear(uintptr_t base, uint32_t off, uint32_t mask)
{
    uint64_t deadline = plat_now_us() + GIC_POLL_US;
    while (rd(base, off) & mask)
        if (plat_now_us() > deadline)
            return ERR_TIMEOUT;
    return ERR_NONE;
}

static err_t gicv3_wait_rwp(const struct gic *g) { return poll_clear(g->gicd, GICD_CTLR, (uint32_t)GICD_CTLR_RWP); }

/* Aff3.Aff2.Aff1.Aff0 as GICR_TYPER.Affinity holds it. */
static uint64_t this_cpu_affinity(void)
{
    uint64_t mpidr = SYSREG_READ(mpidr_el1);
    return FIELD_GET(MPIDR_AFF0_2, mpidr) | (FIELD_GET(MPIDR_AFF3, mpidr) << 24);
}

/* This CPU's redistributor: the frame whose GICR_TYPER.Affinity is ours. */
static err_t gicv3_find_redist(struct gic *g)
{
    uint64_t aff = this_cpu_affinity();
    uint64_t frames = g->gicr_size / GICR_FRAME_SIZE;
    for (uint64_t i = 0; i < frames && i < 1024u; i++) {
        uintptr_t rd_base = g->gicr + (uintptr_t)(i * GICR_FRAME_SIZE);
        uint64_t typer = plat_mmio_read64(rd_base + GICR_TYPER);
        if (FIELD_GET(GICR_TYPER_AFFINITY, typer) == aff) {
            g->gicr = rd_base;
            return ERR_NONE;
        }
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return ERR_NOT_FOUND;
}

err_t gic_init(struct gic *g)
{
    if (g->version != 2 && g->version != 3)
        return ERR_INVALID;
    unsigned lines = (unsigned)FIELD_GET(GICD_TYPER_ITLINES, rd(g->gicd, GICD_TYPER));
    g->nr_irqs = 32u * (lines + 1u);
    if (g->nr_irqs > GIC_MAX_INTIDS)
        g->nr_irqs = GIC_MAX_INTIDS;
    unsigned regs = (g->nr_irqs + 31u) / 32u;

    /* Distributor off while it is reset. */
    wr(g->gicd, GICD_CTLR, 0);
    if (g->version == 3 && gicv3_wait_rwp(g) != ERR_NONE)
        return ERR_TIMEOUT;
    /* Every SPI disabled, not pending, not active, level, lowest priority. */
    for (unsigned n = 1; n < regs; n++) {
        wr(g->gicd, GICD_ICENABLER(n), ~0u);
        wr(g->gicd, GICD_ICPENDR(n), ~0u);
        wr(g->gicd, GICD_ICACTIVER(n), ~0u);
        wr(g->gicd, GICD_IGROUPR(n), g->version == 3 ? ~0u : 0u); /* v3: group 1, v2: group 0 */
    }
    for (unsigned n = GIC_FIRST_SPI / 16u; n < (g->nr_irqs + 15u) / 16u; n++)
        wr(g->gicd, GICD_ICFGR(n), 0);

    if (g->version == 2) {
        /* SGIs/PPIs are banked in the distributor's first registers. */
        wr(g->gicd, GICD_ICENABLER(0), ~0u);
        wr(g->gicd, GICD_ICPENDR(0), ~0u);
        wr(g->gicd, GICD_ICACTIVER(0), ~0u);
        wr(g->gicd, GICD_IGROUPR(0), 0);
        wr(g->gicd, GICD_CTLR, (uint32_t)(GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1));
        wr(g->gicc, GICC_PMR, GIC_PRIO_MASK_OPEN);
        wr(g->gicc, GICC_BPR, 0);
        /* Group 0 signalled as IRQ (FIQEn = 0), EOIR both drops priority and deactivates. */
        wr(g->gicc, GICC_CTLR, (uint32_t)(GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1));
        return ERR_NONE;
    }

    /* GICv3: affinity routing on, group 1; the redistributor awake; SGIs/PPIs reset there. */
    wr(g->gicd, GICD_CTLR, (uint32_t)(GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1));
    if (gicv3_wait_rwp(g) != ERR_NONE)
        return ERR_TIMEOUT;
    if (gicv3_find_redist(g) != ERR_NONE)
        return ERR_NOT_FOUND;
    wr(g->gicr, GICR_WAKER, rd(g->gicr, GICR_WAKER) & ~(uint32_t)GICR_WAKER_PROCESSOR_SLEEP);
    if (poll_clear(g->gicr, GICR_WAKER, (uint32_t)GICR_WAKER_CHILDREN_ASLEEP) != ERR_NONE)
        return ERR_TIMEOUT;
    uintptr_t sgi = g->gicr + GICR_SGI_BASE;
    wr(sgi, GICR_ICENABLER0, ~0u);
    wr(sgi, GICR_ICPENDR0, ~0u);
    wr(sgi, GICR_ICACTIVER0, ~0u);
    wr(sgi, GICR_IGROUPR0, ~0u);
    uint64_t sre;
    ICC_READ(ICC_SRE_EL2, sre);
    ICC_WRITE(ICC_SRE_EL2, sre | ICC_SRE_SRE | ICC_SRE_ENABLE);
    ISB();
    ICC_WRITE(ICC_PMR_EL1, GIC_PRIO_MASK_OPEN);
    ICC_WRITE(ICC_BPR1_EL1, 0);
    ICC_WRITE(ICC_CTLR_EL1, 0); /* EOImode 0: EOIR drops priority and deactivates */
    ICC_WRITE(ICC_IGRPEN1_EL1, 1);
    ISB();
    return ERR_NONE;
}

/* ---- per-interrupt controls ------------------------------------------------------------------ */

/* The register frame that holds `intid`'s enable/pending/priority bits: GICv3 keeps
 * SGIs/PPIs in the redistributor's SGI frame (same offsets as the distributor's bank 0). */
static uintptr_t bank_base(const struct gic *g, uint32_t intid)
{
    return (g->version == 3 && intid < GIC_FIRST_SPI) ? g->gicr + GICR_SGI_BASE : g->gicd;
}

void gic_enable(const struct gic *g, uint32_t intid)
{
    if (intid < g->nr_irqs)
        wr(bank_base(g, intid), GICD_ISENABLER(intid / 32u), 1u << (intid % 32u));
}

void gic_disable(const struct gic *g, uint32_t intid)
{
    if (intid >= g->nr_irqs)
        return;
    wr(bank_base(g, intid), GICD_ICENABLER(intid / 32u), 1u << (intid % 32u));
    if (g->version == 3 && intid >= GIC_FIRST_SPI)
        (void)gicv3_wait_rwp(g); /* the disable has taken effect (12.9.4) */
}

void gic_clear_pending(const struct gic *g, uint32_t intid)
{
    if (intid < g->nr_irqs)
        wr(bank_base(g, intid), GICD_ICPENDR(intid / 32u), 1u << (intid % 32u));
}

bool gic_is_pending(const struct gic *g, uint32_t intid)
{
    return intid < g->nr_irqs && (rd(bank_base(g, intid), GICD_ISPENDR(intid / 32u)) & (1u << (intid % 32u)));
}

void gic_set_trigger(const struct gic *g, uint32_t intid, bool edge)
{
    if (intid < GIC_FIRST_SPI || intid >= g->nr_irqs)
        return;
    uint32_t off = GICD_ICFGR(intid / 16u);
    unsigned shift = 2u * (intid % 16u);
    uint32_t v = rd(g->gicd, off) & ~(3u << shift);
    wr(g->gicd, off, v | ((edge ? GICD_ICFGR_EDGE : 0u) << shift));
}

void gic_set_priority(const struct gic *g, uint32_t intid, uint8_t prio)
{
    if (intid >= g->nr_irqs)
        return;
    uintptr_t base = bank_base(g, intid);
    uint32_t off = GICD_IPRIORITYR(intid / 4u);
    unsigned shift = 8u * (intid % 4u);
    wr(base, off, (rd(base, off) & ~(0xffu << shift)) | ((uint32_t)prio << shift));
}

void gic_route_here(const struct gic *g, uint32_t intid)
{
    if (intid < GIC_FIRST_SPI || intid >= g->nr_irqs)
        return;
    if (g->version == 3) {
        uint64_t aff = this_cpu_affinity(); /* GICD_IROUTER: Aff2..0 at [23:0], Aff3 at [39:32] */
        plat_mmio_write64(g->gicd + GICD_IROUTER(intid), (aff & 0xffffffu) | ((aff >> 24) << 32));
        return;
    }
    uint32_t off = GICD_ITARGETSR(intid / 4u);
    unsigned shift = 8u * (intid % 4u);
    wr(g->gicd, off, (rd(g->gicd, off) & ~(0xffu << shift)) | (1u << shift)); /* CPU interface 0 */
}

uint32_t gic_ack(const struct gic *g)
{
    if (g->version == 3) {
        uint64_t iar;
        ICC_READ(ICC_IAR1_EL1, iar);
        return (uint32_t)FIELD_GET(ICC_IAR_INTID, iar);
    }
    return (uint32_t)FIELD_GET(GICC_IAR_INTID, rd(g->gicc, GICC_IAR));
}

void gic_eoi(const struct gic *g, uint32_t intid)
{
    if (g->version == 3) {
        ICC_WRITE(ICC_EOIR1_EL1, intid);
        ISB();
        return;
    }
    wr(g->gicc, GICC_EOIR, intid);
}
