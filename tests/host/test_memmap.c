/*
 * test_memmap.c - host tests for the memory-map sanitizer
 * (kernel/mm/memmap.c), including a randomized comparison against a
 * brute-force reference.  Inputs are passed in malloc()ed arrays of exactly
 * n entries so that AddressSanitizer catches any read past in[n-1].
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include <keel/memmap.h>
#include <keel/types.h>

#define AV MEMMAP_AVAILABLE
#define RS MEMMAP_RESERVED
#define AR MEMMAP_ACPI_RECLAIMABLE
#define NV MEMMAP_ACPI_NVS
#define BD MEMMAP_BAD

static struct memmap_entry out[MEMMAP_MAX + 8];
static struct memmap_report rep;

/* Sanitize a copy of in[0..n) held in a buffer of exactly n entries. */
static size_t run(const struct memmap_entry *in, size_t n, size_t cap)
{
	struct memmap_entry *copy = malloc((n ? n : 1) * sizeof(*copy));
	size_t got;

	assert_non_null(copy);
	memcpy(copy, in, n * sizeof(*copy));
	memset(out, 0xcc, sizeof(out));
	memset(&rep, 0xcc, sizeof(rep));
	got = memmap_sanitize(copy, n, out, cap, &rep);
	assert_true(got <= cap);
	free(copy);
	return got;
}

static void assert_entry(size_t i, u64 base, u64 end, u32 type)
{
	assert_int_equal(out[i].base, base);
	assert_int_equal(out[i].length, end - base);
	assert_int_equal(out[i].type, type);
}

static void assert_clean_report(void)
{
	assert_int_equal(rep.unsorted, 0);
	assert_int_equal(rep.overlaps, 0);
	assert_int_equal(rep.empty, 0);
	assert_int_equal(rep.wrapped, 0);
	assert_int_equal(rep.unknown, 0);
	assert_int_equal(rep.truncated, 0);
}

/* Output invariants: sorted, disjoint, no same-type neighbours touching. */
static void assert_well_formed(size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		assert_true(out[i].length > 0);
		assert_true(out[i].type >= AV && out[i].type <= BD);
		assert_true(out[i].length <= UINT64_MAX - out[i].base);
		if (i == 0)
			continue;
		assert_true(out[i - 1].base + out[i - 1].length <= out[i].base);
		if (out[i - 1].base + out[i - 1].length == out[i].base)
			assert_int_not_equal(out[i - 1].type, out[i].type);
	}
}

/* A PC-like map, already clean. */
static const struct memmap_entry pc_map[] = {
	{ 0x0, 0x9fc00, AV },	     { 0x9fc00, 0x400, RS },	  { 0xf0000, 0x10000, RS },
	{ 0x100000, 0x7ee0000, AV }, { 0x7fe0000, 0x20000, AR },  { 0x8000000, 0x10000, NV },
	{ 0xfeffc000, 0x4000, RS },  { 0xfffc0000, 0x40000, RS }, { 0x100000000, 0x40000000, AV },
};

static void test_sorted_unchanged(void **state)
{
	size_t n, i;

	(void)state;
	n = run(pc_map, ARRAY_SIZE(pc_map), MEMMAP_MAX);
	assert_int_equal(n, ARRAY_SIZE(pc_map));
	for (i = 0; i < n; i++) {
		assert_int_equal(out[i].base, pc_map[i].base);
		assert_int_equal(out[i].length, pc_map[i].length);
		assert_int_equal(out[i].type, pc_map[i].type);
	}
	assert_clean_report();
}

static void test_unsorted_sorted(void **state)
{
	static const size_t order[] = { 8, 3, 0, 5, 1, 7, 2, 6, 4 };
	struct memmap_entry in[ARRAY_SIZE(pc_map)];
	size_t n, i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(order); i++)
		in[i] = pc_map[order[i]];
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, ARRAY_SIZE(pc_map));
	for (i = 0; i < n; i++) {
		assert_int_equal(out[i].base, pc_map[i].base);
		assert_int_equal(out[i].length, pc_map[i].length);
		assert_int_equal(out[i].type, pc_map[i].type);
	}
	/* Drops: 8->3, 3->0, 5->1, 7->2, 6->4. */
	assert_int_equal(rep.unsorted, 5);
	assert_int_equal(rep.overlaps, 0);
	assert_int_equal(rep.truncated, 0);
}

