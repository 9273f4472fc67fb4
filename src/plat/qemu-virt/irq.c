/* The kernel's interrupt seam on QEMU virt (irq.h, src/kernel/kernel_plat.h). */
#include "irq.h"

#include "../../arch/aarch64/sysreg.h"
#include "../../kernel/irq.h"
#include "../../kernel/kernel_plat.h"
#include "../../lib/bits.h"
#include "../plat.h"

/* CNTHP_CTL_EL2 (ARM DDI 0487 D23.8): the EL2 physical timer. */
#define CNTHP_CTL_ENABLE BIT(0)
#define CNTHP_CTL_IMASK BIT(1)

#define IRQ_PRIORITY 0xa0u         /* every interrupt the same: no preemption among them */
#define HANDLE_MAX_PER_ENTRY 64u   /* acknowledge at most this many per call (bounded) */

static struct gic gic;
static bool ready;
struct plat_irq_counts plat_irq_counts;

const struct gic *plat_irq_gic(void) { return ready ? &gic : NULL; }

static void timer_off(void) { SYSREG_WRITE(cnthp_ctl_el2, 0); }

err_t plat_irq_init(const struct platform_info *info)
{
    if (ready)
        return ERR_NONE;
    err_t e = gic_probe_dt(info, &gic);
    if (e == ERR_NONE)
        e = gic_init(&gic);
    if (e != ERR_NONE)
        return e;
    timer_off();
    if (gic.timer_intid != 0) {
        gic_set_priority(&gic, gic.timer_intid, IRQ_PRIORITY);
        gic_enable(&gic, gic.timer_intid);
    }
    ready = true;
    return ERR_NONE;
}

unsigned plat_irq_max(void) { return ready ? gic.nr_irqs - 1u : 0u; }

bool plat_irq_reserved(unsigned intid) { return intid < GIC_FIRST_SPI; }

void plat_irq_configure(unsigned intid, bool edge)
{
    if (!ready)
        return;
    /* Disable first: the trigger may only change while the interrupt is disabled (IHI 0048B
     * 4.3.13, IHI 0069 12.9.9); then forget an edge latched while nobody held the handler. */
    gic_disable(&gic, intid);
    gic_set_trigger(&gic, intid, edge);
    gic_clear_pending(&gic, intid);
    gic_set_priority(&gic, intid, IRQ_PRIORITY);
    gic_route_here(&gic, intid);
}

void plat_irq_mask(unsigned intid)
{
    if (ready)
        gic_disable(&gic, intid);
}

void plat_irq_unmask(unsigned intid)
{
    if (ready)
        gic_enable(&gic, intid);
}

void plat_irq_handle_pending(void)
{
    if (!ready)
        return;
    for (unsigned i = 0; i < HANDLE_MAX_PER_ENTRY; i++) {
        uint32_t intid = gic_ack(&gic);
        if (intid >= GIC_INTID_SPECIAL)
            return; /* 1020..1023: nothing (more) pending */
        if (intid == gic.timer_intid) {
            timer_off(); /* the deadline passed: the line drops */
            plat_irq_counts.timer++;
        } else {
            plat_irq_counts.kernel++;
            kernel_handle_interrupt(intid); /* masks it until Ack, signals */
        }
        gic_eoi(&gic, intid);
    }
}

bool plat_irq_wait(uint64_t deadline_us)
{
    plat_irq_counts.waits++;
    uint64_t now = plat_now_us();
    if (!ready || now >= deadline_us)
        return false;
    uint64_t before = plat_irq_counts.kernel;
    /* Wake-up at the deadline at the latest: EL2's timer fires then. */
    uint64_t frq = SYSREG_READ(cntfrq_el0);
    uint64_t ticks = (deadline_us - now) * frq / 1000000u + 1u; /* < 2^64 for waits < 5 h at 1 GHz */
    ISB();
    SYSREG_WRITE(cnthp_cval_el2, SYSREG_READ(cntpct_el0) + ticks);
    SYSREG_WRITE(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
    ISB();
    /* With PSTATE.I set, wfi still wakes up on a pending interrupt (ARM DDI 0487 D1.16.2,
     * "WFI wake-up events"); the interrupt is then taken at the unmask below, through the
     * EL2 IRQ vector. Checking first and unmasking after the wfi means an interrupt that
     * arrives between the caller's check and the wfi cannot be slept through. */
    __asm__ volatile("dsb sy\n wfi" : : : "memory");
    plat_irq_counts.wfis++;
    __asm__ volatile("msr daifclr, #2\n isb\n msr daifset, #2" : : : "memory");
    timer_off();
    return plat_irq_counts.kernel != before;
}
