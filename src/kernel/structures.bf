-- Capability layouts: the single source of truth. tools/bfgen.py turns this file into
-- generated/kernel/cap_gen.h (constructors, getters, setters and checks for every
-- field), the way seL4's .bf files become structures_gen.h.
--
-- A cap is two 64-bit words. Word 0 bits [63:59] hold capType (the tag) in every block.
-- Syntax: "block NAME TAG {", then one line per field: "field NAME BITS WORD LOW"
-- (word index 0 or 1, lowest bit position), then "}". Addresses are stored >> 0 unless
-- the field says so in its name (..._pfn fields hold an address >> 12).

block null_cap 0 {
}

block untyped_cap 1 {
    field capFreeIndex      48 1 0    -- bytes used, from the start of the region
    field capIsDevice        1 1 48
    field capBlockSize       6 1 49   -- log2 of the region size
    field capPtr_pfn        40 0 0    -- region base >> 12
}

block cnode_cap 2 {
    field capCNodeRadix      6 0 40
    field capCNodeGuardSize  6 0 46
    field capCNodePtr_pfn   40 0 0
    field capCNodeGuard     64 1 0
}

block frame_cap 3 {
    field capFBasePtr_pfn   40 0 0
    field capFSize           2 0 40   -- 0: 4K, 1: 2M, 2: 1G
    field capFVMRights       2 0 42   -- seL4 vm_rights: 1 kernel only, 2 read only, 3 read/write
    field capFIsDevice       1 0 44
    field capFIsMapped       1 0 45
    field capFMappedVMID    16 1 48
    field capFMappedAddress_pfn 40 1 0
}

block page_table_cap 4 {
    field capPTBasePtr_pfn  40 0 0
    field capPTIsMapped      1 0 40
    field capPTLevel         2 0 41   -- level of the table (1..3)
    field capPTMappedVMID   16 1 48
    field capPTMappedAddress_pfn 40 1 0
}

block vspace_cap 5 {
    field capVSBasePtr_pfn  40 0 0
    field capVSIsMapped      1 0 40   -- has a VMID (always, once retyped)
    field capPUDSMMUID       4 0 41   -- lowest SMMU id it is bound to (valid if capVSBound)
    field capVSBound         1 0 45   -- assigned to at least one CB
    field capVSKernelCopy    1 0 46   -- the copy a CB holds: never keeps the VSpace alive,
                                      -- never finalises it (the last user cap does)
    field capVSVMID         16 1 0
}

block sid_control_cap 6 {
    field capDevID           4 0 0
}

block sid_cap 7 {
    field capSID            32 1 0
    field capDevID           4 0 0
}

block cb_control_cap 8 {
    field capDevID           4 0 0
}

block cb_cap 9 {
    field capCB             16 0 8    -- context number on its SMMU
    field capDevID           4 0 0
    field capCBBound         1 0 4    -- the copy a SID holds for its binding (kernel-held):
                                      -- never keeps the CB alive; deleting it unbinds the SID
    field capBindSID        32 1 0
}

block smmu_bypass_cap 10 {
    field capDevID           4 0 0
}

-- Interrupts and notifications (src/kernel/irq.c; seL4 semantics). Tags 16.. leave room
-- below for SMMU caps.
block notification_cap 16 {
    field capNtfnPtr        48 0 0    -- the object's address (2^seL4_NotificationBits aligned)
    field capNtfnCanReceive  1 0 48   -- seL4_Wait on it (from the Read right)
    field capNtfnCanSend     1 0 49   -- signal it, bind it to an IRQ handler (from the Write right)
    field capNtfnBadge      64 1 0    -- ORed into the notification word when signalled through it
}

block irq_control_cap 17 {
}

block irq_handler_cap 18 {
    field capIRQ            12 0 0    -- the interrupt controller's INTID
}

-- Kernel-internal, never visible to users: a final CNode cap being deleted. Its slot
-- stays occupied (out of the derivation tree) while the CNode's slots are emptied; the
-- cursor is the next slot to empty (src/kernel/cspace.c, seL4's Zombie in spirit).
block zombie_cap 31 {
    field capZombiePtr_pfn  40 0 0
    field capZombieRadix     6 0 40
    field capZombieCursor   64 1 0
}
