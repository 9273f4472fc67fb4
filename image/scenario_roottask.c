/* The root task at EL0 under the EL2 kernel (image/roottask/, image/user.c,
 * image/roottask_kernel.c):
 *  roottask-trap:      (1) the ABI: seL4_Call against the image's test service (MRs in
 *                      registers and in the IPC buffer, extra caps, an error reply,
 *                      registers preserved) and the round-trip time, in the plain VSpace;
 *                      (2) the kernel: kernel_boot, then the root task in its VSpace
 *                      object invokes the kernel's objects through kernel_handle_call.
 *  roottask-isolation: the root task's VSpace (mapping exactly its own pages) is all it
 *                      can reach: probes outside it take stage-2 faults that the kernel
 *                      reports; other exceptions end the run with a report; two control
 *                      runs show which HCR_EL2 bits make stage 2 apply. */
#include "image.h"

#include <sel4/errors.h>

#include "lib/bits.h"
#include "plat/plat.h"
#include "plat/qemu-virt/uart.h"
#include "roottask/roottask.h"
#include "roottask_kernel.h"
#include "smmu_env.h"
#include "smmuv3/regs.h"
#include "user.h"

/* An IPA outside RAM where the isolation scenario maps one pool page (IPA != PA). */
#define WINDOW_IPA 0x1000000000ULL
#define WINDOW_MAGIC 0x57a6e2a11a5ed0a1ULL
#define NULL_CALLS 1000u

/* ---- the test service: answers seL4_Call without the kernel's objects -------------------- */
struct test_service {
    uint64_t null_calls;
    uint64_t first_null, last_null; /* CNTPCT_EL0 at the first and last NULL call */
    bool abi_violation;             /* a request whose registers disagree with its buffer */
};

static uint64_t counter_now(void)
{
    ISB();
    return SYSREG_READ(cntpct_el0);
}

static void test_service_call(struct user_thread *t, void *arg)
{
    struct test_service *svc = arg;
    seL4_MessageInfo_t info = user_get_info(t);
    seL4_Word label = seL4_MessageInfo_get_label(info);
    unsigned n = (unsigned)seL4_MessageInfo_get_length(info);
    unsigned ncaps = (unsigned)seL4_MessageInfo_get_extraCaps(info);
    seL4_Word mr[seL4_MsgMaxLength];

    if (user_get_cptr(t) != RT_TEST_CPTR) {
        user_reply(t, seL4_InvalidCapability, NULL, 0);
        return;
    }
    switch (label) {
    case RT_TEST_LABEL_NULL: {
        uint64_t now = counter_now();
        if (svc->null_calls++ == 0)
            svc->first_null = now;
        svc->last_null = now;
        user_reply(t, seL4_NoError, NULL, 0);
        return;
    }
    case RT_TEST_LABEL_ECHO: {
        if (n + 1 > seL4_MsgMaxLength) {
            mr[0] = 0;
            mr[1] = seL4_MsgMaxLength - 1;
            user_reply(t, seL4_RangeError, mr, 2);
            return;
        }
        /* The stub must have loaded x2..x5 from the buffer's msg[0..3]. */
        for (unsigned i = 0; i < n && i < SEL4_FAST_MRS; i++) {
            if (t->ctx.x[SEL4_REG_MR0 + i] != t->ipc->msg[i]) {
                svc->abi_violation = true;
                mr[0] = i;
                user_reply(t, seL4_InvalidArgument, mr, 1);
                return;
            }
        }
        seL4_Word summary = user_get_cptr(t);
        for (unsigned c = 0; c < ncaps; c++)
            summary += t->ipc->caps_or_badges[c];
        for (unsigned i = 0; i < n; i++)
            mr[i] = ~user_get_mr(t, i);
        mr[n] = summary;
        user_reply(t, seL4_NoError, mr, n + 1);
        return;
    }
    case RT_TEST_LABEL_ERROR:
        mr[0] = RT_ERROR_MIN;
        mr[1] = RT_ERROR_MAX;
        user_reply(t, seL4_RangeError, mr, 2);
        return;
    default:
        user_reply(t, seL4_IllegalOperation, NULL, 0);
        return;
    }
}

