/* libFuzzer harness for the image's device-tree reader (src/plat/qemu-virt/fdt.c and
 * platform.c): any byte string must be rejected cleanly or parsed, never read out of
 * bounds, never hang. Built with clang -fsanitize=fuzzer,address,undefined. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plat/qemu-virt/platform.h"

/* What the image's linker script and console provide, stubbed for the host. */
char __image_start[1];
char __image_end[1];
void kprintf(const char *fmt, ...) { (void)fmt; }
void kvprintf(const char *fmt, va_list ap) { (void)fmt; (void)ap; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, so ASan sees any read past the end. */
    uint8_t *blob = malloc(size ? size : 1);
    if (!blob)
        return 0;
    memcpy(blob, data, size);
    struct platform_info info;
    if (platform_parse(blob, size, &info) == ERR_NONE) {
        uint32_t sid;
        for (uint32_t rid = 0; rid < 0x20; rid++)
            (void)platform_rid_to_sid(&info, rid * 8, &sid);
    }
    free(blob);
    return 0;
}
