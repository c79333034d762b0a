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
 * makes sure that many are at hand before each call.  The pager's nodes
 * are a falloc_pool (below): a fixed array, then pages it takes from the
 * allocator and gives back when the nodes fit in fewer (issue 15).
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

/*
 * A pool of nodes: `fixed` ones, then pages of a window, used from its
 * start.  Its owner maps a page (a frame it took from the allocator) at
 * falloc_pool_next_page() and hands it over with falloc_pool_add_page;
 * falloc_pool_trim empties the last page when two pages of nodes more than
 * `keep` are spare, and gives it back to the owner to unmap and free.  So the pages in use follow the number of free blocks, and after a
 * storm of fragmented frees they all come back.
 *
 * A page holds FALLOC_POOL_PAGE_NODES nodes, then the frame it is (the
 * last 8 bytes).  Spare nodes are linked by next, last put first out.
 */
#define FALLOC_POOL_PAGE_NODES ((FALLOC_PAGE - sizeof(uint64_t)) / sizeof(struct falloc_node))

struct falloc_pool {
	struct falloc_node *spare; /* spare nodes, linked by next */
	uint64_t nspare;
	uint64_t pages, max_pages; /* pages of the window in use, and its size */
	unsigned char *window;	   /* page-aligned */
};

void falloc_pool_init(struct falloc_pool *p, struct falloc_node *fixed, uint64_t nfixed,
		      void *window, uint64_t max_pages);
/* falloc's node_get and node_put, with the pool as ctx. */
struct falloc_node *falloc_pool_get(void *pool);
void falloc_pool_put(void *pool, struct falloc_node *n);
/* Where the next page goes (its owner maps it there); NULL if the window is full. */
void *falloc_pool_next_page(const struct falloc_pool *p);
/* The page at falloc_pool_next_page() is mapped, and is `frame`: its nodes are spare. */
void falloc_pool_add_page(struct falloc_pool *p, uint64_t frame);
/* Can a page go: one is in use, and 2 * FALLOC_POOL_PAGE_NODES + keep nodes are spare? */
static inline bool falloc_pool_trimmable(const struct falloc_pool *p, uint64_t keep)
{
	return p->pages && p->nspare >= 2 * FALLOC_POOL_PAGE_NODES + keep;
}
/*
 * Between allocator calls, if falloc_pool_trimmable: move the live nodes
 * of the last page into spare ones below it and take the page out of the
 * pool: its frame, which the owner unmaps (the page is window + p->pages *
 * FALLOC_PAGE now) and frees.  FALLOC_NONE if no page can go.  One walk
 * of the spare list, and at most FALLOC_POOL_PAGE_NODES moves, each
 * O(log n).
 */
uint64_t falloc_pool_trim(struct falloc *fa, struct falloc_pool *p, uint64_t keep);

#endif