/* ---- roottask-trap ---------------------------------------------------------------------- */
static bool trap_abi(struct image_ctx *ctx)
{
    struct pt vs;
    if (!roottask_plain_vspace(ctx, &vs))
        return false;
    struct user_thread t;
    struct user_stop stop;
    struct test_service svc = { 0 };
    kprintf("  HCR_EL2 = 0x%llx (VM DC TGE RW FMO IMO AMO), entering the root task at EL0\n",
            (unsigned long long)HCR_NATIVE);
    roottask_thread(&t, &vs, ROOTTASK_PLAIN_VMID, HCR_NATIVE, RT_REQ_ABI, 0, NULL);
    user_run(&t, test_service_call, &svc, &stop);
    user_stop_print(&stop);
    bool ok = stop.reason == USER_STOP_EXIT && stop.result == RT_RESULT_OK && !svc.abi_violation;

    /* Round trips: NULL_CALLS seL4_Calls, timed by the kernel between the first and the
     * last (QEMU TCG: virtual time follows the host clock, or counts instructions with
     * -icount; an emulator's figure). */
    svc = (struct test_service){ 0 };
    roottask_thread(&t, &vs, ROOTTASK_PLAIN_VMID, HCR_NATIVE, RT_REQ_NULL_CALLS, NULL_CALLS, NULL);
    user_run(&t, test_service_call, &svc, &stop);
    user_stop_print(&stop);
    uint64_t frq = SYSREG_READ(cntfrq_el0);
    if (stop.reason == USER_STOP_EXIT && svc.null_calls == NULL_CALLS && frq >= 1000000u) {
        uint64_t ns = (svc.last_null - svc.first_null) * 1000u / (frq / 1000000u) / (NULL_CALLS - 1);
        kprintf("  seL4_Call round trip EL0 -> EL2 -> EL0 (null reply): %llu ns each over %u calls "
                "(QEMU, CNTPCT at %llu Hz)\n",
                (unsigned long long)ns, NULL_CALLS, (unsigned long long)frq);
    } else {
        ok = false;
    }
    pt_destroy(&vs);
    return ok;
}

static bool trap_kernel(struct image_ctx *ctx)
{
    struct roottask_kernel *k = roottask_kernel_get(ctx);
    if (!k)
        return false;
    struct user_thread t;
    struct user_stop stop;
    roottask_thread(&t, &k->vspace->pt, k->vspace->vmid, HCR_NATIVE, RT_REQ_MAIN, 0, &k->bi);
    user_run(&t, user_kernel_call, &k->thread, &stop);
    user_stop_print(&stop);
    bool ok = stop.reason == USER_STOP_EXIT && stop.result == RT_RESULT_OK;

    /* Cost of a real invocation: two runs, with NULL_CALLS and with no GetAddress calls;
     * the difference over NULL_CALLS is one call (trap, lookup, decode, reply). */
    uint64_t frq = SYSREG_READ(cntfrq_el0), ticks[2] = { 0, 0 };
    for (unsigned r = 0; r < 2; r++) {
        roottask_thread(&t, &k->vspace->pt, k->vspace->vmid, HCR_NATIVE, RT_REQ_GET_ADDRESS,
                        r == 0 ? NULL_CALLS : 0, &k->bi);
        uint64_t t0 = counter_now();
        user_run(&t, user_kernel_call, &k->thread, &stop);
        ticks[r] = counter_now() - t0;
        ok = ok && stop.reason == USER_STOP_EXIT && stop.result == 0;
    }
    if (ok && frq >= 1000000u && ticks[0] > ticks[1])
        kprintf("  seL4_ARM_Page_GetAddress round trip through kernel_handle_call: %llu ns each over "
                "%u calls\n",
                (unsigned long long)((ticks[0] - ticks[1]) * 1000u / (frq / 1000000u) / NULL_CALLS),
                NULL_CALLS);

    /* Unmap and the CPU's TLB: the root task maps an edu register page, reads it (QEMU's
     * TLB now caches the translation), unmaps it with seL4_ARM_Page_Unmap and reads again
     * in the same run (no VTTBR_EL2 change in between, which would flush QEMU's TLB). The
     * second read must take a stage-2 translation fault at that IPA. */
    if (ctx->n_edu > 0 && ctx->edu[0].fn->bar[0].present) {
        uint64_t ipa = ctx->edu[0].fn->bar[0].cpu_addr;
        roottask_thread(&t, &k->vspace->pt, k->vspace->vmid, HCR_NATIVE, RT_REQ_UNMAP_READ, 0,
                        &k->bi);
        user_run(&t, user_kernel_call, &k->thread, &stop);
        user_stop_print(&stop);
        unsigned fsc = (unsigned)FIELD_GET(ESR_ISS_xFSC, stop.esr);
        bool unmapped = stop.reason == USER_STOP_FAULT &&
                        FIELD_GET(ESR_EC, stop.esr) == ESR_EC_DABT_LOWER &&
                        FIELD_GET(FSC_TYPE, fsc) == FSC_TYPE_TRANSLATION && user_stop_ipa(&stop) == ipa;
        kprintf("  read after Page_Unmap: %s\n", unmapped ? "stage-2 translation fault, as it must"
                                                           : "NOT a fault at that IPA");
        ok = ok && unmapped;
    }
    return ok;
}

