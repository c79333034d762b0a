/*
 * t_fault.c - faults and exits as messages to the pager: an exit code, a
 * read of kernel memory, demand paging (map and resume), and a fault
 * nobody will serve (kill, then silence).
 */
#include "ct.h"

#define DEMAND_VA    (TEST_VA + 0x1000000ul)
#define DEMAND_PAGES 4

/* Where child_demand touches (the map-reply test moves it to a range with no tables yet). */
static unsigned long demand_va = DEMAND_VA;

static struct kpool pool;
static struct uthread t;
static struct client c;

static long child_exit42(struct uthread *u)
{
	(void)u;
	return 42; /* the trampoline passes it to SYS_EXIT */
}

static long child_read(struct uthread *u)
{
	volatile unsigned long *p = u->arg;
	return (long)(*p & 0);
}

static long child_demand(struct uthread *u)
{
	long bad = 0;

	(void)u;
	for (unsigned long i = 0; i < DEMAND_PAGES; i++) {
		volatile unsigned long *p = (unsigned long *)(demand_va + i * PAGE_SIZE);
		bad += p[0] != 0 || p[PAGE_SIZE / 8 - 1] != 0; /* zero-filled */
		p[0] = 0xd00d0000 + i;
		p[PAGE_SIZE / 8 - 1] = ~i;
		bad += p[0] != 0xd00d0000 + i || p[PAGE_SIZE / 8 - 1] != ~i;
	}
	return bad;
}

