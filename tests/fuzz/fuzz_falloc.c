/*
 * fuzz_falloc.c - libFuzzer harness for the pager's buddy allocator
 * (user/lib/falloc.c), against a frame-by-frame shadow model.
 *
 * Memory is two windows of 2^ORDERS frames, each one block of the largest
 * order the harness uses: the bottom of the address space and its top
 * (where base + size reaches 2^64).  The input is decoded (fuzz.h's
 * reader, zeros once it runs out) as operations until it ends (at most
 * MAX_OPS), each one u8 op and its arguments:
 *	add(base, size)         falloc_add, sizes inside a window, or any
 *	alloc(order)            falloc_alloc, orders 0..ORDERS or invalid
 *	free an allocation      falloc_free of a block alloc returned
 *	free(base, order)       falloc_free of any block of a window (double
 *	                        frees, misaligned and invalid ones too)
 *	overlaps(base, size)    falloc_overlaps; and falloc_order_of
 * and, for each, a node budget: usually unlimited, sometimes node_get
 * fails after a few nodes, to drive the FALLOC_ENOMEM paths.
 *
 * The model is a bitmap of free frames.  Checked after every operation:
 * the AVL tree (ordered, balanced, heights right), the per-order lists
 * (every free block in its order's list, links consistent), blocks aligned
 * to their size and disjoint, no two free buddies left unmerged, free_bytes
 * and nodes exact, and the free blocks exactly the model's free frames.  Per
 * operation: alloc never returns a frame that is not free (no double
 * allocation) and fails only when no free aligned block of that order
 * exists; a free of a block with a free frame is FALLOC_EBUSY and changes
 * nothing; an accepted free makes the block free; a call that fails for
 * want of nodes changes nothing (add: only adds part of its range).  At
 * the end every node handed out must be in the tree or given back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "falloc.h"
#include "fuzz.h"

#define PG	  FALLOC_PAGE
#define ORDERS	  12 /* a window is one block of order ORDERS */
#define FRAMES	  (1u << ORDERS)
#define WINDOW	  ((uint64_t)FRAMES * PG)
#define HIGH_BASE (0 - WINDOW)
#define MAX_OPS	  256
#define MAX_ALLOC 512

static struct falloc fa;
static long live_nodes, node_budget; /* budget < 0: unlimited */
static uint8_t model[2][FRAMES];     /* 1: free */
static uint64_t model_free;	     /* frames */

static struct {
	uint64_t base;
	unsigned order;
} allocs[MAX_ALLOC];
static size_t nallocs;

static struct falloc_node *node_get(void *ctx)
{
	if (node_budget == 0)
		return NULL;
	if (node_budget > 0)
		node_budget--;
	live_nodes++;
	return calloc(1, sizeof(struct falloc_node));
}

static void node_put(void *ctx, struct falloc_node *n)
{
	memset(n, 0xdb, sizeof(*n)); /* a node used after it was given back shows */
	live_nodes--;
	free(n);
}

/* ---- The model -------------------------------------------------------------- */

static uint64_t block_bytes(unsigned order)
{
	return PG << order;
}

/* Window and first frame of [base, base + size), or 0 if not inside one window. */
static int locate(uint64_t base, uint64_t size, int *w, uint64_t *f)
{
	if (size == 0 || size > WINDOW)
		return 0;
	if (base < WINDOW && size <= WINDOW - base) {
		*w = 0;
		*f = base / PG;
		return 1;
	}
	if (base >= HIGH_BASE && base - HIGH_BASE < WINDOW && size <= WINDOW - (base - HIGH_BASE)) {
		*w = 1;
		*f = (base - HIGH_BASE) / PG;
		return 1;
	}
	return 0;
}

/* How many frames of the frame-aligned range inside a window are free. */
static uint64_t model_count(int w, uint64_t f, uint64_t n)
{
	uint64_t c = 0;

	for (uint64_t i = 0; i < n; i++)
		c += model[w][f + i];
	return c;
}

static void model_set(int w, uint64_t f, uint64_t n, uint8_t v)
{
	for (uint64_t i = 0; i < n; i++) {
		model_free += v - model[w][f + i];
		model[w][f + i] = v;
	}
}

/* Is there a free, aligned block of this order in the model? */
static int model_has_block(unsigned order)
{
	if (order > ORDERS)
		return 0;
	for (int w = 0; w < 2; w++)
		for (uint64_t f = 0; f < FRAMES; f += 1u << order)
			if (model_count(w, f, 1u << order) == 1u << order)
				return 1;
	return 0;
}

/* ---- Checking the allocator against the model ------------------------------- */

static uint64_t walk_frames, walk_nodes, walk_end;
static int walk_first;

static const struct falloc_node *find(const struct falloc_node *n, uint64_t base)
{
	while (n && n->base != base)
		n = base < n->base ? n->left : n->right;
	return n;
}

