/*
 * test_frames.c - host tests for the frame role lists (kernel/mm/frames.c),
 * with a randomized comparison against a page-by-page reference model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include <keel/frames.h>
#include <keel/types.h>

#define K4  0x1000ull
#define M1  0x100000ull
#define T64 0x3fff00000000ull /* near the top of 64 TB */

static struct frames fr;

/* The lists' invariants: sorted, disjoint, whole pages, donations in user RAM. */
static void assert_list(const struct range *r, size_t n, size_t cap)
{
	size_t i;

	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		assert_true(r[i].base < r[i].end);
		assert_true(IS_ALIGNED(r[i].base, K4));
		assert_true(IS_ALIGNED(r[i].end, K4));
		if (i)
			assert_true(r[i - 1].end <= r[i].base);
	}
}

/* [base, end) is covered by user runs, touching one another. */
static bool user_covers(u64 base, u64 end)
{
	size_t i;

	for (i = 0; i < fr.nuser && base < end; i++)
		if (fr.user[i].base <= base && base < fr.user[i].end)
			base = fr.user[i].end;
	return base >= end;
}

static void assert_well_formed(void)
{
	size_t i;

	assert_list(fr.user, fr.nuser, ARRAY_SIZE(fr.user));
	assert_list(fr.module, fr.nmodule, ARRAY_SIZE(fr.module));
	assert_list(fr.donated, fr.ndonated, ARRAY_SIZE(fr.donated));
	for (i = 0; i < fr.ndonated; i++)
		assert_true(user_covers(fr.donated[i].base, fr.donated[i].end));
}

/* A run's edges: first and last byte have the role, the bytes around do not. */
static void assert_edges(u64 base, u64 end, enum frame_role in, enum frame_role out)
{
	assert_int_equal(frames_role(&fr, base), in);
	assert_int_equal(frames_role(&fr, base + 1), in);
	assert_int_equal(frames_role(&fr, end - 1), in);
	assert_int_equal(frames_role(&fr, end), out);
	if (base)
		assert_int_equal(frames_role(&fr, base - 1), out);
}

static void test_roles_edges(void **state)
{
	const struct range user[] = { { M1, 2 * M1 }, { 4 * M1, 5 * M1 } };
	const struct range mods[] = { { 2 * M1 + K4, 3 * M1 } };

	assert_int_equal(frames_init(&fr, user, 2, mods, 1), FRAMES_OK);
	assert_int_equal(fr.nuser, 2);
	assert_int_equal(fr.nmodule, 1);
	assert_int_equal(fr.ndonated, 0);
	assert_edges(M1, 2 * M1, FRAME_USER, FRAME_NONE);
	assert_edges(4 * M1, 5 * M1, FRAME_USER, FRAME_NONE);
	assert_edges(2 * M1 + K4, 3 * M1, FRAME_MODULE, FRAME_NONE);
	assert_int_equal(frames_role(&fr, 0), FRAME_NONE);
	assert_int_equal(frames_role(&fr, UINT64_MAX), FRAME_NONE);
	assert_well_formed();

	/* Empty lists: everything is FRAME_NONE. */
	assert_int_equal(frames_init(&fr, NULL, 0, NULL, 0), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 0), FRAME_NONE);
	assert_int_equal(frames_role(&fr, M1), FRAME_NONE);
	assert_int_equal(frames_donate(&fr, M1, K4), FRAMES_ENOTUSER);
}

static void test_init_trims(void **state)
{
	const struct range user[] = {
		{ M1 + 1, 2 * M1 - 1 },		 /* trimmed to [M1+4K, 2M1-4K) */
		{ 3 * M1 + 5, 3 * M1 + K4 + 7 }, /* no whole page: dropped */
		{ 4 * M1, 4 * M1 + K4 },	 /* one page */
		{ UINT64_MAX - 10, UINT64_MAX }, /* inside the top page: dropped */
	};
	const struct range mods[] = { { 6 * M1 + 0x800, 7 * M1 + 0x800 } };

	assert_int_equal(frames_init(&fr, user, ARRAY_SIZE(user), mods, 1), FRAMES_OK);
	assert_int_equal(fr.nuser, 2);
	assert_int_equal(fr.user[0].base, M1 + K4);
	assert_int_equal(fr.user[0].end, 2 * M1 - K4);
	assert_int_equal(fr.user[1].base, 4 * M1);
	assert_int_equal(fr.user[1].end, 4 * M1 + K4);
	assert_int_equal(fr.nmodule, 1);
	assert_int_equal(fr.module[0].base, 6 * M1 + K4);
	assert_int_equal(fr.module[0].end, 7 * M1);
	assert_int_equal(frames_role(&fr, M1), FRAME_NONE);
	assert_int_equal(frames_role(&fr, M1 + K4 - 1), FRAME_NONE);
	assert_int_equal(frames_role(&fr, M1 + K4), FRAME_USER);
	assert_int_equal(frames_role(&fr, 2 * M1 - K4), FRAME_NONE);
	assert_int_equal(frames_role(&fr, 3 * M1 + K4), FRAME_NONE);
	assert_int_equal(frames_role(&fr, 6 * M1 + 0x800), FRAME_NONE);
	assert_int_equal(frames_role(&fr, 7 * M1 - 1), FRAME_MODULE);
	assert_int_equal(frames_role(&fr, UINT64_MAX - 5), FRAME_NONE);
	assert_well_formed();
}

