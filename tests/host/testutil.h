/*
 * testutil.h - helpers shared by the host tests.
 */
#ifndef KEEL_TESTUTIL_H
#define KEEL_TESTUTIL_H

#include <keel/types.h>

/*
 * A fixed-seed xorshift64 generator: random tests must be repeatable, so
 * each test sets rng_state to its own seed first.
 */
static u64 rng_state = 1;

static inline u64 rng_next(void)
{
	u64 x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

#endif
