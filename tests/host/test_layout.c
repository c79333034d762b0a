/*
 * test_layout.c - the layout header's arithmetic: regions, canonical
 * addresses, page-table slots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <keel/layout.h>

static void test_regions_match_the_contract(void **state)
{
	/* The table in the developers' guide, written out once more here. */
	static const struct {
		u64 start, end_incl;
	} want[LAYOUT_REGION_COUNT] = {
		[LAYOUT_USER] = { 0x0000000000000000, 0x00007fffffffffff },
		[LAYOUT_DIRECT_MAP] = { 0xffff800000000000, 0xffffbfffffffffff },
		[LAYOUT_PERCPU] = { 0xffffff8000000000, 0xffffff81ffffffff },
		[LAYOUT_KERNEL] = { 0xffffffff80000000, 0xffffffff9fffffff },
	};
	for (int i = 0; i < LAYOUT_REGION_COUNT; i++) {
		assert_int_equal(layout_regions[i].base, want[i].start);
		assert_int_equal(layout_regions[i].base + layout_regions[i].size - 1,
				 want[i].end_incl);
	}
}

static void test_regions_ordered_and_disjoint(void **state)
{
	for (int i = 1; i < LAYOUT_REGION_COUNT; i++) {
		const struct layout_region *a = &layout_regions[i - 1], *b = &layout_regions[i];
		assert_true(a->base + a->size <= b->base);
	}
}

static void test_canonical(void **state)
{
	assert_true(layout_is_canonical(0));
	assert_true(layout_is_canonical(0x00007fffffffffff));
	assert_false(layout_is_canonical(0x0000800000000000));
	assert_false(layout_is_canonical(0x8000000000000000));
	assert_false(layout_is_canonical(0xffff7fffffffffff));
	assert_true(layout_is_canonical(0xffff800000000000));
	assert_true(layout_is_canonical(0xffffffffffffffff));
	for (int i = 0; i < LAYOUT_REGION_COUNT; i++) {
		const struct layout_region *r = &layout_regions[i];
		assert_true(layout_is_canonical(r->base));
		assert_true(layout_is_canonical(r->base + r->size - 1));
	}
}

static void test_kernel_half_is_bit_63(void **state)
{
	assert_false(layout_is_kernel(USER_END - 1));
	assert_true(layout_is_kernel(DIRECT_MAP_BASE));
	assert_true(layout_is_kernel(KERNEL_BASE));
	for (int i = 0; i < LAYOUT_REGION_COUNT; i++)
		assert_int_equal(layout_is_kernel(layout_regions[i].base), i != LAYOUT_USER);
}

static void test_region_of(void **state)
{
	assert_int_equal(layout_region_of(0x1000), LAYOUT_USER);
	assert_int_equal(layout_region_of(DIRECT_MAP_BASE + 0x1234), LAYOUT_DIRECT_MAP);
	assert_int_equal(layout_region_of(DIRECT_MAP_END - 1), LAYOUT_DIRECT_MAP);
	assert_int_equal(layout_region_of(DIRECT_MAP_END), -1);
	assert_int_equal(layout_region_of(PERCPU_BASE - 1), -1);
	assert_int_equal(layout_region_of(PERCPU_SLOT(511) + PERCPU_SLOT_SIZE - 1), LAYOUT_PERCPU);
	assert_int_equal(layout_region_of(PERCPU_END), -1);
	assert_int_equal(layout_region_of(KERNEL_VIRT_LOAD), LAYOUT_KERNEL);
	assert_int_equal(layout_region_of(KERNEL_END), -1);
	assert_int_equal(layout_region_of(0xffffffffffffffff), -1);
	assert_int_equal(layout_region_of(0x0000800000000000), -1);
}

static void test_pml4_slots(void **state)
{
	assert_int_equal(PML4_INDEX(DIRECT_MAP_BASE), 256);
	assert_int_equal(PML4_INDEX(DIRECT_MAP_END - 1), 383);
	assert_int_equal(PML4_INDEX(PERCPU_BASE), 511);
	assert_int_equal(PDPT_INDEX(PERCPU_BASE), 0);
	assert_int_equal(PDPT_INDEX(PERCPU_END - 1), 7);
	assert_int_equal(PDPT_INDEX(KERNEL_BASE), 510);
	assert_int_equal(PML4_INDEX(USER_END - 1), 255);
}

static void test_percpu_slots(void **state)
{
	assert_int_equal(PERCPU_SLOT(0), PERCPU_BASE);
	assert_int_equal(PERCPU_SLOT(1) - PERCPU_SLOT(0), 16u << 20);
	assert_int_equal(PERCPU_SLOT(PERCPU_MAX_CPUS), PERCPU_END);
	assert_int_equal(PERCPU_SIZE, 8ul << 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regions_match_the_contract),
		cmocka_unit_test(test_regions_ordered_and_disjoint),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_kernel_half_is_bit_63),
		cmocka_unit_test(test_region_of),
		cmocka_unit_test(test_pml4_slots),
		cmocka_unit_test(test_percpu_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
