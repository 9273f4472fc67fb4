/* Bring-up main of the bare-metal image: read the DTB, enumerate PCIe, set up the edu
 * devices, then run the scenarios selected by /chosen/bootargs ("scenario=NAME[,NAME]",
 * QEMU -append; none: all) and close with the line "N passed, M failed".
 * Add a scenario: write `bool scenario_x(struct image_ctx *)` and add it to the table. */
#include "image.h"

#include "exc.h"
#include "lib/bits.h"
#include "plat/plat.h"
#include "plat/qemu-virt/psci.h"
#include "plat/qemu-virt/uart.h"

static const struct scenario scenarios[] = {
    { "boot-bypass", "edu DMA RAM -> device -> RAM with the SMMU disabled (GBPA bypass)",
      scenario_boot_bypass },
    { "s2-translate", "stage-2 translation: DMA to and from mapped IOVAs (4K pages, a 2M block)",
      scenario_s2_translate },
    { "unmapped", "DMA to an unmapped IOVA is blocked and reported (F_TRANSLATION)",
      scenario_unmapped },
    { "readonly", "a device write to a read-only mapping is blocked (F_PERMISSION)",
      scenario_readonly },
    { "abort-bypass", "abort STE: nothing moves; bypass STE: DMA reaches physical memory",
      scenario_abort_bypass },
    { "unmap-stale", "unmap + range TLBI + CMD_SYNC: no stale IOTLB entry survives",
      scenario_unmap_stale },
    { "cpu-shares-s2", "the CPU (VTTBR_EL2) and the SMMU (S2TTB) walk one stage-2 table",
      scenario_cpu_shares_s2 },
    { "roottask-trap", "the root task at EL0 calls the kernel at EL2 through seL4_Call (svc)",
      scenario_roottask_trap },
    { "roottask-isolation", "the root task reaches only its VSpace: stage-2 faults elsewhere",
      scenario_roottask_isolation },
    { "roottask-smmu", "the root task grants edu0 DMA to its pages through capabilities, then takes it back",
      scenario_roottask_smmu },
    { "roottask-nested", "nested: the root task builds its own CD and stage-1 tables; the SMMU walks them through stage 2",
      scenario_roottask_nested },
    { "roottask-s1", "stage 1 only: an IO space (kernel-built CD) gives edu0 its own small IOVAs",
      scenario_roottask_s1 },
    { "roottask-modes", "five devices, five modes at once on one SMMU: nested, stage 2, stage 1, bypass, abort",
      scenario_roottask_modes },
    { "roottask-faults", "the root task handles SMMU faults: eventq and gerror interrupts through IRQ handler caps",
      scenario_roottask_faults },
    { "vm-nested", "two VMs at EL1, each with its own VSpace, CB and edu: guest CD + stage 1, nested DMA",
      scenario_vm_nested },
    { "vm-isolation", "VM A aims its device (stage-1 entry, CD) and its CPU at VM B's memory: stage 2 stops it",
      scenario_vm_isolation },
    { "vm-huge", "a 2M stage-2 block behind 4K stage-1 pages, and a 2M stage-1 block behind 4K stage-2 pages",
      scenario_vm_huge },
    { "vm-legacy-dma", "a 28-bit DMA master reaches a buffer above 4 GiB through a guest's stage-1 window",
      scenario_vm_legacy_dma },
    { "vm-guest-invalidation", "guest stage-1 unmap + invalidation hypercall; invalid and cross-VM requests",
      scenario_vm_guest_invalidation },
};

#define BOOTARGS_KEY "scenario="
#define SCENARIO_NAME_MAX 64

static struct image_ctx ctx;
static uint64_t pool_bitmap[POOL_BITMAP_WORDS(IMAGE_POOL_MAX_PAGES)];

/* Progress, for the exception handler's closing line. */
static unsigned n_passed, n_failed;
static const char *current_scenario;
static uint64_t boot_us;

void image_report_crash(const char *what)
{
    if (current_scenario)
        kprintf("SCENARIO %s: FAIL (%s)\n", current_scenario, what);
    kprintf("%u passed, %u failed\n", n_passed, n_failed + 1);
}

static bool name_eq(const char *a, size_t alen, const char *b)
{
    size_t i = 0;
    for (; i < alen; i++)
        if (b[i] != a[i])
            return false;
    return b[i] == '\0';
}

static void run_one(const struct scenario *s)
{
    kprintf("--- scenario %s: %s\n", s->name, s->summary);
    current_scenario = s->name;
    uint64_t t0 = plat_now_us();
    bool ok = s->run(&ctx);
    uint64_t dt = plat_now_us() - t0;
    current_scenario = NULL;
    if (ok)
        n_passed++;
    else
        n_failed++;
    kprintf("SCENARIO %s: %s (%llu ms)\n", s->name, ok ? "PASS" : "FAIL",
            (unsigned long long)(dt / 1000));
}

