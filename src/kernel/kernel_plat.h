/* Platform hooks of the kernel core (link-time seam, like src/plat/plat.h): CPU TLB
 * maintenance for stage-2 translations. AArch64: src/plat/qemu-virt/tlbi.c; host:
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

#endif
