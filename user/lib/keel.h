/*
 * keel.h - the small library user programs build with: system-call
 * wrappers and a few helpers.  Only the ABI (include/abi) is shared with
 * the kernel.
 */
#ifndef USER_KEEL_H
#define USER_KEEL_H

#include <abi/syscall.h>
#include <stddef.h>
#include <stdint.h>

static inline long keel_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long ret;
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long sys_debug_write(const void *buf, size_t len)
{
	return keel_syscall(SYS_DEBUG_WRITE, (long)buf, (long)len, 0, 0, 0, 0);
}

static inline _Noreturn void sys_exit(long code)
{
	keel_syscall(SYS_EXIT, code, 0, 0, 0, 0, 0);
	__builtin_unreachable();
}

/* Print a NUL-terminated string. */
void print(const char *s);
/* Print a signed number in decimal. */
void print_num(long v);

#endif
