/* The root task's entry and runtime (EL0). The kernel starts it at roottask_entry with
 * SP_EL0 at the top of its own stack and the registers of <sel4/abi.h>. */
#include "rt.h"

#include <stdarg.h>
#include <stdint.h>

#include <sel4/syscall.h>

#include "roottask.h"

_Noreturn void roottask_entry(const seL4_BootInfo *bootinfo, seL4_IPCBuffer *ipc,
                              seL4_Word request, seL4_Word arg);

_Noreturn void roottask_entry(const seL4_BootInfo *bootinfo, seL4_IPCBuffer *ipc,
                              seL4_Word request, seL4_Word arg)
{
    seL4_SetIPCBuffer(ipc);
    seL4_Word result;
    if (request == RT_REQ_MAIN)
        result = root_main(bootinfo);
    else if (request == RT_REQ_NESTED)
        result = root_nested_demo(bootinfo);
    else if (request == RT_REQ_FAULTS_EVENTQ)
        result = root_faults_eventq(bootinfo, arg);
    else if (request == RT_REQ_FAULTS_GERROR)
        result = root_faults_gerror(bootinfo);
    else if (request == RT_REQ_SMMU)
        result = root_smmu_demo(bootinfo);
    else if (request == RT_REQ_UNMAP_READ)
        result = root_unmap_read(bootinfo);
    else if (request == RT_REQ_GET_ADDRESS)
        result = root_get_address_calls(arg);
    else if (request == RT_REQ_ABI)
        result = root_abi_tests();
    else
        result = root_probe(request, arg);
    seL4_DebugExit(result);
}

/* ---- console ------------------------------------------------------------------------ */
static void put_str(const char *s)
{
    while (*s)
        seL4_DebugPutChar(*s++);
}

static void put_num(unsigned long long v, unsigned base)
{
    char buf[24];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0 && n < sizeof(buf));
    while (n > 0)
        seL4_DebugPutChar(buf[--n]);
}

void rt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            seL4_DebugPutChar(*p);
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
            put_str(va_arg(ap, const char *));
            break;
        case 'c':
            seL4_DebugPutChar((char)va_arg(ap, int));
            break;
        case 'd':
        case 'i': {
            long long v = longs == 0 ? va_arg(ap, int) : longs == 1 ? va_arg(ap, long)
                                                                    : va_arg(ap, long long);
            if (v < 0)
                seL4_DebugPutChar('-');
            put_num(v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, 10u);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs == 0   ? va_arg(ap, unsigned)
                                   : longs == 1 ? va_arg(ap, unsigned long)
                                                : va_arg(ap, unsigned long long);
            put_num(v, *p == 'u' ? 10u : 16u);
            break;
        }
        case 'p':
            put_str("0x");
            put_num((uintptr_t)va_arg(ap, void *), 16u);
            break;
        case '%':
            seL4_DebugPutChar('%');
            break;
        case '\0':
            p--; /* a lone '%' at the end: stop at the terminator */
            break;
        default:
            seL4_DebugPutChar('%');
            seL4_DebugPutChar(*p);
            break;
        }
    }
    va_end(ap);
}

/* ---- what GCC may call (compiled with -fno-tree-loop-distribute-patterns) -------------- */
void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}