static void test_reserved_inside_available(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0x100000, 0x900000, AV },
		{ 0x400000, 0x1000, RS },
	};
	size_t n;

	(void)state;
	n = run(in, 2, MEMMAP_MAX);
	assert_int_equal(n, 3);
	assert_entry(0, 0x100000, 0x400000, AV);
	assert_entry(1, 0x400000, 0x401000, RS);
	assert_entry(2, 0x401000, 0xa00000, AV);
	assert_int_equal(rep.overlaps, 1);
	assert_int_equal(rep.unsorted, 0);
}

/* Available inside reserved changes nothing: reserved wins. */
static void test_available_inside_reserved(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0x1000, 0x9000, RS },
		{ 0x2000, 0x1000, AV },
	};
	size_t n;

	(void)state;
	n = run(in, 2, MEMMAP_MAX);
	assert_int_equal(n, 1);
	assert_entry(0, 0x1000, 0xa000, RS);
	assert_int_equal(rep.overlaps, 1);
}

static void test_adjacent_same_type_merged(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0x0, 0x1000, AV },	{ 0x1000, 0x1000, AV },
		{ 0x2000, 0x3000, AV }, { 0x5000, 0x1000, RS },
		{ 0x6000, 0x1000, RS }, { 0x8000, 0x1000, RS }, /* hole before: not merged */
	};
	size_t n;

	(void)state;
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, 3);
	assert_entry(0, 0x0, 0x5000, AV);
	assert_entry(1, 0x5000, 0x7000, RS);
	assert_entry(2, 0x8000, 0x9000, RS);
	/* Touching is not overlapping. */
	assert_clean_report();
}

static void test_adjacent_different_types_kept(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0x0, 0x1000, AV },	{ 0x1000, 0x1000, AR }, { 0x2000, 0x1000, NV },
		{ 0x3000, 0x1000, BD }, { 0x4000, 0x1000, AV },
	};
	size_t n, i;

	(void)state;
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		assert_entry(i, in[i].base, in[i].base + in[i].length, in[i].type);
	assert_clean_report();
}

/* Onion: each type nested inside the previous, less restrictive one. */
static void test_nested_overlaps(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0, 100, AV }, { 10, 80, AR }, { 20, 60, NV }, { 30, 40, RS }, { 40, 20, BD },
	};
	static const u32 types[] = { AV, AR, NV, RS, BD, RS, NV, AR, AV };
	static const u64 edges[] = { 0, 10, 20, 30, 40, 60, 70, 80, 90, 100 };
	size_t n, i;

	(void)state;
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, 9);
	for (i = 0; i < n; i++)
		assert_entry(i, edges[i], edges[i + 1], types[i]);
	assert_int_equal(rep.overlaps, 10); /* every pair of the five */
}

/* The reverse onion: the restrictive outside swallows everything. */
static void test_nested_restrictive_outside(void **state)
{
	static const struct memmap_entry in[] = {
		{ 40, 20, AV }, { 30, 40, AR }, { 20, 60, NV }, { 10, 80, RS }, { 0, 100, BD },
	};
	size_t n;

	(void)state;
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, 1);
	assert_entry(0, 0, 100, BD);
	assert_int_equal(rep.overlaps, 10);
	assert_int_equal(rep.unsorted, 4);
}

/* Every pair of types, partly overlapping: the winner takes the middle. */
static void test_priority_pairs(void **state)
{
	static const u32 by_rank[] = { AV, AR, NV, RS, BD };
	size_t a, b, n;

	(void)state;
	for (a = 0; a < 5; a++) {
		for (b = 0; b < 5; b++) {
			struct memmap_entry in[] = {
				{ 0x1000, 0x2000, by_rank[a] },
				{ 0x2000, 0x2000, by_rank[b] },
			};
			/* The winner's piece absorbs the shared middle. */
			u64 cut = a > b ? 0x3000 : 0x2000;

			n = run(in, 2, MEMMAP_MAX);
			assert_int_equal(rep.overlaps, 1);
			if (a == b) {
				assert_int_equal(n, 1);
				assert_entry(0, 0x1000, 0x4000, by_rank[a]);
				continue;
			}
			assert_int_equal(n, 2);
			assert_entry(0, 0x1000, cut, by_rank[a]);
			assert_entry(1, cut, 0x4000, by_rank[b]);
			assert_well_formed(n);
		}
	}
}

