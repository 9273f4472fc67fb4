/* Shared by the root task's capability steps (root_main.c, smmu_demo.c): the slots and
 * untypeds a run uses, and the helpers that set them up. EL0 code only. */
#ifndef IMAGE_ROOTTASK_RT_CAPS_H
#define IMAGE_ROOTTASK_RT_CAPS_H

#include <stdbool.h>
#include <stdint.h>

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

/* edu's DMA engine (QEMU docs/specs/edu.rst): source, destination, count, command; the
 * device-side buffer is at EDU_BUF. A transfer takes 100 ms of virtual time. */
#define EDU_DMA_SRC 0x80u
#define EDU_DMA_DST 0x88u
#define EDU_DMA_COUNT 0x90u
#define EDU_DMA_CMD 0x98u
#define EDU_CMD_START 1u
#define EDU_CMD_TO_RAM 2u
#define EDU_BUF 0x40000u
#define EDU_POLL_LIMIT 200000000u

/* Start a transfer (to_ram: device buffer -> bus address `dst`); wait for it (bounded);
 * or both. */
void rt_edu_start(volatile uint64_t *edu, uint64_t src, uint64_t dst, uint32_t count, bool to_ram);
bool rt_edu_wait(volatile uint64_t *edu);
bool rt_edu_dma(volatile uint64_t *edu, uint64_t src, uint64_t dst, uint32_t count, bool to_ram);

/* Test patterns: fill [va, va+n) with the pattern of `seed`; check it is there. */
void rt_fill(uint64_t va, uint32_t n, uint8_t seed);
bool rt_holds(uint64_t va, uint32_t n, uint8_t seed);

/* Retype one object into `dest` from the first normal untyped with room. */
bool rt_retype(const seL4_BootInfo *bi, seL4_Word type, seL4_CPtr dest);
/* Map `frame` read/write at `va` in `vspace` (a VSpace or an IO space); where a level is
 * missing, retype a page table into pt_slots[*next_pt] (up to npt of them) and map it
 * first. */
bool rt_map_in(const seL4_BootInfo *bi, seL4_CPtr vspace, seL4_CPtr frame, uint64_t va, seL4_Word attr,
               const seL4_CPtr *pt_slots, unsigned npt, unsigned *next_pt);
/* The same in the root task's own VSpace. */
bool rt_map(const seL4_BootInfo *bi, seL4_CPtr frame, uint64_t va, const seL4_CPtr *pt_slots, unsigned npt,
            unsigned *next_pt);

/* Find a normal and a device untyped; revoke both and empty the step slots. */
bool step_setup(struct ctx *c);
/* Map the first device untyped's first page (edu0's BAR0) at its own address; its IPA,
 * or 0 on error. */
seL4_Word map_device_page(struct ctx *c);

#endif