bool scenario_roottask_trap(struct image_ctx *ctx)
{
    kprintf("  (1) the system-call ABI, against the image's test service\n");
    bool abi = trap_abi(ctx);
    kprintf("  (2) the root task on the capability kernel (kernel_boot, kernel_handle_call)\n");
    bool kernel = trap_kernel(ctx);
    return abi && kernel;
}

/* ---- roottask-isolation ---------------------------------------------------------------- */
static volatile uint64_t kernel_secret = 0x5ec2e75ec2e75ec2ULL;

enum expect {
    EXPECT_VALUE, /* the probe exits with `value` */
    EXPECT_FAULT, /* a stage-2 abort: `ec`, `fsc_type`, `write`, IPA in [ipa_lo, ipa_hi) */
    EXPECT_TRAP,  /* another synchronous exception of class `ec` */
};

struct probe {
    const char *what;
    uint64_t hcr;
    seL4_Word request, arg;
    enum expect expect;
    uint64_t value;
    unsigned ec;
    unsigned fsc_type;
    bool write;
    uint64_t ipa_lo, ipa_hi;
};

static bool check_probe(const struct probe *p, const struct user_stop *stop)
{
    if (p->expect == EXPECT_VALUE)
        return stop->reason == USER_STOP_EXIT && stop->result == p->value;
    unsigned ec = (unsigned)FIELD_GET(ESR_EC, stop->esr);
    if (p->expect == EXPECT_TRAP)
        return stop->reason == USER_STOP_FAULT && stop->vector == 8 && ec == p->ec;
    if (stop->reason != USER_STOP_FAULT || stop->vector != 8 || stop->hpfar == 0)
        return false;
    unsigned fsc = (unsigned)FIELD_GET(ESR_ISS_xFSC, stop->esr);
    uint64_t ipa = user_stop_ipa(stop);
    bool write = (stop->esr & ESR_ISS_WNR) != 0;
    return ec == p->ec && FIELD_GET(FSC_TYPE, fsc) == p->fsc_type &&
           (ec != ESR_EC_DABT_LOWER || write == p->write) && ipa >= p->ipa_lo && ipa < p->ipa_hi;
}