/* In-order walk; returns the height. */
static int check_tree(const struct falloc_node *n)
{
	const struct falloc_node *b;
	uint64_t size, f;
	int l, r, w;

	if (!n)
		return 0;
	l = check_tree(n->left);
	CHECK(n->order <= FALLOC_MAX_ORDER, "block: order <= FALLOC_MAX_ORDER");
	size = block_bytes(n->order);
	CHECK(n->base % size == 0, "block: aligned to its size");
	CHECK(walk_first || n->base >= walk_end, "tree: in address order, blocks disjoint");
	CHECK(locate(n->base, size, &w, &f), "block: inside memory that was added");
	CHECK(model_count(w, f, size / PG) == size / PG, "block: every frame free in the model");
	if (n->order < FALLOC_MAX_ORDER) {
		b = find(fa.root, n->base ^ size);
		CHECK(!b || b->order != n->order, "blocks: no two free buddies left unmerged");
	}
	walk_first = 0;
	walk_end = n->base + size;
	walk_frames += size / PG;
	walk_nodes++;
	r = check_tree(n->right);
	CHECK(l - r <= 1 && r - l <= 1, "tree: AVL-balanced");
	CHECK(n->height == 1 + (l > r ? l : r), "tree: heights right");
	return n->height;
}

static void check_all(void)
{
	uint64_t listed = 0;

	walk_frames = walk_nodes = walk_end = 0;
	walk_first = 1;
	check_tree(fa.root);
	/*
	 * Each listed block is in the tree, and there are as many as in the
	 * tree: so the lists hold each free block once (a cycle is cut short
	 * by the count).
	 */
	for (unsigned o = 0; o <= FALLOC_MAX_ORDER; o++)
		for (const struct falloc_node *n = fa.lists[o]; n && listed <= walk_nodes;
		     n = n->next) {
			CHECK(n->order == o, "list: only blocks of its order");
			CHECK(n->next == NULL || n->next->prev == n, "list: links consistent");
			CHECK(n != fa.lists[o] || n->prev == NULL, "list: the head has no prev");
			CHECK(find(fa.root, n->base) == n,
			      "list: every listed block is in the tree");
			listed++;
		}
	CHECK(listed == walk_nodes, "lists and tree hold the same blocks");
	CHECK(fa.nodes == walk_nodes, "nodes: the number of free blocks");
	CHECK(fa.free_bytes == walk_frames * PG, "free_bytes: the free blocks' bytes");
	CHECK(walk_frames == model_free, "the free blocks are exactly the model's free frames");
	CHECK(live_nodes == (long)fa.nodes, "every node handed out is a free block or given back");
}

/* Mark the frames of the tree's blocks free in the model. */
static void model_from_tree(const struct falloc_node *n)
{
	uint64_t f;
	int w;

	if (!n)
		return;
	model_from_tree(n->left);
	CHECK(locate(n->base, block_bytes(n->order), &w, &f),
	      "block: inside memory that was added");
	model_set(w, f, 1u << n->order, 1);
	model_from_tree(n->right);
}

/* After a failure for want of nodes: take what the allocator holds as the model. */
static void resync(void)
{
	memset(model, 0, sizeof(model));
	model_free = 0;
	model_from_tree(fa.root);
}

/* ---- Operations ------------------------------------------------------------- */

/* A frame address in a window, sometimes off by some bytes (invalid). */
static uint64_t window_addr(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	uint64_t a = (sel & 1 ? HIGH_BASE : 0) + fuzz_u16(in) % FRAMES * PG;

	return sel & 0x80 ? a + (sel >> 1 & 0x3f) : a;
}

static void op_add(struct fuzz_in *in)
{
	static uint8_t old[2][FRAMES];
	uint64_t base = window_addr(in), size, f = 0;
	uint8_t mode = fuzz_u8(in);
	int w = 0, r, inside, valid;

	size = mode & 1 ? fuzz_u64(in) : (uint64_t)(fuzz_u16(in) % (FRAMES + 1)) * PG;
	valid = size && base % PG == 0 && size % PG == 0 && size - 1 <= ~base;
	inside = locate(base, size, &w, &f);
	if (valid && !inside)
		return; /* valid, but reaches outside the model's memory */
	r = falloc_add(&fa, base, size);
	if (!valid) {
		CHECK(r == FALLOC_EINVAL, "falloc_add: misaligned, empty or wrapping is EINVAL");
		return;
	}
	if (model_count(w, f, size / PG)) {
		CHECK(r == FALLOC_EBUSY, "falloc_add: a range with a free frame is EBUSY");
		return;
	}
	if (r == FALLOC_ENOMEM) {
		CHECK(node_budget >= 0, "falloc_add: ENOMEM only when out of nodes");
		memcpy(old, model, sizeof(old));
		resync();
		for (int v = 0; v < 2; v++)
			for (uint64_t g = 0; g < FRAMES; g++)
				CHECK(old[v][g] ? model[v][g]
						: !model[v][g] || (v == w && g - f < size / PG),
				      "falloc_add: out of nodes, it adds only part of its range");
		return;
	}
	CHECK(r == FALLOC_OK, "falloc_add: a valid range of non-free memory is added");
	model_set(w, f, size / PG, 1);
}

