/*
 * fmt.c - the printf engine of the kernel and the user library.  Pure: no
 * I/O, host-tested against the C library's snprintf.
 */
#include <common/fmt.h>
#include <stdbool.h>
#include <stdint.h>

enum {
	F_LEFT = 1 << 0,  /* '-' */
	F_ZERO = 1 << 1,  /* '0' */
	F_PLUS = 1 << 2,  /* '+' */
	F_SPACE = 1 << 3, /* ' ' */
	F_ALT = 1 << 4,	  /* '#' */
};

struct out {
	fmt_sink sink;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void emit_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none */
};

/* Emit a number: sign/prefix, precision zeros, digits, with padding. */
static void emit_number(struct out *o, const struct spec *s, uint64_t v, bool neg, unsigned base,
			bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0;

	/* Precision 0 with value 0 prints no digits (C99 7.19.6.1). */
	if (!(v == 0 && s->prec == 0)) {
		do {
			buf[n++] = digits[v % base];
			v /= base;
		} while (v);
	}

	char prefix[2];
	int np = 0;
	if (neg)
		prefix[np++] = '-';
	else if (s->flags & F_PLUS)
		prefix[np++] = '+';
	else if (s->flags & F_SPACE)
		prefix[np++] = ' ';
	if ((s->flags & F_ALT) && base == 16 && n > 0 && !(n == 1 && buf[0] == '0')) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}

	int zeros = s->prec > n ? s->prec - n : 0;
	if ((s->flags & F_ALT) && base == 8 && zeros == 0 && (n == 0 || buf[n - 1] != '0'))
		zeros = 1;
	int len = np + zeros + n;
	int pad = s->width > len ? s->width - len : 0;

	if ((s->flags & F_ZERO) && !(s->flags & F_LEFT) && s->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(s->flags & F_LEFT))
		emit_pad(o, ' ', pad);
	for (int i = 0; i < np; i++)
		emit(o, prefix[i]);
	emit_pad(o, '0', zeros);
	while (n > 0)
		emit(o, buf[--n]);
	if (s->flags & F_LEFT)
		emit_pad(o, ' ', pad);
}

static void emit_string(struct out *o, const struct spec *s, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (s->prec < 0 || len < s->prec))
		len++;
	int pad = s->width > len ? s->width - len : 0;
	if (!(s->flags & F_LEFT))
		emit_pad(o, ' ', pad);
	for (int i = 0; i < len; i++)
		emit(o, str[i]);
	if (s->flags & F_LEFT)
		emit_pad(o, ' ', pad);
}

/* Read a decimal number or '*' at *p. */
static int parse_count(const char **p, va_list *ap)
{
	int v = 0;
	if (**p == '*') {
		(*p)++;
		return va_arg(*ap, int);
	}
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

enum length { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

static enum length parse_length(const char **p)
{
	switch (**p) {
	case 'h':
		(*p)++;
		if (**p == 'h') {
			(*p)++;
			return L_CHAR;
		}
		return L_SHORT;
	case 'l':
		(*p)++;
		if (**p == 'l') {
			(*p)++;
			return L_LLONG;
		}
		return L_LONG;
	case 'z':
	case 't':
	case 'j':
		(*p)++;
		return L_SIZE;
	default:
		return L_INT;
	}
}

static int64_t arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case L_CHAR:
		return (signed char)va_arg(*ap, int);
	case L_SHORT:
		return (short)va_arg(*ap, int);
	case L_LONG:
	case L_LLONG:
	case L_SIZE:
		return va_arg(*ap, int64_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case L_CHAR:
		return (unsigned char)va_arg(*ap, unsigned);
	case L_SHORT:
		return (unsigned short)va_arg(*ap, unsigned);
	case L_LONG:
	case L_LLONG:
	case L_SIZE:
		return va_arg(*ap, uint64_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* One conversion starting after the '%'; advances *p past it. */
static void format_one(struct out *o, const char **p, va_list *ap)
{
	struct spec s = { .flags = 0, .width = 0, .prec = -1 };

	for (;; (*p)++) {
		unsigned f = **p == '-'	  ? F_LEFT
			     : **p == '0' ? F_ZERO
			     : **p == '+' ? F_PLUS
			     : **p == ' ' ? F_SPACE
			     : **p == '#' ? F_ALT
					  : 0;
		if (!f)
			break;
		s.flags |= f;
	}
	s.width = parse_count(p, ap);
	if (s.width < 0) {
		s.flags |= F_LEFT;
		s.width = -s.width;
	}
	if (**p == '.') {
		(*p)++;
		s.prec = parse_count(p, ap);
		if (s.prec < 0)
			s.prec = -1;
	}
	enum length len = parse_length(p);
	char conv = *(*p)++;

	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, len);
		emit_number(o, &s, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, 10, false);
		break;
	}
	case 'u':
		emit_number(o, &s, arg_unsigned(ap, len), false, 10, false);
		break;
	case 'x':
	case 'X':
		emit_number(o, &s, arg_unsigned(ap, len), false, 16, conv == 'X');
		break;
	case 'o':
		emit_number(o, &s, arg_unsigned(ap, len), false, 8, false);
		break;
	case 'p':
		s.flags |= F_ALT;
		emit_number(o, &s, (uint64_t)(uintptr_t)va_arg(*ap, void *), false, 16, false);
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		int pad = s.width > 1 ? s.width - 1 : 0;
		if (!(s.flags & F_LEFT))
			emit_pad(o, ' ', pad);
		emit(o, c);
		if (s.flags & F_LEFT)
			emit_pad(o, ' ', pad);
		break;
	}
	case 's':
		emit_string(o, &s, va_arg(*ap, const char *));
		break;
	case '%':
		emit(o, '%');
		break;
	case '\0':
		(*p)--; /* a lone '%' at the end: stop at the NUL */
		break;
	default:
		/* Unknown conversion: print it as it was written. */
		emit(o, '%');
		emit(o, conv);
		break;
	}
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { .sink = sink, .ctx = ctx, .count = 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		fmt++;
		format_one(&o, &fmt, &aq);
	}
	va_end(aq);
	return o.count;
}

struct buf {
	char *p;
	size_t size, len;
};

static void buf_sink(void *ctx, char c)
{
	struct buf *b = ctx;
	if (b->len + 1 < b->size)
		b->p[b->len] = c;
	b->len++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf b = { .p = buf, .size = size, .len = 0 };
	int n = fmt_vformat(buf_sink, &b, fmt, ap);
	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
