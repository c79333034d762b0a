/*
 * harness.c - reporting, waiting, slots and child threads.
 */
#include "ct.h"

struct ct ct;

static struct {
	const char *name;
	int failed;
	char why[200];
} cur;

/*
 * One TAP line.  The kernel takes a reason of fewer than KEEL_TEST_NAME_MAX
 * characters (a longer one is EINVAL, and the line would be lost): cut it.
 */
static void report(const char *name, unsigned long result, const char *why)
{
	char cut[KEEL_TEST_NAME_MAX];

	if (why) {
		str_copy(cut, why, sizeof(cut));
		why = cut;
	}
	long r = keel_debug_test(name, result, why);
	if (r == -KEEL_ENOSYS) /* not a test boot: say it ourselves */
		print_fmt("[coretest] %s %s%s%s\n",
			  result == KEEL_TEST_PASS   ? "pass"
			  : result == KEEL_TEST_SKIP ? "skip"
						     : "FAIL",
			  name, why ? " # " : "", why ? why : "");
}

void test_begin(const char *name)
{
	cur.name = name;
	cur.failed = 0;
	cur.why[0] = '\0';
}

void expect(int ok, const char *f, ...)
{
	if (ok)
		return;
	if (!cur.failed++) {
		va_list ap;
		va_start(ap, f);
		vfmt(cur.why, sizeof(cur.why), f, ap);
		va_end(ap);
	}
}

void expect_eq(long got, long want, const char *what)
{
	expect(got == want, "%s: got %ld, want %ld", what, got, want);
}

int test_failing(void)
{
	return cur.failed;
}

int test_end(void)
{
	if (!cur.failed) {
		report(cur.name, KEEL_TEST_PASS, 0);
		return 1;
	}
	if (cur.failed > 1) {
		size_t n = str_len(cur.why);
		fmt(cur.why + n, sizeof(cur.why) - n, " (and %d more)", cur.failed - 1);
	}
	report(cur.name, KEEL_TEST_FAIL, cur.why);
	ct.failures++;
	return 0;
}

void test_skip(const char *name, const char *why)
{
	report(name, KEEL_TEST_SKIP, why);
}

unsigned long ticks(void)
{
	return (unsigned long)keel_info(KEEL_INFO_TICKS);
}

int wait_until(volatile int *v, int want, unsigned long max)
{
	unsigned long t0 = ticks();

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < want) {
		if (ticks() - t0 > max)
			return 0;
		keel_sleep(1); /* blocked, not spinning: the CPU can halt */
	}
	return 1;
}

void sleep_ticks(unsigned long n)
{
	keel_sleep(n);
}

void spin_ticks(unsigned long n)
{
	unsigned long t0 = ticks();

	while (ticks() - t0 < n)
		__asm__ volatile("pause");
}

int slot_alloc(void)
{
	long s = cslot_alloc();
	return s < 0 ? -1 : (int)s;
}

void slot_free(int slot)
{
	if (slot >= 0)
		cslot_free((unsigned long)slot);
}

long slot_drop(int slot)
{
	if (slot < 0)
		return -KEEL_EINVAL;
	long r = keel_cap_delete(KEEL_CAP_SELF, (unsigned long)slot);
	if (r == 0)
		slot_free(slot);
	return r;
}

/* An object made by create(mem, off, dst) from pool in a free root slot. */
static long object_new(struct kpool *pool,
		       long (*create)(unsigned long, unsigned long, unsigned long), int *slot,
		       unsigned long *frame)
{
	unsigned long f = kpool_get(pool);
	long r;

	*slot = -1;
	*frame = 0;
	if (!f)
		return pool->error ? pool->error : -KEEL_EFULL;
	int s = slot_alloc();
	if (s < 0) {
		kpool_put(pool, f);
		return -KEEL_EFULL;
	}
	r = create(ct.mem, f, (unsigned long)s);
	if (r < 0) {
		slot_free(s);
		kpool_put(pool, f);
		return r;
	}
	*slot = s;
	*frame = f;
	return 0;
}

long endpoint_new(struct kpool *pool, int *slot, unsigned long *frame)
{
	return object_new(pool, keel_endpoint_create, slot, frame);
}

long notify_new(struct kpool *pool, int *slot, unsigned long *frame)
{
	return object_new(pool, keel_notify_create, slot, frame);
}

long endpoint_drop(struct kpool *pool, int slot, unsigned long frame)
{
	if (slot < 0)
		return 0;
	long r = destroy_retry((unsigned long)slot); /* frees the slot if it worked */
	if (r == 0 && frame)
		kpool_put(pool, frame);
	return r;
}

long cap_dup(unsigned long src, unsigned long rights, unsigned long badge)
{
	int s = slot_alloc();

	if (s < 0)
		return -KEEL_EFULL;
	long r = keel_cap_copy(src, KEEL_CAP_SELF, (unsigned long)s, rights, badge);
	if (r < 0) {
		slot_free(s);
		return r;
	}
	return s;
}

long cap_stale(unsigned long src)
{
	long info = keel_cap_info(src);

	if (info < 0)
		return info;
	long s = cap_dup(src, KEEL_CAP_RIGHTS(info), 0);
	if (s < 0)
		return s;
	long r = keel_destroy(src);
	if (r < 0) {
		slot_drop((int)s);
		return r;
	}
	slot_free((int)src);
	return s;
}

unsigned long badge_new(void)
{
	static unsigned long next = 0x100;
	return next++;
}

long child_start(struct uthread *t, struct client *c, struct kpool *pool,
		 long (*fn)(struct uthread *), void *arg, unsigned long prio, unsigned long cpu)
{
	unsigned long badge = badge_new();
	long r = uthread_create(t, pool, fn, arg, badge);

	if (r < 0)
		return r;
	r = uthread_config(t, prio, cpu, ct.pager_ep);
	if (r < 0) {
		uthread_destroy(t);
		return r;
	}
	pager_watch(c, badge);
	r = uthread_start(t);
	if (r < 0) {
		uthread_destroy(t);
		pager_unwatch(c);
	}
	return r;
}

int child_wait(struct client *c)
{
	if (!wait_until(&c->events, 1, WAIT_TICKS))
		return 0;
	if (__atomic_load_n(&c->killed, __ATOMIC_ACQUIRE))
		sleep_ticks(5); /* anything more from it would be late */
	return 1;
}

long child_finish(struct uthread *t, struct client *c)
{
	long r = uthread_destroy(t);
	pager_unwatch(c);
	return r;
}

long ufuzz_prepare(struct proc *p, struct kpool *pool, struct server *s, struct client *c,
		   unsigned long badge, unsigned long cpu, unsigned long rights)
{
	long r = server_start(s, pool, badge_new(), THREAD_PRIO_DEFAULT, 0);

	expect_eq(r, 0, "starting an echo server");
	if (r == 0) {
		r = spawn(p, pool, ct.bi, "ufuzz", badge);
		expect_eq(r, 0, "spawning ufuzz");
	}
	if (r == 0) {
		r = keel_thread_config(p->tcb, THREAD_PRIO_DEFAULT, cpu, ct.pager_ep);
		expect_eq(r, 0, "configuring it");
	}
	if (r == 0) {
		r = keel_cap_copy((unsigned long)s->slot, p->as, ECHO_SLOT, rights, 0);
		expect_eq(r, 0, "giving it the server: its one capability");
	}
	if (r == 0)
		pager_watch(c, badge);
	else if (p->as)
		proc_destroy(p); /* spawned, but not set up */
	return r;
}
