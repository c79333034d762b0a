/*
 * fpu.S - load and store the SSE registers, for the test that each thread
 * keeps its own FPU state (t_tlb.c), and make x87 and SSE errors
 * (t_fpu.c).  In assembly: user programs are built without SSE or x87
 * code, so C cannot name these registers.  SSE2 only (every x86_64 CPU
 * has it).
 *
 *   fpu_load(const u64 src[32])  xmm0..xmm15 = src
 *   fpu_store(u64 dst[32])       dst = xmm0..xmm15
 */
	.text
	.globl fpu_load, fpu_store
fpu_load:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu \i*16(%rdi), %xmm\i
	.endr
	ret

fpu_store:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu %xmm\i, \i*16(%rdi)
	.endr
	ret

/*
 * Floating-point errors with the exception unmasked, for t_fpu.c.  A
 * kernel that reports them never lets these return: the thread stops at
 * fpu_x87_trap_at (#MF, vector 16) or fpu_sse_trap_at (#XM, vector 19),
 * and its pager gets the fault message.  If the error went unreported
 * they return what the CPU recorded, for the test to say why.
 *
 *   fpu_x87_div0()  1.0 / 0.0 on the x87 with ZM clear in its control
 *                   word; the error is pending until the next waiting
 *                   instruction, the FWAIT at fpu_x87_trap_at.  Returns
 *                   the x87 status word (ZE is bit 2).
 *   fpu_sse_div0()  1.0 / 0.0 with DIVSD with ZM clear in MXCSR; the
 *                   error is raised by the DIVSD at fpu_sse_trap_at.
 *                   Returns MXCSR as it was after it (ZE is bit 2).
 *
 * (GAS folds FWAIT and a following FN-form instruction into one, so the
 * FWAIT is followed by a plain one.)
 */
	.globl fpu_x87_div0, fpu_x87_trap_at, fpu_sse_div0, fpu_sse_trap_at
fpu_x87_div0:
	subq $8, %rsp
	fninit
	movw $0x037b, (%rsp)		/* the default 0x037f without ZM (bit 2) */
	fldcw (%rsp)
	fldz				/* st(0) = 0 */
	fld1				/* st(0) = 1, st(1) = 0 */
	fdiv %st(1), %st		/* st(0) = 1 / 0: ZE, pending */
fpu_x87_trap_at:
	fwait				/* #MF here if reported */
	xorl %eax, %eax
	fnstsw %ax
	fninit
	addq $8, %rsp
	ret

fpu_sse_div0:
	subq $8, %rsp
	movl $0x1d80, (%rsp)		/* the default 0x1f80 without ZM (bit 9) */
	ldmxcsr (%rsp)
	movabsq $0x3ff0000000000000, %rax	/* 1.0 */
	movq %rax, %xmm0
	pxor %xmm1, %xmm1		/* 0.0 */
fpu_sse_trap_at:
	divsd %xmm1, %xmm0		/* #XM here if reported */
	stmxcsr (%rsp)
	movl (%rsp), %eax
	movl $0x1f80, (%rsp)
	ldmxcsr (%rsp)
	addq $8, %rsp
	ret
