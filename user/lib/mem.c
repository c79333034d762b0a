/*
 * mem.c - the root's memory: free RAM, donated chunks, mapping, scratch.
 *
 * Free RAM is a buddy allocator (falloc.c) over the boot information's
 * ranges: single frames are order-0 blocks, chunks to donate are 2 MB
 * blocks, which hold no mapped frame because all their frames are free.
 * Its nodes are a falloc_pool: a small static array, then pages the root
 * takes from the allocator and maps for them (the node arena), added
 * before allocator calls, never inside one (falloc is not re-entrant), and
 * given back after frees once the nodes fit in fewer pages (issue 15: a
 * storm of fragmented frees took pages that never came back, and that
 * split the 2 MB blocks spawns need).
 *
 * Frames are offsets in the root's memory capability (m.mem), which has
 * base 0: the numbers falloc keeps are physical addresses, and the same
 * numbers name the frames to the kernel.
 *
 * Single frames come from a small cache, refilled with one block of up
 * to FRAME_BATCH frames (the smallest free block up to that size, taken
 * whole): a first touch then costs a pop, not a split of a block and a
 * rebalanced tree (about 400 instructions in `make bench`).  Cached
 * frames are free RAM (mem_free_bytes counts them); frees go straight
 * back to the allocator, so buddies still merge, and a free of a frame
 * that is in the cache is refused like any double free.  A run or chunk
 * that cannot be found drains the cache into the allocator and looks
 * again.
 */
#include "mem.h"
#include "cslot.h"
#include "falloc.h"
#include "keel.h"
#include "str.h"

#define DESTROY_TRY   2000
#define DESTROY_TICKS 100
#define BOOT_NODES    512
#define NODES_LOW     (2 * FALLOC_NODES_PER_OP)
#define CHUNK_ORDER   9 /* 2 MB = 2^9 frames */
#define BATCH_ORDER   4 /* the frame cache is refilled with 2^4 frames */
#define FRAME_BATCH   (1u << BATCH_ORDER)

struct kpool root_pool;

static struct {
	unsigned long self_as; /* slots: the root's address space, */
	unsigned long mem;     /* and its memory capability (base 0) */
	struct falloc fa;
	struct falloc_pool nodes;
	struct falloc_node boot_nodes[BOOT_NODES];
	unsigned long managed; /* bytes of free RAM taken over */
	int refilling;
	unsigned long scratch_used[ROOT_SCRATCH_PAGES / 64];
	unsigned long cache[FRAME_BATCH]; /* free frames for frame_alloc */
	unsigned ncache;
} m;

/*
 * Before each allocator call: enough nodes for it, mapping a page of them
 * if low.  The mapping allocates too (a frame, maybe tables from a new
 * chunk), which the reserve covers; `refilling` stops the recursion.
 */
static void nodes_refill(void)
{
	if (m.nodes.nspare >= NODES_LOW || m.refilling)
		return;
	void *va = falloc_pool_next_page(&m.nodes);
	if (!va)
		return;
	m.refilling = 1;
	unsigned long f = falloc_alloc(&m.fa, 0);
	if (f != FALLOC_NONE) {
		if (map_page(&root_pool, m.self_as, (unsigned long)va, f,
			     KEEL_MAP_R | KEEL_MAP_W) == 0)
			falloc_pool_add_page(&m.nodes, f);
		else
			falloc_free(&m.fa, f, 0);
	}
	m.refilling = 0;
}

/* Give back the node pages nodes_trim found the nodes no longer need. */
static void nodes_trim_pages(void)
{
	unsigned long f;

	while ((f = falloc_pool_trim(&m.fa, &m.nodes, NODES_LOW)) != FALLOC_NONE) {
		keel_unmap_range(m.self_as, ROOT_NODES_BASE + m.nodes.pages * PAGE_SIZE, 1,
				 KEEL_CAP_NONE);
		falloc_free(&m.fa, f, 0); /* a spare node is at hand: the trim kept some */
	}
}

