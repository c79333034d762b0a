/*
 * ufuzz - a process the root spawns without the memory authority, with an
 * echo server's endpoint in slot 0 (see proto.h).  In fuzz mode it makes
 * thousands of system calls with random numbers (all the valid ones
 * included) and random arguments, and checks what must hold for a thread
 * without authority: the memory calls say EPERM, unknown numbers ENOSYS,
 * every error is a known code, the kept registers are kept, and the echo
 * server still answers correctly between the random calls.  It never
 * calls SYS_EXIT itself, nor anything that could block forever or print
 * (SYS_RECV and SYS_REPLY_RECV only on empty slots; SYS_DEBUG_WRITE and
 * SYS_DEBUG_TEST only with kernel pointers), nor deletes its echo slot
 * (it copies capabilities into other slots and deletes them at random).  It exits with the number of
 * surprises.
 */
#include "keel.h"
#include "proto.h"
#include "rng.h"

long fuzz_call(long n, long a0, long a1, long a2, long a3, long a4, long a5);
extern int fuzz_clobbered;

static unsigned char *const buf = (unsigned char *)PROG_IPC_BUF;
static struct rng rng;
static long surprises;

static void surprise(const char *what, long n, long r)
{
	if (surprises++ < 8) {
		print("[ufuzz] surprise: ");
		print(what);
		print(" (syscall ");
		print_num(n);
		print(" returned ");
		print_num(r);
		print(")\n");
	}
}

/* One echo call with a known message; 1 if the reply is right. */
static int ping(unsigned long i)
{
	struct keel_msg m;
	unsigned long len = (i * 37) % 700;

	for (unsigned long j = 0; j < len; j++)
		buf[j] = (unsigned char)(i * 7 + j);
	m.tag = IPC_TAG(i, len);
	m.w[0] = i;
	m.w[1] = ~i;
	m.w[2] = i * 0x9e3779b97f4a7c15ul;
	m.w[3] = 0x5555aaaa5555aaaaul ^ i;
	unsigned long tag = m.tag, w[4] = { m.w[0], m.w[1], m.w[2], m.w[3] };
	if (keel_call(ECHO_SLOT, &m) != 0 || m.tag != echo_tag(tag))
		return 0;
	for (int k = 0; k < 4; k++)
		if (m.w[k] != echo_word(w[k]))
			return 0;
	for (unsigned long j = 0; j < len; j++)
		if (buf[j] != echo_byte((unsigned char)(i * 7 + j)))
			return 0;
	return 1;
}

static long run_ping(unsigned long count)
{
	long bad = 0;

	for (unsigned long i = 0; i < count; i++)
		bad += !ping(i);
	return bad;
}

/* Arguments a fuzzer likes. */
static long weird(void)
{
	static const unsigned long pick[] = {
		0,
		1,
		PAGE_SIZE,
		0x200000,	     /* the kernel image's frames */
		0xa0000,	     /* not RAM */
		1ul << 46,	     /* not RAM */
		PROG_LOAD_BASE,	     /* our code */
		PROG_IPC_BUF,	     /* our buffer */
		PROG_STACK_TOP - 64, /* our stack */
		KEEL_USER_TOP,
		0x0000800000000000ul, /* non-canonical */
		0xffff800000000000ul, /* the direct map */
		0xffffffff80200000ul, /* the kernel image */
		~0ul,
		0x8000000000000000ul,
		IPC_TAG_KERNEL,
	};
	unsigned long r = rng_next(&rng);

	switch (r % 7) {
	case 6: /* tags carrying capabilities: counts 0-3, any slots, moved or not */
		return (long)(IPC_TAG((r >> 8) & 0xff, 0) | ((r >> 16) & 3) << 45 |
			      ((r >> 18) & 0xfff) << 47 | ((r >> 30) & 1) * IPC_TAG_MOVE);
	case 0:
		return (long)(r >> 8) % 71; /* small numbers, slots 0..70 */
	case 1:
		return (long)((r >> 8) & 0xfffff000ul); /* page-aligned, physical-like */
	case 2:
		return (long)pick[(r >> 8) % (sizeof(pick) / sizeof(pick[0]))];
	case 3:
		return (long)IPC_TAG(r >> 16, (r >> 8) % 5000); /* tags, some too long */
	case 4:
		return (long)(0xffffffff80000000ul + ((r >> 8) & 0x7ffff000ul)); /* kernel */
	default:
		return (long)rng_next(&rng);
	}
}

