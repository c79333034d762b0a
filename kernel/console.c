/*
 * console.c - kprintf over the architecture's console.  One lock keeps
 * lines from different CPUs apart; a panic stops the other CPUs first and
 * then prints without the lock (a stopped CPU may have died holding it).
 */
#include <keel/console.h>
#include <keel/spinlock.h>

static struct spinlock console_lock = SPINLOCK_INIT("console");
static volatile bool console_unlocked;

static void console_sink(void *ctx, char c)
{
	(void)ctx;
	arch_console_putc(c);
}

void console_init(void)
{
	arch_console_init();
}

void console_panic_mode(void)
{
	console_unlocked = true;
}

int kvprintf(const char *fmt, va_list ap)
{
	if (console_unlocked)
		return fmt_vformat(console_sink, NULL, fmt, ap);
	u64 flags = spin_lock_irqsave(&console_lock);
	int n = fmt_vformat(console_sink, NULL, fmt, ap);
	spin_unlock_irqrestore(&console_lock, flags);
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
