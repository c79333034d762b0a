/*
 * str.c - string and memory helpers.  The memory ones are `rep` string
 * instructions, so the compiler cannot turn them back into calls to
 * themselves.
 */
#include "str.h"
#include <abi/page.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping, destination above: copy backwards. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

/* Does the CPU have fast byte string operations (CPUID 7.0 EBX bit 9)? */
static int cpu_has_erms(void)
{
	unsigned int a = 0, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (a < 7)
		return 0;
	a = 7;
	c = 0;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (b >> 9) & 1;
}

/*
 * Clear a 4 KB page with the policy of Linux's clear_page: byte string
 * stores where the CPU says they are fast (ERMS), otherwise 8-byte ones.
 * (`make bench` runs both systems with and without ERMS; under QEMU's
 * -icount each iteration of a string instruction counts.)
 */
void page_clear(void *page)
{
	static int erms = -1;
	void *d = page;

	if (erms < 0)
		erms = cpu_has_erms();
	if (erms) {
		unsigned long n = KEEL_PAGE_SIZE;
		__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
	} else {
		unsigned long n = KEEL_PAGE_SIZE / 8;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(0ul) : "memory");
	}
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

char *str_copy(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	if (!size)
		return dst;
	for (; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
	return dst;
}
