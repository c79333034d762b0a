/*
 * console.c - kprintf, and the ring that decouples printing from the UART.
 *
 * Everything printed goes into one ring (console_ring) under the console
 * lock, which is only ever held for a bounded number of steps: appending
 * a line, or moving at most CONSOLE_BURST bytes into the UART when it
 * says it can take them without waiting.  The ring is drained
 * (console_drain) by idle CPUs, by each timer tick that interrupts user
 * mode (a small budget, before the big kernel lock), and by the kernel
 * after a line it printed into an empty ring, and by CPUs waiting for the
 * big kernel lock (a burst at a time); each drain stops when the
 * UART is busy or its budget is spent, so nobody waits for the wire while
 * holding the big kernel lock or with interrupts masked for long.  (Not
 * from a tick that interrupts the kernel: that CPU may be next in line
 * for the big kernel lock, and would keep everyone waiting.)
 *
 * The kernel's own lines are never lost: if the ring is full, the
 * printing CPU sends the oldest bytes itself, waiting for the UART
 * (bounded by the length of its line).  User text (SYS_DEBUG_WRITE,
 * console_write_user) only takes what fits: the last CONSOLE_KERNEL_RESERVE
 * bytes stay for the kernel, and each thread may have at most
 * CONSOLE_USER_PENDING bytes waiting, so one busy writer cannot keep the
 * others out.  A panic flushes the ring and prints synchronously without
 * the lock (a stopped CPU may have died holding it); so does the end of a
 * test run (console_flush).
 */
#include <keel/console.h>
#include <keel/spinlock.h>
#include <common/string.h>

#define CONSOLE_RING_SIZE      (64u << 10) /* a power of two */
#define CONSOLE_KERNEL_RESERVE (8u << 10)
#define CONSOLE_USER_PENDING   (4u << 10)
_Static_assert((CONSOLE_RING_SIZE & (CONSOLE_RING_SIZE - 1)) == 0, "a power of two");

static struct spinlock console_lock = SPINLOCK_INIT("console");
static volatile bool console_unlocked;
static char console_ring[CONSOLE_RING_SIZE];
/* Bytes ever put in, and ever sent: the ring holds [sent, put). */
u64 console_put, console_sent;

/* Send one byte from the ring, waiting for the UART.  Lock held. */
static void ring_send_one(void)
{
	arch_console_putc(console_ring[console_sent++ % CONSOLE_RING_SIZE]);
}

/* Kernel output: into the ring, making room by sending if it is full. */
static void ring_sink(void *ctx, char c)
{
	(void)ctx;
	if (console_put - console_sent == CONSOLE_RING_SIZE)
		ring_send_one();
	console_ring[console_put++ % CONSOLE_RING_SIZE] = c;
}

static void direct_sink(void *ctx, char c)
{
	(void)ctx;
	arch_console_putc(c);
}

void console_init(void)
{
	arch_console_init();
}

/* Send what the ring holds, waiting for the UART.  Lock held (or panic). */
static void ring_flush(void)
{
	while (console_sent != console_put)
		ring_send_one();
}

void console_panic_mode(void)
{
	console_unlocked = true;
	ring_flush(); /* what was printed before the panic comes first */
}

void console_flush(void)
{
	if (console_unlocked) {
		ring_flush();
		return;
	}
	u64 flags = spin_lock_irqsave(&console_lock);
	ring_flush();
	spin_unlock_irqrestore(&console_lock, flags);
}

u32 console_drain(u32 budget)
{
	u32 sent = 0;

	while (sent < budget) {
		if (console_unlocked)
			return sent;
		u64 flags = spin_lock_irqsave(&console_lock);
		u32 n = 0;
		if (console_sent != console_put && arch_console_ready())
			for (; n < CONSOLE_BURST && console_sent != console_put; n++)
				arch_console_putc_nowait(
				    console_ring[console_sent++ % CONSOLE_RING_SIZE]);
		spin_unlock_irqrestore(&console_lock, flags);
		if (!n)
			break; /* empty, or the UART is busy: a later drain goes on */
		sent += n;
	}
	return sent;
}

int kvprintf(const char *fmt, va_list ap)
{
	if (console_unlocked)
		return fmt_vformat(direct_sink, NULL, fmt, ap);
	u64 flags = spin_lock_irqsave(&console_lock);
	bool was_empty = console_put == console_sent;
	int n = fmt_vformat(ring_sink, NULL, fmt, ap);
	spin_unlock_irqrestore(&console_lock, flags);
	if (was_empty) /* out at once, unless others' text is queued before it */
		console_drain((u32)n);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

u64 console_write_user(const char *s, u64 len, u64 *pending_end)
{
	u64 flags = spin_lock_irqsave(&console_lock);
	u64 used = console_put - console_sent;
	u64 room = used < CONSOLE_RING_SIZE - CONSOLE_KERNEL_RESERVE
		       ? CONSOLE_RING_SIZE - CONSOLE_KERNEL_RESERVE - used
		       : 0;
	/* What of this writer's earlier text is still waiting to be sent. */
	u64 mine = *pending_end > console_sent ? *pending_end - console_sent : 0;
	u64 share = mine < CONSOLE_USER_PENDING ? CONSOLE_USER_PENDING - mine : 0;
	u64 n = MIN(len, MIN(room, share));

	/* Part of it: up to the end of a line, so lines from others stay whole. */
	for (u64 k = n; n < len && k > 0; k--)
		if (s[k - 1] == '\n') {
			n = k;
			break;
		}
	for (u64 i = 0; i < n; i++)
		console_ring[console_put++ % CONSOLE_RING_SIZE] = s[i];
	if (n)
		*pending_end = console_put;
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}
