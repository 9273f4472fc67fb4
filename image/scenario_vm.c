/* Scenarios with virtual machines (image/vm.h, image/guest/): guests at EL1 own their
 * stage-1 IO page tables and CD (nested scheme); each VM's VSpace is its stage 2 for the
 * CPU and for its device. Every scenario checks bytes from the guest (which reports) and
 * from the kernel (physical addresses), and the SMMU's event records.
 *  vm-nested               two VMs, each with its own VSpace, CB and edu, nested DMA
 *  vm-isolation            VM A aims its device and its CPU at VM B's memory: stage 2 stops it
 *  vm-huge                 2M stage-2 block behind 4K stage-1 pages, and the reverse
 *  vm-legacy-dma           a 28-bit DMA master reaches a buffer above 4 GiB through a window
 *  vm-guest-invalidation   guest unmap + invalidation; refused and cross-VM requests */
#include "image.h"

#include "lib/bits.h"
#include "lib/string.h"
#include "plat/plat.h"
#include "plat/qemu-virt/uart.h"
#include "smmu_env.h"
#include "smmuv3/event.h"
#include "smmuv3/regs.h"
#include "vm.h"

#define N 4096u
#define ASID_A 5u
#define ASID_B 9u
#define EDU_DMA_MASK_DEFAULT 0x0fffffffULL /* edu's default dma_mask: 28 bits */

/* ---- helpers -------------------------------------------------------------------------------- */
static bool prereq(struct image_ctx *ctx, unsigned n_edu)
{
    if (!ctx->plat.smmu_present || ctx->n_edu < n_edu) {
        kprintf("  needs the SMMU and %u edu devices\n", n_edu);
        return false;
    }
    struct smmu_env *env = smmu_env_get(ctx);
    if (!env->smmu.f.s1 || !env->smmu.f.s2) {
        kprintf("  the SMMU cannot nest (stage 1 %u, stage 2 %u)\n", env->smmu.f.s1, env->smmu.f.s2);
        return false;
    }
    return true;
}

static bool run_expect(struct vm *vm, enum vm_exit_reason want, uint64_t value)
{
    struct vm_exit ex;
    vm_run(vm, &ex);
    vm_exit_print(vm, &ex);
    return ex.reason == want && ex.value == value;
}

static bool pa_pattern(paddr_t pa, unsigned vm, unsigned step, uint32_t first, uint32_t n)
{
    const volatile uint8_t *p = plat_phys_to_virt(pa);
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != guest_pattern(vm, step, first + i))
            return false;
    return pa != 0;
}

