/* Test helpers that act as a root task over the generated stubs: take free slots of the
 * root CNode, retype objects from the boot info's untypeds, map frames with the page
 * tables they need. Shared by the tests that boot the kernel on the host. */
#ifndef TESTS_ROOT_OBJECTS_H
#define TESTS_ROOT_OBJECTS_H

#include <sel4/bootinfo.h>

struct root_objects {
    const seL4_BootInfo *bi;
    seL4_Word next_slot; /* the next free slot of the root CNode */
};

void ro_init(struct root_objects *ro, const seL4_BootInfo *bi);
seL4_CPtr ro_slot(struct root_objects *ro);
/* One object of `type` from the first untyped with room (fails the test if none has). */
seL4_CPtr ro_retype(struct root_objects *ro, seL4_Word type, seL4_Word size_bits);
/* A 4K frame mapped at `va` in `vs` with `rights`, adding page tables where a level is
 * missing (fails the test otherwise). */
seL4_CPtr ro_map_frame(struct root_objects *ro, seL4_CPtr vs, seL4_Word va, seL4_CapRights_t rights);

#endif
