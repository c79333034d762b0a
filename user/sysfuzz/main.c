/*
 * sysfuzz - a system-call fuzzer that knows the ABI, in the spirit of
 * syzkaller (issue 15; docs/reliability.md).
 *
 * coretest (t_sysfuzz.c) starts several at once, on several CPUs, each
 * with real capabilities of every kind a process may hold (proto.h,
 * SYSFUZZ_*): memory to make objects in and memory to map, its own
 * address space (and its thread, with no rights: its pager must stay
 * coretest, which counts its exit), endpoints and notifications shared with the
 * others.  Each call is chosen from the whole table, with arguments drawn
 * by parameter type: mostly ones that can succeed (a slot holding the
 * right type, an offset inside its memory, a page of its window, an
 * empty slot to fill), the rest anything (empty and out-of-range slots,
 * kernel and non-canonical addresses, huge sizes, random rights and
 * tags).  A map that asks for a page table gets one next, so the deep
 * paths run too.  It donates its memory, makes and destroys objects,
 * maps, starts threads that fuzz beside it, sends capabilities to the
 * others and destroys what it made while they wait on it; coretest kills
 * some of them part-way and destroys the shared objects under them.
 *
 * It checks that every answer is a result or one of the ABI's errors and
 * that its own memory (a canary page) is untouched; coretest checks the
 * bystanders' echo calls and the kernel's memory, back exactly after.
 *
 * So that everything can be cleaned up, it never writes through
 * SYS_DEBUG_WRITE or SYS_DEBUG_TEST with a pointer the kernel would read
 * (that would be the test log), never deletes a capability to an object
 * it made, and never unmaps outside its window.  At the end coretest
 * starts a thread in it with SYSFUZZ_JANITOR, which destroys every
 * object it holds.  Exit code: the calls made, or minus the surprises.
 */
#include "fmt.h"
#include "keel.h"
#include "proto.h"
#include "rng.h"

#define NSLOTS	     KEEL_CAP_SLOTS
#define KSIZE	     (2ul << 20) /* each of its two memory capabilities */
#define KPAGES	     (KSIZE / PAGE_SIZE)
#define WIN_PAGES    (SYSFUZZ_WINDOW_SIZE / PAGE_SIZE)
#define HELPER_CALLS 2000

/* What a slot holds, as far as this process knows. */
enum kind { K_NONE, K_EP, K_NT, K_TH, K_AS, K_MEM, K_ANY };
#define K_MINE 0x80 /* made here, or received: never deleted (only destroyed) */

