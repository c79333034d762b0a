/*
 * pvictim - a process the pager tests start (user/ptest), doing one thing
 * chosen by its argument (PV_MODE; some carry a pid, PV_PID):
 *   PV_EXIT     allocate and touch 256 KB, then exit 0 without freeing it
 *               (the pager must take it all back);
 *   PV_RO_WRITE write to memory allocated read-only (killed);
 *   PV_WILD     read memory it never allocated (killed);
 *   PV_FREED    touch memory after freeing it (killed);
 *   PV_SHARE_RW wait for memory shared with it, check it, write to it;
 *   PV_SHARE_RO the same with a read-only share (killed at the write);
 *   PV_HOG      take all of its quota left at once and hold it a while;
 *   PV_PROTECT  make written memory read-only, then write it (killed);
 *   PV_QUOTA    allocate all of its quota left and touch it: one page
 *               more must be refused with EQUOTA;
 *   PV_SLEEP    sleep until killed;
 *   PV_BOMB     spawn copies of itself, each with nearly all of what it
 *               has left, until refused; then sleep;
 *   PV_CONNECT_INIT  connect to init and share into it: both must be refused;
 *   PV_FLOOD, PV_FLOOD_MID  a family that shares as much as it can (the
 *               share-table flood of issue 11): FLOOD starts two MIDs, each
 *               shares PV_PID pages into a child of its own; each reports
 *               "done" by writing PV_MAGIC into a page its parent shared
 *               into it at PV_SHARED_VA;
 *   PV_SERVER   offer a connection to anyone, wait for a page to be shared
 *               in (not charged to it), answer in it, and wait for it to
 *               vanish when the sharer ends: exit 0;
 *   PV_ATTACK   connect to PV_PID, share a page into it, wait for the
 *               answer, exit without freeing it;
 *   PV_ECHO     offer a connection to anyone, answer two calls on it with
 *               w0 + 1, then take a plain message labelled 9: exit 0 if
 *               all three came with the same badge;
 *   PV_GIVEN    call the endpoint capability it was given at spawn
 *               (PAGER_GIVEN_SLOT) with 41: exit 0 if the answer is 42;
 *   PV_HOARD    offer a connection to anyone, copy it into a slot the
 *               pager does not know of, answer a call through the copy
 *               and wait there: exit 0 once the wait ends with EDEAD (the
 *               client ended) and the copy is stale;
 *   PV_CONNECT  connect to PV_PID, call it once with 41, exit 0 on 42;
 *   PV_CHURN    serve PV_PID connections one after another: see churn();
 *   PV_LOOKUP, PV_SQUAT, PV_NAMED, PV_ARGS: the name service and the
 *               argument line (user/ptest/names.c; proto.h says each);
 *   PV_STORM    fragment the pager's free memory (issue 15): see storm();
 *   PV_PFUZZ    random requests to the pager (issue 15): see pfuzz();
 *   PV_NEGATIVE return -7 from main (crt0 must pass the sign on);
 *   the argument line `flood` or `klog`: see flood() below.
 */
#include "args.h"
#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include "rng.h"
#include "str.h"
#include <abi/pager.h>

#define RW (KEEL_MAP_R | KEEL_MAP_W)

/* Wait (at most `ticks`) until va is (want 1) or is not (want 0) shared into us. */
static int wait_shared(unsigned long va, int want, int ticks)
{
	unsigned long q[4];

	for (int t = 0; (pager_query(va, q) == 0) != want; t++) {
		if (t > ticks)
			return 0;
		keel_sleep(1);
	}
	return 1;
}

static void sleep_forever(void)
{
	for (;;)
		keel_sleep(THREAD_SLEEP_MAX);
}

/* Report "done" to our parent through the page it shared into us. */
static void done(void)
{
	if (wait_shared(PV_SHARED_VA, 1, 3000))
		*(volatile unsigned long *)PV_SHARED_VA = PV_MAGIC;
}

/* Start `mode` with quota and slots, share a page into it: its flag page in *flag. */
static long start_watched(unsigned long mode, unsigned long quota, unsigned long slots,
			  unsigned long *flag)
{
	unsigned long pid, there;
	long r = pager_alloc(0, PAGE_SIZE, RW, flag);

	if (!r)
		r = pager_spawn_limits("pvictim", mode, 0, quota, slots, &pid);
	if (!r)
		r = pager_share(*flag, PAGE_SIZE, pid, PV_SHARED_VA, RW, &there);
	return r;
}

