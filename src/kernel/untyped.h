/* Untyped memory: seL4_Untyped_Retype. Internal to src/kernel. */
#ifndef KERNEL_UNTYPED_H
#define KERNEL_UNTYPED_H

#include "kernel.h"

/* seL4 decodeUntypedInvocation + invokeUntyped_Retype. */
struct syscall_error decode_untyped_invocation(struct invocation *inv);

/* Size (log2 bytes) of an object of `type` (seL4_ObjectType numbering) with the user's
 * size_bits; 0 for types this kernel does not provide. */
unsigned object_size_bits(seL4_Word type, seL4_Word size_bits);

#endif
