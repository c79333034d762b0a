/*
 * fmt.c - formatting into buffers and onto the console, through the
 * printf engine of common/fmt.c.
 */
#include "fmt.h"
#include "keel.h"

size_t vfmt(char *buf, size_t size, const char *f, va_list ap)
{
	int n = fmt_vsnprintf(buf, size, f, ap);

	if (!size || n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	size_t n = vfmt(buf, size, f, ap);
	va_end(ap);
	return n;
}

void print_fmt(const char *f, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, f);
	size_t n = vfmt(buf, sizeof(buf), f, ap);
	va_end(ap);
	print_n(buf, n);
}
