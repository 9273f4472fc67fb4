/* Unexpected-exception reporting for the EL2 image (vector table in boot.S). */
#ifndef IMAGE_EXC_H
#define IMAGE_EXC_H

#include <stdint.h>

struct exc_frame {
    uint64_t x[31]; /* x0..x30 at the exception */
    uint64_t sp;    /* SP at the exception */
};
_Static_assert(sizeof(struct exc_frame) == 32 * 8, "boot.S EXC_FRAME_SIZE");

/* Called from boot.S with the saved registers and the vector index (0..15). Prints the
 * syndrome and registers, closes the run as failed and powers off. */
_Noreturn void image_exception(struct exc_frame *frame, uint64_t kind);

/* A short name of an ESR_ELx exception class ("?" if unknown). */
const char *esr_ec_name(unsigned ec);

/* Called from boot.S when the image was not entered at EL2. */
_Noreturn void boot_wrong_el(uint64_t el);

/* Provided by main.c: print the failing scenario and the closing summary line. */
void image_report_crash(const char *what);

#endif
