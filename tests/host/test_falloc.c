/*
 * test_falloc.c - host tests for the pager's buddy allocator
 * (user/lib/falloc.c), against a frame-by-frame model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include "falloc.h"

#define PG     FALLOC_PAGE
#define NPAGES 8192
#define T60    (60ull << 40) /* near the top of 64 TB */

static struct falloc fa;
static long live_nodes, node_budget = -1;

static struct falloc_node *get(void *ctx)
{
	if (node_budget == 0)
		return NULL;
	if (node_budget > 0)
		node_budget--;
	live_nodes++;
	return calloc(1, sizeof(struct falloc_node));
}

static void put(void *ctx, struct falloc_node *n)
{
	live_nodes--;
	free(n);
}

static void setup(void)
{
	falloc_init(&fa, get, put, NULL);
	live_nodes = 0;
	node_budget = -1;
}

/* Free every node left (the allocator has no teardown: it never needs one). */
static void drop(struct falloc_node *n)
{
	if (!n)
		return;
	drop(n->left);
	drop(n->right);
	put(NULL, n);
}

static void teardown(void)
{
	drop(fa.root);
	assert_int_equal(live_nodes, 0);
}

/* ---- Invariants ---- */

static uint64_t walk_bytes, walk_nodes, walk_last_end;

static int check_tree(const struct falloc_node *n)
{
	if (!n)
		return 0;
	int l = check_tree(n->left);
	/* In order: sorted, disjoint, aligned to their size. */
	uint64_t size = PG << n->order;
	assert_true(n->base >= walk_last_end);
	assert_int_equal(n->base % size, 0);
	walk_last_end = n->base + size;
	walk_bytes += size;
	walk_nodes++;
	int r = check_tree(n->right);
	assert_true(l - r <= 1 && r - l <= 1);
	assert_int_equal(n->height, 1 + (l > r ? l : r));
	return n->height;
}

/* The tree and the lists (check_invariants: and the nodes handed out). */
static void check_blocks(void)
{
	walk_bytes = walk_nodes = walk_last_end = 0;
	check_tree(fa.root);
	assert_int_equal(walk_bytes, fa.free_bytes);
	assert_int_equal(walk_nodes, fa.nodes);
	/* The lists hold exactly the tree's blocks, by order, and no two
	 * buddies are both free (they would have merged). */
	uint64_t listed = 0;
	for (unsigned o = 0; o <= FALLOC_MAX_ORDER; o++)
		for (struct falloc_node *n = fa.lists[o]; n; n = n->next) {
			assert_int_equal(n->order, o);
			assert_true(!n->next || n->next->prev == n);
			uint64_t buddy = n->base ^ (PG << o);
			for (struct falloc_node *m = fa.lists[o]; m; m = m->next)
				assert_true(m->base != buddy);
			listed++;
		}
	assert_int_equal(listed, fa.nodes);
}

static void check_invariants(void)
{
	check_blocks();
	assert_int_equal((uint64_t)live_nodes, fa.nodes);
}

/* ---- Fixed cases ---- */

static void test_add_and_alloc(void **state)
{
	setup();
	/* 64 MB at 1 MB, minus nothing: blocks of the largest aligned sizes. */
	assert_int_equal(falloc_add(&fa, 1 << 20, 63 << 20), FALLOC_OK);
	check_invariants();
	assert_int_equal(fa.free_bytes, 63ull << 20);
	assert_true(fa.nodes <= 2 * 14);
	/* A 2 MB block comes out 2 MB aligned. */
	uint64_t b = falloc_alloc(&fa, falloc_order_of(2 << 20));
	assert_true(b != FALLOC_NONE && b % (2 << 20) == 0 && b >= (1 << 20));
	check_invariants();
	/* Freeing it twice: the second is refused, nothing changes. */
	assert_int_equal(falloc_free(&fa, b, 9), FALLOC_OK);
	uint64_t before = fa.free_bytes;
	assert_int_equal(falloc_free(&fa, b, 9), FALLOC_EBUSY);
	assert_int_equal(falloc_free(&fa, b + PG, 0), FALLOC_EBUSY);
	assert_int_equal(fa.free_bytes, before);
	check_invariants();
	teardown();
}

