#include "string.h"

#include <stdint.h>

void *kmemset(void *dst, int c, size_t n)
{
    volatile unsigned char *d = dst; /* volatile: keep GCC from turning this into memset() */
    for (size_t i = 0; i < n; i++)
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
