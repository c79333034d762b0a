/*
 * t_mem.c - memory capabilities: a derived one names a part of memory,
 * with offsets from its own base, with at most its parent's rights; a map
 * through it works inside and fails outside (EINVAL), asks for no right it
 * lacks (EPERM); an unmap or lookup through one that does not hold the
 * frame changes nothing (EPERM); KEEL_MEM_KMEM is needed to donate.
 */
#include "ct.h"

#define R	     KEEL_MAP_R
#define RW	     (KEEL_MAP_R | KEEL_MAP_W)

#define E(call, err) expect_eq((call), -(long)(err), #call)
#define OK(call)     expect_eq((call), 0, #call)

static void mem_derived_range(void)
{
	unsigned long m = ct.mem, self = ct.self_as, va = TEST_VA + 0x3000000ul;
	unsigned long run = run_alloc(4 * PAGE_SIZE), base = run + PAGE_SIZE;
	long d = -1, d2 = -1;
	int s = slot_alloc(), s2 = slot_alloc();

	test_begin("mem_derived_maps_inside_only");
	expect(run && s >= 0 && s2 >= 0, "out of memory");
	/* The page tables for va, once: then each map below is decided by its arguments. */
	long r = run ? map_page(&root_pool, self, va, run, R) : -1;
	expect_eq(r, 0, "mapping a frame at va");
	if (r || test_failing())
		goto out;
	expect_eq(keel_unmap(self, va, m), (long)run, "unmapping it");
	/* d: [run + 1 page, run + 3 pages), R and W. */
	OK(keel_mem_derive(m, base, 2 * PAGE_SIZE, KEEL_MEM_R | KEEL_MEM_W, (unsigned long)s));
	d = s;
	expect_eq(keel_cap_info((unsigned long)d), (long)(KEEL_CAP_MEMORY << 8 | RW),
		  "the derived capability's type and rights");
	OK(keel_map(self, va, (unsigned long)d, 0, RW));
	expect_eq(keel_lookup(self, va, m), (long)base, "its offset 0 is its base");
	expect_eq(keel_lookup(self, va, (unsigned long)d), 0, "looked up through it: offset 0");
	*(volatile unsigned long *)va = 0xd371eedul; /* mapped writable: this must not fault */
	expect_eq(keel_unmap(self, va, (unsigned long)d), 0, "unmapped through it: offset 0");
	OK(keel_map(self, va, (unsigned long)d, PAGE_SIZE, R));
	expect_eq(keel_lookup(self, va, m), (long)(base + PAGE_SIZE), "its offset 1 page");
	expect_eq(keel_unmap(self, va, m), (long)(base + PAGE_SIZE), "unmapping it");
	/* Outside it, or more than its rights: nothing mapped. */
	E(keel_map(self, va, (unsigned long)d, 2 * PAGE_SIZE, R), KEEL_EINVAL);
	E(keel_map(self, va, (unsigned long)d, 64 * PAGE_SIZE, R), KEEL_EINVAL);
	E(keel_map(self, va, (unsigned long)d, ~PAGE_MASK, R), KEEL_EINVAL);
	E(keel_map(self, va, (unsigned long)d, 8, R), KEEL_EINVAL);
	E(keel_map(self, va, (unsigned long)d, 0, R | KEEL_MAP_X), KEEL_EPERM);
	E(keel_lookup(self, va, m), KEEL_ENOENT);
	/* A frame it does not hold: lookup and unmap through it EPERM, and it stays mapped. */
	OK(keel_map(self, va, m, run, R));
	E(keel_lookup(self, va, (unsigned long)d), KEEL_EPERM);
	E(keel_unmap(self, va, (unsigned long)d), KEEL_EPERM);
	expect_eq(keel_lookup(self, va, m), (long)run, "still mapped");
	expect_eq(keel_unmap(self, va, m), (long)run, "unmapping it");
	/* Deriving from it: inside, aligned, no more rights. */
	E(keel_mem_derive((unsigned long)d, PAGE_SIZE, 2 * PAGE_SIZE, KEEL_MEM_R,
			  (unsigned long)s2),
	  KEEL_EINVAL);
	E(keel_mem_derive((unsigned long)d, 8, PAGE_SIZE, KEEL_MEM_R, (unsigned long)s2),
	  KEEL_EINVAL);
	E(keel_mem_derive((unsigned long)d, 0, 8, KEEL_MEM_R, (unsigned long)s2), KEEL_EINVAL);
	E(keel_mem_derive((unsigned long)d, 0, 0, KEEL_MEM_R, (unsigned long)s2), KEEL_EINVAL);
	E(keel_mem_derive((unsigned long)d, 0, PAGE_SIZE, KEEL_MEM_R | KEEL_MEM_X,
			  (unsigned long)s2),
	  KEEL_EPERM);
	E(keel_mem_derive((unsigned long)d, 0, PAGE_SIZE, KEEL_MEM_KMEM, (unsigned long)s2),
	  KEEL_EPERM);
	E(keel_mem_derive((unsigned long)d, 0, PAGE_SIZE, 0x10, (unsigned long)s2), KEEL_EINVAL);
	E(keel_mem_derive(m, ~PAGE_MASK, 2 * PAGE_SIZE, KEEL_MEM_R, (unsigned long)s2),
	  KEEL_EINVAL); /* wraps around */
	E(keel_cap_info((unsigned long)s2), KEEL_ENOENT);
	OK(keel_mem_derive((unsigned long)d, PAGE_SIZE, PAGE_SIZE, KEEL_MEM_R, (unsigned long)s2));
	d2 = s2;
	OK(keel_map(self, va, (unsigned long)d2, 0, R));
	expect_eq(keel_lookup(self, va, m), (long)(base + PAGE_SIZE), "its parent's offset 1 page");
	E(keel_map(self, va + PAGE_SIZE, (unsigned long)d2, 0, RW), KEEL_EPERM);
	expect_eq(keel_unmap(self, va, (unsigned long)d), (long)PAGE_SIZE,
		  "unmapped through the parent: the parent's offset");
out:
	if (d2 >= 0)
		OK(slot_drop((int)d2));
	else
		slot_free(s2);
	if (d >= 0)
		OK(slot_drop((int)d));
	else
		slot_free(s);
	for (int i = 0; run && i < 4; i++)
		frame_free(run + (unsigned long)i * PAGE_SIZE);
	test_end();
}

