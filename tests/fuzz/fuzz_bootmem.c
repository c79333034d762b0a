/*
 * fuzz_bootmem.c - libFuzzer harness for the boot-time frame allocator
 * (kernel/mm/bootmem.c), against a frame-by-frame shadow model.
 *
 * Memory is two windows of WINDOW bytes: the bottom of the address space
 * and its top (where ends are clipped and sums can overflow).  The input
 * is decoded (fuzz.h's reader, zeros once it runs out) as:
 *
 *	u8 n, then n % 17 raw memory-map entries (of the low 7 bits), each
 *	   inside one window: an address, a length (clipped to the window in
 *	   the low one), a type;
 *	then operations until the input ends (at most MAX_OPS):
 *	   u8 op: reserve(base, len), alloc(size, align, limit), or a plain
 *	   alloc of a few frames.
 *
 * The map goes through memmap_sanitize() and then bootmem_init(), as at
 * boot; with bit 7 of n set it goes to bootmem_init() raw (unsorted,
 * overlapping, wrapping: bootmem.h says such entries are dropped and
 * counted), and then the model starts from what bootmem_init() kept, which
 * must be whole frames of available entries.  The model is a bitmap of
 * the windows' free frames.  After every
 * step the free list must be well formed (sorted, disjoint, not touching,
 * whole frames) and hold exactly the model's frames; bootmem_alloc() must
 * return exactly the model's first fit (the lowest aligned start with
 * enough free frames, or BOOTMEM_FAIL if that ends above the limit), never a
 * frame already taken; bootmem_reserve() must remove exactly the frames the
 * range touches.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/bootmem.h>
#include <keel/layout.h>
#include <keel/memmap.h>
#include <keel/types.h>

#include "fuzz.h"

#define WINDOW	    (1ull << 23) /* bytes per window */
#define FRAMES	    (WINDOW / PAGE_SIZE)
#define HIGH_BASE   (0 - WINDOW) /* the top window: [2^64 - WINDOW, 2^64) */
#define TOP	    ALIGN_DOWN(UINT64_MAX, PAGE_SIZE)
#define MAX_ENTRIES 16
#define MAX_OPS	    128

static struct bootmem bm;
static u8 model[2][FRAMES]; /* 1: free */
static u64 model_free;	    /* frames */
static size_t init_dropped; /* what bootmem_init() dropped (raw maps only) */

/* Window and frame of a frame address inside a window, or 0. */
static int locate(u64 a, int *w, u64 *f)
{
	if (a < WINDOW) {
		*w = 0;
		*f = a / PAGE_SIZE;
		return 1;
	}
	if (a >= HIGH_BASE) {
		*w = 1;
		*f = (a - HIGH_BASE) / PAGE_SIZE;
		return 1;
	}
	return 0;
}

static u64 frame_addr(int w, u64 f)
{
	return (w ? HIGH_BASE : 0) + f * PAGE_SIZE;
}

/* An address inside one of the windows (any byte, not only frame starts). */
static u64 window_addr(struct fuzz_in *in)
{
	u8 sel = fuzz_u8(in);
	u64 off = fuzz_bytes(in, 3) % WINDOW;

	return (sel & 1 ? HIGH_BASE : 0) + off;
}

/* Anywhere: mostly inside the windows, sometimes any 64-bit value. */
static u64 any_addr(struct fuzz_in *in)
{
	if (fuzz_u8(in) % 4 == 0)
		return fuzz_u64(in);
	return window_addr(in);
}

/* A length: mostly under a window, sometimes any 64-bit value. */
static u64 any_len(struct fuzz_in *in)
{
	if (fuzz_u8(in) % 4 == 0)
		return fuzz_u64(in);
	return fuzz_bytes(in, 3);
}

/* ---- Checks -------------------------------------------------------------- */

