/*
 * fmt.c - a small printf.
 */
#include "fmt.h"
#include "keel.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len++] = c;
}

static void put_unsigned(struct out *o, unsigned long v, unsigned base)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		put(o, tmp[--i]);
}

size_t vfmt(char *buf, size_t size, const char *f, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f++;
		int is_long = 0;
		while (*f == 'l') {
			is_long = 1;
			f++;
		}
		switch (*f) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			for (s = s ? s : "(null)"; *s; s++)
				put(&o, *s);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
			if (v < 0) {
				put(&o, '-');
				put_unsigned(&o, 0 - (unsigned long)v, 10);
			} else {
				put_unsigned(&o, (unsigned long)v, 10);
			}
			break;
		}
		case 'u':
			put_unsigned(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned),
				     10);
			break;
		case 'x':
			put_unsigned(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned),
				     16);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_unsigned(&o, (unsigned long)va_arg(ap, void *), 16);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	if (size)
		buf[o.len] = '\0';
	return o.len;
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