static int wait_flag(unsigned long flag)
{
	for (int t = 0; *(volatile unsigned long *)flag != PV_MAGIC; t++) {
		if (t > 3000)
			return 0;
		keel_sleep(1);
	}
	return 1;
}

static int flood(void)
{
	unsigned long a, b;

	/*
	 * With ptest's flag page and these two, the old global table of 8192
	 * frames (full at three quarters, 6144) was exactly full.
	 */
	if (start_watched(PV_ARG(PV_FLOOD_MID, PV_FLOOD_PAGES), 32ul << 20, 1, &a) ||
	    start_watched(PV_ARG(PV_FLOOD_MID, PV_FLOOD_PAGES + 1), 32ul << 20, 1, &b))
		return 1;
	if (!wait_flag(a) || !wait_flag(b))
		return 2;
	done();
	sleep_forever();
	return 0;
}

static int flood_mid(unsigned long pages)
{
	unsigned long va, pid, there;

	if (pager_alloc(0, pages * PAGE_SIZE, RW | PAGER_EAGER, &va) ||
	    pager_spawn_limits("pvictim", PV_SLEEP, 0, 4ul << 20, 0, &pid) ||
	    pager_share(va, pages * PAGE_SIZE, pid, 0, KEEL_MAP_R, &there))
		return 1;
	done();
	sleep_forever();
	return 0;
}

static int bomb(void)
{
	for (int i = 0; i < 64; i++) {
		struct pager_limits l;
		unsigned long pid, quota = PAGER_QUOTA_DEFAULT, slots = 0;
		if (!pager_limits(0, &l)) { /* nearly all we have, to one child */
			slots = l.slots_left ? l.slots_left - 1 : 0;
			quota = l.bytes_left > PV_BOMB_KEEP ? l.bytes_left - PV_BOMB_KEEP : 0;
		}
		if (pager_spawn_limits("pvictim", PV_BOMB, 0, quota, slots, &pid))
			break;
	}
	sleep_forever();
	return 0;
}

static int server(void)
{
	struct pager_pstats p;

	pager_offer(0);
	if (!wait_shared(PV_SHARED_VA, 1, 3000))
		return 1;
	if (pager_pstats(0, &p) || p.reserved || p.data)
		return 2; /* the share was charged to us */
	if (*(volatile unsigned long *)PV_SHARED_VA != PV_MAGIC)
		return 3;
	*(volatile unsigned long *)PV_SHARED_VA = PV_MAGIC + 1; /* the sharer may go now */
	if (!wait_shared(PV_SHARED_VA, 0, 3000))
		return 4; /* still here after the sharer ended */
	return 0;
}

static int attack(unsigned long server)
{
	unsigned long va, there;

	if (pager_connect_wait(server, 3000) || pager_alloc(0, PAGE_SIZE, RW, &va))
		return 1;
	*(volatile unsigned long *)va = PV_MAGIC;
	if (pager_share(va, PAGE_SIZE, server, PV_SHARED_VA, RW, &there))
		return 2;
	for (int t = 0; *(volatile unsigned long *)va != PV_MAGIC + 1; t++) {
		if (t > 3000)
			return 3; /* the server never saw it */
		keel_sleep(1);
	}
	return 0; /* without freeing it: the pager must take it back from the server */
}

static int echo(void)
{
	struct keel_msg m = { 0 };
	unsigned long badge;

	pager_offer(0);
	for (int t = 0; keel_cap_info(PAGER_CONN_SLOT) < 0; t++) {
		if (t > 3000)
			return 1; /* nobody connected */
		keel_sleep(1);
	}
	/* Two calls, each answered with w0 + 1, then a plain send that ends it. */
	if (keel_recv(PAGER_CONN_SLOT, &m))
		return 2;
	badge = m.badge;
	for (int i = 0; i < 2; i++) {
		m.tag = IPC_TAG(0, 0);
		m.w[0]++;
		if (keel_reply_recv(PAGER_CONN_SLOT, &m))
			return 3;
		if (!badge || m.badge != badge)
			return 4; /* a capability given on keeps its badge */
	}
	return IPC_TAG_LABEL(m.tag) == 9 ? 0 : 5;
}