static void check_list(void)
{
	u64 frames = 0;

	CHECK(bm.count <= BOOTMEM_MAX_RANGES, "free list: count <= BOOTMEM_MAX_RANGES");
	CHECK(bm.dropped == init_dropped, "free list: nothing dropped while there is room");
	for (size_t i = 0; i < bm.count; i++) {
		const struct range *r = &bm.free[i];
		int w = 0, w2 = 0;
		u64 f = 0, f2 = 0;

		CHECK(r->base < r->end, "free range: not empty");
		CHECK(r->base % PAGE_SIZE == 0 && r->end % PAGE_SIZE == 0,
		      "free range: whole frames");
		CHECK(i == 0 || bm.free[i - 1].end < r->base,
		      "free list: sorted, disjoint and not touching");
		CHECK(locate(r->base, &w, &f) && locate(r->end - 1, &w2, &f2) && w == w2,
		      "free range: inside the memory the map gave");
		for (; f <= f2; f++)
			CHECK(model[w][f], "free range: every frame is free in the model");
		frames += (r->end - r->base) / PAGE_SIZE;
	}
	CHECK(frames == model_free, "free list: exactly the model's free frames");
	CHECK(bootmem_free_bytes(&bm) == model_free * PAGE_SIZE,
	      "bootmem_free_bytes: the model's free bytes");
}

/* ---- Model ---------------------------------------------------------------- */

/* Remove the frames of [rs, re) (re 0: to the top) from the model. */
static void model_remove(u64 rs, u64 re)
{
	for (int w = 0; w < 2; w++)
		for (u64 f = 0; f < FRAMES; f++) {
			u64 a = frame_addr(w, f);

			if (a >= rs && (re == 0 || a < re) && model[w][f]) {
				model[w][f] = 0;
				model_free--;
			}
		}
}

/* What bootmem_alloc() must return. */
static u64 model_alloc(u64 size, u64 align, u64 limit)
{
	static u64 run[FRAMES];
	u64 n;

	if (size == 0 || size > TOP || align == 0 || (align & (align - 1)))
		return BOOTMEM_FAIL;
	align = MAX(align, PAGE_SIZE);
	size = ALIGN_UP(size, PAGE_SIZE);
	n = size / PAGE_SIZE;
	for (int w = 0; w < 2; w++) {
		/* run[f]: free frames from f on, inside the window. */
		for (u64 f = FRAMES; f-- > 0;)
			run[f] = model[w][f] ? 1 + (f + 1 < FRAMES ? run[f + 1] : 0) : 0;
		for (u64 f = 0; f < FRAMES; f++) {
			u64 a = frame_addr(w, f);

			if (a % align || run[f] < n)
				continue;
			return a + size <= limit ? a : BOOTMEM_FAIL;
		}
	}
	return BOOTMEM_FAIL;
}

/* ---- Operations ------------------------------------------------------------ */

static void op_reserve(struct fuzz_in *in)
{
	u64 base = any_addr(in), len = any_len(in), re;
	int r;

	r = bootmem_reserve(&bm, base, len);
	CHECK(r == 0, "bootmem_reserve: succeeds while the list has room");
	if (len == 0)
		return;
	if (len > UINT64_MAX - base || base + len > TOP)
		re = 0; /* to the top */
	else
		re = ALIGN_UP(base + len, PAGE_SIZE);
	model_remove(ALIGN_DOWN(base, PAGE_SIZE), re);
}

static void op_alloc(u64 size, u64 align, u64 limit)
{
	u64 want = model_alloc(size, align, limit), before = bm.allocated, got;

	got = bootmem_alloc(&bm, size, align, limit);
	if (got != BOOTMEM_FAIL) {
		int w;
		u64 f;

		CHECK(locate(got, &w, &f) && model[w][f],
		      "bootmem_alloc: returns a free frame (never one handed out or reserved)");
	}
	CHECK(got == want, "bootmem_alloc: the lowest aligned fit below the limit, or FAIL");
	if (got == BOOTMEM_FAIL) {
		CHECK(bm.allocated == before, "bootmem_alloc: a failure allocates nothing");
		return;
	}
	CHECK(got % MAX(align, PAGE_SIZE) == 0, "bootmem_alloc: aligned");
	CHECK(bm.allocated == before + ALIGN_UP(size, PAGE_SIZE),
	      "bootmem_alloc: allocated grows by the size in whole frames");
	model_remove(got, got + ALIGN_UP(size, PAGE_SIZE));
}

