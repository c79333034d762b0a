/*
 * serial - the driver of the 16550 UART on COM1: interrupt-driven input,
 * buffered output, for the console server (user/console).
 *
 * init starts it with COM1's eight ports (PAGER_GIVEN_SLOT) and, if the
 * machine has an I/O APIC, the interrupt line ISA IRQ 4 arrives on
 * (PAGER_GIVEN_SLOT + 1; its number is the argument, SERIAL_POLL if
 * there is none: then it polls every tick).
 *
 * The kernel shares the UART (docs/design-core.md, "Sharing COM1 with
 * the serial driver"): it keeps writing its own log into the transmit
 * FIFO, so this driver never changes the line format, and sends at most
 * SERIAL_BURST bytes into an empty FIFO, half of it.
 *
 * One notification wakes it: the interrupt sets SERIAL_IRQ, the console
 * SERIAL_OUTPUT when it has output.  Each round it empties the receive
 * FIFO into `in`, refills the transmit FIFO from `out`, and when there
 * is input to hand over or output to fetch, calls the console once
 * (CONSOLE_IO: typed bytes in, output back).  The interrupt is
 * acknowledged after the UART has nothing more to say, so the next edge
 * is a new event (the I/O APIC's input is edge-triggered for ISA).
 */
#include "console.h"
#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"

#define COM1	      0x3f8
#define UART_DATA     0
#define UART_IER      1
#define UART_IIR      2
#define UART_LSR      5
#define UART_MCR      4
#define UART_MSR      6
#define LSR_DR	      0x01 /* a received byte is waiting */
#define LSR_THRE      0x20 /* the transmit FIFO is empty */
#define IER_RDA	      0x01 /* interrupt: received data */
#define IER_THRE      0x02 /* interrupt: transmit FIFO empty */
#define IER_RLS	      0x04 /* interrupt: line status (errors) */
#define MCR_DTR_RTS   0x03
#define MCR_OUT2      0x08 /* gates the UART's interrupt onto the ISA line */
#define IIR_NONE      0x01
#define SERIAL_BURST  8
#define SERIAL_HOLD   3	   /* ticks our output waits for the kernel's at most */
#define SERIAL_BUF    4096 /* each way; a power of two */
#define SERIAL_IRQ    1ul
#define SERIAL_OUTPUT 2ul

static unsigned long nt, irq_cap = PAGER_GIVEN_SLOT + 1, line = SERIAL_POLL;
static long console = -1;
static char in[SERIAL_BUF], out[SERIAL_BUF];
static unsigned long in_put, in_got, out_put, out_sent;
static unsigned long console_more = 1; /* the console may have output for us */

