/*
 * ptest - the pager's tests, run by init in a test boot: memory on demand
 * and at once, quotas, bad requests, processes killed for touching what
 * is not theirs, spawn/exit cycles that must leave the pager's free memory
 * exactly where it was, and the limits of issue 11: requests bounded by
 * what the caller holds (far-apart segments), connections by consent,
 * shares charged to the sharer, process trees carved out of their
 * parents' limits.  Each test is one TAP line through SYS_DEBUG_TEST;
 * ptest exits with its failures.  init gives it PTEST_QUOTA bytes and
 * PTEST_SLOTS process slots.
 */
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include "ptest.h"
#include <abi/pager.h>

/* Free in every client: above its image, below where the pager places allocations. */
#define FIXED_VA 0x200000000ul
_Static_assert(FIXED_VA > PROG_LOAD_BASE && FIXED_VA + 2 * PAGE_SIZE <= PAGER_CHOSEN_BASE,
	       "FIXED_VA is free in a client");

static int failures;
char why[KEEL_TEST_NAME_MAX];

void report(const char *name, int ok)
{
	keel_debug_test(name, ok ? KEEL_TEST_PASS : KEEL_TEST_FAIL, ok ? 0 : why);
	failures += !ok;
}

int check(int *ok, int cond, const char *what)
{
	if (!cond && *ok) {
		fmt(why, sizeof(why), "%s", what);
		*ok = 0;
	}
	return cond;
}

static unsigned long mine(void)
{
	struct pager_pstats p = { 0 };
	pager_pstats(0, &p);
	return p.data;
}

unsigned long free_bytes(void)
{
	struct pager_stats s = { 0 };
	pager_stats(&s);
	return s.free;
}

/* Write every page and read it back: the number of wrong reads. */
static long touch(unsigned long va, unsigned long size, unsigned long salt)
{
	long bad = 0;
	for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
		*(volatile unsigned long *)a = a ^ salt;
	for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
		bad += *(volatile unsigned long *)a != (a ^ salt);
	return bad;
}

static void demand_paging(void)
{
	int ok = 1;
	unsigned long va, before = free_bytes();

	check(&ok, pager_alloc(0, 2 << 20, RW, &va) == 0, "allocating 2 MB");
	if (ok) {
		check(&ok, mine() == 0, "pages were backed before they were touched");
		check(&ok, *(volatile unsigned long *)(va + 12345 * 8) == 0, "a page was not zero");
		check(&ok, touch(va, 2 << 20, 0x1234) == 0, "wrong reads");
		check(&ok, mine() == 2 << 20, "not every touched page is backed");
		check(&ok, pager_free(va, 2 << 20) == 0, "freeing");
		check(&ok, mine() == 0, "pages still backed after the free");
		check(&ok, free_bytes() == before, "free memory did not come back");
	}
	report("pager_demand_paging", ok);
}

static void eager(void)
{
	int ok = 1;
	unsigned long va;

	check(&ok, pager_alloc(0, 1 << 20, RW | PAGER_EAGER, &va) == 0, "allocating 1 MB");
	if (ok) {
		check(&ok, mine() == 1 << 20, "not backed at once");
		check(&ok, touch(va, 1 << 20, 0x77) == 0, "wrong reads");
		check(&ok, pager_free(va, 1 << 20) == 0 && mine() == 0, "freeing");
	}
	report("pager_eager_allocation", ok);
}

/*
 * 2 MB pages (issue 13): an allocation that can hold one starts on a 2 MB
 * boundary; a touch in a 2 MB block wholly inside it backs the whole block
 * at once (one 2 MB page), a touch in the tail one 4 KB page; contents
 * survive PAGER_PROTECT, and the memory comes back exactly.
 */