/* Wait (at most 3,000 polls) until our connection slot is full (want 1) or empty (want 0). */
static int wait_conn(int want)
{
	for (int t = 0; (keel_cap_info(PAGER_CONN_SLOT) >= 0) != want; t++) {
		if (t > 3000)
			return -1;
		keel_sleep(t < 100 ? 0 : 1); /* a yield first: the other side is busy, not late */
	}
	return 0;
}

/*
 * PV_CHURN (issue 15): n connections, one after another.  Each time:
 * offer to anyone, answer the client's one call with w0 + 1, and wait in
 * a receive until the client ends, which destroys the connection (its
 * endpoint is the client's); the pager then empties our slot, and we offer
 * again.  Exit 0 after n, or the step that failed.
 */
static int churn(unsigned long n)
{
	struct keel_msg m;

	for (unsigned long i = 0; i < n; i++) {
		if (wait_conn(0))
			return 1; /* the last connection outlived its client */
		if (pager_offer(0))
			return 2;
		if (wait_conn(1))
			return 3; /* nobody connected */
		m = (struct keel_msg){ 0 };
		if (keel_recv(PAGER_CONN_SLOT, &m))
			return 4;
		m.tag = IPC_TAG(0, 0);
		m.w[0]++;
		long r = keel_reply_recv(PAGER_CONN_SLOT, &m);
		if (r >= 0)
			return 5; /* a second message: the client calls once */
		if (r != -KEEL_EDEAD)
			return 6; /* the endpoint must go while we wait on it */
	}
	return 0;
}

static int hoard(void)
{
	long copy = cslot_alloc();

	pager_offer(0);
	for (int t = 0; keel_cap_info(PAGER_CONN_SLOT) < 0; t++) {
		if (t > 3000)
			return 1; /* nobody connected */
		keel_sleep(1);
	}
	if (copy < 0 ||
	    keel_cap_copy(PAGER_CONN_SLOT, KEEL_CAP_SELF, (unsigned long)copy, KEEL_EP_RECV, 0))
		return 2;
	/* The client's call, through the copy; then wait there until the client is gone. */
	struct keel_msg m = { 0 };
	if (keel_recv((unsigned long)copy, &m))
		return 3;
	m.tag = IPC_TAG(0, 0);
	m.w[0]++;
	if (keel_reply_recv((unsigned long)copy, &m) != -KEEL_EDEAD)
		return 4; /* the endpoint went while we waited on it */
	if (keel_cap_info((unsigned long)copy) != -KEEL_EDEAD)
		return 5;
	return 0; /* with the stale copy still in its slot */
}

static int given(void)
{
	struct keel_msg m = { 0, IPC_TAG(1, 0), { 41, 0, 0, 0 } };

	if (keel_cap_info(PAGER_GIVEN_SLOT) != (long)(KEEL_CAP_ENDPOINT << 8 | KEEL_EP_SEND))
		return 1;
	if (keel_cap_info(PAGER_GIVEN_SLOT + 1) != -KEEL_ENOENT)
		return 2; /* one was given */
	if (keel_call(PAGER_GIVEN_SLOT, &m))
		return 3;
	return m.w[0] == 42 ? 0 : 4;
}

static int connect_init(void)
{
	unsigned long va, there;
	long c = pager_connect(1);

	if (pager_alloc(0, PAGE_SIZE, RW, &va))
		return 1;
	long s = pager_share(va, PAGE_SIZE, 1, 0, KEEL_MAP_R, &there);
	return c == -KEEL_EPERM && s == -KEEL_EPERM ? 0 : 2;
}

static int quota(void)
{
	struct pager_limits l;
	unsigned long va, extra;

	if (pager_limits(0, &l))
		return 1;
	unsigned long size = l.bytes_left & ~PAGE_MASK;
	if (pager_alloc(0, size, RW, &va))
		return 2;
	for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
		*(volatile unsigned long *)a = a;
	for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
		if (*(volatile unsigned long *)a != a)
			return 3;
	if (pager_alloc(0, PAGE_SIZE, RW, &extra) != -KEEL_EQUOTA)
		return 4;
	if (pager_free(va, size) || pager_alloc(0, PAGE_SIZE, RW, &extra))
		return 5;
	return 0;
}