static void test_init_drops_bad_order(void **state)
{
	const struct range user[] = {
		{ 4 * M1, 5 * M1 },	 { 2 * M1, 3 * M1 }, /* below the previous: dropped */
		{ 5 * M1 - K4, 6 * M1 },		     /* overlaps [4M, 5M): dropped */
		{ 5 * M1, 6 * M1 },			     /* touching is fine */
		{ 8 * M1, 7 * M1 },			     /* inverted: dropped */
		{ 9 * M1, 10 * M1 },
	};
	const struct range mods[] = { { 2 * M1, 3 * M1 }, { M1, 2 * M1 + K4 } };

	assert_int_equal(frames_init(&fr, user, ARRAY_SIZE(user), mods, 2), FRAMES_OK);
	assert_int_equal(fr.nuser, 3);
	assert_int_equal(fr.user[0].base, 4 * M1);
	assert_int_equal(fr.user[1].base, 5 * M1);
	assert_int_equal(fr.user[2].base, 9 * M1);
	assert_int_equal(fr.nmodule, 1);
	assert_int_equal(frames_role(&fr, 2 * M1 + K4), FRAME_MODULE);
	assert_int_equal(frames_role(&fr, M1), FRAME_NONE);
	assert_int_equal(frames_role(&fr, 7 * M1), FRAME_NONE);
	assert_well_formed();
}

static struct range many[FRAMES_MAX_RUNS + 10];

static void test_init_capacity(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(many); i++) {
		many[i].base = (2 * i + 1) * M1;
		many[i].end = (2 * i + 2) * M1;
	}
	assert_int_equal(frames_init(&fr, many, ARRAY_SIZE(many), NULL, 0), FRAMES_EFULL);
	assert_int_equal(fr.nuser, FRAMES_MAX_RUNS);
	assert_int_equal(frames_role(&fr, many[FRAMES_MAX_RUNS - 1].base), FRAME_USER);
	assert_int_equal(frames_role(&fr, many[FRAMES_MAX_RUNS].base), FRAME_NONE);

	/* Exactly full is fine. */
	assert_int_equal(frames_init(&fr, many, FRAMES_MAX_RUNS, NULL, 0), FRAMES_OK);
	assert_int_equal(fr.nuser, FRAMES_MAX_RUNS);

	/* Too many modules: the user list is still loaded. */
	assert_int_equal(frames_init(&fr, many, 3, many + 3, 70), FRAMES_EFULL);
	assert_int_equal(fr.nuser, 3);
	assert_int_equal(fr.nmodule, ARRAY_SIZE(fr.module));
	assert_int_equal(frames_role(&fr, many[3 + 63].base), FRAME_MODULE);
	assert_int_equal(frames_role(&fr, many[3 + 64].base), FRAME_NONE);
	assert_well_formed();

	/* A full donated list refuses more, changing nothing. */
	many[0].base = 0;
	many[0].end = (FRAMES_MAX_RUNS + 1) * K4;
	assert_int_equal(frames_init(&fr, many, 1, NULL, 0), FRAMES_OK);
	for (i = 0; i < FRAMES_MAX_RUNS; i++)
		assert_int_equal(frames_donate(&fr, (FRAMES_MAX_RUNS - i) * K4, K4), FRAMES_OK);
	assert_int_equal(fr.ndonated, FRAMES_MAX_RUNS);
	assert_well_formed();
	assert_int_equal(frames_donate(&fr, 0, K4), FRAMES_EFULL);
	assert_int_equal(frames_role(&fr, 0), FRAME_USER);
	assert_int_equal(frames_donate(&fr, K4, K4), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, 7 * K4, K4), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, 0, K4), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 0), FRAME_KERNEL);
	assert_int_equal(frames_role(&fr, 7 * K4), FRAME_USER);
	assert_well_formed();
}

