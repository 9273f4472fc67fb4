/* PL011 UART (ARM DDI 0183, PrimeCell UART PL011 TRM, 3.2 "Summary of registers"). QEMU
 * ignores the baud-rate divisors, so only the enables and the line format are set. */
#include "uart.h"

#include "../../lib/bits.h"
#include "../plat.h"

#define UART_DR 0x000u
#define UART_FR 0x018u
#define UART_IBRD 0x024u
#define UART_FBRD 0x028u
#define UART_LCR_H 0x02cu
#define UART_CR 0x030u
#define UART_IMSC 0x038u

#define UART_FR_TXFF BIT(5) /* transmit FIFO full */
#define UART_FR_BUSY BIT(3)
#define UART_LCR_H_FEN BIT(4)
#define UART_LCR_H_WLEN_8 GENMASK(6, 5)
#define UART_CR_UARTEN BIT(0)
#define UART_CR_TXE BIT(8)
#define UART_CR_RXE BIT(9)

/* Bound on FIFO-full polls per character: if the FIFO never drains the character is
 * dropped rather than hanging the image (QEMU's FIFO never stays full). */
#define UART_TX_SPIN_LIMIT 1000000u

static uintptr_t uart_regs = QEMU_VIRT_EARLY_UART_BASE;

void uart_init(uintptr_t base)
{
    uart_regs = base;
    plat_mmio_write32(base + UART_CR, 0);
    plat_mmio_write32(base + UART_IMSC, 0);
    /* 115200 baud from a 24 MHz clock (TRM 3.3.6): meaningless to QEMU, kept correct. */
    plat_mmio_write32(base + UART_IBRD, 13);
    plat_mmio_write32(base + UART_FBRD, 1);
    plat_mmio_write32(base + UART_LCR_H, (uint32_t)(UART_LCR_H_WLEN_8 | UART_LCR_H_FEN));
    plat_mmio_write32(base + UART_CR, (uint32_t)(UART_CR_UARTEN | UART_CR_TXE | UART_CR_RXE));
}

uintptr_t uart_base(void) { return uart_regs; }

void uart_putc(char c)
{
    if (c == '\n')
        uart_putc('\r');
    for (uint32_t spin = 0; spin < UART_TX_SPIN_LIMIT; spin++) {
        if (!(plat_mmio_read32(uart_regs + UART_FR) & UART_FR_TXFF)) {
            plat_mmio_write32(uart_regs + UART_DR, (uint8_t)c);
            return;
        }
    }
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

/* ---- kprintf ------------------------------------------------------------------------ */

struct fmt_spec {
    unsigned width;
    bool zero_pad;
    bool left;
};

static void emit_padded(const char *s, unsigned len, const struct fmt_spec *fs, bool negative)
{
    unsigned total = len + (negative ? 1u : 0u);
    unsigned pad = fs->width > total ? fs->width - total : 0;
    if (!fs->left && !fs->zero_pad)
        for (unsigned i = 0; i < pad; i++)
            uart_putc(' ');
    if (negative)
        uart_putc('-');
    if (!fs->left && fs->zero_pad)
        for (unsigned i = 0; i < pad; i++)
            uart_putc('0');
    for (unsigned i = 0; i < len; i++)
        uart_putc(s[i]);
    if (fs->left)
        for (unsigned i = 0; i < pad; i++)
            uart_putc(' ');
}

static void emit_unsigned(uint64_t v, unsigned base, bool upper, const struct fmt_spec *fs,
                          bool negative)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24]; /* 2^64 needs 20 decimal or 16 hex digits */
    unsigned n = sizeof(buf);
    do {
        buf[--n] = digits[v % base];
        v /= base;
    } while (v != 0 && n > 0);
    emit_padded(&buf[n], (unsigned)sizeof(buf) - n, fs, negative);
}

void kvprintf(const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            uart_putc(*p);
            continue;
        }
        const char *start = p++;
        struct fmt_spec fs = { 0, false, false };
        for (; *p == '0' || *p == '-'; p++) {
            if (*p == '0')
                fs.zero_pad = true;
            else
                fs.left = true;
        }
        /* Width is capped: a run of digits cannot overflow or request huge padding. */
        for (; *p >= '0' && *p <= '9'; p++)
            if (fs.width < 64)
                fs.width = fs.width * 10u + (unsigned)(*p - '0');
        if (fs.width > 64)
            fs.width = 64;
        unsigned lng = 0;
        for (; *p == 'l' && lng < 2; p++)
            lng++;

        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            unsigned len = 0;
            while (s[len] && len < 4096u)
                len++;
            fs.zero_pad = false;
            emit_padded(s, len, &fs, false);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            fs.zero_pad = false;
            emit_padded(&c, 1, &fs, false);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = lng == 0 ? va_arg(ap, int) : lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            emit_unsigned(mag, 10, false, &fs, v < 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng == 0 ? va_arg(ap, unsigned) : lng == 1 ? va_arg(ap, unsigned long)
                                                                    : va_arg(ap, unsigned long long);
            emit_unsigned(v, *p == 'u' ? 10 : 16, *p == 'X', &fs, false);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            uart_puts("0x");
            struct fmt_spec ps = { 16, true, false };
            emit_unsigned(v, 16, false, &ps, false);
            break;
        }
        case '%':
            uart_putc('%');
            break;
        case '\0':
            /* Format ends inside a conversion: print what was there and stop. */
            for (const char *q = start; q < p; q++)
                uart_putc(*q);
            return;
        default:
            for (const char *q = start; q <= p; q++)
                uart_putc(*q);
            break;
        }
    }
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}