bool scenario_roottask_isolation(struct image_ctx *ctx)
{
    struct pt vs;
    if (!roottask_plain_vspace(ctx, &vs))
        return false;
    paddr_t window = 0;
    if (pool_alloc(&ctx->pool, 1, &window) != ERR_NONE) {
        pt_destroy(&vs);
        return false;
    }
    *(volatile uint64_t *)plat_phys_to_virt(window) = WINDOW_MAGIC;
    struct pt_attrs ro = { .perms = PT_PERM_R, .mem = PT_MEM_NORMAL_NC };
    if (pt_map(&vs, WINDOW_IPA, window, PAGE_SIZE, ro) != ERR_NONE) {
        pool_free(&ctx->pool, window, 1);
        pt_destroy(&vs);
        return false;
    }
    kprintf("    window   IPA 0x%llx -> PA 0x%llx r-- (not identity)\n",
            (unsigned long long)WINDOW_IPA, (unsigned long long)window);

    uint64_t secret = (uintptr_t)&kernel_secret;
    uint64_t uart = uart_base();
    uint64_t text = (uintptr_t)__roottask_text_start, text_end = (uintptr_t)__roottask_text_end;
    uint64_t bss = (uintptr_t)__roottask_bss_start, bss_end = (uintptr_t)__roottask_bss_end;
    uint64_t guard = (uintptr_t)__roottask_guard;
    const uint64_t hcr_no_s2 = HCR_NATIVE & ~(HCR_VM | HCR_DC);
    const uint64_t hcr_dc_only = HCR_NATIVE & ~HCR_VM;
    const struct probe probes[] = {
        { "read IPA 0x1000000000, mapped to another PA", HCR_NATIVE, RT_REQ_READ, WINDOW_IPA,
          EXPECT_VALUE, WINDOW_MAGIC, 0, 0, false, 0, 0 },
        { "read kernel data (not in the VSpace)", HCR_NATIVE, RT_REQ_READ, secret, EXPECT_FAULT, 0,
          ESR_EC_DABT_LOWER, FSC_TYPE_TRANSLATION, false, secret, secret + 1 },
        { "write kernel data", HCR_NATIVE, RT_REQ_WRITE, secret, EXPECT_FAULT, 0,
          ESR_EC_DABT_LOWER, FSC_TYPE_TRANSLATION, true, secret, secret + 1 },
        { "read the UART (a device not in the VSpace)", HCR_NATIVE, RT_REQ_READ, uart,
          EXPECT_FAULT, 0, ESR_EC_DABT_LOWER, FSC_TYPE_TRANSLATION, false, uart, uart + 1 },
        { "write its own code (mapped r-x)", HCR_NATIVE, RT_REQ_WRITE_TEXT, 0, EXPECT_FAULT, 0,
          ESR_EC_DABT_LOWER, FSC_TYPE_PERMISSION, true, text, text_end },
        { "execute from its own .bss (mapped rw-, XN)", HCR_NATIVE, RT_REQ_EXEC_DATA, 0,
          EXPECT_FAULT, 0, ESR_EC_IABT_LOWER, FSC_TYPE_PERMISSION, false, bss, bss_end },
        { "read the guard page below its stack", HCR_NATIVE, RT_REQ_READ, guard + 8, EXPECT_FAULT,
          0, ESR_EC_DABT_LOWER, FSC_TYPE_TRANSLATION, false, guard + 8, guard + 9 },
        /* Other exceptions end the run with a report too (no IPA: HPFAR_EL2 stays 0). */
        { "undefined instruction (UDF #0)", HCR_NATIVE, RT_REQ_UDF, 0, EXPECT_TRAP, 0,
          ESR_EC_UNKNOWN, 0, false, 0, 0 },
        { "svc with an undefined immediate", HCR_NATIVE, RT_REQ_BAD_SVC, 0, EXPECT_TRAP, 0,
          ESR_EC_SVC64, 0, false, 0, 0 },
        { "FP/SIMD instruction (CPTR_EL2.TFP = 1)", HCR_NATIVE, RT_REQ_FP, 0, EXPECT_TRAP, 0,
          ESR_EC_FP_ACCESS, 0, false, 0, 0 },
        /* Controls: what the same read of kernel data does under other HCR_EL2 values. */
        { "control: HCR_EL2 without VM and DC: read kernel data", hcr_no_s2, RT_REQ_READ, secret,
          EXPECT_VALUE, kernel_secret, 0, 0, false, 0, 0 },
        { "control: HCR_EL2 with DC, without VM: read kernel data", hcr_dc_only, RT_REQ_READ,
          secret, EXPECT_FAULT, 0, ESR_EC_DABT_LOWER, FSC_TYPE_TRANSLATION, false, secret,
          secret + 1 },
    };

    bool ok = true;
    for (unsigned i = 0; i < ARRAY_SIZE(probes); i++) {
        const struct probe *p = &probes[i];
        kprintf("  probe %u: %s (HCR_EL2 0x%llx, x3 = 0x%llx)\n", i + 1, p->what,
                (unsigned long long)p->hcr, (unsigned long long)p->arg);
        struct user_thread t;
        struct user_stop stop;
        struct test_service svc = { 0 };
        roottask_thread(&t, &vs, ROOTTASK_PLAIN_VMID, p->hcr, p->request, p->arg, NULL);
        user_run(&t, test_service_call, &svc, &stop);
        user_stop_print(&stop);
        bool good = check_probe(p, &stop);
        kprintf("    -> %s\n", good ? "as expected" : "UNEXPECTED");
        ok = ok && good;
    }
    ok = ok && kernel_secret == 0x5ec2e75ec2e75ec2ULL;

    /* The CPU may still hold entries of ROOTTASK_PLAIN_VMID for these pages: harmless, no
     * thread runs with that VMID until user_run loads it again and invalidates it. */
    pool_free(&ctx->pool, window, 1);
    pt_destroy(&vs);
    return ok;
}

