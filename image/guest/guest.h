/* The guest (EL1, inside a VM): a small OS whose only jobs are to drive its device the
 * way a guest SMMUv3 driver would and to report. It is linked apart (guest-r.ld) into one
 * object whose only global symbol is guest_entry; it cannot call the kernel's code and has
 * no initialised or zeroed data: everything lives on its stack or at the IPAs of
 * guest_abi.h. Private to image/guest/. */
#ifndef IMAGE_GUEST_GUEST_H
#define IMAGE_GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_abi.h"

/* ---- runtime (grt.c) ------------------------------------------------------------------- */
struct hvc_ret {
    uint64_t x0, x1, x2, x3, x4;
};
struct hvc_ret guest_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
void guest_yield(uint64_t value);
/* printf subset: %s %c %d %u %x %p, with l/ll; no widths. */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SMC with x0 = fn (the PSCI conduit of QEMU virt with virtualization=on); returns x0. */
uint64_t guest_smc(uint64_t fn);
uint64_t guest_counter(void); /* CNTVCT_EL0 */
uint64_t guest_counter_hz(void);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

/* guest_entry.S: touch an address that may fault. faulted = 1: value = ESR_EL1. */
struct guest_probe {
    uint64_t value;
    uint64_t faulted;
};
struct guest_probe guest_probe_read(uint64_t addr);
struct guest_probe guest_probe_write(uint64_t addr, uint64_t value);

/* ---- the guest's SMMU driver (gdrv.c) --------------------------------------------------- */
struct gdrv {
    unsigned vm;
    uint16_t asid;
    volatile uint64_t *edu;  /* its device's registers (GUEST_DEV_IPA) */
    unsigned next_pt;        /* next free page of GP_IOPT..GP_IOPT_END */
    uint64_t l1;             /* IPA of its IO stage-1 root (level 1, 39-bit IOVAs) */
    uint64_t max_cdmax, asid_bits, ipa_bits, max_ips; /* GUEST_HVC_IOMMU_INFO */
};

bool gdrv_init(struct gdrv *g, unsigned vm, uint16_t asid);
/* Map [iova, iova + size) to ipa at stage 1: size 4K (page) or 2M (block). */
bool gdrv_map(struct gdrv *g, uint64_t iova, uint64_t ipa, uint64_t size);
/* Clear the leaf for iova (4K page or 2M block); no invalidation. */
void gdrv_unmap(struct gdrv *g, uint64_t iova);
/* Write the CD (GP_CD) with TTB0 = ttb0 (normally g->l1). */
void gdrv_write_cd(struct gdrv *g, uint64_t ttb0);
/* The hypercalls, with a line each on the console. */
struct hvc_ret gdrv_assign(struct gdrv *g, uint64_t cd_ipa, uint64_t fmt, uint64_t cdmax);
struct hvc_ret gdrv_cd_invalidate(struct gdrv *g);
struct hvc_ret gdrv_tlb_invalidate(struct gdrv *g, uint64_t asid, uint64_t iova, uint64_t size);
/* edu DMA: count bytes between an IOVA and the device buffer at dev_off. */
bool gdrv_to_dev(struct gdrv *g, uint64_t iova, uint32_t dev_off, uint32_t count);
bool gdrv_from_dev(struct gdrv *g, uint32_t dev_off, uint64_t iova, uint32_t count);

/* Memory helpers on IPAs (identity: the guest's VA = IPA, MMU on or off). */
void fill_pattern(uint64_t ipa, unsigned vm, unsigned step, uint32_t first, uint32_t n);
bool has_pattern(uint64_t ipa, unsigned vm, unsigned step, uint32_t first, uint32_t n);
void fill_byte(uint64_t ipa, uint8_t v, uint32_t n);
bool all_bytes(uint64_t ipa, uint8_t v, uint32_t n);

#endif