static void large_pages(void)
{
	int ok = 1;
	unsigned long va, size = (4 << 20) + 2 * PAGE_SIZE, before = free_bytes(), q[4];

	check(&ok, pager_alloc(0, size, RW, &va) == 0, "allocating 4 MB and 8 KB");
	if (ok) {
		check(&ok, va % (2 << 20) == 0, "not on a 2 MB boundary");
		*(volatile unsigned long *)(va + 5 * PAGE_SIZE) = 5;
		check(&ok, mine() == 2 << 20, "one touch did not back its 2 MB block");
		check(&ok, pager_query(va, q) == 0 && q[3] == 2 << 20,
		      "PAGER_QUERY's backed bytes");
		*(volatile unsigned long *)(va + (4 << 20) + PAGE_SIZE) = 6;
		check(&ok, mine() == (2 << 20) + PAGE_SIZE, "a touch in the tail backed more");
		check(&ok, *(volatile unsigned long *)(va + (2 << 20)) == 0, "a page was not zero");
		check(&ok, mine() == (4 << 20) + PAGE_SIZE, "the second block");
		check(&ok, touch(va, size, 0x2bad) == 0, "wrong reads");
		check(&ok, mine() == size, "not every touched page is backed");
		check(&ok, pager_protect(va, size, KEEL_MAP_R) == 0, "read-only");
		long bad = 0;
		for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
			bad += *(volatile unsigned long *)a != (a ^ 0x2bad);
		check(&ok, bad == 0, "contents changed by PAGER_PROTECT");
		check(&ok, pager_protect(va, size, RW) == 0 && mine() == size, "writable again");
		check(&ok, touch(va, size, 0x3bad) == 0, "wrong reads after PAGER_PROTECT");
		check(&ok, pager_free(va, size) == 0 && mine() == 0, "freeing");
	}
	check(&ok, pager_alloc(0, 4 << 20, RW | PAGER_EAGER, &va) == 0, "allocating 4 MB eagerly");
	if (ok) {
		check(&ok, va % (2 << 20) == 0 && mine() == 4 << 20, "not backed at once");
		check(&ok, *(volatile unsigned long *)(va + (3 << 20)) == 0, "a page was not zero");
		check(&ok, touch(va, 4 << 20, 0x4bad) == 0, "wrong reads");
		check(&ok, pager_free(va, 4 << 20) == 0 && mine() == 0, "freeing");
	}
	check(&ok, free_bytes() == before, "free memory did not come back");
	report("pager_large_pages", ok);
}

/* A contiguous run: aligned to its size, mapped, counted as ours. */
static void contiguous(void)
{
	int ok = 1;
	unsigned long va, phys;
	struct pager_pstats p;

	check(&ok, pager_alloc_contig(2 << 20, RW, &va, &phys) == 0, "allocating 2 MB contiguous");
	if (ok) {
		check(&ok, phys % (2 << 20) == 0, "the run is not 2 MB aligned");
		check(&ok, touch(va, 2 << 20, 0xc0) == 0, "wrong reads");
		check(&ok, pager_pstats(0, &p) == 0 && p.data == 2 << 20 && p.reserved == 2 << 20,
		      "our statistics do not count it");
		check(&ok, p.kernel > 0 && p.quota == PTEST_QUOTA,
		      "our statistics lack the kernel memory or quota");
		check(&ok, pager_free(va, 2 << 20) == 0 && mine() == 0, "freeing");
	}
	check(&ok, pager_alloc_contig(3 << 12, RW, &va, &phys) == -KEEL_EINVAL,
	      "a run that is not a power of two pages");
	check(&ok, pager_pstats(999999, &p) == -KEEL_ENOENT, "statistics of no process");
	check(&ok, pager_pstats(1, &p) == -KEEL_ENOENT, "statistics of init, which is not ours");
	report("pager_contiguous_run_and_statistics", ok);
}

/* Run pvictim in `mode`: 1 if it ended as `want_how` (with `want_code`). */
static int victim(unsigned long mode, unsigned long want_how, long want_code);

/* A child allocates all of its quota left, touches it, and is refused one page more. */
static void quota(void)
{
	int ok = 1;

	check(&ok, victim(PV_QUOTA, PAGER_EXITED, 0), run_why); /* 4: one page more was allowed */
	report("pager_quota", ok);
}

