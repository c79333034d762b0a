/*
 * user.h - user mode: the system-call entry and the checks on user
 * pointers (kernel/arch/x86_64/syscall.c, syscall.S).
 */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include <keel/types.h>

struct trap_frame;

/* Set up SYSCALL/SYSRET on this CPU. */
void syscall_init_cpu(void);

/* Is [addr, addr+len) entirely user memory (below the last user page)? */
bool user_range_ok(u64 addr, u64 len);

/*
 * Copy from or to user memory: 0, or -KEEL_EFAULT if the range is not
 * user memory or a page in it is not mapped as needed.
 */
long copy_from_user(void *dst, u64 usrc, u64 len);
long copy_to_user(u64 udst, const void *src, u64 len);

#endif
