/*
 * fmt.h - formatting for user programs.  The printf engine is the
 * kernel's (common/fmt.c: the conversions, flags, widths and precisions
 * <common/fmt.h> lists); this adds printing to the console.
 */
#ifndef USER_FMT_H
#define USER_FMT_H

#include <common/fmt.h>

/*
 * Format into buf (always NUL-terminated if size > 0); returns the length
 * written, at most size - 1 (fmt_snprintf returns the length it would have had).
 */
size_t vfmt(char *buf, size_t size, const char *f, va_list ap);
size_t fmt(char *buf, size_t size, const char *f, ...) PRINTF_LIKE(3, 4);
/* Format and print to the console (up to 255 characters). */
void print_fmt(const char *f, ...) PRINTF_LIKE(1, 2);

#endif