static bool pa_zero(paddr_t pa, uint32_t n)
{
    const volatile uint8_t *p = plat_phys_to_virt(pa);
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* Event records, grouped: a faulting DMA of n bytes gives n/4 records (QEMU retries it 4
 * bytes at a time), one group per (type, SID, stage, direction, page). */
#define MAX_GROUPS 16
struct ev_group {
    struct smmu_event first;
    unsigned count;
};
struct ev_log {
    struct ev_group g[MAX_GROUPS];
    unsigned ngroups, total;
};

static void collect_events(struct smmu_env *env, struct ev_log *log)
{
    struct smmu_event ev;
    for (unsigned i = 0; i < 4096 && smmu_eventq_pop(&env->smmu, &ev); i++) {
        log->total++;
        unsigned k = 0;
        for (; k < log->ngroups; k++) {
            const struct smmu_event *f = &log->g[k].first;
            if (f->type == ev.type && f->sid == ev.sid && f->stage2 == ev.stage2 && f->is_read == ev.is_read &&
                f->input_addr >> 12 == ev.input_addr >> 12)
                break;
        }
        if (k == log->ngroups && log->ngroups < MAX_GROUPS)
            log->g[log->ngroups++] = (struct ev_group){ .first = ev };
        if (k < MAX_GROUPS)
            log->g[k].count++;
    }
}

static void print_events(const struct ev_log *log)
{
    for (unsigned k = 0; k < log->ngroups; k++) {
        const struct smmu_event *e = &log->g[k].first;
        static const char *const classes[] = { "CD", "TT", "IN" };
        kprintf("  SMMU event x%u: %s sid 0x%x %s input 0x%llx, %s, class %s, IPA 0x%llx\n", log->g[k].count,
                smmu_event_name(e->type), e->sid, e->is_read ? "read" : "write",
                (unsigned long long)e->input_addr, e->stage2 ? "stage 2" : "stage 1",
                e->class_ < 3 ? classes[e->class_] : "?", (unsigned long long)e->ipa);
    }
    if (log->total == 0)
        kprintf("  SMMU events: none\n");
}

/* The group that starts at `input` from `sid`; NULL if none. */
static const struct smmu_event *find_event(const struct ev_log *log, uint32_t sid, uint64_t input, bool stage2,
                                           bool is_read)
{
    for (unsigned k = 0; k < log->ngroups; k++) {
        const struct smmu_event *e = &log->g[k].first;
        if (e->sid == sid && e->input_addr == input && e->stage2 == stage2 && e->is_read == is_read)
            return e;
    }
    return NULL;
}

static unsigned events_of(const struct ev_log *log, uint32_t sid)
{
    unsigned n = 0;
    for (unsigned k = 0; k < log->ngroups; k++)
        if (log->g[k].first.sid == sid)
            n += log->g[k].count;
    return n;
}

/* The STE of the VM's device: nested, the guest's CD table, the VM's VSpace as S2TTB. */
static bool ste_nested(struct smmu_env *env, const struct vm *vm, uint64_t cd_ipa)
{
    struct ste s;
    if (smmu_read_ste(&env->smmu, vm->edu->sid, &s) != ERR_NONE)
        return false;
    unsigned config = (unsigned)FIELD_GET(STE0_CONFIG, s.dw[0]);
    uint64_t ctx = FIELD_GET(STE0_S1CTXPTR, s.dw[0]) << 6;
    uint64_t s2ttb = FIELD_GET(STE3_S2TTB, s.dw[3]) << 4;
    unsigned vmid = (unsigned)FIELD_GET(STE2_S2VMID, s.dw[2]);
    bool ok = (s.dw[0] & STE0_V) && config == STE_CONFIG_NESTED && ctx == cd_ipa && s2ttb == vm_vttbr_base(vm) &&
              vmid == vm->smmu_vmid && (s.dw[2] & STE2_S2R);
    kprintf("  STE of SID 0x%x: Config %u (%s), S1ContextPtr IPA 0x%llx, S2TTB 0x%llx (VM %c's VTTBR_EL2 base "
            "0x%llx), VMID %u: %s\n",
            vm->edu->sid, config, config == STE_CONFIG_NESTED ? "nested" : "NOT nested", (unsigned long long)ctx,
            (unsigned long long)s2ttb, vm->name, (unsigned long long)vm_vttbr_base(vm), vmid,
            ok ? "as expected" : "UNEXPECTED");
    return ok;
}

static bool destroy(struct smmu_env *env, struct vm *vms, unsigned n)
{
    bool ok = true;
    for (unsigned i = 0; i < n; i++) {
        vm_destroy(&vms[i]);
        if (vms[i].edu) {
            bool aborts = env_sid_aborts(env, vms[i].edu->sid);
            kprintf("  VM %c destroyed: StreamID 0x%x %s\n", vms[i].name, vms[i].edu->sid,
                    aborts ? "aborts" : "does NOT abort");
            ok = ok && aborts;
        }
    }
    return ok;
}

/* ---- vm-nested ----------------------------------------------------------------------------------- */
bool scenario_vm_nested(struct image_ctx *ctx)
{
    if (!prereq(ctx, 2))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    env_drain_events(env, NULL, false);
    struct vm vms[2];
    struct vm *a = &vms[0], *b = &vms[1];
    /* Both use ASID 5: stage-1 TLB entries are tagged with the VMID as well. A runs its own
     * stage-1 MMU, B leaves it off: the guest's choice, kept per VM. */
    bool ok = vm_create(a, ctx, &(struct vm_config){ .index = 0, .edu = &ctx->edu[0] }, GUEST_REQ_NESTED,
                        GUEST_FLAG_MMU, 0, ASID_A);
    ok = ok && vm_create(b, ctx, &(struct vm_config){ .index = 1, .edu = &ctx->edu[1] }, GUEST_REQ_NESTED, 0, 0,
                         ASID_A);
    ok = ok && run_expect(a, VM_EXIT_YIELD, 1) && run_expect(b, VM_EXIT_YIELD, 1);
    for (unsigned i = 0; ok && i < 2; i++) {
        struct vm *v = &vms[i];
        bool bytes = pa_pattern(v->ram_pa[GP_DST], v->index, GUEST_STEP_DMA, 0, N);
        kprintf("  kernel view: VM %c's IOVA 0x%llx = IPA 0x%llx = PA 0x%llx: %s\n", v->name,
                (unsigned long long)GUEST_IOVA_DST, (unsigned long long)GUEST_RAM_PAGE_IPA(GP_DST),
                (unsigned long long)v->ram_pa[GP_DST], bytes ? "the guest's bytes" : "MISMATCH");
        ok = ok && bytes && ste_nested(env, v, GUEST_RAM_PAGE_IPA(GP_CD));
    }
    ok = ok && a->smmu_vmid != b->smmu_vmid && a->vs->vmid != b->vs->vmid;
    ok = ok && run_expect(a, VM_EXIT_DONE, GUEST_RESULT_OK) && run_expect(b, VM_EXIT_DONE, GUEST_RESULT_OK);
    for (unsigned i = 0; ok && i < 2; i++) {
        bool bytes = pa_pattern(vms[i].ram_pa[GP_BUF2], vms[i].index, GUEST_STEP_DMA, 0, N);
        kprintf("  kernel view: VM %c's second copy at PA 0x%llx: %s\n", vms[i].name,
                (unsigned long long)vms[i].ram_pa[GP_BUF2], bytes ? "the guest's bytes" : "MISMATCH");
        ok = ok && bytes;
    }
    struct ev_log log = { 0 };
    collect_events(env, &log);
    print_events(&log);
    ok = ok && log.total == 0;
    return destroy(env, vms, 2) && ok;
}

/* ---- vm-isolation ---------------------------------------------------------------------------------- */
bool scenario_vm_isolation(struct image_ctx *ctx)
{
    if (!prereq(ctx, 2))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    env_drain_events(env, NULL, false);
    struct vm vms[2];
    struct vm *a = &vms[0], *b = &vms[1];
    *a = (struct vm){ 0 };
    bool ok = vm_create(b, ctx, &(struct vm_config){ .index = 1, .edu = &ctx->edu[1] }, GUEST_REQ_VICTIM,
                        GUEST_FLAG_MMU, 0, ASID_B);
    paddr_t secret = b->ram_pa[GP_SECRET];
    ok = ok && vm_create(a, ctx, &(struct vm_config){ .index = 0, .edu = &ctx->edu[0] }, GUEST_REQ_ATTACKER,
                         GUEST_FLAG_MMU, secret, ASID_A);
    ok = ok && run_expect(b, VM_EXIT_YIELD, 1);
    ok = ok && pa_pattern(secret, b->index, GUEST_STEP_SECRET, 0, N);
    kprintf("  VM B's secret at PA 0x%llx; VM A is told that address (as if it had guessed it)\n",
            (unsigned long long)secret);

    /* VM A: stage-2 faults of its CPU come back to the VMM, which reports them and gives
     * the guest an external abort. */
    unsigned cpu_faults = 0;
    bool cpu_right = true, done = false;
    for (unsigned i = 0; ok && i < 8 && !done; i++) {
        struct vm_exit ex;
        vm_run(a, &ex);
        vm_exit_print(a, &ex);
        if (ex.reason == VM_EXIT_S2_FAULT) {
            bool write = (ex.esr & ESR_ISS_WNR) != 0;
            cpu_right = cpu_right && ex.ipa == secret && write == (cpu_faults == 1);
            cpu_faults++;
            vm_inject_abort(a, &ex);
            continue;
        }
        done = ex.reason == VM_EXIT_DONE && ex.value == GUEST_RESULT_OK;
        ok = done;
    }
    kprintf("  VM A's CPU: %u stage-2 faults at IPA 0x%llx (read, then write) %s; %llu SMC refused\n", cpu_faults,
            (unsigned long long)secret, cpu_right ? "as expected" : "UNEXPECTED",
            (unsigned long long)a->smc_refused);
    ok = ok && done && cpu_faults == 2 && cpu_right && a->smc_refused == 1;

    bool intact = pa_pattern(secret, b->index, GUEST_STEP_SECRET, 0, N);
    kprintf("  kernel view: VM B's secret at PA 0x%llx %s\n", (unsigned long long)secret,
            intact ? "unchanged" : "CHANGED");
    ok = ok && intact && run_expect(b, VM_EXIT_DONE, GUEST_RESULT_OK);

    struct ev_log log = { 0 };
    collect_events(env, &log);
    print_events(&log);
    uint32_t sid_a = a->edu ? a->edu->sid : 0, sid_b = b->edu ? b->edu->sid : 0;
    const struct smmu_event *w = find_event(&log, sid_a, GUEST_IOVA_EVIL, true, false);
    const struct smmu_event *r = find_event(&log, sid_a, GUEST_IOVA_EVIL, true, true);
    /* The walk of the stage-1 table at CD.TTB0 is a read (class TT), whatever the DMA was. */
    const struct smmu_event *t = find_event(&log, sid_a, GUEST_IOVA_DST, true, true);
    bool w_ok = w && w->ipa == secret && w->class_ == EVT_CLASS_IN;
    bool r_ok = r && r->ipa == secret && r->class_ == EVT_CLASS_IN;
    bool t_ok = t && (t->ipa & ~(PAGE_SIZE - 1)) == secret && t->class_ == EVT_CLASS_TT;
    kprintf("  device write through the evil entry: %s; read: %s; walk of CD.TTB0 = that IPA: %s; "
            "events from VM B's device: %u\n",
            w_ok ? "stage 2, IPA = the secret's" : "NOT seen", r_ok ? "stage 2, IPA = the secret's" : "NOT seen",
            t_ok ? "stage 2 at that IPA, class TT (the table walk)" : "NOT seen", events_of(&log, sid_b));
    ok = ok && w_ok && r_ok && t_ok && events_of(&log, sid_b) == 0;
    return destroy(env, vms, 2) && ok;
}

/* ---- vm-huge ------------------------------------------------------------------------------------- */
bool scenario_vm_huge(struct image_ctx *ctx)
{
    if (!prereq(ctx, 1))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    env_drain_events(env, NULL, false);
    struct vm vm;
    bool ok = vm_create(&vm, ctx,
                        &(struct vm_config){ .index = 0, .edu = &ctx->edu[0], .s2_block = true, .s1_block_pages = true },
                        GUEST_REQ_HUGE, GUEST_FLAG_MMU, 0, ASID_A);
    if (ok)
        kprintf("  stage 2: IPA 0x%llx..+2M one block -> PA 0x%llx; IPA 0x%llx + {0, 0x123000, 0x1ff000} 4K pages -> "
                "PA 0x%llx, 0x%llx, 0x%llx\n",
                (unsigned long long)GUEST_S2BLOCK_IPA, (unsigned long long)vm.s2_block_pa,
                (unsigned long long)GUEST_S1BLOCK_IPA, (unsigned long long)vm.s1_block_pa[0],
                (unsigned long long)vm.s1_block_pa[1], (unsigned long long)vm.s1_block_pa[2]);
    ok = ok && run_expect(&vm, VM_EXIT_DONE, GUEST_RESULT_OK);
    for (unsigned k = 0; ok && k < GUEST_HUGE_N; k++) {
        paddr_t pa = vm.s2_block_pa + guest_huge_off(k) + GUEST_HUGE_AT;
        bool bytes = pa_pattern(pa, vm.index, GUEST_STEP_DMA, k * GUEST_HUGE_SLICE, GUEST_HUGE_SLICE) &&
                     pa_zero(pa - GUEST_HUGE_AT, GUEST_HUGE_AT);
        kprintf("  kernel view: IOVA 0x%llx (4K at stage 1) -> PA 0x%llx (2M block at stage 2): %s\n",
                (unsigned long long)(GUEST_IOVA_HUGE_S2 + k * PAGE_SIZE + GUEST_HUGE_AT), (unsigned long long)pa,
                bytes ? "bytes match" : "MISMATCH");
        ok = bytes;
    }
    for (unsigned k = 0; ok && k < GUEST_HUGE_N; k++) {
        paddr_t pa = vm.s1_block_pa[k] + GUEST_HUGE_AT;
        bool bytes = pa_pattern(pa, vm.index, GUEST_STEP_DMA, (GUEST_HUGE_N + k) * GUEST_HUGE_SLICE,
                                GUEST_HUGE_SLICE) &&
                     pa_zero(pa - GUEST_HUGE_AT, GUEST_HUGE_AT);
        kprintf("  kernel view: IOVA 0x%llx (2M block at stage 1) -> PA 0x%llx (4K page at stage 2): %s\n",
                (unsigned long long)(GUEST_IOVA_HUGE_S1 + guest_huge_off(k) + GUEST_HUGE_AT), (unsigned long long)pa,
                bytes ? "bytes match" : "MISMATCH");
        ok = bytes;
    }
    struct ev_log log = { 0 };
    collect_events(env, &log);
    print_events(&log);
    const struct smmu_event *h = find_event(&log, ctx->edu[0].sid, GUEST_IOVA_HUGE_S1 + GUEST_HUGE_HOLE, true, false);
    bool hole = h && h->ipa == GUEST_S1BLOCK_IPA + GUEST_HUGE_HOLE && log.ngroups == 1;
    kprintf("  the hole in the stage-1 block (IOVA 0x%llx): %s\n",
            (unsigned long long)(GUEST_IOVA_HUGE_S1 + GUEST_HUGE_HOLE),
            hole ? "stage-2 fault at its IPA, nothing else" : "NOT the expected single stage-2 fault");
    ok = ok && hole;
    return destroy(env, &vm, 1) && ok;
}

/* ---- vm-legacy-dma ----------------------------------------------------------------------------------- */
bool scenario_vm_legacy_dma(struct image_ctx *ctx)
{
    if (!prereq(ctx, 1))
        return false;
    const struct edu *legacy = NULL;
    for (unsigned i = 0; i < ctx->n_edu; i++)
        if (image_edu_is_legacy(&ctx->edu[i]))
            legacy = &ctx->edu[i];
    if (!legacy) {
        kprintf("  no edu at PCI device %u (the one with the default 28-bit DMA mask)\n", IMAGE_EDU_LEGACY_DEV);
        return false;
    }
    struct smmu_env *env = smmu_env_get(ctx);
    env_drain_events(env, NULL, false);
    struct vm vm;
    /* VM C: its own slots; `arg` is filled in once its RAM exists (x3 at entry). */
    bool ok = vm_create(&vm, ctx, &(struct vm_config){ .index = 2, .edu = legacy }, GUEST_REQ_LEGACY, GUEST_FLAG_MMU,
                        0, ASID_A);
    paddr_t dst = ok ? vm.ram_pa[GP_DST] : 0;
    vm.vcpu.t.ctx.x[3] = dst;
    bool high = dst >= (1ULL << 32);
    kprintf("  edu at 00:%02x.0 (StreamID 0x%x), DMA mask 0x%llx; VM %c's buffers at PA 0x%llx, 0x%llx (%s 4 GiB)\n",
            legacy->fn->dev, legacy->sid, (unsigned long long)EDU_DMA_MASK_DEFAULT, vm.name,
            (unsigned long long)(ok ? vm.ram_pa[GP_SRC] : 0), (unsigned long long)dst,
            high ? "above" : "NOT above; RAM must reach past 4 GiB: QEMU -m 4G");
    ok = ok && high && run_expect(&vm, VM_EXIT_YIELD, 1);
    bool bytes = ok && pa_pattern(dst, vm.index, GUEST_STEP_DMA, 0, N);
    kprintf("  kernel view: IOVA 0x%llx (28 bits) -> IPA 0x%llx -> PA 0x%llx: %s\n",
            (unsigned long long)(GUEST_IOVA_LEGACY + PAGE_SIZE), (unsigned long long)GUEST_RAM_PAGE_IPA(GP_DST),
            (unsigned long long)dst, bytes ? "the guest's bytes" : "MISMATCH");
    ok = ok && bytes && run_expect(&vm, VM_EXIT_DONE, GUEST_RESULT_OK);
    struct ev_log log = { 0 };
    collect_events(env, &log);
    print_events(&log);
    /* The device truncated the PA to 28 bits: the SMMU saw that, not the PA. */
    const struct smmu_event *e = find_event(&log, legacy->sid, dst & EDU_DMA_MASK_DEFAULT, false, false);
    kprintf("  without the window the device emitted 0x%llx (PA 0x%llx & 0x%llx): %s\n",
            (unsigned long long)(dst & EDU_DMA_MASK_DEFAULT), (unsigned long long)dst,
            (unsigned long long)EDU_DMA_MASK_DEFAULT,
            e ? "stage-1 fault there, the buffer unreached" : "NOT the expected stage-1 fault");
    ok = ok && e && log.ngroups == 1;
    return destroy(env, &vm, 1) && ok;
}

/* ---- vm-guest-invalidation ----------------------------------------------------------------------------- */
struct snapshot {
    struct ste ste[2];
    uint64_t cmds;
};

static void snap(struct smmu_env *env, const struct vm *vms, struct snapshot *s)
{
    for (unsigned i = 0; i < 2; i++)
        if (smmu_read_ste(&env->smmu, vms[i].edu->sid, &s->ste[i]) != ERR_NONE)
            s->ste[i] = (struct ste){ { 0 } };
    s->cmds = env->smmu.stats.cmds;
}

static bool unchanged(struct smmu_env *env, const struct vm *vms, const struct snapshot *before)
{
    struct snapshot now;
    snap(env, vms, &now);
    bool same = kmemcmp(&now.ste, &before->ste, sizeof(now.ste)) == 0 && now.cmds == before->cmds;
    kprintf("  after the refused requests: STEs of SIDs 0x%x and 0x%x %s, commands issued %llu: %s\n", vms[0].edu->sid,
            vms[1].edu->sid, kmemcmp(&now.ste, &before->ste, sizeof(now.ste)) == 0 ? "unchanged" : "CHANGED",
            (unsigned long long)(now.cmds - before->cmds), same ? "nothing changed" : "SOMETHING CHANGED");
    return same;
}

bool scenario_vm_guest_invalidation(struct image_ctx *ctx)
{
    if (!prereq(ctx, 2))
        return false;
    struct smmu_env *env = smmu_env_get(ctx);
    env_drain_events(env, NULL, false);
    struct vm vms[2];
    struct vm *a = &vms[0], *b = &vms[1];
    *b = (struct vm){ 0 };
    bool ok = vm_create(a, ctx, &(struct vm_config){ .index = 0, .edu = &ctx->edu[0] }, GUEST_REQ_INVAL_A,
                        GUEST_FLAG_MMU, ASID_B, ASID_A);
    ok = ok && vm_create(b, ctx, &(struct vm_config){ .index = 1, .edu = &ctx->edu[1] }, GUEST_REQ_INVAL_B,
                         GUEST_FLAG_MMU, 0, ASID_B);
    struct snapshot s = { 0 };
    ok = ok && run_expect(b, VM_EXIT_YIELD, 1) && run_expect(a, VM_EXIT_YIELD, 1);
    if (ok)
        snap(env, vms, &s);
    ok = ok && run_expect(a, VM_EXIT_YIELD, 2) && unchanged(env, vms, &s);
    ok = ok && run_expect(a, VM_EXIT_YIELD, 3);
    if (ok)
        snap(env, vms, &s);
    ok = ok && run_expect(a, VM_EXIT_YIELD, 4) && unchanged(env, vms, &s);
    /* VM A names VM B's ASID and IOVA: the hypercall has no SID, CB or VMID to name, and
     * the CB's VMID goes into the command. */
    if (ok)
        snap(env, vms, &s);
    ok = ok && run_expect(a, VM_EXIT_YIELD, 5);
    uint64_t cross = env->smmu.stats.cmds - s.cmds;
    kprintf("  VM A's request for ASID %u IOVA 0x%llx: %llu commands, with VM A's VMID %u (VM B's is %u)\n", ASID_B,
            (unsigned long long)GUEST_IOVA_STALE, (unsigned long long)cross, a->smmu_vmid, b->smmu_vmid);
    ok = ok && cross > 0 && run_expect(b, VM_EXIT_DONE, GUEST_RESULT_OK) && run_expect(a, VM_EXIT_DONE, GUEST_RESULT_OK);

    struct ev_log log = { 0 };
    collect_events(env, &log);
    print_events(&log);
    const struct smmu_event *ea = find_event(&log, ctx->edu[0].sid, GUEST_IOVA_DST, false, false);
    const struct smmu_event *eb = find_event(&log, ctx->edu[1].sid, GUEST_IOVA_STALE, false, false);
    kprintf("  stale IOVAs after each guest's own invalidation: VM A 0x%llx %s, VM B 0x%llx %s\n",
            (unsigned long long)GUEST_IOVA_DST, ea ? "faults at stage 1" : "NO fault",
            (unsigned long long)GUEST_IOVA_STALE, eb ? "faults at stage 1" : "NO fault");
    ok = ok && ea && eb && log.ngroups == 2;
    return destroy(env, vms, 2) && ok;
}