static int hog(void)
{
	struct pager_limits l;
	unsigned long va;

	if (pager_limits(0, &l))
		return 12;
	long r = pager_alloc(0, l.bytes_left & ~PAGE_MASK, RW | PAGER_EAGER, &va);
	keel_sleep(100); /* hold it while the others try */
	return r == 0 ? 0 : r == -KEEL_ENOMEM ? 10 : 11;
}

/*
 * Issue 15's storm: two sets of allocations, each too small for a 2 MB
 * page, touched a page of each in turn, so that each set holds every
 * other frame, until the pager has less than PV_STORM_LEFT free.  Then
 * the first set is freed (thousands of one-frame free blocks, one node of
 * the pager's allocator each), then the second.  Exit 0, or which step
 * failed.
 */
#define STORM_SETS  15 /* allocations per set: both fit in PAGER_MAX_ALLOCS */
#define STORM_BYTES ((2ul << 20) - PAGE_SIZE)
#define STORM_PAGES (STORM_BYTES / PAGE_SIZE)

static unsigned long storm_free(void)
{
	struct pager_stats s = { 0 };
	return pager_stats(&s) ? 0 : s.free;
}

static int storm(void)
{
	unsigned long a[STORM_SETS], b[STORM_SETS];

	for (int i = 0; i < STORM_SETS; i++)
		if (pager_alloc(0, STORM_BYTES, RW, &a[i]) ||
		    pager_alloc(0, STORM_BYTES, RW, &b[i]))
			return 1;
	for (unsigned long k = 0; k < STORM_SETS * STORM_PAGES; k++) {
		if (k % 8 == 0 && storm_free() < PV_STORM_LEFT)
			break;
		unsigned long off = (k % STORM_PAGES) * PAGE_SIZE;
		*(volatile unsigned long *)(a[k / STORM_PAGES] + off) = k;
		*(volatile unsigned long *)(b[k / STORM_PAGES] + off) = k;
	}
	for (int i = 0; i < STORM_SETS; i++)
		if (pager_free(a[i], STORM_BYTES))
			return 2;
	for (int i = 0; i < STORM_SETS; i++)
		if (pager_free(b[i], STORM_BYTES))
			return 3;
	return 0;
}

/* The name service's and the argument line's modes (user/ptest/names.c). */
static int named(unsigned long mode)
{
	long slot = cslot_alloc();
	struct keel_msg m = { 0, IPC_TAG(1, 0), { 41 } };
	const char *argv[ARGS_MAX_WORDS];

	if (slot < 0)
		return 10;
	switch (mode) {
	case PV_LOOKUP: {
		unsigned long server, va, there;
		if (pager_lookup("pt.named", (unsigned long)slot, &server))
			return 11;
		/* Share a page with the server, our parent: the name allows it. */
		if (pager_alloc(0, PAGE_SIZE, KEEL_MAP_R | KEEL_MAP_W, &va))
			return 18;
		*(unsigned long *)va = PV_MAGIC;
		if (pager_share(va, PAGE_SIZE, server, 0, KEEL_MAP_R, &there))
			return 19;
		m.w[1] = there;
		if (keel_call((unsigned long)slot, &m) || m.w[0] != 42)
			return 12;
		m = (struct keel_msg){ 0, IPC_TAG(9, 0), { 0 } };
		return keel_send((unsigned long)slot, &m) ? 13 : 0;
	}
	case PV_SQUAT:
		return pager_register("pt.named", (unsigned long)slot) == -KEEL_EEXIST ? 0 : 14;
	case PV_NAMED:
		if (pager_register("pv.named", (unsigned long)slot))
			return 15;
		for (long r = keel_recv((unsigned long)slot, &m);;
		     r = keel_reply_recv((unsigned long)slot, &m)) {
			if (r)
				return 16;
			m.tag = IPC_TAG(0, 0);
			m.w[0]++;
		}
	default: /* PV_ARGS */
		return args_words(argv) == 2 && str_eq(argv[0], "first") &&
			       str_eq(argv[1], "second")
			   ? 0
			   : 17;
	}
}

/*
 * Run from the shell with a word (tools/shelltest.py), it floods: `flood`
 * prints lines to the console as fast as it can, `klog` writes to the
 * kernel's log as fast as it can; both until killed.  Neither may
 * silence the shell.
 */
