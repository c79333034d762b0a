/*
 * boot.S - from GRUB to the kernel's C entry.
 *
 * GRUB (Multiboot2) enters _start32 in 32-bit protected mode with paging
 * off, EAX = boot loader magic, EBX = physical address of the information.
 * This file:
 *   1. checks that the CPU has CPUID, long mode, PAE and NX, printing a
 *      readable message on COM1 and halting if not,
 *   2. notes the TSC (the entry time) and zeroes .bss (the loader should,
 *      but we trust nothing),
 *   3. builds the boot page tables: the first 4 GB identity-mapped and
 *      direct-mapped with 2 MB pages, and the first 1 GB at KERNEL_BASE,
 *   4. enters long mode and jumps to the higher half, onto the boot stack,
 *   5. calls kernel_main(magic, info_phys).
 *
 * Everything here is linked at its higher-half address; until paging is on
 * it is addressed as (symbol - KERNEL_BASE), the physical address.
 */
#include <keel/layout.h>
#include <keel/multiboot2.h>
#include <arch/x86.h>
#include <arch/gdt.h>
#include <arch/pagetable.h>

#define PHYS(sym) ((sym) - KERNEL_BASE)
#define COM1 0x3f8

/* ---- Multiboot2 header: must be in the first 32 KiB, 8-byte aligned ---- */
	.section .multiboot, "a"
	.balign 8
	.globl mb2_header
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Information request: the tags the kernel reads. */
	.balign 8
1:	.short MB2_HTAG_INFO_REQUEST, 0
	.long 2f - 1b
	.long MB2_TAG_CMDLINE, MB2_TAG_MODULE, MB2_TAG_MMAP
	.long MB2_TAG_FRAMEBUFFER, MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW
	.long MB2_TAG_EFI_MMAP
2:
	/* Enter at the physical address of _start32 (the ELF entry is virtual). */
	.balign 8
1:	.short MB2_HTAG_ENTRY_ADDRESS, 0
	.long 2f - 1b
	.long PHYS(_start32)
2:
	/* Page-aligned modules, so they can be mapped as they are. */
	.balign 8
1:	.short MB2_HTAG_MODULE_ALIGN, 0
	.long 2f - 1b
2:
	.balign 8
	.short MB2_HTAG_END, 0
	.long 8
mb2_header_end:

/* ---- 32-bit entry ------------------------------------------------------ */
	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl %eax, %edi			/* keep magic and info in EDI/ESI */
	movl %ebx, %esi

	/* The stack is in .bss, zeroed below: these checks leave nothing on it. */
	movl $PHYS(boot_stack_top), %esp

	/* CPUID exists if EFLAGS.ID can be toggled. */
	pushfl
	popl %eax
	movl %eax, %ecx
	xorl $X86_EFLAGS_ID, %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	pushl %ecx
	popfl
	cmpl %eax, %ecx
	je .Lno_cpuid

	movl %edi, %ebp			/* CPUID clobbers EBX; keep magic in EBP */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $X86_CPUID_81_EDX_LM, %edx
	jz .Lno_long_mode
	testl $X86_CPUID_81_EDX_NX, %edx
	jz .Lno_nx
	movl $1, %eax
	cpuid
	testl $X86_CPUID_1_EDX_PAE, %edx
	jz .Lno_pae

	/*
	 * The kernel's entry time, for `make bench` (boot cost from entry to
	 * the first user instruction).  Long mode implies a TSC.
	 */
	rdtsc
	movl %eax, PHYS(boot_entry_tsc)
	movl %edx, PHYS(boot_entry_tsc) + 4

	/* Zero .bss (page tables and stacks live there); it is page-aligned. */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl %ebp, %edi

	/*
	 * Boot page tables (zero from .bss):
	 *   PML4[0]   -> pdpt_low : identity map of 0..4 GB (to survive the
	 *                           switch to long mode)
	 *   PML4[256] -> pdpt_low : the same 4 GB at DIRECT_MAP_BASE, so early C
	 *                           code can use phys_to_virt()
	 *   PML4[511] -> pdpt_high: PDPT[510] maps the first 1 GB at KERNEL_BASE
	 */
	movl $PHYS(boot_pdpt_low) + (PTE_P | PTE_W), PHYS(boot_pml4)
	movl $PHYS(boot_pdpt_low) + (PTE_P | PTE_W), PHYS(boot_pml4) + 8 * PML4_INDEX(DIRECT_MAP_BASE)
	movl $PHYS(boot_pdpt_high) + (PTE_P | PTE_W), PHYS(boot_pml4) + 8 * PML4_INDEX(KERNEL_BASE)
	movl $PHYS(boot_pd) + (PTE_P | PTE_W), PHYS(boot_pdpt_low)
	movl $PHYS(boot_pd) + 0x1000 + (PTE_P | PTE_W), PHYS(boot_pdpt_low) + 8
	movl $PHYS(boot_pd) + 0x2000 + (PTE_P | PTE_W), PHYS(boot_pdpt_low) + 16
	movl $PHYS(boot_pd) + 0x3000 + (PTE_P | PTE_W), PHYS(boot_pdpt_low) + 24
	movl $PHYS(boot_pd) + (PTE_P | PTE_W), PHYS(boot_pdpt_high) + 8 * PDPT_INDEX(KERNEL_BASE)

	/* 2048 2 MB entries: entry i maps physical i * 2 MB. */
	movl $PHYS(boot_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $PD_SHIFT, %eax		/* low 32 bits of i * 2 MB */
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%ebx, %ecx, 8)
	movl %ecx, %eax
	shrl $(32 - PD_SHIFT), %eax	/* high bits of i * 2 MB */
	movl %eax, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $(BOOT_MAP_SIZE >> PD_SHIFT), %ecx
	jb 1b

	/*
	 * CR4 = PAE only: an explicit value, not whatever the firmware left
	 * (LA57 would make the CPU read these tables as 5-level).  Then CR3,
	 * EFER.LME and EFER.NXE, then paging: long mode.
	 */
	movl $X86_CR4_PAE, %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	/*
	 * NE: an unmasked x87 error raises #MF (vector 16), which reaches the
	 * thread's pager; without it the CPU signals the legacy FERR# pin,
	 * which goes to a masked PIC input, and the error is never reported.
	 */
	movl %cr0, %eax
	orl $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP | X86_CR0_NE), %eax
	movl %eax, %cr0

	lgdt PHYS(boot_gdt_ptr)
	ljmp $GDT_KCODE, $PHYS(.Lstart64_low)

