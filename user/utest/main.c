/*
 * utest - user-level tests of the system-call boundary: every error path
 * with hostile arguments, and thousands of random system calls that must
 * leave the kernel running.  The root (coretest) spawns it without the
 * memory authority; its argument (RDI) is not used.  Prints
 * `[utest] ok N - ...` lines and exits with the number of failures (its
 * pager checks the exit message).
 */
#include "keel.h"

static int run, failed;

static void check(int ok, const char *what)
{
	run++;
	print(ok ? "[utest] ok " : "[utest] not ok ");
	print_num(run);
	print(" - ");
	print(what);
	print("\n");
	failed += !ok;
}

static unsigned long rng = 0x9e3779b97f4a7c15ul;

static unsigned long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Arguments a fuzzer likes: small, huge, kernel, non-canonical, user. */
static long weird(void)
{
	static const unsigned long pick[] = {
		0,
		1,
		PAGE_SIZE,
		PROG_LOAD_BASE,
		PROG_STACK_TOP,
		KEEL_USER_TOP,
		0x0000800000000000ul,
		0xffff800000000000ul,
		0xffffffff80200000ul,
		~0ul,
		0x8000000000000000ul,
	};
	unsigned long r = next();
	return (long)(r & 1 ? pick[r % (sizeof(pick) / sizeof(pick[0]))] : next());
}

static char buffer[64] = "[utest] hello from user mode\n";

int main(void)
{
	long r;

	r = keel_debug_write(buffer, 29);
	check(r == 29, "debug_write returns the length it printed");
	r = keel_debug_write((void *)0xffffffff80200000ul, 16);
	check(r == -KEEL_EFAULT, "a kernel-image pointer is refused with EFAULT");
	r = keel_debug_write((void *)0xffff800000100000ul, 16);
	check(r == -KEEL_EFAULT, "a direct-map pointer is refused with EFAULT");
	r = keel_debug_write((void *)0x0000800000000000ul, 1);
	check(r == -KEEL_EFAULT, "a non-canonical pointer is refused with EFAULT");
	r = keel_debug_write((void *)KEEL_USER_TOP, 1);
	check(r == -KEEL_EFAULT, "the last user page (never mapped) is refused");
	r = keel_debug_write((void *)(~0ul - 10), 100);
	check(r == -KEEL_EFAULT, "a range that wraps around is refused");
	r = keel_debug_write((void *)0x7fffffffff00ul, 0x1000);
	check(r == -KEEL_EFAULT, "a range that runs into the kernel half is refused");
	r = keel_debug_write(buffer, SYS_DEBUG_WRITE_MAX + 1);
	check(r == -KEEL_EINVAL, "a length over the limit is refused with EINVAL");
	r = keel_debug_write((void *)0x10000000, 8);
	check(r == -KEEL_EFAULT, "an unmapped user address faults into EFAULT");
	r = keel_debug_write(buffer, 0);
	check(r == 0, "an empty write is fine");
	/* Issue 11: no physical address, no system-wide counter without authority. */
	r = keel_info(KEEL_INFO_THREAD);
	check(r == -KEEL_EPERM, "SYS_INFO(THREAD), a physical address, is refused (EPERM)");
	r = keel_info(KEEL_INFO_FASTPATH);
	check(r == -KEEL_EPERM, "SYS_INFO(FASTPATH), a system-wide counter, is refused (EPERM)");
	/* Issue 12: a process's own capabilities are its to copy and delete (it has none). */
	r = keel_cap_copy(3, 4, KEEL_EP_SEND);
	check(r == -KEEL_ENOENT, "copying an empty slot of our own is ENOENT (not EPERM)");
	r = keel_cap_delete(3);
	check(r == -KEEL_ENOENT, "deleting an empty slot of our own is ENOENT (not EPERM)");
	r = keel_cap_copy(AS_ENDPOINT_SLOTS, 0, KEEL_EP_SEND);
	check(r == -KEEL_EINVAL, "a slot past the table is EINVAL");
	r = keel_syscall(SYS_COUNT, 0, 0, 0, 0, 0, 0);
	check(r == -KEEL_ENOSYS, "an unknown system call number is ENOSYS");
	r = keel_syscall(-1, 0, 0, 0, 0, 0, 0);
	check(r == -KEEL_ENOSYS, "a negative system call number is ENOSYS");

	/* Random numbers outside the table: only ENOSYS may come back. */
	int odd = 0;
	for (int i = 0; i < 5000; i++) {
		long n = (long)next();
		if (n >= 0 && n < SYS_COUNT)
			n += SYS_COUNT + i;
		r = keel_syscall(n, weird(), weird(), weird(), weird(), weird(), weird());
		odd += r != -KEEL_ENOSYS;
	}
	check(odd == 0, "5000 random unknown system call numbers all answered ENOSYS");
	/* The memory calls with random arguments: we have no authority. */
	odd = 0;
	for (int i = 0; i < 2000; i++) {
		long n =
		    SYS_KMEM_DONATE + (long)(next() % (SYS_AS_SET_ENDPOINT - SYS_KMEM_DONATE + 1));
		r = keel_syscall(n, weird(), weird(), weird(), weird(), weird(), weird());
		odd += r != -KEEL_EPERM;
	}
	check(odd == 0, "2000 memory calls with random arguments all answered EPERM");
	/* Random ranges that are never this program's memory (kernel half,
	 * non-canonical, or unmapped low memory): all must fail cleanly. */
	odd = 0;
	for (int i = 0; i < 2000; i++) {
		unsigned long p = next();
		p = (p & 1) ? (p | 0x8000000000000000ul) : (p & 0xfffff) + 0x10000000;
		r = keel_debug_write((void *)p, (size_t)next() & 0x1fff);
		odd += r != -KEEL_EFAULT && r != -KEEL_EINVAL;
	}
	check(odd == 0, "2000 debug_writes of bad random ranges all failed cleanly");

	print("[utest] ");
	print_num(run - failed);
	print(" passed, ");
	print_num(failed);
	print(" failed\n");
	return failed;
}