static void test_identical_duplicates(void **state)
{
	static const struct memmap_entry same[] = {
		{ 0x1000, 0x1000, AV },
		{ 0x1000, 0x1000, AV },
		{ 0x1000, 0x1000, AV },
	};
	static const struct memmap_entry mixed[] = {
		{ 0x1000, 0x1000, AV },
		{ 0x1000, 0x1000, NV },
		{ 0x1000, 0x1000, AR },
	};
	size_t n;

	(void)state;
	n = run(same, 2, MEMMAP_MAX);
	assert_int_equal(n, 1);
	assert_entry(0, 0x1000, 0x2000, AV);
	assert_int_equal(rep.overlaps, 1);
	assert_int_equal(rep.unsorted, 0);

	n = run(same, 3, MEMMAP_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(rep.overlaps, 3);

	n = run(mixed, 3, MEMMAP_MAX);
	assert_int_equal(n, 1);
	assert_entry(0, 0x1000, 0x2000, NV);
	assert_int_equal(rep.overlaps, 3);
}

static void test_zero_length(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0x0, 0x10000, AV },
		{ 0x4000, 0, BD },  /* inside: must not split */
		{ 0x20000, 0, RS }, /* alone: nothing */
		{ 0x10000, 0, RS }, /* at an end */
	};
	size_t n;

	(void)state;
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, 1);
	assert_entry(0, 0x0, 0x10000, AV);
	assert_int_equal(rep.empty, 3);
	assert_int_equal(rep.overlaps, 0);
	assert_int_equal(rep.unsorted, 1); /* 0x10000 after 0x20000 */
}

static void test_wrap_at_2_64(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0x1000, 0x1000, AV },
		{ 0xffffffffffff0000ull, 0x20000, RS }, /* passes 2^64 */
		{ 0xfffffffffffff000ull, 0x1000, RS },	/* ends at 2^64 */
		{ UINT64_MAX, 1, BD },			/* top byte */
		{ 0x2000, UINT64_MAX, AV },		/* nearly all */
	};
	size_t n;

	(void)state;
	n = run(in, 3, MEMMAP_MAX);
	assert_int_equal(n, 2);
	assert_entry(0, 0x1000, 0x2000, AV);
	assert_entry(1, 0xffffffffffff0000ull, UINT64_MAX, RS);
	assert_int_equal(rep.wrapped, 2);
	assert_int_equal(rep.overlaps, 1);

	/* A byte at the very top vanishes once clipped. */
	n = run(&in[3], 1, MEMMAP_MAX);
	assert_int_equal(n, 0);
	assert_int_equal(rep.wrapped, 1);
	assert_int_equal(rep.empty, 0);

	/* Ending exactly at UINT64_MAX (exclusive) fits: not wrapped. */
	{
		struct memmap_entry top = { 0x10, UINT64_MAX - 0x10, AV };

		n = run(&top, 1, MEMMAP_MAX);
		assert_int_equal(n, 1);
		assert_entry(0, 0x10, UINT64_MAX, AV);
		assert_int_equal(rep.wrapped, 0);
	}

	/* A huge length from 0x2000 is clipped, reserved still wins on top. */
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, 2);
	assert_entry(0, 0x1000, 0xffffffffffff0000ull, AV);
	assert_entry(1, 0xffffffffffff0000ull, UINT64_MAX, RS);
	assert_int_equal(rep.wrapped, 4);
	assert_well_formed(n);
}

static void test_unknown_type(void **state)
{
	static const struct memmap_entry in[] = {
		{ 0x0, 0x4000, AV },	{ 0x1000, 0x1000, 0 },		 { 0x2000, 0x1000, 6 },
		{ 0x3000, 0x1000, RS }, { 0x8000, 0x1000, 0xffffffffu }, { 0x8800, 0x1000, BD },
	};
	size_t n;

	(void)state;
	n = run(in, ARRAY_SIZE(in), MEMMAP_MAX);
	assert_int_equal(n, 4);
	assert_entry(0, 0x0, 0x1000, AV);
	assert_entry(1, 0x1000, 0x4000, RS); /* unknown, unknown, reserved */
	assert_entry(2, 0x8000, 0x8800, RS);
	assert_entry(3, 0x8800, 0x9800, BD); /* bad beats unknown */
	assert_int_equal(rep.unknown, 3);
	assert_int_equal(rep.overlaps, 4);
}

