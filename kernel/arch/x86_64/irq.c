/*
 * irq.c - the interrupt dispatcher: each vector the local APIC delivers
 * (the timer, the IPIs, errors, the devices' lines, which go to their
 * drivers through keel/irq.h), acknowledged here.  Called with
 * interrupts off, before any lock is taken (arch/x86_64/trap.c).
 */
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <arch/vectors.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/panic.h>
#include <keel/sched.h>

void irq_handle(struct trap_frame *tf)
{
	struct percpu *pc = this_cpu();
	u32 v = (u32)tf->vector;

	switch (v) {
	case VEC_TIMER:
		pc->ticks++;
		if (!(tf->cs & 3) && !sched_current())
			pc->idle_ticks++; /* for the shell's cpus (KEEL_INFO_CPU_IDLE) */
		lapic_eoi();
		if (tf->cs & 3) /* not while this CPU may be in line for the lock */
			console_drain(CONSOLE_TICK_BUDGET);
		return;
	case VEC_IPI_WAKEUP:
		pc->ipis++;
		pc->wakeups++;
		break;
	case VEC_IPI_TLB:
		ipi_take_tlb();
		break;
	case VEC_IPI_CALL:
		ipi_take_call();
		break;
	case VEC_SPURIOUS:
		return; /* no EOI for the spurious vector */
	case VEC_APIC_ERROR:
		klog("irq", "cpu %u: local APIC error 0x%x", pc->cpu, lapic_read_esr());
		break;
	default:
		if (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16)
			return; /* a spurious 8259 interrupt (all lines are masked): no EOI */
		if (v >= VEC_IOAPIC_BASE && v <= VEC_IOAPIC_MAX) {
			/* A device's: held until its driver says it is served (keel/irq.h). */
			arch_irq_hold(v - VEC_IOAPIC_BASE);
			irq_raise(v - VEC_IOAPIC_BASE);
			break;
		}
		klog("irq", "cpu %u: unexpected interrupt vector 0x%x", pc->cpu, v);
		break;
	}
	lapic_eoi();
}
