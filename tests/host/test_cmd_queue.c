/* Command encodings (each field where the spec puts it) and queue index arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/bits.h"
#include "smmuv3/cmd.h"
#include "smmuv3/queue.h"
#include "smmuv3/regs.h"

static void enc(const struct smmu_cmd *c, uint64_t w[2])
{
    assert_int_equal(smmu_cmd_encode(c, w), ERR_NONE);
}

static void test_cfgi_encodings(void **st)
{
    (void)st;
    uint64_t w[2];
    struct smmu_cmd c = smmu_cmd_cfgi_ste(0x12345678);
    enc(&c, w);
    assert_int_equal(w[0], 0x1234567800000003ULL); /* SID dw0[63:32], opcode 0x03 */
    assert_int_equal(w[1], 1);                     /* Leaf dw1[0] */
    c = smmu_cmd_cfgi_all();
    enc(&c, w);
    assert_int_equal(w[0], 0x04); /* CFGI_STE_RANGE, not QEMU's 0x07 (notes D2) */
    assert_int_equal(w[1], 31);
    c = (struct smmu_cmd){ .op = SMMU_CMD_CFGI_STE_RANGE, .cfgi_ste_range = { .sid = 64, .range = 32 } };
    assert_int_equal(smmu_cmd_encode(&c, w), ERR_INVALID);
    c = (struct smmu_cmd){ .op = SMMU_CMD_CFGI_CD, .cfgi_cd = { .sid = 7, .ssid = 0xfffff, .leaf = true } };
    enc(&c, w);
    assert_int_equal(w[0], (7ULL << 32) | (0xfffffULL << 12) | 0x05);
    c.cfgi_cd.ssid = 0x100000; /* 21 bits: too wide */
    assert_int_equal(smmu_cmd_encode(&c, w), ERR_INVALID);
}

static void test_tlbi_encodings(void **st)
{
    (void)st;
    uint64_t w[2];
    struct smmu_cmd c = { .op = SMMU_CMD_TLBI_S2_IPA,
                          .tlbi_addr = { .vmid = 0xbeef, .addr = 0x123456789000ULL, .leaf = true,
                                         .range = { .tg = 1, .ttl = 3, .num = 31, .scale = 17 } } };
    enc(&c, w);
    assert_int_equal(FIELD_GET(GENMASK(7, 0), w[0]), 0x2a);
    assert_int_equal(FIELD_GET(GENMASK(47, 32), w[0]), 0xbeef);
    assert_int_equal(FIELD_GET(GENMASK(16, 12), w[0]), 31);
    assert_int_equal(FIELD_GET(GENMASK(24, 20), w[0]), 17);
    assert_int_equal(w[1] & 1, 1);
    assert_int_equal(FIELD_GET(GENMASK(9, 8), w[1]), 3);
    assert_int_equal(FIELD_GET(GENMASK(11, 10), w[1]), 1);
    assert_int_equal(w[1] & GENMASK(63, 12), 0x123456789000ULL);
    /* Reserved range encoding and unaligned address are refused. */
    c.tlbi_addr.range = (struct smmu_tlbi_range){ .tg = 1 };
    assert_int_equal(smmu_cmd_encode(&c, w), ERR_INVALID);
    c.tlbi_addr.range = (struct smmu_tlbi_range){ .tg = 0, .num = 1 };
    assert_int_equal(smmu_cmd_encode(&c, w), ERR_INVALID);
    c.tlbi_addr.range = (struct smmu_tlbi_range){ 0 };
    c.tlbi_addr.addr = 0x1001;
    assert_int_equal(smmu_cmd_encode(&c, w), ERR_INVALID);
    /* NH_VA carries the ASID in dw0[63:48]; S2_IPA does not. */
    c = (struct smmu_cmd){ .op = SMMU_CMD_TLBI_NH_VA, .tlbi_addr = { .vmid = 1, .asid = 0xabcd, .addr = 0x1000 } };
    enc(&c, w);
    assert_int_equal(FIELD_GET(GENMASK(63, 48), w[0]), 0xabcd);
    c = smmu_cmd_tlbi_s12_vmall(0x42);
    enc(&c, w);
    assert_int_equal(w[0], (0x42ULL << 32) | 0x28);
    c = smmu_cmd_tlbi_nsnh_all();
    enc(&c, w);
    assert_int_equal(w[0], 0x30);
    c = smmu_cmd_sync();
    enc(&c, w);
    assert_int_equal(w[0], 0x46);
    c.sync.cs = 3;
    assert_int_equal(smmu_cmd_encode(&c, w), ERR_INVALID);
    c = (struct smmu_cmd){ .op = (enum smmu_cmd_op)0x77 };
    assert_int_equal(smmu_cmd_encode(&c, w), ERR_INVALID);
}

static void test_queue_arith(void **st)
{
    (void)st;
    static uint64_t mem[2 * 8] __attribute__((aligned(128)));
    struct smmu_queue q;
    assert_int_equal(smmu_queue_init(&q, mem, 3, 2, 0, 0), ERR_NONE);
    uint32_t prod = 0, cons = 0;
    assert_true(smmu_queue_empty(&q, prod, cons));
    for (int i = 0; i < 8; i++) {
        assert_false(smmu_queue_full(&q, prod, cons));
        prod = smmu_queue_inc(&q, prod);
    }
    assert_true(smmu_queue_full(&q, prod, cons));
    assert_int_equal(prod, 8); /* index 0 with the wrap bit set */
    assert_int_equal(smmu_queue_used(&q, prod, cons), 8);
    for (int i = 0; i < 5; i++)
        cons = smmu_queue_inc(&q, cons);
    assert_int_equal(smmu_queue_used(&q, prod, cons), 3);
    for (int i = 0; i < 11; i++)
        prod = smmu_queue_inc(&q, prod);
    assert_int_equal(prod, 3); /* wrapped twice: wrap bit clear again */
    assert_int_equal(smmu_queue_idx(&q, prod), 3);
    /* Misaligned or oversized queues are refused. */
    assert_int_equal(smmu_queue_init(&q, (uint8_t *)mem + 64, 3, 2, 0, 0), ERR_ALIGN);
    assert_int_equal(smmu_queue_init(&q, mem, 20, 2, 0, 0), ERR_RANGE);
    assert_int_equal(smmu_queue_init(&q, mem, 3, 3, 0, 0), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfgi_encodings),
        cmocka_unit_test(test_tlbi_encodings),
        cmocka_unit_test(test_queue_arith),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
