/*
 * time.h - clocks and timers (kernel/arch/x86_64/time.c).
 *
 * The TSC and the local APIC timer run at rates the kernel must measure:
 * it counts both against a clock of known frequency, the ACPI PM timer
 * (3.579545 MHz) where the FADT names one, else the PIT (1.193182 MHz).
 */
#ifndef ARCH_TIME_H
#define ARCH_TIME_H

#include <keel/acpi.h>

#define TIMER_HZ 100 /* the periodic tick on every CPU */

extern u64 tsc_khz;		   /* TSC ticks per millisecond */
extern u32 lapic_timer_khz;	   /* APIC timer ticks (divide 16) per ms */
extern const char *time_reference; /* "ACPI PM timer" or "PIT" */

/* Before calibration, assume a fast TSC: waits only get longer. */
static inline u64 tsc_khz_or_default(void)
{
	return tsc_khz ? tsc_khz : 4000000;
}

/* Choose the reference clock: the PM timer the FADT names, else the PIT. */
void time_use_reference(const struct acpi_info *acpi);

/* Calibrate the TSC and APIC timer on the boot CPU; NULL or why not. */
const char *time_calibrate(void);

/* Busy-wait on the reference clock itself (for tests of the others). */
void time_ref_wait_ms(u32 ms);

/* Busy-wait, on the calibrated TSC. */
void udelay(u64 us);
u64 time_us(void); /* microseconds since calibration */

/* Start this CPU's periodic tick (TIMER_HZ). */
void time_tick_start(void);

#endif
