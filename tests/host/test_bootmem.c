/*
 * test_bootmem.c - host tests for the boot-time frame allocator
 * (kernel/mm/bootmem.c), with a randomized comparison against a
 * frame-by-frame reference model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include <keel/bootmem.h>
#include <keel/memmap.h>
#include <keel/types.h>

#define K4 0x1000ull
#define M1 0x100000ull
#define M2 0x200000ull
#define AV MEMMAP_AVAILABLE
#define RS MEMMAP_RESERVED

static struct bootmem bm;

static void assert_range(size_t i, u64 base, u64 end)
{
	assert_true(i < bm.count);
	assert_int_equal(bm.free[i].base, base);
	assert_int_equal(bm.free[i].end, end);
}

/* The list's invariants: sorted, disjoint, not touching, whole frames. */
static void assert_well_formed(void)
{
	size_t i;

	assert_true(bm.count <= BOOTMEM_MAX_RANGES);
	for (i = 0; i < bm.count; i++) {
		assert_true(bm.free[i].base < bm.free[i].end);
		assert_true(IS_ALIGNED(bm.free[i].base, K4));
		assert_true(IS_ALIGNED(bm.free[i].end, K4));
		if (i)
			assert_true(bm.free[i - 1].end < bm.free[i].base);
	}
}

/* Start from a list of free ranges given as available map entries. */
static void init_ranges(const struct range *r, size_t n)
{
	struct memmap_entry map[16];
	size_t i;

	assert_true(n <= ARRAY_SIZE(map));
	for (i = 0; i < n; i++) {
		map[i].base = r[i].base;
		map[i].length = r[i].end - r[i].base;
		map[i].type = AV;
	}
	memset(&bm, 0xcc, sizeof(bm));
	bootmem_init(&bm, map, n);
	assert_int_equal(bm.count, n);
	assert_int_equal(bm.dropped, 0);
	assert_int_equal(bm.allocated, 0);
}

/* ---- Init -------------------------------------------------------------- */

static void test_init_from_map(void **state)
{
	static const struct memmap_entry map[] = {
		{ 0x0, 0x9fc00, AV }, /* end trimmed: 0x9f000 */
		{ 0x9fc00, 0x400, RS },
		{ 0xf0000, 0x10000, RS },
		{ 0x100000, 0x7ee0000, AV },
		{ 0x7fe0000, 0x20000, MEMMAP_ACPI_RECLAIMABLE },
		{ 0x8000000, 0x10000, MEMMAP_ACPI_NVS },
		{ 0x8010800, 0x1000, AV }, /* no whole frame inside */
		{ 0x8020800, 0x2800, AV }, /* one whole frame */
		{ 0x8030000, 0x1000, MEMMAP_BAD },
		{ 0x8040000, 0, AV }, /* empty */
		{ 0x100000000, 0x40000000, AV },
	};

	(void)state;
	memset(&bm, 0xcc, sizeof(bm));
	bootmem_init(&bm, map, ARRAY_SIZE(map));
	assert_int_equal(bm.count, 4);
	assert_range(0, 0x0, 0x9f000);
	assert_range(1, 0x100000, 0x7fe0000);
	assert_range(2, 0x8021000, 0x8023000);
	assert_range(3, 0x100000000, 0x140000000);
	assert_int_equal(bm.dropped, 0);
	assert_int_equal(bm.allocated, 0);
	assert_int_equal(bootmem_free_bytes(&bm), 0x9f000 + 0x7ee0000 + 0x2000 + 0x40000000);
	assert_well_formed();
}

/* The normal path: a raw map through memmap_sanitize(), then bootmem. */
static void test_init_from_sanitized(void **state)
{
	static const struct memmap_entry raw[] = {
		{ 0x100000, 0x3f00000, AV }, { 0x0, 0xa0000, AV },
		{ 0x80000, 0x1000, RS },   /* inside the low RAM */
		{ 0x2000000, 0x800, RS },  /* partial frame inside */
		{ 0x4000000, 0x1000, AV }, /* touching the big range */
	};
	struct memmap_entry map[MEMMAP_MAX];
	size_t n;

	(void)state;
	n = memmap_sanitize(raw, ARRAY_SIZE(raw), map, MEMMAP_MAX, NULL);
	bootmem_init(&bm, map, n);
	assert_int_equal(bm.count, 4);
	assert_range(0, 0x0, 0x80000);
	assert_range(1, 0x81000, 0xa0000);
	assert_range(2, 0x100000, 0x2000000);
	assert_range(3, 0x2001000, 0x4001000);
	assert_well_formed();
}