/* Print the NUL-terminated string at ESI on COM1, then halt forever. */
.Lfail:
	movw $COM1 + 3, %dx		/* LCR: 8N1, DLAB to set 115200 baud */
	movb $0x80, %al
	outb %al, %dx
	movw $COM1, %dx
	movb $1, %al
	outb %al, %dx
	movw $COM1 + 1, %dx
	xorb %al, %al
	outb %al, %dx
	movw $COM1 + 3, %dx
	movb $0x03, %al
	outb %al, %dx
2:	lodsb
	testb %al, %al
	jz 4f
	movb %al, %ah
	movw $COM1 + 5, %dx
3:	inb %dx, %al			/* wait for transmit holding empty */
	testb $0x20, %al
	jz 3b
	movw $COM1, %dx
	movb %ah, %al
	outb %al, %dx
	jmp 2b
4:	cli
	hlt
	jmp 4b

.Lno_cpuid:
	movl $PHYS(msg_no_cpuid), %esi
	jmp .Lfail
.Lno_long_mode:
	movl $PHYS(msg_no_long_mode), %esi
	jmp .Lfail
.Lno_nx:
	movl $PHYS(msg_no_nx), %esi
	jmp .Lfail
.Lno_pae:
	movl $PHYS(msg_no_pae), %esi
	jmp .Lfail

/* ---- 64-bit, still at the physical address ------------------------------ */
	.code64
.Lstart64_low:
	movabsq $start64, %rax
	jmp *%rax

	.text
	.globl start64
start64:
	movl $GDT_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp			/* end of the backtrace chain */
	/* kernel_main(magic, info_phys): EDI and ESI, zero-extended. */
	movl %edi, %edi
	movl %esi, %esi
	call kernel_main
1:	cli
	hlt
	jmp 1b

/* ---- Data ------------------------------------------------------------- */
	.section .data
	.balign 8
	.globl boot_entry_tsc
boot_entry_tsc:
	.quad 0

	.section .rodata
msg_no_cpuid:
	.asciz "[boot] halted: this CPU has no CPUID instruction; Keel needs an x86_64 CPU\r\n"
msg_no_long_mode:
	.asciz "[boot] halted: this CPU has no long mode (64-bit); Keel needs an x86_64 CPU\r\n"
msg_no_nx:
	.asciz "[boot] halted: this CPU has no NX (no-execute) bit; Keel needs it for W^X\r\n"
msg_no_pae:
	.asciz "[boot] halted: this CPU has no PAE; Keel needs it for 64-bit paging\r\n"

	/* Boot GDT: null, 64-bit code, data.  Replaced by gdt_init(). */
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* code: present, ring 0, long mode */
	.quad 0x00cf92000000ffff	/* data: present, ring 0, writable */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.section .bss.boot, "aw", @nobits
	.balign PAGE_SIZE
boot_pml4:
	.skip PAGE_SIZE
boot_pdpt_low:
	.skip PAGE_SIZE
boot_pdpt_high:
	.skip PAGE_SIZE
boot_pd:
	.skip PAGE_SIZE * (BOOT_MAP_SIZE >> PDPT_SHIFT)

	/*
	 * The boot stack, with an unmapped guard page below it (the kernel's
	 * own page tables leave [boot_stack_guard, boot_stack_bottom) out).
	 */
	.section .bss.stack, "aw", @nobits
	.balign PAGE_SIZE
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.skip PAGE_SIZE
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
	/* The double-fault stack (IST1), also above a guard page. */
	.globl df_stack_guard, df_stack_bottom, df_stack_top
df_stack_guard:
	.skip PAGE_SIZE
df_stack_bottom:
	.skip IST_STACK_SIZE
df_stack_top:

/*
 * arch_switch_stack(top, fn) - go on in fn() on the stack ending at top,
 * with an empty backtrace chain.  fn never returns.
 */
	.text
	.globl arch_switch_stack
arch_switch_stack:
	movq %rdi, %rsp
	xorl %ebp, %ebp
	call *%rsi
	ud2