static void mem_kmem_right(void)
{
	unsigned long m = ct.mem, chunk = chunk_alloc();
	int s = slot_alloc(), ep = slot_alloc(), th = slot_alloc();

	test_begin("mem_kmem_right_needed_to_donate");
	expect(chunk && s >= 0 && ep >= 0 && th >= 0, "out of memory");
	if (test_failing())
		goto out;
	unsigned long d = (unsigned long)s;
	/* Without KMEM: no donation. */
	OK(keel_mem_derive(m, chunk, CHUNK_SIZE, KEEL_MEM_R | KEEL_MEM_W, d));
	E(keel_kmem_donate(d, 0, CHUNK_SIZE), KEEL_EPERM);
	OK(keel_cap_delete(KEEL_CAP_SELF, d));
	/* With KMEM only: a donation and objects, at its offsets; no R/W for a buffer. */
	OK(keel_mem_derive(m, chunk, CHUNK_SIZE, KEEL_MEM_KMEM, d));
	E(keel_kmem_donate(d, CHUNK_SIZE, CHUNK_SIZE), KEEL_EINVAL);
	OK(keel_kmem_donate(d, 0, CHUNK_SIZE));
	E(keel_kmem_donate(m, chunk, CHUNK_SIZE), KEEL_EROLE); /* the same chunk, through m */
	OK(keel_endpoint_create(d, PAGE_SIZE, (unsigned long)ep));
	E(keel_endpoint_create(m, chunk + PAGE_SIZE, KEEL_CAP_SELF), KEEL_EINVAL);
	E(keel_endpoint_create(m, chunk + PAGE_SIZE, (unsigned long)th), KEEL_EROLE); /* taken */
	E(keel_thread_create(d, 2 * PAGE_SIZE, ct.self_as, 3 * PAGE_SIZE, 1, (unsigned long)th),
	  KEEL_EPERM);
	E(keel_kmem_reclaim(d, 0, CHUNK_SIZE), KEEL_EBUSY);
	OK(keel_destroy((unsigned long)ep));
	OK(keel_kmem_reclaim(d, 0, CHUNK_SIZE));
	OK(keel_cap_delete(KEEL_CAP_SELF, d));
	E(keel_cap_info(EMPTY_SLOT), KEEL_ENOENT);
out:
	slot_free(s);
	slot_free(ep);
	slot_free(th);
	if (chunk)
		chunk_free(chunk);
	test_end();
}