/* Free [base, 2^order frames) and check the result against the model. */
static void do_free(uint64_t base, unsigned order)
{
	uint64_t f, before = model_free;
	int w, r;

	r = falloc_free(&fa, base, order);
	if (order > FALLOC_MAX_ORDER || base % block_bytes(order)) {
		CHECK(r == FALLOC_EINVAL, "falloc_free: invalid order or misaligned is EINVAL");
		return;
	}
	CHECK(locate(base, block_bytes(order), &w, &f), "harness: frees stay in the windows");
	if (model_count(w, f, 1u << order)) {
		CHECK(r == FALLOC_EBUSY, "falloc_free: a block with a free frame is EBUSY");
		CHECK(model_free == before, "falloc_free: EBUSY changes nothing");
		return;
	}
	if (r == FALLOC_ENOMEM) {
		CHECK(node_budget >= 0, "falloc_free: ENOMEM only when out of nodes");
		return;
	}
	CHECK(r == FALLOC_OK, "falloc_free: a block of non-free memory is freed");
	model_set(w, f, 1u << order, 1);
}

static void op_alloc(struct fuzz_in *in)
{
	uint8_t o = fuzz_u8(in);
	unsigned order = o < 0xf0 ? o % (ORDERS + 1) : FALLOC_MAX_ORDER + 1 + (o & 0xf);
	int had = model_has_block(order), w;
	uint64_t got, f;

	got = falloc_alloc(&fa, order);
	if (got == FALLOC_NONE) {
		CHECK(!had || node_budget >= 0,
		      "falloc_alloc: fails only when no free aligned block of the order exists");
		return;
	}
	CHECK(order <= ORDERS, "falloc_alloc: an invalid order gives FALLOC_NONE");
	CHECK(got % block_bytes(order) == 0, "falloc_alloc: aligned to the block's size");
	CHECK(locate(got, block_bytes(order), &w, &f) &&
		  model_count(w, f, 1u << order) == 1u << order,
	      "falloc_alloc: every frame was free (no double allocation)");
	model_set(w, f, 1u << order, 0);
	if (nallocs < MAX_ALLOC) {
		allocs[nallocs].base = got;
		allocs[nallocs++].order = order;
	}
}

static void op_free_alloc(struct fuzz_in *in)
{
	size_t i;

	if (!nallocs)
		return;
	i = fuzz_u16(in) % nallocs;
	do_free(allocs[i].base, allocs[i].order);
	allocs[i] = allocs[--nallocs];
}

static void op_free_any(struct fuzz_in *in)
{
	uint64_t base = window_addr(in);
	uint8_t o = fuzz_u8(in);
	unsigned order = o < 0xf0 ? o % (ORDERS + 1) : FALLOC_MAX_ORDER + 1 + (o & 0xf);

	/* A valid block must stay in the window (a window is one aligned block). */
	if (order <= ORDERS && base % PG == 0)
		base &= ~(block_bytes(order) - 1);
	do_free(base, order);
}

static void op_query(struct fuzz_in *in)
{
	uint64_t base = window_addr(in) & ~(PG - 1), size = (uint64_t)fuzz_u16(in) * PG;
	uint64_t bytes = fuzz_u64(in), f;
	unsigned o;
	int w;

	if (locate(base, size, &w, &f))
		CHECK(falloc_overlaps(&fa, base, size) == (model_count(w, f, size / PG) != 0),
		      "falloc_overlaps: true exactly when a frame of the range is free");
	CHECK(!falloc_overlaps(&fa, base, 0), "falloc_overlaps: an empty range overlaps nothing");
	o = falloc_order_of(bytes);
	CHECK(o <= FALLOC_MAX_ORDER, "falloc_order_of: at most FALLOC_MAX_ORDER");
	CHECK(o == FALLOC_MAX_ORDER || block_bytes(o) >= bytes,
	      "falloc_order_of: the block holds it");
	CHECK(o == 0 || block_bytes(o - 1) < bytes, "falloc_order_of: the smallest such order");
}

/* Give every node back (the allocator has no teardown). */
static void drop(struct falloc_node *n)
{
	if (!n)
		return;
	drop(n->left);
	drop(n->right);
	node_put(NULL, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	falloc_init(&fa, node_get, node_put, NULL);
	live_nodes = 0;
	nallocs = 0;
	memset(model, 0, sizeof(model));
	model_free = 0;
	for (int i = 0; i < MAX_OPS && in.left; i++) {
		uint8_t op = fuzz_u8(&in), b = fuzz_u8(&in);

		/* Usually as many nodes as needed; sometimes only b & 15. */
		node_budget = (b & 0xf0) == 0xf0 ? b & 0xf : -1;
		switch (op % 5) {
		case 0:
			op_add(&in);
			break;
		case 1:
			op_alloc(&in);
			break;
		case 2:
			op_free_alloc(&in);
			break;
		case 3:
			op_free_any(&in);
			break;
		default:
			op_query(&in);
			break;
		}
		node_budget = -1;
		check_all();
	}
	drop(fa.root);
	CHECK(live_nodes == 0, "every node handed out is given back once the tree is dropped");
	return 0;
}