static void test_output_cap_truncation(void **state)
{
	struct memmap_entry in[10];
	size_t n, i;

	(void)state;
	for (i = 0; i < 10; i++) {
		in[i].base = i * 0x10000;
		in[i].length = 0x1000;
		in[i].type = AV;
	}
	n = run(in, 10, 4);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++)
		assert_entry(i, i * 0x10000, i * 0x10000 + 0x1000, AV);
	assert_int_equal(out[4].base, 0xccccccccccccccccull); /* untouched */
	assert_int_equal(rep.truncated, 6);

	/* Touching pieces merge before the cap counts: 9 pieces, 1 lost. */
	in[9].base = 0x81000;
	n = run(in, 10, 8);
	assert_int_equal(n, 8);
	assert_entry(7, 0x70000, 0x71000, AV);
	assert_int_equal(rep.truncated, 1);

	/* No output at all: only counting. */
	assert_int_equal(memmap_sanitize(in, 10, NULL, 0, &rep), 0);
	assert_int_equal(rep.truncated, 9);
}

static void test_empty_and_null(void **state)
{
	(void)state;
	assert_int_equal(memmap_sanitize(pc_map, 0, out, MEMMAP_MAX, &rep), 0);
	assert_clean_report();
	assert_int_equal(memmap_sanitize(NULL, 0, out, MEMMAP_MAX, &rep), 0);
	assert_clean_report();
	assert_int_equal(memmap_sanitize(NULL, 5, out, MEMMAP_MAX, &rep), 0);
	assert_clean_report();
	/* rep may be NULL. */
	assert_int_equal(memmap_sanitize(pc_map, ARRAY_SIZE(pc_map), out, MEMMAP_MAX, NULL),
			 ARRAY_SIZE(pc_map));
}

/* ---- Randomized comparison against a brute-force reference ------------ */

static int ref_rank(u32 type)
{
	switch (type) {
	case AV:
		return 0;
	case AR:
		return 1;
	case NV:
		return 2;
	case BD:
		return 4;
	default:
		return 3;
	}
}

static const u32 ref_rank_type[] = { AV, AR, NV, RS, BD };

struct ref_iv {
	u64 b, e;
	int rank;
};

static struct ref_iv ref_iv[MEMMAP_MAX_RAW];
static u64 ref_pts[2 * MEMMAP_MAX_RAW];
static struct memmap_entry ref_out[MEMMAP_MAX];

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The reference: clip each entry, cut the line at every entry edge, give
 * each elementary piece the highest rank covering its first byte, merge
 * touching pieces of the same type.  Also recomputes every report count.
 */
static size_t reference(const struct memmap_entry *in, size_t n, struct memmap_report *r)
{
	size_t m = MIN(n, (size_t)MEMMAP_MAX_RAW), niv = 0, np = 0, i, j, k;
	size_t nout = 0;

	memset(r, 0, sizeof(*r));
	r->truncated = n - m;
	for (i = 0; i < m; i++) {
		u64 b = in[i].base, e;

		if (i && b < in[i - 1].base)
			r->unsorted++;
		if (in[i].type < AV || in[i].type > BD)
			r->unknown++;
		if (!in[i].length) {
			r->empty++;
			continue;
		}
		if (in[i].length > UINT64_MAX - b) {
			r->wrapped++;
			e = UINT64_MAX;
		} else {
			e = b + in[i].length;
		}
		if (b == e)
			continue;
		ref_iv[niv++] = (struct ref_iv){ b, e, ref_rank(in[i].type) };
		ref_pts[np++] = b;
		ref_pts[np++] = e;
	}
	for (i = 0; i < niv; i++)
		for (j = i + 1; j < niv; j++)
			if (MAX(ref_iv[i].b, ref_iv[j].b) < MIN(ref_iv[i].e, ref_iv[j].e))
				r->overlaps++;
	qsort(ref_pts, np, sizeof(ref_pts[0]), cmp_u64);
	for (k = 0; k + 1 < np; k++) {
		u64 p = ref_pts[k], q = ref_pts[k + 1];
		int best = -1;

		if (p == q)
			continue;
		for (i = 0; i < niv; i++)
			if (ref_iv[i].b <= p && p < ref_iv[i].e)
				best = MAX(best, ref_iv[i].rank);
		if (best < 0)
			continue;
		if (nout && ref_out[nout - 1].type == ref_rank_type[best] &&
		    ref_out[nout - 1].base + ref_out[nout - 1].length == p) {
			ref_out[nout - 1].length += q - p;
			continue;
		}
		ref_out[nout++] = (struct memmap_entry){ p, q - p, ref_rank_type[best] };
	}
	return nout;
}

