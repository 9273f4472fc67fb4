/* The fake GIC of host tests (irq_host.h). */
#include "irq_host.h"

#include "../../kernel/irq.h"
#include "../../lib/string.h"
#include "plat_host.h"

struct host_gic host_gic;

void host_gic_reset(void) { kmemset(&host_gic, 0, sizeof(host_gic)); }

void host_gic_pulse(unsigned intid)
{
    if (intid >= HOST_GIC_NR_IRQS)
        return;
    if (host_gic.edge[intid] || host_gic.enabled[intid])
        host_gic.pending[intid] = true;
}

unsigned plat_irq_max(void) { return HOST_GIC_NR_IRQS - 1; }

bool plat_irq_reserved(unsigned intid) { return intid < 32u; }

void plat_irq_configure(unsigned intid, bool edge)
{
    if (intid >= HOST_GIC_NR_IRQS)
        return;
    host_gic.enabled[intid] = false;
    host_gic.pending[intid] = false;
    host_gic.edge[intid] = edge;
    host_gic.configured[intid]++;
}

void plat_irq_mask(unsigned intid)
{
    if (intid < HOST_GIC_NR_IRQS)
        host_gic.enabled[intid] = false;
}

void plat_irq_unmask(unsigned intid)
{
    if (intid < HOST_GIC_NR_IRQS)
        host_gic.enabled[intid] = true;
}

bool plat_irq_wait(uint64_t deadline_us)
{
    host_gic.waits++;
    if (host_gic.wait_hook)
        host_gic.wait_hook(host_gic.wait_hook_arg);
    unsigned delivered = 0;
    for (unsigned i = 0; i < HOST_GIC_NR_IRQS; i++) {
        if (host_gic.pending[i] && host_gic.enabled[i]) {
            host_gic.pending[i] = false; /* acknowledge (IAR); the kernel masks it */
            host_gic.acked[i]++;
            delivered++;
            kernel_handle_interrupt(i);
        }
    }
    if (delivered == 0) {
        host_gic.idle_waits++;
        uint64_t now = plat_now_us();
        if (now < deadline_us)
            host_clock_advance(deadline_us - now);
    }
    return delivered != 0;
}
