/*
 * user.h - user mode: the system-call entry and the checks on user
 * pointers (kernel/arch/x86_64/syscall.c, syscall.S).
 */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include <abi/syscall.h>
#include <arch/trap.h>
#include <keel/decode.h>
#include <keel/types.h>

/* Set up SYSCALL/SYSRET on this CPU. */
void syscall_init_cpu(void);

/*
 * May the exit from a system call into `tf` use SYSRET?  Only if RCX and
 * R11 of the frame are its RIP and RFLAGS (SYSRET loads them from there),
 * which is false when another thread's registers were loaded, and RIP is
 * below the last user page (SYSRET to a non-canonical RIP faults in ring
 * 0).  Else the exit uses IRETQ.
 */
static inline bool syscall_can_sysret(const struct trap_frame *tf)
{
	return tf->rcx == tf->rip && tf->r11 == tf->rflags && tf->rip < KEEL_USER_TOP;
}

/* user_range_ok (keel/decode.h): is [addr, addr+len) entirely user memory? */

/*
 * Copy from or to user memory: 0, or -KEEL_EFAULT if the range is not
 * user memory or a page in it is not mapped as needed.
 */
long copy_from_user(void *dst, u64 usrc, u64 len);
long copy_to_user(u64 udst, const void *src, u64 len);

#endif
