/* libFuzzer: tools/dt2smmu's parser on arbitrary blobs (ASan + UBSan). Each input is
 * analysed as a DTB three times (no assignment; one that fits QEMU virt's tree; one that
 * fits tests/dt/soc-multi.dts) and, when accepted, every output is generated; the same
 * bytes are also parsed as an assignment file. Nothing may crash, hang, leak, or read
 * outside the input. (Debian's libfdt is not instrumented; dt2smmu calls it only after
 * fdt_check_full() accepted the blob, and only through its bounded accessors.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/dt2smmu/dt2smmu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char qemu_assign[] = "sid-bits /smmuv3@9050000 16\n"
                                  "assign roottask pci 00:02.0\n"
                                  "assign roottask pci 00:03.0\n";
static const char soc_assign[] = "sid-bits /soc/iommu@b400000 20\n"
                                 "assign a pci 0000:00:02.0\n"
                                 "assign b pci /pcie@50000000 01:00.3\n"
                                 "assign b pci 0001:21:00.0\n"
                                 "assign c /soc/dma@e000000\n"
                                 "assign c /soc/display@e100000\n";

static FILE *sink(void)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    return null;
}

static void run(const void *blob, size_t size, const char *assign_text)
{
    struct dt2smmu r;
    memset(&r, 0, sizeof(r));
    struct dt_assignment a;
    memset(&a, 0, sizeof(a));
    if (assign_text)
        dt2smmu_assignment_parse(&r, "fuzz.assign", assign_text, strlen(assign_text), &a);
    bool ok = dt2smmu_analyse(&r, blob, size, "fuzz.dtb", assign_text ? &a : NULL);
    FILE *out = sink();
    if (ok && out) {
        dt2smmu_emit_config(&r, assign_text ? &a : NULL, out);
        dt2smmu_emit_report(&r, assign_text ? &a : NULL, out);
        dt2smmu_emit_json(&r, assign_text ? &a : NULL, out);
    } else if (out) {
        dt2smmu_print_errors(&r, out);
    }
    dt2smmu_free(&r);
    dt2smmu_assignment_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: any read past the end lands in ASan's redzone. */
    uint8_t *blob = malloc(size ? size : 1);
    if (!blob)
        return 0;
    memcpy(blob, data, size);
    run(blob, size, NULL);
    run(blob, size, qemu_assign);
    run(blob, size, soc_assign);

    struct dt2smmu r;
    memset(&r, 0, sizeof(r));
    struct dt_assignment a;
    dt2smmu_assignment_parse(&r, "fuzz.assign", (const char *)blob, size, &a);
    dt2smmu_assignment_free(&a);
    dt2smmu_free(&r);
    free(blob);
    return 0;
}
