/*
 * syscall.h - the system-call ABI, shared by the kernel and user programs.
 * User space builds against include/abi only; the kernel never includes
 * anything from user/.
 *
 * A system call is the `syscall` instruction with the number in RAX and
 * up to six arguments in RDI, RSI, RDX, R10, R8, R9 (RCX and R11 are
 * taken by the instruction itself: they hold the return RIP and RFLAGS,
 * and are not preserved).  The result comes back in RAX: >= 0 on success,
 * a negated KEEL_E* error code otherwise.  Every other register is kept.
 */
#ifndef ABI_SYSCALL_H
#define ABI_SYSCALL_H

/* The numbers. */
#define SYS_DEBUG_WRITE	    0 /* (const char *buf, size len): print to the console */
#define SYS_EXIT	    1 /* (long code): end this program */
#define SYS_COUNT	    2

/* Errors, returned negated. */
#define KEEL_OK		    0
#define KEEL_ENOSYS	    1 /* no such system call */
#define KEEL_EFAULT	    2 /* a pointer or range is not user memory */
#define KEEL_EINVAL	    3 /* an argument is out of range */

/* The most SYS_DEBUG_WRITE prints in one call. */
#define SYS_DEBUG_WRITE_MAX 4096

#endif
