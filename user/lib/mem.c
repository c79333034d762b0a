/*
 * mem.c - the root's memory: free RAM, donated chunks, mapping, scratch.
 *
 * Each free range is used from both ends: single frames (which get mapped)
 * from the bottom up, whole chunks (which get donated) from the top down,
 * so a donated chunk never holds a frame that is mapped.
 */
#include "mem.h"
#include "keel.h"
#include "str.h"

#define MAX_RANGES  64
#define FRAME_FREE  4096
#define CHUNK_FREE  64
#define DESTROY_TRY 2000

struct kpool root_pool;

static struct {
	unsigned long self_as;
	int nranges;
	unsigned long base[MAX_RANGES], lo[MAX_RANGES], hi[MAX_RANGES];
	unsigned long frame_free[FRAME_FREE];
	int nframe_free;
	unsigned long chunk_free[CHUNK_FREE];
	int nchunk_free;
	unsigned long scratch_used[SCRATCH_PAGES / 64];
} m;

static unsigned long align_up(unsigned long v, unsigned long a)
{
	return (v + a - 1) & ~(a - 1);
}

long mem_init(const struct bootinfo *bi)
{
	m.self_as = bi->self_as;
	m.nranges = 0;
	for (uint32_t i = 0; i < bi->range_count && m.nranges < MAX_RANGES; i++) {
		unsigned long b = bi->ranges[i].base, s = bi->ranges[i].size;
		if (!s)
			continue;
		if (b == 0) { /* frame 0 would read as "none" */
			b += PAGE_SIZE;
			s -= PAGE_SIZE;
		}
		m.base[m.nranges] = b;
		m.lo[m.nranges] = b;
		m.hi[m.nranges] = b + s;
		m.nranges++;
	}
	kpool_init(&root_pool, 0);
	return kpool_grow(&root_pool);
}

unsigned long mem_self_as(void)
{
	return m.self_as;
}

unsigned long frame_alloc(void)
{
	if (m.nframe_free)
		return m.frame_free[--m.nframe_free];
	for (int i = 0; i < m.nranges; i++) {
		if (m.lo[i] + PAGE_SIZE <= m.hi[i]) {
			unsigned long f = m.lo[i];
			m.lo[i] += PAGE_SIZE;
			return f;
		}
	}
	return 0;
}

void frame_free(unsigned long frame)
{
	if (frame && m.nframe_free < FRAME_FREE)
		m.frame_free[m.nframe_free++] = frame;
}

long frame_zero(unsigned long frame)
{
	void *p = scratch_map(frame, KEEL_MAP_R | KEEL_MAP_W);
	if (!p)
		return -KEEL_EFULL;
	memset(p, 0, PAGE_SIZE);
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

unsigned long chunk_alloc(void)
{
	if (m.nchunk_free)
		return m.chunk_free[--m.nchunk_free];
	/* From the top of the highest range down. */
	for (int i = m.nranges - 1; i >= 0; i--) {
		unsigned long top = m.hi[i] & ~(CHUNK_SIZE - 1);
		unsigned long floor = align_up(m.lo[i], CHUNK_SIZE);
		if (top >= floor + CHUNK_SIZE) {
			m.hi[i] = top - CHUNK_SIZE;
			return m.hi[i];
		}
	}
	return 0;
}

void chunk_free(unsigned long chunk)
{
	if (chunk && m.nchunk_free < CHUNK_FREE)
		m.chunk_free[m.nchunk_free++] = chunk;
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
	long r = sys_kmem_donate(c, CHUNK_SIZE);
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

long kpool_release(struct kpool *p)
{
	long first = 0;

	for (int i = 0; i < p->nchunks; i++) {
		long r = sys_kmem_reclaim(p->chunks[i], CHUNK_SIZE);
		if (r == 0)
			chunk_free(p->chunks[i]);
		else if (!first)
			first = r; /* the chunk stays the kernel's: forget it */
	}
	p->nchunks = 0;
	p->nfree = 0;
	p->next = p->end = 0;
	return first;
}

long map_page(struct kpool *tables, unsigned long as, unsigned long va, unsigned long frame,
	      unsigned long rights)
{
	struct kpool *counts = tables->counts ? tables->counts : tables;

	/* At most three tables and one count table, plus a retry or two for races. */
	for (int tries = 0; tries < 8; tries++) {
		long r = sys_map(as, va, frame, rights);
		unsigned long level, t;

		switch (r) {
		case -KEEL_ENOPDPT:
			level = 3;
			break;
		case -KEEL_ENOPD:
			level = 2;
			break;
		case -KEEL_ENOPT:
			level = 1;
			break;
		case -KEEL_ENOCOUNT:
			t = kpool_get(counts);
			if (!t)
				return -KEEL_EFULL;
			r = sys_kmem_counts(frame, t);
			if (r < 0) {
				kpool_put(counts, t);
				if (r != -KEEL_EEXIST)
					return r;
			}
			continue;
		default:
			return r;
		}
		t = kpool_get(tables);
		if (!t)
			return -KEEL_EFULL;
		r = sys_supply_table(as, va, level, t);
		if (r < 0) {
			kpool_put(tables, t);
			if (r != -KEEL_EEXIST)
				return r;
		}
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

void *scratch_map_run(unsigned long frame, size_t pages, unsigned long rights)
{
	if (!pages || pages > SCRATCH_PAGES)
		return 0;
	for (size_t start = 0; start + pages <= SCRATCH_PAGES; start++) {
		size_t n = 0;
		while (n < pages && !scratch_test((int)(start + n)))
			n++;
		if (n < pages) {
			start += n; /* skip past the used page */
			continue;
		}
		unsigned long va = SCRATCH_BASE + start * PAGE_SIZE;
		for (n = 0; n < pages; n++) {
			long r = map_page(&root_pool, m.self_as, va + n * PAGE_SIZE,
					  frame + n * PAGE_SIZE, rights);
			if (r < 0) {
				while (n--)
					sys_unmap(m.self_as, va + n * PAGE_SIZE);
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

	for (size_t n = 0; n < pages; n++) {
		sys_unmap(m.self_as, a + n * PAGE_SIZE);
		scratch_set((int)((a - SCRATCH_BASE) / PAGE_SIZE + n), 0);
	}
}

long destroy_retry(unsigned long object)
{
	long r = -KEEL_EBUSY;

	for (int i = 0; i < DESTROY_TRY && r == -KEEL_EBUSY; i++) {
		r = sys_destroy(object);
		if (r == -KEEL_EBUSY)
			sys_yield();
	}
	return r;
}
