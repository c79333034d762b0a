/*
 * cpu.h - what this CPU can do, and turning its protections on
 * (kernel/arch/x86_64/cpu.c).
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <keel/types.h>

struct cpu_features {
	bool pdpe1gb; /* 1 GB pages */
	bool pge;     /* global pages */
	bool smep, smap, umip;
	bool x2apic;
	bool pcid; /* process-context identifiers */
	bool erms; /* fast REP MOVSB/STOSB */
	u32 max_leaf, max_ext_leaf;
	unsigned phys_bits; /* physical address width (CPUID 0x80000008) */
	char vendor[13];
};

extern struct cpu_features cpu_has;

void cpu_detect(void);

/*
 * Clear a page through the direct map, as Linux does: REP STOSB where
 * the CPU says it is fast (ERMS), else REP STOSQ.  (The user library's
 * page_clear makes the same choice, so both sides clear alike.)
 */
static inline void cpu_page_clear(void *page)
{
	void *d = page;

	if (cpu_has.erms) {
		unsigned long n = 4096;
		__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
	} else {
		unsigned long n = 4096 / 8;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(0ul) : "memory");
	}
}

/* This CPU's APIC ID, from CPUID (the x2APIC ID where there is one). */
u32 cpu_apic_id(void);
/* Does cpu_apic_id() use CPUID leaf 0xB (the 32-bit x2APIC ID)? */
bool cpu_apic_id_from_leaf_b(void);

/*
 * Turn on CR0.WP, EFER.NXE and, where the CPU has them, CR4.SMEP, SMAP,
 * UMIP and PGE.  Call once the kernel's own page tables are live.
 */
void cpu_enable_protection(void);

/* Go on in fn() on the stack ending at top (boot.S); fn never returns. */
_Noreturn void arch_switch_stack(u64 top, void (*fn)(void));

#endif