/* main's int return value is the exit code, sign and all (crt0 once passed 2^32 - 7). */
static void negative_exit(void)
{
	int ok = 1;

	check(&ok, victim(PV_NEGATIVE, PAGER_EXITED, -7), run_why);
	report("exit_code_keeps_its_sign", ok);
}

static void bad_requests(void)
{
	int ok = 1;
	unsigned long va, how;
	long code;

	check(&ok, pager_alloc(0, 0, RW, &va) == -KEEL_EINVAL, "size 0");
	check(&ok, pager_alloc(0, 100, RW, &va) == -KEEL_EINVAL, "a size that is not whole pages");
	check(&ok, pager_alloc(0x100000123, PAGE_SIZE, RW, &va) == -KEEL_EINVAL,
	      "a misaligned address");
	check(&ok, pager_alloc(0xffffffff80000000, PAGE_SIZE, RW, &va) == -KEEL_EFAULT,
	      "the kernel half");
	check(&ok, pager_alloc(0, PAGE_SIZE, KEEL_MAP_W, &va) == -KEEL_EINVAL, "rights without R");
	check(&ok, pager_alloc(0, PAGE_SIZE, RW | 0x8000, &va) == -KEEL_EINVAL, "unknown flags");
	check(&ok, pager_alloc(FIXED_VA, 2 * PAGE_SIZE, RW, &va) == 0, "a fixed address");
	check(&ok, pager_alloc(FIXED_VA + PAGE_SIZE, PAGE_SIZE, RW, &va) == -KEEL_EEXIST,
	      "an overlap");
	check(&ok, pager_free(FIXED_VA, PAGE_SIZE) == -KEEL_ENOENT,
	      "freeing part of an allocation");
	check(&ok, pager_free(FIXED_VA, 2 * PAGE_SIZE) == 0, "freeing it");
	check(&ok, pager_free(FIXED_VA, 2 * PAGE_SIZE) == -KEEL_ENOENT, "freeing it twice");
	/* What the pager mapped at the start is not ours to reallocate or free. */
	check(&ok, pager_alloc(PROG_IPC_BUF, PAGE_SIZE, RW, &va) == -KEEL_EEXIST,
	      "an allocation over our own IPC buffer");
	check(&ok, pager_alloc(PROG_STACK_TOP - 2 * PAGE_SIZE, PAGE_SIZE, RW, &va) == -KEEL_EEXIST,
	      "an allocation over our own stack");
	check(&ok, pager_alloc(PROG_LOAD_BASE, PAGE_SIZE, RW, &va) == -KEEL_EEXIST,
	      "an allocation over our own image");
	check(&ok, pager_free(PROG_IPC_BUF, PAGE_SIZE) == -KEEL_EINVAL,
	      "freeing our own IPC buffer");
	check(&ok, pager_status(999999, &how, &code) == -KEEL_ENOENT, "an unknown process");
	check(&ok, pager_shutdown(0) == -KEEL_EPERM, "a shutdown from another than init");
	check(&ok, pager_spawn("no-such-module", 0, &va) == -KEEL_ENOENT, "a missing module");
	unsigned long before = free_bytes();
	check(&ok, pager_spawn_on("pvictim", PV_EXIT, 4096, &va) == -KEEL_EINVAL,
	      "a process on a CPU that does not exist");
	check(&ok, free_bytes() == before, "a refused spawn kept memory");
	struct keel_msg m = { 0, IPC_TAG(77, 0), { 0 } };
	check(&ok, keel_call(PAGER_SLOT, &m) == 0 && IPC_TAG_LABEL(m.tag) == KEEL_ENOSYS,
	      "an unknown request");
	report("pager_bad_requests", ok);
}

char run_why[KEEL_TEST_NAME_MAX];