static void test_init_top_of_memory(void **state)
{
	static const struct memmap_entry map[] = {
		{ 0xfffffffffff00000ull, 0x10000, AV },
		{ 0xffffffffffffe000ull, 0x1fff, AV }, /* ends at 2^64 - 1 */
		{ UINT64_MAX - 0x800, 0x800, AV },     /* above last frame */
	};

	(void)state;
	bootmem_init(&bm, map, ARRAY_SIZE(map));
	assert_int_equal(bm.count, 2);
	assert_range(0, 0xfffffffffff00000ull, 0xfffffffffff10000ull);
	assert_range(1, 0xffffffffffffe000ull, 0xfffffffffffff000ull);
	assert_well_formed();
}

/* Not a sanitized map: touching ranges merge, out-of-order ones drop. */
static void test_init_unsanitized(void **state)
{
	static const struct memmap_entry map[] = {
		{ 0x10000, 0x10000, AV }, { 0x20000, 0x10000, AV }, /* touches: merged */
		{ 0x28000, 0x10000, AV },			    /* overlaps: dropped */
		{ 0x1000, 0x1000, AV },				    /* below: dropped */
		{ 0x40000, 0x1000, AV },
	};

	(void)state;
	bootmem_init(&bm, map, ARRAY_SIZE(map));
	assert_int_equal(bm.count, 2);
	assert_range(0, 0x10000, 0x30000);
	assert_range(1, 0x40000, 0x41000);
	assert_int_equal(bm.dropped, 2);
	assert_well_formed();
}

