/*
 * t_notify.c - notifications: signal and wait, badges as bits, rights,
 * a waiter woken on this CPU and on another, a notification bound to a
 * server that takes its bits in its receive loop (also when they were
 * set while it served a call, which the IPC fast path must not miss),
 * the binding rules, and destroying either side.
 */
#include "ct.h"

#define NOTE_TAG   (IPC_TAG_KERNEL | IPC_LABEL_NOTIFY)

/* How long a test waits for a thread that should already have run. */
#define SHORT_WAIT 100

static struct kpool pool;

/* A notification for one test, and its frame. */
static int nt_slot = -1;
static unsigned long nt_frame;

static int setup(const char *name)
{
	test_begin(name);
	kpool_init(&pool, &root_pool);
	long r = notify_new(&pool, &nt_slot, &nt_frame);
	expect_eq(r, 0, "a notification");
	return r == 0;
}

static void teardown(void)
{
	if (nt_slot >= 0)
		expect_eq(endpoint_drop(&pool, nt_slot, nt_frame), 0,
			  "destroying the notification");
	nt_slot = -1;
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

static void notify_signal_then_wait(void)
{
	if (!setup("notify_signal_then_wait")) {
		teardown();
		return;
	}
	unsigned long nt = (unsigned long)nt_slot;
	expect_eq(keel_cap_info(nt),
		  (long)(KEEL_CAP_NOTIFY << 8 | KEEL_NT_SIGNAL | KEEL_NT_WAIT | KEEL_CAP_DESTROY),
		  "a new notification's type and rights");
	expect_eq(keel_wait(nt, KEEL_WAIT_POLL), 0, "a poll with nothing set");
	expect_eq(keel_signal(nt), 0, "a signal");
	expect_eq(keel_signal(nt), 0, "a second signal");
	expect_eq(keel_wait(nt, 0), 1, "an unbadged capability sets bit 0, however often");
	expect_eq(keel_wait(nt, KEEL_WAIT_POLL), 0, "the wait took the bits");

	/* Badges are bits: two signallers, told apart. */
	long a = cap_dup(nt, KEEL_NT_SIGNAL, 0x10);
	long b = cap_dup(nt, KEEL_NT_SIGNAL, 0x200);
	expect(a >= 0 && b >= 0, "badged copies: %ld, %ld", a, b);
	if (a >= 0 && b >= 0) {
		expect_eq(keel_signal((unsigned long)a), 0, "signal through badge 0x10");
		expect_eq(keel_signal((unsigned long)b), 0, "signal through badge 0x200");
		expect_eq(keel_wait(nt, KEEL_WAIT_POLL), 0x210, "both badges' bits, once");
		expect_eq(keel_wait((unsigned long)a, 0), -KEEL_EPERM,
			  "a signal-only copy cannot wait");
		expect_eq(
		    keel_cap_copy((unsigned long)a, KEEL_CAP_SELF, EMPTY_SLOT, KEEL_NT_SIGNAL, 4),
		    -KEEL_EINVAL, "a badged copy takes no new badge");
	}
	long w = cap_dup(nt, KEEL_NT_WAIT, 0);
	expect(w >= 0, "a wait-only copy: %ld", w);
	if (w >= 0)
		expect_eq(keel_signal((unsigned long)w), -KEEL_EPERM,
			  "a wait-only copy cannot signal");
	expect_eq(keel_cap_copy(nt, KEEL_CAP_SELF, EMPTY_SLOT, KEEL_NT_SIGNAL, 1ul << 63),
		  -KEEL_EINVAL, "a badge with bit 63 (a wait's result would read as an error)");
	expect_eq(keel_cap_copy(nt, KEEL_CAP_SELF, EMPTY_SLOT, 0x8, 0), -KEEL_EINVAL,
		  "a right notifications do not have (0x8)");
	if (keel_cap_info(EMPTY_SLOT) != -KEEL_ENOENT) { /* a refused copy landed after all */
		expect(0, "a refused copy filled EMPTY_SLOT");
		keel_cap_delete(KEEL_CAP_SELF, EMPTY_SLOT);
	}
	expect_eq(keel_wait(nt, 2), -KEEL_EINVAL, "an unknown wait flag");
	expect_eq(keel_signal(ct.pager_ep), -KEEL_EBADOBJ, "signalling an endpoint");
	expect_eq(keel_wait(EMPTY_SLOT, 0), -KEEL_ENOENT, "waiting on an empty slot");
	for (long s = 0; s < 3; s++) {
		long slot = s == 0 ? a : s == 1 ? b : w;
		if (slot >= 0)
			expect_eq(slot_drop((int)slot), 0, "deleting a copy");
	}
	teardown();
}

/*
 * A thread that waits once on the notification in its arg, and says what
 * it got, on which CPU, and how many of its CPU's ticks the wait took
 * (the tests signal only after a few: so it did wait).
 */
static struct {
	volatile int started, done;
	volatile long got, cpu;
	volatile unsigned long waited;
} waiter;

static long wait_once(struct uthread *t)
{
	waiter.cpu = keel_info(KEEL_INFO_CPU);
	unsigned long t0 = (unsigned long)keel_info(KEEL_INFO_TICKS);
	__atomic_store_n(&waiter.started, 1, __ATOMIC_RELEASE);
	long r = keel_wait((unsigned long)t->arg, 0);
	waiter.waited = (unsigned long)keel_info(KEEL_INFO_TICKS) - t0;
	waiter.got = r;
	__atomic_store_n(&waiter.done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* The waiter waited (the signal came 5 ticks after it started) on `cpu`. */
static void expect_waited(int cpu)
{
	expect(waiter.waited >= 3, "the wait took %lu ticks: it did not wait", waiter.waited);
	expect_eq(waiter.cpu, cpu, "the waiter's CPU");
}

static void notify_wakes_a_waiter(int cpu, const char *name)
{
	static struct uthread t;
	static struct client c;

	if (cpu >= ct.cpus) {
		test_skip(name, "one CPU");
		return;
	}
	if (!setup(name)) {
		teardown();
		return;
	}
	memset(&waiter, 0, sizeof(waiter));
	memset(&c, 0, sizeof(c));
	long badged = cap_dup((unsigned long)nt_slot, KEEL_NT_SIGNAL, 0x4000);
	expect(badged >= 0, "a badged copy: %ld", badged);
	long r = child_start(&t, &c, &pool, wait_once, (void *)(unsigned long)nt_slot,
			     THREAD_PRIO_DEFAULT, (unsigned long)cpu);
	expect_eq(r, 0, "starting the waiter");
	if (r == 0 && badged >= 0) {
		expect(wait_until(&waiter.started, 1, SHORT_WAIT), "the waiter ran");
		sleep_ticks(5);
		expect_eq(__atomic_load_n(&waiter.done, __ATOMIC_ACQUIRE), 0,
			  "the waiter waits while nothing is set");
		expect_eq(keel_signal((unsigned long)badged), 0, "the signal");
		expect(wait_until(&waiter.done, 1, SHORT_WAIT), "the signal woke the waiter");
		expect_eq(waiter.got, 0x4000, "the waiter got the signaller's bits");
		expect_waited(cpu);
		expect_eq(keel_wait((unsigned long)nt_slot, KEEL_WAIT_POLL), 0,
			  "the waiter took them: nothing left set");
		expect(child_wait(&c), "the waiter exited");
		expect_eq(c.exits, 1, "one exit");
	}
	if (r == 0)
		expect_eq(child_finish(&t, &c), 0, "destroying the waiter");
	if (badged >= 0)
		slot_drop((int)badged);
	teardown();
}

/*
 * A server bound to the notification: it receives calls on its endpoint
 * and the notification's bits in the same loop.  A call with label
 * BS_SIGNAL makes it signal its own notification before it replies, so
 * the bits are set when its SYS_REPLY_RECV goes back to waiting.
 */
#define BS_ECHO	  1
#define BS_SIGNAL 2
#define BS_NOTES  8
static struct {
	unsigned long ep, nt; /* slots */
	volatile int notes, calls, errors;
	unsigned long bits[BS_NOTES];
} bs;

static long bound_server(struct uthread *t)
{
	struct keel_msg m = { 0 };
	long r = keel_recv(bs.ep, &m);

	(void)t;
	for (;;) {
		if (r < 0) {
			bs.errors++;
			return r;
		}
		if (m.tag == NOTE_TAG) {
			int n = bs.notes;
			if (n < BS_NOTES)
				bs.bits[n] = m.badge;
			__atomic_store_n(&bs.notes, n + 1, __ATOMIC_RELEASE);
			r = keel_recv(bs.ep, &m);
			continue;
		}
		if (IPC_TAG_LABEL(m.tag) == BS_SIGNAL && keel_signal(bs.nt) != 0)
			bs.errors++;
		__atomic_add_fetch(&bs.calls, 1, __ATOMIC_RELEASE);
		m.tag = IPC_TAG(IPC_TAG_LABEL(m.tag), 0);
		m.w[0] += 1;
		r = keel_reply_recv(bs.ep, &m);
	}
}

static long bs_call(unsigned long label, unsigned long w)
{
	struct keel_msg m = { 0, IPC_TAG(label, 0), { w, 0, 0, 0 } };
	long r = keel_call(bs.ep, &m);

	return r < 0 ? r : (long)m.w[0];
}

static void notify_bound_to_a_server(void)
{
	static struct uthread t;
	static struct client c;
	int ep_slot = -1;
	unsigned long ep_frame = 0;

	if (!setup("notify_bound_to_a_server")) {
		teardown();
		return;
	}
	memset(&bs, 0, sizeof(bs));
	memset(&c, 0, sizeof(c));
	long r = endpoint_new(&pool, &ep_slot, &ep_frame);
	expect_eq(r, 0, "an endpoint");
	bs.ep = (unsigned long)ep_slot;
	bs.nt = (unsigned long)nt_slot;
	long sig = cap_dup(bs.nt, KEEL_NT_SIGNAL, 0x8);
	expect(sig >= 0, "a badged copy: %ld", sig);
	if (r == 0 && sig >= 0) {
		/* Set before the server exists: its first receive takes them. */
		expect_eq(keel_signal((unsigned long)sig), 0, "a signal before the server runs");
		r = uthread_create(&t, &pool, bound_server, 0, badge_new());
		expect_eq(r, 0, "the server thread");
	}
	if (r == 0 && sig >= 0) {
		expect_eq(keel_notify_bind(t.tcb, bs.nt), 0, "binding it to the server");
		expect_eq(keel_notify_bind(t.tcb, bs.nt), 0, "binding it again changes nothing");
		expect_eq(uthread_config(&t, THREAD_PRIO_DEFAULT, 0, ct.pager_ep), 0, "config");
		pager_watch(&c, t.badge);
		expect_eq(uthread_start(&t), 0, "starting the server");
		expect(wait_until(&bs.notes, 1, SHORT_WAIT), "the bits set before came first");
		expect_eq((long)bs.bits[0], 0x8, "as a message with the bits as its badge");

		expect_eq(bs_call(BS_ECHO, 41), 42, "a call to the bound server");
		expect_eq(keel_signal((unsigned long)sig), 0, "a signal while it waits");
		expect(wait_until(&bs.notes, 2, SHORT_WAIT), "the signal reached its receive");
		expect_eq((long)bs.bits[1], 0x8, "the bits");
		expect_eq(bs_call(BS_ECHO, 7), 8, "calls still work after it");

		/*
		 * Bits set while it serves: its SYS_REPLY_RECV takes them instead
		 * of waiting.  That reply would go the fast path otherwise: show
		 * that the fast path is live here (a call and its reply both
		 * fast; a turn that ends in between can spoil one try).
		 */
		int both_fast = 0;
		for (int i = 0; i < 5 && !both_fast; i++) {
			long f0 = keel_info(KEEL_INFO_IPC_FAST);
			expect_eq(bs_call(BS_ECHO, 10), 11, "an echo");
			both_fast = keel_info(KEEL_INFO_IPC_FAST) - f0 == 2;
		}
		expect(both_fast, "no call and reply to the bound server went the fast path");
		expect_eq(bs_call(BS_SIGNAL, 1), 2, "a call during which it signals itself");
		expect(wait_until(&bs.notes, 3, SHORT_WAIT),
		       "its reply-and-receive took the bits set meanwhile");
		expect_eq((long)bs.bits[2], 0x1, "its own (unbadged) bit");
		expect_eq(bs_call(BS_ECHO, 100), 101, "and it serves calls again");
		expect_eq(keel_wait(bs.nt, KEEL_WAIT_POLL), 0, "nothing left set");

		/* Bound again while it waits in its receive, with bits set: it takes them. */
		expect_eq(keel_notify_bind(t.tcb, KEEL_CAP_NONE), 0,
			  "unbinding the waiting server");
		expect_eq(keel_signal((unsigned long)sig), 0, "a signal while unbound");
		sleep_ticks(3);
		expect_eq(bs.notes, 3, "an unbound server does not get it");
		expect_eq(keel_notify_bind(t.tcb, bs.nt), 0, "binding it again");
		expect(wait_until(&bs.notes, 4, SHORT_WAIT),
		       "the bits set before the binding came");
		expect_eq((long)bs.bits[3], 0x8, "those bits");

		/* Destroyed while the server waits: it serves calls as before. */
		expect_eq(endpoint_drop(&pool, nt_slot, nt_frame), 0,
			  "destroying the notification");
		nt_slot = -1;
		expect_eq(bs_call(BS_ECHO, 5), 6, "a call after the notification went");
		expect_eq(keel_signal((unsigned long)sig), -KEEL_EDEAD, "the copy is stale");
		expect_eq(bs.errors, 0, "errors in the server");
		expect(bs.calls >= 6 && bs.calls <= 10, "calls served: %d", bs.calls);
		pager_unwatch(&c);
		expect_eq(uthread_destroy(&t), 0, "destroying the server");
	}
	if (sig >= 0)
		slot_drop((int)sig);
	expect_eq(endpoint_drop(&pool, ep_slot, ep_frame), 0, "destroying the endpoint");
	teardown();
}

static void notify_binding_rules(void)
{
	static struct uthread t1, t2;
	int n2 = -1;
	unsigned long n2_frame = 0;

	if (!setup("notify_binding_rules")) {
		teardown();
		return;
	}
	unsigned long nt = (unsigned long)nt_slot;
	long r = notify_new(&pool, &n2, &n2_frame);
	expect_eq(r, 0, "a second notification");
	long r1 = uthread_create(&t1, &pool, bound_server, 0, badge_new());
	long r2 = uthread_create(&t2, &pool, bound_server, 0, badge_new());
	expect(r1 == 0 && r2 == 0, "two threads: %ld, %ld", r1, r2);
	if (r == 0 && r1 == 0 && r2 == 0) {
		long wonly = cap_dup(nt, KEEL_NT_WAIT, 0), sonly = cap_dup(nt, KEEL_NT_SIGNAL, 0);
		expect(wonly >= 0 && sonly >= 0, "copies");
		expect_eq(keel_notify_bind(t1.tcb, (unsigned long)sonly), -KEEL_EPERM,
			  "binding needs the wait right");
		expect_eq(keel_notify_bind(t1.tcb, (unsigned long)wonly), 0,
			  "a wait-only copy binds");
		expect_eq(keel_notify_bind(t2.tcb, nt), -KEEL_EBUSY, "one thread per notification");
		expect_eq(keel_notify_bind(t1.tcb, (unsigned long)n2), -KEEL_EBUSY,
			  "one notification per thread");
		expect_eq(keel_notify_bind(t1.tcb, ct.pager_ep), -KEEL_EBADOBJ, "an endpoint");
		expect_eq(keel_notify_bind(t1.tcb, EMPTY_SLOT), -KEEL_ENOENT, "an empty slot");
		expect_eq(keel_notify_bind(nt, KEEL_CAP_NONE), -KEEL_EBADOBJ,
			  "a notification as thread");
		expect_eq(keel_notify_bind(t1.tcb, KEEL_CAP_NONE), 0, "unbinding");
		expect_eq(keel_notify_bind(t1.tcb, KEEL_CAP_NONE), 0,
			  "unbinding an unbound thread");
		expect_eq(keel_notify_bind(t2.tcb, nt), 0, "now another thread may bind it");
		expect_eq(keel_notify_bind(t1.tcb, (unsigned long)n2), 0, "and t1 the other one");
		/* Destroying a bound notification ends the binding. */
		expect_eq(endpoint_drop(&pool, n2, n2_frame), 0, "destroying t1's notification");
		n2 = -1;
		expect_eq(keel_notify_bind(t1.tcb, nt), -KEEL_EBUSY, "nt is still t2's");
		expect_eq(keel_notify_bind(t2.tcb, KEEL_CAP_NONE), 0, "t2 lets it go");
		expect_eq(keel_notify_bind(t1.tcb, nt), 0, "t1 is free again: it binds nt");
		if (wonly >= 0)
			slot_drop((int)wonly);
		if (sonly >= 0)
			slot_drop((int)sonly);
	}
	/* A destroyed thread's binding ends: the notification binds again. */
	if (r1 == 0)
		expect_eq(uthread_destroy(&t1), 0, "destroying t1, which holds nt");
	if (r1 == 0 && r2 == 0)
		expect_eq(keel_notify_bind(t2.tcb, nt), 0, "nt binds to t2 again");
	r1 = -1;
	if (r2 == 0)
		expect_eq(uthread_destroy(&t2), 0, "destroying t2");
	if (n2 >= 0)
		endpoint_drop(&pool, n2, n2_frame);
	teardown();
}

/*
 * A waiter destroyed while it waits: the next signal's bits stay set.
 * Then a notification destroyed under a waiter: its wait fails with EDEAD.
 */
static void notify_destroyed_under_a_waiter(void)
{
	static struct uthread t;
	static struct client c;

	if (!setup("notify_destroyed_under_a_waiter")) {
		teardown();
		return;
	}
	memset(&waiter, 0, sizeof(waiter));
	memset(&c, 0, sizeof(c));
	long r = child_start(&t, &c, &pool, wait_once, (void *)(unsigned long)nt_slot,
			     THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting a waiter to destroy");
	if (r == 0) {
		expect(wait_until(&waiter.started, 1, SHORT_WAIT), "the waiter ran");
		sleep_ticks(2);
		expect_eq(child_finish(&t, &c), 0, "destroying it while it waits");
		expect_eq(keel_signal((unsigned long)nt_slot), 0, "a signal after it went");
		expect_eq(keel_wait((unsigned long)nt_slot, KEEL_WAIT_POLL), 1,
			  "nobody took the bits: they stayed set");
		expect_eq(waiter.done, 0, "the destroyed waiter never returned");
	}
	memset(&waiter, 0, sizeof(waiter));
	memset(&c, 0, sizeof(c));
	r = child_start(&t, &c, &pool, wait_once, (void *)(unsigned long)nt_slot,
			THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting the waiter");
	if (r == 0) {
		expect(wait_until(&waiter.started, 1, SHORT_WAIT), "the waiter ran");
		sleep_ticks(5);
		expect_eq(endpoint_drop(&pool, nt_slot, nt_frame), 0,
			  "destroying the notification");
		nt_slot = -1;
		expect(wait_until(&waiter.done, 1, SHORT_WAIT), "the waiter stopped waiting");
		expect_eq(waiter.got, -KEEL_EDEAD, "with EDEAD");
		expect_waited(0);
		expect(child_wait(&c), "the waiter exited");
		expect_eq(child_finish(&t, &c), 0, "destroying the waiter");
	}
	teardown();
}

void tests_notify(void)
{
	notify_signal_then_wait();
	notify_wakes_a_waiter(0, "notify_wakes_a_waiter_same_cpu");
	notify_wakes_a_waiter(1, "notify_wakes_a_waiter_other_cpu");
	notify_bound_to_a_server();
	notify_binding_rules();
	notify_destroyed_under_a_waiter();
}