int run(const char *name, unsigned long arg, unsigned long want_how, long want_code)
{
	unsigned long pid, how = 99;
	long code = -1, r;

	if ((r = pager_spawn(name, arg, &pid))) {
		fmt(run_why, sizeof(run_why), "spawning %s: %ld", name, r);
		return 0;
	}
	if ((r = pager_wait(pid, WAIT, &how, &code))) {
		fmt(run_why, sizeof(run_why), "waiting for %s: %ld", name, r);
		return 0;
	}
	fmt(run_why, sizeof(run_why), "%s ended %lu with %ld", name, how, code);
	return how == want_how && (how != PAGER_EXITED || code == want_code);
}

static int victim(unsigned long mode, unsigned long want_how, long want_code)
{
	return run("pvictim", mode, want_how, want_code);
}

static void kills(void)
{
	int ok = 1;

	check(&ok, victim(PV_RO_WRITE, PAGER_KILLED, 0), "a write to read-only memory");
	report("pager_readonly_write_kills", ok);
	ok = 1;
	check(&ok, victim(PV_WILD, PAGER_KILLED, 0), "a read of memory never allocated");
	report("pager_unallocated_touch_kills", ok);
	ok = 1;
	check(&ok, victim(PV_FREED, PAGER_KILLED, 0), "a touch after the free");
	report("pager_touch_after_free_kills", ok);
	ok = 1;
	check(&ok, victim(PV_PROTECT, PAGER_KILLED, 0),
	      "a write after PAGER_PROTECT made it read-only");
	report("pager_protect_read_only_kills", ok);
}

/* Share a page with pvictim in `mode`; what it saw and did, and our page. */
static void share(const char *name, unsigned long mode, unsigned rights, unsigned long want_how,
		  unsigned long want_value)
{
	int ok = 1;
	unsigned long va, pid, how = 99, got, before = free_bytes();
	long code = -1;

	check(&ok, pager_alloc(0, PAGE_SIZE, RW, &va) == 0, "allocating a page");
	if (ok) {
		*(volatile unsigned long *)va = PV_MAGIC;
		check(&ok, pager_spawn("pvictim", mode, &pid) == 0, "spawning the other side");
	}
	if (ok) {
		check(&ok, pager_share(va, PAGE_SIZE, pid, PV_SHARED_VA, rights, &got) == 0,
		      "sharing the page");
		check(&ok, got == PV_SHARED_VA, "shared at another address");
		check(&ok, pager_wait(pid, WAIT, &how, &code) == 0, "the other side never ended");
		check(&ok, how == want_how && (how != PAGER_EXITED || code == 0),
		      "the other side ended the wrong way");
		check(&ok, *(volatile unsigned long *)va == want_value,
		      "the page does not hold what the other side should have left");
	}
	check(&ok, pager_free(va, PAGE_SIZE) == 0, "freeing the page");
	check(&ok, free_bytes() == before, "free memory did not come back");
	report(name, ok);
}

static void bad_shares(void)
{
	int ok = 1;
	unsigned long va, out;

	check(&ok, pager_alloc(0, 2 * PAGE_SIZE, KEEL_MAP_R, &va) == 0, "allocating");
	check(&ok, pager_share(va, PAGE_SIZE, 1, 0, KEEL_MAP_R, &out) == -KEEL_ENOENT,
	      "sharing part of an allocation");
	check(&ok, pager_share(va, 2 * PAGE_SIZE, 999999, 0, KEEL_MAP_R, &out) == -KEEL_ENOENT,
	      "sharing with no process");
	check(&ok, pager_share(va, 2 * PAGE_SIZE, 1, 0, RW, &out) == -KEEL_EINVAL,
	      "sharing with more rights than we have");
	check(&ok, pager_share(va, 2 * PAGE_SIZE, 1, 0, KEEL_MAP_R, &out) == -KEEL_EPERM,
	      "sharing into a process we neither spawned nor connected to (init)");
	check(&ok, pager_share(PROG_IPC_BUF, PAGE_SIZE, 1, 0, KEEL_MAP_R, &out) == -KEEL_EINVAL,
	      "sharing our own IPC buffer");
	check(&ok, pager_share(va, 2 * PAGE_SIZE, 1, 0, 0, &out) == -KEEL_EINVAL,
	      "sharing without R");
	unsigned long q[4];
	check(&ok,
	      pager_query(va + PAGE_SIZE, q) == 0 && q[0] == va && q[1] == 2 * PAGE_SIZE &&
		  q[2] == KEEL_MAP_R && q[3] == 0,
	      "the query of an untouched allocation");
	check(&ok, pager_query(0x20000000000ul, q) == -KEEL_ENOENT, "the query of nothing");
	check(&ok, pager_alloc(PAGER_SHARE_BASE, PAGE_SIZE, RW, &out) == -KEEL_EFAULT,
	      "an allocation in the window for shared-in memory");
	check(&ok, pager_protect(va, PAGE_SIZE, KEEL_MAP_R) == -KEEL_ENOENT,
	      "protecting part of it");
	check(&ok, pager_protect(va, 2 * PAGE_SIZE, KEEL_MAP_W) == -KEEL_EINVAL,
	      "rights without R");
	check(&ok,
	      pager_protect(va, 2 * PAGE_SIZE, RW) == 0 && pager_query(va, q) == 0 && q[2] == RW,
	      "protecting it read-write");
	check(&ok, pager_free(va, 2 * PAGE_SIZE) == 0, "freeing");
	report("pager_bad_shares_and_queries", ok);
}