/*
 * After frees (once per call of the free functions below): node pages the
 * nodes no longer need go back, from the arena's end, while two pages
 * more than the reserve are spare (so a page is not mapped and unmapped
 * over and over at the edge).  Usually nothing is to be done, and the
 * check is a few instructions.
 */
static inline void nodes_trim(void)
{
	if (falloc_pool_trimmable(&m.nodes, NODES_LOW) && !m.refilling)
		nodes_trim_pages();
}

long mem_init(const struct bootinfo *bi)
{
	m.self_as = bi->self_as;
	m.mem = bi->memory;
	falloc_pool_init(&m.nodes, m.boot_nodes, BOOT_NODES, (void *)ROOT_NODES_BASE,
			 ROOT_NODES_PAGES);
	falloc_init(&m.fa, falloc_pool_get, falloc_pool_put, &m.nodes);
	for (uint32_t i = 0; i < bi->range_count; i++) {
		unsigned long b = bi->ranges[i].base, s = bi->ranges[i].size;
		if (b == 0 && s) { /* frame 0 would read as "none" */
			b += PAGE_SIZE;
			s -= PAGE_SIZE;
		}
		if (!s)
			continue;
		nodes_refill();
		long r = falloc_add(&m.fa, b, s);
		if (r)
			return r == FALLOC_ENOMEM ? -KEEL_EFULL : -KEEL_EINVAL;
		m.managed += s;
	}
	kpool_init(&root_pool, 0);
	return kpool_grow(&root_pool);
}

unsigned long mem_self_as(void)
{
	return m.self_as;
}

unsigned long mem_cap(void)
{
	return m.mem;
}

unsigned long mem_managed_bytes(void)
{
	return m.managed;
}

unsigned long mem_free_bytes(void)
{
	return m.fa.free_bytes + m.ncache * PAGE_SIZE;
}

/* Is a frame of [base, base + bytes) in the frame cache (free already)? */
static int cache_holds(unsigned long base, unsigned long bytes)
{
	for (unsigned i = 0; i < m.ncache; i++)
		if (m.cache[i] - base < bytes)
			return 1;
	return 0;
}

int mem_frame_cached(unsigned long frame)
{
	return cache_holds(frame, PAGE_SIZE);
}

/*
 * Every cached frame back to the allocator (where it merges with its
 * buddies), while it has nodes for them: a frame it has no node for stays
 * cached, and counted.  (nodes_refill maps a page, which never drains:
 * block_alloc does not while a refill runs.)
 */
static void cache_drain(void)
{
	while (m.ncache) {
		nodes_refill();
		if (falloc_free(&m.fa, m.cache[m.ncache - 1], 0) == FALLOC_ENOMEM)
			return;
		m.ncache--; /* freed (or free already: then it was counted twice) */
	}
	nodes_trim();
}

/*
 * A frame: from the cache, else the smallest free block up to a batch,
 * taken whole (never split while a smaller block is free: the buddy
 * allocator's smallest fit), its other frames cached.
 */
unsigned long frame_alloc(void)
{
	if (m.ncache)
		return m.cache[--m.ncache];
	unsigned order = 0;
	while (order < BATCH_ORDER && !m.fa.lists[order])
		order++;
	nodes_refill();
	unsigned long b = falloc_alloc(&m.fa, order);
	if (b == FALLOC_NONE)
		return 0;
	for (unsigned i = (1u << order) - 1; i > 0; i--) /* handed out from the low end */
		m.cache[m.ncache++] = b + i * PAGE_SIZE;
	return b;
}

void frame_free(unsigned long frame)
{
	if (frame)
		run_free(frame, 1);
}

/*
 * [base, base + pages frames) back as the largest aligned blocks it
 * holds.  A block with a cached frame in it (a double free: the cache's
 * frames are free) goes back a frame at a time, without the cached ones;
 * the allocator refuses any other double free itself.
 */
