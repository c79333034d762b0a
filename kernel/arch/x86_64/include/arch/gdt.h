/*
 * gdt.h - segment selectors and the GDT/TSS (kernel/arch/x86_64/gdt.c).
 *
 * The order is fixed by SYSCALL/SYSRET: STAR points the kernel at
 * GDT_KCODE/GDT_KDATA and user mode at GDT_UCODE32 + 8 (data) and + 16
 * (64-bit code).
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#define GDT_KCODE	  0x08
#define GDT_KDATA	  0x10
#define GDT_UCODE32	  0x18 /* unused, but SYSRET's base */
#define GDT_UDATA	  0x20
#define GDT_UCODE	  0x28
#define GDT_TSS		  0x30 /* a 16-byte descriptor: two slots */
#define GDT_ENTRIES	  8

/* Interrupt stack table slots (1-based, as in the IDT gate). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3

#ifndef __ASSEMBLER__
struct percpu;
/* The boot CPU's first GDT and TSS, before per-CPU slots exist. */
void gdt_init(void);
/* This CPU's own GDT and TSS, in its slot, with its IST stacks. */
void gdt_load_cpu(struct percpu *pc);
#endif

#endif
