/*
 * console.c - kprintf over the architecture's console.
 */
#include <keel/console.h>

static void console_sink(void *ctx, char c)
{
	(void)ctx;
	arch_console_putc(c);
}

void console_init(void)
{
	arch_console_init();
}

int kvprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(console_sink, NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