static _Noreturn void flood_forever(const char *how)
{
	for (unsigned long n = 0;; n++) {
		if (str_eq(how, "klog"))
			keel_debug_write("[pvictim] a kernel log flood line\n", 34);
		else
			print_fmt("flood line %lu\n", n);
	}
}

/*
 * PV_PFUZZ: PV_PFUZZ_CALLS requests to the pager with random labels (the
 * protocol's and others), words drawn by what they usually are (sizes,
 * addresses in the pager's own ranges and outside user space, pids,
 * flags, slots) and random ones, a buffer of random length holding a
 * program's name, a made-up name or random bytes, and now and then
 * capabilities of ours in the tag.  Every answer must be a result or an
 * error of the ABI; memory it is given is touched.  It frees and protects
 * only what it was given, or addresses that are no memory of its (its own
 * image and stack stay: losing them would end the test, not the pager).
 * It spawns nothing (ptest gives it no process slots), and the pager must
 * refuse it init's requests.  The exit code: the surprises.  Seeded by
 * PV_PID.
 */
static int pfuzz(unsigned long seed)
{
	static const char *const names[] = { "pvictim", "hello", "ptest",  "init",    "console",
					     "",	"pager", "nosuch", "pt.named" };
	unsigned char *buf = (unsigned char *)PROG_IPC_BUF;
	unsigned long given[8] = { 0 };
	struct rng r;
	int surprises = 0, ngiven = 0;

	rng_seed(&r, seed * 0x9e3779b97f4a7c15ul + 7);
	for (int i = 0; i < PV_PFUZZ_CALLS; i++) {
		struct keel_msg m = { 0 };
		unsigned long label = rng_below(&r, 10) ? rng_below(&r, PAGER_ISA_IRQ + 3)
							: rng_next(&r) & 0xffffffff;
		unsigned long len = rng_below(&r, 4) ? rng_below(&r, 40) : rng_below(&r, 5000);

		if (label == PAGER_SHUTDOWN && rng_below(&r, 4))
			label = PAGER_STATS; /* refused anyway: not too often */
		if (rng_below(&r, 2)) {
			const char *n = names[rng_below(&r, sizeof(names) / sizeof(names[0]))];
			str_copy((char *)buf, n, PAGE_SIZE);
		} else {
			for (unsigned long j = 0; j < len && j < PAGE_SIZE; j++)
				buf[j] = (unsigned char)rng_next(&r);
		}
		for (int w = 0; w < 4; w++) {
			unsigned long x = rng_next(&r);
			switch (rng_below(&r, 8)) {
			case 0:
				m.w[w] = x & 0xff; /* pids, slots, small flags */
				break;
			case 1: /* sizes */
				m.w[w] = (x % 64 + 1) * PAGE_SIZE;
				break;
			case 2: /* what we were given */
				m.w[w] = ngiven ? given[x % (unsigned long)ngiven] : 0;
				break;
			case 3: /* where the pager places memory, and past it */
				m.w[w] = PAGER_CHOSEN_BASE + (x % 4096) * PAGE_SIZE;
				break;
			case 4: /* no memory of ours: the kernel half, non-canonical, the top */
				m.w[w] = (x & 1) ? 0xffff800000000000ul + (x & 0xfffff000ul)
						 : KEEL_USER_TOP - PAGE_SIZE * (x % 4);
				break;
			case 5: /* flags */
				m.w[w] = x & (KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X | PAGER_EAGER |
					      PAGER_SHARED | PAGER_CONTIG | PAGER_FIXED);
				break;
			default:
				m.w[w] = x;
			}
		}
		/* Free and protect only what we were given, or what is no memory of ours. */
		if ((label == PAGER_FREE || label == PAGER_PROTECT) &&
		    (m.w[0] < PAGER_CHOSEN_BASE || m.w[0] >= KEEL_USER_TOP))
			m.w[0] = ngiven ? given[rng_next(&r) % (unsigned long)ngiven] : 0;
		m.tag = IPC_TAG(label, len);
		if (!rng_below(&r, 8))
			m.tag = IPC_TAG_CAPS(m.tag, 1 + rng_below(&r, 2), rng_below(&r, 6),
					     rng_below(&r, 6));
		long rc = keel_call(PAGER_SLOT, &m);
		unsigned long err = IPC_TAG_LABEL(m.tag);
		if (rc < 0 ? -rc >= KEEL_ECOUNT : err >= KEEL_ECOUNT) {
			if (surprises++ < 4)
				print_fmt("[pvictim] pager request %lu: call %ld, answer %lu\n",
					  label, rc, err);
			continue;
		}
		if (rc || err)
			continue;
		if (label == PAGER_ALLOC && m.w[0] >= PAGER_CHOSEN_BASE && m.w[0] < KEEL_USER_TOP) {
			if (ngiven < 8)
				given[ngiven++] = m.w[0];
			if (rng_below(&r, 2) && pager_query(m.w[0], (unsigned long[4]){ 0 }) == 0)
				(void)*(
				    volatile unsigned char *)m.w[0]; /* faulted in, if readable */
		}
		if (label == PAGER_FREE)
			for (int g = 0; g < ngiven; g++)
				if (given[g] == m.w[0])
					given[g] = given[--ngiven];
	}
	return surprises;
}

