/* Weak stand-ins for the hooks src/object/ provides (kernel.h), so the kernel core is
 * tested on its own, plus the fixture (kernel_fixture.h). Weak: the test binary keeps
 * these even when the core library also holds the real object layer. */
#include <stdlib.h>
#include <string.h>

#include "kernel_fixture.h"

struct kfx kfx;
struct hook_log hooks;
void (*hook_on_unmapped)(struct vspace_obj *vs, uint64_t ipa, uint64_t size, unsigned leaf);

__attribute__((weak)) struct syscall_error decode_smmu_invocation(struct invocation *inv)
{
    hooks.decode_n++;
    hooks.decode_label = inv->label;
    if (inv->label == 77 && inv->length >= 1) { /* echo: MR0 + 1 .. for the ABI test */
        for (unsigned i = 0; i < inv->length; i++)
            inv->reply[i] = inv->mr[i] + 1;
        inv->reply_length = inv->length;
        return SYSCALL_OK;
    }
    return syscall_err(seL4_IllegalOperation);
}

__attribute__((weak)) void smmu_finalise_cap(cap_t cap, bool final)
{
    if (hooks.finalise_n < 32) {
        hooks.finalised[hooks.finalise_n] = cap;
        hooks.finalised_final[hooks.finalise_n] = final;
    }
    hooks.finalise_n++;
}

__attribute__((weak)) void smmu_vspace_unmapped(struct vspace_obj *vs, uint64_t ipa, uint64_t size,
                                                unsigned leaf_level)
{
    if (hooks.unmapped_n < 32)
        hooks.unmapped[hooks.unmapped_n] = (struct hook_unmapped){ vs, ipa, size, leaf_level, host_tlbi_log.n };
    hooks.unmapped_n++;
    if (hook_on_unmapped)
        hook_on_unmapped(vs, ipa, size, leaf_level);
}

__attribute__((weak)) void smmu_vspace_deleted(struct vspace_obj *vs)
{
    if (hooks.deleted_n < 8) {
        hooks.deleted[hooks.deleted_n] = vs;
        hooks.deleted_vmid[hooks.deleted_n] = vs->vmid;
    }
    hooks.deleted_n++;
}

/* As the object layer: same type and same identity fields (dev, sid, cb). */
__attribute__((weak)) bool smmu_same_object(cap_t a, cap_t b)
{
    if (cap_get_capType(a) != cap_get_capType(b) || cap_is_kernel_copy(a) || cap_is_kernel_copy(b))
        return false;
    switch (cap_get_capType(a)) {
    case cap_sid_cap:
        return cap_sid_cap_get_capDevID(a) == cap_sid_cap_get_capDevID(b) &&
               cap_sid_cap_get_capSID(a) == cap_sid_cap_get_capSID(b);
    case cap_cb_cap:
        return cap_cb_cap_get_capDevID(a) == cap_cb_cap_get_capDevID(b) &&
               cap_cb_cap_get_capCB(a) == cap_cb_cap_get_capCB(b);
    default: /* control and bypass caps: capDevID in the same place */
        return (a.words[0] & 0xf) == (b.words[0] & 0xf);
    }
}

__attribute__((weak)) bool smmu_cap_derivable(cap_t cap)
{
    uint64_t t = cap_get_capType(cap);
    if (t == cap_sid_control_cap || t == cap_cb_control_cap)
        return false;
    return !cap_is_kernel_copy(cap);
}

/* SMMU 0's control caps at the first free slots. */
__attribute__((weak)) unsigned smmu_boot_populate(cte_t *slots, unsigned first_free, unsigned nslots,
                                                  seL4_BootInfo *bi)
{
    hooks.populate_n++;
    if (first_free + 2 > nslots)
        return first_free;
    cte_init_original(&slots[first_free], cap_sid_control_cap_new(0));
    cte_init_original(&slots[first_free + 1], cap_cb_control_cap_new(0));
    bi->numSMMUs = 1;
    bi->smmu[0].sidControl = first_free;
    bi->smmu[0].cbControl = first_free + 1;
    return first_free + 2;
}

/* ---- fixture ---- */

