/*
 * t_ipc.c - IPC: call/reply with an echo server on the same CPU and on
 * another, one-way sends queueing from several senders, and a ping-pong
 * between two address spaces.
 */
#include "ct.h"

/* Fewer across CPUs: each call there waits for a halted CPU to wake. */
#define CALLS	    1000
#define CROSS_CALLS 300
#define SENDERS	    4
#define SENDS	    50
#define PINGS	    200

static unsigned long rdtsc(void)
{
	unsigned int lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long)hi << 32 | lo;
}

/*
 * Not a test: what a null system call and a round trip cost here, in TSC
 * cycles (under an emulator, only the ratios mean much; `make bench` is
 * where costs are measured properly).
 */
static void print_null_syscall_cost(void)
{
	unsigned long t0 = rdtsc();
	for (int i = 0; i < 10000; i++)
		keel_info(KEEL_INFO_CPU);
	print_fmt("[coretest] null system call: %lu TSC cycles (mean of 10000)\n",
		  (rdtsc() - t0) / 10000);
}

static void call_many(int cpu, int calls, const char *name)
{
	static struct kpool pool;
	static struct server s;
	unsigned long badge = badge_new(), seen = 0;
	int bad = 0, bad_badge = 0, first_bad = -1;

	test_begin(name);
	kpool_init(&pool, &root_pool);
	long r = server_start(&s, &pool, badge, THREAD_PRIO_DEFAULT, (unsigned long)cpu);
	expect_eq(r, 0, "starting the server");
	if (r == 0) {
		long fp0 = keel_info(KEEL_INFO_FASTPATH);
		unsigned long t0 = rdtsc();
		for (unsigned long i = 0; i < (unsigned long)calls; i++) {
			if (!echo_call(s.slot, ct.ipcbuf, i, &seen)) {
				if (!bad++)
					first_bad = (int)i;
			} else if (seen != badge) {
				bad_badge++;
			}
		}
		unsigned long cycles = (rdtsc() - t0) / (unsigned long)calls;
		long fp1 = keel_info(KEEL_INFO_FASTPATH);
		print_fmt("[coretest] %s: %lu TSC cycles per call and reply, buffers of up "
			  "to 4 KB that both sides touch (mean of %d)\n",
			  name, cycles, calls);
		expect(bad == 0, "%d of %d replies wrong (first: call %d)", bad, calls, first_bad);
		expect(bad_badge == 0, "%d replies with badge 0x%lx, not the server's 0x%lx",
		       bad_badge, seen, badge);
		expect_eq(__atomic_load_n(&s.calls, __ATOMIC_ACQUIRE), calls, "calls served");
		expect_eq(s.errors, 0, "errors in the server");
		expect_eq(s.cpu, cpu, "the server's CPU"); /*
		 * Each call and each reply goes straight to the partner (but the
		 * first call may come before the new server waits).
		 */
		if (cpu == 0)
			expect(fp1 - fp0 >= 2 * calls - 2, "%ld fast-path switches for %d calls",
			       fp1 - fp0, calls);
		expect_eq(server_stop(&s), 0, "stopping the server");
	}
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

static struct {
	int slot;
	int errors[SENDERS];
} q;

static void pattern(unsigned char *b, unsigned long id, unsigned long k)
{
	for (int j = 0; j < 16; j++)
		b[j] = (unsigned char)(id * 16 + k * 3 + (unsigned long)j);
}

static long sender(struct uthread *t)
{
	unsigned long id = (unsigned long)t->arg;
	unsigned char *b = t->buf;

	for (unsigned long k = 0; k < SENDS; k++) {
		struct keel_msg m = { 0, IPC_TAG(id, 16), { k, id, t->badge, ~k } };
		pattern(b, id, k);
		if (keel_send((unsigned long)q.slot, &m) != 0)
			q.errors[id]++;
	}
	return q.errors[id];
}

static void ipc_send_queue_many_senders(void)
{
	static struct kpool pool;
	static struct uthread t[SENDERS];
	static struct client c[SENDERS];
	unsigned long ep, next[SENDERS] = { 0 };
	unsigned char want[16];
	int started = 0, bad = 0;
	char why[120] = "";

	test_begin("ipc_send_queue_many_senders");
	kpool_init(&pool, &root_pool);
	memset(&q, 0, sizeof(q));
	long r = endpoint_new(&pool, &q.slot, &ep);
	expect_eq(r, 0, "an endpoint");
	for (int i = 0; r == 0 && i < SENDERS; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		r = child_start(&t[i], &c[i], &pool, sender, (void *)(unsigned long)i,
				THREAD_PRIO_DEFAULT, (unsigned long)(i % ct.cpus));
		expect_eq(r, 0, "starting a sender");
		started += r == 0;
	}
	if (r == 0) {
		for (int n = 0; n < SENDERS * SENDS; n++) {
			struct keel_msg m = { 0 };
			long rr = keel_recv((unsigned long)q.slot, &m);
			unsigned long id = m.w[1];
			if (rr != 0 || id >= SENDERS || IPC_TAG_LABEL(m.tag) != id ||
			    IPC_TAG_LEN(m.tag) != 16 || m.badge != t[id].badge ||
			    m.w[2] != m.badge || m.w[0] != next[id] || m.w[3] != ~m.w[0]) {
				if (!bad++)
					fmt(why, sizeof(why),
					    "message %d: r %ld, tag 0x%lx, badge 0x%lx, w0 %lu, w1 "
					    "%lu",
					    n, rr, m.tag, m.badge, m.w[0], m.w[1]);
				if (rr != 0)
					break;
				continue;
			}
			pattern(want, id, next[id]);
			if (memcmp(ct.ipcbuf, want, 16) && !bad++)
				fmt(why, sizeof(why), "message %d: the buffer is wrong", n);
			next[id]++;
		}
		expect(bad == 0, "%d bad messages; %s", bad, why);
	}
	for (int i = 0; i < started; i++) {
		expect(wait_until(&c[i].events, 1, WAIT_TICKS), "sender %d never ended", i);
		expect(c[i].exits == 1 && c[i].exit_code == 0, "sender %d: %d send errors", i,
		       q.errors[i]);
		expect_eq(child_finish(&t[i], &c[i]), 0, "destroying a sender");
	}
	expect_eq(endpoint_drop(&pool, q.slot, ep), 0, "destroying the endpoint");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

static void ipc_two_spaces_pingpong(void)
{
	static struct kpool pool;
	static struct server s;
	static struct proc p;
	static struct client c;
	unsigned long cpu = ct.cpus > 1 ? 1 : 0, badge = badge_new();

	test_begin("ipc_two_spaces_pingpong");
	kpool_init(&pool, &root_pool);
	memset(&c, 0, sizeof(c));
	long r = ufuzz_prepare(&p, &pool, &s, &c, badge, cpu, KEEL_EP_SEND);
	if (r == 0) {
		r = proc_start(&p, UFUZZ_ARG(UFUZZ_PING, PINGS, 1));
		expect_eq(r, 0, "starting it");
		if (r == 0) {
			expect(wait_until(&c.events, 1, 3 * WAIT_TICKS), "it never ended");
			expect(c.exits == 1 && c.faults == 0, "it did not exit (faults %d)",
			       c.faults);
			expect_eq(c.exit_code, 0, "its wrong replies");
			expect_eq(s.calls, PINGS, "calls the server saw");
			expect(s.last_badge == badge, "the server saw badge 0x%lx, want 0x%lx",
			       s.last_badge, badge);
		}
		expect_eq(proc_destroy(&p), 0, "destroying the process");
		pager_unwatch(&c);
	}
	if (s.t.tcb)
		expect_eq(server_stop(&s), 0, "stopping the server");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

/*
 * The IPC fast path (issue 13) and the ways it falls back.  Calls of a
 * label and four words to a server waiting on this CPU go straight to it
 * and back (KEEL_INFO_IPC_FAST counts each call and each reply: nearly
 * all of them, since at the end of a turn the hand-off rule sends one
 * through the run queue).  A message with a buffer, a kernel tag bit, a
 * bad slot and a server on another CPU take the general path, never the
 * fast one, with the same answers and errors.
 */
static void fast_path_and_fallbacks(void)
{
	static struct kpool pool;
	static struct server s, far;
	unsigned long badge = badge_new(), seen = 0;
	int ok = 0, wrong_badge = 0;

	test_begin("ipc_fast_path_and_its_fallbacks");
	kpool_init(&pool, &root_pool);
	long r = server_start(&s, &pool, badge, THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting a server on this CPU");
	if (r == 0) {
		echo_call(s.slot, ct.ipcbuf, 0, 0); /* the first may come before it waits */
		long f0 = keel_info(KEEL_INFO_IPC_FAST);
		for (unsigned long i = 0; i < 100; i++) { /* i * 5: no buffer */
			ok += echo_call(s.slot, ct.ipcbuf, i * 5, &seen);
			wrong_badge += seen != badge;
		}
		long f1 = keel_info(KEEL_INFO_IPC_FAST);
		expect_eq(ok, 100, "label-only calls answered right");
		expect_eq(wrong_badge, 0, "replies with another badge than the server's");
		expect(f1 - f0 >= 180 && f1 - f0 <= 200,
		       "%ld of 200 calls and replies on the fast path", f1 - f0);
		ok = 0;
		for (unsigned long i = 1; i < 100; i += 5) /* a buffer of i * 131 % 4097 bytes */
			ok += echo_call(s.slot, ct.ipcbuf, i, 0);
		expect_eq(ok, 20, "calls with a buffer answered right");
		struct keel_msg m = { 0, IPC_TAG(1, 0) | IPC_TAG_KERNEL, { 0 } };
		expect_eq(keel_call((unsigned long)s.slot, &m), -KEEL_EINVAL, "a kernel tag bit");
		m.tag = IPC_TAG(1, 0);
		expect_eq(keel_call(EMPTY_SLOT, &m), -KEEL_ENOENT, "an empty slot");
		m.tag = IPC_TAG(1, 0);
		expect_eq(keel_call(KEEL_CAP_SLOTS, &m), -KEEL_EINVAL, "no such slot");
		expect_eq(keel_info(KEEL_INFO_IPC_FAST) - f1, 0,
			  "a buffer, a bad tag or a bad slot on the fast path");
		expect_eq(server_stop(&s), 0, "stopping the server");
	}
	if (ct.cpus > 1) {
		r = server_start(&far, &pool, badge, THREAD_PRIO_DEFAULT, 1);
		expect_eq(r, 0, "starting a server on CPU 1");
		if (r == 0) {
			echo_call(far.slot, ct.ipcbuf, 0, 0);
			long f0 = keel_info(KEEL_INFO_IPC_FAST);
			ok = 0;
			for (unsigned long i = 0; i < 20; i++)
				ok += echo_call(far.slot, ct.ipcbuf, i * 5, 0);
			expect_eq(ok, 20, "label-only calls across CPUs answered right");
			expect_eq(keel_info(KEEL_INFO_IPC_FAST) - f0, 0,
				  "a partner on another CPU on the fast path");
			expect_eq(server_stop(&far), 0, "stopping the other server");
		}
	}
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

/*
 * Two more ways the fast path falls back, each needing threads in a given
 * state: a reply-and-receive with a sender already queued on the
 * endpoint (the general path answers and receives that sender at once),
 * and a call to a server that still owes another caller its reply (that
 * caller fails with KEEL_EDEAD).  The threads run on this CPU, at our
 * priority; each calls once, keeps its result, and sleeps.  (A caller we
 * leave unanswered is destroyed while it waits.)
 */
struct fallback {
	int slot;			 /* the endpoint */
	volatile long result[2];	 /* each caller's keel_call result, until it answers: 1 */
	volatile unsigned long label[2]; /* and its reply's label */
	volatile int started;
	volatile unsigned long owed[2]; /* the owing server: the labels it received */
	volatile long fast_at_call;	/* and KEEL_INFO_IPC_FAST when it got the second */
};

static long fallback_caller(struct uthread *t)
{
	struct fallback *f = t->arg;
	int me = (int)(t->badge & 1);
	struct keel_msg m = { 0, IPC_TAG(0x500 + (unsigned long)me, 0), { 0 } };

	__atomic_add_fetch(&f->started, 1, __ATOMIC_RELEASE);
	f->result[me] = keel_call((unsigned long)f->slot, &m);
	f->label[me] = IPC_TAG_LABEL(m.tag);
	for (;;)
		keel_sleep(100);
	__builtin_unreachable(); /* (GCC warns about a missing return otherwise) */
}

/* Receives a call and, without answering it, receives the next; answers that one. */
static long owing_server(struct uthread *t)
{
	struct fallback *f = t->arg;
	struct keel_msg m = { 0 };

	if (keel_recv((unsigned long)f->slot, &m) == 0)
		f->owed[0] = IPC_TAG_LABEL(m.tag);
	if (keel_recv((unsigned long)f->slot, &m) == 0) {
		f->fast_at_call = keel_info(KEEL_INFO_IPC_FAST);
		f->owed[1] = IPC_TAG_LABEL(m.tag);
	}
	m.tag = IPC_TAG(IPC_TAG_LABEL(m.tag) + 1, 0);
	keel_reply_recv((unsigned long)f->slot, &m);
	for (;;)
		keel_sleep(100);
	__builtin_unreachable(); /* (GCC warns about a missing return otherwise) */
}

static int fallback_thread(struct uthread *t, struct kpool *pool, long (*fn)(struct uthread *),
			   struct fallback *f, unsigned long badge)
{
	if (uthread_create(t, pool, fn, f, badge) ||
	    uthread_config(t, THREAD_PRIO_DEFAULT, 0, ct.pager_ep) || uthread_start(t)) {
		uthread_destroy(t);
		return 0;
	}
	return 1;
}

static void fast_path_falls_back_for_waiting_threads(void)
{
	static struct kpool pool;
	static struct uthread a, b, srv;
	static struct fallback f;
	unsigned long ep;
	struct keel_msg m = { 0 };

	test_begin("ipc_fast_path_falls_back_for_waiting_threads");
	kpool_init(&pool, &root_pool);
	memset((void *)&f, 0, sizeof(f));
	f.result[0] = f.result[1] = 1;
	if (endpoint_new(&pool, &f.slot, &ep) < 0) {
		expect(0, "an endpoint");
		goto out;
	}
	/* A reply-and-receive with a sender queued: we serve two callers. */
	int ok = fallback_thread(&a, &pool, fallback_caller, &f, 0x5a0) &&
		 fallback_thread(&b, &pool, fallback_caller, &f, 0x5a1);
	expect(ok, "starting two callers");
	if (!ok) { /* (receiving would wait for good) */
		uthread_destroy(&a);
		uthread_destroy(&b);
		goto drop;
	}
	for (int i = 0; i < 100 && f.started < 2; i++)
		keel_sleep(1);
	keel_sleep(2); /* and both are in their calls, queued */
	expect_eq(keel_recv((unsigned long)f.slot, &m), 0, "receiving the first call");
	unsigned long first = IPC_TAG_LABEL(m.tag) & 1;
	long f0 = keel_info(KEEL_INFO_IPC_FAST);
	m.tag = IPC_TAG(0x600, 0);
	expect_eq(keel_reply_recv((unsigned long)f.slot, &m), 0, "a reply with a caller queued");
	expect_eq(keel_info(KEEL_INFO_IPC_FAST) - f0, 0,
		  "a reply with a sender queued on the fast path");
	expect_eq(IPC_TAG_LABEL(m.tag), 0x500 + (1 - first),
		  "received the queued call in the same system call");
	for (int i = 0; i < 100 && f.result[first] == 1; i++)
		keel_sleep(1);
	expect(f.result[first] == 0 && f.label[first] == 0x600,
	       "the first caller's reply: %ld, label 0x%lx", f.result[first], f.label[first]);
	expect_eq(uthread_destroy(&a), 0, "destroying a caller");
	expect_eq(uthread_destroy(&b), 0, "destroying the caller we leave unanswered");

	/* A call to a server that owes another caller its reply. */
	f.result[0] = f.result[1] = 1;
	f.started = 0;
	ok = fallback_thread(&srv, &pool, owing_server, &f, 0x5b0) &&
	     fallback_thread(&a, &pool, fallback_caller, &f, 0x5a0);
	expect(ok, "starting a server and a caller");
	for (int i = 0; ok && i < 100 && !f.owed[0]; i++)
		keel_sleep(1);
	expect_eq((long)f.owed[0], 0x500, "the server received the first call");
	if (!ok || f.owed[0] != 0x500) { /* (calling would wait for good) */
		uthread_destroy(&a);
		uthread_destroy(&srv);
		goto drop;
	}
	f0 = keel_info(KEEL_INFO_IPC_FAST);
	m.tag = IPC_TAG(0x700, 0);
	expect_eq(keel_call((unsigned long)f.slot, &m), 0, "a call to a server that owes a reply");
	expect_eq(IPC_TAG_LABEL(m.tag), 0x701, "its answer");
	expect_eq((long)f.owed[1], 0x700, "the server received it");
	expect_eq(f.fast_at_call - f0, 0, "the call to a server owing a reply took the fast path");
	for (int i = 0; i < 100 && f.result[0] == 1; i++)
		keel_sleep(1);
	expect_eq(f.result[0], -KEEL_EDEAD, "the caller it owed fails");
	expect_eq(uthread_destroy(&a), 0, "destroying the caller");
	expect_eq(uthread_destroy(&srv), 0, "destroying the server");
drop:
	expect_eq(endpoint_drop(&pool, f.slot, ep), 0, "dropping the endpoint");
out:
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

void tests_ipc(void)
{
	print_null_syscall_cost();
	fast_path_and_fallbacks();
	call_many(0, CALLS, "ipc_call_reply_same_cpu");
	if (ct.cpus > 1)
		call_many(1, CROSS_CALLS, "ipc_call_reply_cross_cpu");
	else
		test_skip("ipc_call_reply_cross_cpu", "one CPU");
	ipc_send_queue_many_senders();
	ipc_two_spaces_pingpong();
	fast_path_falls_back_for_waiting_threads();
}
