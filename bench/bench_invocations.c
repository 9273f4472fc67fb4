/* Instructions per invocation through the whole kernel path (syscall entry, decode,
 * object, driver), for GetSID, BindCB, AssignVspace, and Page_Map / Page_Unmap of a 4K
 * frame in a VSpace assigned to a CB (the unmap includes its range TLBI + CMD_SYNC).
 * The SMMU is the host stand-in, whose register emulation bench/run.sh subtracts.
 * One operation kind per run (argv[1]); only the measured calls follow
 * CALLGRIND_ZERO_STATS. Output: op=<name> fn=kernel_handle_call ops=<N> ns_per_op=<x> */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_ZERO_STATS
#define CALLGRIND_ZERO_STATS
#endif

#include <sel4/bootinfo.h>
#include <sel4/object_types.h>
#include <sel4/stubs.h>

#include "kernel/boot.h"
#include "kernel/syscall.h"
#include "libsel4/host/sel4_host.h"
#include "object/smmu_boot.h"
#include "object/smmu_object.h"
#include "smmu_standin.h"

#define MEM_BITS 26u
#define ROOT seL4_CapInitThreadCNode
#define DEPTH 64
#define N 32u

static struct standin sd;
static struct smmu smmu;
/* Aligned memory is allocated at run time: valgrind 3.19 loses the symbols of a binary
 * whose .bss needs more than page alignment (a second RW segment). */
static uint64_t pool_bitmap[POOL_BITMAP_WORDS(64)];
static struct page_pool pool;
static struct kernel_thread root;
static seL4_IPCBuffer ipc;
static seL4_BootInfo bi;
static seL4_Word next_slot;

static void check(seL4_Error e, const char *what)
{
    if (e != seL4_NoError) {
        fprintf(stderr, "bench_invocations: %s: error %d\n", what, (int)e);
        exit(1);
    }
}

static seL4_CPtr retype(seL4_Word type)
{
    seL4_CPtr dest = next_slot++;
    for (seL4_Word ut = bi.untyped.start; ut < bi.untyped.end; ut++)
        if (seL4_Untyped_Retype(ut, type, 0, ROOT, 0, 0, dest, 1) == seL4_NoError)
            return dest;
    check(seL4_NotEnoughMemory, "retype");
    return 0;
}

static void boot(void)
{
    standin_init(&sd);
    sd.idr[5] = (sd.idr[5] & ~7u) | 5u; /* 48-bit OAS: host addresses */
    uint8_t *pool_mem = aligned_alloc(4096, 64 * 4096);
    pool_init(&pool, (paddr_t)(uintptr_t)pool_mem, 64, pool_bitmap);
    struct smmu_config cfg = { .base = STANDIN_BASE, .sid_bits = 16, .cmdq_mem = aligned_alloc(4096, 4096),
                               .cmdq_log2 = 8, .eventq_mem = aligned_alloc(2048, 2048), .eventq_log2 = 6,
                               .strtab_mem = aligned_alloc(8192, 8192), .strtab_bytes = 8192, .pool = &pool };
    memset(cfg.cmdq_mem, 0, 4096);
    memset(cfg.eventq_mem, 0, 2048);
    if (smmu_init(&smmu, &cfg) != ERR_NONE)
        exit(1);
    smmu_object_reset();
    smmu_object_register(0, &smmu);
    smmu_boot_set_table(NULL, 0);
    void *mem = aligned_alloc(1u << MEM_BITS, 1u << MEM_BITS);
    memset(mem, 0, 1u << MEM_BITS);
    struct kernel_boot_config kc = { .root_cnode_radix = 12, .n_regions = 1,
                                     .regions = { { .base = (paddr_t)(uintptr_t)mem, .size = 1u << MEM_BITS } } };
    if (kernel_boot(&kc, &root, &bi) != ERR_NONE)
        exit(1);
    seL4_HostBindThread(&root);
    seL4_SetIPCBuffer(&ipc);
    next_slot = bi.empty.start;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *op = argc > 1 ? argv[1] : "getsid";
    boot();
    seL4_CPtr sids[N], cbs[N], vss[N], frames[N];
    double t0 = 0, t1 = 0;
    if (!strcmp(op, "getsid")) {
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        for (unsigned i = 0; i < N; i++)
            check(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x100 + i, ROOT, next_slot++, DEPTH), "GetSID");
        t1 = now_ns();
    } else if (!strcmp(op, "assign") || !strcmp(op, "bind")) {
        for (unsigned i = 0; i < N; i++) {
            sids[i] = next_slot;
            check(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x100 + i, ROOT, next_slot++, DEPTH), "GetSID");
            cbs[i] = next_slot;
            check(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, i, ROOT, next_slot++, DEPTH), "GetCB");
            vss[i] = retype(seL4_ARM_VSpaceObject);
        }
        if (!strcmp(op, "bind"))
            for (unsigned i = 0; i < N; i++)
                check(seL4_ARM_CB_AssignVspace(cbs[i], vss[i]), "Assign");
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        for (unsigned i = 0; i < N; i++) {
            if (!strcmp(op, "bind"))
                check(seL4_ARM_SID_BindCB(sids[i], cbs[i]), "BindCB");
            else
                check(seL4_ARM_CB_AssignVspace(cbs[i], vss[i]), "Assign");
        }
        t1 = now_ns();
    } else if (!strcmp(op, "map") || !strcmp(op, "unmap")) {
        seL4_CPtr sid = next_slot;
        check(seL4_ARM_SIDControl_GetSID(seL4_CapSMMUSIDControl, 0, 0x10, ROOT, next_slot++, DEPTH), "GetSID");
        seL4_CPtr cb = next_slot;
        check(seL4_ARM_CBControl_GetCB(seL4_CapSMMUCBControl, 0, ROOT, next_slot++, DEPTH), "GetCB");
        seL4_CPtr vs = retype(seL4_ARM_VSpaceObject);
        check(seL4_ARM_CB_AssignVspace(cb, vs), "Assign");
        check(seL4_ARM_SID_BindCB(sid, cb), "BindCB");
        const seL4_Word va = 0x10000000;
        for (unsigned lvl = 0; lvl < 2; lvl++) /* the level-2 and level-3 tables */
            check(seL4_ARM_PageTable_Map(retype(seL4_ARM_PageTableObject), vs, va, seL4_ARM_Default_VMAttributes), "PT");
        for (unsigned i = 0; i < N; i++)
            frames[i] = retype(seL4_ARM_SmallPageObject);
        if (!strcmp(op, "unmap"))
            for (unsigned i = 0; i < N; i++)
                check(seL4_ARM_Page_Map(frames[i], vs, va + i * 4096, seL4_ReadWrite, seL4_ARM_Default_VMAttributes), "Map");
        CALLGRIND_ZERO_STATS;
        t0 = now_ns();
        for (unsigned i = 0; i < N; i++) {
            if (!strcmp(op, "map"))
                check(seL4_ARM_Page_Map(frames[i], vs, va + i * 4096, seL4_ReadWrite, seL4_ARM_Default_VMAttributes), "Map");
            else
                check(seL4_ARM_Page_Unmap(frames[i]), "Unmap");
        }
        t1 = now_ns();
    } else {
        fprintf(stderr, "usage: bench_invocations getsid|bind|assign|map|unmap\n");
        return 2;
    }
    printf("op=%s fn=kernel_handle_call ops=%u ns_per_op=%.1f\n", op, N, (t1 - t0) / N);
    return 0;
}
