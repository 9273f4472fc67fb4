/* roottask-faults: the root task is the SMMU's fault handler (image/roottask/faults_demo.c).
 * Device faults and global errors reach it as interrupts, through IRQHandler caps bound to
 * a notification, and it reads and clears them with the SIDControl invocations; the kernel
 * side here only starts its two runs, injects the global error between them (a test-only
 * hook: no invocation can put an illegal command into the queue), and checks afterwards
 * what the hardware says. */
#include "image.h"

#include "kernel/irq.h"
#include "lib/bits.h"
#include "object/smmu_object.h"
#include "plat/plat.h"
#include "plat/qemu-virt/irq.h"
#include "plat/qemu-virt/uart.h"
#include "roottask/roottask.h"
#include "roottask_kernel.h"
#include "smmu_env.h"
#include "smmuv3/regs.h"
#include "user.h"

/* seL4_Wait's deadline during run 2 (whose last wait is meant to time out). */
#define RUN2_WAIT_TIMEOUT_US 50000u

static void print_irq(const char *name, unsigned intid)
{
    struct irq_info i;
    if (!irq_get_info(intid, &i))
        return;
    if (!i.issued) {
        kprintf("    %-7s INTID %u: no handler (masked, free to be issued)\n", name, intid);
        return;
    }
    kprintf("    %-7s INTID %u: handler issued (%s), %s, delivered %llu time(s), %s\n", name, intid,
            i.edge ? "edge" : "level", i.ntfn ? "bound to a notification" : "unbound",
            (unsigned long long)i.delivered, i.masked ? "masked until Ack" : "enabled");
}

static bool run(struct roottask_kernel *k, seL4_Word request, seL4_Word arg, struct user_stop *stop)
{
    struct user_thread t;
    roottask_thread(&t, &k->vspace->pt, k->vspace->vmid, HCR_NATIVE, request, arg, &k->bi);
    uint64_t t0 = plat_now_us();
    user_run(&t, user_kernel_call, &k->thread, stop);
    uint64_t dt = plat_now_us() - t0;
    user_stop_print(stop);
    kprintf("  run took %llu ms; %llu system calls, %llu IRQ(s) taken while at EL0\n", (unsigned long long)(dt / 1000),
            (unsigned long long)stop->syscalls, (unsigned long long)stop->irqs);
    return stop->reason == USER_STOP_EXIT && stop->result == RT_RESULT_OK;
}

