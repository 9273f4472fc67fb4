/* The guest's entry and its EL1 exception vectors (ARM DDI 0487, D1.10.2).
 *
 * The VMM enters guest_entry at EL1h with SP_EL1 = GUEST_STACK_TOP, DAIF masked, the MMU
 * off, x0..x4 = request, VM index, flags, argument, ASID (guest_abi.h). guest_main's
 * result goes back with the EXIT hypercall.
 *
 * Exceptions at EL1: the only expected ones are aborts on the two probe instructions
 * (guest_probe_read/_write), which the guest uses to touch an address that may not be
 * mapped (its own stage 1 faults here directly; a stage-2 fault reaches the VMM, which may
 * inject a synchronous external abort, arriving here too). The handler skips the probe
 * instruction and returns x0 = ESR_EL1, x1 = 1. Anything else ends the VM with
 * GUEST_HVC_EXIT(GUEST_RESULT_EXCEPTION | vector, ESR_EL1, ELR_EL1, FAR_EL1). */

#define HVC_EXIT 3 /* GUEST_HVC_EXIT, checked in grt.c */

    .section .text.guest_entry, "ax"
    .global guest_entry
    .type guest_entry, %function
guest_entry:
    adrp    x9, guest_vectors
    add     x9, x9, :lo12:guest_vectors
    msr     vbar_el1, x9
    isb
    bl      guest_main
    mov     x1, x0
    mov     x0, #HVC_EXIT
    mov     x2, xzr
    mov     x3, xzr
    mov     x4, xzr
    hvc     #0
1:  b       1b                      /* never resumed */
    .size guest_entry, . - guest_entry

/* struct guest_probe guest_probe_read(uint64_t addr): x0 = *(uint64_t *)addr, x1 = 0; or
 * after an abort x0 = ESR_EL1, x1 = 1. */
    .global guest_probe_read
    .type guest_probe_read, %function
guest_probe_read:
    mov     x1, #0
guest_probe_ld:
    ldr     x0, [x0]
    ret
    .size guest_probe_read, . - guest_probe_read

/* struct guest_probe guest_probe_write(uint64_t addr, uint64_t value): x1 = 0; or after an
 * abort x0 = ESR_EL1, x1 = 1. */
    .global guest_probe_write
    .type guest_probe_write, %function
guest_probe_write:
    mov     x2, x1
    mov     x1, #0
guest_probe_st:
    str     x2, [x0]
    ret
    .size guest_probe_write, . - guest_probe_write

    .macro  unexpected n
    .balign 0x80
    mov     x9, #\n
    b       guest_unexpected
    .endm

    .balign 2048
guest_vectors:
    unexpected 0    /* current EL, SP_EL0 */
    unexpected 1
    unexpected 2
    unexpected 3
    .balign 0x80    /* current EL, SP_EL1: synchronous */
    b       guest_sync
    unexpected 5
    unexpected 6
    unexpected 7
    unexpected 8    /* lower EL: the guest has no EL0 */
    unexpected 9
    unexpected 10
    unexpected 11
    unexpected 12
    unexpected 13
    unexpected 14
    unexpected 15

guest_sync:
    mrs     x0, elr_el1
    adr     x1, guest_probe_ld
    cmp     x0, x1
    b.eq    1f
    adr     x1, guest_probe_st
    cmp     x0, x1
    b.eq    1f
    mov     x9, #4
    b       guest_unexpected
1:  add     x0, x0, #4
    msr     elr_el1, x0
    mrs     x0, esr_el1
    mov     x1, #1
    eret

guest_unexpected:
    mov     x1, #0xe0000000         /* GUEST_RESULT_EXCEPTION */
    orr     x1, x1, x9
    mrs     x2, esr_el1
    mrs     x3, elr_el1
    mrs     x4, far_el1
    mov     x0, #HVC_EXIT
    hvc     #0
2:  b       2b
