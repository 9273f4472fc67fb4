/* Shared by the root task's capability steps (root_main.c, smmu_demo.c): the slots and
 * untypeds a run uses, and the helpers that set them up. EL0 code only. */
#ifndef IMAGE_ROOTTASK_RT_CAPS_H
#define IMAGE_ROOTTASK_RT_CAPS_H

#include <stdbool.h>

#include <sel4/bootinfo.h>

#define DEPTH seL4_WordBits /* cptrs resolve at depth 64 in the root CNode */

/* An IPA for the device page: the edu's BAR0 identity mapped, in the first GiB, where the
 * root task's VSpace has no page table yet. */
#define EDU_ID_REG 0x00u        /* [31:16] version, [7:0] 0xed */
#define EDU_ID_MAGIC 0xedu
#define EDU_LIVENESS_REG 0x04u  /* reads back the bitwise inverse of what was written */

/* Slots the steps fill, from bi->empty.start on. */
enum { SLOT_FRAME, SLOT_COPY, SLOT_DEV_FRAME, SLOT_PT_L2, SLOT_PT_L3, SLOT_SCRATCH, SLOTS_USED };

struct ctx {
    const seL4_BootInfo *bi;
    seL4_CPtr ut;           /* a normal untyped of at least a page */
    seL4_Word ut_paddr, ut_size;
    seL4_CPtr dev_ut;       /* the first device untyped (an edu BAR0), 0 if none */
    seL4_Word dev_paddr;
    seL4_CPtr slot[SLOTS_USED];
};

/* Find a normal and a device untyped; revoke both and empty the step slots. */
bool step_setup(struct ctx *c);
/* Map the first device untyped's first page (edu0's BAR0) at its own address; its IPA,
 * or 0 on error. */
seL4_Word map_device_page(struct ctx *c);

#endif
