/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz/ share: a CHECK that
 * names the property it guards, and a reader that turns the fuzzer's bytes
 * into numbers for the harnesses that decode their input as a sequence of
 * operations.  tests/fuzz/README.md describes the harnesses.
 */
#ifndef KEEL_FUZZ_H
#define KEEL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <common/unaligned.h>

/*
 * CHECK(cond, property): if cond is false, print the property (a sentence
 * saying what must hold), the expression and the place, then abort(), so
 * that libFuzzer saves the input as a crash.
 */
#define CHECK(cond, property)                                           \
	do {                                                            \
		if (!(cond))                                            \
			fuzz_fail(property, #cond, __FILE__, __LINE__); \
	} while (0)

static inline void fuzz_fail(const char *property, const char *expr, const char *file, int line)
{
	fprintf(stderr, "\nfuzz: property violated: %s\n      check: %s\n      at %s:%d\n",
		property, expr, file, line);
	abort();
}

/* An exact-size heap copy, so that AddressSanitizer sees any read past it. */
static inline void *fuzz_dup(const void *src, size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	if (n)
		memcpy(p, src, n);
	return p;
}

/* The fuzzer's bytes, read front to back; zeros once they run out. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fuzz_bytes(struct fuzz_in *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return (uint8_t)fuzz_bytes(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_bytes(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_bytes(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_bytes(in, 8);
}

/* Little-endian fields of the input, at any alignment: get_le32 and get_le64 (common/unaligned.h). */

/* Is [p, p+len) inside [base, base+size)? */
static inline int fuzz_inside(const void *p, size_t len, const void *base, size_t size)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;

	return a >= b && a - b <= size && len <= size - (a - b);
}

#endif
