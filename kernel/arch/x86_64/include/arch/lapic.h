/*
 * lapic.h - the local APIC, in x2APIC mode (MSRs) where the CPU has it and
 * xAPIC mode (uncached MMIO in the direct map) otherwise
 * (kernel/arch/x86_64/lapic.c).  Register facts: Intel SDM vol. 3, ch. 10.
 */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <keel/types.h>

/* Delivery modes for lapic_send_ipi (ICR bits 10:8). */
#define APIC_DM_FIXED	0x000
#define APIC_DM_NMI	0x400
#define APIC_DM_INIT	0x500
#define APIC_DM_STARTUP 0x600

extern bool lapic_x2apic; /* which mode the APICs run in */

/*
 * On the boot CPU: choose the mode, map the xAPIC page if needed.  base is
 * the physical address from the MADT (or the APIC base MSR).  NULL or why
 * it failed.
 */
const char *lapic_init_bsp(u64 base);

/*
 * On every CPU: enable the APIC, spurious/error vectors, LVTs masked;
 * the boot CPU also takes the NMI pin (LINT1).
 */
void lapic_init_cpu(bool boot_cpu);

u32 lapic_id(void);
u32 lapic_version(void);
void lapic_eoi(void);

/*
 * Send an IPI to the CPU with this APIC ID.  Returns false if the xAPIC
 * did not accept it (the previous IPI still pending) within a bound.
 */
bool lapic_send_ipi(u32 apic_id, u32 vector, u32 mode);

/* The timer: ticks of the APIC timer clock (after a divide by 16). */
void lapic_timer_periodic(u32 vector, u32 count);
void lapic_timer_stop(void);
/* Count down from 2^32-1, masked: a counter for calibration. */
void lapic_timer_free_run(void);
u32 lapic_timer_current(void);

/* The error status register (written first, as the SDM asks). */
u32 lapic_read_esr(void);

#endif
