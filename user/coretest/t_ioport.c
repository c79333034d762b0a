/*
 * t_ioport.c - I/O ports: the capability's rules (derive, enable, the
 * kernel's ports never), a port usable only once enabled for the space
 * (a general-protection fault before, and on the ports beside it), and a
 * port enabled for one process that does not reach another.
 *
 * The ports used: the CMOS/RTC index and data ports (0x70, 0x71: reading
 * register A changes nothing) and the POST diagnostic port 0x80.
 */
#include "ct.h"

#define VECTOR_GP 13
#define RTC_INDEX 0x70
#define RTC_COUNT 2
#define POST_PORT 0x80

static void io_capability_rules(void)
{
	static struct kpool pool;
	unsigned long io = ct.bi->ioports, m = ct.mem;
	int part = slot_alloc(), as = slot_alloc();

	test_begin("io_capability_rules");
	kpool_init(&pool, &root_pool);
	expect(part >= 0 && as >= 0, "slots");
	expect_eq(keel_cap_info(io), (long)(KEEL_CAP_IOPORT << 8 | KEEL_IO_USE),
		  "the boot capability: every port, USE");
	/* Derive: a part, inside. */
	expect_eq(keel_io_derive(io, RTC_INDEX, 0, EMPTY_SLOT), -KEEL_EINVAL, "no ports");
	expect_eq(keel_io_derive(io, KEEL_IO_PORTS, 1, EMPTY_SLOT), -KEEL_EINVAL, "past the last");
	expect_eq(keel_io_derive(io, KEEL_IO_PORTS - 1, 2, EMPTY_SLOT), -KEEL_EINVAL,
		  "across the last");
	expect_eq(keel_io_derive(io, 1ul << 40, 1, EMPTY_SLOT), -KEEL_EINVAL, "far past");
	expect_eq(keel_io_derive(io, 0, ~0ul, EMPTY_SLOT), -KEEL_EINVAL, "a count that wraps");
	expect_eq(keel_io_derive(io, RTC_INDEX, RTC_COUNT, (unsigned long)part), 0, "the RTC's");
	expect_eq(keel_cap_info((unsigned long)part), (long)(KEEL_CAP_IOPORT << 8 | KEEL_IO_USE),
		  "the part's type and rights");
	expect_eq(keel_io_derive((unsigned long)part, RTC_INDEX + 1, 2, EMPTY_SLOT), -KEEL_EINVAL,
		  "a part of the part that leaves it");
	expect_eq(keel_destroy((unsigned long)part), -KEEL_EPERM, "ports are not an object");
	expect_eq(keel_cap_info(EMPTY_SLOT), -KEEL_ENOENT, "nothing landed in EMPTY_SLOT");

	/* Enable, in a fresh space (ports stay as long as it lives). */
	unsigned long f = kpool_get(&pool), p4 = kpool_get(&pool), cs = kpool_get(&pool);
	long r = f && p4 && cs && as >= 0 ? keel_as_create(m, f, p4, cs, (unsigned long)as) : -1;
	expect_eq(r, 0, "an address space");
	if (r == 0 && part >= 0) {
		unsigned long a = (unsigned long)as, pt = (unsigned long)part;
		expect_eq(keel_io_enable(pt, a, RTC_INDEX, RTC_COUNT), 0, "the part's ports");
		expect_eq(keel_io_enable(pt, a, RTC_INDEX + 1, 1), -KEEL_EEXIST,
			  "one of them again");
		expect_eq(keel_io_enable(pt, a, RTC_INDEX + 2, 1), -KEEL_EINVAL,
			  "outside the part");
		expect_eq(keel_io_enable(pt, a, RTC_INDEX, 0), -KEEL_EINVAL, "no ports");
		expect_eq(keel_io_enable(io, a, 0x21, 1), -KEEL_EKERNEL, "the PIC");
		expect_eq(keel_io_enable(io, a, 0x43, 1), -KEEL_EKERNEL, "the PIT");
		expect_eq(keel_io_enable(io, a, 0xf4, 1), -KEEL_EKERNEL, "the exit port");
		long nomap = cap_dup(a, KEEL_AS_CAPS | KEEL_AS_THREAD, 0);
		expect(nomap >= 0, "a copy of the space without MAP: %ld", nomap);
		if (nomap >= 0) {
			expect_eq(keel_io_enable(io, (unsigned long)nomap, 0x100, 1), -KEEL_EPERM,
				  "a space capability without MAP");
			slot_drop((int)nomap);
		}
		/* COM1 is shared with the kernel's log (docs/design-core.md, "The console"). */
		expect_eq(keel_io_enable(io, a, 0x3f8, 8), 0, "COM1, for the serial driver");
		expect_eq(keel_io_enable(io, a, 0x100, 8), 0, "a third range");
		expect_eq(keel_io_enable(io, a, 0x200, 8), 0, "a fourth");
		expect_eq(keel_io_enable(io, a, 0x300, 8), -KEEL_EFULL, "a fifth: too many");
		expect_eq(keel_destroy(a), 0, "destroying the space");
	}
	unsigned long frames[3] = { f, p4, cs };
	for (int i = 0; i < 3; i++)
		if (frames[i])
			kpool_put(&pool, frames[i]); /* free again: the space is gone */
	slot_free(as);				     /* empty: destroyed, or never made */
	if (part >= 0)
		expect_eq(slot_drop(part), 0, "deleting the part");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

/* A thread that reads ports: `width` 1 or 2 bytes, from io.port. */
static struct {
	unsigned long port;
	int width;
	volatile int done;
	volatile unsigned long value;
} io;

static long read_port(struct uthread *t)
{
	unsigned short port = (unsigned short)io.port;

	(void)t;
	if (io.width == 2) {
		unsigned short v;
		__asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(port));
		io.value = v;
	} else {
		unsigned char v;
		if (port == RTC_INDEX + 1) /* select register A first */
			__asm__ volatile("outb %b0, %w1"
					 :
					 : "a"((unsigned char)0x0a),
					   "Nd"((unsigned short)RTC_INDEX));
		__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
		io.value = v;
	}
	__atomic_store_n(&io.done, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Run read_port on `port` on CPU `cpu`: 1 if it read, 0 if it took a
 * general-protection fault.
 */
static int try_port_on(unsigned long port, int width, unsigned long cpu, const char *what)
{
	static struct kpool pool;
	static struct uthread t;
	static struct client c;

	memset(&c, 0, sizeof(c));
	io.port = port;
	io.width = width;
	io.done = 0;
	kpool_init(&pool, &root_pool);
	long r = child_start(&t, &c, &pool, read_port, 0, THREAD_PRIO_DEFAULT, cpu);
	expect_eq(r, 0, what);
	if (r != 0) {
		kpool_release(&pool);
		return -1;
	}
	int ended = child_wait(&c), read = 0;
	expect(ended, "%s: the thread never ended", what);
	if (ended && c.faults == 1 && c.killed) {
		expect_eq((long)(c.code[0] >> 32), VECTOR_GP, "the fault's vector");
		expect_eq(io.done, 0, "it went on after the fault");
	} else if (ended) {
		expect(c.exits == 1 && c.faults == 0, "%s: %d faults, %d exits", what, c.faults,
		       c.exits);
		read = io.done;
	}
	expect_eq(child_finish(&t, &c), 0, "destroying the thread");
	expect_eq(kpool_release(&pool), 0, "reclaiming the thread's donation");
	return read;
}

static int try_port(unsigned long port, int width, const char *what)
{
	return try_port_on(port, width, 0, what);
}

static void io_port_needs_enabling(void)
{
	unsigned long io_cap = ct.bi->ioports, self = ct.bi->self_as;

	test_begin("io_port_needs_enabling");
	expect_eq(try_port(RTC_INDEX + 1, 1, "the RTC before it is enabled"), 0,
		  "a port not enabled faults");
	expect_eq(keel_io_enable(io_cap, self, RTC_INDEX, RTC_COUNT), 0,
		  "enabling the RTC's two ports for our own space");
	expect_eq(try_port(RTC_INDEX + 1, 1, "the RTC enabled"), 1, "an enabled port reads");
	expect(io.value != 0xff, "RTC register A read 0x%lx (0xff: no device answered)", io.value);
	expect_eq(try_port_on(RTC_INDEX + 1, 1, (unsigned long)ct.cpus - 1, "on the last CPU"), 1,
		  "an enabled port reads on every CPU's bitmap");
	expect_eq(try_port(RTC_INDEX + 2, 1, "the port after"), 0, "the next port still faults");
	expect_eq(try_port(RTC_INDEX - 1, 1, "the port before"), 0, "the port before still faults");
	expect_eq(try_port(RTC_INDEX + 1, 2, "a word across the edge"), 0,
		  "a 2-byte read that reaches a port not enabled faults");
	expect_eq(try_port(RTC_INDEX, 2, "a word inside"), 1, "a 2-byte read of both ports");
	expect_eq(try_port(POST_PORT, 1, "port 0x80"), 0, "another port faults");
	test_end();
}

/*
 * ufuzz in its own space: port a enabled for it works, then port b (our
 * RTC's, enabled only for us) faults.  The echo server's call in between
 * says the first read came back.
 */
static void io_ports_stay_with_their_space(void)
{
	static struct kpool pool;
	static struct server s;
	static struct proc p;
	static struct client c;
	unsigned long badge = badge_new();

	test_begin("io_ports_stay_with_their_space");
	kpool_init(&pool, &root_pool);
	memset(&c, 0, sizeof(c));
	long r = ufuzz_prepare(&p, &pool, &s, &c, badge, 0, KEEL_EP_SEND);
	if (r == 0) {
		expect_eq(keel_io_enable(ct.bi->ioports, p.as, POST_PORT, 1), 0,
			  "port 0x80 for it, not the RTC's");
		r = proc_start(&p, UFUZZ_ARG(UFUZZ_INPORT, POST_PORT, RTC_INDEX + 1));
		expect_eq(r, 0, "starting it");
		if (r == 0) {
			expect(wait_until(&c.events, 1, WAIT_TICKS), "it never ended");
			expect_eq(s.calls, 1, "its call after reading its own port");
			expect_eq((long)s.last_w[0], (long)UFUZZ_INPORT_MARK, "the call's mark");
			expect(c.faults == 1 && c.exits == 0, "%d faults, %d exits: want one fault",
			       c.faults, c.exits);
			if (c.faults == 1)
				expect_eq((long)(c.code[0] >> 32), VECTOR_GP,
					  "reading our port: its vector");
		}
		expect_eq(proc_destroy(&p), 0, "destroying the process");
		pager_unwatch(&c);
		/* Another in the same pool (maybe the same frames): no ports of its own. */
		memset(&c, 0, sizeof(c));
		r = spawn(&p, &pool, ct.bi, "ufuzz", badge);
		expect_eq(r, 0, "a second process");
		if (r == 0) {
			expect_eq(keel_thread_config(p.tcb, THREAD_PRIO_DEFAULT, 0, ct.pager_ep), 0,
				  "configuring it");
			expect_eq(
			    keel_cap_copy((unsigned long)s.slot, p.as, ECHO_SLOT, KEEL_EP_SEND, 0),
			    0, "giving it the server");
			pager_watch(&c, badge);
			int calls = s.calls;
			expect_eq(proc_start(&p, UFUZZ_ARG(UFUZZ_INPORT, POST_PORT, POST_PORT)), 0,
				  "starting it");
			expect(wait_until(&c.events, 1, WAIT_TICKS), "it never ended");
			expect(c.faults == 1 && s.calls == calls,
			       "port 0x80 was not its: %d faults, %d calls", c.faults,
			       s.calls - calls);
			expect_eq(proc_destroy(&p), 0, "destroying it");
			pager_unwatch(&c);
		}
	}
	if (s.t.tcb)
		expect_eq(server_stop(&s), 0, "stopping the server");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

/*
 * A thread of our space spinning on another CPU, never switching, sees a
 * port enabled meanwhile at once (SYS_IO_ENABLE's IPI), not at its next
 * switch, which might never come.
 */
static struct {
	volatile int spinning, go, done;
} spin;

static long spin_then_read(struct uthread *t)
{
	(void)t;
	__atomic_store_n(&spin.spinning, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&spin.go, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	unsigned char v;
	__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((unsigned short)POST_PORT));
	(void)v;
	__atomic_store_n(&spin.done, 1, __ATOMIC_RELEASE);
	return 0;
}

static void io_enable_reaches_running_threads(void)
{
	static struct kpool pool;
	static struct uthread t;
	static struct client c;

	if (ct.cpus < 2) {
		test_skip("io_enable_reaches_running_threads", "one CPU");
		return;
	}
	test_begin("io_enable_reaches_running_threads");
	kpool_init(&pool, &root_pool);
	memset(&spin, 0, sizeof(spin));
	memset(&c, 0, sizeof(c));
	long r = child_start(&t, &c, &pool, spin_then_read, 0, THREAD_PRIO_DEFAULT, 1);
	expect_eq(r, 0, "a thread spinning on CPU 1");
	if (r == 0) {
		expect(wait_until(&spin.spinning, 1, WAIT_TICKS), "it spins");
		sleep_ticks(3);
		expect_eq(keel_io_enable(ct.bi->ioports, ct.bi->self_as, POST_PORT, 1), 0,
			  "port 0x80 for our space, while it spins");
		__atomic_store_n(&spin.go, 1, __ATOMIC_RELEASE);
		expect(child_wait(&c), "it ended");
		expect(c.exits == 1 && c.faults == 0, "it read the port: %d faults, %d exits",
		       c.faults, c.exits);
		expect_eq(spin.done, 1, "it went on after the read");
		expect_eq(child_finish(&t, &c), 0, "destroying it");
	}
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

void tests_ioport(void)
{
	io_capability_rules();
	io_port_needs_enabling();
	io_ports_stay_with_their_space();
	io_enable_reaches_running_threads();
}
