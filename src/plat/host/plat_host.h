/* Host platform: memory is the test process's own (identity "physical" addresses), and
 * MMIO to a registered window is routed to a software device, such as the SMMU stand-in
 * in tests/host. Time is a virtual clock that advances on every read, so a poll that
 * never succeeds reaches its deadline quickly and deterministically. */
#ifndef PLAT_HOST_H
#define PLAT_HOST_H

#include "../plat.h"

struct host_mmio_device {
    uintptr_t base;
    size_t size;
    void *ctx;
    uint64_t (*read)(void *ctx, uintptr_t offset, unsigned width_bytes);
    void (*write)(void *ctx, uintptr_t offset, uint64_t val, unsigned width_bytes);
};

/* Route accesses to [dev->base, dev->base + dev->size) to `dev` (up to 16 devices). */
void host_mmio_register(const struct host_mmio_device *dev);
void host_mmio_unregister(uintptr_t base);

/* Microseconds the virtual clock advances on each plat_now_us() call. */
void host_clock_set_step(uint64_t us);
/* Move the virtual clock forward by `us` at once (an idle wait that slept). */
void host_clock_advance(uint64_t us);

/* Counts of barriers issued, for tests that check ordering is requested. */
struct host_barrier_counts {
    uint64_t dsb_ishst, dsb_sy, dmb_ish;
};
extern struct host_barrier_counts host_barriers;

#endif
