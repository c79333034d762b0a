/*
 * syscall.h - the kernel's side of system calls: the table that says
 * what each call needs, and the dispatch (kernel/core/syscall.c).  The
 * ABI itself is include/abi/syscall.h.
 */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

#include <keel/types.h>

struct trap_frame;
struct thread;

/* What a caller must hold to make a call. */
enum {
	SYSCALL_NEEDS_NOTHING,	 /* anyone (the handler may check more) */
	SYSCALL_NEEDS_AUTHORITY, /* the memory authority: else KEEL_EPERM */
};

/*
 * Run system call tf->rax for `cur` with the arguments in tf: its result,
 * or -KEEL_ENOSYS for a number with no call, -KEEL_EPERM if cur lacks
 * what the call needs.  Under the big kernel lock.
 */
long syscall_dispatch(struct trap_frame *tf, struct thread *cur);

/* Does every number below SYS_COUNT have a handler?  (A boot test.) */
bool syscall_table_complete(void);

#endif