static int start(long (*fn)(struct uthread *), void *arg)
{
	long r = child_start(&t, &c, &pool, fn, arg, THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting the thread");
	if (r == 0)
		expect(child_wait(&c), "no message from the thread");
	return r == 0;
}

static void finish(void)
{
	expect_eq(child_finish(&t, &c), 0, "destroying the thread");
}

static void thread_exit_message(void)
{
	test_begin("thread_exit_message");
	memset(&c, 0, sizeof(c));
	if (start(child_exit42, 0)) {
		expect(c.exits == 1 && c.faults == 0, "%d exits, %d faults", c.exits, c.faults);
		expect_eq(c.exit_code, 42, "the exit code");
		expect((c.exit_tag & IPC_TAG_KERNEL) && IPC_TAG_LABEL(c.exit_tag) == IPC_LABEL_EXIT,
		       "the exit message's tag 0x%lx", c.exit_tag);
		sleep_ticks(3);
		expect_eq(c.events, 1, "messages from it");
		finish();
	}
	test_end();
}

static void fault_kernel_read_killed(void)
{
	int ok = 0;

	test_begin("fault_kernel_read_killed");
	memset(&c, 0, sizeof(c));
	if (start(child_read, (void *)KERNEL_VA)) {
		expect_fault(&c, 0, KERNEL_VA, KEEL_FAULT_PRESENT | KEEL_FAULT_USER,
			     "reading the kernel image");
		expect(c.faults == 1 && c.exits == 0 && c.late == 0, "%d faults, %d exits, %d late",
		       c.faults, c.exits, c.late);
		expect(c.rip[0] >= PROG_LOAD_BASE && c.rip[0] < 0x10000000, "the fault's RIP 0x%lx",
		       c.rip[0]);
		finish();
	}
	/* The rest of the system goes on. */
	for (unsigned long i = 0; i < 20; i++)
		ok += echo_call(ct.echo_slot, ct.ipcbuf, i, 0);
	expect_eq(ok, 20, "echo calls answered right afterwards");
	test_end();
}

/*
 * The demand thread ran to its end: one fault per page (`faults`: what a
 * wrong count means), a frame mapped for each, no wrong read.  start()
 * returns at the first message (its first fault): wait for the exit.
 * (This looked at once, and failed when the waiter got the CPU between
 * two faults: on 64 slow CPUs.)
 */
static void demand_ran(const char *faults)
{
	wait_until(&c.exits, 1, WAIT_TICKS);
	expect(c.exits == 1, "it did not exit (%d faults, killed %d)", c.faults, c.killed);
	expect_eq(c.exit_code, 0, "its wrong reads");
	expect_eq(c.faults, DEMAND_PAGES, faults);
	expect_eq(c.used, DEMAND_PAGES, "frames mapped");
}

/* What the demand thread wrote is in our address space too (the same pages). */
static void demand_written(void)
{
	for (unsigned long i = 0; i < (unsigned long)c.used; i++) {
		volatile unsigned long *p = (unsigned long *)(demand_va + i * PAGE_SIZE);
		expect(p[0] == 0xd00d0000 + i, "page %lu lost what the thread wrote", i);
	}
}

/* The demand pages out of our space, and their frames back. */
static void demand_free(void)
{
	for (int i = 0; i < c.used; i++)
		expect_eq(keel_unmap(ct.self_as, demand_va + (unsigned long)i * PAGE_SIZE, ct.mem),
			  (long)c.demand[i], "unmapping a demand page");
	for (int i = 0; i < DEMAND_PAGES; i++)
		frame_free(c.demand[i]);
}

static void pager_demand_zero_fill(void)
{
	test_begin("pager_demand_zero_fill");
	memset(&c, 0, sizeof(c));
	c.as = ct.self_as;
	c.lo = DEMAND_VA;
	c.hi = DEMAND_VA + DEMAND_PAGES * PAGE_SIZE;
	for (int i = 0; i < DEMAND_PAGES; i++) {
		c.demand[i] = frame_alloc();
		expect(c.demand[i] != 0, "out of memory");
		/* Dirty, then zeroed: the pager must get what we prepared. */
		unsigned char *p =
		    c.demand[i] ? scratch_map(c.demand[i], KEEL_MAP_R | KEEL_MAP_W) : 0;
		if (p) {
			memset(p, 0, PAGE_SIZE);
			scratch_unmap(p, 1);
		}
	}
	c.ndemand = DEMAND_PAGES;
	long fast0 = keel_info(KEEL_INFO_IPC_FAST);
	if (!test_failing() && start(child_demand, 0)) {
		demand_ran("faults");
		/*
		 * Our pager thread shares the child's CPU: each fault goes
		 * straight to it, and each "resume" straight back.
		 */
		long fast = keel_info(KEEL_INFO_IPC_FAST) - fast0;
		expect(fast >= 2 * DEMAND_PAGES - 2,
		       "%ld of %d faults and resumes took the IPC direct path", fast,
		       2 * DEMAND_PAGES);
		for (int i = 0; i < DEMAND_PAGES && i < c.faults; i++)
			expect_fault(&c, i, DEMAND_VA + (unsigned long)i * PAGE_SIZE,
				     KEEL_FAULT_USER, "a first touch");
		finish();
		demand_written();
	}
	demand_free();
	test_end();
}

/*
 * The same demand paging, each fault answered with IPC_FAULT_MAP: the
 * mapping in the reply.  Before the first good one, four replies the
 * kernel must refuse with SYS_MAP's errors, changing nothing (the thread
 * goes on waiting: one fault, no resume).  The replies take the IPC fast
 * path when they can (the map is its last check).
 */
static void pager_fault_answered_with_a_map(void)
{
	static const long want[6] = { -KEEL_EBADOBJ, -KEEL_ENOENT, -KEEL_EINVAL,
				      -KEEL_EINVAL,  -KEEL_EINVAL, -KEEL_EFAULT };
	static struct kpool other;
	long os = slot_alloc();
	unsigned long f1, f2, f3;

	test_begin("pager_fault_answered_with_a_map");
	memset(&c, 0, sizeof(c));
	c.as = ct.self_as;
	c.map_in_reply = 1;
	demand_va = DEMAND_VA + KEEL_HUGE_SIZE; /* no page directory there yet */
	c.lo = demand_va;
	c.hi = demand_va + DEMAND_PAGES * PAGE_SIZE;
	/* Another address space, for a reply that names it. */
	kpool_init(&other, &root_pool);
	f1 = kpool_get(&other), f2 = kpool_get(&other), f3 = kpool_get(&other);
	expect(os >= 0 && f1 && f2 && f3 &&
		   keel_as_create(ct.mem, f1, f2, f3, (unsigned long)os) == 0,
	       "another address space");
	c.other_as = (unsigned long)os;
	for (int i = 0; i < DEMAND_PAGES; i++) {
		c.demand[i] = frame_alloc_zeroed();
		expect(c.demand[i] != 0, "out of memory");
	}
	c.ndemand = DEMAND_PAGES;
	long fast0 = keel_info(KEEL_INFO_IPC_FAST);
	if (!test_failing() && start(child_demand, 0)) {
		demand_ran("faults (a refused reply resumed it)");
		expect_eq(c.nmap_errors, 6, "refused replies tried");
		for (int i = 0; i < 6; i++)
			expect_eq(c.map_errors[i], want[i], "a reply the kernel must refuse");
		expect_eq(keel_lookup(c.other_as, demand_va, ct.mem), -KEEL_ENOENT,
			  "the other space after a reply that named it");
		expect_eq(c.map_fallbacks, 1, "replies that found a table missing (the first)");
		long fast = keel_info(KEEL_INFO_IPC_FAST) - fast0;
		expect(fast >= 2 * DEMAND_PAGES - 2 - 2 * c.map_fallbacks,
		       "%ld of %d faults and map replies took the IPC direct path (%d fell back)",
		       fast, 2 * DEMAND_PAGES, c.map_fallbacks);
		finish();
		demand_written();
	}
	demand_free();
	demand_va = DEMAND_VA;
	if (os >= 0) {
		expect_eq(keel_destroy((unsigned long)os), 0, "destroying the other space");
		slot_free((int)os);
	}
	expect_eq(kpool_release(&other), 0, "reclaiming the other space's frames");
	test_end();
}

/*
 * A fault whose thread is destroyed after the pager took it and before
 * the reply: a reply that maps fails with KEEL_EDEAD and maps nothing, so
 * the pager can take its frame back (it would otherwise count a page
 * that nobody mapped).
 */
static void pager_map_reply_to_a_lost_fault(void)
{
	test_begin("pager_map_reply_to_a_lost_fault");
	memset(&c, 0, sizeof(c));
	c.as = ct.self_as;
	c.lo = DEMAND_VA;
	c.hi = DEMAND_VA + DEMAND_PAGES * PAGE_SIZE;
	c.map_in_reply = 1;
	c.nmap_errors = 6; /* no refused replies first */
	c.lose = &t;
	c.demand[0] = frame_alloc_zeroed();
	c.ndemand = c.demand[0] ? 1 : 0;
	expect(c.demand[0] != 0, "out of memory");
	if (!test_failing() && start(child_demand, 0)) {
		wait_until(&c.lost, 1, WAIT_TICKS);
		expect_eq(c.lost, 1, "the pager's reply to the lost fault");
		expect_eq(c.lost_result, -KEEL_EDEAD, "a map reply to a destroyed thread");
		expect_eq(keel_lookup(ct.self_as, DEMAND_VA, ct.mem), -KEEL_ENOENT,
			  "the page after that reply");
		expect_eq(c.used, 0, "frames the pager counts as mapped");
		finish(); /* destroyed already: nothing left to do */
	}
	frame_free(c.demand[0]);
	int ok = 0;
	for (unsigned long i = 0; i < 20; i++)
		ok += echo_call(ct.echo_slot, ct.ipcbuf, i, 0);
	expect_eq(ok, 20, "echo calls answered right afterwards");
	test_end();
}

static void pager_unallocated_kill(void)
{
	int strays = pager_strays();

	test_begin("pager_unallocated_kill");
	memset(&c, 0, sizeof(c));
	c.as = ct.self_as;
	c.lo = DEMAND_VA; /* a range with no frames left to give */
	c.hi = DEMAND_VA + PAGE_SIZE;
	if (start(child_read, (void *)(NEVER_VA + 0x128))) {
		expect_fault(&c, 0, NEVER_VA + 0x128, KEEL_FAULT_USER,
			     "reading unallocated memory");
		expect(c.faults == 1 && c.exits == 0 && c.late == 0 && c.killed,
		       "%d faults, %d exits, %d late", c.faults, c.exits, c.late);
		sleep_ticks(5);
		expect_eq(c.events, 1, "messages from it");
		expect_eq(pager_strays(), strays, "stray messages at the pager");
		finish();
	}
	test_end();
}

void tests_fault(void)
{
	kpool_init(&pool, &root_pool);
	thread_exit_message();
	fault_kernel_read_killed();
	pager_demand_zero_fill();
	pager_fault_answered_with_a_map();
	pager_map_reply_to_a_lost_fault();
	pager_unallocated_kill();
	test_begin("fault_objects_reclaimed");
	expect_eq(kpool_release(&pool), 0, "reclaiming the threads' donation");
	test_end();
}
