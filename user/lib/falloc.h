/*
 * falloc.h - the frame allocator of the pager (issue 5) and of coretest,
 * the first programs: a buddy allocator over
 * the free ranges of the boot information, whose bookkeeping is one node
 * per free block, never per frame.
 *
 * Free memory is a set of naturally aligned blocks of 2^order frames.  The
 * blocks are kept twice: in a list per order (any block of an order in
 * O(1)) and in one AVL tree by address (a block's buddy, and overlap
 * checks, in O(log n)).  A 64 TB machine whose free memory is a few
 * ranges starts with a few hundred nodes; nothing proportional to RAM is
 * touched or reserved, so booting with 2 TB costs what 2 GB does.
 *
 * Nodes come from the caller (node_get/node_put), so that the pager can
 * keep them in memory it maps for itself and the host tests in malloc.
 * An operation needs at most FALLOC_NODES_PER_OP new nodes; the caller
 * makes sure that many are at hand before each call.
 *
 * Pure logic: host-tested (tests/host/test_falloc.c).
 */
#ifndef PAGER_FALLOC_H
#define PAGER_FALLOC_H

#include <abi/page.h>
#include <stdbool.h>
#include <stdint.h>

#define FALLOC_PAGE	    KEEL_PAGE_SIZE
#define FALLOC_MAX_ORDER    40 /* 2^40 frames: 4 PB, beyond any machine here */
#define FALLOC_NODES_PER_OP (FALLOC_MAX_ORDER + 1)
#define FALLOC_NONE	    (~0ull)

struct falloc_node {
	uint64_t base;	/* physical address, aligned to its size */
	unsigned order; /* 2^order frames */
	int height;	/* AVL */
	struct falloc_node *left, *right;
	struct falloc_node *prev, *next; /* its order's list */
};

struct falloc {
	struct falloc_node *root;
	struct falloc_node *lists[FALLOC_MAX_ORDER + 1];
	uint64_t free_bytes;
	uint64_t nodes; /* free blocks */
	struct falloc_node *(*node_get)(void *ctx);
	void (*node_put)(void *ctx, struct falloc_node *n);
	void *ctx;
};

enum falloc_error {
	FALLOC_OK = 0,
	FALLOC_EINVAL = -1, /* misaligned, empty, wrapping, order too big */
	FALLOC_EBUSY = -2,  /* overlaps memory that is already free */
	FALLOC_ENOMEM = -3, /* no node for the bookkeeping */
};

void falloc_init(struct falloc *fa, struct falloc_node *(*node_get)(void *ctx),
		 void (*node_put)(void *ctx, struct falloc_node *n), void *ctx);

/*
 * Free memory [base, base + size): page-aligned, not overlapping free
 * memory.  Split into maximal aligned blocks (at most 2 per order).
 */
int falloc_add(struct falloc *fa, uint64_t base, uint64_t size);

/* 2^order contiguous frames, aligned to their size; FALLOC_NONE if none. */
uint64_t falloc_alloc(struct falloc *fa, unsigned order);

/*
 * Give back what falloc_alloc(order) returned (or any aligned block of
 * free-able memory): merged with its free buddies.  FALLOC_EBUSY if any
 * of it is free already (a double free), and nothing changes.
 */
int falloc_free(struct falloc *fa, uint64_t base, unsigned order);

/* Is any frame of [base, base + size) free? */
bool falloc_overlaps(const struct falloc *fa, uint64_t base, uint64_t size);

/* The smallest order whose block holds `bytes`. */
unsigned falloc_order_of(uint64_t bytes);

#endif
