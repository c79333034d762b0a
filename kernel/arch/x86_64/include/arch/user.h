/*
 * user.h - user mode: system calls, user pointers, running a program
 * (kernel/arch/x86_64/syscall.c, user.c, syscall.S).
 *
 * This is the first step of issue 4: user mode, the syscall entry and
 * user-pointer checks, with a program run to completion on the boot CPU
 * for the tests.  Threads, address-space objects from donated frames, IPC
 * and scheduling come next (docs/design-core.md).
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

/* How a program ended. */
struct user_result {
	bool exited; /* by SYS_EXIT, with code */
	long code;
	bool killed; /* by a fault: vector, error code, address, RIP */
	u64 vector, error, addr, rip;
};

/*
 * Load the GRUB module `name` (an ELF executable, checked by elf_check)
 * into a new address space and run it in user mode on this CPU until it
 * exits or is killed.  Returns NULL, or why it could not be started.
 */
const char *user_run_module(const char *name, struct user_result *out);

/* SYS_EXIT: the program ends with `code`.  Never returns. */
_Noreturn void user_exit(long code);

/* From trap.c: a fault in user mode ends the program.  Never returns. */
_Noreturn void user_fault(struct trap_frame *tf, u64 cr2);

/* Is a user program running on this CPU? */
bool user_active(void);

#endif
