/* The root task's small runtime (EL0): console output through seL4_DebugPutChar and the
 * memory functions GCC may emit calls to. Everything here is local to the root task. */
#ifndef IMAGE_ROOTTASK_RT_H
#define IMAGE_ROOTTASK_RT_H

#include <stddef.h>

#include <sel4/bootinfo.h>
#include <sel4/types.h>

/* printf subset: %s %c %d %i %u %x (with l, ll) %p %%, no widths or flags. */
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What a run does, by request (roottask.h), called by the entry in rt.c:
 * root_main.c: the kernel's objects; abi.c: the ABI tests and the probes. */
seL4_Word root_main(const seL4_BootInfo *bootinfo);
seL4_Word root_unmap_read(const seL4_BootInfo *bootinfo);
seL4_Word root_smmu_demo(const seL4_BootInfo *bootinfo); /* smmu_demo.c */
seL4_Word root_nested_demo(const seL4_BootInfo *bootinfo); /* nested_demo.c */
seL4_Word root_s1_demo(const seL4_BootInfo *bootinfo);     /* s1_demo.c */
seL4_Word root_modes_demo(const seL4_BootInfo *bootinfo);  /* modes_demo.c */
seL4_Word root_faults_eventq(const seL4_BootInfo *bootinfo, seL4_Word edu_sid); /* faults_demo.c */
seL4_Word root_faults_gerror(const seL4_BootInfo *bootinfo);
seL4_Word root_get_address_calls(seL4_Word n);
seL4_Word root_abi_tests(void);
seL4_Word root_probe(seL4_Word request, seL4_Word arg);

/* regs.S: invoke `dest` with `info` through a raw svc #0, with every register other than
 * x0..x5 set to a known pattern first; returns 0 if all of them (x6..x30, SP) came back
 * unchanged, else 1 + the number of the first register that changed (32 = SP). */
seL4_Word rt_call_preserves_regs(seL4_CPtr dest, seL4_Word info);


#endif
