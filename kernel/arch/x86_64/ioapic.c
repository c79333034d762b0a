/*
 * ioapic.c - the I/O APICs: every input programmed masked at boot, then
 * masked and unmasked for the drivers in user space (keel/irq.h's
 * arch_irq_*; every input goes to the boot CPU).  Register facts: the 82093AA I/O APIC datasheet (an
 * index register at +0x00, a data window at +0x10; register 1 holds the
 * number of redirection entries - 1 in bits 23:16; entry n is registers
 * 0x10 + 2n (low) and 0x11 + 2n (high)).
 */
#include <arch/cpu.h>
#include <arch/irqchip.h>
#include <arch/kvspace.h>
#include <arch/vectors.h>
#include <keel/addr.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/spinlock.h>

#define IOAPIC_REGSEL	 0x00
#define IOAPIC_WINDOW	 0x10
#define IOAPIC_VER	 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

#define RTE_MASKED	 (1ul << 16)
#define RTE_LEVEL	 (1ul << 15)
#define RTE_ACTIVE_LOW	 (1ul << 13)

struct ioapic {
	volatile u32 *regs;
	u32 gsi_base, inputs;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static u32 ioapic_count;
/* The MADT's list, for ioapic_listed (the parsed tables stay in place: main.c's acpi). */
static const struct acpi_info *madt;
/* The index and data registers are a pair: one CPU at a time (and no interrupt between). */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");
/* Each ISA IRQ's GSI, from the MADT's overrides (identity where none). */
static u8 isa_gsi[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

_Static_assert(VEC_IOAPIC_BASE + KEEL_IRQ_LINES - 1 == VEC_IOAPIC_MAX,
	       "every interrupt line of the ABI has a vector of its own");

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	return io->regs[IOAPIC_WINDOW / 4];
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 v)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	io->regs[IOAPIC_WINDOW / 4] = v;
}

/* Polarity and trigger for a GSI: ISA defaults unless an override says. */
static u64 gsi_mode(const struct acpi_info *acpi, u32 gsi)
{
	u64 mode = 0; /* ISA: active high, edge */

	for (size_t i = 0; i < acpi->override_count; i++) {
		const struct acpi_override *o = &acpi->overrides[i];
		if (o->gsi != gsi)
			continue;
		if ((o->flags & 3) == 3)
			mode |= RTE_ACTIVE_LOW;
		if (((o->flags >> 2) & 3) == 3)
			mode |= RTE_LEVEL;
	}
	return mode;
}

bool ioapic_listed(u64 pa)
{
	for (size_t i = 0; madt && i < madt->ioapic_count; i++)
		if (pa - (madt->ioapics[i].addr & ~(u64)(PAGE_SIZE - 1)) < PAGE_SIZE)
			return true;
	return false;
}

u32 ioapic_setup(const struct acpi_info *acpi)
{
	u32 programmed = 0;

	madt = acpi;
	for (size_t i = 0; i < acpi->override_count; i++) {
		const struct acpi_override *o = &acpi->overrides[i];
		if (o->bus == 0 && o->source < 16)
			isa_gsi[o->source] = o->gsi < KEEL_IRQ_LINES ? (u8)o->gsi : 0xff; /* none */
	}
	/* Every input goes to the boot CPU, whose APIC ID need not be 0 (8 bits: xAPIC form). */
	u32 dest = cpu_apic_id();
	if (dest > 0xff) {
		klog("irq",
		     "the boot CPU's APIC ID %u does not fit an I/O APIC entry: device "
		     "interrupts stay masked",
		     dest);
		return 0;
	}
	for (size_t i = 0; i < acpi->ioapic_count && ioapic_count < ACPI_MAX_IOAPICS; i++) {
		const struct acpi_ioapic *a = &acpi->ioapics[i];
		if (!kvspace_map_device(a->addr, PAGE_SIZE)) {
			klog("irq", "I/O APIC %u at 0x%x cannot be mapped: skipped", a->id,
			     a->addr);
			continue;
		}
		struct ioapic *io = &ioapics[ioapic_count++];
		io->regs = phys_to_virt(a->addr);
		io->gsi_base = a->gsi_base;
		io->inputs = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xff) + 1;
		for (u32 n = 0; n < io->inputs; n++) {
			u32 gsi = io->gsi_base + n;
			u32 vec = VEC_IOAPIC_BASE + gsi;
			if (vec > VEC_IOAPIC_MAX)
				vec = VEC_IOAPIC_MAX; /* masked anyway; a driver picks later */
			u64 rte = RTE_MASKED | gsi_mode(acpi, gsi) | vec;
			ioapic_write(io, IOAPIC_REDTBL(n) + 1,
				     dest << 24); /* physical destination */
			ioapic_write(io, IOAPIC_REDTBL(n), (u32)rte);
			programmed++;
		}
		klog("irq", "I/O APIC %u at 0x%x: GSIs %u-%u, all masked", a->id, a->addr,
		     io->gsi_base, io->gsi_base + io->inputs - 1);
	}
	return programmed;
}

/* The I/O APIC with input gsi, and the input's number there; NULL if none. */
static struct ioapic *ioapic_of(u32 gsi, u32 *n)
{
	for (u32 i = 0; i < ioapic_count; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->inputs) {
			*n = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

bool arch_irq_exists(u32 line)
{
	u32 n;

	return line < KEEL_IRQ_LINES && ioapic_of(line, &n);
}

/*
 * Change the low word of line's redirection entry: clear then set bits,
 * only if it has every bit of `needs` (the index and data registers under
 * the lock, interrupts off).
 */
static void rte_update(u32 line, u32 clear, u32 set, u32 needs)
{
	u32 n;
	struct ioapic *io = ioapic_of(line, &n);

	if (!io)
		return;
	u64 flags = spin_lock_irqsave(&ioapic_lock);
	u32 low = ioapic_read(io, IOAPIC_REDTBL(n));
	if ((low & needs) == needs)
		ioapic_write(io, IOAPIC_REDTBL(n), (low & ~clear) | set);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void arch_irq_mask(u32 line, bool masked)
{
	rte_update(line, (u32)RTE_MASKED, masked ? (u32)RTE_MASKED : 0, 0);
}

void arch_irq_set_mode(u32 line, bool level, bool active_low)
{
	rte_update(line, (u32)(RTE_LEVEL | RTE_ACTIVE_LOW),
		   (level ? (u32)RTE_LEVEL : 0) | (active_low ? (u32)RTE_ACTIVE_LOW : 0), 0);
}

void arch_irq_hold(u32 line)
{
	rte_update(line, 0, (u32)RTE_MASKED, (u32)RTE_LEVEL); /* level-triggered lines only */
}

void arch_irq_isa_table(u8 gsi[16])
{
	/* Only lines an I/O APIC has: without one (no ACPI), none (0xff). */
	for (int i = 0; i < 16; i++) {
		u32 n;
		gsi[i] = ioapic_of(isa_gsi[i], &n) ? (u8)isa_gsi[i] : 0xff;
	}
}

bool ioapic_read_entry(u32 gsi, u64 *entry)
{
	u32 n;
	struct ioapic *io = ioapic_of(gsi, &n);

	if (!io)
		return false;
	*entry =
	    ((u64)ioapic_read(io, IOAPIC_REDTBL(n) + 1) << 32) | ioapic_read(io, IOAPIC_REDTBL(n));
	return true;
}
