/* The user-visible ABI types (seL4 shapes): words, cap pointers, message info and the
 * IPC buffer. Shared by the kernel's syscall entry and the user stubs. */
#ifndef SEL4_TYPES_H
#define SEL4_TYPES_H

#include <stdint.h>

typedef uint64_t seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_CPtr seL4_CNode;
typedef uint8_t seL4_Uint8;

#define seL4_WordBits 64
#define seL4_MsgMaxLength 120
#define seL4_MsgMaxExtraCaps 3
#define seL4_FastMessageRegisters 4 /* MR0..MR3 travel in x2..x5 */

/* msginfo word: label [63:12], capsUnwrapped [11:9], extraCaps [8:7], length [6:0]. */
typedef struct { seL4_Word words[1]; } seL4_MessageInfo_t;

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Word label, seL4_Word caps_unwrapped,
                                                      seL4_Word extra_caps, seL4_Word length)
{
    seL4_MessageInfo_t m = { { (label << 12) | ((caps_unwrapped & 7u) << 9) |
                               ((extra_caps & 3u) << 7) | (length & 0x7fu) } };
    return m;
}
static inline seL4_Word seL4_MessageInfo_get_label(seL4_MessageInfo_t m) { return m.words[0] >> 12; }
static inline seL4_Word seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t m) { return (m.words[0] >> 7) & 3u; }
static inline seL4_Word seL4_MessageInfo_get_length(seL4_MessageInfo_t m) { return m.words[0] & 0x7fu; }

/* Per-thread IPC buffer (seL4 layout, simplified: no receive slots). */
typedef struct seL4_IPCBuffer_ {
    seL4_MessageInfo_t tag;
    seL4_Word msg[seL4_MsgMaxLength];
    seL4_Word userData;
    seL4_Word caps_or_badges[seL4_MsgMaxExtraCaps];
} seL4_IPCBuffer;

/* Rights (seL4_CapRights_t, simplified to a word): bit 0 write, 1 read, 2 grant, 3 grantReply. */
typedef seL4_Word seL4_CapRights_t;
#define seL4_CanWrite 1u
#define seL4_CanRead 2u
#define seL4_CanGrant 4u
#define seL4_AllRights 0xfu
#define seL4_ReadWrite (seL4_CanRead | seL4_CanWrite)

/* VM attributes for ARM_Page_Map (seL4_ARM_VMAttributes): bit 0 cacheable, 2 execute never. */
typedef seL4_Word seL4_ARM_VMAttributes;
#define seL4_ARM_PageCacheable 1u
#define seL4_ARM_ExecuteNever 4u
#define seL4_ARM_Default_VMAttributes seL4_ARM_PageCacheable

#endif
