/*
 * test_user.c - in-kernel tests that run user programs (GRUB modules
 * built from user/): the system-call boundary, and a program that
 * touches kernel memory.
 */
#include <arch/trap.h>
#include <arch/user.h>
#include <keel/ktest.h>
#include <keel/layout.h>

/* utest checks every error path from user mode; it exits with its failures. */
KTEST(user_syscall_boundary)
{
	struct user_result r;
	const char *why = user_run_module("utest", &r);
	if (why)
		return ktest_fail("cannot run utest: %s", why);
	if (r.killed)
		return ktest_fail("utest was killed: vector %lu at 0x%lx, rip 0x%lx", r.vector,
				  r.addr, r.rip);
	if (!r.exited || r.code != 0)
		return ktest_fail("utest exited with %ld failure(s)", r.code);
	return NULL;
}

/* ukill reads the kernel image: killed by a page fault, kernel goes on. */
KTEST(user_touching_kernel_is_killed)
{
	struct user_result r;
	const char *why = user_run_module("ukill", &r);
	if (why)
		return ktest_fail("cannot run ukill: %s", why);
	KTEST_CHECK(r.killed && !r.exited);
	KTEST_CHECK(r.vector == TRAP_PAGE_FAULT);
	KTEST_CHECK(r.addr == 0xffffffff80200000ul);
	/* A user-mode read of a present, supervisor-only page. */
	KTEST_CHECK((r.error & (PF_USER | PF_PRESENT | PF_WRITE)) == (PF_USER | PF_PRESENT));
	/* And the kernel still runs a program afterwards. */
	why = user_run_module("utest", &r);
	KTEST_CHECK(!why && r.exited && r.code == 0);
	return NULL;
}

/*
 * unt sets NT and makes a system call whose return RIP SYSRET must not
 * take: the IRETQ exit must not fault in the kernel (FMASK clears NT), and
 * the program is killed by its fetch from the never-mapped last page.
 */
KTEST(user_nt_flag_and_iretq_exit)
{
	struct user_result r;
	const char *why = user_run_module("unt", &r);
	if (why)
		return ktest_fail("cannot run unt: %s", why);
	KTEST_CHECK(r.killed && r.vector == TRAP_PAGE_FAULT);
	KTEST_CHECK(r.addr == USER_END - PAGE_SIZE && r.rip == USER_END - PAGE_SIZE);
	KTEST_CHECK((r.error & (PF_USER | PF_PRESENT)) == PF_USER);
	return NULL;
}