/* The SMMU scenarios' common part: with at least `min_edus` devices and the SMMU present,
 * boot the kernel (once), empty the event queue, run the root task with `request` and
 * report how it ended. Returns the SMMU environment (NULL if the set-up failed); *exited
 * says whether the root task exited with RT_RESULT_OK. `before`, if given, receives the
 * SMMU's counters from just before the run. */
static struct smmu_env *run_smmu_request(struct image_ctx *ctx, unsigned min_edus, seL4_Word request,
                                         bool *exited, struct smmu_stats *before)
{
    *exited = false;
    if (ctx->n_edu < min_edus || !ctx->plat.smmu_present) {
        kprintf("  needs %u edu device(s) and an SMMU; found %u edu(s)\n", min_edus, ctx->n_edu);
        return NULL;
    }
    struct roottask_kernel *k = roottask_kernel_get(ctx);
    if (!k)
        return NULL;
    struct smmu_env *env = smmu_env_get(ctx);
    env_drain_events(env, NULL, false);
    if (before)
        *before = env->smmu.stats;
    struct user_thread t;
    struct user_stop stop;
    roottask_thread(&t, &k->vspace->pt, k->vspace->vmid, HCR_NATIVE, request, 0, &k->bi);
    user_run(&t, user_kernel_call, &k->thread, &stop);
    user_stop_print(&stop);
    *exited = stop.reason == USER_STOP_EXIT && stop.result == RT_RESULT_OK;
    return env;
}

/* roottask-smmu: the root task, using only its capabilities (boot-info SID and CB caps,
 * untyped, its own VSpace), gives edu0 DMA access to two of its pages, checks the copy,
 * unmaps one (the DMA to it is blocked), deletes the SID cap (nothing moves any more), and
 * restores its CSpace. The kernel side then checks what the SMMU recorded: an
 * F_TRANSLATION at the unmapped IOVA from StreamID 0x10, and the STE back at abort. */
bool scenario_roottask_smmu(struct image_ctx *ctx)
{
    bool ok;
    struct smmu_stats before;
    struct smmu_env *env = run_smmu_request(ctx, 1, RT_REQ_SMMU, &ok, &before);
    if (!env)
        return false;
    kprintf("  the SMMU consumed %llu commands (%llu CMD_SYNC) and applied %llu STE updates for it\n",
            (unsigned long long)(env->smmu.stats.cmds - before.cmds),
            (unsigned long long)(env->smmu.stats.syncs - before.syncs),
            (unsigned long long)(env->smmu.stats.ste_writes - before.ste_writes));

    struct smmu_event ev;
    unsigned n = env_drain_events(env, &ev, true);
    bool fault_seen = n >= 1 && ev.type == EVT_F_TRANSLATION && ev.sid == ctx->edu[0].sid &&
                      ev.input_addr == RT_SMMU_IOVA_DST && ev.stage2 && !ev.is_read;
    kprintf("  SMMU events: %s\n", fault_seen ? "F_TRANSLATION (write, stage 2) at the unmapped IOVA, "
                                                "none for the aborted stream"
                                              : "NOT the expected F_TRANSLATION");
    bool aborts = env_sid_aborts(env, ctx->edu[0].sid);
    kprintf("  StreamID 0x%x after the run: %s\n", ctx->edu[0].sid, aborts ? "abort" : "NOT abort");
    return ok && fault_seen && aborts && n * 4 == 64; /* one record per 4 bytes of the faulting DMA */
}

/* roottask-nested: the root task acts as a guest's SMMU driver (nested scheme): its own CD
 * and stage-1 tables, bound with seL4_ARM_CB_AssignCDTable; the kernel side checks the
 * SMMU's records: the malicious stage-1 entry faults at stage 2 with the IPA it named, and
 * the stage-1 unmap + invalidation request faults at stage 1. */
