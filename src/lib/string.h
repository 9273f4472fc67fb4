/* Freestanding memory helpers (no libc in kernel code). The image also exports
 * memset/memcpy built on these, since GCC may emit calls to them. */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *kmemset(void *dst, int c, size_t n);
void *kmemcpy(void *dst, const void *src, size_t n);
int kmemcmp(const void *a, const void *b, size_t n);
size_t kstrlen(const char *s);

#endif
