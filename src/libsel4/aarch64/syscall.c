/* libsel4's system calls for an AArch64 thread at EL0 (the ABI is in <sel4/abi.h>).
 * EL0 code: it is linked into the root task and must not call anything outside it. */
#include <sel4/syscall.h>

static seL4_IPCBuffer *ipc_buffer;

seL4_IPCBuffer *seL4_GetIPCBuffer(void) { return ipc_buffer; }
void seL4_SetIPCBuffer(seL4_IPCBuffer *buffer) { ipc_buffer = buffer; }

seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    seL4_IPCBuffer *ipc = ipc_buffer;
    /* Pin each value to the register the ABI gives it (GCC explicit register variables
     * are honoured for asm operands). */
    register seL4_Word x0 __asm__("x0") = dest;
    register seL4_Word x1 __asm__("x1") = info.words[0];
    register seL4_Word x2 __asm__("x2") = ipc->msg[0];
    register seL4_Word x3 __asm__("x3") = ipc->msg[1];
    register seL4_Word x4 __asm__("x4") = ipc->msg[2];
    register seL4_Word x5 __asm__("x5") = ipc->msg[3];
    /* "memory": the kernel reads the IPC buffer (MR4.., extra caps) and writes it (reply
     * MR4..). Every other register is preserved by the kernel. */
    __asm__ volatile("svc %[imm]"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
                     : [imm] "i"(SEL4_SVC_CALL)
                     : "memory");
    ipc->msg[0] = x2;
    ipc->msg[1] = x3;
    ipc->msg[2] = x4;
    ipc->msg[3] = x5;
    seL4_MessageInfo_t reply = { { x1 } };
    return reply;
}

seL4_MessageInfo_t seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    register seL4_Word x0 __asm__("x0") = src;
    register seL4_Word x1 __asm__("x1");
    register seL4_Word x2 __asm__("x2"); /* error detail (InvalidCapability); else unchanged */
    __asm__ volatile("svc %[imm]" : "+r"(x0), "=r"(x1), "=r"(x2) : [imm] "i"(SEL4_SVC_WAIT) : "memory");
    if (sender)
        *sender = x0;
    if (seL4_MessageInfo_get_length((seL4_MessageInfo_t){ { x1 } }) > 0 && ipc_buffer)
        ipc_buffer->msg[0] = x2;
    seL4_MessageInfo_t reply = { { x1 } };
    return reply;
}

void seL4_DebugPutChar(char c)
{
    register seL4_Word x0 __asm__("x0") = (unsigned char)c;
    __asm__ volatile("svc %[imm]" : : "r"(x0), [imm] "i"(SEL4_SVC_DEBUG_PUTCHAR) : "memory");
}

_Noreturn void seL4_DebugExit(seL4_Word result)
{
    register seL4_Word x0 __asm__("x0") = result;
    __asm__ volatile("svc %[imm]" : : "r"(x0), [imm] "i"(SEL4_SVC_DEBUG_EXIT) : "memory");
    /* The kernel never resumes a thread after its exit call. */
    for (;;)
        __asm__ volatile("wfe");
}
