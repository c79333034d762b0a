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

/*
 * The C half of the system-call entry: run call tf->rax with the
 * arguments in tf (-KEEL_ENOSYS in RAX for a number with no call; the
 * capability errors of keel/cap.h if an argument is not a capability the
 * call needs), then return to user mode through the scheduler.  Returns
 * 0 if the exit may use SYSRET.
 */
long syscall_handle(struct trap_frame *tf);

/* SYS_INFO, which the entry calls directly (no frame, no lock): see syscall.c. */
long syscall_info(u64 what);

/* Does every number below SYS_COUNT have a handler?  (A boot test.) */
bool syscall_table_complete(void);

#endif