static void run_by_name(const char *name, size_t len)
{
    for (unsigned i = 0; i < ARRAY_SIZE(scenarios); i++) {
        if (name_eq(name, len, scenarios[i].name)) {
            run_one(&scenarios[i]);
            return;
        }
    }
    char buf[SCENARIO_NAME_MAX];
    size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = name[i];
    buf[n] = '\0';
    kprintf("SCENARIO %s: FAIL (unknown scenario; known:", buf);
    for (unsigned i = 0; i < ARRAY_SIZE(scenarios); i++)
        kprintf(" %s", scenarios[i].name);
    kprintf(")\n");
    n_failed++;
}

/* Find "scenario=" as a whole word of bootargs; run the comma-separated names after it
 * (up to the next space), or every scenario when the key is absent. */
static void run_selected(const char *args)
{
    const char *key = BOOTARGS_KEY;
    size_t klen = sizeof(BOOTARGS_KEY) - 1;
    for (size_t i = 0; args[i]; i++) {
        if (i > 0 && args[i - 1] != ' ')
            continue;
        size_t k = 0;
        while (k < klen && args[i + k] == key[k])
            k++;
        if (k != klen)
            continue;
        const char *p = args + i + klen;
        for (;;) {
            size_t n = 0;
            while (p[n] && p[n] != ',' && p[n] != ' ')
                n++;
            if (n > 0)
                run_by_name(p, n);
            if (p[n] != ',')
                return;
            p += n + 1;
        }
    }
    for (unsigned i = 0; i < ARRAY_SIZE(scenarios); i++)
        run_one(&scenarios[i]);
}

static void setup_memory(void)
{
    err_t e = platform_free_ram(&ctx.plat, &ctx.free_base, &ctx.free_size);
    if (e != ERR_NONE)
        plat_fatal("no free RAM after the image");
    uint64_t pages = ctx.free_size / PAGE_SIZE;
    if (pages > IMAGE_POOL_MAX_PAGES)
        pages = IMAGE_POOL_MAX_PAGES;
    e = pool_init(&ctx.pool, ctx.free_base, (uint32_t)pages, pool_bitmap);
    if (e != ERR_NONE)
        plat_fatal("pool_init failed");
    kprintf("free ram: 0x%llx..0x%llx (%llu pages in the pool)\n",
            (unsigned long long)ctx.free_base, (unsigned long long)(ctx.free_base + ctx.free_size),
            (unsigned long long)pages);
}

static void setup_devices(void)
{
    err_t e = pcie_enumerate(&ctx.plat, &ctx.pci);
    if (e != ERR_NONE) {
        kprintf("pcie: enumeration failed: %s\n", err_name(e));
        return;
    }
    pcie_print(&ctx.pci);
    for (uint32_t i = 0; i < IMAGE_MAX_EDU; i++) {
        const struct pcie_func *fn = pcie_find(&ctx.pci, EDU_VENDOR_ID, EDU_DEVICE_ID, i);
        if (!fn)
            break;
        struct edu *edu = &ctx.edu[ctx.n_edu];
        e = edu_init(edu, fn);
        if (e != ERR_NONE) {
            kprintf("edu %02x:%02x.%x: init failed: %s\n", fn->bus, fn->dev, fn->fn, err_name(e));
            continue;
        }
        kprintf("edu%u: %02x:%02x.%x version %x.%02x regs 0x%llx rid 0x%04x sid %s0x%x\n",
                ctx.n_edu, fn->bus, fn->dev, fn->fn, edu->version >> 8, edu->version & 0xffu,
                (unsigned long long)edu->regs, fn->rid, fn->has_sid ? "" : "(none) ", edu->sid);
        ctx.n_edu++;
    }
}

void image_main(const void *dtb)
{
    boot_us = plat_now_us();
    uart_init(QEMU_VIRT_EARLY_UART_BASE);
    kprintf("\nsmmu-demo: bare-metal AArch64 image at EL2, x0 = %p, t = %llu ms\n", dtb,
            (unsigned long long)(boot_us / 1000));

    err_t e = platform_probe(dtb, &ctx.plat);
    if (e != ERR_NONE) {
        kprintf("platform: device tree rejected: %s\n", err_name(e));
        image_report_crash("bad device tree");
        psci_system_off();
    }
    if (ctx.plat.uart_base != QEMU_VIRT_EARLY_UART_BASE)
        uart_init((uintptr_t)ctx.plat.uart_base);
    platform_print(&ctx.plat);
    setup_memory();
    setup_devices();

    run_selected(ctx.plat.bootargs);

    uint64_t now = plat_now_us();
    kprintf("done: %llu ms since reset, %llu ms in the image\n", (unsigned long long)(now / 1000),
            (unsigned long long)((now - boot_us) / 1000));
    kprintf("%u passed, %u failed\n", n_passed, n_failed);
    psci_system_off();
}
