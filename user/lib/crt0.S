/*
 * crt0.S - where a user program starts: note the TSC of its first
 * instruction in keel_start_tsc (`make bench` reports the pager's), call
 * main(bootinfo) (RDI holds the boot information's address), then exit
 * with its return value.  The kernel starts it with a 16-byte aligned
 * stack.
 */
#include <abi/syscall.h>

	.text
	.globl _start
_start:
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, keel_start_tsc(%rip)
	xorl %ebp, %ebp
	call main
	movq %rax, %rdi
	movl $SYS_EXIT, %eax
	syscall
	ud2

	.data
	.balign 8
	.globl keel_start_tsc
keel_start_tsc:
	.quad 0
