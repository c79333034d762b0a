/*
 * x86.h - x86_64 control registers, MSRs and CPUID bits, and the
 * privileged instructions as static inline helpers.  The constants are
 * usable from assembly; the helpers are the only place such instructions
 * appear in C.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include <keel/layout.h>

#define X86_EFLAGS_TF		 (1 << 8)
#define X86_EFLAGS_IF		 (1 << 9)
#define X86_EFLAGS_DF		 (1 << 10)
#define X86_EFLAGS_NT		 (1 << 14)
#define X86_EFLAGS_AC		 (1 << 18)
#define X86_EFLAGS_ID		 (1 << 21)

#define X86_CR0_PE		 (1 << 0)
#define X86_CR0_MP		 (1 << 1)
#define X86_CR0_EM		 (1 << 2)
#define X86_CR0_TS		 (1 << 3)
#define X86_CR0_ET		 (1 << 4)
#define X86_CR0_NE		 (1 << 5) /* x87 errors raise #MF, not the FERR# pin */
#define X86_CR0_WP		 (1 << 16)
#define X86_CR0_PG		 (1 << 31)

#define X86_CR4_PAE		 (1 << 5)
#define X86_CR4_PGE		 (1 << 7)
#define X86_CR4_OSFXSR		 (1 << 9)
#define X86_CR4_OSXMMEXCPT	 (1 << 10)
#define X86_CR4_UMIP		 (1 << 11)
#define X86_CR4_PCIDE		 (1 << 17)
#define X86_CR4_SMEP		 (1 << 20)
#define X86_CR4_SMAP		 (1 << 21)

#define MSR_EFER		 0xc0000080
#define EFER_SCE		 (1 << 0)
#define EFER_LME		 (1 << 8)
#define EFER_NXE		 (1 << 11)
#define MSR_APIC_BASE		 0x1b
#define MSR_GS_BASE		 0xc0000101
#define MSR_KERNEL_GS_BASE	 0xc0000102

/* CPUID feature bits (leaf_register_name). */
#define X86_CPUID_1_EDX_PAE	 (1 << 6)
#define X86_CPUID_1_EDX_PGE	 (1 << 13)
#define X86_CPUID_1_ECX_X2APIC	 (1 << 21)
#define X86_CPUID_1_ECX_PCID	 (1 << 17)
#define X86_CPUID_1_EDX_FXSR	 (1 << 24)
#define X86_CPUID_7_EBX_SMEP	 (1 << 7)
#define X86_CPUID_7_EBX_SMAP	 (1 << 20)
#define X86_CPUID_7_EBX_ERMS	 (1 << 9)
#define X86_CPUID_7_ECX_UMIP	 (1 << 2)
#define X86_CPUID_81_EDX_NX	 (1 << 20)
#define X86_CPUID_81_EDX_PDPE1GB (1 << 26)
#define X86_CPUID_81_EDX_LM	 (1 << 29)

#ifndef __ASSEMBLER__

#include <keel/types.h>

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

#define X86_CR_ACCESSORS(n)                                              \
	static inline u64 read_cr##n(void)                               \
	{                                                                \
		u64 v;                                                   \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));        \
		return v;                                                \
	}                                                                \
	static inline void write_cr##n(u64 v)                            \
	{                                                                \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); \
	}
X86_CR_ACCESSORS(0)
X86_CR_ACCESSORS(3)
X86_CR_ACCESSORS(4)
#undef X86_CR_ACCESSORS

static inline u64 read_cr2(void)
{
	u64 v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline void invlpg(u64 va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

static inline void fxsave(void *area)
{
	__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void fxrstor(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

static inline void cpu_halt(void)
{
	__asm__ volatile("hlt");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

/* Enable interrupts and halt, atomically (STI's one-instruction shadow). */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline u64 read_rbp(void)
{
	u64 v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

static inline u64 read_rsp(void)
{
	u64 v;
	__asm__ volatile("mov %%rsp, %0" : "=r"(v));
	return v;
}

static inline u64 read_rflags(void)
{
	u64 v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

struct x86_dtr {
	u16 limit;
	u64 base;
} __attribute__((packed));

static inline void lgdt(const struct x86_dtr *d)
{
	__asm__ volatile("lgdt %0" ::"m"(*d));
}

static inline void lidt(const struct x86_dtr *d)
{
	__asm__ volatile("lidt %0" ::"m"(*d));
}

static inline void ltr(u16 sel)
{
	__asm__ volatile("ltr %0" ::"r"(sel));
}

#endif /* !__ASSEMBLER__ */
#endif
