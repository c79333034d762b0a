/*
 * fpu.S - load and store the SSE registers, for the test that each thread
 * keeps its own FPU state (t_tlb.c).  In assembly: user programs are
 * built without SSE, so C cannot name these registers.  SSE2 only (every
 * x86_64 CPU has it).
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
