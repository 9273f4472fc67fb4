/* Layout of struct user_context (image/user.h), shared with image/user_entry.S. */
#ifndef IMAGE_USER_CTX_H
#define IMAGE_USER_CTX_H

#define USER_CTX_X0 0          /* x0..x30: 31 words */
#define USER_CTX_SP_EL0 248
#define USER_CTX_ELR 256
#define USER_CTX_SPSR 264
#define USER_CTX_KERNEL_SP 272 /* the kernel's SP while the thread runs (user_entry.S) */
#define USER_CTX_SIZE 288      /* a multiple of 16: SP_EL2 points at it while EL0 runs */

#endif
