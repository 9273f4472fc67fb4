#include "root_objects.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sel4/object_types.h>
#include <sel4/stubs.h>

#define ROOT seL4_CapInitThreadCNode

void ro_init(struct root_objects *ro, const seL4_BootInfo *bi)
{
    ro->bi = bi;
    ro->next_slot = bi->empty.start;
}

seL4_CPtr ro_slot(struct root_objects *ro) { return ro->next_slot++; }

seL4_CPtr ro_retype(struct root_objects *ro, seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr dest = ro_slot(ro);
    for (seL4_Word ut = ro->bi->untyped.start; ut < ro->bi->untyped.end; ut++)
        if (seL4_Untyped_Retype(ut, type, size_bits, ROOT, 0, 0, dest, 1) == seL4_NoError)
            return dest;
    fail_msg("no untyped could hold object type %lu", (unsigned long)type);
    return 0;
}

seL4_CPtr ro_map_frame(struct root_objects *ro, seL4_CPtr vs, seL4_Word va, seL4_CapRights_t rights)
{
    seL4_CPtr frame = ro_retype(ro, seL4_ARM_SmallPageObject, 0);
    for (int i = 0; i < 3; i++) {
        seL4_Error e = seL4_ARM_Page_Map(frame, vs, va, rights, seL4_ARM_Default_VMAttributes);
        if (e == seL4_NoError)
            return frame;
        assert_int_equal(e, seL4_FailedLookup); /* a level is missing: give it a table */
        seL4_CPtr pt = ro_retype(ro, seL4_ARM_PageTableObject, 0);
        assert_int_equal(seL4_ARM_PageTable_Map(pt, vs, va, seL4_ARM_Default_VMAttributes), seL4_NoError);
    }
    fail_msg("could not map a frame at 0x%lx", (unsigned long)va);
    return 0;
}
