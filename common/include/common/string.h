/*
 * string.h - memory and string functions for the kernel, the user library
 * and the host tests (common/memory.c and common/string.c).
 *
 * The memory functions keep their standard names: the compiler may emit
 * calls to memcpy, memmove, memset and memcmp by itself, so a freestanding
 * program must provide them.  They are in memory.c, which the kernel and the
 * user library build; the host tests take them from the C library.  The
 * string functions are named str_*, so they never collide with a C
 * library's, and are host-tested (tests/host/test_string.c).
 */
#ifndef COMMON_STRING_H
#define COMMON_STRING_H

#include <stdbool.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
/* <0, 0 or >0 as the first differing byte of a is below, equal to or above b's. */
int memcmp(const void *a, const void *b, size_t n);

size_t str_len(const char *s);
/* The length of s, but at most max: reads no byte at or past s + max. */
size_t str_nlen(const char *s, size_t max);
/* Are a and b the same string? */
bool str_eq(const char *a, const char *b);
/*
 * Copy src into dst (size bytes: truncated to size - 1 characters, always
 * NUL-terminated; nothing is written when size is 0); returns dst.
 */
char *str_copy(char *dst, const char *src, size_t size);

#endif