static void run_free_untrimmed(unsigned long base, unsigned long pages)
{
	while (pages) {
		unsigned order = 0;
		while (order < FALLOC_MAX_ORDER && !((base / PAGE_SIZE) & ((2ul << order) - 1)) &&
		       (2ul << order) <= pages)
			order++;
		if (!cache_holds(base, PAGE_SIZE << order)) {
			nodes_refill();
			falloc_free(&m.fa, base, order);
		} else {
			for (unsigned long f = base; f < base + (PAGE_SIZE << order);
			     f += PAGE_SIZE)
				if (!cache_holds(f, PAGE_SIZE)) {
					nodes_refill();
					falloc_free(&m.fa, f, 0);
				}
		}
		base += PAGE_SIZE << order;
		pages -= 1ul << order;
	}
}

void run_free(unsigned long base, unsigned long pages)
{
	run_free_untrimmed(base, pages);
	nodes_trim();
}

void frames_free(const unsigned long *frames, unsigned long n)
{
	for (unsigned long i = 0, j; i < n; i = j) {
		unsigned long lo = frames[i];
		j = i + 1;
		if (!lo)
			continue;
		if (j < n && frames[j] == frames[j - 1] + PAGE_SIZE) {
			while (j < n && frames[j] == frames[j - 1] + PAGE_SIZE)
				j++;
		} else if (j < n && frames[j] + PAGE_SIZE == frames[j - 1]) {
			while (j < n && frames[j] + PAGE_SIZE == frames[j - 1])
				j++;
			lo = frames[j - 1];
		}
		run_free_untrimmed(lo, j - i);
	}
	nodes_trim();
}

long frame_zero(unsigned long frame)
{
	void *p = scratch_map(frame, KEEL_MAP_R | KEEL_MAP_W);
	if (!p)
		return -KEEL_EFULL;
	page_clear(p);
	scratch_unmap(p, 1);
	return 0;
}

unsigned long frame_alloc_zeroed(void)
{
	unsigned long f = frame_alloc();
	if (f && frame_zero(f) < 0) {
		frame_free(f);
		return 0;
	}
	return f;
}

/* A block of 2^order frames; if there is none, again with the cache drained. */
static unsigned long block_alloc(unsigned order)
{
	nodes_refill();
	unsigned long r = falloc_alloc(&m.fa, order);
	if (r == FALLOC_NONE && m.ncache && !m.refilling) {
		cache_drain();
		nodes_refill();
		r = falloc_alloc(&m.fa, order);
	}
	return r == FALLOC_NONE ? 0 : r;
}

unsigned long run_alloc(unsigned long bytes)
{
	return block_alloc(falloc_order_of(bytes));
}

unsigned long mem_bookkeeping_bytes(void)
{
	return m.nodes.pages * PAGE_SIZE;
}

unsigned long chunk_alloc(void)
{
	return block_alloc(CHUNK_ORDER);
}

void chunk_free(unsigned long chunk)
{
	if (chunk)
		run_free(chunk, 1ul << CHUNK_ORDER);
}

void kpool_init(struct kpool *p, struct kpool *counts)
{
	memset(p, 0, sizeof(*p));
	p->counts = counts;
}

long kpool_grow(struct kpool *p)
{
	if (p->nchunks == KPOOL_CHUNKS)
		return p->error = -KEEL_EFULL;
	unsigned long c = chunk_alloc();
	if (!c)
		return p->error = -KEEL_EFULL;
	long r = keel_kmem_donate(m.mem, c, CHUNK_SIZE);
	if (r < 0) {
		chunk_free(c);
		return p->error = r;
	}
	p->chunks[p->nchunks++] = c;
	/* The chunk's first frame is the kernel's bookkeeping. */
	p->next = c + PAGE_SIZE;
	p->end = c + CHUNK_SIZE;
	return 0;
}

unsigned long kpool_get(struct kpool *p)
{
	if (p->nfree)
		return p->free[--p->nfree];
	if (p->next >= p->end && (p->fixed || kpool_grow(p) < 0))
		return 0;
	unsigned long f = p->next;
	p->next += PAGE_SIZE;
	return f;
}

void kpool_put(struct kpool *p, unsigned long frame)
{
	if (frame && p->nfree < KPOOL_FREE)
		p->free[p->nfree++] = frame;
}