bool scenario_roottask_faults(struct image_ctx *ctx)
{
    if (ctx->n_edu < 1 || !ctx->plat.smmu_present)
        return false;
    struct roottask_kernel *k = roottask_kernel_get(ctx);
    if (!k)
        return false;
    const struct gic *gic = plat_irq_gic();
    unsigned evq = ctx->plat.smmu_irq[SMMU_IRQ_EVENTQ].intid, gerr = ctx->plat.smmu_irq[SMMU_IRQ_GERROR].intid;
    if (!gic || !ctx->plat.smmu_irq[SMMU_IRQ_EVENTQ].present || !ctx->plat.smmu_irq[SMMU_IRQ_GERROR].present) {
        kprintf("  no GIC, or the SMMU's eventq/gerror interrupts are not in the device tree\n");
        return false;
    }
    struct smmu_env *env = smmu_env_get(ctx);
    struct smmu_instance *inst = smmu_object_instance(0);
    env_drain_events(env, NULL, false);
    kprintf("  GICv%u; the SMMU's eventq = INTID %u, gerror = INTID %u (device tree, in the boot info)\n",
            gic->version, evq, gerr);

    /* Run 1: a device fault arrives as the eventq interrupt while the root task waits. */
    kprintf("  (1) run 1: IRQ handlers + notification, a faulting DMA, seL4_Wait, GetEventq\n");
    uint64_t irqs0 = irq_stats.interrupts, waits0 = plat_irq_counts.wfis;
    struct user_stop stop;
    bool ok1 = run(k, RT_REQ_FAULTS_EVENTQ, ctx->edu[0].sid, &stop);
    kprintf("  kernel: %llu interrupt(s) handled, %llu wfi in seL4_Wait; after run 1:\n",
            (unsigned long long)(irq_stats.interrupts - irqs0), (unsigned long long)(plat_irq_counts.wfis - waits0));
    print_irq("eventq", evq);
    print_irq("gerror", gerr);
    struct irq_info ie;
    ok1 = ok1 && irq_get_info(evq, &ie) && ie.delivered >= 1 && smmu_eventq_pending(&env->smmu) == 0;
    if (!ok1)
        return false;

    /* The test-only hook: an illegal command, published without CMD_SYNC. */
    uint64_t bad[2] = { RT_FAULTS_BAD_CMD0, RT_FAULTS_BAD_CMD1 };
    err_t e = smmu_debug_inject_cmd(&env->smmu, bad);
    uint32_t cons = plat_mmio_read32(env->smmu.base + SMMU_CMDQ_CONS);
    kprintf("  (2) kernel, test-only hook: command 0x%llx 0x%llx (opcode 0x%llx: none) written to the command "
            "queue: %s; GERROR active 0x%x, CMDQ_CONS.ERR %llu; gerror line %s at the GIC\n",
            (unsigned long long)bad[0], (unsigned long long)bad[1], (unsigned long long)(bad[0] & 0xffu), err_name(e),
            smmu_gerror_active(&env->smmu), (unsigned long long)FIELD_GET(CMDQ_CONS_ERR, cons),
            gic_is_pending(gic, gerr) ? "pending" : "not pending");

    /* Run 2: the root task waits for the gerror interrupt, reads, skips, checks, cleans up. */
    kprintf("  (3) run 2: seL4_Wait for gerror, GetGlobalError, SkipCmdqError, CB_TLBInvalidateAll, cleanup\n");
    uint64_t hw0 = inst ? inst->hw_errors : 0;
    uint64_t syncs0 = env->smmu.stats.syncs;
    irqs0 = irq_stats.interrupts;
    waits0 = plat_irq_counts.wfis;
    uint64_t timer0 = plat_irq_counts.timer;
    kernel_set_wait_timeout(RUN2_WAIT_TIMEOUT_US); /* its last wait has nothing to come */
    bool ok2 = run(k, RT_REQ_FAULTS_GERROR, 0, &stop);
    kernel_set_wait_timeout(0);
    kprintf("  kernel: %llu interrupt(s) handled, %llu taken while the root task ran, %llu wfi in seL4_Wait%s\n",
            (unsigned long long)(irq_stats.interrupts - irqs0), (unsigned long long)stop.irqs,
            (unsigned long long)(plat_irq_counts.wfis - waits0),
            stop.irqs ? " (the gerror line was pending since the injection: taken as soon as the root task ran "
                        "at EL0, so its seL4_Wait found the notification already signalled)"
                      : "");
    kprintf("  kernel: the last seL4_Wait ended at its %u ms deadline: the EL2 timer (INTID %u) fired %llu time(s)\n",
            RUN2_WAIT_TIMEOUT_US / 1000u, gic->timer_intid, (unsigned long long)(plat_irq_counts.timer - timer0));
    print_irq("eventq", evq);
    print_irq("gerror", gerr);

    /* What the hardware says now: no error, the queue consumed up to PROD, no invocation
     * failed in the hardware layer, the interrupts masked and free. */
    uint32_t mask = (2u << env->smmu.cmdq.log2size) - 1u;
    cons = plat_mmio_read32(env->smmu.base + SMMU_CMDQ_CONS);
    uint32_t active = smmu_gerror_active(&env->smmu);
    bool drained = (cons & mask) == (env->smmu.cmdq.prod & mask); /* CONS.ERR means something only
                                                                    * while CMDQ_ERR is active */
    uint64_t hw = inst ? inst->hw_errors - hw0 : 1;
    struct irq_info ig;
    bool freed = irq_get_info(evq, &ie) && irq_get_info(gerr, &ig) && !ie.issued && !ig.issued;
    kprintf("  after run 2: GERROR active 0x%x, command queue %s (CONS 0x%x, PROD 0x%x), %llu CMD_SYNC(s) "
            "completed, %llu hardware error(s) in invocations, handlers %s\n",
            active, drained ? "drained" : "STUCK", cons & mask, env->smmu.cmdq.prod & mask,
            (unsigned long long)(env->smmu.stats.syncs - syncs0), (unsigned long long)hw,
            freed ? "deleted (INTIDs masked, free)" : "STILL ISSUED");
    if (active & GERROR_CMDQ_ERR) /* leave the SMMU usable for whatever runs next */
        (void)smmu_cmdq_skip_error(&env->smmu);
    return ok2 && active == 0 && drained && hw == 0 && freed && plat_irq_counts.timer > timer0;
}
