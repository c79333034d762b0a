/*
 * panic.c - report a broken kernel invariant and stop every CPU.
 */
#include <arch/percpu.h>
#include <arch/platform.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <arch/x86.h>
#include <keel/console.h>
#include <keel/panic.h>

static volatile int panicking;

void panic_begin(void)
{
	irq_disable();
	if (__atomic_fetch_add(&panicking, 1, __ATOMIC_ACQ_REL)) {
		/*
		 * Another panic is under way: on this CPU (nested), or on another
		 * one, which is stopping us and will report and exit.  Halt here,
		 * quietly: exiting now could cut its report short.
		 */
		platform_halt();
	}
	u32 stopped = smp_stop_others();
	console_panic_mode();
	if (percpu_ready())
		kprintf("\n[panic] kernel panic on cpu %u (APIC %u); %u other CPU(s) stopped\n",
			this_cpu()->cpu, this_cpu()->apic_id, stopped);
	else
		kprintf("\n[panic] kernel panic on the boot CPU, early in boot\n");
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
