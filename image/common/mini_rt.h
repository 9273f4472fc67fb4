/* The runtime pieces every isolated program of the image needs (the EL0 root task and the
 * EL1 guest): a printf subset over a character sink, and the memory functions GCC may
 * emit calls to. Compiled into each program's own object (each is linked alone and may
 * not call the kernel's code), so it has no state and no dependency. */
#ifndef IMAGE_COMMON_MINI_RT_H
#define IMAGE_COMMON_MINI_RT_H

#include <stdarg.h>
#include <stddef.h>

/* %s %c %d %i %u %x (with l, ll) %p %%; no widths or flags. */
void mini_vprintf(void (*put)(char), const char *fmt, va_list ap);

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

#endif
