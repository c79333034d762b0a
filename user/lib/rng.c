/*
 * rng.c - xorshift64 (Marsaglia).
 */
#include "rng.h"

void rng_seed(struct rng *r, unsigned long seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ul;
}

unsigned long rng_next(struct rng *r)
{
	unsigned long x = r->s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->s = x;
	return x;
}

unsigned long rng_below(struct rng *r, unsigned long n)
{
	return rng_next(r) % n;
}