/*
 * Chunks the kernel would not give back yet: a capability to an object
 * that was in them (stale now) is still held somewhere, say a copy a
 * server made of a connection's endpoint.  It goes when its holder
 * deletes it or ends, so each release tries these again.
 */
#define PENDING_MAX 64
static unsigned long pending[PENDING_MAX];
static int npending;

unsigned long mem_pending_chunks(void)
{
	return (unsigned long)npending;
}

void mem_pending_retry(void)
{
	for (int i = 0; i < npending;) {
		if (keel_kmem_reclaim(m.mem, pending[i], CHUNK_SIZE) == 0) {
			chunk_free(pending[i]);
			pending[i] = pending[--npending];
		} else {
			i++;
		}
	}
}

long kpool_release(struct kpool *p)
{
	long first = 0;

	mem_pending_retry();
	for (int i = 0; i < p->nchunks; i++) {
		long r = keel_kmem_reclaim(m.mem, p->chunks[i], CHUNK_SIZE);
		if (r == 0) {
			chunk_free(p->chunks[i]);
			continue;
		}
		if (r == -KEEL_EBUSY && npending < PENDING_MAX)
			pending[npending++] = p->chunks[i]; /* tried again at the next release */
		/* else the chunk stays the kernel's: forget it */
		if (!first)
			first = r;
	}
	p->nchunks = 0;
	p->nfree = 0;
	p->next = p->end = 0;
	return first;
}

/* Supply whichever of the tables at `level` for [va, end) are missing, from tables. */
static long supply_tables(struct kpool *tables, unsigned long as, unsigned long va,
			  unsigned long end, unsigned long level)
{
	unsigned long span = 1ul << (12 + 9 * level); /* what one table at `level` covers */

	for (unsigned long a = va; a < end; a = (a & ~(span - 1)) + span) {
		unsigned long t = kpool_get(tables);
		if (!t)
			return -KEEL_EFULL;
		long r = keel_supply_table(as, a, level, m.mem, t);
		if (r < 0) {
			kpool_put(tables, t);
			if (r != -KEEL_EEXIST)
				return r;
		}
	}
	return 0;
}

/* A count table for frame, from counts (EEXIST: it has one). */
static long supply_counts(struct kpool *counts, unsigned long frame)
{
	unsigned long t = kpool_get(counts);
	if (!t)
		return -KEEL_EFULL;
	long r = keel_kmem_counts(m.mem, frame, t);
	if (r < 0)
		kpool_put(counts, t);
	return r == -KEEL_EEXIST ? 0 : r;
}

int asks_for_tables(long r)
{
	return r == -KEEL_ENOPDPT || r == -KEEL_ENOPD || r == -KEEL_ENOPT || r == -KEEL_ENOCOUNT;
}

/*
 * A map said r, asking for a table or a count table: supply it: page
 * tables for [va, end) at the level missing, a count table for frame and
 * for last (a run may reach into a second count table's span).
 */
static long supply_missing(long r, struct kpool *tables, unsigned long as, unsigned long va,
			   unsigned long end, unsigned long frame, unsigned long last)
{
	struct kpool *counts = tables->counts ? tables->counts : tables;

	if (r == -KEEL_ENOCOUNT) {
		r = supply_counts(counts, frame);
		return r || last == frame ? r : supply_counts(counts, last);
	}
	return supply_tables(tables, as, va, end,
			     r == -KEEL_ENOPDPT ? 3
			     : r == -KEEL_ENOPD ? 2
						: 1);
}

long map_range(struct kpool *tables, unsigned long as, unsigned long va, unsigned long frame,
	       unsigned long pages, unsigned long rights)
{
	unsigned long end = va + pages * PAGE_SIZE, last = frame + (pages - 1) * PAGE_SIZE;

	/* Each missing kind once (a range spans at most two of each table), and a retry. */
	for (int tries = 0; tries < 8; tries++) {
		long r = keel_map_range(as, va, m.mem, frame, pages, rights);
		if (!asks_for_tables(r))
			return r;
		if ((r = supply_missing(r, tables, as, va, end, frame, last)) < 0)
			return r;
	}
	return -KEEL_EBUSY;
}

