#include "mini_rt.h"

#include <stdint.h>

static void put_str(void (*put)(char), const char *s)
{
    while (s && *s)
        put(*s++);
}

static void put_num(void (*put)(char), unsigned long long v, unsigned base)
{
    char buf[24];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0 && n < sizeof(buf));
    while (n > 0)
        put(buf[--n]);
}

void mini_vprintf(void (*put)(char), const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(*p);
            continue;
        }
        p++;
        unsigned longs = 0;
        while (*p == 'l' && longs < 2) {
            longs++;
            p++;
        }
        switch (*p) {
        case 's':
            put_str(put, va_arg(ap, const char *));
            break;
        case 'c':
            put((char)va_arg(ap, int));
            break;
        case 'd':
        case 'i': {
            long long v = longs == 0 ? va_arg(ap, int) : longs == 1 ? va_arg(ap, long) : va_arg(ap, long long);
            if (v < 0)
                put('-');
            put_num(put, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10u);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs == 0   ? va_arg(ap, unsigned)
                                   : longs == 1 ? va_arg(ap, unsigned long)
                                                : va_arg(ap, unsigned long long);
            put_num(put, v, *p == 'u' ? 10u : 16u);
            break;
        }
        case 'p':
            put_str(put, "0x");
            put_num(put, (uintptr_t)va_arg(ap, void *), 16u);
            break;
        case '%':
            put('%');
            break;
        case '\0':
            p--; /* a lone '%' at the end: stop at the terminator */
            break;
        default:
            put('%');
            put(*p);
            break;
        }
    }
}

/* Compiled with -fno-tree-loop-distribute-patterns: these loops must not become calls to
 * themselves. */
void *memset(void *dst, int c, size_t n)
{
    volatile unsigned char *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    volatile unsigned char *d = dst;
    const volatile unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}