static volatile unsigned char kind[NSLOTS];
static volatile long calls, surprises;
static struct sysfuzz_status *const status = (struct sysfuzz_status *)SYSFUZZ_STATUS;
static unsigned char canary[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct fuzzer {
	struct rng rng;
	long follow;	   /* the level of a table a map asked for: supply it next (0: none) */
	unsigned long fva; /* ... for this address */
	unsigned long fas; /* ... in this space */
	int main;	   /* the first thread (only it deletes capabilities) */
};

static unsigned long below(struct fuzzer *f, unsigned long n)
{
	return rng_below(&f->rng, n);
}

static int chance(struct fuzzer *f, unsigned percent)
{
	return below(f, 100) < percent;
}

/* Anything: small numbers, kernel and non-canonical addresses, huge values. */
static unsigned long any(struct fuzzer *f)
{
	static const unsigned long pick[] = {
		0,
		1,
		PAGE_SIZE - 1,
		PAGE_SIZE,
		KSIZE,
		0xa0000,
		1ul << 46,
		PROG_LOAD_BASE,
		KEEL_USER_TOP,
		KEEL_USER_TOP - PAGE_SIZE,
		0x0000800000000000ul,
		0xffff800000000000ul,
		0xffffffff80200000ul,
		~0ul,
		~0ul - PAGE_SIZE + 1,
		0x8000000000000000ul,
		KEEL_CAP_NONE,
		KEEL_CAP_SELF,
		KEEL_NO_BUFFER,
	};
	unsigned long r = rng_next(&f->rng);

	switch (r % 5) {
	case 0:
		return (r >> 8) % 160;
	case 1:
		return pick[(r >> 8) % (sizeof(pick) / sizeof(pick[0]))];
	case 2:
		return (r >> 8) & 0xfffff000ul;
	case 3:
		return 0xffffffff80000000ul + ((r >> 8) & 0x7ffff000ul);
	default:
		return rng_next(&f->rng);
	}
}

/* A slot holding `k` (any slot now and then). */
static unsigned long slot_of(struct fuzzer *f, enum kind k)
{
	if (chance(f, 12))
		return chance(f, 50) ? any(f) : below(f, NSLOTS);
	unsigned long start = below(f, NSLOTS);
	for (unsigned long i = 0; i < NSLOTS; i++) {
		unsigned long s = (start + i) % NSLOTS;
		if ((kind[s] & ~K_MINE) == k)
			return s;
	}
	return below(f, NSLOTS);
}

/* An empty slot of ours to fill. */
static unsigned long free_slot(struct fuzzer *f)
{
	if (chance(f, 10))
		return chance(f, 50) ? any(f) : below(f, NSLOTS);
	unsigned long start = SYSFUZZ_FREE + below(f, NSLOTS - SYSFUZZ_FREE);
	for (unsigned long i = 0; i < NSLOTS - SYSFUZZ_FREE; i++) {
		unsigned long s =
		    SYSFUZZ_FREE + (start - SYSFUZZ_FREE + i) % (NSLOTS - SYSFUZZ_FREE);
		if (kind[s] == K_NONE)
			return s;
	}
	return below(f, NSLOTS);
}

static unsigned long page_off(struct fuzzer *f)
{
	return chance(f, 90) ? below(f, KPAGES) * PAGE_SIZE : any(f);
}

static unsigned long size_of(struct fuzzer *f)
{
	return chance(f, 70) ? (1 + below(f, 8)) * PAGE_SIZE : chance(f, 50) ? KSIZE : any(f);
}

/* A page of the window, or an address that is no user page at all. */
static unsigned long window_va(struct fuzzer *f)
{
	if (chance(f, 92))
		return SYSFUZZ_WINDOW + below(f, WIN_PAGES) * PAGE_SIZE;
	static const unsigned long bad[] = { KEEL_USER_TOP, 0x0000800000000000ul,
					     0xffff800000000000ul, ~0ul & ~PAGE_MASK, 1 };
	return bad[below(f, sizeof(bad) / sizeof(bad[0]))];
}

/* Any address, for a space that is not ours (nothing of ours is there). */
static unsigned long va_in(struct fuzzer *f, unsigned long as)
{
	if (as == SYSFUZZ_AS || chance(f, 50))
		return window_va(f);
	return chance(f, 70) ? below(f, 1ul << 35) * PAGE_SIZE : any(f);
}

static unsigned long rights(struct fuzzer *f)
{
	static const unsigned long good[] = { KEEL_MAP_R, KEEL_MAP_R | KEEL_MAP_W,
					      KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_ZERO,
					      KEEL_MAP_R | KEEL_MAP_X };
	return chance(f, 75) ? good[below(f, 4)] : below(f, 256);
}

/* A message tag: short ones, some carrying capabilities (moved or not), some wrong. */
static unsigned long tag_of(struct fuzzer *f)
{
	unsigned long r = rng_next(&f->rng), label = (r >> 8) & 0xffff;

	switch (r % 6) {
	case 0: { /* capabilities: never one we must keep (a made object's only one may move) */
		unsigned long s0 = slot_of(f, (enum kind)(1 + below(f, 4))), s1 = below(f, NSLOTS);
		unsigned long t = IPC_TAG_CAPS(IPC_TAG(label, 0), 1 + below(f, 2), s0, s1);
		return chance(f, 30) ? t | IPC_TAG_MOVE : t;
	}
	case 1:
		return IPC_TAG(label, below(f, 5000));
	case 2:
		return any(f);
	default:
		return IPC_TAG(label, 0);
	}
}

/*
 * Fill a[] for call n.  Returns 0 to skip the call (it could wipe what the
 * janitor needs, or block for good with nobody to wake us).
 */
static int pick_args(struct fuzzer *f, long n, unsigned long *a)
{
	for (int i = 0; i < 6; i++)
		a[i] = chance(f, 50) ? any(f) : below(f, 8);
	switch (n) {
	case SYS_DEBUG_WRITE:
	case SYS_DEBUG_TEST:
		/* Never a pointer the kernel would read: a kernel or non-canonical one. */
		a[0] = chance(f, 50) ? 0xffffffff80000000ul + below(f, 1ul << 20)
				     : 0x0000800000000000ul + below(f, 1ul << 20);
		a[2] = a[0];
		a[1] = below(f, 3) == 0 ? any(f) : below(f, 64);
		return 1;
	case SYS_EXIT:
		return below(f, 50) == 0; /* now and then: an exit part-way */
	case SYS_KMEM_DONATE:
	case SYS_KMEM_RECLAIM:
		a[0] = slot_of(f, K_MEM);
		a[1] = chance(f, 80) ? 0 : page_off(f);
		a[2] = chance(f, 80) ? KSIZE : size_of(f);
		return 1;
	case SYS_KMEM_COUNTS:
		a[0] = slot_of(f, K_MEM);
		a[1] = page_off(f);
		a[2] = page_off(f);
		return 1;
	case SYS_AS_CREATE:
		a[0] = SYSFUZZ_KMEM;
		a[1] = page_off(f);
		a[2] = page_off(f);
		a[3] = page_off(f);
		a[4] = free_slot(f);
		return 1;
	case SYS_MAP:
	case SYS_MAP_RANGE:
		a[0] = chance(f, 60) ? SYSFUZZ_AS : slot_of(f, K_AS);
		a[1] = va_in(f, a[0]);
		a[2] = chance(f, 80) ? SYSFUZZ_MAPMEM : slot_of(f, K_MEM);
		a[3] = page_off(f);
		if (n == SYS_MAP) {
			a[4] = rights(f);
		} else {
			a[4] = chance(f, 80) ? 1 + below(f, 16) : any(f);
			a[5] = rights(f);
		}
		return 1;
	case SYS_UNMAP:
	case SYS_UNMAP_RANGE:
	case SYS_LOOKUP:
		a[0] = chance(f, 60) ? SYSFUZZ_AS : slot_of(f, K_AS);
		a[1] = va_in(f, a[0]);
		if (n == SYS_UNMAP_RANGE) {
			a[2] = chance(f, 80) ? 1 + below(f, 16) : any(f);
			a[3] = chance(f, 70) ? SYSFUZZ_MAPMEM : KEEL_CAP_NONE;
			/* A range from the window must stay in it. */
			if (a[0] == SYSFUZZ_AS && a[1] >= SYSFUZZ_WINDOW &&
			    a[1] < SYSFUZZ_WINDOW + SYSFUZZ_WINDOW_SIZE &&
			    a[2] > (SYSFUZZ_WINDOW + SYSFUZZ_WINDOW_SIZE - a[1]) / PAGE_SIZE)
				a[2] = (SYSFUZZ_WINDOW + SYSFUZZ_WINDOW_SIZE - a[1]) / PAGE_SIZE;
		} else {
			a[2] = chance(f, 70) ? SYSFUZZ_MAPMEM : KEEL_CAP_NONE;
		}
		return 1;
	case SYS_SUPPLY_TABLE:
		a[0] = chance(f, 60) ? SYSFUZZ_AS : slot_of(f, K_AS);
		a[1] = va_in(f, a[0]);
		a[2] = chance(f, 85) ? 1 + below(f, 3) : any(f);
		a[3] = SYSFUZZ_KMEM;
		a[4] = page_off(f);
		return 1;
	case SYS_THREAD_CREATE:
		a[0] = SYSFUZZ_KMEM;
		a[1] = page_off(f);
		a[2] = chance(f, 50) ? SYSFUZZ_AS : slot_of(f, K_AS);
		a[3] = chance(f, 50) ? KEEL_NO_BUFFER : page_off(f);
		a[4] = rng_next(&f->rng) & 0xffff;
		a[5] = free_slot(f);
		return 1;
	case SYS_THREAD_CONFIG:
		a[0] = slot_of(f, K_TH);
		a[1] = chance(f, 90) ? below(f, THREAD_PRIO_DEFAULT + 1) : any(f);
		a[2] =
		    chance(f, 90) ? below(f, (unsigned long)keel_info(KEEL_INFO_CPUS) + 1) : any(f);
		a[3] = chance(f, 50) ? KEEL_CAP_NONE : slot_of(f, K_EP);
		return 1;
	case SYS_THREAD_START:
		/* Not our own (its registers would be lost): one we made, or none at all. */
		a[0] = slot_of(f, K_TH);
		if (a[0] == SYSFUZZ_TH)
			return 0;
		a[1] = any(f);
		a[2] = chance(f, 50) ? window_va(f) : any(f);
		return 1;
	case SYS_ENDPOINT_CREATE:
	case SYS_NOTIFY_CREATE:
		a[0] = SYSFUZZ_KMEM;
		a[1] = page_off(f);
		a[2] = free_slot(f);
		return 1;
	case SYS_DESTROY:
		a[0] = below(f, 4) ? slot_of(f, (enum kind)(1 + below(f, 4))) : any(f);
		return 1;
	case SYS_MEM_DERIVE:
		a[0] = slot_of(f, K_MEM);
		a[1] = page_off(f);
		a[2] = size_of(f);
		a[3] = below(f, 16);
		a[4] = free_slot(f);
		return 1;
	case SYS_CAP_INFO:
		a[0] = chance(f, 80) ? below(f, NSLOTS) : any(f);
		return 1;
	case SYS_CAP_COPY:
		a[0] = chance(f, 80) ? below(f, NSLOTS) : any(f);
		/* Into our own space only: a copy in a space we made dies with it unseen. */
		a[1] = chance(f, 80) ? KEEL_CAP_SELF : chance(f, 50) ? SYSFUZZ_AS : any(f);
		a[2] = free_slot(f);
		a[3] = chance(f, 50) ? 0xff : below(f, 256);
		a[4] = chance(f, 70) ? 0 : rng_next(&f->rng);
		if (a[1] != KEEL_CAP_SELF && a[1] != SYSFUZZ_AS && a[1] < NSLOTS &&
		    (kind[a[1]] & ~K_MINE) == K_AS)
			return 0;
		return 1;
	case SYS_CAP_DELETE:
		/*
		 * Only what the model knows is a copy: a slot we were given or
		 * made an object into stays, and so does one that looks empty
		 * (a helper thread may have just made an object there).  Only
		 * the first thread deletes; or a slot past the table.
		 */
		a[0] = chance(f, 80) ? KEEL_CAP_SELF : any(f);
		a[1] = chance(f, 90) ? below(f, NSLOTS) : any(f);
		if (a[1] < NSLOTS && (!f->main || a[1] < SYSFUZZ_FREE || kind[a[1]] == K_NONE ||
				      (kind[a[1]] & K_MINE)))
			return 0;
		if (a[0] != KEEL_CAP_SELF && a[0] < NSLOTS)
			return 0; /* in another space: it may be a made object's only one */
		return 1;
	case SYS_CAP_LANDING:
		a[0] = chance(f, 70) ? free_slot(f) : any(f);
		a[1] = chance(f, 70) ? free_slot(f) : any(f);
		return 1;
	case SYS_SEND:
	case SYS_CALL:
		/*
		 * Where someone answers: the echo server, or a shared endpoint
		 * (coretest's drainers receive there); else a slot that is no
		 * endpoint.  An endpoint made here has nobody receiving: a
		 * call to it would wait for good.
		 */
		a[0] = chance(f, 20)   ? SYSFUZZ_ECHO
		       : chance(f, 85) ? SYSFUZZ_EP + below(f, SYSFUZZ_NEP)
				       : any(f);
		a[1] = tag_of(f);
		for (int i = 2; i < 6; i++)
			a[i] = rng_next(&f->rng);
		return a[0] >= NSLOTS || (kind[a[0]] & ~K_MINE) != K_EP ||
		       (a[0] >= SYSFUZZ_EP && a[0] < SYSFUZZ_EP + SYSFUZZ_NEP);
	case SYS_RECV:
	case SYS_REPLY_RECV:
		/*
		 * Only where it cannot wait: a slot that is no endpoint, or the
		 * echo server's (send only).  A receive that took a call would
		 * owe a reply it may never send, and its caller would wait for
		 * good; coretest's drainers are the receivers.
		 */
		a[0] = chance(f, 30) ? SYSFUZZ_ECHO : any(f);
		a[1] = tag_of(f);
		return a[0] == SYSFUZZ_ECHO || a[0] >= NSLOTS || (kind[a[0]] & ~K_MINE) != K_EP;
	case SYS_SLEEP:
		a[0] = chance(f, 95) ? below(f, 3) : below(f, 20);
		return 1;
	case SYS_SIGNAL:
		a[0] = slot_of(f, K_NT);
		return 1;
	case SYS_WAIT:
		/* It waits only on a shared one: the others signal those, and coretest remakes them. */
		a[0] = slot_of(f, K_NT);
		a[1] = chance(f, 85) ? KEEL_WAIT_POLL : below(f, 4);
		if (a[0] < SYSFUZZ_NT || a[0] >= SYSFUZZ_NT + SYSFUZZ_NNT)
			a[1] |= KEEL_WAIT_POLL;
		return 1;
	case SYS_NOTIFY_BIND:
		a[0] = slot_of(f, K_TH);
		a[1] = chance(f, 30) ? KEEL_CAP_NONE : slot_of(f, K_NT);
		return 1;
	case SYS_INFO:
		a[0] = chance(f, 50) ? below(f, 16) : KEEL_INFO_AT(below(f, 16), below(f, 300));
		return 1;
	default: /* I/O ports, interrupts, device memory: capabilities we do not have */
		return 1;
	}
}

/* What a successful call leaves in our slots. */
static void note_result(long n, const unsigned long *a, long r)
{
	unsigned long dst = NSLOTS;
	enum kind k = K_NONE;

	if (r < 0)
		return;
	switch (n) {
	case SYS_AS_CREATE:
		dst = a[4], k = K_AS;
		break;
	case SYS_THREAD_CREATE:
		dst = a[5], k = K_TH;
		break;
	case SYS_ENDPOINT_CREATE:
		dst = a[2], k = K_EP;
		break;
	case SYS_NOTIFY_CREATE:
		dst = a[2], k = K_NT;
		break;
	case SYS_MEM_DERIVE:
		if (a[4] < NSLOTS)
			kind[a[4]] = K_MEM; /* a copy of a part: may be deleted */
		return;
	case SYS_CAP_COPY:
		if (a[1] == KEEL_CAP_SELF && a[0] < NSLOTS && a[2] < NSLOTS)
			kind[a[2]] = kind[a[0]] & ~K_MINE;
		return;
	case SYS_CAP_DELETE:
		if (a[1] < NSLOTS)
			kind[a[1]] = K_NONE;
		return;
	case SYS_DESTROY:
		if (a[0] < NSLOTS)
			kind[a[0]] = K_NONE;
		return;
	case SYS_CAP_LANDING: /* what lands there may be another's only capability */
		for (int i = 0; i < 2; i++)
			if (a[i] < NSLOTS && kind[a[i]] == K_NONE)
				kind[a[i]] = K_ANY | K_MINE;
		return;
	case SYS_SEND:
	case SYS_CALL: /* moved away: it is the receiver's now */
		if ((a[1] & IPC_TAG_MOVE) && !(a[1] & IPC_TAG_KERNEL))
			for (unsigned long i = 0; i < IPC_TAG_NCAPS(a[1]) && i < 2; i++)
				if (IPC_TAG_CAP(a[1], i) >= SYSFUZZ_FREE)
					kind[IPC_TAG_CAP(a[1], i)] = K_NONE;
		return;
	default:
		return;
	}
	if (dst < NSLOTS)
		kind[dst] = (unsigned char)(k | K_MINE);
}

static void surprise(long n, long r)
{
	long s = __atomic_add_fetch(&surprises, 1, __ATOMIC_RELAXED);

	status->surprises = (unsigned long)s;
	if (s <= 4)
		print_fmt("[sysfuzz] surprise: syscall %ld returned %ld\n", n, r);
}

static long fuzz_one(struct fuzzer *f);

/* Is the canary page as it was written?  A change is a surprise. */
static void canary_check(void)
{
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		if (canary[i] != (unsigned char)(i * 13 + 7)) {
			print_fmt("[sysfuzz] canary byte %lu changed\n", i);
			surprise(-1, (long)i);
			return;
		}
}

/* The end, by choice or at the last call: the calls made, or minus the surprises. */
static _Noreturn void finish(void)
{
	canary_check();
	long s = __atomic_load_n(&surprises, __ATOMIC_RELAXED);
	keel_exit(s ? -s : __atomic_load_n(&calls, __ATOMIC_RELAXED));
}

/* A thread of ours that fuzzes beside the first one, then ends (from helper_entry). */
_Noreturn void helper_main(unsigned long seed);
_Noreturn void helper_main(unsigned long seed)
{
	struct fuzzer f = { { 0 }, 0, 0, 0, 0 };

	rng_seed(&f.rng, seed);
	for (int i = 0; i < HELPER_CALLS; i++)
		fuzz_one(&f);
	keel_exit(0);
}

/* Entered from helper_start's frame: RSP + 8 aligned to 16, as after a call. */
__asm__(".text\n"
	"helper_entry:\n"
	"	call helper_main\n"
	"	ud2\n");
void helper_entry(void);

/*
 * Now and then a proper thread of our own: made in our donated memory,
 * with a stack mapped in the window, started in helper_entry.
 */
static void helper_start(struct fuzzer *f)
{
	unsigned long th = free_slot(f), stack = SYSFUZZ_WINDOW + below(f, WIN_PAGES) * PAGE_SIZE;

	if (th >= NSLOTS || kind[th] != K_NONE)
		return;
	long r = keel_thread_create(SYSFUZZ_KMEM, page_off(f), SYSFUZZ_AS, KEEL_NO_BUFFER,
				    below(f, 1000), th);
	if (r)
		return;
	kind[th] = K_TH | K_MINE;
	for (int tries = 0; tries < 4; tries++) { /* its stack, with the tables it needs */
		r = keel_map(SYSFUZZ_AS, stack, SYSFUZZ_MAPMEM, page_off(f),
			     KEEL_MAP_R | KEEL_MAP_W);
		if (r > -KEEL_ENOPDPT || r < -KEEL_ENOPT)
			break;
		keel_supply_table(SYSFUZZ_AS, stack, (unsigned long)(KEEL_ENOPT + r + 1),
				  SYSFUZZ_KMEM, page_off(f));
	}
	if (r != 0 && r != -KEEL_EEXIST)
		return;
	keel_thread_config(th, THREAD_PRIO_DEFAULT,
			   below(f, (unsigned long)keel_info(KEEL_INFO_CPUS)), KEEL_CAP_NONE);
	keel_thread_start(th, (unsigned long)helper_entry, stack + PAGE_SIZE - 8,
			  rng_next(&f->rng));
}

/* One call, its answer checked. */
static long fuzz_one(struct fuzzer *f)
{
	unsigned long a[6];
	long n, r;

	if (f->follow) { /* the table a map asked for */
		n = SYS_SUPPLY_TABLE;
		a[0] = f->fas, a[1] = f->fva, a[2] = (unsigned long)f->follow;
		a[3] = SYSFUZZ_KMEM, a[4] = page_off(f), a[5] = 0;
		f->follow = 0;
	} else {
		if (below(f, 3000) == 0)
			helper_start(f);
		n = chance(f, 97) ? (long)below(f, SYS_COUNT) : (long)any(f);
		if (!pick_args(f, n, a))
			return 0;
	}
	if (n == SYS_EXIT)
		finish();
	status->current = (unsigned long)n;
	r = keel_syscall(n, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
	status->calls = (unsigned long)__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	/* (SYS_INFO's values may be anything, the kernel's addresses too: its errors are EINVAL.) */
	if (n >= 0 && n < SYS_COUNT && n != SYS_INFO && r < 0 && -r >= KEEL_ECOUNT)
		surprise(n, r);
	if ((n < 0 || n >= SYS_COUNT) && r != -KEEL_ENOSYS)
		surprise(n, r);
	note_result(n, a, r);
	if ((n == SYS_MAP || n == SYS_MAP_RANGE) && r <= -KEEL_ENOPDPT && r >= -KEEL_ENOPT &&
	    chance(f, 80)) {
		f->follow = KEEL_ENOPT + 1 + r; /* the level: ENOPDPT 3, ENOPD 2, ENOPT 1 */
		f->fas = a[0], f->fva = a[1];
	}
	return r;
}

/*
 * The end: destroy every object this process holds, so its memory can
 * come back.  Passes until one finds nothing: a helper thread may make an
 * object behind the first pass, before the pass reaches its own slot.
 */
static int janitor(void)
{
	int left = 0, found = 1;

	for (int pass = 0; pass < 50 && found; pass++) {
		left = found = 0;
		for (unsigned long s = SYSFUZZ_FREE; s < NSLOTS; s++) {
			long info = keel_cap_info(s);
			if (info <= 0 || !(KEEL_CAP_RIGHTS(info) & KEEL_CAP_DESTROY))
				continue;
			found++;
			long r = keel_destroy(s);
			if (r ==
			    -KEEL_EBUSY) /* a space with threads, or a thread running elsewhere */
				left++;
		}
		if (left)
			keel_sleep(1);
	}
	keel_kmem_reclaim(SYSFUZZ_KMEM, 0, KSIZE);
	return left;
}

int main(unsigned long arg)
{
	struct fuzzer f = { { 0 }, 0, 0, 0, 1 };
	unsigned long want = SYSFUZZ_CALLS(arg);

	if (arg & SYSFUZZ_JANITOR)
		return janitor();
	rng_seed(&f.rng, SYSFUZZ_SEED(arg) * 0x9e3779b97f4a7c15ul + 1);
	kind[SYSFUZZ_KMEM] = K_MEM | K_MINE;
	kind[SYSFUZZ_MAPMEM] = K_MEM | K_MINE;
	kind[SYSFUZZ_AS] = K_AS | K_MINE;
	kind[SYSFUZZ_TH] = K_TH | K_MINE;
	for (int i = 0; i < SYSFUZZ_NEP; i++)
		kind[SYSFUZZ_EP + i] = K_EP | K_MINE;
	for (int i = 0; i < SYSFUZZ_NNT; i++)
		kind[SYSFUZZ_NT + i] = K_NT | K_MINE;
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		canary[i] = (unsigned char)(i * 13 + 7);
	while ((unsigned long)__atomic_load_n(&calls, __ATOMIC_RELAXED) < want)
		fuzz_one(&f);
	finish();
}