static inline unsigned char port_in(unsigned short port)
{
	unsigned char v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void port_out(unsigned short port, unsigned char v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Should our bytes wait for the kernel's?  Yes while it has some, for SERIAL_HOLD ticks. */
static int kernel_first(void)
{
	static unsigned long since; /* the tick the kernel's backlog was first seen; 0: none */
	unsigned long now = (unsigned long)keel_info(KEEL_INFO_TICKS) + 1;

	if (!keel_info(KEEL_INFO_LOG)) {
		since = 0;
		return 0;
	}
	if (!since)
		since = now;
	return now - since < SERIAL_HOLD;
}

/* Move bytes between the UART's FIFOs and our buffers, until it has nothing more to say. */
static void uart_service(void)
{
	for (int round = 0; round < 64; round++) {
		unsigned char lsr = port_in(COM1 + UART_LSR);
		int busy = 0;
		while (lsr & LSR_DR) {
			unsigned char c = port_in(COM1 + UART_DATA);
			if (in_put - in_got < SERIAL_BUF)
				in[in_put++ % SERIAL_BUF] = (char)c;
			lsr = port_in(COM1 + UART_LSR);
			busy = 1;
		}
		/*
		 * The kernel's lines go out whole: while its log has bytes
		 * waiting, ours wait (it drains them at its next tick), but
		 * not for longer than SERIAL_HOLD ticks: a program that keeps
		 * the log full (SYS_DEBUG_WRITE in a loop) must not silence
		 * the console.
		 */
		if ((lsr & LSR_THRE) && out_put != out_sent && !kernel_first()) {
			for (int i = 0; i < SERIAL_BURST && out_put != out_sent; i++)
				port_out(COM1 + UART_DATA,
					 (unsigned char)out[out_sent++ % SERIAL_BUF]);
			busy = 1;
		}
		/* Reading IIR acknowledges a THRE interrupt; MSR, a modem-status one. */
		if ((port_in(COM1 + UART_IIR) & IIR_NONE) && !busy)
			return;
		port_in(COM1 + UART_MSR);
	}
}

/* Attach to the console (again): 0 once attached. */
static long console_attach_driver(void)
{
	static long slot = -1, copy = -1;
	struct keel_msg m;

	if (slot < 0 && (slot = cslot_alloc()) < 0)
		return slot;
	if (copy < 0 && (copy = cslot_alloc()) < 0)
		return copy;
	keel_cap_delete(KEEL_CAP_SELF, (unsigned long)slot); /* the old console's, if any */
	long r = pager_lookup("console", (unsigned long)slot, 0);
	if (r)
		return r;
	r = keel_cap_copy(nt, KEEL_CAP_SELF, (unsigned long)copy, KEEL_NT_SIGNAL, SERIAL_OUTPUT);
	if (r)
		return r;
	m = (struct keel_msg){ 0, IPC_TAG(CONSOLE_DRIVER, 0), { 0 } };
	m.tag = IPC_TAG_CAPS(m.tag, 1, (unsigned long)copy, 0);
	r = keel_call((unsigned long)slot, &m);
	keel_cap_delete(KEEL_CAP_SELF, (unsigned long)copy);
	if (!r)
		r = -(long)IPC_TAG_LABEL(m.tag);
	if (!r) {
		console = slot;
		console_more = 1;
	}
	return r;
}

/* Hand typed bytes to the console and take its output: 0, or -error (it is gone). */
static long console_io(void)
{
	char *buf = (char *)PROG_IPC_BUF;
	unsigned long n = 0;

	while (in_got != in_put && n < IPC_BUF_MAX)
		buf[n++] = in[in_got++ % SERIAL_BUF];
	struct keel_msg m = { 0, IPC_TAG(CONSOLE_IO, n), { SERIAL_BUF - (out_put - out_sent) } };
	long r = keel_call((unsigned long)console, &m);
	if (!r)
		r = -(long)IPC_TAG_LABEL(m.tag);
	if (r) {
		in_got -= n; /* kept for the next console */
		return r;
	}
	unsigned long k = IPC_TAG_LEN(m.tag);
	for (unsigned long i = 0; i < k; i++)
		out[out_put++ % SERIAL_BUF] = buf[i];
	console_more = m.w[0];
	return 0;
}

static long setup(unsigned long arg)
{
	long r, s = cslot_alloc();

	line = arg;
	if (s < 0)
		return s;
	nt = (unsigned long)s;
	if ((r = pager_io_enable(PAGER_GIVEN_SLOT, COM1, 8))) {
		print_fmt("[serial] COM1's ports: %s\n", keel_error_name(r));
		return r;
	}
	if ((r = pager_notify(nt, 0)))
		return r;
	if (line != SERIAL_POLL) {
		long c = cslot_alloc();
		if (c < 0)
			return c;
		r = keel_cap_copy(nt, KEEL_CAP_SELF, (unsigned long)c, KEEL_NT_SIGNAL, SERIAL_IRQ);
		if (!r)
			r = keel_irq_bind(irq_cap, line, (unsigned long)c, 0); /* ISA: edge, high */
		if (r) {
			print_fmt("[serial] interrupt line %lu: %s; polling instead\n", line,
				  keel_error_name(r));
			line = SERIAL_POLL;
		}
	}
	/* Receive, transmit-empty and line-status interrupts, through OUT2. */
	port_out(COM1 + UART_IER, IER_RDA | IER_THRE | IER_RLS);
	port_out(COM1 + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	uart_service();
	return 0;
}

int main(unsigned long arg)
{
	long r;

	console_off(); /* the console runs on this driver: print to the kernel's log */
	if ((r = setup(arg))) {
		print_fmt("[serial] cannot start: %ld\n", r);
		return 1;
	}
	int in_service = 0; /* the interrupt line waits for our acknowledgement */
	for (;;) {
		uart_service();
		if (in_service) { /* the UART has nothing more to say: the next edge is news */
			keel_irq_ack(irq_cap, line);
			in_service = 0;
		}
		if (console < 0 && console_attach_driver() != 0) {
			keel_sleep(1); /* no console yet: input waits in `in` */
			continue;
		}
		if (in_got != in_put || (console_more && out_put - out_sent < SERIAL_BUF)) {
			if (console_io()) {
				console = -1; /* it ended; the next round attaches to the new one */
				continue;
			}
			uart_service();
		}
		if (in_got != in_put || (console_more && out_put - out_sent < SERIAL_BUF))
			continue;
		long bits = line == SERIAL_POLL ? keel_wait(nt, KEEL_WAIT_POLL) : keel_wait(nt, 0);
		if (bits < 0) {
			print_fmt("[serial] waiting failed: %ld\n", bits);
			return 2;
		}
		if (bits & SERIAL_OUTPUT)
			console_more = 1;
		if (bits & PAGER_EVENT_SERVER)
			console = -1; /* the console ended: attach to the next one */
		if (bits & SERIAL_IRQ)
			in_service = 1;
		if (line == SERIAL_POLL && !bits)
			keel_sleep(1);
	}
}
