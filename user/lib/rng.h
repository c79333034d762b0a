/*
 * rng.h - a tiny xorshift64 random number generator (not for secrets).
 */
#ifndef USER_RNG_H
#define USER_RNG_H

struct rng {
	unsigned long s;
};

/* Seed it (any value; 0 is replaced by a fixed nonzero seed). */
void rng_seed(struct rng *r, unsigned long seed);
unsigned long rng_next(struct rng *r);
/* A number below n (n > 0). */
unsigned long rng_below(struct rng *r, unsigned long n);

#endif
