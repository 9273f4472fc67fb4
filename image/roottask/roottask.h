/* The root task: the first user thread, at EL0 under the EL2 kernel. It is linked into
 * the image but as one relocatable object whose only global symbol is its entry
 * (image/roottask/roottask-r.ld, image/CMakeLists.txt): it cannot call kernel code, and
 * the build fails if it references any symbol it does not define itself.
 *
 * This header is shared by the root task and the image's scenario code (constants only):
 * what the scenario asks of a run (the entry's x2/x3, <sel4/abi.h>), the labels of the
 * test service the image answers before the kernel's own objects exist, and the results
 * a run ends with (seL4_DebugExit). */
#ifndef IMAGE_ROOTTASK_H
#define IMAGE_ROOTTASK_H

/* Requests (entry x2); the argument (x3) is an address for the probes. */
enum roottask_request {
    RT_REQ_MAIN = 0,        /* root_main(bootinfo): invocations of the kernel's objects */
    RT_REQ_ABI = 1,         /* the ABI tests against the image's test service */
    RT_REQ_NULL_CALLS = 2,  /* x3 null calls to the test service; exit with 0 */
    RT_REQ_READ = 3,        /* load 64 bits from x3; exit with the value */
    RT_REQ_WRITE = 4,       /* store RT_WRITE_PATTERN to x3; exit with 0 */
    RT_REQ_EXEC_DATA = 5,   /* copy a `ret` into its own .bss and call it; exit with 0 */
    RT_REQ_WRITE_TEXT = 6,  /* store into its own code; exit with 0 */
    RT_REQ_UDF = 7,         /* execute a permanently undefined instruction (UDF #0) */
    RT_REQ_BAD_SVC = 8,     /* svc with an immediate the kernel does not define */
    RT_REQ_FP = 9,          /* touch an FP/SIMD register (disabled at EL0) */
    RT_REQ_UNMAP_READ = 10, /* kernel: map an edu page, read, Page_Unmap, read (faults) */
    RT_REQ_GET_ADDRESS = 11,/* kernel: x3 seL4_ARM_Page_GetAddress on its IPC buffer frame */
    RT_REQ_SMMU = 12,       /* kernel: give edu0 DMA access to its VSpace, then take it back */
    RT_REQ_NESTED = 13,     /* kernel: act as a guest driver: own CD + stage 1, nested DMA */
    RT_REQ_S1 = 14,         /* kernel: a stage-1-only IO space for edu0 */
    RT_REQ_MODES = 15,      /* kernel: five StreamIDs in the five modes at once */
};

/* RT_REQ_S1: the IOVAs in the IO space, and where the root task looks at the same frames. */
#define RT_S1_IOVA_SRC 0x1000ULL
#define RT_S1_IOVA_DST 0x2000ULL
#define RT_S1_VIEW 0x22000000ULL

/* RT_REQ_NESTED: where the guest puts its CD / stage-1 tables / pages (IPAs), the stage-1
 * IOVAs the device uses, and the IPA outside its VSpace a malicious entry points at. */
#define RT_NESTED_IPA_BASE 0x21000000ULL
#define RT_NESTED_IOVA_SRC 0x1000ULL
#define RT_NESTED_IOVA_DST 0x2000ULL
#define RT_NESTED_IOVA_EVIL 0x3000ULL
#define RT_NESTED_EVIL_IPA 0x3f000000ULL

/* RT_REQ_FAULTS_*: the root task as the SMMU's fault handler (faults_demo.c), in two
 * runs that share the caps they leave in the CSpace. EVENTQ: IRQ handlers for the SMMU's
 * eventq and gerror interrupts bound to one notification (badges below), edu0 bound to its
 * own VSpace, a device write to the unmapped RT_FAULTS_IOVA, seL4_Wait, GetEventq, Ack.
 * The kernel side then puts an illegal command (RT_FAULTS_BAD_CMD0/1, a test-only hook)
 * into the command queue. GERROR: seL4_Wait for the gerror interrupt, GetGlobalError,
 * SkipCmdqError, a command-issuing invocation, cleanup. */
enum {
    RT_REQ_FAULTS_EVENTQ = 20,
    RT_REQ_FAULTS_GERROR = 21,
};
#define RT_FAULTS_IOVA 0x20003000ULL    /* nothing is mapped there */
#define RT_FAULTS_BYTES 64u             /* 16 records: one per 4 bytes */
#define RT_FAULTS_BADGE_EVENTQ 0x1u
#define RT_FAULTS_BADGE_GERROR 0x2u
#define RT_FAULTS_BAD_CMD0 0x0bad00000000007fULL /* opcode 0x7f: no such command (CERROR_ILL) */
#define RT_FAULTS_BAD_CMD1 0x5eed5eed5eed5eedULL

/* IOVAs (= IPAs of the root task's VSpace) used by RT_REQ_SMMU: the kernel side checks the
 * SMMU's event records against them. */
#define RT_SMMU_IOVA_SRC 0x20000000ULL
#define RT_SMMU_IOVA_DST 0x20001000ULL
#define RT_SMMU_IOVA_ALIAS 0x20002000ULL
#define RT_BAD_SVC_IMM 0x55u
#define RT_WRITE_PATTERN 0x5a5a5a5a5a5a5a5aULL

/* Labels of the image's test service (the cptr RT_TEST_CPTR), for proving the ABI:
 *  ECHO:  reply label 0, length n + 1: MR[i] = ~MR[i] for i < n (MR0..3 in registers,
 *         MR4.. written into the IPC buffer), MR[n] = dest cptr + the extra-cap cptrs.
 *  ERROR: reply label seL4_RangeError, length 2, MR0 = RT_ERROR_MIN, MR1 = RT_ERROR_MAX
 *         (seL4's error detail for a range error).
 *  NULL:  reply label 0, length 0 (the round-trip measurement). */
#define RT_TEST_CPTR 0x7e57u
#define RT_TEST_LABEL_ECHO 1u
#define RT_TEST_LABEL_ERROR 2u
#define RT_TEST_LABEL_NULL 3u
#define RT_ERROR_MIN 3u
#define RT_ERROR_MAX 7u

/* Exit results of RT_REQ_MAIN and RT_REQ_ABI: 0, or the number of the first failing step. */
#define RT_RESULT_OK 0u

#endif
