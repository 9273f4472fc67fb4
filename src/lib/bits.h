/* Bit-field helpers in the spec's notation: GENMASK(hi, lo), FIELD_PREP, FIELD_GET.
 * Every hardware field in the project is named once with these. */
#ifndef LIB_BITS_H
#define LIB_BITS_H

#include <stdint.h>

#define BIT(n) (1ULL << (n))
/* Mask of bits hi..lo inclusive (64-bit); hi and lo are compile-time constants. */
#define GENMASK(hi, lo) (((~0ULL) >> (63 - (hi))) & ~((1ULL << (lo)) - 1ULL))

/* Position of the lowest set bit of a constant mask. */
#define MASK_SHIFT(mask) ((unsigned)__builtin_ctzll(mask))

/* Place `val` into the field described by `mask`. Values wider than the field are
 * truncated; callers validate ranges before building descriptors. */
#define FIELD_PREP(mask, val) ((((uint64_t)(val)) << MASK_SHIFT(mask)) & (mask))
#define FIELD_GET(mask, reg) ((((uint64_t)(reg)) & (mask)) >> MASK_SHIFT(mask))
/* True if `val` fits the field without truncation. */
#define FIELD_FITS(mask, val) ((((uint64_t)(val)) & ~((mask) >> MASK_SHIFT(mask))) == 0)

#define IS_ALIGNED(x, a) ((((uint64_t)(x)) & ((uint64_t)(a) - 1)) == 0)
#define ALIGN_DOWN(x, a) (((uint64_t)(x)) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a) ALIGN_DOWN((uint64_t)(x) + (uint64_t)(a) - 1, a)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(GENMASK(7, 0) == 0xffULL, "GENMASK low byte");
_Static_assert(GENMASK(63, 32) == 0xffffffff00000000ULL, "GENMASK top word");
_Static_assert(GENMASK(63, 0) == ~0ULL, "GENMASK full");
_Static_assert(FIELD_PREP(GENMASK(47, 32), 0x1234) == 0x123400000000ULL, "FIELD_PREP");

#endif