/*
 * The user library's frame cache (user/lib/mem.c): single frames come
 * from a block taken whole from the buddy allocator; free memory counts
 * the cached frames (with the allocator's own pages, which a refill may
 * add: mem_free_bytes + mem_bookkeeping_bytes stays exact), every frame
 * handed out is distinct, a second free of a frame changes nothing, and
 * a free of a frame that sits in the cache is refused (frame_free, and
 * inside a run_free) while its neighbours in the run still go back.
 */
static unsigned long mem_total(void)
{
	return mem_free_bytes() + mem_bookkeeping_bytes();
}

static void mem_frame_cache(void)
{
	enum { N = 40 }; /* more than two batches */
	static unsigned long f[N + 16];
	unsigned long total0 = mem_total();
	int got = 0, same = 0, n = N;

	test_begin("mem_frame_cache_counts_and_refuses_double_frees");
	for (int i = 0; i < N; i++) {
		f[i] = frame_alloc();
		got += f[i] != 0;
		for (int j = 0; j < i; j++)
			same += f[i] && f[j] == f[i];
	}
	expect_eq(got, N, "frames allocated");
	expect_eq(same, 0, "a frame handed out twice");
	expect_eq(mem_total(), total0 - N * PAGE_SIZE, "free memory after the allocations");
	frame_free(f[0]);
	frame_free(f[0]);
	expect_eq(mem_total(), total0 - (N - 1) * PAGE_SIZE, "free memory after a double free");
	f[0] = frame_alloc();
	/* One whose upper neighbour is cached (a block is handed out from its low end). */
	while (n < N + 16 && !mem_frame_cached(f[n - 1] + PAGE_SIZE))
		f[n++] = frame_alloc();
	unsigned long x = f[n - 1];
	expect(mem_frame_cached(x + PAGE_SIZE), "no frame with a cached neighbour in 16");
	if (mem_frame_cached(x + PAGE_SIZE)) {
		unsigned long t = mem_total();
		frame_free(x + PAGE_SIZE);
		expect_eq(mem_total(), t, "free memory after freeing a cached frame");
		run_free(x, 2); /* x goes back; its cached neighbour is refused */
		expect_eq(mem_total(), t + PAGE_SIZE,
			  "free memory after a run with a cached frame");
		expect(!mem_frame_cached(x) && mem_frame_cached(x + PAGE_SIZE),
		       "the run's frames where they belong");
		f[n - 1] = 0; /* freed */
		/* Had the refused frees let it into the allocator too, it would come twice. */
		static unsigned long g[40];
		int seen = 0;
		for (int i = 0; i < 40; i++)
			seen += (g[i] = frame_alloc()) == x + PAGE_SIZE;
		for (int i = 0; i < 40; i++)
			frame_free(g[i]);
		expect_eq(seen, 1, "times the cached frame was handed out in 40 allocations");
	}
	for (int i = 0; i < n; i++)
		frame_free(f[i]);
	expect_eq(mem_total(), total0, "free memory once all are back");
	unsigned long one = frame_alloc(); /* the cache may hold frames now */
	unsigned long chunk = chunk_alloc();
	expect(chunk != 0, "no 2 MB chunk while the frame cache holds frames");
	chunk_free(chunk);
	frame_free(one);
	expect_eq(mem_total(), total0, "free memory at the end");
	test_end();
}

void tests_mem(void)
{
	mem_derived_range();
	mem_kmem_right();
	mem_frame_cache();
}