/* One random entry; `span` (frames) sets how crowded the map is. */
static struct memmap_entry random_entry(u64 span)
{
	static const u32 odd_types[] = { 0, 6, 7, 0x1000, 0xffffffffu };
	struct memmap_entry e;
	u64 r = rng_next();

	e.base = (rng_next() % span) * 0x1000;
	e.length = (1 + rng_next() % 64) * 0x1000;
	if (r % 8 == 0)
		e.base += rng_next() % 0x1000; /* unaligned */
	if (r % 8 == 1)
		e.length += rng_next() % 0x1000;
	if (r % 32 == 2)
		e.length = 0;
	if (r % 64 == 3) { /* near the top, maybe wrapping */
		e.base = UINT64_MAX - rng_next() % 0x100000;
		e.length = rng_next() % 0x200000;
	}
	e.type = 1 + (u32)((r >> 8) % 5);
	if ((r >> 16) % 16 == 0)
		e.type = odd_types[(r >> 20) % ARRAY_SIZE(odd_types)];
	return e;
}

static void compare_random(u64 seed, size_t n, u64 span, bool sorted)
{
	struct memmap_entry *in = malloc(n * sizeof(*in));
	struct memmap_report want;
	size_t i, got, nref;

	assert_non_null(in);
	rng_state = seed;
	for (i = 0; i < n; i++)
		in[i] = random_entry(span);
	if (sorted) /* mostly sorted input: bump each base past the last */
		for (i = 1; i < n; i++)
			if (in[i].base < in[i - 1].base && rng_next() % 8)
				in[i].base = in[i - 1].base;
	nref = reference(in, n, &want);
	got = run(in, n, MEMMAP_MAX);
	assert_int_equal(got, nref);
	for (i = 0; i < got; i++) {
		assert_int_equal(out[i].base, ref_out[i].base);
		assert_int_equal(out[i].length, ref_out[i].length);
		assert_int_equal(out[i].type, ref_out[i].type);
	}
	assert_int_equal(rep.unsorted, want.unsorted);
	assert_int_equal(rep.overlaps, want.overlaps);
	assert_int_equal(rep.empty, want.empty);
	assert_int_equal(rep.wrapped, want.wrapped);
	assert_int_equal(rep.unknown, want.unknown);
	assert_int_equal(rep.truncated, want.truncated);
	assert_well_formed(got);
	free(in);
}

static void test_random_1024_vs_reference(void **state)
{
	u64 seed;

	(void)state;
	for (seed = 1; seed <= 12; seed++) {
		/* Dense (heavy overlap) and sparse (mostly disjoint) maps. */
		compare_random(seed * 0x9e3779b97f4a7c15ull, MEMMAP_MAX_RAW, 2048, false);
		compare_random(seed * 0xbf58476d1ce4e5b9ull, MEMMAP_MAX_RAW, 1u << 20, false);
		compare_random(seed * 0x94d049bb133111ebull, MEMMAP_MAX_RAW, 1u << 16, true);
	}
}

static void test_random_small_vs_reference(void **state)
{
	u64 seed;

	(void)state;
	for (seed = 1; seed <= 2000; seed++)
		compare_random(seed * 0x2545f4914f6cdd1dull, 1 + seed % 12, 16, false);
}

