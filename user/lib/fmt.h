/*
 * fmt.h - a small printf: %s %c %d %u %x (with an `l` for long), %p, %%.
 * No widths or precision.
 */
#ifndef USER_FMT_H
#define USER_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Format into buf (always NUL-terminated if size > 0); returns the length written. */
size_t vfmt(char *buf, size_t size, const char *f, va_list ap);
size_t fmt(char *buf, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));
/* Format and print to the console (up to 255 characters). */
void print_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

#endif
