/*
 * serial.c - the console on COM1, a 16550 UART at I/O port 0x3f8,
 * 115200 baud, 8N1, polled, with its 16-byte FIFOs on.
 *
 * The kernel shares the UART with the user-space serial driver
 * (user/serial), which may enable COM1's ports.  The rule that keeps
 * both working: the kernel only transmits.  After arch_console_init it
 * writes the data register and reads the line status, nothing else; the
 * driver owns the interrupt enable, the modem control (OUT2), receiving
 * and the interrupt identification, and never changes the line format.
 * Both send a burst only into an empty transmit FIFO and at most 8
 * bytes each, so two bursts at once still fit in its 16.  Text from the
 * two can interleave at a burst's boundary; the kernel has little to say
 * once the console runs, and programs print through the console.  A
 * driver that stops the transmitter (or a UART that is not there) makes
 * the kernel drop its output rather than wait: after one wait that timed
 * out, the next ones give up at once until the FIFO empties again.
 */
#include <arch/platform.h>
#include <arch/x86.h>
#include <keel/console.h>

#define COM1	      COM1_PORT
#define UART_DATA     0
#define UART_IER      1
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_LCR_DLAB 0x80

void arch_console_init(void)
{
	outb(COM1 + UART_IER, 0x00);	      /* no interrupts */
	outb(COM1 + UART_LCR, UART_LCR_DLAB); /* divisor follows */
	outb(COM1 + UART_DATA, 1);	      /* 115200 / 1 */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8 bits, no parity, 1 stop */
	outb(COM1 + UART_FCR, 0xc7); /* FIFOs on, cleared */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static bool serial_stuck; /* the last wait timed out */

static void serial_put(char c)
{
	/* Bounded wait: a missing or stopped UART must not hang the kernel. */
	int i, tries = serial_stuck ? 1 : 100000;
	for (i = 0; i < tries; i++)
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	serial_stuck = i == tries;
	outb(COM1 + UART_DATA, (u8)c);
}

void arch_console_putc(char c)
{
	if (c == '\n')
		serial_put('\r');
	serial_put(c);
}

/*
 * THRE with the FIFOs on: the transmit FIFO is empty, so 16 bytes fit.
 * A newline is two bytes: the drain sends 4 characters per burst at most
 * (console.c, CONSOLE_BURST), 8 bytes, so a burst never overflows, even
 * with the serial driver's burst of 8 beside it.
 */
bool arch_console_ready(void)
{
	return inb(COM1 + UART_LSR) & UART_LSR_THRE;
}

void arch_console_putc_nowait(char c)
{
	if (c == '\n')
		outb(COM1 + UART_DATA, '\r');
	outb(COM1 + UART_DATA, (u8)c);
}
