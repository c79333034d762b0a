/*
 * serial.c - the console on COM1, a 16550 UART at I/O port 0x3f8,
 * 115200 baud, 8N1, polled, with its 16-byte FIFOs on.
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

static void serial_put(char c)
{
	/* Bounded wait: a missing UART must not hang the kernel. */
	for (int i = 0; i < 100000; i++)
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
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
 * A newline is two bytes: the drain sends 8 characters per burst at most
 * (console.c, CONSOLE_BURST is 16 / 2), so a burst never overflows.
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
