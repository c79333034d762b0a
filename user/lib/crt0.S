/*
 * crt0.S - where a user program starts: call main(bootinfo) (RDI holds the
 * boot information's address), then exit with its return value.  The
 * kernel starts it with a 16-byte aligned stack.
 */
#include <abi/syscall.h>

	.text
	.globl _start
_start:
	xorl %ebp, %ebp
	call main
	movq %rax, %rdi
	movl $SYS_EXIT, %eax
	syscall
	ud2