static void test_init_empty(void **state)
{
	(void)state;
	memset(&bm, 0xcc, sizeof(bm));
	bootmem_init(&bm, NULL, 0);
	assert_int_equal(bm.count, 0);
	assert_int_equal(bm.dropped, 0);
	assert_int_equal(bm.allocated, 0);
	assert_int_equal(bootmem_free_bytes(&bm), 0);
	assert_int_equal(bootmem_alloc(&bm, K4, K4, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_reserve(&bm, 0, UINT64_MAX), 0);
}

/* ---- Reserve ------------------------------------------------------------ */

static const struct range three[] = {
	{ 0x10000, 0x20000 },
	{ 0x30000, 0x40000 },
	{ 0x50000, 0x60000 },
};

static void test_reserve_split(void **state)
{
	(void)state;
	init_ranges(three, 3);
	assert_int_equal(bootmem_reserve(&bm, 0x34000, 0x2000), 0);
	assert_int_equal(bm.count, 4);
	assert_range(0, 0x10000, 0x20000);
	assert_range(1, 0x30000, 0x34000);
	assert_range(2, 0x36000, 0x40000);
	assert_range(3, 0x50000, 0x60000);
	assert_int_equal(bootmem_free_bytes(&bm), 0x30000 - 0x2000);
	assert_well_formed();
}

/* Partial frames are removed whole: both ends are rounded outwards. */
static void test_reserve_partial_frames(void **state)
{
	(void)state;
	init_ranges(three, 3);
	assert_int_equal(bootmem_reserve(&bm, 0x34fff, 2), 0);
	assert_range(1, 0x30000, 0x34000);
	assert_range(2, 0x36000, 0x40000);
	assert_int_equal(bootmem_reserve(&bm, 0x10001, 1), 0);
	assert_range(0, 0x11000, 0x20000);
	assert_int_equal(bm.count, 4);
	assert_well_formed();
}

static void test_reserve_covering(void **state)
{
	(void)state;
	/* Exactly one whole range. */
	init_ranges(three, 3);
	assert_int_equal(bootmem_reserve(&bm, 0x30000, 0x10000), 0);
	assert_int_equal(bm.count, 2);
	assert_range(0, 0x10000, 0x20000);
	assert_range(1, 0x50000, 0x60000);

	/* Tail of the first, all of the second, head of the third. */
	init_ranges(three, 3);
	assert_int_equal(bootmem_reserve(&bm, 0x18000, 0x40000), 0);
	assert_int_equal(bm.count, 2);
	assert_range(0, 0x10000, 0x18000);
	assert_range(1, 0x58000, 0x60000);

	/* Everything, starting and ending in holes. */
	init_ranges(three, 3);
	assert_int_equal(bootmem_reserve(&bm, 0x8000, 0x60000), 0);
	assert_int_equal(bm.count, 0);

	/* The head of one range, the tail of another, from the holes. */
	init_ranges(three, 3);
	assert_int_equal(bootmem_reserve(&bm, 0x0, 0x12000), 0);
	assert_int_equal(bootmem_reserve(&bm, 0x5c000, 0x10000), 0);
	assert_int_equal(bm.count, 3);
	assert_range(0, 0x12000, 0x20000);
	assert_range(2, 0x50000, 0x5c000);

	/* From a hole over two whole ranges into the third. */
	init_ranges(three, 3);
	assert_int_equal(bootmem_reserve(&bm, 0x0, 0x51000), 0);
	assert_int_equal(bm.count, 1);
	assert_range(0, 0x51000, 0x60000);
	assert_well_formed();
}

static void test_reserve_none(void **state)
{
	static const struct {
		u64 base, len;
	} cases[] = {
		{ 0x0, 0x10000 },      /* below, touching the first */
		{ 0x20000, 0x10000 },  /* a whole hole */
		{ 0x41000, 0x1000 },   /* inside a hole */
		{ 0x60000, 0x100000 }, /* above, touching the last */
		{ 0x30000, 0 },	       /* empty */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		init_ranges(three, 3);
		assert_int_equal(bootmem_reserve(&bm, cases[i].base, cases[i].len), 0);
		assert_int_equal(bm.count, 3);
		assert_memory_equal(bm.free, three, sizeof(three));
	}
}

/* A length running past 2^64 removes everything from base up. */
static void test_reserve_to_top(void **state)
{
	static const u64 lens[] = { UINT64_MAX, UINT64_MAX - 0x34000,
				    UINT64_MAX - 0x34000 - 0x800 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		init_ranges(three, 3);
		assert_int_equal(bootmem_reserve(&bm, 0x34000, lens[i]), 0);
		assert_int_equal(bm.count, 2);
		assert_range(0, 0x10000, 0x20000);
		assert_range(1, 0x30000, 0x34000);
	}
}

/* ---- Alloc -------------------------------------------------------------- */

static void test_alloc_lowest_fit(void **state)
{
	static const struct range r[] = {
		{ 0x1000, 0x3000 },   /* 2 frames */
		{ 0x10000, 0x20000 }, /* 16 frames */
		{ 0x30000, 0x34000 }, /* 4 frames */
	};

	(void)state;
	init_ranges(r, 3);
	/* 3 frames: the first range is too small. */
	assert_int_equal(bootmem_alloc(&bm, 0x3000, K4, UINT64_MAX), 0x10000);
	assert_range(1, 0x13000, 0x20000);
	/* 1 frame: the first range again. */
	assert_int_equal(bootmem_alloc(&bm, K4, K4, UINT64_MAX), 0x1000);
	assert_range(0, 0x2000, 0x3000);
	/* The last frame of the first range: the range goes away. */
	assert_int_equal(bootmem_alloc(&bm, K4, K4, UINT64_MAX), 0x2000);
	assert_int_equal(bm.count, 2);
	assert_range(0, 0x13000, 0x20000);
	assert_int_equal(bm.allocated, 0x5000);
	assert_well_formed();
}

static void test_alloc_rounds_size(void **state)
{
	static const struct range r[] = { { 0x10000, 0x20000 } };

	(void)state;
	init_ranges(r, 1);
	assert_int_equal(bootmem_alloc(&bm, 1, K4, UINT64_MAX), 0x10000);
	assert_int_equal(bootmem_alloc(&bm, K4 + 1, K4, UINT64_MAX), 0x11000);
	assert_range(0, 0x13000, 0x20000);
	assert_int_equal(bm.allocated, 3 * K4);
}

static void test_alloc_align_2m(void **state)
{
	static const struct range r[] = {
		{ 0x1000, 0x300000 }, /* room at 2M for 1M only */
		{ 0x301000, 0x900000 },
	};

	(void)state;
	init_ranges(r, 2);
	/* 2M at 2M alignment does not fit in the first: 0x400000. */
	assert_int_equal(bootmem_alloc(&bm, M2, M2, UINT64_MAX), 0x400000);
	assert_int_equal(bm.count, 3);
	assert_range(1, 0x301000, 0x400000); /* the head stays free */
	assert_range(2, 0x600000, 0x900000);
	/* 1M at 2M alignment fits in the first, at 0x200000. */
	assert_int_equal(bootmem_alloc(&bm, M1, M2, UINT64_MAX), 0x200000);
	assert_int_equal(bm.count, 3);
	assert_range(0, 0x1000, 0x200000);
	assert_range(1, 0x301000, 0x400000);
	/* 1M at 1M: exactly the first range's tail, no split needed. */
	assert_int_equal(bootmem_alloc(&bm, M1, M1, UINT64_MAX), 0x100000);
	assert_int_equal(bm.count, 3);
	assert_range(0, 0x1000, 0x100000);
	assert_range(2, 0x600000, 0x900000);
	assert_int_equal(bm.allocated, M2 + M1 + M1);
	assert_well_formed();
}

static void test_alloc_small_align_is_frame(void **state)
{
	static const struct range r[] = { { 0x10000, 0x20000 } };

	(void)state;
	init_ranges(r, 1);
	assert_int_equal(bootmem_alloc(&bm, K4, 1, UINT64_MAX), 0x10000);
	assert_int_equal(bootmem_alloc(&bm, K4, 64, UINT64_MAX), 0x11000);
}

static void test_alloc_bad_args(void **state)
{
	static const struct range r[] = { { 0x10000, 0x20000 } };

	(void)state;
	init_ranges(r, 1);
	assert_int_equal(bootmem_alloc(&bm, 0, K4, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, K4, 0, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, K4, 0x3000, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, K4, K4 + 1, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, UINT64_MAX, K4, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, UINT64_MAX - 0x800, K4, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, K4, 1ull << 63, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bm.count, 1);
	assert_range(0, 0x10000, 0x20000);
	assert_int_equal(bm.allocated, 0);
}

static void test_alloc_limit(void **state)
{
	static const struct range r[] = {
		{ 0x10000, 0x12000 },
		{ 0x100000, 0x200000 },
	};

	(void)state;
	init_ranges(r, 2);
	/* Ends exactly at the limit: allowed. */
	assert_int_equal(bootmem_alloc(&bm, 0x2000, K4, 0x12000), 0x10000);
	/* One byte short of room below the limit, then just enough. */
	assert_int_equal(bootmem_alloc(&bm, K4, K4, 0x100fff), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, K4, K4, 0x101000), 0x100000);
	/* The lowest fit ends above the limit: fail, nothing taken. */
	assert_int_equal(bootmem_alloc(&bm, 0x10000, K4, 0x110000 - 1), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, 0x10000, K4, 0), BOOTMEM_FAIL);
	assert_int_equal(bm.count, 1);
	assert_range(0, 0x101000, 0x200000);
	assert_int_equal(bm.allocated, 0x3000);
}