/*
 * More processes ask for memory at once than there is: some get
 * KEEL_ENOMEM, none is killed, nothing crashes, and it all comes back.
 * Only on a small machine (64 MB): elsewhere there is too much to run out of.
 */
static void out_of_memory(void)
{
	unsigned long pid[12], how;
	long code;
	int ok = 1, got = 0, refused = 0, n;
	unsigned long before = free_bytes();

	n = (int)(before / PAGER_QUOTA_DEFAULT) + 2;
	if (n > 12) {
		keel_debug_test("pager_out_of_memory_is_an_error", KEEL_TEST_SKIP,
				"more memory than a few processes can take");
		return;
	}
	for (int i = 0; i < n; i++)
		check(&ok, pager_spawn("pvictim", PV_HOG, &pid[i]) == 0, "spawning a hog");
	for (int i = 0; ok && i < n; i++) {
		check(&ok, pager_wait(pid[i], WAIT, &how, &code) == 0, "a hog never ended");
		check(&ok, how == PAGER_EXITED && (code == 0 || code == 10),
		      "a hog was killed or failed otherwise");
		got += code == 0;
		refused += code == 10;
	}
	check(&ok, refused > 0, "nobody was told there is no memory");
	check(&ok, got > 0, "nobody got memory");
	check(&ok, free_bytes() == before, "free memory did not come back");
	report("pager_out_of_memory_is_an_error", ok);
}

static void cycles(void)
{
	int ok = 1;

	/* The first ones may grow the pager's own tables and node pages. */
	for (int i = 0; i < 2; i++)
		check(&ok, victim(PV_EXIT, PAGER_EXITED, 0), "a warm-up process did not exit 0");
	unsigned long before = free_bytes();
	int exited = 0;
	for (int i = 0; i < 20; i++)
		exited += victim(PV_EXIT, PAGER_EXITED, 0);
	check(&ok, exited == 20, "a process did not exit 0");
	unsigned long after = free_bytes();
	if (!check(&ok, after == before, "free memory changed"))
		fmt(why, sizeof(why), "free memory %lu before 20 spawn/exit cycles, %lu after",
		    before, after);
	report("pager_spawn_exit_cycles_leak_nothing", ok);
}

/* How many 2 MB runs (PAGER_CONTIG) we can hold at once; all freed again. */
static unsigned long chunks_free(void)
{
	unsigned long va[PAGER_MAX_ALLOCS], phys, n = 0;

	while (n < PAGER_MAX_ALLOCS && pager_alloc_contig(2 << 20, RW, &va[n], &phys) == 0)
		n++;
	for (unsigned long i = 0; i < n; i++)
		pager_free(va[i], 2 << 20);
	return n;
}

