/* Object types for seL4_Untyped_Retype and their sizes: seL4's aarch64 numbering (libsel4
 * object_types.h: non-arch types, then the AArch64 mode types, then the ARM types), so
 * user code written for seL4 passes the same numbers. This kernel implements Untyped,
 * CapTable (CNode), Notification, the three frame sizes, PageTable and VSpace; TCB and
 * Endpoint keep their numbers but are refused (seL4_InvalidArgument, argument 0).
 * seL4_ARM_IOSpaceObject is this kernel's own (no seL4 number): a stage-1 IO address
 * space for native DMA masters (stage-1-only contexts), see docs/capabilities.md. */
#ifndef SEL4_OBJECT_TYPES_H
#define SEL4_OBJECT_TYPES_H

typedef enum api_object {
    seL4_UntypedObject = 0,
    seL4_TCBObject = 1,          /* not provided by this kernel */
    seL4_EndpointObject = 2,     /* not provided by this kernel */
    seL4_NotificationObject = 3, /* src/kernel/irq.c: IRQ delivery, seL4_Wait */
    seL4_CapTableObject = 4,
    seL4_NonArchObjectTypeCount
} seL4_ObjectType;

typedef enum _mode_object {
    seL4_ARM_HugePageObject = seL4_NonArchObjectTypeCount, /* 1 GiB frame */
    seL4_ARM_VSpaceObject,                                 /* stage-2 root */
    seL4_ModeObjectTypeCount
} seL4_ModeObjectType;

typedef enum _object {
    seL4_ARM_SmallPageObject = seL4_ModeObjectTypeCount, /* 4 KiB frame */
    seL4_ARM_LargePageObject,                            /* 2 MiB frame */
    seL4_ARM_PageTableObject,
    seL4_ARM_IOSpaceObject, /* stage-1 IO address space (this kernel's own type) */
    seL4_ObjectTypeCount
} seL4_ArchObjectType;

/* Sizes (log2 bytes). */
#define seL4_PageBits 12
#define seL4_LargePageBits 21
#define seL4_HugePageBits 30
#define seL4_PageTableBits 12
/* A notification object (seL4 AArch64 without MCS: 32 bytes): state, word, spare. */
#define seL4_NotificationBits 5
/* The VSpace root: the kernel's fixed stage-2 format has a 40-bit IPA space, which
 * starts at level 1 with two concatenated tables (8 KiB, aligned to 8 KiB). */
#define seL4_VSpaceBits 13
#define seL4_VSpaceIPABits 40
/* An IO space (seL4_ARM_IOSpaceObject): a stage-1 table walked only by the SMMU (a CB
 * assigned to it is stage-1-only), 39-bit IOVAs from one level-1 root table (4 KiB), so
 * page tables and frames map into it exactly as into a VSpace. */
#define seL4_IOSpaceBits 12
#define seL4_IOSpaceVABits 39
/* One CNode slot (cte_t: a 16-byte cap, two derivation-tree links, flags) rounded up to
 * a power of two. seL4 uses 32-byte slots (5). A CNode object is
 * max(2^(radix + seL4_SlotBits), 4 KiB): caps hold the CNode address as a page number. */
#define seL4_SlotBits 6
/* Untyped sizes: caps hold the region address as a page number, so the smallest untyped
 * is one page (seL4: 4 bits). */
#define seL4_MinUntypedBits 12
#define seL4_MaxUntypedBits 47
/* At most this many objects per Retype (seL4's CONFIG_RETYPE_FAN_OUT_LIMIT). */
#define seL4_RetypeFanOutLimit 256

#endif
