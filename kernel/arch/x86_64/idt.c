/*
 * idt.c - the interrupt descriptor table: all 256 vectors, each an
 * interrupt gate to its stub in trap.S.  The double fault, NMI and machine
 * check run on stacks of their own (IST), so a kernel stack overflow can
 * still be reported.  All CPUs share the one table.
 */
#include <arch/gdt.h>
#include <arch/trap.h>
#include <arch/x86.h>

#define IDT_ENTRIES	   256
#define IDT_GATE_INTERRUPT 0xe
#define IDT_PRESENT	   (1u << 7)

/* A 16-byte gate descriptor, built with shifts (SDM vol. 3, 6.14.1). */
struct idt_gate {
	u64 lo, hi;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
extern const u64 trap_stubs[TRAP_VECTORS];

static struct idt_gate idt_gate_make(u64 handler, unsigned ist)
{
	struct idt_gate g;
	g.lo = (handler & 0xffff) |	/* offset 15:0 */
	       ((u64)GDT_KCODE << 16) | /* selector */
	       ((u64)(ist & 7) << 32) | /* IST index */
	       ((u64)(IDT_PRESENT | IDT_GATE_INTERRUPT) << 40) |
	       (((handler >> 16) & 0xffff) << 48); /* offset 31:16 */
	g.hi = handler >> 32;			   /* offset 63:32 */
	return g;
}

/* The exceptions that must work with a broken stack get one of their own. */
static unsigned ist_of(unsigned v)
{
	switch (v) {
	case TRAP_DOUBLE_FAULT:
		return IST_DOUBLE_FAULT;
	case TRAP_NMI:
		return IST_NMI;
	case TRAP_MACHINE_CHECK:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

void idt_init(void)
{
	for (unsigned v = 0; v < TRAP_VECTORS; v++)
		idt[v] = idt_gate_make(trap_stubs[v], ist_of(v));
	idt_load();
}

void idt_load(void)
{
	struct x86_dtr d = { .limit = sizeof(idt) - 1, .base = (u64)idt };
	lidt(&d);
}
