/*
 * console.h - kernel output (kernel/console.c).  Every line the kernel
 * prints starts with its subsystem in brackets: klog("mm", "...") prints
 * "[mm] ...".  Output goes through a ring to the architecture's console
 * (COM1), drained a bounded burst at a time (console.c says how).
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <common/fmt.h>
#include <keel/types.h>

void console_init(void);
/* From now on print without taking the console lock (panic only). */
void console_panic_mode(void);
int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Send what is queued now, waiting for the UART (the end of a test run). */
void console_flush(void);
/*
 * Move queued output to the UART while it can take bytes without waiting,
 * at most about `budget` characters (whole bursts); returns how many went.
 * Any CPU, without the big kernel lock: a tick from user mode, an idle
 * CPU, a CPU waiting for the lock (a burst at a time), after a kernel line.
 */
u32 console_drain(u32 budget);
/*
 * Characters per look at the UART: at most 8 bytes (\n is \r\n), half
 * the 16-byte FIFO; the serial driver's bursts are the other half
 * (arch/x86_64/serial.c).
 */
#define CONSOLE_BURST 4u
/* Is anything queued?  A hint, read without the lock (console.c owns these). */
extern u64 console_put, console_sent;
static inline bool console_pending(void)
{
	return __atomic_load_n(&console_put, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&console_sent, __ATOMIC_RELAXED);
}
#define CONSOLE_TICK_BUDGET 128 /* bytes a tick from user mode sends at most */
/*
 * User text (SYS_DEBUG_WRITE): queue what fits of s[0..len) without ever
 * waiting and return how much that was (maybe 0).  *pending_end is the
 * writer's own record of where its text ends in the stream; a writer with
 * too much still unsent gets less.
 */
u64 console_write_user(const char *s, u64 len, u64 *pending_end);
int kvprintf(const char *fmt, va_list ap);

/* One log line, prefixed by its subsystem; sub must be a string literal. */
#define klog(sub, fmt, ...) kprintf("[" sub "] " fmt "\n", ##__VA_ARGS__)

/* Arch hooks (kernel/arch/x86_64/serial.c). */
void arch_console_init(void);
void arch_console_putc(char c);	       /* waits (bounded) for the UART */
bool arch_console_ready(void);	       /* may CONSOLE_BURST bytes go now? */
void arch_console_putc_nowait(char c); /* after arch_console_ready */

#endif
