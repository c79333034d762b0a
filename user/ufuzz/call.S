/*
 * call.S - one system call with every argument register set, and a check
 * that the kernel kept the registers it must keep.
 *
 * long fuzz_call(long n, long a0, long a1, long a2, long a3, long a4, long a5)
 * returns RAX; sets fuzz_clobbered to 1 if RBX, RBP or R12-R15 changed.
 */
#define CANARY(i) (0x5a5a000000000000 + (i) * 0x1111)

	.text
	.globl fuzz_call
fuzz_call:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %r10
	movq %r9, %r8
	movq 56(%rsp), %r9		/* a5: above 6 saved registers and the return address */
	movabsq $CANARY(1), %rbx
	movabsq $CANARY(2), %rbp
	movabsq $CANARY(3), %r12
	movabsq $CANARY(4), %r13
	movabsq $CANARY(5), %r14
	movabsq $CANARY(6), %r15
	syscall
	movabsq $CANARY(1), %rcx
	cmpq %rcx, %rbx
	jne 1f
	movabsq $CANARY(2), %rcx
	cmpq %rcx, %rbp
	jne 1f
	movabsq $CANARY(3), %rcx
	cmpq %rcx, %r12
	jne 1f
	movabsq $CANARY(4), %rcx
	cmpq %rcx, %r13
	jne 1f
	movabsq $CANARY(5), %rcx
	cmpq %rcx, %r14
	jne 1f
	movabsq $CANARY(6), %rcx
	cmpq %rcx, %r15
	je 2f
1:	movl $1, fuzz_clobbered(%rip)
2:	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.bss
	.globl fuzz_clobbered
	.balign 4
fuzz_clobbered:
	.long 0

	.section .note.GNU-stack, "", @progbits
