/* Entry of the bare-metal image on QEMU virt (-M virt,virtualization=on -kernel x.elf):
 * QEMU starts the ELF entry point at EL2 with the MMU off and, for an ELF image, x0 = 0
 * (the DTB sits at the start of RAM instead; see platform.c). We keep the MMU off, so
 * every store here is an aligned store to Device memory. */

#include "gpr_frame.h"
#include "user_ctx.h"

    .section .text.boot, "ax"
    .global _start
    .type _start, %function
_start:
    mov     x19, x0                 /* DTB pointer as the loader gave it (may be 0) */
    msr     daifset, #0xf           /* no interrupts, SError, debug exceptions */

    /* Stack first: everything below may call C. */
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1

    /* Clear .bss (16-byte aligned bounds from linker.ld). */
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:
    mrs     x1, CurrentEL
    ubfx    x1, x1, #2, #2
    cmp     x1, #2
    b.ne    3f

    /* EL2: install the vector table before anything can fault. */
    adrp    x1, el2_vectors
    add     x1, x1, :lo12:el2_vectors
    msr     vbar_el2, x1
    isb

    mov     x0, x19
    bl      image_main
    bl      psci_system_off         /* image_main should not return; never returns */

3:  /* Not at EL2: report and stop (boot_wrong_el does not return). */
    mov     x0, x1
    bl      boot_wrong_el
4:  wfi
    b       4b
    .size _start, . - _start

/* EL2 vector table (ARM DDI 0487, D1.10.2 "Exception vectors"): 16 entries of 0x80
 * bytes. An exception taken at EL2 itself (a kernel bug) saves x0/x1 in thread-ID
 * registers nobody else uses, so that the common code can switch to a dedicated exception
 * stack whatever SP was, then calls image_exception(frame, kind), which reports and
 * powers off. */
    .macro  vector kind
    .balign 0x80
    msr     tpidr_el2, x0
    msr     tpidr_el1, x1
    mov     x1, #\kind
    b       exc_common
    .endm

/* An IRQ taken at EL2 itself: only inside the kernel's wait (src/plat/qemu-virt/irq.c
 * unmasks PSTATE.I around a wfi), on the kernel stack. el2_irq saves what a C call may
 * clobber, handles every pending interrupt and returns to the interrupted code. */
    .macro  irq_vector
    .balign 0x80
    b       el2_irq
    .endm

/* Exceptions from a lower EL (a user thread at EL0; image/user_entry.S): SP_EL2 points at
 * the running thread's struct user_context, so x0/x1 go straight into it and user_trap
 * saves the rest and returns to the kernel's user_enter caller. */
    .macro  user_vector kind
    .balign 0x80
    stp     x0, x1, [sp, #USER_CTX_X0]
    mov     x0, #\kind
    b       user_trap
    .endm

    .section .vectors, "ax"
    .balign 2048
    .global el2_vectors
el2_vectors:
    vector  0       /* current EL, SP_EL0: synchronous */
    vector  1       /*                      IRQ */
    vector  2       /*                      FIQ */
    vector  3       /*                      SError */
    vector  4       /* current EL, SP_ELx: synchronous */
    irq_vector      /*                      IRQ (the kernel's wait) */
    vector  6
    vector  7
    user_vector 8   /* lower EL, AArch64: synchronous (SVC, aborts, traps) */
    user_vector 9   /*                    IRQ */
    user_vector 10  /*                    FIQ */
    user_vector 11  /*                    SError */
    user_vector 12  /* lower EL, AArch32 (never entered: threads are AArch64) */
    user_vector 13
    user_vector 14
    user_vector 15

/* x0..x18, x29, x30, ELR_EL2, SPSR_EL2: 23 words, rounded to keep SP 16-byte aligned. */
#define IRQ_FRAME_SIZE (24 * 8)

    .text
el2_irq:
    sub     sp, sp, #IRQ_FRAME_SIZE
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    mrs     x0, elr_el2
    mrs     x1, spsr_el2
    stp     x30, x0, [sp, #160]
    str     x1, [sp, #176]
    bl      plat_irq_handle_pending
    ldr     x1, [sp, #176]
    ldp     x30, x0, [sp, #160]
    msr     elr_el2, x0
    msr     spsr_el2, x1
    ldp     x18, x29, [sp, #144]
    ldp     x16, x17, [sp, #128]
    ldp     x14, x15, [sp, #112]
    ldp     x12, x13, [sp, #96]
    ldp     x10, x11, [sp, #80]
    ldp     x8, x9, [sp, #64]
    ldp     x6, x7, [sp, #48]
    ldp     x4, x5, [sp, #32]
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #IRQ_FRAME_SIZE
    eret

/* Frame layout (struct exc_frame in exc.h): x0..x30 at 8*n, then the interrupted SP. */
#define EXC_FRAME_SIZE (32 * 8)

    .text
exc_common:
    mov     x0, sp
    msr     tpidr_el0, x0           /* interrupted SP */
    adrp    x0, __exc_stack_top
    add     x0, x0, :lo12:__exc_stack_top
    mov     sp, x0
    sub     sp, sp, #EXC_FRAME_SIZE
    gpr_store_x2_x29
    mrs     x2, tpidr_el0
    stp     x30, x2, [sp, #240]
    mrs     x2, tpidr_el2           /* original x0 */
    mrs     x3, tpidr_el1           /* original x1 */
    stp     x2, x3, [sp, #0]
    mov     x0, sp
    bl      image_exception         /* does not return */
5:  wfi
    b       5b
