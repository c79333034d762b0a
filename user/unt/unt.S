/*
 * unt - a hostile program for the syscall exit path.  It sets the nested
 * task flag (NT) and makes a system call from the very end of the page
 * below the last user page, so the return RIP (KEEL_USER_TOP) is one that
 * SYSRET must not be used for: the kernel returns through IRETQ, which
 * faults in ring 0 if NT is still set.  The kernel clears NT on entry
 * (FMASK); the program then runs into the never-mapped last page and must
 * be killed by a page fault there, with the kernel unharmed.
 */
#include <abi/syscall.h>

	.section .text.start, "ax"
	.globl _start
_start:
	pushfq
	orq $(1 << 14), (%rsp)		/* NT */
	popfq
	movl $SYS_COUNT, %eax		/* any number: ENOSYS comes back */
	movabsq $at_the_edge, %rcx
	jmp *%rcx

	.section .text.edge, "ax"
	.fill KEEL_PAGE_SIZE - 2, 1, 0xcc	/* int3, up to the 2-byte syscall */
at_the_edge:
	syscall				/* ends at KEEL_USER_TOP */
