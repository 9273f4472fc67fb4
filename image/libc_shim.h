/* The four functions GCC may call even in freestanding code (GCC manual, "Standards":
 * "GCC requires the freestanding environment provide memcpy, memmove, memset and
 * memcmp"). Only the image defines them; kernel code calls kmem* from lib/string.h. */
#ifndef IMAGE_LIBC_SHIM_H
#define IMAGE_LIBC_SHIM_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
