/* Host fixture of the kernel-core tests: boots the kernel on a heap region (plus a fake
 * device region never touched), invokes caps through the real syscall entry, and records
 * the SMMU hooks (kernel_stubs.c: weak stand-ins of src/object/). */
#ifndef TESTS_HOST_KERNEL_FIXTURE_H
#define TESTS_HOST_KERNEL_FIXTURE_H

#include <sel4/bootinfo.h>
#include <sel4/invocation.h>
#include <sel4/object_types.h>

#include "kernel/boot.h"
#include "kernel/cspace.h"
#include "kernel/kernel.h"
#include "kernel/syscall.h"
#include "kernel/vspace.h"
#include "plat/host/tlbi_host.h"

#define KFX_MEM_BITS 24u                  /* 16 MiB of normal memory, 16 MiB aligned */
#define KFX_DEV_BASE 0x400000000000ull    /* fake device memory: 4 GiB, never accessed */
#define KFX_DEV_BITS 32u
#define KFX_ROOT_RADIX 12u
#define KFX_ROOT seL4_CapInitThreadCNode  /* cptr of the root CNode */

struct kfx {
    void *mem;
    struct kernel_thread t;
    seL4_IPCBuffer ipc;
    seL4_BootInfo bi;
};
extern struct kfx kfx;

/* ---- recorded hook calls ---- */
struct hook_unmapped {
    struct vspace_obj *vs;
    uint64_t ipa, size;
    unsigned leaf_level;
    unsigned tlbi_calls; /* host_tlbi_log.n at the time of the call */
};
struct hook_log {
    unsigned unmapped_n;
    struct hook_unmapped unmapped[32];
    unsigned deleted_n;
    struct vspace_obj *deleted[8];
    uint16_t deleted_vmid[8];
    unsigned finalise_n;
    cap_t finalised[32];
    bool finalised_final[32];
    unsigned decode_n;
    seL4_Word decode_label;
    unsigned populate_n;
};
extern struct hook_log hooks;
/* Called from the smmu_vspace_unmapped stand-in, if set (to inspect state at that time). */
extern void (*hook_on_unmapped)(struct vspace_obj *vs, uint64_t ipa, uint64_t size, unsigned leaf);

int kfx_setup(void **state);    /* boot; reset logs */
int kfx_teardown(void **state);

/* One seL4_Call through kernel_handle_call: words as MRs (4 in registers, the rest in
 * the IPC buffer), caps as extra-cap cptrs. Returns the reply label (seL4_Error). */
seL4_Error kfx_call(seL4_CPtr cap, seL4_Word label, const seL4_Word *w, unsigned nw,
                    const seL4_CPtr *caps, unsigned nc);
seL4_Word kfx_mr(unsigned i);   /* reply MR i */
unsigned kfx_reply_len(void);

cte_t *kfx_slot(seL4_CPtr slot);  /* a slot of the root CNode */
/* The first untyped of at least 2^bits (normal or device). 0 if none. */
seL4_CPtr kfx_untyped(unsigned bits, bool device);
/* Retype into the root CNode at [dest, dest + n). */
seL4_Error kfx_retype(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr dest, unsigned n);
/* CNode ops on the root CNode at depth 64 (cptr == slot). */
seL4_Error kfx_copy(seL4_CPtr dest, seL4_CPtr src, seL4_Word rights);
seL4_Error kfx_mint(seL4_CPtr dest, seL4_CPtr src, seL4_Word rights, seL4_Word badge);
seL4_Error kfx_move(seL4_CPtr dest, seL4_CPtr src);
seL4_Error kfx_delete(seL4_CPtr slot);
seL4_Error kfx_revoke(seL4_CPtr slot);
/* Count occupied slots of the root CNode. */
unsigned kfx_count_caps(void);

#endif
