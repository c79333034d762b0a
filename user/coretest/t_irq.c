/*
 * t_irq.c - interrupts to user space, with the RTC as the device: its
 * periodic interrupt (ISA IRQ 8, 64 Hz) bound to a notification, a
 * driver thread that waits, serves the device (reads register C) and
 * acknowledges; a line that stays masked until acknowledged; unbinding;
 * the binding rules; and a notification destroyed under a bound line.
 *
 * The RTC's ports (0x70, 0x71) are enabled for our own space (t_ioport.c
 * does it first; here it may be EEXIST).
 */
#include "ct.h"

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define RTC_A	  0x0a
#define RTC_64HZ  0x2a /* register A: the usual divider, 64 Hz */
#define RTC_B	  0x0b
#define RTC_C	  0x0c
#define RTC_PIE	  0x40 /* register B: periodic interrupt enable */
#define IRQ_BITS  0x20 /* the badge the line signals */
#define ROUNDS	  5
#define STRESS	  400  /* rounds at 1024 Hz: a wake-up racing the driver's own wait */
#define RTC_1KHZ  0x26 /* register A: 1024 Hz */

static void outb(unsigned short port, unsigned char v)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
}

static unsigned char inb(unsigned short port)
{
	unsigned char v;
	__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static unsigned char rtc_read(unsigned char reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static void rtc_write(unsigned char reg, unsigned char v)
{
	outb(RTC_INDEX, reg);
	outb(RTC_DATA, v);
}

/* Serve the device: reading register C ends its interrupt. */
static void rtc_serve(void)
{
	(void)rtc_read(RTC_C);
}

static void rtc_periodic(int on)
{
	if (on)
		rtc_write(RTC_A, RTC_64HZ);
	unsigned char b = rtc_read(RTC_B);
	rtc_write(RTC_B, on ? b | RTC_PIE : b & ~RTC_PIE);
	rtc_serve();
}

/* Poll nt for up to `max` ticks: its bits, or 0. */
static long poll_for(unsigned long nt, unsigned long max)
{
	unsigned long t0 = ticks();

	for (;;) {
		long r = keel_wait(nt, KEEL_WAIT_POLL);
		if (r != 0 || ticks() - t0 > max)
			return r;
		keel_sleep(1);
	}
}

/* The driver: wait (blocking), serve, acknowledge; drv.want times. */
static struct {
	unsigned long nt, irq, line;
	int want;
	volatile int started, rounds, errors;
	volatile long last, cpu;
} drv;

static long driver(struct uthread *t)
{
	(void)t;
	drv.cpu = keel_info(KEEL_INFO_CPU);
	__atomic_store_n(&drv.started, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < drv.want; i++) {
		long r = keel_wait(drv.nt, 0);
		drv.last = r;
		if (r != IRQ_BITS)
			drv.errors++;
		rtc_serve();
		if (keel_irq_ack(drv.irq, drv.line) != 0)
			drv.errors++;
		__atomic_store_n(&drv.rounds, i + 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static void irq_rtc_to_a_driver(void)
{
	static struct kpool pool;
	static struct uthread t;
	static struct client c;
	unsigned long irq = ct.bi->irqs, line = ct.bi->isa_irq_gsi[8];

	if (line >= KEEL_IRQ_LINES) {
		test_skip("irq_rtc_to_a_driver", "the RTC's IRQ has no line (an override)");
		return;
	}
	int nt = -1, nt2 = -1;
	unsigned long ntf = 0, nt2f = 0;

	long e = keel_io_enable(ct.bi->ioports, ct.bi->self_as, RTC_INDEX, 2);
	if (e != 0 && e != -KEEL_EEXIST) {
		test_begin("irq_rtc_to_a_driver");
		expect_eq(e, 0, "enabling the RTC's ports");
		test_end();
		return;
	}
	kpool_init(&pool, &root_pool);
	long r = notify_new(&pool, &nt, &ntf);
	long sig = r == 0 ? cap_dup((unsigned long)nt, KEEL_NT_SIGNAL, IRQ_BITS) : -1;
	long b = sig >= 0 ? keel_irq_bind(irq, line, (unsigned long)sig, 0) : -1;
	if (b == -KEEL_ENOENT) { /* no I/O APIC (ACPI off): no line to bind */
		slot_drop((int)sig);
		endpoint_drop(&pool, nt, ntf);
		kpool_release(&pool);
		test_skip("irq_rtc_to_a_driver", "no I/O APIC input for the RTC");
		return;
	}
	test_begin("irq_rtc_to_a_driver");
	expect_eq(r, 0, "a notification");
	expect(sig >= 0, "a badged copy: %ld", sig);
	expect_eq(b, 0, "binding the RTC's line to it");
	if (b == 0) {
		/* Interrupts come, each masked until acknowledged. */
		rtc_periodic(1);
		expect_eq(poll_for((unsigned long)nt, 100), IRQ_BITS, "an interrupt, as its bits");
		rtc_serve();
		sleep_ticks(5); /* 64 Hz: three would have come */
		expect_eq(keel_wait((unsigned long)nt, KEEL_WAIT_POLL), 0,
			  "nothing more until it is acknowledged");
		rtc_serve(); /* as a driver does: serve, then acknowledge */
		expect_eq(keel_irq_ack(irq, line), 0, "acknowledging it");
		expect_eq(poll_for((unsigned long)nt, 100), IRQ_BITS, "and the next one comes");
		rtc_serve();
		expect_eq(keel_irq_ack(irq, line), 0, "acknowledging it");
		/* For the driver, from nothing set: one may have come since. */
		(void)keel_wait((unsigned long)nt, KEEL_WAIT_POLL);
		rtc_serve();
		expect_eq(keel_irq_ack(irq, line), 0, "acknowledging whatever came");

		/*
		 * A driver thread on another CPU, woken by each interrupt: a few
		 * rounds, then many at 1024 Hz, where a line often waits to be
		 * delivered just as the driver blocks in its next SYS_WAIT (a
		 * delivery from the scheduler, after the wait, once lost it).
		 */
		for (int run = 0; run < 2; run++) {
			int want = run ? STRESS : ROUNDS;
			if (run)
				rtc_write(RTC_A, RTC_1KHZ);
			memset(&drv, 0, sizeof(drv));
			memset(&c, 0, sizeof(c));
			drv.nt = (unsigned long)nt;
			drv.irq = irq;
			drv.line = line;
			drv.want = want;
			r = child_start(&t, &c, &pool, driver, 0, THREAD_PRIO_SERVER,
					ct.cpus > 1 ? 1 : 0);
			expect_eq(r, 0, "starting the driver");
			if (r != 0)
				break;
			/*
			 * Only a failure looks at the notification: a poll would take
			 * bits a delivery left for the next driver (and leave the line
			 * in service with nobody to acknowledge it).
			 */
			if (!wait_until(&drv.rounds, want, WAIT_TICKS)) {
				long taken = keel_irq_status(irq, line);
				long bits = keel_wait((unsigned long)nt, KEEL_WAIT_POLL);
				expect(
				    0,
				    "driver: %d of %d (started %d, CPU %ld, last %ld; %d faults, "
				    "%d exits; %ld taken; bits %ld)",
				    drv.rounds, want, drv.started, drv.cpu, drv.last, c.faults,
				    c.exits, taken, bits);
			}
			expect_eq(drv.errors, 0, "the driver's errors");
			expect(child_wait(&c), "the driver exited");
			expect_eq(child_finish(&t, &c), 0, "destroying the driver");
			if (run) {
				rtc_write(RTC_A, RTC_64HZ);
				(void)keel_wait((unsigned long)nt, KEEL_WAIT_POLL);
				rtc_serve();
				(void)keel_irq_ack(irq, line);
			}
		}

		/* Start from nothing set, nothing in service. */
#define DRAIN()                                                                   \
	do { /* serve and acknowledge until one brings nothing, then once more */ \
		for (int k = 0; k < 5; k++) {                                     \
			rtc_serve();                                              \
			(void)keel_irq_ack(irq, line);                            \
			if (keel_wait((unsigned long)nt, KEEL_WAIT_POLL) == 0)    \
				break;                                            \
		}                                                                 \
		rtc_serve();                                                      \
		(void)keel_irq_ack(irq, line);                                    \
	} while (0)
		/*
		 * Level-triggered: the RTC holds its request until served, so the
		 * line must be masked from the interrupt to the acknowledgement
		 * (else the I/O APIC would send it again at every EOI, and this
		 * CPU would do nothing else).
		 */
		expect_eq(keel_irq_bind(irq, line, (unsigned long)sig, KEEL_IRQ_LEVEL),
			  -KEEL_EINVAL, "a mode without KEEL_IRQ_MODE");
		expect_eq(keel_irq_bind(irq, line, (unsigned long)sig, KEEL_IRQ_MODE | 8),
			  -KEEL_EINVAL, "an unknown mode bit");
		expect_eq(
		    keel_irq_bind(irq, line, (unsigned long)sig, KEEL_IRQ_MODE | KEEL_IRQ_LEVEL), 0,
		    "the line as level-triggered");
		DRAIN();
		expect_eq(poll_for((unsigned long)nt, 100), IRQ_BITS,
			  "a level-triggered interrupt");
		long taken = keel_irq_status(irq, line);
		sleep_ticks(5); /* the device still asks: only the mask stops the I/O APIC */
		expect_eq(keel_wait((unsigned long)nt, KEEL_WAIT_POLL), 0,
			  "nothing more until it is acknowledged");
		long more = keel_irq_status(irq, line) - taken;
		expect(taken > 0 && more <= 1, "%ld interrupts taken while masked (of %ld)", more,
		       taken);
		rtc_serve();
		expect_eq(keel_irq_ack(irq, line), 0, "served and acknowledged");
		expect_eq(poll_for((unsigned long)nt, 100), IRQ_BITS, "and the next one comes");
		expect_eq(keel_irq_bind(irq, line, (unsigned long)sig, KEEL_IRQ_MODE), 0,
			  "edge-triggered again");
		/* Bound again to the same notification through another badge: its bits. */
		long sig2 = cap_dup((unsigned long)nt, KEEL_NT_SIGNAL, 0x40);
		expect_eq(keel_irq_bind(irq, line, (unsigned long)sig2, 0), 0, "another badge");
		DRAIN();
		expect_eq(poll_for((unsigned long)nt, 100), 0x40, "the new badge's bits");
		rtc_serve();
		expect_eq(keel_irq_ack(irq, line), 0, "acknowledged");
		expect_eq(keel_irq_bind(irq, line, (unsigned long)sig, 0), 0,
			  "the first badge again");
		slot_drop((int)sig2);
#undef DRAIN

		/* Unbound: masked, nothing signalled. */
		expect_eq(keel_irq_bind(irq, line, KEEL_CAP_NONE, 0), 0, "unbinding");
		(void)keel_wait((unsigned long)nt, KEEL_WAIT_POLL); /* one that came before */
		rtc_serve();
		sleep_ticks(5);
		expect_eq(keel_wait((unsigned long)nt, KEEL_WAIT_POLL), 0,
			  "nothing after unbinding");
		expect_eq(keel_irq_ack(irq, line), -KEEL_EINVAL, "acknowledging an unbound line");

		/* The rules. */
		r = notify_new(&pool, &nt2, &nt2f);
		expect_eq(r, 0, "a second notification");
		expect_eq(keel_irq_bind(irq, KEEL_IRQ_LINES, (unsigned long)sig, 0), -KEEL_EINVAL,
			  "a line past the capability");
		long wonly = cap_dup((unsigned long)nt, KEEL_NT_WAIT, 0);
		expect_eq(keel_irq_bind(irq, line, (unsigned long)wonly, 0), -KEEL_EPERM,
			  "a notification without SIGNAL");
		slot_drop((int)wonly);
		long part = slot_alloc();
		expect_eq(keel_irq_derive(irq, line, 1, (unsigned long)part), 0, "the line alone");
		expect_eq(keel_irq_bind((unsigned long)part, line + 1, (unsigned long)sig, 0),
			  -KEEL_EINVAL, "another line through it");
		expect_eq(keel_irq_bind((unsigned long)part, line, (unsigned long)sig, 0), 0,
			  "its own line through it");
		expect_eq(keel_irq_bind((unsigned long)part, line, (unsigned long)sig, 0), 0,
			  "bound again to the same: nothing changes");
		if (r == 0)
			expect_eq(keel_irq_bind(irq, line, (unsigned long)nt2, 0), -KEEL_EBUSY,
				  "bound to another: unbind first");
		/* Destroying the notification unbinds the line. */
		slot_drop((int)sig);
		sig = -1;
		expect_eq(endpoint_drop(&pool, nt, ntf), 0, "destroying the bound notification");
		nt = -1;
		if (r == 0) {
			expect_eq(keel_irq_bind(irq, line, (unsigned long)nt2, 0), 0,
				  "the line is free again");
			expect_eq(keel_irq_bind(irq, line, KEEL_CAP_NONE, 0), 0, "unbinding it");
		}
		rtc_periodic(0);
		slot_drop((int)part);
	}
	if (sig >= 0)
		slot_drop((int)sig);
	if (nt >= 0)
		expect_eq(endpoint_drop(&pool, nt, ntf), 0, "destroying the notification");
	if (nt2 >= 0)
		expect_eq(endpoint_drop(&pool, nt2, nt2f), 0, "destroying the second");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}

void tests_irq(void)
{
	irq_rtc_to_a_driver();
}
