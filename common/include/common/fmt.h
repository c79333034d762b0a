/*
 * fmt.h - printf-style formatting into any sink (common/fmt.c), for the
 * kernel (its console and panics) and user programs (user/lib/fmt.h).
 *
 * Supports %d %i %u %x %X %o %c %s %p %% with the flags '-', '0', '+', ' ',
 * '#', a width and precision (numbers or '*'), and the length modifiers
 * hh h l ll z t j.  No floating point.  Every caller is format-checked by
 * the compiler through the printf attribute.
 */
#ifndef COMMON_FMT_H
#define COMMON_FMT_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

typedef void (*fmt_sink)(void *ctx, char c);

/* Format to a sink; returns the number of characters produced. */
int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/*
 * Format into buf (always NUL-terminated when size > 0); returns the length
 * the whole output would have had, as C's snprintf does.
 */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
