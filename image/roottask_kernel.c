/* The kernel side of the root task (roottask_kernel.h). */
#include "roottask_kernel.h"

#include <sel4/bootinfo.h>

#include "kernel/boot.h"
#include "kernel/cspace.h"
#include "kernel/vspace.h"
#include "lib/bits.h"
#include "lib/string.h"
#include "plat/plat.h"
#include "object/smmu_boot.h"
#include "object/smmu_object.h"
#include "plat/qemu-virt/irq.h"
#include "plat/qemu-virt/uart.h"
#include "smmu_boot_config.h"
#include "smmu_env.h"

extern const char roottask_entry[]; /* image/roottask/rt.c: the only global it exports */

_Static_assert(sizeof(seL4_BootInfo) <= PAGE_SIZE, "the boot info fits its page");

struct region {
    const char *name;
    const char *start, *end;
    unsigned perms;
};

/* Map every root-task region identity (IPA = PA) with its rights. Memory type Normal
 * non-cacheable: the kernel at EL2 runs with its MMU off (every access non-cacheable), so
 * the root task must not cache what the kernel reads and writes (IPC buffer, boot info).
 * With HCR_EL2.DC = 1 stage 1 gives Normal write-back; stage 2 NC makes the combination
 * NC (ARM DDI 0487, D8.6 "Combining the stage 1 and stage 2 attributes"). Switch to
 * write-back together with turning the EL2 MMU on with cacheable memory. */
static bool map_image(struct pt *pt, bool print)
{
    const struct region regions[] = {
        { "text", __roottask_text_start, __roottask_text_end, PT_PERM_R | PT_PERM_X },
        { "rodata", __roottask_rodata_start, __roottask_rodata_end, PT_PERM_R },
        { "bss", __roottask_bss_start, __roottask_bss_end, PT_PERM_R | PT_PERM_W },
        { "stack", __roottask_stack_bottom, __roottask_stack_top, PT_PERM_R | PT_PERM_W },
        { "ipcbuf", __roottask_ipcbuf, __roottask_ipcbuf + PAGE_SIZE, PT_PERM_R | PT_PERM_W },
        { "bootinfo", __roottask_bootinfo, __roottask_end, PT_PERM_R | PT_PERM_W },
    };
    for (unsigned r = 0; r < ARRAY_SIZE(regions); r++) {
        uintptr_t s = (uintptr_t)regions[r].start, e = (uintptr_t)regions[r].end;
        struct pt_attrs attrs = { .perms = regions[r].perms, .mem = PT_MEM_NORMAL_NC };
        for (uintptr_t a = s; a < e; a += PAGE_SIZE) {
            err_t err = pt_map(pt, a, a, PAGE_SIZE, attrs);
            if (err != ERR_NONE) {
                kprintf("  pt_map %s 0x%llx: %s\n", regions[r].name, (unsigned long long)a,
                        err_name(err));
                return false;
            }
        }
        if (print)
            kprintf("    %-8s 0x%llx..0x%llx %c%c%c\n", regions[r].name, (unsigned long long)s,
                    (unsigned long long)e, (regions[r].perms & PT_PERM_R) ? 'r' : '-',
                    (regions[r].perms & PT_PERM_W) ? 'w' : '-',
                    (regions[r].perms & PT_PERM_X) ? 'x' : '-');
    }
    return true;
}

bool roottask_plain_vspace(struct image_ctx *ctx, struct pt *vs)
{
    struct pt_format fmt;
    if (pt_format_init(&fmt, PT_STAGE2, KERNEL_S2_IA_BITS, KERNEL_S2_OA_BITS) != ERR_NONE ||
        pt_init(vs, &fmt, &ctx->pool) != ERR_NONE)
        return false;
    kprintf("  root task VSpace (plain stage-2 table, VMID %u, %u-bit IPA, root 0x%llx):\n",
            ROOTTASK_PLAIN_VMID, KERNEL_S2_IA_BITS, (unsigned long long)vs->root);
    if (!map_image(vs, true)) {
        pt_destroy(vs);
        return false;
    }
    return true;
}

/* ---- the kernel's boot for the root task ------------------------------------------------ */
static struct roottask_kernel rk;

static cap_t frame_cap_at(uintptr_t pa, uint16_t vmid)
{
    return cap_frame_cap_new(pa >> PAGE_SHIFT, 0 /* 4 KiB */, VM_READ_WRITE, 0, 1, vmid,
                             pa >> PAGE_SHIFT);
}

/* The root task's VSpace as a kernel object: an 8 KiB root from the pool, the image's
 * pages mapped (their page tables also from the pool: the kernel's own boot memory, not
 * untyped, as seL4's boot-time paging structures), and caps in the fixed slots. */
