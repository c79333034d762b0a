/*
 * utest - user-level tests of the system-call boundary: every error path
 * with hostile arguments, and thousands of random system calls that must
 * leave the kernel running.  The root (coretest) spawns it with no
 * capability at all (init's pager gives it its own); it finds out which
 * slots it holds, and expects every object call on any other slot to fail
 * exactly as that slot says.  Its argument (RDI) is not used.  Prints
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

/* What each slot of ours holds: its SYS_CAP_INFO (-KEEL_ENOENT: empty). */
static long held[KEEL_CAP_SLOTS];

/* The type of capability the first argument of call n must be (0: not such a call). */
static unsigned long first_type(long n)
{
	switch (n) {
	case SYS_KMEM_DONATE:
	case SYS_KMEM_RECLAIM:
	case SYS_KMEM_COUNTS:
	case SYS_AS_CREATE:
	case SYS_THREAD_CREATE:
	case SYS_ENDPOINT_CREATE:
	case SYS_NOTIFY_CREATE:
	case SYS_MEM_DERIVE:
		return KEEL_CAP_MEMORY;
	case SYS_MAP:
	case SYS_UNMAP:
	case SYS_SUPPLY_TABLE:
	case SYS_LOOKUP:
	case SYS_UNMAP_RANGE:
	case SYS_MAP_RANGE:
		return KEEL_CAP_ASPACE;
	case SYS_THREAD_CONFIG:
	case SYS_THREAD_START:
	case SYS_NOTIFY_BIND:
		return KEEL_CAP_THREAD;
	case SYS_SIGNAL:
	case SYS_WAIT:
		return KEEL_CAP_NOTIFY;
	case SYS_IO_DERIVE:
	case SYS_IO_ENABLE:
		return KEEL_CAP_IOPORT;
	case SYS_IRQ_DERIVE:
	case SYS_IRQ_BIND:
	case SYS_IRQ_ACK:
	case SYS_IRQ_STATUS:
		return KEEL_CAP_IRQ;
	case SYS_DEVICE_DERIVE:
		return KEEL_CAP_DEVICE;
	case SYS_MAP_DEVICE:
		return KEEL_CAP_ASPACE;
	default:
		return 0;
	}
}

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
	/* No physical address from SYS_INFO any more: THREAD (4) and AUTHORITY (5) are gone. */
	r = keel_info(4);
	check(r == -KEEL_EINVAL, "SYS_INFO(4), once THREAD (an object's address), is EINVAL");
	r = keel_info(5);
	check(r == -KEEL_EINVAL, "SYS_INFO(5), once AUTHORITY, is EINVAL");
	r = keel_info(KEEL_INFO_FASTPATH);
	check(r >= 0, "SYS_INFO(FASTPATH) is anyone's now");
	/* Which slots we hold; then our own capabilities are ours to copy and delete. */
	int empty = -1, empty2 = -1, strange = 0;
	for (unsigned long s = 0; s < KEEL_CAP_SLOTS; s++) {
		held[s] = keel_cap_info(s);
		if (held[s] == -KEEL_ENOENT) {
			if (empty < 0)
				empty = (int)s;
			else if (empty2 < 0)
				empty2 = (int)s;
		} else if (held[s] < 0 || KEEL_CAP_TYPE(held[s]) < KEEL_CAP_MEMORY ||
			   KEEL_CAP_TYPE(held[s]) > KEEL_CAP_DEVICE) {
			strange++;
		}
	}
	check(empty >= 0 && empty2 > empty, "we have empty slots");
	check(strange == 0, "every slot is empty or holds a capability of a known type");
	r = keel_cap_copy((unsigned long)empty, KEEL_CAP_SELF, (unsigned long)empty2, KEEL_EP_SEND,
			  0);
	check(r == -KEEL_ENOENT, "copying an empty slot of our own is ENOENT");
	r = keel_cap_delete(KEEL_CAP_SELF, (unsigned long)empty);
	check(r == -KEEL_ENOENT, "deleting an empty slot of our own is ENOENT");
	r = keel_cap_copy(KEEL_CAP_SLOTS, KEEL_CAP_SELF, (unsigned long)empty2, KEEL_EP_SEND, 0);
	check(r == -KEEL_EINVAL, "a slot past the table is EINVAL");
	r = keel_cap_info(KEEL_CAP_SLOTS);
	check(r == -KEEL_EINVAL, "cap_info past the table is EINVAL");
	r = keel_destroy((unsigned long)empty);
	check(r == -KEEL_ENOENT, "destroying an empty slot is ENOENT");
	r = keel_cap_delete(KEEL_CAP_NONE, 0);
	check(r == -KEEL_EINVAL, "deleting in the space KEEL_CAP_NONE is EINVAL");
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
	/*
	 * The object calls with random arguments: the first, a capability of a
	 * type we do not hold, decides: EINVAL past the table, ENOENT empty,
	 * EBADOBJ one of another type.
	 */
	odd = 0;
	int tried = 0;
	for (int i = 0; i < 4000; i++) {
		long n = (long)(next() % SYS_COUNT), want;
		unsigned long t = first_type(n);
		if (!t)
			continue;
		unsigned long slot = next() & 1 ? next() % KEEL_CAP_SLOTS : (unsigned long)weird();
		if (slot >= KEEL_CAP_SLOTS)
			want = -KEEL_EINVAL;
		else if (held[slot] == -KEEL_ENOENT)
			want = -KEEL_ENOENT;
		else if (held[slot] >= 0 && KEEL_CAP_TYPE(held[slot]) != t)
			want = -KEEL_EBADOBJ;
		else
			continue; /* one of that type, given to us: not ours to test */
		r = keel_syscall(n, (long)slot, weird(), weird(), weird(), weird(), weird());
		odd += r != want;
		tried++;
	}
	check(odd == 0 && tried > 1000,
	      "object calls with random arguments all answered as their first slot says");
	/* Random ranges that are never this program's memory (kernel half,
	 * non-canonical, or unmapped low memory): all must fail cleanly. */
	odd = 0;
	for (int i = 0; i < 2000; i++) {
		unsigned long p = next();
		p = (p & 1) ? (p | 0x8000000000000000ul) : (p & 0xfffff) + 0x10000000;
		/* At least a byte: writing none succeeds wherever it points. */
		r = keel_debug_write((void *)p, 1 + (size_t)(next() % 0x1fff));
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
