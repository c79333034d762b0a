/*
 * cpu.c - CPU feature detection and the protection bits.
 */
#include <arch/cpu.h>
#include <arch/x86.h>
#include <common/string.h>

struct cpu_features cpu_has;

void cpu_detect(void)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	cpu_has.max_leaf = a;
	memcpy(cpu_has.vendor + 0, &b, 4);
	memcpy(cpu_has.vendor + 4, &d, 4);
	memcpy(cpu_has.vendor + 8, &c, 4);
	cpu_has.vendor[12] = '\0';

	cpuid(1, 0, &a, &b, &c, &d);
	cpu_has.pge = d & X86_CPUID_1_EDX_PGE;
	cpu_has.x2apic = c & X86_CPUID_1_ECX_X2APIC;
	cpu_has.pcid = c & X86_CPUID_1_ECX_PCID;

	if (cpu_has.max_leaf >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		cpu_has.smep = b & X86_CPUID_7_EBX_SMEP;
		cpu_has.smap = b & X86_CPUID_7_EBX_SMAP;
		cpu_has.erms = b & X86_CPUID_7_EBX_ERMS;
		cpu_has.umip = c & X86_CPUID_7_ECX_UMIP;
	}

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	cpu_has.max_ext_leaf = a;
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		cpu_has.pdpe1gb = d & X86_CPUID_81_EDX_PDPE1GB;
	}
	/* Without leaf 0x80000008, 36 bits is the architectural default. */
	cpu_has.phys_bits = 36;
	if (cpu_has.max_ext_leaf >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &c, &d);
		cpu_has.phys_bits = a & 0xff;
	}
}

u8 smap_enabled; /* read by usercopy in trap.S: STAC/CLAC exist and matter */

void cpu_enable_protection(void)
{
	u64 cr4 = read_cr4();

	/*
	 * WP; and the FPU present (MP, not EM), with no lazy switching (TS).
	 * NE (boot.S and trampoline.S set it already; this states it for
	 * every CPU): an unmasked x87 error raises #MF, which trap.c turns
	 * into a fault message to the thread's pager, like any user-mode
	 * exception.  OSXMMEXCPT below does the same for SSE errors (#XM).
	 */
	write_cr0((read_cr0() | X86_CR0_WP | X86_CR0_MP | X86_CR0_NE) &
		  ~(u64)(X86_CR0_EM | X86_CR0_TS));
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (cpu_has.smep)
		cr4 |= X86_CR4_SMEP;
	if (cpu_has.smap) {
		cr4 |= X86_CR4_SMAP;
		smap_enabled = 1;
	}
	if (cpu_has.umip)
		cr4 |= X86_CR4_UMIP;
	if (cpu_has.pge)
		cr4 |= X86_CR4_PGE;
	/*
	 * FXSAVE/FXRSTOR and SSE for user threads (every x86_64 CPU has them);
	 * the kernel itself is built without SSE.  PCIDs tag user TLB entries
	 * per address space (CR3's low bits are 0 here, as PCIDE requires).
	 */
	cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (cpu_has.pcid)
		cr4 |= X86_CR4_PCIDE;
	write_cr4(cr4);
}

bool cpu_apic_id_from_leaf_b(void)
{
	return cpu_has.x2apic && cpu_has.max_leaf >= 0xb;
}

u32 cpu_apic_id(void)
{
	u32 a, b, c, d;

	if (cpu_apic_id_from_leaf_b()) {
		cpuid(0xb, 0, &a, &b, &c, &d);
		return d; /* the x2APIC ID */
	}
	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24; /* the initial APIC ID */
}