static void test_bad_args(void **state)
{
	setup();
	assert_int_equal(falloc_add(&fa, 0, 0), FALLOC_EINVAL);
	assert_int_equal(falloc_add(&fa, 1, PG), FALLOC_EINVAL);
	assert_int_equal(falloc_add(&fa, PG, PG + 1), FALLOC_EINVAL);
	assert_int_equal(falloc_add(&fa, ~0ull & ~(PG - 1), 2 * PG), FALLOC_EINVAL);
	assert_int_equal(falloc_add(&fa, 16 * PG, 16 * PG), FALLOC_OK);
	assert_int_equal(falloc_add(&fa, 20 * PG, PG), FALLOC_EBUSY);
	assert_int_equal(falloc_free(&fa, 3 * PG, 1), FALLOC_EINVAL); /* misaligned */
	assert_int_equal(falloc_free(&fa, 0, FALLOC_MAX_ORDER + 1), FALLOC_EINVAL);
	assert_int_equal(falloc_alloc(&fa, FALLOC_MAX_ORDER + 1), FALLOC_NONE);
	assert_int_equal(falloc_alloc(&fa, 5), FALLOC_NONE); /* 16 pages only */
	assert_int_equal(falloc_alloc(&fa, 4), 16 * PG);
	assert_int_equal(falloc_alloc(&fa, 0), FALLOC_NONE);
	check_invariants();
	teardown();
}

/* No node for the bookkeeping: the allocation fails and nothing changes. */
static void test_out_of_nodes(void **state)
{
	setup();
	assert_int_equal(falloc_add(&fa, 0, 1ull << 30), FALLOC_OK);
	uint64_t before = fa.free_bytes, nodes = fa.nodes;
	node_budget = 3; /* a 1 GB block down to one page needs 17 new nodes */
	assert_int_equal(falloc_alloc(&fa, 0), FALLOC_NONE);
	assert_int_equal(fa.free_bytes, before);
	assert_int_equal(fa.nodes, nodes);
	check_invariants();
	node_budget = 0;
	assert_int_equal(falloc_free(&fa, 1ull << 30, 0), FALLOC_ENOMEM);
	node_budget = -1;
	uint64_t p = falloc_alloc(&fa, 0);
	assert_true(p != FALLOC_NONE);
	assert_int_equal(fa.nodes, 18); /* one free block per order below 1 GB */
	assert_int_equal(falloc_free(&fa, p, 0), FALLOC_OK);
	assert_int_equal(fa.nodes, 1); /* merged back into the 1 GB block */
	check_invariants();
	teardown();
}

/* Terabytes in a few ranges cost a few nodes, whatever the size. */
static void test_terabytes(void **state)
{
	setup();
	assert_int_equal(falloc_add(&fa, 1ull << 20, (2ull << 30) - (1ull << 20)), FALLOC_OK);
	assert_int_equal(falloc_add(&fa, 4ull << 30, 20ull << 40), FALLOC_OK);
	assert_int_equal(falloc_add(&fa, T60 + PG, (3ull << 40) - 5 * PG), FALLOC_OK);
	check_invariants();
	assert_true(fa.nodes < 120);
	uint64_t g = falloc_alloc(&fa, 18); /* 1 GB, 1 GB aligned */
	assert_true(g != FALLOC_NONE && g % (1ull << 30) == 0);
	uint64_t big = falloc_alloc(&fa, 34); /* 64 TB: not there */
	assert_int_equal(big, FALLOC_NONE);
	uint64_t t = falloc_alloc(&fa, 28); /* 1 TB */
	assert_true(t != FALLOC_NONE && t % (1ull << 40) == 0);
	check_invariants();
	assert_int_equal(falloc_free(&fa, t, 28), FALLOC_OK);
	assert_int_equal(falloc_free(&fa, g, 18), FALLOC_OK);
	check_invariants();
	teardown();
}