static bool make_root_vspace(struct image_ctx *ctx)
{
    paddr_t root = 0;
    if (pool_alloc(&ctx->pool, (uint32_t)(1u << (seL4_VSpaceBits - PAGE_SHIFT)), &root) != ERR_NONE)
        return false;
    struct vspace_obj *vs = vspace_create(root);
    if (!vs)
        return false;
    vs->pt.pool = &ctx->pool; /* boot-time tables only; later ones are PageTable objects */
    bool ok = map_image(&vs->pt, false);
    vs->pt.pool = NULL;
    if (!ok)
        return false;
    rk.vspace = vs;

    cte_t *slots = cnode_slots_of(rk.thread.cspace_root.cap);
    cte_init_original(&slots[seL4_CapInitThreadVSpace],
                      cap_vspace_cap_new(root >> PAGE_SHIFT, 1, 0, 0, 0, vs->vmid));
    cte_init_original(&slots[seL4_CapInitThreadIPCBuffer],
                      frame_cap_at((uintptr_t)__roottask_ipcbuf, vs->vmid));
    cte_init_original(&slots[seL4_CapBootInfoFrame],
                      frame_cap_at((uintptr_t)__roottask_bootinfo, vs->vmid));
    kprintf("  root task VSpace: kernel object, VMID %u, root 0x%llx; caps in slots %u (VSpace), "
            "%u (boot info frame), %u (IPC buffer frame)\n",
            vs->vmid, (unsigned long long)root, seL4_CapInitThreadVSpace, seL4_CapBootInfoFrame,
            seL4_CapInitThreadIPCBuffer);
    return true;
}

/* The boot table's entry for the SMMU this image drives (the device tree's, at
 * ctx->plat.smmu_base): its SMMU id, or -1. A table from dt2smmu names SMMUs by register
 * base; a hand-written one has no base, and its SMMU 0 is the device tree's. The table's
 * interrupts and StreamID width are checked against the DTB and the hardware. */
static int boot_table_smmu_id(const struct image_ctx *ctx, const struct smmu_env *env)
{
    for (unsigned i = 0; i < SMMU_BOOT_NSMMUS; i++) {
        const struct smmu_boot_smmu *t = &smmu_boot_smmus[i];
        if (t->base ? t->base != ctx->plat.smmu_base : t->smmu_id != 0)
            continue;
        if (t->sid_bits > env->smmu.f.sid_bits)
            kprintf("  boot table: SMMU %u needs %u SID bits, the hardware has %u\n", t->smmu_id, t->sid_bits,
                    env->smmu.f.sid_bits);
        if (t->base) {
            unsigned agree = 0;
            for (unsigned q = 0; q < SMMU_IRQ_COUNT; q++) {
                uint32_t dt = ctx->plat.smmu_irq[q].present ? ctx->plat.smmu_irq[q].intid : 0;
                if (t->irq[q] == dt)
                    agree++;
                else
                    kprintf("  boot table: SMMU %u %s interrupt INTID %u, the device tree's %u\n", t->smmu_id,
                            smmu_irq_names[q], t->irq[q], dt);
            }
            kprintf("  boot table (dt2smmu): SMMU %u at 0x%llx size 0x%llx, %u SID bits needed; %s\n", t->smmu_id,
                    (unsigned long long)t->base, (unsigned long long)t->size, t->sid_bits,
                    agree == SMMU_IRQ_COUNT && t->size == ctx->plat.smmu_size ? "the device tree agrees"
                                                                             : "the device tree DIFFERS");
        }
        return t->smmu_id;
    }
    kprintf("  boot table: no SMMU at 0x%llx (the device tree's): no SMMU caps\n",
            (unsigned long long)ctx->plat.smmu_base);
    return -1;
}

