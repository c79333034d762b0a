/*
 * platform.c - stopping the machine.
 */
#include <arch/platform.h>
#include <arch/x86.h>
#include <keel/boot.h>
#include <keel/console.h>

_Noreturn void platform_halt(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

_Noreturn void platform_stop(unsigned code)
{
	console_flush(); /* the last lines of the run come out first */
	/* Only a test boot may write to the debug-exit port. */
	if (boot.test_mode)
		outl(QEMU_EXIT_PORT, code);
	platform_halt();
}
