/*
 * t_noauth.c - a thread without the memory authority (a thread of the
 * root's own address space, never granted it) gets KEEL_EPERM from every
 * call that needs it, before anything about its arguments, while the
 * other calls work for it.  It reports back in its exit message (the
 * count of wrong answers) and in memory (the first one).
 */
#include "ct.h"

#define NCALLS (SYS_AS_SET_ENDPOINT - SYS_KMEM_DONATE + 1)

static struct {
	long args[NCALLS][4]; /* good arguments for each call */
	long authority, cpus, yield;
	int bad;
	long bad_n, bad_r;
} na;

static void check(long n, long r)
{
	if (r != -KEEL_EPERM && !na.bad++) {
		na.bad_n = n;
		na.bad_r = r;
	}
}

/* Where the spare thread would start, were SYS_THREAD_START not refused. */
static void never_run(void)
{
	keel_exit(0);
}

static long noauth_child(struct uthread *t)
{
	static const long junk[] = { 0, 8, (long)KERNEL_VA, (long)NONCANON_VA, -1, 0xa0000 };

	na.authority = keel_info(KEEL_INFO_AUTHORITY);
	na.cpus = keel_info(KEEL_INFO_CPUS);
	na.yield = keel_yield();
	for (long n = SYS_KMEM_DONATE; n <= SYS_AS_SET_ENDPOINT; n++) {
		const long *a = na.args[n - SYS_KMEM_DONATE];
		check(n, keel_syscall(n, a[0], a[1], a[2], a[3], 0, 0));
		for (unsigned j = 0; j < sizeof(junk) / sizeof(junk[0]); j++)
			check(n, keel_syscall(n, junk[j], junk[j], junk[j], junk[j], 0, 0));
	}
	check(SYS_LOOKUP, keel_lookup(ct.self_as, PROG_LOAD_BASE));
	check(SYS_GRANT, keel_grant(t->tcb));
	check(SYS_GRANT, keel_grant(ct.self_thread));
	return na.bad;
}

void tests_noauth(void)
{
	static struct kpool pool;
	static struct uthread t;
	static struct client c;
	unsigned long chunk = chunk_alloc(), user = frame_alloc_zeroed();
	unsigned long f1, f2, ep, as_tcb;

	test_begin("noauth_every_memory_call_eperm");
	kpool_init(&pool, &root_pool);
	memset(&c, 0, sizeof(c));
	memset(&na, 0, sizeof(na));
	f1 = kpool_get(&pool);
	f2 = kpool_get(&pool);
	ep = kpool_get(&pool);
	as_tcb = kpool_get(&pool);
	expect(chunk && user && f1 && f2 && ep && as_tcb, "out of memory");
	expect_eq(keel_endpoint_create(ep), 0, "an endpoint");
	/* A thread to start, configure and destroy, if EPERM were not checked. */
	expect_eq(keel_thread_create(as_tcb, ct.self_as, 0, badge_new()), 0, "a thread");
	long *a;
#define ARGS(n, a0, a1, a2, a3)           \
	a = na.args[(n)-SYS_KMEM_DONATE]; \
	a[0] = (long)(a0);                \
	a[1] = (long)(a1);                \
	a[2] = (long)(a2);                \
	a[3] = (long)(a3)
	ARGS(SYS_KMEM_DONATE, chunk, CHUNK_SIZE, 0, 0);
	ARGS(SYS_KMEM_RECLAIM, pool.chunks[0], CHUNK_SIZE, 0, 0);
	ARGS(SYS_KMEM_COUNTS, user, f1, 0, 0);
	ARGS(SYS_AS_CREATE, f1, f2, 0, 0);
	ARGS(SYS_MAP, ct.self_as, NEVER_VA, user, KEEL_MAP_R);
	ARGS(SYS_UNMAP, ct.self_as, ROOT_THREADS_BASE, 0, 0);
	ARGS(SYS_SUPPLY_TABLE, ct.self_as, NEVER_VA, 3, f1);
	ARGS(SYS_THREAD_CREATE, f1, ct.self_as, 0, 1);
	ARGS(SYS_THREAD_CONFIG, as_tcb, THREAD_PRIO_MAX, 0, 0);
	ARGS(SYS_THREAD_START, as_tcb, (unsigned long)never_run, 0x7fff0000, 0);
	ARGS(SYS_ENDPOINT_CREATE, f1, 0, 0, 0);
	ARGS(SYS_DESTROY, ep, 0, 0, 0);
	ARGS(SYS_GRANT, as_tcb, 0, 0, 0);
	ARGS(SYS_AS_SET_ENDPOINT, ct.self_as, EMPTY_SLOT, ep, KEEL_EP_SEND);
#undef ARGS
	if (!test_failing()) {
		long r = child_start(&t, &c, &pool, noauth_child, 0, THREAD_PRIO_DEFAULT, 0);
		expect_eq(r, 0, "starting the thread");
		if (r == 0) {
			expect(child_wait(&c), "the thread never ended");
			expect(c.exits == 1 && c.faults == 0, "the thread faulted");
			expect_eq(na.authority, 0, "SYS_INFO(AUTHORITY) without it");
			expect_eq(na.cpus, ct.cpus, "SYS_INFO(CPUS) without authority");
			expect_eq(na.yield, 0, "SYS_YIELD without authority");
			expect(na.bad == 0, "syscall %ld answered %ld, not EPERM (%d wrong)",
			       na.bad_n, na.bad_r, na.bad);
			expect_eq(c.exit_code, na.bad, "the exit code");
			expect_eq(child_finish(&t, &c), 0, "destroying the thread");
		}
	}
	expect_eq(destroy_retry(as_tcb), 0, "destroying the spare thread");
	expect_eq(destroy_retry(ep), 0, "destroying the endpoint");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	frame_free(user);
	chunk_free(chunk);
	test_end();
}
