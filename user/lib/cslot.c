/*
 * cslot.c - a bitmap of this process's capability slots (cslot.h), one
 * bit per slot, claimed with an atomic OR so that threads need no lock.
 */
#include "cslot.h"
#include "keel.h"

#define WORDS (KEEL_CAP_SLOTS / 64)

static unsigned long used[WORDS] = { (1ul << CSLOT_FIRST) - 1 };

long cslot_alloc(void)
{
	for (unsigned w = 0; w < WORDS; w++) {
		unsigned long seen = __atomic_load_n(&used[w], __ATOMIC_RELAXED);
		while (~seen) {
			unsigned long bit = ~seen & (seen + 1); /* the lowest clear bit */
			seen = __atomic_fetch_or(&used[w], bit, __ATOMIC_ACQ_REL);
			if (!(seen & bit))
				return (long)(w * 64 + (unsigned)__builtin_ctzl(bit));
		}
	}
	return -KEEL_EFULL;
}

void cslot_free(unsigned long slot)
{
	if (slot >= CSLOT_FIRST && slot < KEEL_CAP_SLOTS)
		__atomic_fetch_and(&used[slot / 64], ~(1ul << (slot % 64)), __ATOMIC_RELEASE);
}

unsigned long cslot_used(void)
{
	unsigned long n = 0;

	/*
	 * Bit by bit, not __builtin_popcountl: without -mpopcnt that is a
	 * call into libgcc, which user programs do not link.
	 */
	for (unsigned w = 0; w < WORDS; w++)
		for (unsigned long x = __atomic_load_n(&used[w], __ATOMIC_RELAXED); x; x &= x - 1)
			n++;
	return n - CSLOT_FIRST;
}
