/*
 * crt0.S - where a user program starts: note the TSC of its first
 * instruction in keel_start_tsc (`make bench` reports the pager's), save
 * the argument line (args_save, user/lib/args.c), call main(arg) (RDI:
 * the boot information's address for the root, the spawner's word for a
 * client), then exit with its return value.  The kernel starts it with a 16-byte aligned
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
	pushq %rdi		/* main's argument; with the 8 below, RSP stays 16-aligned */
	subq $8, %rsp
	call args_save
	addq $8, %rsp
	popq %rdi
	call main
	movslq %eax, %rdi	/* main returns an int: its sign goes with it */
	movl $SYS_EXIT, %eax
	syscall
	ud2

	.data
	.balign 8
	.globl keel_start_tsc
keel_start_tsc:
	.quad 0