/* Beyond MEMMAP_MAX_RAW inputs: the rest is ignored and counted. */
static void test_more_than_max_raw(void **state)
{
	size_t n = MEMMAP_MAX_RAW + 76, i, got;
	struct memmap_entry *in = malloc(n * sizeof(*in));

	(void)state;
	assert_non_null(in);
	for (i = 0; i < n; i++) {
		in[i].base = i * 0x2000;
		in[i].length = 0x1000;
		in[i].type = AV;
	}
	/* Past the limit: would cover everything as bad if it were read. */
	in[MEMMAP_MAX_RAW + 3] = (struct memmap_entry){ 0, 1ull << 40, BD };
	got = run(in, n, MEMMAP_MAX);
	assert_int_equal(got, MEMMAP_MAX_RAW);
	for (i = 0; i < got; i++)
		assert_entry(i, i * 0x2000, i * 0x2000 + 0x1000, AV);
	assert_int_equal(rep.truncated, 76);
	assert_int_equal(rep.overlaps, 0);
	free(in);
}

/* The worst case for the output: 1024 entries cut into 2047 pieces. */
static void test_max_pieces(void **state)
{
	struct memmap_entry *in = malloc(MEMMAP_MAX_RAW * sizeof(*in));
	size_t i, got;

	(void)state;
	assert_non_null(in);
	in[0] = (struct memmap_entry){ 0, 0x10000000, AV };
	for (i = 1; i < MEMMAP_MAX_RAW; i++)
		in[i] = (struct memmap_entry){ i * 0x10000, 0x1000, RS };
	got = run(in, MEMMAP_MAX_RAW, MEMMAP_MAX);
	assert_int_equal(got, 2 * MEMMAP_MAX_RAW - 1);
	assert_entry(0, 0, 0x10000, AV);
	assert_entry(1, 0x10000, 0x11000, RS);
	assert_entry(got - 1, (MEMMAP_MAX_RAW - 1) * 0x10000 + 0x1000, 0x10000000, AV);
	assert_int_equal(rep.overlaps, MEMMAP_MAX_RAW - 1);
	assert_int_equal(rep.truncated, 0);
	assert_well_formed(got);
	free(in);
}

static void test_is_ram(void **state)
{
	(void)state;
	assert_true(memmap_is_ram(MEMMAP_AVAILABLE));
	assert_true(memmap_is_ram(MEMMAP_ACPI_RECLAIMABLE));
	assert_true(memmap_is_ram(MEMMAP_ACPI_NVS));
	assert_false(memmap_is_ram(MEMMAP_RESERVED));
	assert_false(memmap_is_ram(MEMMAP_BAD));
	assert_false(memmap_is_ram(0));
	assert_false(memmap_is_ram(6));
	assert_false(memmap_is_ram(0xffffffffu));
}

static void test_type_name(void **state)
{
	(void)state;
	assert_string_equal(memmap_type_name(MEMMAP_AVAILABLE), "available");
	assert_string_equal(memmap_type_name(MEMMAP_RESERVED), "reserved");
	assert_string_equal(memmap_type_name(MEMMAP_ACPI_RECLAIMABLE), "ACPI reclaimable");
	assert_string_equal(memmap_type_name(MEMMAP_ACPI_NVS), "ACPI NVS");
	assert_string_equal(memmap_type_name(MEMMAP_BAD), "bad");
	assert_string_equal(memmap_type_name(0), "unknown");
	assert_string_equal(memmap_type_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_unchanged),
		cmocka_unit_test(test_unsorted_sorted),
		cmocka_unit_test(test_reserved_inside_available),
		cmocka_unit_test(test_available_inside_reserved),
		cmocka_unit_test(test_adjacent_same_type_merged),
		cmocka_unit_test(test_adjacent_different_types_kept),
		cmocka_unit_test(test_nested_overlaps),
		cmocka_unit_test(test_nested_restrictive_outside),
		cmocka_unit_test(test_priority_pairs),
		cmocka_unit_test(test_identical_duplicates),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_wrap_at_2_64),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_output_cap_truncation),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_random_1024_vs_reference),
		cmocka_unit_test(test_random_small_vs_reference),
		cmocka_unit_test(test_more_than_max_raw),
		cmocka_unit_test(test_max_pieces),
		cmocka_unit_test(test_is_ram),
		cmocka_unit_test(test_type_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