/* ---- Random runs against a model ---- */

static uint8_t model_ram[NPAGES], model_free[NPAGES];
static struct {
	uint64_t page;
	unsigned order;
} held[NPAGES];
static size_t nheld;

static uint64_t rnd(uint64_t n)
{
	return rng_next() % n;
}

/* Is some aligned block of 2^order pages wholly free in the model? */
static bool model_has(unsigned order)
{
	size_t n = (size_t)1 << order;
	for (size_t p = 0; p + n <= NPAGES; p += n) {
		size_t i = 0;
		while (i < n && model_free[p + i])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

/*
 * before_op (before each allocator call) and after_free (after each free,
 * and to check) drive a node pool set up by the caller; without them
 * nodes come from malloc.
 */
static void random_run(uint64_t seed, uint64_t origin, void (*before_op)(void),
		       void (*after_free)(void))
{
	void (*check)(void) = after_free ? after_free : check_invariants;

	rng_state = seed;
	if (!before_op)
		setup();
	memset(model_ram, 0, sizeof(model_ram));
	memset(model_free, 0, sizeof(model_free));
	nheld = 0;
	/* Random ranges of RAM with holes. */
	for (size_t p = 0; p < NPAGES;) {
		size_t len = 1 + rnd(rnd(3) ? 300 : 3000);
		if (p + len > NPAGES)
			len = NPAGES - p;
		if (rnd(3)) {
			if (before_op)
				before_op();
			assert_int_equal(falloc_add(&fa, origin + p * PG, len * PG), FALLOC_OK);
			memset(&model_ram[p], 1, len);
			memset(&model_free[p], 1, len);
		}
		p += len;
	}
	check();
	for (int step = 0; step < 4000; step++) {
		int op = (int)rnd(10);
		if (before_op)
			before_op();
		if (op < 5) {
			unsigned order = (unsigned)(rnd(4) ? rnd(4) : rnd(12));
			bool possible = model_has(order);
			uint64_t b = falloc_alloc(&fa, order);
			assert_int_equal(b != FALLOC_NONE, possible);
			if (b == FALLOC_NONE)
				continue;
			size_t first = (b - origin) / PG, n = (size_t)1 << order;
			assert_true(b >= origin && first + n <= NPAGES);
			assert_int_equal((b - origin) % (n * PG), 0);
			for (size_t i = 0; i < n; i++) {
				assert_true(model_free[first + i]);
				model_free[first + i] = 0;
			}
			held[nheld].page = first;
			held[nheld++].order = order;
		} else if (op < 9 && nheld) {
			size_t k = rnd(nheld), n = (size_t)1 << held[k].order;
			assert_int_equal(
			    falloc_free(&fa, origin + held[k].page * PG, held[k].order), FALLOC_OK);
			memset(&model_free[held[k].page], 1, n);
			held[k] = held[--nheld];
			if (after_free)
				after_free();
		} else {
			/* A double free: refused, and nothing changes. */
			size_t p = rnd(NPAGES);
			if (!model_free[p])
				continue;
			uint64_t before = fa.free_bytes;
			assert_int_equal(falloc_free(&fa, origin + p * PG, 0), FALLOC_EBUSY);
			assert_int_equal(fa.free_bytes, before);
		}
		if (step % 97 == 0)
			check();
	}
	/* Free everything held: back to exactly the RAM added, fully merged. */
	while (nheld) {
		nheld--;
		if (before_op)
			before_op();
		assert_int_equal(
		    falloc_free(&fa, origin + held[nheld].page * PG, held[nheld].order), FALLOC_OK);
		if (after_free)
			after_free();
	}
	check();
	uint64_t ram = 0;
	for (size_t p = 0; p < NPAGES; p++)
		ram += model_ram[p];
	assert_int_equal(fa.free_bytes, ram * PG);
	if (!before_op)
		teardown();
}

static void test_random_low(void **state)
{
	for (uint64_t s = 1; s <= 6; s++)
		random_run(0x1234567887654321ull * s, 0, NULL, NULL);
}

static void test_random_64tb(void **state)
{
	for (uint64_t s = 1; s <= 3; s++)
		random_run(0x0badc0ffee15900dull * s, T60, NULL, NULL);
}

/* ---- The node pool: pages taken from the memory managed, given back ---- */

/*
 * The pager's nodes as user/lib/mem.c keeps them: a falloc_pool of
 * ARENA_FIXED static nodes, then pages taken from the allocator itself
 * (falloc_alloc(0)) whenever fewer than ARENA_LOW nodes are spare before
 * an allocator call, and given back (falloc_pool_trim) after frees.  Here
 * the window is host memory: "mapping" a page does nothing, "unmapping"
 * one fills it with junk, so a node left behind in it shows.
 */
#define ARENA_FIXED  512
#define ARENA_LOW    (2 * FALLOC_NODES_PER_OP)
#define ARENA_PAGES  256
#define STORM_BASE   (1ull << 20)
#define STORM_SIZE   (63ull << 20)
#define STORM_FRAMES (STORM_SIZE / PG)
#define CHUNK	     9 /* 2 MB */

static struct falloc_node arena_fixed[ARENA_FIXED];
static struct falloc_pool pool;
static unsigned char (*arena_window)[PG];
static uint64_t storm_held[STORM_FRAMES], peak_pages, trims, pool_fixed;

/* The pool's count adds up. */
static void check_pool(void)
{
	uint64_t spare = 0;
	for (struct falloc_node *n = pool.spare; n; n = n->next)
		spare++;
	assert_int_equal(spare, pool.nspare);
	assert_int_equal(pool.nspare + fa.nodes, pool_fixed + pool.pages * FALLOC_POOL_PAGE_NODES);
	check_blocks();
}

static void pool_setup(uint64_t nfixed)
{
	arena_window = aligned_alloc(PG, ARENA_PAGES * PG);
	assert_non_null(arena_window);
	falloc_pool_init(&pool, arena_fixed, nfixed, arena_window, ARENA_PAGES);
	falloc_init(&fa, falloc_pool_get, falloc_pool_put, &pool);
	peak_pages = trims = 0;
	pool_fixed = nfixed;
}

/* Before each allocator call, as mem.c's nodes_refill does. */
static void arena_refill(void)
{
	void *va = falloc_pool_next_page(&pool);
	if (pool.nspare >= ARENA_LOW || !va)
		return;
	uint64_t f = falloc_alloc(&fa, 0);
	if (f == FALLOC_NONE)
		return;
	falloc_pool_add_page(&pool, f);
	if (pool.pages > peak_pages)
		peak_pages = pool.pages;
}

/* After frees, as mem.c's nodes_trim does. */
static void arena_trim(void)
{
	uint64_t f;
	while ((f = falloc_pool_trim(&fa, &pool, ARENA_LOW)) != FALLOC_NONE) {
		memset(arena_window[pool.pages], 0xa5, PG);
		assert_int_equal(falloc_free(&fa, f, 0), FALLOC_OK);
		trims++;
		check_pool();
	}
}

static uint64_t storm_alloc(unsigned order)
{
	arena_refill();
	return falloc_alloc(&fa, order);
}

static void storm_free(uint64_t base, unsigned order)
{
	arena_refill();
	assert_int_equal(falloc_free(&fa, base, order), FALLOC_OK);
	arena_trim();
}

/*
 * Allocate single frames until none is left, free every other one (each
 * a block of its own: one node each), then the rest in a random order.
 * Free memory must come back exactly, node pages included, to the same
 * blocks, and a 2 MB block must be there again for a spawn.
 */
static void storm(uint64_t seed)
{
	rng_state = seed;
	pool_setup(ARENA_FIXED);
	arena_refill();
	assert_int_equal(falloc_add(&fa, STORM_BASE, STORM_SIZE), FALLOC_OK);
	uint64_t before = fa.free_bytes, nodes = fa.nodes, pages = pool.pages, n = 0, f;

	assert_int_equal(before, STORM_SIZE);
	while ((f = storm_alloc(0)) != FALLOC_NONE) {
		assert_true(n < STORM_FRAMES);
		storm_held[n++] = f;
	}
	assert_int_equal(fa.free_bytes, 0);
	for (uint64_t i = 0; i < n; i += 2)
		storm_free(storm_held[i], 0);
	check_pool();
	/* The odd ones, shuffled. */
	uint64_t k = 0;
	for (uint64_t i = 1; i < n; i += 2)
		storm_held[k++] = storm_held[i];
	for (uint64_t i = k; i > 1; i--) {
		uint64_t j = rng_next() % i, t = storm_held[i - 1];
		storm_held[i - 1] = storm_held[j];
		storm_held[j] = t;
	}
	for (uint64_t i = 0; i < k; i++)
		storm_free(storm_held[i], 0);
	uint64_t chunks = 0;
	for (unsigned o = CHUNK; o <= FALLOC_MAX_ORDER; o++)
		for (struct falloc_node *b = fa.lists[o]; b; b = b->next)
			chunks += 1ull << (o - CHUNK);
	print_message("storm: %lu frames; node pages %lu before, %lu at most, %lu after; "
		      "free %lu of %lu; 2 MB blocks %lu of %lu\n",
		      (unsigned long)n, (unsigned long)pages, (unsigned long)peak_pages,
		      (unsigned long)pool.pages, (unsigned long)fa.free_bytes,
		      (unsigned long)before, (unsigned long)chunks,
		      (unsigned long)(STORM_SIZE >> 21));
	check_pool();
	assert_true(peak_pages > 0); /* the storm did need node pages */
	assert_int_equal(pool.pages, pages);
	assert_int_equal(fa.free_bytes, before);
	assert_int_equal(fa.nodes, nodes);
	f = storm_alloc(CHUNK);
	assert_true(f != FALLOC_NONE && f % (PG << CHUNK) == 0);
	storm_free(f, CHUNK);
	free(arena_window);
}

static void test_storm_gives_node_pages_back(void **state)
{
	for (uint64_t s = 1; s <= 3; s++)
		storm(0x5707e15ull * s);
}

/*
 * Random runs with a pool of 8 fixed nodes, trimmed after every free and
 * keeping no reserve: its pages come and go all the time, moving live
 * nodes, under the model's checks.  The pages' frames are made up (the model owns the memory).
 */
static uint64_t made_up_frame = 1ull << 50;

static void pooled_refill(void)
{
	if (pool.nspare < ARENA_LOW && falloc_pool_next_page(&pool)) {
		falloc_pool_add_page(&pool, made_up_frame);
		made_up_frame += PG;
		if (pool.pages > peak_pages)
			peak_pages = pool.pages;
	}
}

static void pooled_trim(void)
{
	uint64_t f;
	while ((f = falloc_pool_trim(&fa, &pool, 0)) != FALLOC_NONE) {
		memset(arena_window[pool.pages], 0xa5, PG);
		assert_true(f >= 1ull << 50 && f < made_up_frame);
		trims++;
	}
	check_pool();
}

static void test_random_pooled(void **state)
{
	for (uint64_t s = 1; s <= 3; s++) {
		pool_setup(8);
		random_run(0x9e3779b97f4a7c15ull * s, 0, pooled_refill, pooled_trim);
		print_message("pooled run %lu: node pages at most %lu, %lu given back\n",
			      (unsigned long)s, (unsigned long)peak_pages, (unsigned long)trims);
		assert_true(trims > 0);
		free(arena_window);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_alloc),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_out_of_nodes),
		cmocka_unit_test(test_terabytes),
		cmocka_unit_test(test_random_low),
		cmocka_unit_test(test_random_64tb),
		cmocka_unit_test(test_storm_gives_node_pages_back),
		cmocka_unit_test(test_random_pooled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