/*
 * Issue 15: pvictim's storm fragments nearly all free memory a frame at a
 * time and frees it; the pager's allocator needs thousands of nodes
 * meanwhile.  After it, free memory must be exactly back (the node pages
 * given back) and 2 MB blocks whole again: a spawn, which needs one, works.
 * Only on a small machine (64 MB): elsewhere there is too much to fragment.
 */
static void storm(void)
{
	int ok = 1;
	unsigned long pid, how = 99, before, after, chunks;
	long code = -1;

	if (free_bytes() > (64ul << 20)) {
		keel_debug_test("pager_storm_gives_memory_back_whole", KEEL_TEST_SKIP,
				"more memory than a storm can take in time");
		return;
	}
	chunks_free(); /* the first time may grow our tables */
	chunks = chunks_free();
	before = free_bytes();
	check(&ok, pager_spawn_limits("pvictim", PV_STORM, 0, 2 * before, 0, &pid) == 0,
	      "spawning the storm");
	if (ok) {
		check(&ok, pager_wait(pid, WAIT, &how, &code) == 0, "the storm never ended");
		if (ok && !check(&ok, how == PAGER_EXITED && code == 0, "the storm failed"))
			fmt(why, sizeof(why), "the storm ended %lu with %ld", how, code);
	}
	after = free_bytes();
	unsigned long now = chunks_free();
	if (ok && !check(&ok, after == before && now == chunks, "memory lost"))
		fmt(why, sizeof(why), "free %lu before the storm, %lu after; 2 MB blocks %lu, %lu",
		    before, after, chunks, now);
	check(&ok, victim(PV_EXIT, PAGER_EXITED, 0), run_why);
	report("pager_storm_gives_memory_back_whole", ok);
}

/*
 * Issue 15: hostile requests.  Three processes at once, on different
 * CPUs, each send the pager PV_PFUZZ_CALLS random requests (pvictim's
 * pfuzz): every answer must be one of the ABI's, the pager must answer
 * everyone to the end, and the memory they were given must come back.
 */
static void pfuzz(void)
{
	int ok = 1, n = 0;
	unsigned long pid[3], cpus = (unsigned long)keel_info(KEEL_INFO_CPUS), before;

	victim(PV_EXIT, PAGER_EXITED, 0); /* the first may grow the pager's own tables */
	before = free_bytes();
	for (int i = 0; i < 3; i++) {
		if (!check(&ok,
			   pager_spawn_limits("pvictim", PV_ARG(PV_PFUZZ, 1000 + i),
					      (unsigned long)(i + 1) % (cpus ? cpus : 1),
					      PAGER_QUOTA_DEFAULT, 0, &pid[n]) == 0,
			   "spawning a fuzzer"))
			break;
		n++;
	}
	for (int i = 0; i < n; i++) {
		unsigned long how = 99;
		long code = -1;
		check(&ok, pager_wait(pid[i], WAIT, &how, &code) == 0, "a fuzzer never ended");
		if (ok && !check(&ok, how == PAGER_EXITED && code == 0, "a fuzzer"))
			fmt(why, sizeof(why), "a fuzzer ended %lu with %ld surprises", how, code);
	}
	unsigned long after = free_bytes();
	if (ok && !check(&ok, after == before, "free memory"))
		fmt(why, sizeof(why), "free %lu before the fuzzers, %lu after", before, after);
	check(&ok, victim(PV_EXIT, PAGER_EXITED, 0), run_why);
	report("pager_answers_random_requests", ok);
}

int main(void)
{
	print("[ptest] the pager's tests\n");
	demand_paging();
	eager();
	large_pages();
	contiguous();
	quota();
	bad_requests();
	kills();
	share("pager_share_write_seen_on_the_other_side", PV_SHARE_RW, RW, PAGER_EXITED,
	      PV_MAGIC + 1);
	share("pager_share_read_only_write_kills", PV_SHARE_RO, KEEL_MAP_R, PAGER_KILLED, PV_MAGIC);
	bad_shares();
	out_of_memory();
	cycles();
	limits_tests();
	names_tests();
	storm();
	pfuzz();
	negative_exit();
	return failures;
}
