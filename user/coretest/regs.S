/*
 * regs.S - one system call with every register set to a known value, for
 * t_regs.c: what the kernel gives back in each register.  C cannot say
 * which registers hold what across a `syscall`.
 *
 *   regs_syscall(nr, a0, out, rsi)  RAX = nr, RDI = a0, RSI = rsi, every
 *                              other register (RCX and R11 too) a pattern
 *                              P(i), i its place in out[];
 *                              then out[] = RAX, RBX, RCX, RDX, RSI, RDI,
 *                              RBP, R8, R9, R10, R11, R12, R13, R14, R15
 *                              after the call, [15] the address after the
 *                              `syscall`, [16] RSP after it, [17] RSP
 *                              before it.
 */
#define P(i) (0xb0b0b0b0b0b0b000 + (i))

	.text
	.globl regs_syscall
regs_syscall:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx			/* out */
	movq %rsp, 136(%rdx)
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rcx, %rsi
	movabsq $P(1), %rbx
	movabsq $P(2), %rcx
	movabsq $P(3), %rdx
	movabsq $P(6), %rbp
	movabsq $P(7), %r8
	movabsq $P(8), %r9
	movabsq $P(9), %r10
	movabsq $P(10), %r11
	movabsq $P(11), %r12
	movabsq $P(12), %r13
	movabsq $P(13), %r14
	movabsq $P(14), %r15
	syscall
1:	pushq %r11
	movq 8(%rsp), %r11		/* out */
	movq %rax, 0(%r11)
	movq %rbx, 8(%r11)
	movq %rcx, 16(%r11)
	movq %rdx, 24(%r11)
	movq %rsi, 32(%r11)
	movq %rdi, 40(%r11)
	movq %rbp, 48(%r11)
	movq %r8, 56(%r11)
	movq %r9, 64(%r11)
	movq %r10, 72(%r11)
	movq %r12, 88(%r11)
	movq %r13, 96(%r11)
	movq %r14, 104(%r11)
	movq %r15, 112(%r11)
	leaq 1b(%rip), %rax
	movq %rax, 120(%r11)
	leaq 8(%rsp), %rax
	movq %rax, 128(%r11)
	popq %rax			/* R11 after the call */
	movq %rax, 80(%r11)
	popq %rdx
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret
