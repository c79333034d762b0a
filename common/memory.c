/*
 * memory.c - the memory functions under their standard names (see
 * common/string.h).  They are x86 string instructions, so the compiler
 * cannot turn them back into calls to themselves.  They never set the
 * direction flag: an interrupt taken in the middle would run with it set.
 */
#include <common/string.h>

/*
 * Eight bytes at a time, then the rest: a trap frame (176 bytes) is 22
 * moves, not 176.  (An emulator counts each iteration of a rep prefix as
 * an instruction; fast-string CPUs copy either way in about the same time.)
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(r) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* A forward copy is right unless the destination starts inside the source. */
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* Eight bytes at a time too, then the rest. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;
	unsigned long v = (unsigned char)c * 0x0101010101010101ul;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}
