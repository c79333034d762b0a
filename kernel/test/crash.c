/*
 * crash.c - deliberate kernel faults, selected by `crash=WHAT` on the
 * command line, so the boot tests can check that each is caught and
 * reported rather than resetting the machine.
 */
#include <arch/percpu.h>
#include <arch/smp.h>
#include <keel/console.h>
#include <keel/layout.h>
#include <common/string.h>
#include <keel/panic.h>
#include <keel/sched.h>

void kernel_crash(const char *what);

/* Recurse until the stack runs into its guard page. */
__attribute__((noinline)) static u64 crash_recurse(volatile u64 depth)
{
	volatile char pad[512];
	pad[0] = (char)depth;
	if (depth == UINT64_MAX) /* never: only here to end the recursion formally */
		return 0;
	return crash_recurse(depth + 1) + pad[0];
}

static void crash_stack_ipi(void *arg)
{
	crash_recurse(0);
}

/* Take the big kernel lock and go back to idling with it: it is never given back. */
static void crash_lock_ipi(void *arg)
{
	bkl_lock();
}

static void crash_panic_ipi(void *arg)
{
	panic("deliberate panic on cpu %u", this_cpu()->cpu);
}

/* Crash on the last CPU (the boot CPU if it is alone). */
static void crash_on_ap(void (*fn)(void *))
{
	u32 n = percpu_count - 1;
	klog("test", "crashing cpu %u", n);
	if (n == 0)
		fn(NULL);
	else
		ipi_call(n, fn, NULL);
	klog("test", "cpu %u did not crash", n);
}

/* Another CPU holds the big kernel lock for good; wait for it (the watchdog ends this). */
static void crash_lock(void)
{
	crash_on_ap(crash_lock_ipi);
	klog("test", "waiting for the big kernel lock, which cpu %u keeps", percpu_count - 1);
	bkl_lock();
}

void kernel_crash(const char *what)
{
	klog("test", "deliberate crash: %s", what);
	if (str_eq(what, "stack"))
		crash_recurse(0);
	else if (str_eq(what, "unmapped"))
		(void)*(volatile u64 *)DIRECT_MAP_END; /* the hole after the direct map */
	else if (str_eq(what, "panic"))
		panic("deliberate panic from the command line");
	else if (str_eq(what, "ap-stack"))
		crash_on_ap(crash_stack_ipi);
	else if (str_eq(what, "ap-panic"))
		crash_on_ap(crash_panic_ipi);
	else if (str_eq(what, "lock"))
		crash_lock();
	klog("test", "unknown crash '%s' (stack, unmapped, panic, ap-stack, ap-panic, lock)", what);
}