static long pick_number(void)
{
	unsigned long r = rng_next(&rng) % 100;

	if (r < 75)
		return (long)rng_below(&rng, SYS_COUNT);
	if (r < 85)
		return -(long)rng_below(&rng, 1000) - 1;
	if (r < 95)
		return SYS_COUNT + (long)rng_below(&rng, 100);
	return (long)rng_next(&rng);
}

static int needs_authority(long n)
{
	return (n >= SYS_KMEM_DONATE && n <= SYS_AS_SET_ENDPOINT) || n == SYS_LOOKUP;
}

static long run_fuzz(unsigned long count)
{
	for (unsigned long i = 0; i < count; i++) {
		long n = pick_number();
		long a[6];
		for (int k = 0; k < 6; k++)
			a[k] = weird();
		switch (n) {
		case SYS_EXIT:
			n = SYS_YIELD;
			break;
		case SYS_DEBUG_WRITE:
		case SYS_DEBUG_TEST:
			/* Never anything printable. */
			a[0] = (long)(0xffffffff80000000ul | (unsigned long)a[0]);
			a[1] |= 1; /* an empty write might succeed */
			break;
		case SYS_SLEEP:
			/* Long sleeps are fine, but would end the test by the clock. */
			if ((unsigned long)a[0] <= THREAD_SLEEP_MAX)
				a[0] &= 1;
			break;
		case SYS_RECV:
		case SYS_REPLY_RECV:
			/* Only empty or invalid slots: nobody would send us anything. */
			if ((unsigned long)a[0] < AS_ENDPOINT_SLOTS)
				a[0] = 1 + (long)rng_below(&rng, 70);
			break;
		case SYS_CAP_DELETE:
			/* Any slot but the echo server's, which the checks below need. */
			if (a[0] == ECHO_SLOT)
				a[0] = 1 + (long)rng_below(&rng, 70);
			break;
		default:
			break;
		}
		if (rng_below(&rng, 4) == 0) /* random bytes to send */
			buf[rng_below(&rng, IPC_BUF_MAX)] = (unsigned char)rng_next(&rng);

		long r = fuzz_call(n, a[0], a[1], a[2], a[3], a[4], a[5]);

		if (fuzz_clobbered) {
			surprise("a kept register changed", n, r);
			fuzz_clobbered = 0;
		}
		if (r < 0 && r <= -KEEL_ECOUNT)
			surprise("an unknown error code", n, r);
		else if ((n < 0 || n >= SYS_COUNT) && r != -KEEL_ENOSYS)
			surprise("an unknown number was not ENOSYS", n, r);
		else if (needs_authority(n) && r != -KEEL_EPERM)
			surprise("a memory call without authority was not EPERM", n, r);
		else if (n == SYS_YIELD && r != 0)
			surprise("yield failed", n, r);
		else if (n == SYS_DEBUG_WRITE && r >= 0)
			surprise("a write from kernel memory worked", n, r);
		if (i % 500 == 0 && !ping(i))
			surprise("the echo server answered wrong", SYS_CALL, 0);
	}
	return surprises;
}

int main(unsigned long arg)
{
	unsigned long count = UFUZZ_COUNT(arg);

	rng_seed(&rng, UFUZZ_SEED(arg) * 0x9e3779b97f4a7c15ul + 1);
	switch (UFUZZ_MODE(arg)) {
	case UFUZZ_PING:
		return (int)run_ping(count);
	case UFUZZ_FUZZ: {
		long bad = run_fuzz(count);
		print("[ufuzz] ");
		print_num((long)count);
		print(" random system calls, ");
		print_num(bad);
		print(" surprise(s)\n");
		return (int)(bad > 1000 ? 1000 : bad);
	}
	default:
		print("[ufuzz] unknown mode\n");
		return 1000;
	}
}
