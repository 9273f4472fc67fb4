/* The guest's runtime: hypercalls, console output through GUEST_HVC_PUTC, the counter,
 * and the memory functions GCC may emit calls to. */
#include <stdarg.h>

#include "common/mini_rt.h"
#include "guest.h"

_Static_assert(GUEST_HVC_EXIT == 3, "HVC_EXIT in guest_entry.S");

struct hvc_ret guest_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    register uint64_t x4 __asm__("x4") = a4;
    /* The VMM saves and restores every register; x0..x4 carry the reply. */
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4) : : "memory");
    return (struct hvc_ret){ x0, x1, x2, x3, x4 };
}

void guest_yield(uint64_t value) { (void)guest_hvc(GUEST_HVC_YIELD, value, 0, 0, 0); }

uint64_t guest_smc(uint64_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = 0;
    register uint64_t x2 __asm__("x2") = 0;
    register uint64_t x3 __asm__("x3") = 0;
    __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

uint64_t guest_counter(void)
{
    uint64_t v;
    __asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

uint64_t guest_counter_hz(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}

/* ---- console -------------------------------------------------------------------------- */
static void putc_hvc(char c) { (void)guest_hvc(GUEST_HVC_PUTC, (uint8_t)c, 0, 0, 0); }

void gprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mini_vprintf(putc_hvc, fmt, ap);
    va_end(ap);
}
