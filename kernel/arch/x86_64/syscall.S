/*
 * syscall.S - entering the kernel with `syscall`, leaving with `sysret`,
 * and entering user mode for the first time.
 *
 * SYSCALL leaves RIP in RCX and RFLAGS in R11, and does not switch stacks:
 * the entry swaps GS to this CPU's per-CPU data, parks the user RSP there
 * and takes the CPU's kernel stack.  It builds a struct trap_frame exactly
 * like an interrupt's, so one C frame type serves both, at the same place:
 * the top of the CPU's one kernel stack.  Switching threads is replacing
 * that frame (kernel/core/sched.c).
 */
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/frame.inc>
#include <keel/layout.h>

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KSTACK_TOP, %rsp
	pushq $(GDT_UDATA | 3)		/* ss */
	pushq %gs:PERCPU_USER_RSP	/* rsp */
	pushq %r11			/* rflags */
	pushq $(GDT_UCODE | 3)		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error code */
	pushq $TRAP_SYSCALL		/* "vector" */
	SAVE_REGS
	movq %rsp, %rdi
	call syscall_handle		/* 0: SYSRET may return; else IRETQ */
	/* The frame may hold another thread's registers now (a switch). */
	testl %eax, %eax
	RESTORE_REGS
	jnz 1f
	/*
	 * SYSRET to a non-canonical RIP faults in ring 0 on Intel CPUs, on the
	 * user's stack; syscall_handle allows SYSRET only for a RIP below the
	 * last user page, which is never mapped.
	 */
	movq (%rsp), %rcx		/* rip */
	movq 16(%rsp), %r11		/* rflags */
	movq 24(%rsp), %rsp		/* the user's stack */
	swapgs
	sysretq
1:	swapgs
	iretq

/*
 * thread_resume(frame) - leave the kernel into the user registers in
 * *frame (a struct trap_frame at the top of this CPU's stack): the idle
 * loop's way back to user mode.
 */
	.globl thread_resume
thread_resume:
	movq %rdi, %rsp
	RESTORE_REGS
	swapgs
	iretq
