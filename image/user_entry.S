/* Entering EL0 and coming back (ARM DDI 0487, D1.10 "Exception entry", D1.11 "Exception
 * return"). user_enter(ctx) saves the kernel's callee-saved registers on the kernel stack,
 * points SP_EL2 at the thread's struct user_context, loads the thread's registers and
 * erets. While the thread runs, SP_EL2 = ctx: an exception from EL0 arrives at one of the
 * lower-EL vectors of boot.S (with SP_EL2 selected), which stores x0/x1 into the context
 * and branches here, to user_trap: the rest of the registers, SP_EL0, ELR_EL2 and
 * SPSR_EL2 go to the context, the kernel's stack and callee-saved registers come back,
 * and user_enter returns the vector index (8..15). The kernel stack and the thread's
 * stack never mix. */
#include "gpr_frame.h"
#include "user_ctx.h"

#define KERNEL_FRAME 96 /* x19..x30 */

    .text
    .global user_enter
    .type user_enter, %function
user_enter:
    sub     sp, sp, #KERNEL_FRAME
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    mov     x9, sp
    str     x9, [x0, #USER_CTX_KERNEL_SP]
    ldp     x9, x10, [x0, #USER_CTX_ELR]        /* ELR, SPSR */
    msr     elr_el2, x9
    msr     spsr_el2, x10
    ldr     x9, [x0, #USER_CTX_SP_EL0]
    msr     sp_el0, x9
    mov     sp, x0
    gpr_load_x2_x29
    ldr     x30, [sp, #240]
    ldp     x0, x1, [sp, #0]
    eret
    .size user_enter, . - user_enter

/* From the lower-EL vectors: x0 = vector index, the thread's x0/x1 already in ctx. */
    .global user_trap
    .type user_trap, %function
user_trap:
    gpr_store_x2_x29
    mrs     x1, sp_el0
    stp     x30, x1, [sp, #240]
    mrs     x1, elr_el2
    mrs     x2, spsr_el2
    stp     x1, x2, [sp, #USER_CTX_ELR]
    ldr     x1, [sp, #USER_CTX_KERNEL_SP]
    mov     sp, x1
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #KERNEL_FRAME
    ret
    .size user_trap, . - user_trap
