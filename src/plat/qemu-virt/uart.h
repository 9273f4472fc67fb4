/* PL011 console and a small freestanding printf for the QEMU virt image. */
#ifndef PLAT_QEMU_UART_H
#define PLAT_QEMU_UART_H

#include <stdarg.h>

#include "../../lib/types.h"

/* QEMU virt's PL011 (hw/arm/virt.c memmap VIRT_UART). Used only until the DTB has been
 * read, so that a malformed DTB can still be reported; uart_init() then switches to the
 * address the DTB gives. */
#define QEMU_VIRT_EARLY_UART_BASE 0x09000000u

/* Select and enable the PL011 at `base` (physical, identity mapped). */
void uart_init(uintptr_t base);
uintptr_t uart_base(void);
void uart_putc(char c);
void uart_puts(const char *s);

/* printf subset: %s %c %d %i %u %x %X %p %%, length modifiers l and ll, a field width,
 * '0' padding and '-' left alignment. Unknown conversions are printed verbatim. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

#endif
