#include "plat_host.h"

#include "../../lib/bits.h"

#define HOST_MAX_DEVICES 16

static struct host_mmio_device devices[HOST_MAX_DEVICES];
static unsigned ndevices;
static uint64_t clock_us;
static uint64_t clock_step_us = 1;
struct host_barrier_counts host_barriers;

void host_mmio_register(const struct host_mmio_device *dev)
{
    host_mmio_unregister(dev->base);
    if (ndevices < HOST_MAX_DEVICES)
        devices[ndevices++] = *dev;
}

void host_mmio_unregister(uintptr_t base)
{
    for (unsigned i = 0; i < ndevices; i++) {
        if (devices[i].base == base) {
            devices[i] = devices[--ndevices];
            return;
        }
    }
}

static struct host_mmio_device *find(uintptr_t addr)
{
    for (unsigned i = 0; i < ndevices; i++)
        if (addr >= devices[i].base && addr - devices[i].base < devices[i].size)
            return &devices[i];
    return NULL;
}

static uint64_t mmio_read(uintptr_t addr, unsigned width)
{
    struct host_mmio_device *d = find(addr);
    if (d)
        return d->read(d->ctx, addr - d->base, width);
    return width == 4 ? *(volatile uint32_t *)addr : *(volatile uint64_t *)addr;
}

static void mmio_write(uintptr_t addr, uint64_t val, unsigned width)
{
    struct host_mmio_device *d = find(addr);
    if (d) {
        d->write(d->ctx, addr - d->base, val, width);
        return;
    }
    if (width == 4)
        *(volatile uint32_t *)addr = (uint32_t)val;
    else
        *(volatile uint64_t *)addr = val;
}

uint32_t plat_mmio_read32(uintptr_t addr) { return (uint32_t)mmio_read(addr, 4); }
void plat_mmio_write32(uintptr_t addr, uint32_t val) { mmio_write(addr, val, 4); }
uint64_t plat_mmio_read64(uintptr_t addr) { return mmio_read(addr, 8); }
void plat_mmio_write64(uintptr_t addr, uint64_t val) { mmio_write(addr, val, 8); }

void plat_dsb_ishst(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
    host_barriers.dsb_ishst++;
}

void plat_dsb_sy(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    host_barriers.dsb_sy++;
}

void plat_dmb_ish(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    host_barriers.dmb_ish++;
}

void plat_clean_to_poc(const void *va, size_t len)
{
    (void)va;
    (void)len;
}

void host_clock_set_step(uint64_t us) { clock_step_us = us; }
void host_clock_advance(uint64_t us) { clock_us += us; }

uint64_t plat_now_us(void)
{
    clock_us += clock_step_us;
    return clock_us;
}

void *plat_phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)pa; }
paddr_t plat_virt_to_phys(const void *va) { return (paddr_t)(uintptr_t)va; }
