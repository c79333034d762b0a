/*
 * lockwatch.h - the lock watchdog of test boots (kernel/lib/lockwatch.c).
 *
 * A CPU that waits for a lock longer than LOCKWATCH_LIMIT_S seconds has
 * found a broken invariant: every lock in Keel is held for a bounded,
 * short time.  In a test boot the waiter then panics, naming the lock,
 * itself and the holder, with both backtraces.  Other boots do not
 * watch (the check is one load of a flag, on the waiting path only).
 */
#ifndef KEEL_LOCKWATCH_H
#define KEEL_LOCKWATCH_H

#include <keel/types.h>

/*
 * Twice as long as a TLB shoot-down may take (arch/x86_64/ipi.c,
 * IPI_WAIT_US): a holder waiting for one fails there first, with its own
 * report.
 */
#define LOCKWATCH_LIMIT_S 20

extern bool lockwatch_on; /* set for test boots */

/* When the wait began, or 0 when nothing is watched. */
u64 lockwatch_begin(void);

_Noreturn void lockwatch_fire(const char *lock, i64 holder, u32 ticket, u32 serving);

/*
 * Panic if the wait that began at `since` has lasted too long and our
 * turn (`ticket`) has still not come: `serving` is read after the clock.
 * `holder` is the holding CPU (-1: none recorded).
 */
void lockwatch_check(u64 since, const char *lock, i64 holder, u32 ticket,
		     const volatile u32 *serving);

#endif
