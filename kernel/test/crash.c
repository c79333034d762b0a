/*
 * crash.c - deliberate kernel faults, selected by `crash=WHAT` on the
 * command line, so the boot tests can check that each is caught and
 * reported rather than resetting the machine.
 */
#include <keel/console.h>
#include <keel/layout.h>
#include <keel/string.h>
#include <keel/panic.h>

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

void kernel_crash(const char *what)
{
	klog("test", "deliberate crash: %s", what);
	if (strcmp(what, "stack") == 0)
		crash_recurse(0);
	else if (strcmp(what, "unmapped") == 0)
		(void)*(volatile u64 *)DIRECT_MAP_END; /* the hole after the direct map */
	else if (strcmp(what, "panic") == 0)
		panic("deliberate panic from the command line");
	klog("test", "unknown crash '%s' (stack, unmapped, panic)", what);
}
