/*
 * test_range.c - finding an address in a sorted range list
 * (kernel/lib/range.c), against a linear scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <keel/range.h>
#include "testutil.h"

/* The answers by looking at every range. */
static size_t slow_upto(const struct range *r, size_t n, u64 a)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += r[i].base <= a;
	return c;
}

static size_t slow_find(const struct range *r, size_t n, u64 a)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].base <= a && a < r[i].end)
			return i;
	return n;
}

static size_t slow_first_above(const struct range *r, size_t n, u64 a)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].end > a)
			return i;
	return n;
}

static void check_all(const struct range *r, size_t n, u64 a)
{
	assert_int_equal(range_upto(r, n, a), slow_upto(r, n, a));
	assert_int_equal(range_find(r, n, a), slow_find(r, n, a));
	assert_int_equal(range_first_above(r, n, a), slow_first_above(r, n, a));
}

static void test_fixed(void **state)
{
	/* Touching, apart, and one ending at the top of the address space. */
	static const struct range r[] = {
		{ 0x1000, 0x3000 },
		{ 0x3000, 0x4000 },
		{ 0x8000, 0x9000 },
		{ 0xfffffffffffff000ull, UINT64_MAX },
	};
	static const u64 addrs[] = { 0,
				     0xfff,
				     0x1000,
				     0x2fff,
				     0x3000,
				     0x3fff,
				     0x4000,
				     0x7fff,
				     0x8000,
				     0x8fff,
				     0x9000,
				     0xffffffffffffefffull,
				     0xfffffffffffff000ull,
				     UINT64_MAX - 1,
				     UINT64_MAX };

	for (size_t n = 0; n <= ARRAY_SIZE(r); n++)
		for (size_t i = 0; i < ARRAY_SIZE(addrs); i++)
			check_all(r, n, addrs[i]);
	assert_int_equal(range_find(r, 4, 0x3000), 1);
	assert_int_equal(range_find(r, 4, 0x5000), 4);
	assert_int_equal(range_first_above(r, 4, 0x5000), 2);
	assert_int_equal(range_first_above(r, 4, 0x2fff), 0);
	assert_int_equal(range_upto(r, 4, 0x8000), 3);
}

static void test_random(void **state)
{
	struct range r[64];

	rng_state = 0x7a4e5;
	for (int round = 0; round < 500; round++) {
		size_t n = rng_next() % (ARRAY_SIZE(r) + 1);
		u64 at = rng_next() % 0x10000;

		/* Sorted and disjoint; some touch, some are empty. */
		for (size_t i = 0; i < n; i++) {
			at += rng_next() % 3 == 0 ? 0 : rng_next() % 0x1000;
			r[i].base = at;
			at += rng_next() % 5 == 0 ? 0 : rng_next() % 0x1000;
			r[i].end = at;
		}
		for (int k = 0; k < 50; k++)
			check_all(r, n, rng_next() % (at + 0x2000));
		for (size_t i = 0; i < n; i++) {
			check_all(r, n, r[i].base);
			check_all(r, n, r[i].end);
			check_all(r, n, r[i].end - 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
