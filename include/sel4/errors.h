/* seL4 error codes, with seL4's numeric values (libsel4 include/sel4/errors.h), so that
 * user code and the object code can be carried into seL4 unchanged. */
#ifndef SEL4_ERRORS_H
#define SEL4_ERRORS_H

typedef enum {
    seL4_NoError = 0,
    seL4_InvalidArgument = 1,
    seL4_InvalidCapability = 2,
    seL4_IllegalOperation = 3,
    seL4_RangeError = 4,
    seL4_AlignmentError = 5,
    seL4_FailedLookup = 6,
    seL4_TruncatedMessage = 7,
    seL4_DeleteFirst = 8,
    seL4_RevokeFirst = 9,
    seL4_NotEnoughMemory = 10,
    seL4_NumErrors
} seL4_Error;

#endif
