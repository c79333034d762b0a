/*
 * syscall.h - the kernel's side of system calls: the table that says
 * what each call needs, and the dispatch (kernel/core/syscall.c).  The
 * ABI itself is include/abi/syscall.h.
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

/* What the IPC fast path returns when the general path must run (below). */
#define IPC_FAST_NO (-1)

#ifndef __ASSEMBLER__
#include <keel/types.h>

struct trap_frame;
struct thread;

/*
 * The C half of the system-call entry: run call tf->rax with the
 * arguments in tf (-KEEL_ENOSYS in RAX for a number with no call; the
 * capability errors of keel/cap.h if an argument is not a capability the
 * call needs), then return to user mode through the scheduler.  Returns
 * 0 if the exit may use SYSRET.
 */
long syscall_handle(struct trap_frame *tf);
/* The same with the big kernel lock held already (the IPC fast path's fallback). */
long syscall_locked(struct trap_frame *tf);

/*
 * The IPC fast path (kernel/core/fastpath.c), which the entry calls for
 * SYS_CALL and SYS_REPLY_RECV once the registers are saved in the running
 * thread: it takes the big kernel lock and, if the call can go straight
 * to a partner waiting on this CPU, does it and returns as syscall_handle
 * does (the partner leaves, from its own save area); else it returns
 * IPC_FAST_NO with the lock still held and nothing changed, for
 * syscall_locked.  Never call them from C: they are built without keeping
 * RBX and R12-R15 (the Makefile says why).
 */
long ipc_fast_call(void);
long ipc_fast_reply_recv(void);

/* SYS_INFO, which the entry calls directly (no frame, no lock): see syscall.c. */
long syscall_info(u64 what);

/* Does every number below SYS_COUNT have a handler?  (A boot test.) */
bool syscall_table_complete(void);
/* What syscall_decode (keel/decode.h) knows of this machine (syscall_decode_init). */
extern struct decode_env decode_here;
/* What the decoders know of this machine: once the CPUs are counted, before any call. */
void syscall_decode_init(void);

#endif /* __ASSEMBLER__ */
#endif
