/*
 * trampoline.S - where the other CPUs start.
 *
 * A start-up IPI starts a CPU in 16-bit real mode at physical address
 * T = vector << 12, with CS = T >> 4 and IP = 0.  This code is a template
 * in .rodata that smp.c copies into a frame T below 1 MB and patches: the
 * GDT's base, the two far-jump targets, CR3 and the 64-bit entry.  The CPU
 * goes real -> 32-bit protected -> long mode on a trampoline PML4 that
 * shares the kernel half and identity-maps the first 2 MB (so the
 * instruction after paging is switched on still exists), then jumps to
 * ap_entry64 in the kernel image, which loads the kernel's own CR3.
 * Many CPUs can run this at once: nothing here is written.
 */
#include <arch/gdt.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/x86.h>
#include <keel/layout.h>

#define TR(sym) ((sym) - trampoline_start)
#define TR_CODE32 0x08
#define TR_DATA32 0x10
#define TR_CODE64 0x18

	.section .rodata
	.balign 16
	.globl trampoline_start, trampoline_end
	.globl tr_gdt_desc, tr_pm_jump, tr_lm_jump, tr_cr3, tr_entry
	.globl tr_gdt, tr_pm, tr_lm
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	xorl %esi, %esi			/* ESI = T, the trampoline's base */
	movw %ax, %si
	shll $4, %esi
	lgdtl TR(tr_gdt_desc)
	/*
	 * Explicit CR0 values: INIT leaves CD and NW set (caches off), and
	 * OR-ing bits in would keep them so for good.  NE as on the boot CPU
	 * (boot.S): x87 errors raise #MF instead of signalling FERR#.
	 */
	movl $(X86_CR0_PE | X86_CR0_ET | X86_CR0_NE), %eax
	movl %eax, %cr0
	ljmpl *TR(tr_pm_jump)

	.code32
tr_pm:
	movw $TR_DATA32, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $X86_CR4_PAE, %eax		/* an explicit CR4, as on the boot CPU */
	movl %eax, %cr4
	movl TR(tr_cr3)(%esi), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_PE), %eax
	movl %eax, %cr0
	ljmpl *TR(tr_lm_jump)(%esi)

	.code64
tr_lm:
	movl %esi, %esi			/* upper halves are undefined after the switch */
	movq TR(tr_entry)(%rsi), %rax
	jmp *%rax

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: 32-bit data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_end:
tr_gdt_desc:
	.short tr_gdt_end - tr_gdt - 1
	.long 0				/* patched: T + TR(tr_gdt) */
	.balign 4
tr_pm_jump:
	.long 0				/* patched: T + TR(tr_pm) */
	.short TR_CODE32
	.balign 4
tr_lm_jump:
	.long 0				/* patched: T + TR(tr_lm) */
	.short TR_CODE64
	.balign 8
tr_cr3:
	.quad 0				/* patched: the trampoline PML4 (below 4 GB) */
tr_entry:
	.quad 0				/* patched: ap_entry64 */
trampoline_end:

/*
 * ap_entry64 - a started CPU, in long mode in the kernel image.  Switch to
 * the kernel's own tables, find this CPU's index from its APIC ID, take its
 * kernel stack and call ap_main(index).
 */
	.text
	.code64
	.globl ap_entry64
ap_entry64:
	movq smp_kernel_cr3(%rip), %rax
	movq %rax, %cr3
	cmpb $0, smp_id_from_leaf_b(%rip)	/* as cpu_apic_id() decides */
	je 1f
	movl $0xb, %eax			/* x2APIC ID: CPUID 0xB, EDX */
	xorl %ecx, %ecx
	cpuid
	movl %edx, %ebx
	jmp 2f
1:	movl $1, %eax			/* initial APIC ID: CPUID 1, EBX[31:24] */
	cpuid
	shrl $24, %ebx
2:	leaq percpu_apic_ids(%rip), %rdi
	movl percpu_count(%rip), %ecx
	xorl %eax, %eax
3:	cmpl %ecx, %eax
	jae 5f				/* not ours: a CPU without a slot */
	cmpl (%rdi, %rax, 4), %ebx
	je 4f
	incl %eax
	jmp 3b
4:	movq %rax, %rdi			/* ap_main(index) */
	shlq $24, %rax			/* index * 16 MB */
	movabsq $(PERCPU_BASE + PERCPU_KSTACK_OFF + PAGE_SIZE + KSTACK_SIZE), %rsp
	addq %rax, %rsp
	xorl %ebp, %ebp
	call ap_main
5:	cli
	hlt
	jmp 5b
