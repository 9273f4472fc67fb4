/* Platform hooks of the kernel core (link-time seam, like src/plat/plat.h): CPU TLB
 * maintenance for stage-2 translations, and the interrupt controller (below). AArch64:
 * src/plat/qemu-virt/tlbi.c; host:
 * src/plat/host/tlbi_host.c (records the calls for tests). */
#ifndef KERNEL_KERNEL_PLAT_H
#define KERNEL_KERNEL_PLAT_H

#include "lib/types.h"

/* Invalidate the CPU's TLB entries (all levels, every PE in the inner shareable domain)
 * that translate IPA `ipa` for VMID `vmid`, including combined stage-1+2 entries, and
 * wait for completion: TLBI IPAS2E1IS; DSB ISH; TLBI VMALLE1IS; DSB ISH (Arm ARM D8.13).
 * One call covers a whole 4K page, 2M block or 1G block (it names any address in it). */
void plat_tlbi_ipa(uint16_t vmid, uint64_t ipa);

/* Invalidate every CPU TLB and walk-cache entry of VMID `vmid` (TLBI VMALLS12E1IS) and
 * wait for completion. Used when a table is removed or a VSpace destroyed. */
void plat_tlbi_vmid(uint16_t vmid);

/* ---- the interrupt controller (src/kernel/irq.c) -------------------------------------------
 * AArch64: src/plat/qemu-virt/irq.c (GICv2/v3 from the device tree, EL2's timer for
 * deadlines); host: src/plat/host/irq_host.c (a fake GIC that tests raise lines on). The
 * platform calls back kernel_handle_interrupt() (src/kernel/irq.h) for each interrupt it
 * acknowledges, then ends it at the controller (EOI). */

/* The largest INTID the controller implements (seL4's maxIRQ); 0 if there is none. */
unsigned plat_irq_max(void);
/* Whether `intid` is never given to users (seL4's IRQReserved): per-CPU SGIs and PPIs,
 * among them the kernel's own timer. */
bool plat_irq_reserved(unsigned intid);
/* Prepare `intid` for a new handler: masked, any pending state from before discarded (an
 * edge latched while nobody held the handler), trigger set (edge or level), routed to
 * this CPU. */
void plat_irq_configure(unsigned intid, bool edge);
/* Mask or unmask `intid` at the controller (seL4 maskInterrupt). */
void plat_irq_mask(unsigned intid);
void plat_irq_unmask(unsigned intid);
/* Wait (wfi) until at least one interrupt was delivered to kernel_handle_interrupt or
 * plat_now_us() reaches `deadline_us`; true if one was. The kernel calls it in a loop
 * until what it waits for happened, so a spurious early return is harmless. */
bool plat_irq_wait(uint64_t deadline_us);

#endif