/* A range near the top of memory: no alignment arithmetic overflows. */
static void test_alloc_near_top(void **state)
{
	static const struct memmap_entry map[] = {
		{ 0xffffffffffe00000ull, 0x1ff000, AV },
	};

	(void)state;
	bootmem_init(&bm, map, 1);
	assert_int_equal(bootmem_alloc(&bm, K4, 1ull << 62, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, M2, M2, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_alloc(&bm, K4, M2, UINT64_MAX), 0xffffffffffe00000ull);
	assert_int_equal(bootmem_alloc(&bm, 0x1fe000, K4, UINT64_MAX), 0xffffffffffe01000ull);
	assert_int_equal(bm.count, 0);
}

static void test_exhaustion(void **state)
{
	static const struct range r[] = {
		{ 0x1000, 0x5000 },
		{ 0x8000, 0xa000 },
	};
	u64 got, expect[] = { 0x1000, 0x2000, 0x3000, 0x4000, 0x8000, 0x9000 };
	size_t i;

	(void)state;
	init_ranges(r, 2);
	for (i = 0; i < ARRAY_SIZE(expect); i++) {
		got = bootmem_alloc(&bm, K4, K4, UINT64_MAX);
		assert_int_equal(got, expect[i]);
	}
	assert_int_equal(bootmem_alloc(&bm, K4, K4, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bm.count, 0);
	assert_int_equal(bootmem_free_bytes(&bm), 0);
	assert_int_equal(bm.allocated, 6 * K4);

	/* Too big for any single range, though enough in total. */
	init_ranges(r, 2);
	assert_int_equal(bootmem_alloc(&bm, 5 * K4, K4, UINT64_MAX), BOOTMEM_FAIL);
	assert_int_equal(bootmem_free_bytes(&bm), 6 * K4);
}

/* ---- A full list --------------------------------------------------------- */

/* Fill the list: range i is [i * 64K, i * 64K + 32K). */
static void fill_list(void)
{
	static struct memmap_entry map[BOOTMEM_MAX_RANGES + 5];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		map[i].base = i * 0x10000;
		map[i].length = 0x8000;
		map[i].type = AV;
	}
	bootmem_init(&bm, map, ARRAY_SIZE(map));
	assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
	assert_int_equal(bm.dropped, 5);
	bm.dropped = 0;
}

static void test_full_list_reserve(void **state)
{
	u64 before;

	(void)state;
	fill_list();
	before = bootmem_free_bytes(&bm);
	/* A split needs a slot: the part above the hole is dropped. */
	assert_int_equal(bootmem_reserve(&bm, 0x52000, 0x2000), -1);
	assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
	assert_int_equal(bm.dropped, 1);
	assert_range(5, 0x50000, 0x52000);
	assert_range(6, 0x60000, 0x68000);
	assert_int_equal(bootmem_free_bytes(&bm), before - 0x6000);
	/* Trimming needs no slot. */
	assert_int_equal(bootmem_reserve(&bm, 0x60000, 0x1000), 0);
	assert_range(6, 0x61000, 0x68000);
	/* Removing a range frees a slot; a split works again. */
	assert_int_equal(bootmem_reserve(&bm, 0x70000, 0x8000), 0);
	assert_int_equal(bootmem_reserve(&bm, 0x92000, 0x2000), 0);
	assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
	assert_range(8, 0x90000, 0x92000);
	assert_range(9, 0x94000, 0x98000);
	assert_int_equal(bm.dropped, 1);
	assert_well_formed();
}

static void test_full_list_alloc(void **state)
{
	static const struct memmap_entry big = { 0, 0x800000, AV };
	u64 before;

	(void)state;
	fill_list();
	/* Replace the last range with one where a 2M alignment splits. */
	bm.free[bm.count - 1].base = 0x100000000ull + 0x1000;
	bm.free[bm.count - 1].end = 0x100000000ull + 0x800000;
	before = bootmem_free_bytes(&bm);
	assert_int_equal(bootmem_alloc(&bm, M1, M2, UINT64_MAX), 0x100000000ull + M2);
	/* No slot for the head: it was dropped, the tail kept. */
	assert_int_equal(bm.dropped, 1);
	assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
	assert_range(bm.count - 1, 0x100000000ull + M2 + M1, 0x100000000ull + 0x800000);
	assert_int_equal(bootmem_free_bytes(&bm), before - M1 - (M2 - 0x1000));
	assert_int_equal(bm.allocated, M1);
	/* Allocations that take a range's head need no slot. */
	assert_int_equal(bootmem_alloc(&bm, 0x8000, K4, UINT64_MAX), 0);
	assert_int_equal(bm.count, BOOTMEM_MAX_RANGES - 1);
	assert_well_formed();

	/* Sanity: the same alloc with room keeps the head. */
	bootmem_init(&bm, &big, 1);
	assert_int_equal(bootmem_reserve(&bm, 0, 0x1000), 0);
	assert_int_equal(bootmem_alloc(&bm, M1, M2, UINT64_MAX), M2);
	assert_int_equal(bm.count, 2);
	assert_range(0, 0x1000, M2);
	assert_int_equal(bm.dropped, 0);
}

/* ---- Randomized comparison against a frame model ------------------------ */

#define NF 4096 /* 16 MiB of frames */

static bool model[NF];

/* The list must be exactly the maximal free runs of the model. */
static void assert_matches_model(void)
{
	size_t i = 0, f = 0;

	while (f < NF) {
		size_t s;

		if (!model[f]) {
			f++;
			continue;
		}
		for (s = f; f < NF && model[f]; f++)
			;
		assert_true(i < bm.count);
		assert_int_equal(bm.free[i].base, s * K4);
		assert_int_equal(bm.free[i].end, f * K4);
		i++;
	}
	assert_int_equal(i, bm.count);
}

/* Lowest aligned start whose frames are all free and end <= limit. */
static u64 model_alloc(u64 frames, u64 align_frames, u64 limit)
{
	u64 s, k;

	for (s = 0; s + frames <= NF; s += align_frames) {
		if ((s + frames) * K4 > limit)
			return BOOTMEM_FAIL;
		for (k = 0; k < frames && model[s + k]; k++)
			;
		if (k == frames) {
			for (k = 0; k < frames; k++)
				model[s + k] = false;
			return s * K4;
		}
	}
	return BOOTMEM_FAIL;
}

/* Clear the frames touching [base, base+len); returns how many were free. */
static u64 model_reserve(u64 base, u64 len)
{
	u64 f, first = base / K4, last = (base + len + K4 - 1) / K4, n = 0;

	if (!len)
		return 0;
	for (f = first; f < last && f < NF; f++) {
		n += model[f];
		model[f] = false;
	}
	return n;
}

static void random_round(u64 seed)
{
	struct memmap_entry map[64];
	u64 initial, reserved = 0, pos = 0;
	size_t n = 0, i, f;
	int op;

	rng_state = seed;
	memset(model, 0, sizeof(model));
	/* A sorted, disjoint map with unaligned edges. */
	while (n < ARRAY_SIZE(map)) {
		u64 base = pos + rng_next() % 0x20000;
		u64 len = 1 + rng_next() % 0x80000;

		if (base + len > NF * K4)
			break;
		map[n++] = (struct memmap_entry){ base, len, rng_next() % 3 ? AV : RS };
		pos = base + len;
	}
	for (i = 0; i < n; i++) {
		if (map[i].type != AV)
			continue;
		for (f = (map[i].base + K4 - 1) / K4; (f + 1) * K4 <= map[i].base + map[i].length;
		     f++)
			model[f] = true;
	}
	bootmem_init(&bm, map, n);
	assert_matches_model();
	initial = bootmem_free_bytes(&bm);

	for (op = 0; op < 300; op++) {
		u64 r = rng_next();

		if (r % 3 == 0) {
			u64 base = rng_next() % (NF * K4);
			u64 len = rng_next() % (r % 2 ? 0x4000 : 0x100000);

			reserved += model_reserve(base, len) * K4;
			assert_int_equal(bootmem_reserve(&bm, base, len), 0);
		} else {
			u64 frames = 1 + rng_next() % (r % 5 ? 4 : 300);
			u64 align = K4 << (rng_next() % 10);
			u64 limit = rng_next() % 4 ? UINT64_MAX : rng_next() % (NF * K4);
			u64 want = model_alloc(frames, align / K4, limit);

			assert_int_equal(bootmem_alloc(&bm, frames * K4 - 7, align, limit), want);
		}
		assert_matches_model();
		assert_int_equal(bootmem_free_bytes(&bm) + bm.allocated + reserved, initial);
	}
	assert_int_equal(bm.dropped, 0);
}

static void test_random_vs_model(void **state)
{
	u64 seed;

	(void)state;
	for (seed = 1; seed <= 100; seed++)
		random_round(seed * 0x9e3779b97f4a7c15ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_from_map),
		cmocka_unit_test(test_init_from_sanitized),
		cmocka_unit_test(test_init_top_of_memory),
		cmocka_unit_test(test_init_unsanitized),
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_reserve_split),
		cmocka_unit_test(test_reserve_partial_frames),
		cmocka_unit_test(test_reserve_covering),
		cmocka_unit_test(test_reserve_none),
		cmocka_unit_test(test_reserve_to_top),
		cmocka_unit_test(test_alloc_lowest_fit),
		cmocka_unit_test(test_alloc_rounds_size),
		cmocka_unit_test(test_alloc_align_2m),
		cmocka_unit_test(test_alloc_small_align_is_frame),
		cmocka_unit_test(test_alloc_bad_args),
		cmocka_unit_test(test_alloc_limit),
		cmocka_unit_test(test_alloc_near_top),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_full_list_reserve),
		cmocka_unit_test(test_full_list_alloc),
		cmocka_unit_test(test_random_vs_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
