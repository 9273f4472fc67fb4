#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/pool.h"

#define NPAGES 64
static uint8_t mem[NPAGES * 4096] __attribute__((aligned(4096)));
static uint64_t bitmap[POOL_BITMAP_WORDS(NPAGES)];

static void test_alloc_aligned_zeroed(void **state)
{
    (void)state;
    struct page_pool p;
    assert_int_equal(pool_init(&p, (paddr_t)(uintptr_t)mem, NPAGES, bitmap), ERR_NONE);
    paddr_t a, b, c;
    assert_int_equal(pool_alloc(&p, 1, &a), ERR_NONE);
    mem[a - (uintptr_t)mem] = 0xaa;
    assert_int_equal(pool_alloc(&p, 4, &b), ERR_NONE);
    assert_true(b % (4 * 4096) == 0); /* naturally aligned in physical address */
    assert_true(b != a);
    pool_free(&p, a, 1);
    assert_int_equal(pool_alloc(&p, 1, &c), ERR_NONE);
    assert_int_equal(c, a);
    assert_int_equal(mem[c - (uintptr_t)mem], 0); /* zeroed again */
    assert_int_equal(p.nfree, NPAGES - 5);
}

static void test_exhaustion_and_bad_args(void **state)
{
    (void)state;
    struct page_pool p;
    paddr_t a;
    assert_int_equal(pool_init(&p, (paddr_t)(uintptr_t)mem + 1, NPAGES, bitmap), ERR_ALIGN);
    assert_int_equal(pool_init(&p, (paddr_t)(uintptr_t)mem, NPAGES, bitmap), ERR_NONE);
    assert_int_equal(pool_alloc(&p, 3, &a), ERR_INVALID);
    assert_int_equal(pool_alloc(&p, 0, &a), ERR_INVALID);
    assert_int_equal(pool_alloc(&p, 128, &a), ERR_NO_MEMORY);
    for (int i = 0; i < NPAGES; i++)
        assert_int_equal(pool_alloc(&p, 1, &a), ERR_NONE);
    assert_int_equal(pool_alloc(&p, 1, &a), ERR_NO_MEMORY);
    pool_free(&p, (paddr_t)(uintptr_t)mem + 8 * 4096, 1);
    assert_int_equal(pool_alloc(&p, 2, &a), ERR_NO_MEMORY); /* fragmented: no 2 aligned */
    assert_int_equal(pool_alloc(&p, 1, &a), ERR_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_zeroed),
        cmocka_unit_test(test_exhaustion_and_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
