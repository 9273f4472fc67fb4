/* Error codes of the driver and page-table layers. The capability layer maps these to
 * seL4 error codes; nothing below it panics on input. */
#ifndef LIB_ERR_H
#define LIB_ERR_H

typedef enum err {
    ERR_NONE = 0,
    ERR_INVALID,     /* malformed argument (bad level, size, flags) */
    ERR_ALIGN,       /* address or size not aligned as required */
    ERR_RANGE,       /* address, size or id outside what the hardware/format allows */
    ERR_EXISTS,      /* mapping overlaps an existing one */
    ERR_NOT_MAPPED,  /* nothing mapped where the caller said */
    ERR_NO_MEMORY,   /* caller-given pool exhausted */
    ERR_TIMEOUT,     /* hardware did not respond before the deadline */
    ERR_UNSUPPORTED, /* hardware lacks a feature we require */
    ERR_CMDQ,        /* the SMMU reported a command-queue error (GERROR.CMDQ_ERR) */
    ERR_STATE,       /* operation not valid in the current state */
    ERR_NOT_FOUND,   /* no such node, property or entry */
} err_t;

const char *err_name(err_t e);

#endif
