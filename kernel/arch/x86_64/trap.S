/*
 * trap.S - exception entry stubs.  Each stub makes the stack look the same
 * (an error code, 0 if the CPU pushed none, and the vector), then
 * trap_common saves the registers as a struct trap_frame and calls
 * trap_handle(frame).
 */
#include <arch/trap.h>

	.text
.macro TRAP_STUB n, has_error
	.balign 16
trap_stub_\n:
	.if \has_error == 0
	pushq $0
	.endif
	pushq $\n
	jmp trap_common
.endm

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
TRAP_STUB 0, 0
TRAP_STUB 1, 0
TRAP_STUB 2, 0
TRAP_STUB 3, 0
TRAP_STUB 4, 0
TRAP_STUB 5, 0
TRAP_STUB 6, 0
TRAP_STUB 7, 0
TRAP_STUB 8, 1
TRAP_STUB 9, 0
TRAP_STUB 10, 1
TRAP_STUB 11, 1
TRAP_STUB 12, 1
TRAP_STUB 13, 1
TRAP_STUB 14, 1
TRAP_STUB 15, 0
TRAP_STUB 16, 0
TRAP_STUB 17, 1
TRAP_STUB 18, 0
TRAP_STUB 19, 0
TRAP_STUB 20, 0
TRAP_STUB 21, 1
TRAP_STUB 22, 0
TRAP_STUB 23, 0
TRAP_STUB 24, 0
TRAP_STUB 25, 0
TRAP_STUB 26, 0
TRAP_STUB 27, 0
TRAP_STUB 28, 0
TRAP_STUB 29, 1
TRAP_STUB 30, 1
TRAP_STUB 31, 0

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_handle
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector and error code */
	iretq

/* The stubs' addresses, for idt_init(). */
	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_stub_\n
	.endr

/*
 * Probes: one memory access each, listed in __extable so that a fault
 * returns -1 instead of panicking.
 *   int probe_read8(const volatile void *addr, u8 *out)
 *   int probe_write8(volatile void *addr, u8 val)
 */
	.text
	.globl probe_read8, probe_write8
probe_read8:
1:	movb (%rdi), %al
	movb %al, (%rsi)
	xorl %eax, %eax
	ret
probe_write8:
2:	movb %sil, (%rdi)
	xorl %eax, %eax
	ret
probe_fault:
	movl $-1, %eax
	ret

	.section __extable, "a"
	.balign 8
	.quad 1b, probe_fault
	.quad 2b, probe_fault