struct roottask_kernel *roottask_kernel_get(struct image_ctx *ctx)
{
    if (rk.booted)
        return &rk;
    struct kernel_boot_config cfg = { .root_cnode_radix = ROOTTASK_ROOT_CNODE_RADIX };
    paddr_t mem = 0;
    if (pool_alloc(&ctx->pool, ROOTTASK_KERNEL_MEM_PAGES, &mem) != ERR_NONE) {
        kprintf("  kernel boot: no memory in the pool\n");
        return NULL;
    }
    cfg.regions[cfg.n_regions++] =
        (struct kernel_boot_region){ mem, (uint64_t)ROOTTASK_KERNEL_MEM_PAGES * PAGE_SIZE, false };
    /* Device untyped: each edu's BAR0, so that the root task can map the registers. */
    for (unsigned i = 0; i < ctx->n_edu && cfg.n_regions < KERNEL_BOOT_MAX_REGIONS; i++) {
        const struct pcie_bar *bar0 = &ctx->edu[i].fn->bar[0];
        if (bar0->present)
            cfg.regions[cfg.n_regions++] =
                (struct kernel_boot_region){ bar0->cpu_addr, bar0->size, true };
    }
    unsigned n_device = cfg.n_regions - 1;
    /* Normal untyped above 4 GiB for the VMs (image/vm.c), if RAM reaches there (the runner
     * gives QEMU 4 GiB): VM memory is then high memory, which a 28-bit DMA master reaches
     * only through an IOMMU window (vm-legacy-dma). It lies beyond the image pool. */
    paddr_t pool_end = ctx->pool.base + (uint64_t)ctx->pool.npages * PAGE_SIZE;
    bool vm_mem = cfg.n_regions < KERNEL_BOOT_MAX_REGIONS && pool_end <= ROOTTASK_VM_MEM_BASE &&
                  ctx->plat.ram_base + ctx->plat.ram_size >= ROOTTASK_VM_MEM_BASE + ROOTTASK_VM_MEM_SIZE;
    if (vm_mem)
        cfg.regions[cfg.n_regions++] =
            (struct kernel_boot_region){ ROOTTASK_VM_MEM_BASE, ROOTTASK_VM_MEM_SIZE, false };
    /* The SMMU becomes reachable through capabilities: SIDControl/CBControl caps, and the
     * SID and CB caps of the boot table (smmu_boot_config.h: from the DTB through dt2smmu,
     * or the hand-written config/smmu.conf), under the SMMU id the table gives it. */
    int smmu_id = -1;
    if (ctx->plat.smmu_present) {
        struct smmu_env *env = smmu_env_get(ctx);
        int id = boot_table_smmu_id(ctx, env);
        smmu_id = id;
        if (id >= 0) {
            smmu_object_register((unsigned)id, &env->smmu);
            smmu_boot_set_table(smmu_boot_sids, SMMU_BOOT_NSIDS);
        }
    }
    /* The interrupt controller first: kernel_boot asks it which INTIDs exist. */
    err_t ie = plat_irq_init(&ctx->plat);
    const struct gic *gic = plat_irq_gic();
    if (gic)
        kprintf("  interrupts: GICv%u, distributor 0x%llx, %s 0x%llx, INTIDs 0..%u, EL2 timer PPI INTID %u\n",
                gic->version, (unsigned long long)gic->gicd, gic->version == 2 ? "CPU interface" : "redistributor",
                (unsigned long long)(gic->version == 2 ? gic->gicc : gic->gicr), gic->nr_irqs - 1,
                gic->timer_intid);
    else
        kprintf("  interrupts: no usable GIC (%s): no IRQ handlers can be issued\n", err_name(ie));
    err_t e = kernel_boot(&cfg, &rk.thread, &rk.bi);
    if (e != ERR_NONE) {
        kprintf("  kernel_boot: %s\n", err_name(e));
        return NULL;
    }
    /* The SMMU's wired interrupts, for the root task's IRQControl_Get (the DT's flags: 1 and
     * 2 are edges, 4 and 8 levels). */
    if (smmu_id >= 0 && (seL4_Word)smmu_id < rk.bi.numSMMUs) {
        seL4_SMMUBootInfo *sb = &rk.bi.smmu[smmu_id];
        for (unsigned i = 0; i < SMMU_IRQ_COUNT && i < ARRAY_SIZE(sb->irq); i++) {
            const struct plat_irq *q = &ctx->plat.smmu_irq[i];
            sb->irq[i] = q->present ? q->intid : 0;
            if (q->present && (q->flags & 3u))
                sb->irqEdge |= 1u << i;
        }
    }
    if (smmu_boot_skipped())
        kprintf("  %u configured StreamID(s) could not be issued\n", smmu_boot_skipped());
    kprintf("  kernel booted: %u KiB of untyped at 0x%llx, %u device region(s), root CNode 2^%u\n",
            ROOTTASK_KERNEL_MEM_PAGES * 4u, (unsigned long long)mem, n_device,
            ROOTTASK_ROOT_CNODE_RADIX);
    if (vm_mem)
        kprintf("  VM memory: %llu MiB of untyped at 0x%llx (above 4 GiB)\n",
                (unsigned long long)(ROOTTASK_VM_MEM_SIZE >> 20), (unsigned long long)ROOTTASK_VM_MEM_BASE);
    if (!make_root_vspace(ctx)) {
        kprintf("  the root task's VSpace object could not be made\n");
        return NULL;
    }
    rk.thread.ipc_buffer = (seL4_IPCBuffer *)(void *)__roottask_ipcbuf;
    rk.booted = true;
    return &rk;
}

void roottask_thread(struct user_thread *t, const struct pt *vs, uint16_t vmid, uint64_t hcr,
                     seL4_Word request, seL4_Word arg, const seL4_BootInfo *bi)
{
    kmemset(__roottask_bss_start, 0, (size_t)(__roottask_end - __roottask_bss_start));
    if (bi)
        kmemcpy(__roottask_bootinfo, bi, sizeof(*bi));
    user_thread_init(t, (uintptr_t)roottask_entry, (uintptr_t)__roottask_stack_top,
                     (seL4_IPCBuffer *)(void *)__roottask_ipcbuf);
    t->ctx.x[SEL4_REG_ENTRY_BOOTINFO] = (uintptr_t)__roottask_bootinfo;
    t->ctx.x[SEL4_REG_ENTRY_IPCBUF] = (uintptr_t)__roottask_ipcbuf;
    t->ctx.x[SEL4_REG_ENTRY_REQUEST] = request;
    t->ctx.x[SEL4_REG_ENTRY_ARG] = arg;
    user_thread_set_vspace(t, vs, vmid);
    t->hcr = hcr;
}
