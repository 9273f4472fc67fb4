/* The root task's entry and runtime (EL0). The kernel starts it at roottask_entry with
 * SP_EL0 at the top of its own stack and the registers of <sel4/abi.h>. */
#include "rt.h"

#include <stdarg.h>
#include <stdint.h>

#include <sel4/syscall.h>

#include "common/mini_rt.h"
#include "roottask.h"

_Noreturn void roottask_entry(const seL4_BootInfo *bootinfo, seL4_IPCBuffer *ipc,
                              seL4_Word request, seL4_Word arg);

_Noreturn void roottask_entry(const seL4_BootInfo *bootinfo, seL4_IPCBuffer *ipc,
                              seL4_Word request, seL4_Word arg)
{
    seL4_SetIPCBuffer(ipc);
    seL4_Word result;
    if (request == RT_REQ_MAIN)
        result = root_main(bootinfo);
    else if (request == RT_REQ_MODES)
        result = root_modes_demo(bootinfo);
    else if (request == RT_REQ_S1)
        result = root_s1_demo(bootinfo);
    else if (request == RT_REQ_NESTED)
        result = root_nested_demo(bootinfo);
    else if (request == RT_REQ_FAULTS_EVENTQ)
        result = root_faults_eventq(bootinfo, arg);
    else if (request == RT_REQ_FAULTS_GERROR)
        result = root_faults_gerror(bootinfo);
    else if (request == RT_REQ_SMMU)
        result = root_smmu_demo(bootinfo);
    else if (request == RT_REQ_UNMAP_READ)
        result = root_unmap_read(bootinfo);
    else if (request == RT_REQ_GET_ADDRESS)
        result = root_get_address_calls(arg);
    else if (request == RT_REQ_ABI)
        result = root_abi_tests();
    else
        result = root_probe(request, arg);
    seL4_DebugExit(result);
}

/* ---- console ------------------------------------------------------------------------ */
static void put_char(char c) { seL4_DebugPutChar(c); }

void rt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mini_vprintf(put_char, fmt, ap);
    va_end(ap);
}
