/*
 * t_map.c - mapping and unmapping: aliases, rights, the tables the kernel
 * asks for, module frames; and the faults that follow an unmap or a
 * forbidden access, seen by the pager.
 */
#include "ct.h"
#include "spawn.h"

#define R	     KEEL_MAP_R
#define RW	     (KEEL_MAP_R | KEEL_MAP_W)

#define E(call, err) expect_eq((call), -(long)(err), #call)
#define OK(call)     expect_eq((call), 0, #call)

static long child_read(struct uthread *t)
{
	volatile unsigned long *p = t->arg;
	return (long)(*p & 0);
}

static long child_write(struct uthread *t)
{
	volatile unsigned long *p = t->arg;
	unsigned long v = *p;
	*p = v + 1;
	return 0;
}

static long child_call(struct uthread *t)
{
	void (*f)(void) = (void (*)(void))t->arg;
	f();
	return 7;
}

/* Run fn(arg) in a watched thread until it exits or faults. */
static void run(struct kpool *pool, struct client *c, long (*fn)(struct uthread *), void *arg)
{
	static struct uthread t;

	memset(c, 0, sizeof(*c));
	long r = child_start(&t, c, pool, fn, arg, THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting a thread");
	if (r < 0)
		return;
	expect(child_wait(c), "the thread neither exited nor faulted");
	expect_eq(child_finish(&t, c), 0, "destroying the thread");
}

/* It faulted once, was killed, and nothing came after. */
static void expect_killed(struct client *c, unsigned long addr, unsigned bits, const char *what)
{
	expect_fault(c, 0, addr, bits, what);
	expect(c->faults == 1 && c->exits == 0 && c->late == 0,
	       "%s: %d faults, %d exits, %d late messages after the kill", what, c->faults,
	       c->exits, c->late);
}

static void map_alias_two_addresses(struct kpool *pool)
{
	static struct client c;
	unsigned long self = ct.self_as, f = frame_alloc_zeroed();
	unsigned long va1 = TEST_VA, va2 = TEST_VA + 3 * CHUNK_SIZE + PAGE_SIZE;
	unsigned long *p1 = (unsigned long *)va1, *p2 = (unsigned long *)va2;

	test_begin("map_alias_two_addresses");
	expect(f != 0, "no frame");
	long r1 = map_page(&root_pool, self, va1, f, RW);
	long r2 = map_page(&root_pool, self, va2, f, R);
	expect_eq(r1, 0, "mapping it writable");
	expect_eq(r2, 0, "mapping it again read-only elsewhere");
	if (r1 == 0 && r2 == 0) {
		int same = 1;
		for (unsigned long i = 0; i < PAGE_SIZE / 8; i++)
			p1[i] = i * 0x9e3779b97f4a7c15ul;
		for (unsigned long i = 0; i < PAGE_SIZE / 8; i++)
			same &= p2[i] == i * 0x9e3779b97f4a7c15ul;
		expect(same, "what was written through one is not read through the other");
		E(keel_map(self, va2, ct.mem, f, R), KEEL_EEXIST);
		expect_eq(keel_lookup(self, va2, ct.mem), (long)f, "lookup gives the frame");
		expect_eq(keel_unmap(self, va1, ct.mem), (long)f, "unmap returns the frame");
		E(keel_unmap(self, va1, ct.mem), KEEL_ENOENT);
		expect(p2[1] == 0x9e3779b97f4a7c15ul, "the other mapping lost the data");
		/* The unmapped page now faults: not present, a read, from user mode. */
		run(pool, &c, child_read, p1);
		expect_killed(&c, va1, KEEL_FAULT_USER, "reading the unmapped page");
		expect_eq(keel_unmap(self, va2, KEEL_CAP_NONE), 0,
			  "unmapping the alias, asking for no offset");
		E(keel_lookup(self, va2, ct.mem), KEEL_ENOENT);
	}
	frame_free(f);
	test_end();
}

static void map_readonly_write_faults(struct kpool *pool)
{
	static struct client c;
	unsigned long f = frame_alloc_zeroed(), va = TEST_VA + 16 * PAGE_SIZE;

	test_begin("map_readonly_write_faults");
	long r = map_page(&root_pool, ct.self_as, va, f, R);
	expect_eq(r, 0, "mapping a frame read-only");
	if (r == 0) {
		run(pool, &c, child_write, (void *)(va + 64));
		expect_killed(&c, va + 64, KEEL_FAULT_PRESENT | KEEL_FAULT_WRITE | KEEL_FAULT_USER,
			      "writing a read-only page");
		expect_eq(keel_unmap(ct.self_as, va, ct.mem), (long)f, "unmapping it");
	}
	frame_free(f);
	test_end();
}

static void map_exec_rights(struct kpool *pool)
{
	static struct client c;
	unsigned long f = frame_alloc_zeroed(), va = TEST_VA + 32 * PAGE_SIZE;
	unsigned char *p = scratch_map(f, RW);

	test_begin("map_noexec_fetch_faults");
	expect(f && p, "no frame");
	if (!p) {
		test_end();
		return;
	}
	p[0] = 0xc3; /* ret */
	scratch_unmap(p, 1);
	long r = map_page(&root_pool, ct.self_as, va, f, R);
	expect_eq(r, 0, "mapping code without X");
	if (r == 0) {
		run(pool, &c, child_call, (void *)va);
		expect_killed(&c, va, KEEL_FAULT_PRESENT | KEEL_FAULT_USER | KEEL_FAULT_FETCH,
			      "calling into a page without X");
		expect(c.faults < 1 || c.rip[0] == va, "the fault's RIP 0x%lx, want 0x%lx",
		       c.rip[0], va);
		expect_eq(keel_unmap(ct.self_as, va, ct.mem), (long)f, "unmapping it");
	}
	test_end();

	test_begin("map_exec_runs");
	r = map_page(&root_pool, ct.self_as, va, f, R | KEEL_MAP_X);
	expect_eq(r, 0, "mapping it with X");
	if (r == 0) {
		run(pool, &c, child_call, (void *)va);
		expect(c.exits == 1 && c.exit_code == 7 && c.faults == 0,
		       "the call did not return (exits %d, code %ld, faults %d)", c.exits,
		       c.exit_code, c.faults);
		expect_eq(keel_unmap(ct.self_as, va, ct.mem), (long)f, "unmapping it");
	}
	frame_free(f);
	test_end();
}

static void map_supplies_tables_in_order(void)
{
	static struct kpool pool;
	unsigned long f = frame_alloc_zeroed(), va = PROG_LOAD_BASE;

	test_begin("map_supplies_tables_in_order");
	kpool_init(&pool, &root_pool);
	unsigned long asf = kpool_get(&pool), pml4 = kpool_get(&pool), cs = kpool_get(&pool);
	unsigned long t3 = kpool_get(&pool), t2 = kpool_get(&pool), t1 = kpool_get(&pool);
	unsigned long spare = kpool_get(&pool), m = ct.mem;
	int as = slot_alloc();
	expect(f && asf && pml4 && cs && t3 && t2 && t1 && spare && as >= 0, "out of memory");
	long r = keel_as_create(m, asf, pml4, cs, (unsigned long)as);
	expect_eq(r, 0, "a new address space");
	if (r == 0) {
		unsigned long a = (unsigned long)as;
		E(keel_map(a, va, m, f, R), KEEL_ENOPDPT);
		OK(keel_supply_table(a, va, 3, m, t3));
		E(keel_supply_table(a, va, 3, m, spare), KEEL_EEXIST);
		E(keel_map(a, va, m, f, R), KEEL_ENOPD);
		OK(keel_supply_table(a, va, 2, m, t2));
		E(keel_map(a, va, m, f, R), KEEL_ENOPT);
		OK(keel_supply_table(a, va, 1, m, t1));
		E(keel_supply_table(a, va + 0x1000, 1, m, spare), KEEL_EEXIST);
		E(keel_supply_table(a, va, 3, m, t2), KEEL_EROLE); /* already a table */
		OK(keel_map(a, va, m, f, R | KEEL_MAP_X));
		E(keel_map(a, va, m, f, R), KEEL_EEXIST);
		OK(keel_map(a, va + PAGE_SIZE, m, f, R));
		expect_eq(keel_lookup(a, va + PAGE_SIZE, m), (long)f, "lookup gives the frame");
		expect_eq(keel_unmap(a, va, m), (long)f, "unmap returns the frame");
		E(keel_unmap(a, va, m), KEEL_ENOENT);
		/* Destroyed with a mapping and its tables in it (and a second capability to it). */
		long dup = cap_dup(a, KEEL_AS_MAP, 0);
		expect(dup >= 0, "a second capability: %ld", dup);
		OK(keel_destroy(a));
		E(keel_destroy(a), KEEL_ENOENT); /* destroy emptied the slot */
		E(keel_cap_info(a), KEEL_ENOENT);
		slot_free(as);
		if (dup >= 0) {
			E(keel_unmap((unsigned long)dup, va + PAGE_SIZE, m), KEEL_EDEAD);
			E(keel_lookup((unsigned long)dup, va + PAGE_SIZE, m), KEEL_EDEAD);
			E(keel_map((unsigned long)dup, va, m, f, R), KEEL_EDEAD);
			E(keel_cap_info((unsigned long)dup), KEEL_EDEAD);
			OK(slot_drop((int)dup));
		}
	} else {
		slot_free(as);
	}
	OK(kpool_release(&pool));
	frame_free(f);
	test_end();
}

static void map_module_frames_readonly(void)
{
	const struct bootinfo_module *m = module_find(ct.bi, "utest");

	test_begin("map_module_frames_readonly");
	expect(m != 0, "no utest module");
	if (m) {
		unsigned long first = m->base & ~PAGE_MASK;
		const unsigned char *p = scratch_map(first, R);
		expect(p != 0, "mapping the module's first frame read-only");
		if (p) {
			p += m->base - first;
			expect(p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F',
			       "it does not start with the ELF magic");
			scratch_unmap((void *)(p - (m->base - first)), 1);
		}
		E(keel_map(ct.self_as, NEVER_VA, ct.mem, first, R | KEEL_MAP_W), KEEL_EROLE);
		/* Nor cleared: clearing writes. */
		E(keel_map(ct.self_as, NEVER_VA, ct.mem, first, R | KEEL_MAP_ZERO), KEEL_EROLE);
		E(keel_map(ct.self_as, NEVER_VA, ct.mem, first + 8, R), KEEL_EINVAL);
	}
	test_end();
}

/* The boot information is mapped read-only: a write is a protection fault. */
static void bootinfo_read_only(struct kpool *pool)
{
	static struct client c;
	unsigned long target = (unsigned long)&ct.bi->cpu_count;

	test_begin("bootinfo_is_read_only");
	run(pool, &c, child_write, (void *)target);
	expect_killed(&c, target, KEEL_FAULT_PRESENT | KEEL_FAULT_WRITE | KEEL_FAULT_USER,
		      "writing the boot information");
	expect(ct.bi->magic == BOOTINFO_MAGIC, "the boot information changed");
	test_end();
}

/*
 * KEEL_MAP_ZERO (issue 13): the kernel clears the frame as it maps it.
 * A frame we filled reads back zero through the new mapping, and the
 * rule's refusals: no R (EINVAL), a memory capability without W (EPERM).
 */
static void map_zero_clears_the_frame(void)
{
	unsigned long f = frame_alloc(), va = TEST_VA + 5 * PAGE_SIZE, self = ct.self_as;
	int ro = slot_alloc();

	test_begin("map_zero_clears_the_frame");
	expect(f && ro >= 0, "out of memory or slots");
	if (test_failing()) {
		test_end();
		return;
	}
	OK(map_page(&root_pool, self, va, f, R | KEEL_MAP_W));
	for (unsigned long i = 0; i < PAGE_SIZE / 8; i++)
		((volatile unsigned long *)va)[i] = ~i;
	expect_eq(keel_unmap(self, va, ct.mem), (long)f, "unmapping the filled frame");
	OK(keel_mem_derive(ct.mem, f, PAGE_SIZE, KEEL_MEM_R, (unsigned long)ro));
	E(keel_map(self, va, (unsigned long)ro, 0, R | KEEL_MAP_ZERO), KEEL_EPERM);
	E(keel_map(self, va, ct.mem, f, KEEL_MAP_ZERO), KEEL_EINVAL);
	E(keel_map(self, va, ct.mem, f, R | KEEL_MAP_ZERO | 32), KEEL_EINVAL);
	OK(keel_map(self, va, ct.mem, f, R | KEEL_MAP_ZERO)); /* the tables are there */
	unsigned long nonzero = 0;
	for (unsigned long i = 0; i < PAGE_SIZE / 8; i++)
		nonzero += ((volatile unsigned long *)va)[i] != 0;
	expect_eq((long)nonzero, 0, "words not cleared");
	expect_eq(keel_cap_info((unsigned long)ro), (long)(KEEL_CAP_MEMORY << 8 | KEEL_MEM_R),
		  "the read-only part");
	expect_eq(keel_unmap(self, va, ct.mem), (long)f, "unmapping it");
	OK(slot_drop(ro));
	frame_free(f);
	test_end();
}

/*
 * SYS_UNMAP_RANGE (issue 13): every mapped page of a range, one flush;
 * the frames come back in the IPC buffer, in address order; a memory
 * capability that does not hold one of them changes nothing.
 */
static void map_unmap_range(void)
{
	unsigned long va = TEST_VA + 8 * PAGE_SIZE, self = ct.self_as, f[3];
	const unsigned long *out = (const unsigned long *)ct.ipcbuf;
	int part = slot_alloc(), i;

	test_begin("map_unmap_range");
	for (i = 0; i < 3; i++)
		f[i] = frame_alloc();
	expect(f[0] && f[1] && f[2] && part >= 0, "out of memory or slots");
	if (test_failing()) {
		test_end();
		return;
	}
	/* Pages 0, 2 and 3 of five: 1 and 4 are holes. */
	OK(map_page(&root_pool, self, va, f[0], R | KEEL_MAP_ZERO));
	OK(map_page(&root_pool, self, va + 2 * PAGE_SIZE, f[1], R | KEEL_MAP_ZERO));
	OK(map_page(&root_pool, self, va + 3 * PAGE_SIZE, f[2], R | KEEL_MAP_ZERO));
	E(keel_unmap_range(self, va, 0, ct.mem), KEEL_EINVAL);
	E(keel_unmap_range(self, va, KEEL_UNMAP_MAX + 1, ct.mem), KEEL_EINVAL);
	E(keel_unmap_range(self, KEEL_USER_TOP - PAGE_SIZE, 2, ct.mem), KEEL_EFAULT);
	E(keel_unmap_range(self, va + 8, 5, ct.mem), KEEL_EINVAL);
	/* A part of memory holding only f[0]: nothing may be unmapped. */
	OK(keel_mem_derive(ct.mem, f[0], PAGE_SIZE, KEEL_MEM_R, (unsigned long)part));
	E(keel_unmap_range(self, va, 5, (unsigned long)part), KEEL_EPERM);
	expect_eq(keel_lookup(self, va + 3 * PAGE_SIZE, ct.mem), (long)f[2], "still mapped");
	expect_eq(keel_unmap_range(self, va, 5, ct.mem), 3, "pages unmapped");
	for (i = 0; i < 3; i++)
		expect(out[i] == f[i], "frame %d came back as 0x%lx, not 0x%lx", i, out[i], f[i]);
	for (i = 0; i < 5; i++)
		E(keel_lookup(self, va + (unsigned long)i * PAGE_SIZE, ct.mem), KEEL_ENOENT);
	expect_eq(keel_unmap_range(self, va, 5, ct.mem), 0, "an empty range");
	/* Without a memory capability: the count only. */
	OK(map_page(&root_pool, self, va + 4 * PAGE_SIZE, f[0], R));
	expect_eq(keel_unmap_range(self, va, 5, KEEL_CAP_NONE), 1, "unmapped without mem");
	OK(slot_drop(part));
	for (i = 0; i < 3; i++)
		frame_free(f[i]);
	test_end();
}

/*
 * KEEL_MAP_LARGE (issue 13): one 2 MB page-directory entry.  va and off
 * aligned; all of it the pager's RAM; its entry free (no page table, no
 * page); cleared with KEEL_MAP_ZERO; SYS_LOOKUP answers for the 4 KB frame
 * inside, SYS_UNMAP inside is EINVAL, a 4 KB page inside EEXIST; the
 * range unmap takes it whole (its 512 frames come back), never cut.
 */
static void map_large_pages(struct kpool *pool)
{
	unsigned long run = run_alloc(KEEL_LARGE_SIZE), f = frame_alloc(), self = ct.self_as;
	unsigned long va = TEST_VA + 32 * KEEL_LARGE_SIZE, big = R | KEEL_MAP_W | KEEL_MAP_LARGE;
	const unsigned long *out = (const unsigned long *)ct.ipcbuf;
	int part = slot_alloc();

	test_begin("map_large_pages");
	expect(run && f && part >= 0, "out of memory or slots");
	if (test_failing()) {
		test_end();
		return;
	}
	expect(run % KEEL_LARGE_SIZE == 0, "the run at 0x%lx is not aligned", run);
	E(keel_map(self, va + PAGE_SIZE, ct.mem, run, big), KEEL_EINVAL);
	E(keel_map(self, va, ct.mem, run + PAGE_SIZE, big), KEEL_EINVAL);
	/* The last 2 MB below KEEL_USER_TOP would map the page that is never mapped. */
	E(keel_map(self, (KEEL_USER_TOP - 1) & ~(KEEL_LARGE_SIZE - 1), ct.mem, run, big),
	  KEEL_EFAULT);
	/*
	 * The frame must be aligned, not only the offset: a part of memory
	 * that starts 4 KB into a 4 MB run, at offset 0, names an unaligned
	 * 2 MB (a 2 MB entry cannot hold it: bit 12 is PAT there).
	 */
	unsigned long four = run_alloc(2 * KEEL_LARGE_SIZE);
	int skew = slot_alloc();
	expect(four && skew >= 0, "no 4 MB run or no slot");
	if (four && skew >= 0) {
		OK(keel_mem_derive(ct.mem, four + PAGE_SIZE, KEEL_LARGE_SIZE,
				   KEEL_MEM_R | KEEL_MEM_W, (unsigned long)skew));
		/* The tables down to va's page directory, so that only the check refuses. */
		OK(map_page(&root_pool, self, va + 4 * KEEL_LARGE_SIZE, f, R));
		expect_eq(keel_unmap(self, va + 4 * KEEL_LARGE_SIZE, ct.mem), (long)f, "4 KB");
		long r = keel_map(self, va, (unsigned long)skew, 0, big);
		expect_eq(r, -KEEL_EINVAL, "an unaligned 2 MB frame");
		if (!r) /* mapped: take it away for what follows */
			keel_unmap_range(self, va, KEEL_UNMAP_MAX, KEEL_CAP_NONE);
		E(keel_lookup(self, va, ct.mem), KEEL_ENOENT);
		OK(slot_drop(skew));
	}
	if (four)
		run_free(four, 2 * KEEL_LARGE_SIZE / PAGE_SIZE);
	/* A part of memory that holds 4 KB of it only. */
	OK(keel_mem_derive(ct.mem, run, PAGE_SIZE, KEEL_MEM_R | KEEL_MEM_W, (unsigned long)part));
	E(keel_map(self, va, (unsigned long)part, 0, big), KEEL_EINVAL);
	OK(slot_drop(part));
	/* Boot modules are not the pager's RAM. */
	unsigned long mod = ct.bi->modules[0].base & ~(KEEL_LARGE_SIZE - 1);
	expect(keel_map(self, va, ct.mem, mod, R | KEEL_MAP_LARGE) < 0, "a module's 2 MB mapped");
	/* A page table in the way: EEXIST; taken away, the 2 MB page fits. */
	OK(map_page(&root_pool, self, va, f, R));
	E(keel_map(self, va, ct.mem, run, big), KEEL_EEXIST);
	expect_eq(keel_unmap(self, va, ct.mem), (long)f, "the 4 KB page");
	/* Filled, taken whole, mapped again cleared. */
	volatile unsigned long *p = (unsigned long *)(va + KEEL_LARGE_SIZE);
	OK(map_page(&root_pool, self, va + KEEL_LARGE_SIZE, run, big));
	for (unsigned long i = 0; i < KEEL_LARGE_SIZE / 8; i++)
		p[i] = ~i;
	expect_eq(keel_unmap_range(self, va + KEEL_LARGE_SIZE, KEEL_UNMAP_MAX, KEEL_CAP_NONE),
		  (long)KEEL_UNMAP_MAX, "the filled page's frames");
	OK(map_page(&root_pool, self, va + KEEL_LARGE_SIZE, run, big | KEEL_MAP_ZERO));
	unsigned long nonzero = 0;
	for (unsigned long i = 0; i < KEEL_LARGE_SIZE / 8; i++)
		nonzero += p[i] != 0;
	expect_eq((long)nonzero, 0, "words not cleared");
	for (unsigned long i = 0; i < KEEL_LARGE_SIZE / 8; i += 509)
		p[i] = i;
	expect_eq(keel_lookup(self, va + KEEL_LARGE_SIZE + 5 * PAGE_SIZE, ct.mem),
		  (long)(run + 5 * PAGE_SIZE), "the frame 5 pages in");
	E(keel_unmap(self, va + KEEL_LARGE_SIZE, ct.mem), KEEL_EINVAL);
	E(keel_unmap(self, va + KEEL_LARGE_SIZE + PAGE_SIZE, ct.mem), KEEL_EINVAL);
	E(keel_map(self, va + KEEL_LARGE_SIZE + PAGE_SIZE, ct.mem, f, R), KEEL_EEXIST);
	E(keel_map(self, va + KEEL_LARGE_SIZE, ct.mem, run, big), KEEL_EEXIST);
	/* Ranges that cut it change nothing. */
	E(keel_unmap_range(self, va + KEEL_LARGE_SIZE + PAGE_SIZE, 4, ct.mem), KEEL_EINVAL);
	E(keel_unmap_range(self, va + KEEL_LARGE_SIZE - PAGE_SIZE, KEEL_UNMAP_MAX, ct.mem),
	  KEEL_EINVAL);
	unsigned long bad = 0;
	for (unsigned long i = 0; i < KEEL_LARGE_SIZE / 8; i += 509)
		bad += p[i] != i;
	expect_eq((long)bad, 0, "words changed");
	expect_eq(keel_unmap_range(self, va + KEEL_LARGE_SIZE, KEEL_UNMAP_MAX, ct.mem),
		  (long)KEEL_UNMAP_MAX, "pages unmapped");
	for (unsigned long i = 0; i < KEEL_UNMAP_MAX; i++)
		if (out[i] != run + i * PAGE_SIZE)
			expect(0, "frame %lu came back as 0x%lx", i, out[i]);
	E(keel_lookup(self, va + KEEL_LARGE_SIZE, ct.mem), KEEL_ENOENT);
	/*
	 * Left mapped in an address space that is destroyed: the kernel drops
	 * its count, so the chunk can be donated (a mapped one cannot).
	 */
	struct proc victim;
	OK(spawn(&victim, pool, ct.bi, "pvictim", badge_new()));
	OK(map_page(pool, victim.as, 1ul << 30, run, big));
	E(keel_kmem_donate(ct.mem, run, KEEL_LARGE_SIZE), KEEL_EROLE);
	OK(proc_destroy(&victim));
	OK(keel_kmem_donate(ct.mem, run, KEEL_LARGE_SIZE));
	OK(keel_kmem_reclaim(ct.mem, run, KEEL_LARGE_SIZE));
	frame_free(f);
	frames_free(out, KEEL_UNMAP_MAX);
	test_end();
}

/*
 * SYS_MAP_RANGE (issue 13): a run of frames as 4 KB pages in one call,
 * here across a 2 MB boundary (two page tables).  Everything is checked
 * before anything is mapped: a missing table, a page in the way, frames
 * outside the memory capability change nothing.
 */
static void map_range_maps_runs(void)
{
	enum { N = 16 };
	unsigned long run = run_alloc(N * PAGE_SIZE), f = frame_alloc(), self = ct.self_as;
	unsigned long va = TEST_VA + 40 * KEEL_LARGE_SIZE - 8 * PAGE_SIZE, w = R | KEEL_MAP_W;
	const unsigned long *out = (const unsigned long *)ct.ipcbuf;

	test_begin("map_range_maps_runs");
	expect(run && f, "out of memory");
	if (test_failing()) {
		test_end();
		return;
	}
	E(keel_map_range(self, va, ct.mem, run, 0, w), KEEL_EINVAL);
	E(keel_map_range(self, va, ct.mem, run, KEEL_MAP_RANGE_MAX + 1, w), KEEL_EINVAL);
	E(keel_map_range(self, KEEL_USER_TOP - PAGE_SIZE, ct.mem, run, 2, w), KEEL_EFAULT);
	E(keel_map_range(self, va + 8, ct.mem, run, N, w), KEEL_EINVAL);
	E(keel_map_range(self, va, ct.mem, run, N, KEEL_MAP_W), KEEL_EINVAL);
	E(keel_map_range(self, va, ct.mem, run, N, w | KEEL_MAP_LARGE), KEEL_EINVAL);
	E(keel_map_range(self, va, ct.mem, ct.bi->memory_size - PAGE_SIZE, 2, w), KEEL_EINVAL);
	/*
	 * A range whose first frames are the pager's RAM but which reaches
	 * into a donated chunk (kernel objects): refused, whatever lies
	 * before the chunk.
	 */
	unsigned long two = run_alloc(2 * KEEL_LARGE_SIZE), donated = two + KEEL_LARGE_SIZE;
	expect(two != 0, "no 4 MB run");
	if (two) { /* its second chunk donated, the first still the pager's RAM */
		OK(keel_kmem_donate(ct.mem, donated, KEEL_LARGE_SIZE));
		E(keel_map_range(self, va, ct.mem, donated - 4 * PAGE_SIZE, 8, R), KEEL_EROLE);
		E(keel_map_range(self, va, ct.mem, donated + 4 * PAGE_SIZE, 8, R), KEEL_EROLE);
		OK(map_range(&root_pool, self, va, donated - 4 * PAGE_SIZE, 4, R));
		expect_eq(keel_unmap_range(self, va, 4, KEEL_CAP_NONE), 4, "the 4 pages before it");
		OK(keel_kmem_reclaim(ct.mem, donated, KEEL_LARGE_SIZE));
		run_free(two, 2 * KEEL_LARGE_SIZE / PAGE_SIZE);
	}
	long r = keel_map_range(self, va, ct.mem, run, N, w);
	expect(r == -KEEL_ENOPT || r == -KEEL_ENOPD || r == -KEEL_ENOPDPT, "no tables yet: got %ld",
	       r);
	/* A page in the way (its table supplied by map_page): EEXIST, nothing mapped. */
	OK(map_page(&root_pool, self, va + 3 * PAGE_SIZE, f, R));
	OK(map_page(&root_pool, self, va + 12 * PAGE_SIZE, f, R));
	expect_eq(keel_unmap(self, va + 12 * PAGE_SIZE, ct.mem), (long)f, "the second page");
	E(keel_map_range(self, va, ct.mem, run, N, w), KEEL_EEXIST);
	E(keel_lookup(self, va, ct.mem), KEEL_ENOENT);
	E(keel_lookup(self, va + 12 * PAGE_SIZE, ct.mem), KEEL_ENOENT);
	expect_eq(keel_unmap(self, va + 3 * PAGE_SIZE, ct.mem), (long)f, "the page in the way");
	/* Filled, unmapped, mapped again cleared. */
	OK(map_range(&root_pool, self, va, run, N, w));
	for (unsigned long i = 0; i < N; i++) {
		expect_eq(keel_lookup(self, va + i * PAGE_SIZE, ct.mem),
			  (long)(run + i * PAGE_SIZE), "the frame of a page");
		*(volatile unsigned long *)(va + i * PAGE_SIZE + 8 * i) = ~i;
	}
	E(keel_map_range(self, va, ct.mem, run, N, w), KEEL_EEXIST);
	expect_eq(keel_unmap_range(self, va, N, KEEL_CAP_NONE), N, "the filled pages");
	OK(keel_map_range(self, va, ct.mem, run, N, w | KEEL_MAP_ZERO)); /* the tables are there */
	unsigned long nonzero = 0;
	for (unsigned long i = 0; i < N * PAGE_SIZE / 8; i++)
		nonzero += ((volatile unsigned long *)va)[i] != 0;
	expect_eq((long)nonzero, 0, "words not cleared");
	expect_eq(keel_unmap_range(self, va, N, ct.mem), N, "pages unmapped");
	for (unsigned long i = 0; i < N; i++)
		if (out[i] != run + i * PAGE_SIZE)
			expect(0, "frame %lu came back as 0x%lx", i, out[i]);
	frames_free(out, N);
	/* A boot module's frames: read-only only, and all of the range a module's. */
	const struct bootinfo_module *mod = &ct.bi->modules[0], *last = mod;
	for (unsigned i = 1; i < ct.bi->module_count; i++) /* the last one: RAM follows it */
		if (ct.bi->modules[i].base > last->base)
			last = &ct.bi->modules[i];
	unsigned long mf = mod->base & ~PAGE_MASK, lf = last->base & ~PAGE_MASK;
	unsigned long lpages = (last->base + last->size - lf + PAGE_MASK) / PAGE_SIZE;
	E(keel_map_range(self, va, ct.mem, mf, 2, w), KEEL_EROLE);
	E(keel_map_range(self, va, ct.mem, mf, 2, R | KEEL_MAP_ZERO), KEEL_EROLE);
	OK(keel_map_range(self, va, ct.mem, mf, 2, R));
	const unsigned char *elf = (const unsigned char *)(va + (mod->base - mf));
	expect(elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F',
	       "the module's bytes (an ELF file) are not there");
	expect_eq(keel_unmap_range(self, va, 2, KEEL_CAP_NONE), 2, "the module's pages");
	expect(keel_map_range(self, va, ct.mem, lf + (lpages - 1) * PAGE_SIZE, 3, R) < 0,
	       "a range from the last module into what follows it was mapped");
	E(keel_lookup(self, va, ct.mem), KEEL_ENOENT);
	frame_free(f);
	test_end();
}

/* Does this CPU have 1 GB pages (CPUID 0x80000001, EDX bit 26)? */
static int cpu_has_gb_pages(void)
{
	unsigned a = 0x80000001u, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d >> 26 & 1;
}

/*
 * KEEL_MAP_HUGE (issue 13): one 1 GB PDPT entry where the CPU has them,
 * refused where it has not.  The same rules as 2 MB pages; it goes whole
 * with SYS_UNMAP at its start, never with a range; destroying the
 * address space drops the count of each of its 512 chunks.
 */
static void map_huge_pages(struct kpool *pool)
{
	unsigned long va = TEST_VA + 2 * KEEL_HUGE_SIZE, self = ct.self_as;
	unsigned long big = R | KEEL_MAP_W | KEEL_MAP_HUGE;
	int gb = cpu_has_gb_pages();

	test_begin("map_huge_pages");
	unsigned long run = run_alloc(KEEL_HUGE_SIZE), f = frame_alloc();
	if (!run || !f) { /* a small machine: only a refusal (frame 0 is not the pager's) */
		expect(keel_map(self, va, ct.mem, 0, big) < 0, "1 GB at 0 was mapped");
		if (run)
			run_free(run, KEEL_HUGE_SIZE / PAGE_SIZE);
		frame_free(f);
		test_end();
		return;
	}
	E(keel_map(self, va, ct.mem, run, big | KEEL_MAP_LARGE), KEEL_EINVAL);
	if (!gb) {
		E(keel_map(self, va, ct.mem, run, big), KEEL_EINVAL);
		run_free(run, KEEL_HUGE_SIZE / PAGE_SIZE);
		frame_free(f);
		test_end();
		return;
	}
	E(keel_map(self, va + KEEL_LARGE_SIZE, ct.mem, run, big), KEEL_EINVAL);
	E(keel_map(self, va, ct.mem, run + KEEL_LARGE_SIZE, big), KEEL_EINVAL);
	E(keel_map(self, va, ct.mem, run, big | KEEL_MAP_ZERO), KEEL_EINVAL);
	E(keel_map(self, (KEEL_USER_TOP - 1) & ~(KEEL_HUGE_SIZE - 1), ct.mem, run, big),
	  KEEL_EFAULT);
	OK(map_page(pool, self, va, run, big));
	volatile unsigned long *p = (unsigned long *)va;
	for (unsigned long off = 0; off < KEEL_HUGE_SIZE; off += 37 * KEEL_LARGE_SIZE + 8)
		p[off / 8] = off;
	unsigned long bad = 0;
	for (unsigned long off = 0; off < KEEL_HUGE_SIZE; off += 37 * KEEL_LARGE_SIZE + 8)
		bad += p[off / 8] != off;
	expect_eq((long)bad, 0, "words read back wrong");
	unsigned long in = 5 * KEEL_LARGE_SIZE + 3 * PAGE_SIZE;
	expect_eq(keel_lookup(self, va + in, ct.mem), (long)(run + in), "a frame inside it");
	E(keel_map(self, va + in, ct.mem, f, R), KEEL_EEXIST);
	E(keel_map(self, va + KEEL_LARGE_SIZE, ct.mem, run, R | KEEL_MAP_LARGE), KEEL_EEXIST);
	E(keel_map_range(self, va + in, ct.mem, f, 1, R), KEEL_EEXIST);
	unsigned long t = kpool_get(pool); /* a free donated frame, as a table would be */
	expect(t != 0, "no free frame in the pool");
	if (t) {
		E(keel_supply_table(self, va + in, 1, ct.mem, t), KEEL_EEXIST);
		E(keel_supply_table(self, va + in, 2, ct.mem, t), KEEL_EEXIST);
		kpool_put(pool, t);
	}
	E(keel_unmap(self, va + PAGE_SIZE, ct.mem), KEEL_EINVAL);
	E(keel_unmap_range(self, va, KEEL_UNMAP_MAX, ct.mem), KEEL_EINVAL);
	E(keel_kmem_donate(ct.mem, run + 7 * KEEL_LARGE_SIZE, KEEL_LARGE_SIZE), KEEL_EROLE);
	expect_eq(keel_unmap(self, va, ct.mem), (long)run, "the whole 1 GB page");
	E(keel_lookup(self, va + in, ct.mem), KEEL_ENOENT);
	OK(keel_kmem_donate(ct.mem, run + 7 * KEEL_LARGE_SIZE, KEEL_LARGE_SIZE));
	OK(keel_kmem_reclaim(ct.mem, run + 7 * KEEL_LARGE_SIZE, KEEL_LARGE_SIZE));
	/* Left mapped in an address space that is destroyed: every chunk's count goes. */
	struct proc victim;
	OK(spawn(&victim, pool, ct.bi, "pvictim", badge_new()));
	OK(map_page(pool, victim.as, KEEL_HUGE_SIZE, run, big));
	E(keel_kmem_donate(ct.mem, run + 511 * KEEL_LARGE_SIZE, KEEL_LARGE_SIZE), KEEL_EROLE);
	OK(proc_destroy(&victim));
	OK(keel_kmem_donate(ct.mem, run + 511 * KEEL_LARGE_SIZE, KEEL_LARGE_SIZE));
	OK(keel_kmem_reclaim(ct.mem, run + 511 * KEEL_LARGE_SIZE, KEEL_LARGE_SIZE));
	run_free(run, KEEL_HUGE_SIZE / PAGE_SIZE);
	frame_free(f);
	test_end();
}

void tests_map(void)
{
	static struct kpool pool;

	kpool_init(&pool, &root_pool);
	map_alias_two_addresses(&pool);
	map_readonly_write_faults(&pool);
	map_exec_rights(&pool);
	map_supplies_tables_in_order();
	map_module_frames_readonly();
	map_zero_clears_the_frame();
	map_unmap_range();
	map_large_pages(&pool);
	map_range_maps_runs();
	map_huge_pages(&pool);
	bootinfo_read_only(&pool);
	test_begin("map_objects_reclaimed");
	expect_eq(kpool_release(&pool), 0, "reclaiming the threads' donation");
	test_end();
}
