/*
 * t_tlb.c - what the kernel must keep right when it switches and unmaps:
 *   - an unmap is seen at once by a thread running the same address space
 *     on another CPU (the TLB shoot-down IPI);
 *   - and by one that ran there, slept, and runs again (with PCIDs, its
 *     old translations are still tagged in that CPU's TLB);
 *   - each thread keeps its own SSE registers across preemption.
 */
#include "ct.h"

void fpu_load(const unsigned long src[32]);
void fpu_store(unsigned long dst[32]);

static struct kpool pool;

static volatile unsigned long reads;

/* Read *arg forever; the pager kills it when the page goes. */
static long reader_loop(struct uthread *t)
{
	volatile unsigned long *p = t->arg;
	for (;;) {
		if (*p != 0x5eed)
			return 1;
		reads++;
	}
}

/* Read *arg, sleep (its CPU idles), read again. */
static long reader_sleep(struct uthread *t)
{
	volatile unsigned long *p = t->arg;
	if (*p != 0x5eed)
		return 1;
	reads++;
	keel_sleep(20);
	return (long)*p; /* the page is gone by now: this faults */
}

static void unmap_seen(const char *name, long (*fn)(struct uthread *), unsigned long va)
{
	static struct uthread t;
	static struct client c;
	unsigned long f = frame_alloc_zeroed();
	if (ct.cpus < 2) {
		test_skip(name, "one CPU");
		frame_free(f);
		return;
	}
	test_begin(name);
	memset(&c, 0, sizeof(c));
	reads = 0;
	long r = map_page(&root_pool, ct.self_as, va, f, KEEL_MAP_R | KEEL_MAP_W);
	expect_eq(r, 0, "mapping a page");
	if (r == 0) {
		*(volatile unsigned long *)va = 0x5eed;
		r = child_start(&t, &c, &pool, fn, (void *)va, THREAD_PRIO_DEFAULT, 1);
		expect_eq(r, 0, "starting a reader on CPU 1");
	}
	if (r == 0) {
		/* It has the translation in CPU 1's TLB once it has read. */
		unsigned long t0 = ticks();
		while (!reads && ticks() - t0 < WAIT_TICKS)
			keel_sleep(1);
		expect(reads > 0, "the reader never read the page");
		expect_eq(keel_unmap(ct.self_as, va, ct.mem), (long)f, "unmapping the page");
		expect(child_wait(&c), "the reader kept reading the unmapped page");
		expect_fault(&c, 0, va, KEEL_FAULT_USER, "reading after the unmap");
		expect(c.exits == 0, "the reader exited (code %ld): it read a stale page",
		       c.exit_code);
		expect_eq(child_finish(&t, &c), 0, "destroying the reader");
	}
	frame_free(f);
	test_end();
}

static volatile int fpu_bad[2], fpu_rounds[2];

static long fpu_thread(struct uthread *t)
{
	int me = (int)(unsigned long)t->arg;
	unsigned long want[32], got[32];

	for (int round = 0; round < 6; round++) {
		for (int i = 0; i < 32; i++)
			want[i] = ((unsigned long)me << 60) ^ ((unsigned long)round << 32) ^
				  (0x9e3779b97f4a7c15ul * (unsigned long)(i + 1));
		fpu_load(want);
		spin_ticks(3); /* long enough to be preempted by the other */
		fpu_store(got);
		for (int i = 0; i < 32; i++)
			fpu_bad[me] += got[i] != want[i];
		fpu_rounds[me]++;
	}
	return 0;
}

static void fpu_per_thread(void)
{
	static struct uthread t[2];
	static struct client c[2];

	test_begin("fpu_state_kept_per_thread");
	for (int i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		fpu_bad[i] = fpu_rounds[i] = 0;
	}
	long r0 = child_start(&t[0], &c[0], &pool, fpu_thread, (void *)0ul, THREAD_PRIO_DEFAULT, 0);
	long r1 = child_start(&t[1], &c[1], &pool, fpu_thread, (void *)1ul, THREAD_PRIO_DEFAULT, 0);
	expect(r0 == 0 && r1 == 0, "starting two threads on CPU 0");
	for (int i = 0; i < 2; i++) {
		if ((i ? r1 : r0) != 0)
			continue;
		expect(child_wait(&c[i]) && c[i].exits == 1, "FPU thread %d did not exit", i);
		expect_eq(fpu_rounds[i], 6, "rounds");
		expect_eq(fpu_bad[i], 0, "SSE register halves that changed under a thread");
		expect_eq(child_finish(&t[i], &c[i]), 0, "destroying it");
	}
	test_end();
}

void tests_tlb(void)
{
	kpool_init(&pool, &root_pool);
	unmap_seen("tlb_unmap_seen_by_running_cpu", reader_loop, TEST_VA + 0x2000000ul);
	unmap_seen("tlb_unmap_seen_after_sleep", reader_sleep, TEST_VA + 0x2001000ul);
	fpu_per_thread();
	test_begin("tlb_objects_reclaimed");
	expect_eq(kpool_release(&pool), 0, "reclaiming the threads' donation");
	test_end();
}