bool scenario_roottask_nested(struct image_ctx *ctx)
{
    if (ctx->plat.smmu_present && !smmu_env_get(ctx)->smmu.f.s1) {
        kprintf("  the SMMU has no stage 1\n");
        return false;
    }
    bool ok;
    struct smmu_env *env = run_smmu_request(ctx, 1, RT_REQ_NESTED, &ok, NULL);
    if (!env)
        return false;

    /* Records: first the stage-2 fault of the malicious entry, then the stage-1 fault. */
    struct smmu_event ev;
    unsigned s2_faults = 0, s1_faults = 0, other = 0;
    bool s2_right = false, s1_right = false;
    for (unsigned i = 0; i < 4096 && smmu_eventq_pop(&env->smmu, &ev); i++) {
        if (ev.type == EVT_F_TRANSLATION && ev.stage2) {
            s2_faults++;
            if (s2_faults == 1) {
                s2_right = ev.sid == ctx->edu[0].sid && ev.input_addr == RT_NESTED_IOVA_EVIL &&
                           ev.ipa == RT_NESTED_EVIL_IPA;
                kprintf("    event: F_TRANSLATION sid 0x%x IOVA 0x%llx, stage 2 at IPA 0x%llx\n", ev.sid,
                        (unsigned long long)ev.input_addr, (unsigned long long)ev.ipa);
            }
        } else if (ev.type == EVT_F_TRANSLATION) {
            s1_faults++;
            if (s1_faults == 1) {
                s1_right = ev.sid == ctx->edu[0].sid && ev.input_addr == RT_NESTED_IOVA_DST;
                kprintf("    event: F_TRANSLATION sid 0x%x IOVA 0x%llx, stage 1\n", ev.sid,
                        (unsigned long long)ev.input_addr);
            }
        } else {
            other++;
            kprintf("    event: %s sid 0x%x addr 0x%llx\n", smmu_event_name(ev.type), ev.sid,
                    (unsigned long long)ev.input_addr);
        }
    }
    kprintf("  SMMU records: %u stage-2 faults (malicious stage-1 entry), %u stage-1 faults (unmapped "
            "IOVA), %u others\n", s2_faults, s1_faults, other);
    bool aborts = env_sid_aborts(env, ctx->edu[0].sid);
    return ok && s2_faults >= 1 && s2_right && s1_faults >= 1 && s1_right && other == 0 && aborts;
}

/* roottask-s1: stage-1-only translation for a native component (an IO space assigned to a
 * CB: the kernel builds the CD). The kernel side checks the record of the write to the
 * unmapped IOVA: a stage-1 F_TRANSLATION from edu0's StreamID. */
bool scenario_roottask_s1(struct image_ctx *ctx)
{
    bool ok;
    struct smmu_env *env = run_smmu_request(ctx, 1, RT_REQ_S1, &ok, NULL);
    if (!env)
        return false;
    struct smmu_event ev;
    unsigned n = env_drain_events(env, &ev, true);
    bool fault = n >= 1 && ev.type == EVT_F_TRANSLATION && !ev.stage2 && ev.sid == ctx->edu[0].sid &&
                 ev.input_addr == RT_S1_IOVA_DST && !ev.is_read;
    kprintf("  SMMU records: %u, %s\n", n, fault ? "F_TRANSLATION at stage 1 for the unmapped IOVA" : "NOT as expected");
    return ok && fault && env_sid_aborts(env, ctx->edu[0].sid);
}

/* roottask-modes: five edus, five StreamIDs of one SMMU in the five per-master modes at
 * the same time (image/roottask/modes_demo.c: each device's bytes are checked while all
 * five are live); the kernel side checks that no event was recorded (abort is silent,
 * everything else translated) and that all five STEs are abort again afterwards. */
bool scenario_roottask_modes(struct image_ctx *ctx)
{
    bool ok;
    struct smmu_env *env = run_smmu_request(ctx, 5, RT_REQ_MODES, &ok, NULL);
    if (!env)
        return false;
    unsigned n = env_drain_events(env, NULL, true);
    kprintf("  SMMU records during the run: %u (abort is silent; every other mode translated)\n", n);
    for (unsigned d = 0; d < 5; d++)
        ok = ok && env_sid_aborts(env, ctx->edu[d].sid);
    return ok && n == 0;
}