static void test_donate_reclaim(void **state)
{
	const struct range user[] = { { M1, 4 * M1 } };

	assert_int_equal(frames_init(&fr, user, 1, NULL, 0), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, 2 * M1, M1), FRAMES_OK);
	assert_edges(2 * M1, 3 * M1, FRAME_KERNEL, FRAME_USER);
	/* Touching donations stay separate. */
	assert_int_equal(frames_donate(&fr, M1, M1), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, 3 * M1, K4), FRAMES_OK);
	assert_int_equal(fr.ndonated, 3);
	assert_int_equal(fr.donated[0].base, M1);
	assert_int_equal(fr.donated[1].base, 2 * M1);
	assert_int_equal(fr.donated[2].base, 3 * M1);
	assert_well_formed();
	assert_int_equal(frames_role(&fr, M1), FRAME_KERNEL);
	assert_int_equal(frames_role(&fr, 3 * M1 + K4), FRAME_USER);

	assert_int_equal(frames_reclaim(&fr, 2 * M1, M1), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 2 * M1), FRAME_USER);
	assert_int_equal(frames_role(&fr, 3 * M1 - 1), FRAME_USER);
	assert_int_equal(frames_role(&fr, 2 * M1 - 1), FRAME_KERNEL);
	assert_int_equal(frames_role(&fr, 3 * M1), FRAME_KERNEL);
	assert_int_equal(frames_reclaim(&fr, 2 * M1, M1), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, M1, M1), FRAMES_OK);
	assert_int_equal(frames_reclaim(&fr, 3 * M1, K4), FRAMES_OK);
	assert_int_equal(fr.ndonated, 0);
	assert_int_equal(frames_role(&fr, M1), FRAME_USER);
	/* The whole user run at once, then again after reclaim. */
	assert_int_equal(frames_donate(&fr, M1, 3 * M1), FRAMES_OK);
	assert_edges(M1, 4 * M1, FRAME_KERNEL, FRAME_NONE);
	assert_int_equal(frames_reclaim(&fr, M1, 3 * M1), FRAMES_OK);
	assert_edges(M1, 4 * M1, FRAME_USER, FRAME_NONE);
}

static void test_donate_not_user(void **state)
{
	const struct range user[] = { { M1, 2 * M1 }, { 2 * M1, 3 * M1 }, { 4 * M1, 5 * M1 } };
	const struct range mods[] = { { 3 * M1, 4 * M1 }, { 6 * M1, 7 * M1 } };

	assert_int_equal(frames_init(&fr, user, 3, mods, 2), FRAMES_OK);
	/* Partly outside user RAM: either end, or across a module or hole. */
	assert_int_equal(frames_donate(&fr, M1 - K4, 2 * K4), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 3 * M1 - K4, 2 * K4), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 2 * M1, 3 * M1), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 5 * M1 - K4, 2 * K4), FRAMES_ENOTUSER);
	/* Module and FRAME_NONE regions. */
	assert_int_equal(frames_donate(&fr, 3 * M1, K4), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 6 * M1, M1), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 0, K4), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 5 * M1, K4), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 0xfff0000000000000ull, M1), FRAMES_ENOTUSER);
	assert_int_equal(fr.ndonated, 0);
	/* Across touching user runs is whole user RAM. */
	assert_int_equal(frames_donate(&fr, 2 * M1 - K4, 2 * K4), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, M1, M1 - K4), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, 2 * M1 + K4, M1 - K4), FRAMES_OK);
	assert_int_equal(frames_role(&fr, M1 - 1), FRAME_NONE);
	assert_int_equal(frames_role(&fr, M1), FRAME_KERNEL);
	assert_int_equal(frames_role(&fr, 3 * M1 - 1), FRAME_KERNEL);
	assert_int_equal(frames_role(&fr, 3 * M1), FRAME_MODULE);
	assert_well_formed();
	/* Merged neighbours or parts are not one run. */
	assert_int_equal(frames_reclaim(&fr, M1, 2 * M1), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, M1, M1), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, M1, K4), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, M1 + K4, M1 - 2 * K4), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, 2 * M1 - K4, K4), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, 4 * M1, K4), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, 3 * M1, M1), FRAMES_EBUSY);
	assert_int_equal(fr.ndonated, 3);
	assert_int_equal(frames_reclaim(&fr, 2 * M1 - K4, 2 * K4), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 2 * M1 - K4), FRAME_USER);
	assert_int_equal(frames_role(&fr, 2 * M1), FRAME_USER);
	assert_int_equal(frames_role(&fr, 2 * M1 + K4), FRAME_KERNEL);
}

