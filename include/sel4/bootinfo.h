/* What the kernel tells the root task about its initial CSpace (seL4_BootInfo's shape):
 * which slots of the root CNode hold what. Slot numbers are cptrs in the root task's
 * CSpace (the root CNode's guard makes cptr == slot index at depth 64). */
#ifndef SEL4_BOOTINFO_H
#define SEL4_BOOTINFO_H

#include <sel4/types.h>

/* Fixed initial slots (seL4's seL4_RootCNodeCapSlots numbering). Only the ones marked
 * are filled by this kernel; the others stay empty. */
enum seL4_RootCNodeCapSlots {
    seL4_CapNull = 0,
    seL4_CapInitThreadTCB = 1,
    seL4_CapInitThreadCNode = 2, /* filled: the root CNode itself */
    seL4_CapInitThreadVSpace = 3,
    seL4_CapIRQControl = 4,      /* filled: issues IRQHandler caps (seL4_IRQControl_Get) */
    seL4_CapASIDControl = 5,
    seL4_CapInitThreadASIDPool = 6,
    seL4_CapIOPortControl = 7,
    seL4_CapIOSpace = 8,
    seL4_CapBootInfoFrame = 9,
    seL4_CapInitThreadIPCBuffer = 10,
    seL4_CapDomain = 11,
    seL4_CapSMMUSIDControl = 12, /* SMMU 0's control caps, if the object layer puts them here */
    seL4_CapSMMUCBControl = 13,
    seL4_CapSMC = 14,
    seL4_NumInitialCaps = 15
};

typedef struct seL4_SlotRegion {
    seL4_Word start; /* first slot */
    seL4_Word end;   /* one past the last slot */
} seL4_SlotRegion;

typedef struct seL4_UntypedDesc {
    seL4_Word paddr;
    seL4_Uint8 sizeBits;
    seL4_Uint8 isDevice;
    seL4_Uint8 padding[sizeof(seL4_Word) - 2 * sizeof(seL4_Uint8)];
} seL4_UntypedDesc;

#define seL4_MaxUntypedCaps 64 /* seL4's CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS */
#define seL4_MaxSMMUs 16

/* The SMMU caps of one SMMU (filled by the object layer's smmu_boot_populate). A slot
 * of 0 (seL4_CapNull) means none. */
typedef struct seL4_SMMUBootInfo {
    seL4_Word sidControl;
    seL4_Word cbControl;
    seL4_SlotRegion sids; /* pre-generated SID caps, in configuration order */
    seL4_SlotRegion cbs;  /* pre-generated CB caps */
    /* Its wired interrupts, for seL4_IRQControl_Get/GetTrigger (the kernel fills them from
     * the device tree): GIC INTIDs indexed by seL4_SMMUIRQ_*, 0 = not wired; bit i of
     * irqEdge set: irq[i] is edge-triggered (GetTrigger's trigger = 1). */
    seL4_Word irq[4];
    seL4_Word irqEdge;
} seL4_SMMUBootInfo;

/* Index of seL4_SMMUBootInfo.irq[] (the arm,smmu-v3 binding's interrupt-names order). */
enum seL4_SMMUIRQ {
    seL4_SMMUIRQ_EventQ = 0,
    seL4_SMMUIRQ_PriQ = 1,
    seL4_SMMUIRQ_CmdqSync = 2,
    seL4_SMMUIRQ_GError = 3,
};

typedef struct seL4_BootInfo {
    seL4_Word initThreadCNodeSizeBits; /* radix of the root CNode */
    seL4_SlotRegion empty;             /* free slots of the root CNode */
    seL4_SlotRegion untyped;           /* untyped caps, described by untypedList */
    seL4_UntypedDesc untypedList[seL4_MaxUntypedCaps];
    seL4_Word numSMMUs;
    seL4_SMMUBootInfo smmu[seL4_MaxSMMUs];
} seL4_BootInfo;

#endif
