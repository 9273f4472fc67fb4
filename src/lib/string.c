#include "string.h"

#include <stdint.h>

void *kmemset(void *dst, int c, size_t n)
{
    /* volatile: keep GCC from turning these loops into a call to memset(). Whole aligned
     * 64-bit words where possible: pages are zeroed on every table allocation. */
    volatile unsigned char *d = dst;
    size_t i = 0;
    for (; i < n && ((uintptr_t)(d + i) & 7u) != 0; i++)
        d[i] = (unsigned char)c;
    uint64_t word = (uint64_t)(unsigned char)c * 0x0101010101010101ULL;
    volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)(d + i);
    size_t words = (n - i) / 8;
    for (size_t k = 0; k < words; k++)
        w[k] = word;
    for (i += words * 8; i < n; i++)
        d[i] = (unsigned char)c;
    return dst;
}

void *kmemcpy(void *dst, const void *src, size_t n)
{
    volatile unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}

int kmemcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t kstrlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