int main(unsigned long arg)
{
	unsigned long va;

	if (str_eq(args_line(), "flood") || str_eq(args_line(), "klog"))
		flood_forever(args_line());

	switch (PV_MODE(arg)) {
	case PV_EXIT:
		if (pager_alloc(0, 256 << 10, RW, &va))
			return 1;
		for (unsigned long a = va; a < va + (256 << 10); a += PAGE_SIZE)
			*(volatile unsigned long *)a = a;
		return 0;
	case PV_RO_WRITE:
		if (pager_alloc(0, PAGE_SIZE, KEEL_MAP_R, &va))
			return 1;
		if (*(volatile unsigned long *)va != 0) /* a zero page to read */
			return 2;
		*(volatile unsigned long *)va = 1;
		return 3;
	case PV_WILD:
		return (int)*(volatile unsigned long *)0x20000000000ul;
	case PV_SHARE_RW:
	case PV_SHARE_RO: {
		if (!wait_shared(PV_SHARED_VA, 1, 1000))
			return 1; /* never shared with us */
		volatile unsigned long *p = (volatile unsigned long *)PV_SHARED_VA;
		if (*p != PV_MAGIC)
			return 2;
		*p = PV_MAGIC + 1; /* read-only: killed here */
		return arg == PV_SHARE_RW ? 0 : 3;
	}
	case PV_HOG:
		return hog();
	case PV_PROTECT:
		if (pager_alloc(0, 2 * PAGE_SIZE, RW, &va))
			return 1;
		*(volatile unsigned long *)va = PV_MAGIC;
		if (pager_protect(va, 2 * PAGE_SIZE, KEEL_MAP_R))
			return 2;
		if (*(volatile unsigned long *)va != PV_MAGIC)
			return 3;
		*(volatile unsigned long *)va = 0; /* read-only now: killed */
		return 4;
	case PV_FREED:
		if (pager_alloc(0, PAGE_SIZE, RW, &va))
			return 1;
		*(volatile unsigned long *)va = 1;
		if (pager_free(va, PAGE_SIZE))
			return 2;
		*(volatile unsigned long *)va = 2;
		return 3;
	case PV_QUOTA:
		return quota();
	case PV_SLEEP:
		sleep_forever();
		return 0;
	case PV_BOMB:
		return bomb();
	case PV_CONNECT_INIT:
		return connect_init();
	case PV_FLOOD:
		return flood();
	case PV_FLOOD_MID:
		return flood_mid(PV_PID(arg));
	case PV_SERVER:
		return server();
	case PV_ATTACK:
		return attack(PV_PID(arg));
	case PV_ECHO:
		return echo();
	case PV_GIVEN:
		return given();
	case PV_HOARD:
		return hoard();
	case PV_LOOKUP:
	case PV_SQUAT:
	case PV_NAMED:
	case PV_ARGS:
		return named(PV_MODE(arg));
	case PV_PFUZZ:
		return pfuzz(PV_PID(arg));
	case PV_NEGATIVE:
		return -7;
	case PV_CHURN:
		return churn(PV_PID(arg));
	case PV_STORM:
		return storm();
	case PV_CONNECT: {
		struct keel_msg m = { 0, IPC_TAG(1, 0), { 41, 0, 0, 0 } };
		if (pager_connect_wait(PV_PID(arg), 3000))
			return 1;
		if (keel_call(PAGER_CONN_SLOT, &m))
			return 2;
		return m.w[0] == 42 ? 0 : 3;
	}
	}
	return 4;
}