static void test_donate_overlap(void **state)
{
	const struct range user[] = { { 0, 16 * M1 } };

	assert_int_equal(frames_init(&fr, user, 1, NULL, 0), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, 4 * M1, 2 * M1), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, 4 * M1, 2 * M1), FRAMES_EBUSY);
	assert_int_equal(frames_donate(&fr, 3 * M1, M1 + K4), FRAMES_EBUSY);
	assert_int_equal(frames_donate(&fr, 6 * M1 - K4, M1), FRAMES_EBUSY);
	assert_int_equal(frames_donate(&fr, 5 * M1, K4), FRAMES_EBUSY);
	assert_int_equal(frames_donate(&fr, 3 * M1, 4 * M1), FRAMES_EBUSY);
	assert_int_equal(frames_donate(&fr, 0, 16 * M1), FRAMES_EBUSY);
	assert_int_equal(frames_donate(&fr, 8 * M1, M1), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, 6 * M1, 2 * M1 + K4), FRAMES_EBUSY);
	assert_int_equal(frames_donate(&fr, 6 * M1, 2 * M1), FRAMES_OK);
	assert_int_equal(fr.ndonated, 3);
	assert_int_equal(frames_role(&fr, 3 * M1), FRAME_USER);
	assert_int_equal(frames_role(&fr, 9 * M1), FRAME_USER);
	assert_well_formed();
	/* Not user RAM is reported before busy. */
	assert_int_equal(frames_donate(&fr, 5 * M1, 12 * M1), FRAMES_ENOTUSER);
}

static void test_bad_args(void **state)
{
	const struct range user[] = { { 0, 0xfffffffffffff000ull } };

	/* Everything but the top page is user RAM. */
	assert_int_equal(frames_init(&fr, user, 1, NULL, 0), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 0xffffffffffffefffull), FRAME_USER);
	assert_int_equal(frames_role(&fr, 0xfffffffffffff000ull), FRAME_NONE);
	assert_int_equal(frames_donate(&fr, M1 + 1, K4), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, M1, K4 + 1), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, M1, 0), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, M1, 0x800), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, 0xfffffffffffff000ull, K4), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, 0xffffffffffffe000ull, 2 * K4), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, 0xffffffffffff0000ull, 0x20000), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, K4, 0xfffffffffffff000ull), FRAMES_EINVAL);
	assert_int_equal(frames_donate(&fr, 0, UINT64_MAX), FRAMES_EINVAL);
	assert_int_equal(frames_reclaim(&fr, M1 + 1, K4), FRAMES_EINVAL);
	assert_int_equal(frames_reclaim(&fr, M1, 0), FRAMES_EINVAL);
	assert_int_equal(frames_reclaim(&fr, M1, 0x10), FRAMES_EINVAL);
	assert_int_equal(frames_reclaim(&fr, 0xfffffffffffff000ull, K4), FRAMES_EINVAL);
	assert_int_equal(fr.ndonated, 0);
	/* The highest and largest valid donations. */
	assert_int_equal(frames_donate(&fr, 0xffffffffffffe000ull, K4), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 0xffffffffffffe000ull), FRAME_KERNEL);
	assert_int_equal(frames_role(&fr, 0xffffffffffffefffull), FRAME_KERNEL);
	assert_int_equal(frames_role(&fr, 0xfffffffffffff000ull), FRAME_NONE);
	assert_int_equal(frames_donate(&fr, 0, 0xffffffffffffe000ull), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 0), FRAME_KERNEL);
	assert_int_equal(frames_reclaim(&fr, 0, 0xffffffffffffe000ull), FRAMES_OK);
	assert_int_equal(frames_reclaim(&fr, 0xffffffffffffe000ull, K4), FRAMES_OK);
	assert_int_equal(frames_role(&fr, 0xffffffffffffe000ull), FRAME_USER);
	assert_well_formed();
}

