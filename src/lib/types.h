/* Address types: a physical address, an intermediate physical address (stage-2 input),
 * and an I/O virtual address (what a device emits) are distinct in the code even though
 * they are all 64-bit numbers. */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;
typedef uint64_t ipa_t;
typedef uint64_t iova_t;

#define PAGE_SHIFT 12u
#define PAGE_SIZE (1ULL << PAGE_SHIFT)
#define SIZE_2M (1ULL << 21)
#define SIZE_1G (1ULL << 30)

#endif
