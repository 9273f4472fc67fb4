/* dt2smmu's internal arithmetic, exhaustively on 8-bit values: the requester IDs an
 * iommu-map entry can reach once iommu-map-mask is applied (the smallest and largest
 * masked value inside [lo, hi]), and the StreamID width needed. parse.c is included so its
 * static helpers are reachable. */
#include "../../tools/dt2smmu/parse.c"

static unsigned failures;

static void expect(bool cond, const char *what, uint32_t m, uint32_t x)
{
    if (!cond && failures++ < 10)
        fprintf(stderr, "FAIL %s: mask 0x%x value 0x%x\n", what, m, x);
}

int main(void)
{
    for (int upper = 0; upper < 2; upper++) {
        for (uint32_t m8 = 0; m8 < 256; m8++) {
            /* The mask's bits above the 8 tested ones: all clear, or all set. */
            uint32_t m = upper ? (m8 | 0xffffff00u) : m8;
            for (uint32_t x = 0; x < 256; x++) {
                uint32_t want = 0, got = 0;
                bool found = false;
                for (uint32_t v = x; v <= 0x1ff && !found; v++)
                    if ((v & ~m) == 0) {
                        want = v;
                        found = true;
                    }
                bool ok = min_submask_ge(m, x, &got);
                if (upper || found)
                    expect(ok && got == want, "min_submask_ge", m, x);
                else
                    expect(!ok, "min_submask_ge (none)", m, x);
                uint32_t below = 0;
                for (int v = (int)x; v >= 0; v--)
                    if (((uint32_t)v & ~m) == 0) {
                        below = (uint32_t)v;
                        break;
                    }
                expect(max_submask_le(m, x) == below, "max_submask_le", m, x);
            }
        }
    }
    uint32_t none;
    expect(!min_submask_ge(0x0000fff8u, 0xfff9u, &none), "min_submask_ge above the mask", 0xfff8, 0xfff9);
    expect(max_submask_le(0xfff8u, 0xffffffffu) == 0xfff8u, "max_submask_le of all ones", 0xfff8, 0xffffffff);
    expect(dt2smmu_bits_for(0) == 1 && dt2smmu_bits_for(1) == 1 && dt2smmu_bits_for(0xffff) == 16 &&
               dt2smmu_bits_for(0x10000) == 17 && dt2smmu_bits_for(0xffffffffu) == 32,
           "dt2smmu_bits_for", 0, 0);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
