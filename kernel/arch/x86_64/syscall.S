/*
 * syscall.S - entering the kernel with `syscall`, leaving with `sysret`,
 * and entering user mode for the first time.
 *
 * SYSCALL leaves RIP in RCX and RFLAGS in R11, and does not switch stacks:
 * the entry swaps GS to this CPU's per-CPU data and parks the user RSP
 * there.  It builds a struct trap_frame exactly like an interrupt's, so
 * one C frame type serves both, at the same place: the running thread's
 * own save area (struct thread's regs), which percpu's frame_end points
 * just past; then it takes the CPU's kernel stack for the C half.  The
 * way out leaves from the frame frame_end points to then, which is
 * another thread's if the call switched: a switch copies no registers
 * (kernel/core/sched.c).  SYS_CALL and SYS_REPLY_RECV go to the IPC fast
 * path first (kernel/core/fastpath.c), which either switches straight to
 * the partner or hands the saved frame to the general path.
 *
 * The lean entry: SYS_INFO never blocks, takes no lock and reads only
 * this CPU's data or values fixed after boot, so it needs no frame, no
 * big kernel lock and no pass through the scheduler.  It saves what the
 * C function may clobber and the ABI keeps (RDI, RSI, RDX, R8-R10; RCX
 * and R11 for SYSRET), and restores all of it, so no kernel value reaches
 * user mode: RAX is the result, and the callee-saved registers are the
 * user's because C keeps them.  Interrupts stay off throughout (FMASK);
 * a tick or an IPI that came meanwhile is taken in user mode right after
 * SYSRET, on the full path.  SYSRET is safe here: RCX is the address
 * after the `syscall`, which lies in a mapped user page, so it is at most
 * KEEL_USER_TOP and canonical.
 */
#include <abi/syscall.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/frame.inc>
#include <keel/layout.h>
#include <keel/syscall.h>

	.text
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	cmpq $SYS_INFO, %rax
	je .Llean
	movq %gs:PERCPU_FRAME_END, %rsp	/* the thread's save area */
	pushq $(GDT_UDATA | 3)		/* ss */
	pushq %gs:PERCPU_USER_RSP	/* rsp */
	pushq %r11			/* rflags */
	pushq $(GDT_UCODE | 3)		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error code */
	pushq $TRAP_SYSCALL		/* "vector" */
	SAVE_REGS
	movq %gs:PERCPU_KSTACK_TOP, %rsp
	cmpq $SYS_CALL, %rax
	je .Lcall
	cmpq $SYS_REPLY_RECV, %rax
	je .Lreply_recv
	movq %gs:PERCPU_FRAME_END, %rdi
	subq $TF_SIZE, %rdi
	call syscall_handle		/* 0: SYSRET may return; else IRETQ */
.Lexit:
	/* The running thread may be another one now (a switch). */
	movq %gs:PERCPU_FRAME_END, %rsp
	subq $TF_SIZE, %rsp
	testl %eax, %eax
	RESTORE_REGS
	jnz 1f
	/*
	 * SYSRET to a non-canonical RIP faults in ring 0 on Intel CPUs, on the
	 * user's stack; syscall_handle allows SYSRET only for a RIP below the
	 * last user page, which is never mapped, and the fast path only for a
	 * thread whose RIP came from SYSCALL (kernel/core/fastpath.c).
	 */
	movq (%rsp), %rcx		/* rip */
	movq 16(%rsp), %r11		/* rflags */
	movq 24(%rsp), %rsp		/* the user's stack */
	swapgs
	sysretq
1:	swapgs
	iretq

/*
 * The IPC fast path (kernel/core/fastpath.c), which reads the call from
 * the saved frame.  It returns as syscall_handle does, or IPC_FAST_NO
 * with the big kernel lock held: then the general path runs.
 */
.Lcall:
	call ipc_fast_call
	jmp 2f
.Lreply_recv:
	call ipc_fast_reply_recv
2:	cmpq $IPC_FAST_NO, %rax
	jne .Lexit
	movq %gs:PERCPU_FRAME_END, %rdi
	subq $TF_SIZE, %rdi
	call syscall_locked
	jmp .Lexit

.Llean:
	movq %gs:PERCPU_KSTACK_TOP, %rsp
	pushq %rcx			/* the user's RIP and RFLAGS, for SYSRET */
	pushq %r11
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %r8
	pushq %r9
	pushq %r10
	call syscall_info		/* RDI: what; RAX: the answer */
	popq %r10
	popq %r9
	popq %r8
	popq %rdx
	popq %rsi
	popq %rdi
	popq %r11
	popq %rcx
	movq %gs:PERCPU_USER_RSP, %rsp
	swapgs
	sysretq

/*
 * thread_resume(frame) - leave the kernel into the user registers in
 * *frame (the running thread's save area): the idle loop's way back to
 * user mode.
 */
	.globl thread_resume
thread_resume:
	movq %rdi, %rsp
	RESTORE_REGS
	swapgs
	iretq