int kfx_setup(void **state)
{
    (void)state;
    memset(&hooks, 0, sizeof(hooks));
    hook_on_unmapped = NULL;
    host_tlbi_reset();
    if (!kfx.mem) {
        kfx.mem = aligned_alloc(1ull << KFX_MEM_BITS, 1ull << KFX_MEM_BITS);
        if (!kfx.mem)
            return -1;
    }
    memset(kfx.mem, 0xa5, 1ull << KFX_MEM_BITS); /* retype must zero what it hands out */
    memset(&kfx.t, 0, sizeof(kfx.t));
    memset(&kfx.ipc, 0, sizeof(kfx.ipc));
    struct kernel_boot_config cfg = {
        .root_cnode_radix = KFX_ROOT_RADIX,
        .n_regions = 2,
        .regions = {
            { (paddr_t)(uintptr_t)kfx.mem, 1ull << KFX_MEM_BITS, false },
            { KFX_DEV_BASE, 1ull << KFX_DEV_BITS, true },
        },
    };
    if (kernel_boot(&cfg, &kfx.t, &kfx.bi) != ERR_NONE)
        return -1;
    kfx.t.ipc_buffer = &kfx.ipc;
    memset(&hooks, 0, sizeof(hooks));
    return 0;
}

int kfx_teardown(void **state)
{
    (void)state;
    return 0; /* kfx.mem is reused by the next test and freed at exit */
}

__attribute__((destructor)) static void kfx_free(void) { free(kfx.mem); }

seL4_Error kfx_call(seL4_CPtr cap, seL4_Word label, const seL4_Word *w, unsigned nw,
                    const seL4_CPtr *caps, unsigned nc)
{
    struct kernel_thread *t = &kfx.t;
    for (unsigned i = 0; i < 8; i++)
        t->regs[i] = 0xdead0000 + i;
    t->regs[0] = cap;
    t->regs[1] = seL4_MessageInfo_new(label, 0, nc, nw).words[0];
    for (unsigned i = 0; i < nw; i++) {
        if (i < 4)
            t->regs[2 + i] = w[i];
        else
            kfx.ipc.msg[i] = w[i];
    }
    for (unsigned i = 0; i < nc; i++)
        kfx.ipc.caps_or_badges[i] = caps[i];
    kernel_handle_call(t);
    seL4_MessageInfo_t info = { { t->regs[1] } };
    return (seL4_Error)seL4_MessageInfo_get_label(info);
}

seL4_Word kfx_mr(unsigned i) { return i < 4 ? kfx.t.regs[2 + i] : kfx.ipc.msg[i]; }

unsigned kfx_reply_len(void)
{
    seL4_MessageInfo_t info = { { kfx.t.regs[1] } };
    return (unsigned)seL4_MessageInfo_get_length(info);
}

cte_t *kfx_slot(seL4_CPtr slot)
{
    cte_t *slots = cnode_slots_of(kfx.t.cspace_root.cap);
    return &slots[slot];
}

seL4_CPtr kfx_untyped(unsigned bits, bool device)
{
    for (seL4_Word s = kfx.bi.untyped.start; s < kfx.bi.untyped.end; s++) {
        const seL4_UntypedDesc *d = &kfx.bi.untypedList[s - kfx.bi.untyped.start];
        if (d->sizeBits >= bits && (bool)d->isDevice == device)
            return s;
    }
    return 0;
}

seL4_Error kfx_retype(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr dest, unsigned n)
{
    seL4_Word w[] = { type, size_bits, 0, 0, dest, n };
    seL4_CPtr c[] = { KFX_ROOT };
    return kfx_call(ut, UntypedRetype, w, 6, c, 1);
}

seL4_Error kfx_copy(seL4_CPtr dest, seL4_CPtr src, seL4_Word rights)
{
    seL4_Word w[] = { dest, 64, src, 64, rights };
    seL4_CPtr c[] = { KFX_ROOT };
    return kfx_call(KFX_ROOT, CNodeCopy, w, 5, c, 1);
}

seL4_Error kfx_mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word rights, seL4_Word badge)
{
    seL4_Word w[] = { dest, 64, src, 64, rights, badge };
    seL4_CPtr c[] = { KFX_ROOT };
    return kfx_call(KFX_ROOT, CNodeMint, w, 6, c, 1);
}

seL4_Error kfx_move(seL4_CPtr dest, seL4_CPtr src)
{
    seL4_Word w[] = { dest, 64, src, 64 };
    seL4_CPtr c[] = { KFX_ROOT };
    return kfx_call(KFX_ROOT, CNodeMove, w, 4, c, 1);
}

seL4_Error kfx_delete(seL4_CPtr slot)
{
    seL4_Word w[] = { slot, 64 };
    return kfx_call(KFX_ROOT, CNodeDelete, w, 2, NULL, 0);
}

seL4_Error kfx_revoke(seL4_CPtr slot)
{
    seL4_Word w[] = { slot, 64 };
    return kfx_call(KFX_ROOT, CNodeRevoke, w, 2, NULL, 0);
}

unsigned kfx_count_caps(void)
{
    unsigned n = 0;
    for (seL4_Word s = 0; s < (1u << KFX_ROOT_RADIX); s++)
        n += cap_get_capType(kfx_slot(s)->cap) != cap_null_cap;
    return n;
}