long map_page(struct kpool *tables, unsigned long as, unsigned long va, unsigned long frame,
	      unsigned long rights)
{
	/* At most three tables and one count table, plus a retry or two for races. */
	for (int tries = 0; tries < 8; tries++) {
		long r = keel_map(as, va, m.mem, frame, rights);
		if (!asks_for_tables(r))
			return r;
		if ((r = supply_missing(r, tables, as, va, va + 1, frame, frame)) < 0)
			return r;
	}
	return -KEEL_EBUSY;
}

static int scratch_test(int i)
{
	return (int)((m.scratch_used[i / 64] >> (i % 64)) & 1);
}

static void scratch_set(int i, int used)
{
	if (used)
		m.scratch_used[i / 64] |= 1ul << (i % 64);
	else
		m.scratch_used[i / 64] &= ~(1ul << (i % 64));
}

/* Unmap [va, va + pages) of our own, a SYS_UNMAP_RANGE (one TLB flush) per 512 pages. */
static void unmap_pages(unsigned long va, size_t pages)
{
	for (size_t n = 0; n < pages; n += KEEL_UNMAP_MAX)
		keel_unmap_range(m.self_as, va + n * PAGE_SIZE,
				 pages - n < KEEL_UNMAP_MAX ? pages - n : KEEL_UNMAP_MAX,
				 KEEL_CAP_NONE);
}

void *scratch_map_run(unsigned long frame, size_t pages, unsigned long rights)
{
	if (!pages || pages > ROOT_SCRATCH_PAGES)
		return 0;
	for (size_t start = 0; start + pages <= ROOT_SCRATCH_PAGES; start++) {
		size_t n = 0;
		while (n < pages && !scratch_test((int)(start + n)))
			n++;
		if (n < pages) {
			start += n; /* skip past the used page */
			continue;
		}
		unsigned long va = ROOT_SCRATCH_BASE + start * PAGE_SIZE;
		/* One SYS_MAP_RANGE per 512 pages: nothing is mapped if it fails. */
		for (n = 0; n < pages; n += KEEL_MAP_RANGE_MAX) {
			size_t k = pages - n < KEEL_MAP_RANGE_MAX ? pages - n : KEEL_MAP_RANGE_MAX;
			if (map_range(&root_pool, m.self_as, va + n * PAGE_SIZE,
				      frame + n * PAGE_SIZE, k, rights) < 0) {
				if (n) /* the frames are the caller's: no offset wanted */
					unmap_pages(va, n);
				return 0;
			}
		}
		for (n = 0; n < pages; n++)
			scratch_set((int)(start + n), 1);
		return (void *)va;
	}
	return 0;
}

void *scratch_map(unsigned long frame, unsigned long rights)
{
	return scratch_map_run(frame, 1, rights);
}

void scratch_unmap(void *va, size_t pages)
{
	unsigned long a = (unsigned long)va;

	unmap_pages(a, pages);
	for (size_t n = 0; n < pages; n++)
		scratch_set((int)((a - ROOT_SCRATCH_BASE) / PAGE_SIZE + n), 0);
}

long destroy_retry(unsigned long slot)
{
	long r = -KEEL_EBUSY;

	for (int i = 0; i < DESTROY_TRY && r == -KEEL_EBUSY; i++) {
		r = keel_destroy(slot);
		if (r == -KEEL_EBUSY)
			keel_yield();
	}
	/*
	 * A thread running on another CPU is stopped there by the kernel's
	 * kick; under an emulator that CPU may not run for a while (its host
	 * thread waits for a host core), and yields take no time when
	 * nothing else is ready here.  So wait ticks too, up to a second.
	 */
	for (int i = 0; i < DESTROY_TICKS && r == -KEEL_EBUSY; i++) {
		keel_sleep(1);
		r = keel_destroy(slot);
	}
	if (r == 0) /* the kernel emptied the slot */
		cslot_free(slot);
	return r;
}
