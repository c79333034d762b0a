/*
 * page.c - clearing a page, the user library's own memory helper (the
 * string and memory functions it shares with the kernel are common/).
 */
#include "str.h"
#include <abi/page.h>

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
