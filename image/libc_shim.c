/* Compiled with -fno-tree-loop-distribute-patterns (image/CMakeLists.txt) so that GCC
 * does not turn these loops back into calls to themselves. With the MMU off all memory
 * is Device memory: word accesses only when both sides are 8-byte aligned. */
#include "libc_shim.h"

#include <stdint.h>

/* A word type that may alias any object (GCC may_alias attribute). */
typedef uint64_t __attribute__((may_alias)) word_t;

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    uint64_t pat = (unsigned char)c;
    pat |= pat << 8;
    pat |= pat << 16;
    pat |= pat << 32;
    while (n > 0 && ((uintptr_t)d & 7u) != 0) {
        *d++ = (unsigned char)c;
        n--;
    }
    for (; n >= 8; n -= 8, d += 8)
        *(word_t *)(void *)d = pat;
    for (; n > 0; n--)
        *d++ = (unsigned char)c;
    return dst;
}

static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    if ((((uintptr_t)d | (uintptr_t)s) & 7u) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(word_t *)(void *)d = *(const word_t *)(const void *)s;
    }
    for (; n > 0; n--)
        *d++ = *s++;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n) {
        copy_forward(d, s, n);
        return dst;
    }
    /* Overlap with dst above src: copy backwards, bytewise. */
    while (n > 0) {
        n--;
        d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}