static void op_alloc_any(struct fuzz_in *in)
{
	u8 mode = fuzz_u8(in), a = fuzz_u8(in);
	u64 size, align, limit;

	size = mode & 1 ? fuzz_u64(in) : fuzz_bytes(in, 3);
	/* A power of two, or (high bit set) any small number, 0 included. */
	align = a & 0x80 ? (u64)(a & 0x7f) << (fuzz_u8(in) % 58) : 1ull << (a % 64);
	switch (mode >> 1 & 3) {
	case 0:
		limit = UINT64_MAX;
		break;
	case 1:
		limit = fuzz_u64(in);
		break;
	default:
		limit = window_addr(in);
		break;
	}
	op_alloc(size, align, limit);
}

/* Mark the frame at a free in the model. */
static void model_add(u64 a)
{
	int w;
	u64 f;

	CHECK(locate(a, &w, &f), "harness: map entries stay in the windows");
	model[w][f] = 1;
	model_free++;
}

/* Is the frame at a wholly inside an available entry of the raw map? */
static int in_available(const struct memmap_entry *map, size_t n, u64 a)
{
	for (size_t i = 0; i < n; i++) {
		u64 end = map[i].length > UINT64_MAX - map[i].base ? UINT64_MAX
								   : map[i].base + map[i].length;

		if (map[i].type == MEMMAP_AVAILABLE && a >= map[i].base && a + PAGE_SIZE <= end)
			return 1;
	}
	return 0;
}

static void init(struct fuzz_in *in)
{
	static struct memmap_entry raw[MAX_ENTRIES], map[2 * MAX_ENTRIES];
	u8 head = fuzz_u8(in);
	size_t n = (head & 0x7f) % (MAX_ENTRIES + 1), count;

	for (size_t i = 0; i < n; i++) {
		u64 base = window_addr(in), len = any_len(in);
		u8 t = fuzz_u8(in);

		if (base < WINDOW)
			len = MIN(len, WINDOW - base);
		raw[i] = (struct memmap_entry){ base, len, t < 0xf0 ? t % 5 + 1u : t };
	}
	memset(model, 0, sizeof(model));
	model_free = 0;
	init_dropped = 0;
	if (head & 0x80) {
		/* Raw: the model is what was kept, which must be available RAM. */
		bootmem_init(&bm, raw, n);
		init_dropped = bm.dropped;
		for (size_t i = 0; i < bm.count; i++)
			for (u64 a = bm.free[i].base; a < bm.free[i].end; a += PAGE_SIZE) {
				CHECK(in_available(raw, n, a),
				      "bootmem_init: only whole frames of available entries");
				model_add(a);
			}
		CHECK(bm.allocated == 0, "bootmem_init: nothing allocated yet");
		return;
	}
	count = memmap_sanitize(raw, n, map, ARRAY_SIZE(map), NULL);
	bootmem_init(&bm, map, count);
	for (size_t i = 0; i < count; i++) {
		u64 a = ALIGN_UP(map[i].base, PAGE_SIZE);
		u64 end = ALIGN_DOWN(map[i].base + map[i].length, PAGE_SIZE);

		if (map[i].type != MEMMAP_AVAILABLE || map[i].base > TOP)
			continue;
		for (; a < end; a += PAGE_SIZE)
			model_add(a);
	}
	CHECK(bm.dropped == 0, "bootmem_init: a sanitized map loses nothing");
	CHECK(bm.allocated == 0, "bootmem_init: nothing allocated yet");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	init(&in);
	check_list();
	for (int i = 0; i < MAX_OPS && in.left; i++) {
		switch (fuzz_u8(&in) % 3) {
		case 0:
			op_reserve(&in);
			break;
		case 1:
			op_alloc_any(&in);
			break;
		default:
			op_alloc((fuzz_u8(&in) % 8 + 1) * PAGE_SIZE, PAGE_SIZE, UINT64_MAX);
			break;
		}
		check_list();
	}
	return 0;
}
