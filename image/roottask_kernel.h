/* The kernel side of the root task (image/roottask/): the pages it is made of, its VSpace,
 * the kernel's boot for it, and a fresh thread for each run.
 *
 * Two VSpaces, one layout (each root-task region identity mapped with its rights):
 *  - plain: a stage-2 table from the image pool, for the scenarios that test the
 *    mechanism (traps, isolation) without the capability kernel;
 *  - kernel: a VSpace object of the kernel core (vspace_create), whose cap is in the root
 *    CNode's seL4_CapInitThreadVSpace slot, with frame caps for the IPC buffer
 *    (seL4_CapInitThreadIPCBuffer) and the boot info (seL4_CapBootInfoFrame): seL4's
 *    create_it_address_space, reduced. */
#ifndef IMAGE_ROOTTASK_KERNEL_H
#define IMAGE_ROOTTASK_KERNEL_H

#include <sel4/bootinfo.h>

#include "image.h"
#include "kernel/syscall.h"
#include "user.h"

/* VMID of the plain VSpace: above the kernel's VSpace VMIDs (KERNEL_VMID_BASE + 0..63). */
#define ROOTTASK_PLAIN_VMID 200u
/* Normal memory handed to the kernel as untyped (from the image pool; 4 MiB aligned). */
#define ROOTTASK_KERNEL_MEM_PAGES 1024u
/* Normal memory above 4 GiB handed to the kernel as untyped when RAM reaches it (QEMU -m 4G):
 * where the VMM (image/vm.c) takes VM memory from. */
#define ROOTTASK_VM_MEM_BASE 0x100000000ULL
#define ROOTTASK_VM_MEM_SIZE (16ULL << 20)
#define ROOTTASK_ROOT_CNODE_RADIX 12u

extern char __roottask_text_start[], __roottask_text_end[];
extern char __roottask_rodata_start[], __roottask_rodata_end[];
extern char __roottask_bss_start[], __roottask_bss_end[];
extern char __roottask_guard[], __roottask_stack_bottom[], __roottask_stack_top[];
extern char __roottask_ipcbuf[], __roottask_bootinfo[], __roottask_end[];

/* Build the plain VSpace from the pool; print its layout. pt_destroy() frees it. */
bool roottask_plain_vspace(struct image_ctx *ctx, struct pt *vs);

struct roottask_kernel {
    bool booted;
    struct kernel_thread thread; /* the root task as the kernel sees it: its CSpace root */
    seL4_BootInfo bi;            /* copied into the root task's boot-info page at each start */
    struct vspace_obj *vspace;   /* its VSpace object */
};

/* Boot the kernel once per image boot: untyped memory from the pool and the edu BAR0s as
 * device untyped, the root CNode (kernel_boot), then the root task's VSpace object and its
 * frame caps. NULL (after printing why) if any step fails. */
struct roottask_kernel *roottask_kernel_get(struct image_ctx *ctx);

/* A fresh root task run: .bss, stack, IPC buffer and boot info zeroed (boot info then
 * filled from `bi` if given), entry registers of <sel4/abi.h>, VSpace `vs` tagged `vmid`,
 * HCR_EL2 `hcr`. */
void roottask_thread(struct user_thread *t, const struct pt *vs, uint16_t vmid, uint64_t hcr,
                     seL4_Word request, seL4_Word arg, const seL4_BootInfo *bi);

#endif
