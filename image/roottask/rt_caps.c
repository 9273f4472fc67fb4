/* The root task's shared capability and device helpers (rt_caps.h). EL0 code. */
#include "rt_caps.h"

#include <sel4/object_types.h>
#include <sel4/stubs.h>

void rt_edu_start(volatile uint64_t *edu, uint64_t src, uint64_t dst, uint32_t count, bool to_ram)
{
    edu[EDU_DMA_SRC / 8] = src;
    edu[EDU_DMA_DST / 8] = dst;
    edu[EDU_DMA_COUNT / 8] = count;
    edu[EDU_DMA_CMD / 8] = EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0);
}

bool rt_edu_wait(volatile uint64_t *edu)
{
    for (uint32_t i = 0; i < EDU_POLL_LIMIT; i++)
        if (!(edu[EDU_DMA_CMD / 8] & EDU_CMD_START))
            return true;
    return false;
}

bool rt_edu_dma(volatile uint64_t *edu, uint64_t src, uint64_t dst, uint32_t count, bool to_ram)
{
    rt_edu_start(edu, src, dst, count, to_ram);
    return rt_edu_wait(edu);
}

static uint8_t pattern(uint32_t i, uint8_t seed) { return (uint8_t)(i * 7u + seed + (i >> 8)); }

void rt_fill(uint64_t va, uint32_t n, uint8_t seed)
{
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)va;
    for (uint32_t i = 0; i < n; i++)
        p[i] = pattern(i, seed);
}

bool rt_holds(uint64_t va, uint32_t n, uint8_t seed)
{
    const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)va;
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != pattern(i, seed))
            return false;
    return true;
}

bool rt_retype(const seL4_BootInfo *bi, seL4_Word type, seL4_CPtr dest)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start && i < seL4_MaxUntypedCaps; i++)
        if (!bi->untypedList[i].isDevice &&
            seL4_Untyped_Retype(bi->untyped.start + i, type, 0, seL4_CapInitThreadCNode, 0, 0, dest, 1) ==
                seL4_NoError)
            return true;
    return false;
}

bool rt_map(const seL4_BootInfo *bi, seL4_CPtr frame, uint64_t va, const seL4_CPtr *pt_slots, unsigned npt,
            unsigned *next_pt)
{
    return rt_map_in(bi, seL4_CapInitThreadVSpace, frame, va, seL4_ARM_Default_VMAttributes, pt_slots, npt, next_pt);
}

bool rt_map_in(const seL4_BootInfo *bi, seL4_CPtr vspace, seL4_CPtr frame, uint64_t va, seL4_Word attr,
               const seL4_CPtr *pt_slots, unsigned npt, unsigned *next_pt)
{
    for (unsigned tries = 0; tries < 3; tries++) {
        seL4_Error e = seL4_ARM_Page_Map(frame, vspace, va, seL4_ReadWrite, attr);
        if (e == seL4_NoError)
            return true;
        if (e != seL4_FailedLookup || *next_pt >= npt)
            return false;
        seL4_CPtr pt = pt_slots[(*next_pt)++];
        if (!rt_retype(bi, seL4_ARM_PageTableObject, pt) ||
            seL4_ARM_PageTable_Map(pt, vspace, va, seL4_ARM_Default_VMAttributes) != seL4_NoError)
            return false;
    }
    return false;
}