static void test_64tb(void **state)
{
	const struct range user[] = { { 0x100000, 0x80000000 },
				      { T64 - 0x40000000, T64 },
				      { T64, T64 + 0xff000000 } };
	const struct range mods[] = { { 0x3ffffff00000ull, 0x400000000000ull } };

	assert_int_equal(frames_init(&fr, user, 3, mods, 1), FRAMES_OK);
	assert_int_equal(frames_role(&fr, T64 - 0x40000000 - 1), FRAME_NONE);
	assert_int_equal(frames_role(&fr, T64 - 0x40000000), FRAME_USER);
	assert_int_equal(frames_role(&fr, T64), FRAME_USER);
	assert_int_equal(frames_role(&fr, T64 + 0xff000000 - 1), FRAME_USER);
	assert_int_equal(frames_role(&fr, T64 + 0xff000000), FRAME_NONE);
	assert_int_equal(frames_role(&fr, T64 - 1), FRAME_USER);
	assert_edges(0x3ffffff00000ull, 0x400000000000ull, FRAME_MODULE, FRAME_NONE);
	assert_int_equal(frames_donate(&fr, T64 - M1, 2 * M1), FRAMES_OK);
	assert_edges(T64 - M1, T64 + M1, FRAME_KERNEL, FRAME_USER);
	assert_int_equal(frames_donate(&fr, T64 + 0xff000000 - K4, 2 * K4), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 0x3ffffff00000ull, K4), FRAMES_ENOTUSER);
	assert_int_equal(frames_donate(&fr, 0x40000000, 0x40000000), FRAMES_OK);
	assert_int_equal(frames_donate(&fr, T64 + 0xfe000000, 0x1000000), FRAMES_OK);
	assert_int_equal(fr.ndonated, 3);
	assert_int_equal(fr.donated[0].base, 0x40000000);
	assert_well_formed();
	assert_int_equal(frames_reclaim(&fr, T64 - M1, M1), FRAMES_EBUSY);
	assert_int_equal(frames_reclaim(&fr, T64 - M1, 2 * M1), FRAMES_OK);
	assert_int_equal(frames_role(&fr, T64), FRAME_USER);
	assert_int_equal(frames_role(&fr, T64 + 0xff000000 - 1), FRAME_KERNEL);
}

/* ---- Randomized comparison with a page-level model ---------------------- */

#define NPAGES 4096

static u8 model_base[NPAGES]; /* FRAME_USER, FRAME_MODULE or FRAME_NONE */
static u8 model_don[NPAGES];  /* 1 where donated */
static struct range in_user[NPAGES], in_mods[64];
static struct {
	size_t first, n;
} dons[NPAGES];
static size_t ndons, nuser_in;

static u64 rnd(u64 n)
{
	return rng_next() % n;
}

static void model_check(u64 origin)
{
	size_t p;

	for (p = 0; p < NPAGES; p++) {
		enum frame_role want = model_don[p] ? FRAME_KERNEL : (enum frame_role)model_base[p];
		u64 pa = origin + p * K4;

		assert_int_equal(frames_role(&fr, pa), want);
		assert_int_equal(frames_role(&fr, pa + K4 - 1), want);
	}
	assert_int_equal(frames_role(&fr, origin + NPAGES * K4), FRAME_NONE);
	if (origin)
		assert_int_equal(frames_role(&fr, origin - 1), FRAME_NONE);
	assert_int_equal(fr.ndonated, ndons);
	assert_well_formed();
}

/* frames_user_end: the (page-trimmed) end of the user run holding a page. */
static void check_user_end(u64 origin)
{
	size_t p, k = 0;

	for (p = 0; p < NPAGES; p++) {
		u64 pa = origin + p * K4, want = 0;

		while (k < nuser_in && in_user[k].end <= pa)
			k++;
		if (k < nuser_in && ALIGN_UP(in_user[k].base, K4) <= pa)
			want = in_user[k].end;
		assert_int_equal(frames_user_end(&fr, pa), want);
		assert_int_equal(frames_user_end(&fr, pa + K4 - 1), want);
	}
}

