/*
 * lapic.c - the local APIC.
 *
 * In xAPIC mode a register at offset R is the 32-bit word at base + R; in
 * x2APIC mode it is MSR 0x800 + R/16, and the ICR is one 64-bit MSR with a
 * 32-bit destination.  Everything else is the same, so the driver is one
 * pair of accessors.
 */
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/lapic.h>
#include <arch/vectors.h>
#include <arch/x86.h>
#include <keel/addr.h>

#define APIC_ID		    0x020
#define APIC_VERSION	    0x030
#define APIC_TPR	    0x080
#define APIC_EOI	    0x0b0
#define APIC_SVR	    0x0f0
#define APIC_ESR	    0x280
#define APIC_ICR_LO	    0x300
#define APIC_ICR_HI	    0x310
#define APIC_LVT_TIMER	    0x320
#define APIC_LVT_LINT0	    0x350
#define APIC_LVT_LINT1	    0x360
#define APIC_LVT_ERROR	    0x370
#define APIC_TIMER_INIT	    0x380
#define APIC_TIMER_CUR	    0x390
#define APIC_TIMER_DIV	    0x3e0

#define APIC_SVR_ENABLE	    (1u << 8)
#define APIC_LVT_MASKED	    (1u << 16)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_ICR_PENDING    (1u << 12) /* xAPIC: delivery status */
#define APIC_ICR_ASSERT	    (1u << 14)
#define APIC_TIMER_DIV16    0x3

#define MSR_X2APIC_BASE	    0x800
#define APIC_BASE_ENABLE    (1u << 11)
#define APIC_BASE_X2APIC    (1u << 10)

bool lapic_x2apic;
static volatile u32 *lapic_mmio;

static u32 lapic_read(u32 reg)
{
	if (lapic_x2apic)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return lapic_mmio[reg / 4];
}

static void lapic_write(u32 reg, u32 v)
{
	if (lapic_x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		lapic_mmio[reg / 4] = v;
}

const char *lapic_init_bsp(u64 base)
{
	lapic_x2apic = cpu_has.x2apic;
	if (lapic_x2apic)
		return NULL;
	/* xAPIC: the registers are an uncached page in the direct map. */
	if (base & (PAGE_SIZE - 1))
		return "local APIC base is not page-aligned";
	if (!kvspace_map_device(base, PAGE_SIZE)) {
		/* Already mapped uncached at boot (the APIC base MSR): fine. */
		struct pt_leaf l;
		if (!pt_translate(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + base, &l) ||
		    (l.flags & PTE_UC) != PTE_UC)
			return "local APIC registers overlap RAM or cannot be mapped";
	}
	lapic_mmio = phys_to_virt(base);
	return NULL;
}

void lapic_init_cpu(bool boot_cpu)
{
	u64 msr = rdmsr(MSR_APIC_BASE);

	/* Disabled -> xAPIC -> x2APIC: the only legal order (SDM 10.12.5). */
	if (!(msr & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, msr |= APIC_BASE_ENABLE);
	if (lapic_x2apic && !(msr & APIC_BASE_X2APIC))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_X2APIC);
	/*
	 * Mask LINT0 before the APIC is software-enabled: the firmware leaves
	 * it in virtual-wire mode (ExtINT), and a PIC interrupt let through
	 * would arrive at the PIC's old vector, one of the exceptions'.  Then
	 * enable, then program the rest (unmasking needs an enabled APIC).
	 */
	lapic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	/* LINT1 is the NMI pin on PCs: one CPU takes it, or all would panic. */
	lapic_write(APIC_LVT_LINT1, boot_cpu ? APIC_DM_NMI : APIC_LVT_MASKED);
	lapic_write(APIC_LVT_ERROR, VEC_APIC_ERROR);
	lapic_read_esr();
	lapic_eoi();
}

u32 lapic_version(void)
{
	return lapic_read(APIC_VERSION);
}

u32 lapic_id(void)
{
	u32 id = lapic_read(APIC_ID);
	return lapic_x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

u32 lapic_read_esr(void)
{
	lapic_write(APIC_ESR, 0);
	return lapic_read(APIC_ESR);
}

bool lapic_send_ipi(u32 apic_id, u32 vector, u32 mode)
{
	u32 lo = vector | mode | APIC_ICR_ASSERT;

	if (lapic_x2apic) {
		/*
		 * The x2APIC ICR write is not serializing: without a fence the
		 * IPI could overtake the stores it announces (SDM 10.12.3).
		 */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LO >> 4), ((u64)apic_id << 32) | lo);
		return true;
	}
	if (apic_id > 0xfe)
		return false; /* not addressable in xAPIC mode (0xff: broadcast) */
	for (int i = 0; lapic_read(APIC_ICR_LO) & APIC_ICR_PENDING; i++) {
		if (i > 1000000)
			return false;
		cpu_relax();
	}
	lapic_write(APIC_ICR_HI, apic_id << 24);
	lapic_write(APIC_ICR_LO, lo);
	return true;
}

static void timer_start(u32 vector, u32 count, u32 mode)
{
	lapic_write(APIC_TIMER_DIV, APIC_TIMER_DIV16);
	lapic_write(APIC_LVT_TIMER, vector | mode);
	lapic_write(APIC_TIMER_INIT, count);
}

void lapic_timer_periodic(u32 vector, u32 count)
{
	timer_start(vector, count, APIC_TIMER_PERIODIC);
}

void lapic_timer_free_run(void)
{
	timer_start(VEC_TIMER, 0xffffffffu, APIC_LVT_MASKED);
}

void lapic_timer_stop(void)
{
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	lapic_write(APIC_TIMER_INIT, 0);
}

u32 lapic_timer_current(void)
{
	return lapic_read(APIC_TIMER_CUR);
}
