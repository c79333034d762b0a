/*
 * lockwatch.c - the lock watchdog of test boots (see keel/lockwatch.h).
 */
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <keel/console.h>
#include <keel/lockwatch.h>
#include <keel/panic.h>

bool lockwatch_on;

u64 lockwatch_begin(void)
{
	return lockwatch_on ? rdtsc() | 1 : 0;
}

void lockwatch_check(u64 since, const char *lock, i64 holder, u32 ticket,
		     const volatile u32 *serving)
{
	if (!since ||
	    (i64)(rdtsc() - since) <= (i64)(LOCKWATCH_LIMIT_S * tsc_khz_or_default() * 1000))
		return;
	/*
	 * Read after the clock: if our turn has come, the wait is over.  (A
	 * CI run fired at "ticket 82922, now serving 82922": the waiter's
	 * virtual CPU had not run for seconds between its loop's read and
	 * this one, so the clock jumped while the lock was being handed on.)
	 */
	u32 now_serving = __atomic_load_n(serving, __ATOMIC_ACQUIRE);
	if (now_serving != ticket)
		lockwatch_fire(lock, holder, ticket, now_serving);
}

_Noreturn void lockwatch_fire(const char *lock, i64 holder, u32 ticket, u32 serving)
{
	u32 me = percpu_ready() ? this_cpu()->cpu : 0;

	panic_begin(); /* stops the others; each records where it was */
	kprintf("[panic] lock watchdog: cpu %u waited over %d s for %s (its ticket %u, now "
		"serving %u)\n",
		me, LOCKWATCH_LIMIT_S, lock, ticket, serving);
	if (holder < 0) {
		kprintf("[panic] no CPU holds it: a ticket was taken and never served\n");
	} else if ((u64)holder == me) {
		kprintf("[panic] the holder is this CPU\n");
	} else {
		kprintf("[panic] the holder, cpu %ld:\n", holder);
		if (!smp_backtrace((u32)holder))
			kprintf("[panic]   (it did not stop: no backtrace)\n");
	}
	kprintf("[panic] the waiter, cpu %u:\n", me);
	panic_end((u64)__builtin_return_address(0), *(u64 *)__builtin_frame_address(0), true);
}
