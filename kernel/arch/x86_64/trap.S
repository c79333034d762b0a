/*
 * trap.S - exception entry stubs.  Each stub makes the stack look the same
 * (an error code, 0 if the CPU pushed none, and the vector), then
 * trap_common saves the registers as a struct trap_frame and calls
 * trap_handle(frame).
 */
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/frame.inc>
#include <arch/x86.h>

	.text
/*
 * One stub per vector.  Vectors 8, 10-14, 17, 21, 29 and 30 get an error
 * code from the CPU; the others push 0 in its place.
 */
.macro TRAP_STUB n
	.balign 16
trap_stub_\n:
	.if (\n != 8) && (\n < 10 || \n > 14) && (\n != 17) && (\n != 21) && (\n != 29) && (\n != 30)
	pushq $0
	.endif
	pushq $\n
	.if (\n == 2) || (\n == 8) || (\n == 18)
	jmp trap_paranoid
	.else
	jmp trap_common
	.endif
.endm

	.altmacro
	.set vec, 0
	.rept TRAP_VECTORS
	TRAP_STUB %vec
	.set vec, vec + 1
	.endr

/*
 * Coming from user mode (CS RPL 3), GS holds the user's base: swapgs puts
 * this CPU's per-CPU base in, and back again on the way out.  The CPU
 * pushed its frame at TSS RSP0, the end of the running thread's save
 * area (percpu's frame_end), so the registers go there too; the C half
 * runs on the kernel stack, and the way out leaves from the frame of
 * whichever thread runs then.  From kernel mode (the idle loop, a wait
 * for the big kernel lock) everything stays on the kernel stack.
 */
trap_common:
	testb $3, 24(%rsp)		/* the CPU frame's CS, above vector and error */
	jz .Lfrom_kernel
	swapgs
	/*
	 * User code can set AC with POPF, and an interrupt gate does not
	 * clear it: with AC set, SMAP would be off in the kernel.  (The
	 * syscall entry has FMASK clear it.)
	 */
	cmpb $0, smap_enabled(%rip)
	je 1f
	clac
1:	SAVE_REGS
	movq %rsp, %rdi
	movq %gs:PERCPU_KSTACK_TOP, %rsp
	call trap_handle
	movq %gs:PERCPU_FRAME_END, %rsp
	subq $TF_SIZE, %rsp
	RESTORE_REGS
	swapgs
	iretq
.Lfrom_kernel:
	SAVE_REGS
	movq %rsp, %rdi
	call trap_handle
	RESTORE_REGS
	iretq

/*
 * NMI, double fault and machine check can arrive anywhere, even between a
 * swapgs and the iretq after it, so the saved CS does not say which GS base
 * is loaded.  Ask the CPU: a kernel GS base has bit 63 set (the kernel
 * never lets user mode set one).  RBX, callee-saved, remembers whether we
 * swapped, to swap back before returning.
 */
trap_paranoid:
	SAVE_REGS
	movl $MSR_GS_BASE, %ecx
	rdmsr
	xorl %ebx, %ebx
	testl %edx, %edx		/* bit 63 of the GS base */
	js 1f
	swapgs
	movl $1, %ebx
1:	movq %rsp, %rdi
	call trap_handle
	testl %ebx, %ebx
	jz 2f
	swapgs
2:	RESTORE_REGS
	iretq

/* The stubs' addresses, for idt_init(). */
.macro TRAP_STUB_ADDR n
	.quad trap_stub_\n
.endm
	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept TRAP_VECTORS
	TRAP_STUB_ADDR %vec
	.set vec, vec + 1
	.endr
	.noaltmacro

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

/*
 * usercopy(dst, src, n) - copy n bytes where one side is user memory,
 * already range-checked by the caller.  With SMAP on, user memory is
 * reachable only between STAC and CLAC, i.e. only here.  A fault returns
 * -1 through __extable; 0 on success.
 */
	.text
	.globl usercopy
usercopy:
	movq %rdx, %rcx
	cmpb $0, smap_enabled(%rip)
	je 1f
	stac
1:
3:	rep movsb
	cmpb $0, smap_enabled(%rip)
	je 2f
	clac
2:	xorl %eax, %eax
	ret
usercopy_fault:
	cmpb $0, smap_enabled(%rip)
	je 4f
	clac
4:	movl $-1, %eax
	ret

	.section __extable, "a"
	.balign 8
	.quad 3b, usercopy_fault
