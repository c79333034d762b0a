/*
 * panic.c - report a broken kernel invariant and stop.
 */
#include <arch/platform.h>
#include <arch/trap.h>
#include <arch/x86.h>
#include <keel/console.h>
#include <keel/panic.h>

static volatile int panicking;

void panic_begin(void)
{
	irq_disable();
	if (panicking++) {
		/* A panic while panicking: say so once, and stop at once. */
		if (panicking == 2)
			kprintf("\n[panic] nested panic; stopping\n");
		platform_stop(QEMU_EXIT_PANIC);
	}
	kprintf("\n");
}

_Noreturn void panic_end(u64 rip, u64 rbp, bool rip_is_return)
{
	arch_backtrace(rip, rbp, rip_is_return);
	kprintf("[panic] system halted\n");
	platform_stop(QEMU_EXIT_PANIC);
}

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	panic_begin();
	kprintf("[panic] ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	/* Start the walk at our caller: its return address and saved RBP. */
	panic_end((u64)__builtin_return_address(0), *(u64 *)__builtin_frame_address(0), true);
}
