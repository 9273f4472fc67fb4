/* rt_call_preserves_regs(dest, info): the ABI promises that seL4_Call changes only x0..x5
 * (<sel4/abi.h>). Load a distinct pattern into x6..x30, invoke `dest` with a raw svc #0,
 * then compare each register and SP. Returns 0, or 1 + the first register number that
 * changed (SP counts as 31), or 33 if the reply's label (x1[63:12]) is not 0. EL0 code. */

#define PATTERN(n) (0x5eed00005eed0000 + (n))

    .text
    .global rt_call_preserves_regs
    .type rt_call_preserves_regs, %function
rt_call_preserves_regs:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    adrp    x2, saved_sp
    mov     x3, sp
    str     x3, [x2, :lo12:saved_sp]
    mov     x2, #0
    mov     x3, #0
    mov     x4, #0
    mov     x5, #0
    .irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    ldr     x\n, =PATTERN(\n)
    .endr
    svc     #0
    lsr     x1, x1, #12             /* reply label */
    cbz     x1, 1f
    mov     x1, #33
    b       9f
1:
    .irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
    ldr     x0, =PATTERN(\n)
    mov     x1, #(\n + 1)
    cmp     x\n, x0
    b.ne    9f
    .endr
    adrp    x0, saved_sp
    ldr     x0, [x0, :lo12:saved_sp]
    mov     x2, sp
    mov     x1, #32
    cmp     x0, x2
    b.ne    9f
    mov     x1, #0
9:
    mov     x0, x1
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
    .size rt_call_preserves_regs, . - rt_call_preserves_regs
    .ltorg

    .bss
    .balign 8
saved_sp:
    .skip 8
