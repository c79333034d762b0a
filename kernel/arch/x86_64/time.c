/*
 * time.c - TSC and local APIC timer calibration, delays, the tick.
 */
#include <arch/ioport.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/time.h>
#include <arch/vectors.h>
#include <arch/x86.h>

#define PM_TIMER_HZ  3579545
#define PIT_HZ	     1193182
#define CALIBRATE_MS 2

u64 tsc_khz;
u32 lapic_timer_khz;
const char *time_reference = "none";
static u64 tsc_at_calibration;

/* ---- The reference clocks ------------------------------------------------ */

static u16 pm_port;
static u32 pm_mask;

static u32 pm_read(void)
{
	return inl(pm_port) & pm_mask;
}

/* Wait `ms` milliseconds on the PM timer (handles its wrap-around). */
static void pm_wait_ms(u32 ms)
{
	u64 want = (u64)PM_TIMER_HZ * ms / 1000, seen = 0;
	u32 last = pm_read();

	while (seen < want) {
		u32 now = pm_read();
		seen += (now - last) & pm_mask;
		last = now;
	}
}

/*
 * The PIT, channel 2, one-shot (mode 0), gated by port 0x61 bit 0; its
 * output shows in port 0x61 bit 5 when the count runs out.
 */
static void pit_wait_ms(u32 ms)
{
	u32 count = PIT_HZ * ms / 1000; /* at most 65535: ms <= 54 */
	u8 gate = inb(0x61);

	outb(0x61, (gate & ~0x02) | 0x01); /* speaker off, gate on */
	outb(0x43, 0xb0);		   /* channel 2, lo/hi, mode 0, binary */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	/* Restart the count: toggle the gate. */
	outb(0x61, inb(0x61) & ~0x01);
	outb(0x61, inb(0x61) | 0x01);
	for (u64 i = 0; !(inb(0x61) & 0x20) && i < 100000000; i++)
		cpu_relax();
	outb(0x61, gate);
}

void time_ref_wait_ms(u32 ms)
{
	if (pm_port) {
		pm_wait_ms(ms);
		return;
	}
	for (; ms > 50; ms -= 50) /* the PIT counts at most 54 ms at a time */
		pit_wait_ms(50);
	pit_wait_ms(ms);
}

/* ---- Calibration ----------------------------------------------------------- */

void time_use_reference(const struct acpi_info *acpi)
{
	if (acpi && acpi->pm_timer_port) {
		pm_port = acpi->pm_timer_port;
		ioport_reserve(pm_port, 4, "the ACPI PM timer");
		pm_mask = acpi->pm_timer_32bit ? 0xffffffffu : 0xffffffu;
		time_reference = "ACPI PM timer";
	} else {
		time_reference = "PIT";
	}
}

/*
 * Both clocks over the same window of the reference: TSC and APIC timer
 * (one-shot).  Their reads bracket the window, so anything that delays
 * this CPU between a read and the window's edge (an SMI, or an emulator's
 * thread losing its host CPU) can only make a count too large, never too
 * small: of several windows, the smallest counts are the truest.  (One
 * window was not enough under QEMU on a busy host: the TSC rate came out
 * up to a third too high.)
 *
 * So it measures short windows until the two smallest of each count agree
 * to within 1/CALIBRATE_AGREE (two undisturbed windows), and at most
 * CALIBRATE_MAX_WINDOWS.  A quiet machine needs two windows (4 ms); the
 * busy one that once needed five windows of 10 ms may take more.  Boot
 * time is spent here more than anywhere else, which `make bench` shows.
 */
#define CALIBRATE_MAX_WINDOWS 25
#define CALIBRATE_AGREE	      500 /* 0.2%: the PM timer alone is 0.014% of 2 ms */

/* Keep the two smallest of a count: m[0] <= m[1]. */
static void keep_smallest(u64 m[2], u64 v)
{
	if (v < m[0]) {
		m[1] = m[0];
		m[0] = v;
	} else if (v < m[1]) {
		m[1] = v;
	}
}

static bool counts_agree(const u64 m[2])
{
	return m[1] - m[0] <= m[0] / CALIBRATE_AGREE;
}

const char *time_calibrate(void)
{
	u64 tsc[2] = { ~0ull, ~0ull }, apic[2] = { ~0ull, ~0ull }, tsc1 = 0;

	for (int i = 0; i < CALIBRATE_MAX_WINDOWS; i++) {
		lapic_timer_free_run();
		u32 apic0 = lapic_timer_current();
		u64 tsc0 = rdtsc();
		time_ref_wait_ms(CALIBRATE_MS);
		tsc1 = rdtsc();
		u32 apic1 = lapic_timer_current();
		lapic_timer_stop();
		keep_smallest(tsc, tsc1 - tsc0);
		keep_smallest(apic, apic0 - apic1);
		if (i > 0 && counts_agree(tsc) && counts_agree(apic))
			break;
	}
	tsc_khz = tsc[0] / CALIBRATE_MS;
	lapic_timer_khz = (u32)(apic[0] / CALIBRATE_MS);
	tsc_at_calibration = tsc1;
	if (tsc_khz == 0)
		return "the TSC does not advance";
	if (lapic_timer_khz == 0)
		return "the local APIC timer does not count";
	return NULL;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * tsc_khz / 1000;
	while (rdtsc() < end)
		cpu_relax();
}

u64 time_us(void)
{
	return (rdtsc() - tsc_at_calibration) * 1000 / tsc_khz;
}

void time_tick_start(void)
{
	lapic_timer_periodic(VEC_TIMER, lapic_timer_khz * (1000 / TIMER_HZ));
}