/* Random user runs (some touching) and module runs in the gaps. */
static void model_init(u64 origin)
{
	size_t p = 0, nu = 0, nm = 0;

	memset(model_base, FRAME_NONE, sizeof(model_base));
	memset(model_don, 0, sizeof(model_don));
	ndons = 0;
	while (p < NPAGES) {
		size_t len = 1 + rnd(rnd(4) ? 64 : 512), i, kind = rnd(4);

		if (p + len > NPAGES)
			len = NPAGES - p;
		if (kind < 2 && nu < FRAMES_MAX_RUNS) {
			for (i = p; i < p + len; i++)
				model_base[i] = FRAME_USER;
			in_user[nu].base = origin + p * K4;
			in_user[nu].end = origin + (p + len) * K4;
			if (rnd(4) == 0) {
				in_user[nu].base += 1 + rnd(K4 - 1);
				model_base[p] = FRAME_NONE; /* trimmed away */
			}
			nu++;
		} else if (kind == 2 && nm < ARRAY_SIZE(in_mods)) {
			for (i = p; i < p + len; i++)
				model_base[i] = FRAME_MODULE;
			in_mods[nm].base = origin + p * K4;
			in_mods[nm].end = origin + (p + len) * K4;
			nm++;
		}
		p += len;
	}
	assert_int_equal(frames_init(&fr, in_user, nu, in_mods, nm), FRAMES_OK);
	nuser_in = nu;
	check_user_end(origin);
}

static int model_donate(size_t first, size_t n)
{
	size_t i, j;

	for (i = first; i < first + n; i++)
		if (i >= NPAGES || model_base[i] != FRAME_USER)
			return FRAMES_ENOTUSER;
	for (i = first; i < first + n; i++)
		if (model_don[i])
			return FRAMES_EBUSY;
	for (i = first; i < first + n; i++)
		model_don[i] = 1;
	for (j = 0; j < ndons && dons[j].first < first; j++)
		;
	memmove(&dons[j + 1], &dons[j], (ndons - j) * sizeof(dons[0]));
	dons[j].first = first;
	dons[j].n = n;
	ndons++;
	return FRAMES_OK;
}

static int model_reclaim(size_t first, size_t n)
{
	size_t i, j;

	for (j = 0; j < ndons; j++)
		if (dons[j].first == first && dons[j].n == n)
			break;
	if (j == ndons)
		return FRAMES_EBUSY;
	for (i = first; i < first + n; i++)
		model_don[i] = 0;
	memmove(&dons[j], &dons[j + 1], (ndons - j - 1) * sizeof(dons[0]));
	ndons--;
	return FRAMES_OK;
}

static void random_run(u64 seed, u64 origin)
{
	int round, step;

	rng_state = seed;
	for (round = 0; round < 8; round++) {
		model_init(origin);
		model_check(origin);
		for (step = 0; step < 300; step++) {
			size_t first, n;
			int want, got;

			if (ndons && rnd(3) == 0) {
				/* An existing donation, or a near miss of one. */
				size_t j = rnd(ndons);

				first = dons[j].first;
				n = dons[j].n;
				switch (rnd(4)) {
				case 0:
					n += 1;
					break;
				case 1:
					if (n > 1)
						n -= 1;
					break;
				case 2:
					if (first) {
						first -= 1;
						n += 1;
					}
					break;
				default:
					break;
				}
			} else {
				first = rnd(NPAGES);
				n = 1 + rnd(rnd(2) ? 8 : 128);
				if (first + n > NPAGES + 2)
					n = NPAGES + 2 - first;
			}
			if (rnd(2)) {
				/* Asking changes nothing, and agrees with doing. */
				int can = frames_can_donate(&fr, origin + first * K4, n * K4);
				model_check(origin);
				want = model_donate(first, n);
				got = frames_donate(&fr, origin + first * K4, n * K4);
				assert_int_equal(can, got);
			} else {
				bool is = frames_is_donation(&fr, origin + first * K4, n * K4);
				want = model_reclaim(first, n);
				got = frames_reclaim(&fr, origin + first * K4, n * K4);
				assert_int_equal(is, got == FRAMES_OK);
			}
			assert_int_equal(got, want);
			model_check(origin);
		}
	}
}

static void test_random_low(void **state)
{
	random_run(0x1234567887654321ull, 0);
}

static void test_random_64tb(void **state)
{
	random_run(0x0badc0ffee15900dull, T64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles_edges),
		cmocka_unit_test(test_init_trims),
		cmocka_unit_test(test_init_drops_bad_order),
		cmocka_unit_test(test_init_capacity),
		cmocka_unit_test(test_donate_reclaim),
		cmocka_unit_test(test_donate_not_user),
		cmocka_unit_test(test_donate_overlap),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_64tb),
		cmocka_unit_test(test_random_low),
		cmocka_unit_test(test_random_64tb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
