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
#include <keel/addr.h>
#include <keel/kmem.h>
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

/*
 * Undefined behaviour, for the sanitizer build's runtime (kernel/lib/ubsan.c)
 * to catch.  The index and the addend come through a volatile, so the
 * compiler cannot see the fault coming and refuse to build.
 */
static volatile u64 crash_ub_index = 8;
static volatile i64 crash_ub_addend = 1;
static u64 crash_ub_array[8];

static void crash_ubsan_bounds(void)
{
	crash_ub_array[crash_ub_index] = 1;
	klog("test", "wrote crash_ub_array[%lu]", crash_ub_index);
}

static void crash_ubsan_overflow(void)
{
	volatile i64 big = INT64_MAX;
	i64 sum = big + crash_ub_addend;
	klog("test", "INT64_MAX + 1 = %ld", sum);
}

/*
 * A write to a kernel object after it was freed: the sanitizer build finds
 * the poison broken when the frame is made an object again.
 */
static void crash_use_after_free(void)
{
	u64 pa = kmem_boot_object(KOBJ_ENDPOINT);
	volatile u8 *p = phys_to_virt(pa);

	kmem_object_free(pa);
	p[100] = 1; /* the dangling write */
	kmem_object_make(pa, KOBJ_ENDPOINT);
	klog("test", "the write after free at 0x%lx went unnoticed", pa + 100);
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
	else if (str_eq(what, "ubsan-bounds"))
		crash_ubsan_bounds();
	else if (str_eq(what, "ubsan-overflow"))
		crash_ubsan_overflow();
	else if (str_eq(what, "use-after-free"))
		crash_use_after_free();
	klog("test",
	     "unknown crash '%s' (stack, unmapped, panic, ap-stack, ap-panic, lock, ubsan-bounds, "
	     "ubsan-overflow, use-after-free)",
	     what);
}
