/*
 * bench - Keel's side of `make bench`, started by init when the kernel
 * command line has `bench` (BENCH_MAIN) or `bench-fair` (BENCH_FAIR: only
 * the fairness figures, which pfair prints).  BENCH_MAIN measures, in TSC
 * cycles (under QEMU's -icount these count instructions), each path many
 * times after a warm-up, and prints one line per measurement:
 *   [bench] NAME median MIN..MAX (N samples)
 * The same program, started with BENCH_SERVER, is the other side of the
 * IPC measurements.  It checks its own results: a lost or wrong reply, a
 * page that reads back wrong, fails the run (`[bench] FAILED ...`).
 */
#include "fmt.h"
#include "keel.h"
#include "sort.h"
#include "str.h"
#include "pagerc.h"
#include "proto.h"
#include <abi/pager.h>

#define SAMPLES 101
#define WARMUP	10

/*
 * Profile windows.  `make bench` also boots this program under
 * tools/profile/plugin.c, which counts, per function, the instructions
 * executed on every CPU between a window's MARK_ON and MARK_OFF.  A
 * marker is an instruction that does nothing (a NOP with the plugin's
 * magic displacement), so the figures of the other runs do not change.
 * Each measured sample is one window; `[bench] window ID NAME OPS` says
 * how many operations one sample is (tools/bench.py divides by it).
 */
enum { W_NULL, W_IPC_SAME, W_IPC_CROSS, W_TOUCH, W_EAGER, W_UNMAP, W_SPAWN, W_TOUCH_2M };
#define MARK(id, on) \
	__asm__ volatile("nopl %c0(%%rax)" ::"i"(0x4b4c0000u | (on) << 8 | (id)) : "memory")
#define MARK_ON(id)  MARK(id, 1)
#define MARK_OFF(id) MARK(id, 0)

/* The IPC measurements' markers: their window is an argument, a marker's is a constant. */
static void ipc_mark(int id, int on)
{
	if (id == W_IPC_SAME && on)
		MARK_ON(W_IPC_SAME);
	else if (id == W_IPC_SAME)
		MARK_OFF(W_IPC_SAME);
	else if (on)
		MARK_ON(W_IPC_CROSS);
	else
		MARK_OFF(W_IPC_CROSS);
}

static void window(int id, const char *name, unsigned long ops)
{
	print_fmt("[bench] window %d %s %lu\n", id, name, ops);
}

static unsigned long samples[SAMPLES];
static int failed;

/* Print the median and the range of samples[0..n), each divided by `per`. */
static void result(const char *name, int n, unsigned long per)
{
	sort_ulong(samples, n);
	print_fmt("[bench] %s %lu %lu..%lu (%d samples)\n", name, samples[n / 2] / per,
		  samples[0] / per, samples[n - 1] / per, n);
}

static void fail(const char *what)
{
	print_fmt("[bench] FAILED %s\n", what);
	failed++;
}

static void null_syscall(void)
{
	for (int s = -WARMUP; s < SAMPLES; s++) {
		if (s >= 0)
			MARK_ON(W_NULL);
		unsigned long t0 = keel_rdtsc();
		for (int i = 0; i < 100; i++)
			keel_info(KEEL_INFO_CPU);
		unsigned long t = keel_rdtsc() - t0;
		MARK_OFF(W_NULL);
		if (s >= 0)
			samples[s] = t;
	}
	result("null_syscall", SAMPLES, 100);
	window(W_NULL, "null_syscall", 100);
}

/* Call a bench server on `cpu` (another process): the round trip. */
static void ipc_round_trip(const char *name, int id, unsigned long cpu)
{
	unsigned long pid, how;
	long code;

	if (pager_spawn_on("bench", BENCH_SERVER, cpu, &pid) || pager_connect_wait(pid, 1000)) {
		fail("starting the IPC server");
		return;
	}
	for (int s = -WARMUP; s < SAMPLES; s++) {
		if (s >= 0)
			ipc_mark(id, 1);
		unsigned long t0 = keel_rdtsc();
		for (unsigned long i = 0; i < 20; i++) {
			struct keel_msg m = { 0, IPC_TAG(BENCH_PING, 0), { i, 0, 0, 0 } };
			if (keel_call(PAGER_CONN_SLOT, &m) || m.w[0] != i + 1) {
				ipc_mark(id, 0);
				fail("a lost or wrong IPC reply");
				return;
			}
		}
		unsigned long t = keel_rdtsc() - t0;
		ipc_mark(id, 0);
		if (s >= 0)
			samples[s] = t;
	}
	result(name, SAMPLES, 20);
	window(id, name, 20);
	struct keel_msg quit = { 0, IPC_TAG(BENCH_QUIT, 0), { 0 } };
	keel_send(PAGER_CONN_SLOT, &quit);
	if (pager_wait(pid, 1000, &how, &code) || how != PAGER_EXITED || code)
		fail("the IPC server did not exit cleanly");
}

static int server(void)
{
	struct keel_msg m = { 0 };
	long r = pager_offer(0); /* the client connects once we consent */

	if (r)
		return 1;
	while ((r = keel_recv(PAGER_CONN_SLOT, &m)) == -KEEL_ENOENT)
		keel_yield(); /* not connected yet */
	for (;;) {
		if (r < 0)
			return 1;
		if (IPC_TAG_LABEL(m.tag) == BENCH_QUIT)
			return 0;
		m.tag = IPC_TAG(0, 0);
		m.w[0]++;
		r = keel_reply_recv(PAGER_CONN_SLOT, &m);
	}
}

#define PAGES 64

/* First touch of memory on demand: each page's fault, one at a time. */
static void first_touch(void)
{
	int n = 0;
	for (int round = 0; round < 3 && n < SAMPLES; round++) {
		unsigned long va;
		if (pager_alloc(0, PAGES * PAGE_SIZE, KEEL_MAP_R | KEEL_MAP_W, &va)) {
			fail("allocating");
			return;
		}
		for (int p = 0; p < PAGES && n < SAMPLES; p++) {
			volatile unsigned long *a =
			    (unsigned long *)(va + (unsigned long)p * PAGE_SIZE);
			int keep = round || p >= WARMUP;
			if (keep)
				MARK_ON(W_TOUCH);
			unsigned long t0 = keel_rdtsc();
			*a = 1;
			unsigned long t = keel_rdtsc() - t0;
			MARK_OFF(W_TOUCH);
			if (*a != 1)
				fail("a page reads back wrong");
			if (keep)
				samples[n++] = t;
		}
		pager_free(va, PAGES * PAGE_SIZE);
	}
	result("first_touch_per_page", n, 1);
	window(W_TOUCH, "first_touch_per_page", 1);
}

static unsigned long freeing[SAMPLES];

/* Memory backed at once, and freed: per page. */
static void batched(void)
{
	for (int s = -WARMUP; s < SAMPLES / 4; s++) {
		if (s >= 0)
			MARK_ON(W_EAGER);
		unsigned long va, t0 = keel_rdtsc();
		if (pager_alloc(0, PAGES * PAGE_SIZE, KEEL_MAP_R | KEEL_MAP_W | PAGER_EAGER, &va)) {
			MARK_OFF(W_EAGER);
			fail("allocating eagerly");
			return;
		}
		unsigned long t1 = keel_rdtsc();
		MARK_OFF(W_EAGER);
		if (s >= 0)
			MARK_ON(W_UNMAP);
		if (*(volatile unsigned long *)(va + 7 * PAGE_SIZE) != 0)
			fail("an eager page is not zero");
		pager_free(va, PAGES * PAGE_SIZE);
		unsigned long t2 = keel_rdtsc();
		MARK_OFF(W_UNMAP);
		if (s >= 0) {
			samples[s] = t1 - t0;
			freeing[s] = t2 - t1;
		}
	}
	result("eager_alloc_per_page", SAMPLES / 4, PAGES);
	for (int s = 0; s < SAMPLES / 4; s++)
		samples[s] = freeing[s];
	result("unmap_and_free_per_page", SAMPLES / 4, PAGES);
	window(W_EAGER, "eager_alloc_per_page", PAGES);
	window(W_UNMAP, "unmap_and_free_per_page", PAGES);
}

#define LARGE (2ul << 20)

/*
 * A first touch in a 2 MB allocation, which the pager backs with one 2 MB
 * page (checked: PAGER_QUERY says 2 MB backed after the one touch); and,
 * to judge it by, clearing 2 MB that is backed already, with the
 * instruction the kernel clears with (page_clear makes the same choice).
 */
static void large_pages(void)
{
	unsigned long va, q[4];

	for (int s = -2; s < 21; s++) {
		if (pager_alloc(0, LARGE, KEEL_MAP_R | KEEL_MAP_W, &va)) {
			fail("allocating 2 MB");
			return;
		}
		if (s >= 0)
			MARK_ON(W_TOUCH_2M);
		unsigned long t0 = keel_rdtsc();
		*(volatile unsigned long *)(va + 12345 * 8) = 1;
		unsigned long t = keel_rdtsc() - t0;
		MARK_OFF(W_TOUCH_2M);
		if (pager_query(va, q) || q[3] != LARGE)
			fail("a touch in 2 MB did not back them as one 2 MB page");
		if (s >= 0)
			samples[s] = t;
		unsigned long t1 = keel_rdtsc();
		for (unsigned long off = 0; off < LARGE; off += PAGE_SIZE)
			page_clear((void *)(va + off));
		unsigned long t2 = keel_rdtsc();
		if (s >= 0)
			freeing[s] = t2 - t1;
		if (*(volatile unsigned long *)(va + 12345 * 8) != 0)
			fail("2 MB not cleared");
		pager_free(va, LARGE);
	}
	result("first_touch_2mb", 21, 1);
	window(W_TOUCH_2M, "first_touch_2mb", 1);
	for (int s = 0; s < 21; s++)
		samples[s] = freeing[s];
	result("clear_2mb", 21, 1);
}

/* Spawn a process that exits at once, and see it gone. */
static void spawn_exit(void)
{
	for (int s = -2; s < 21; s++) {
		if (s >= 0)
			MARK_ON(W_SPAWN);
		unsigned long pid, how = PAGER_RUNNING, t0 = keel_rdtsc();
		long code;
		if (pager_spawn("bench", BENCH_EXIT, &pid)) {
			MARK_OFF(W_SPAWN);
			fail("spawning");
			return;
		}
		while (!pager_status(pid, &how, &code) && how == PAGER_RUNNING)
			keel_yield();
		unsigned long t = keel_rdtsc() - t0;
		MARK_OFF(W_SPAWN);
		if (how != PAGER_EXITED || code)
			fail("a spawned process did not exit 0");
		if (s >= 0)
			samples[s] = t;
	}
	result("spawn_and_exit", 21, 1);
	window(W_SPAWN, "spawn_and_exit", 1);
}

/*
 * Fairness on the pager's CPU (issue 11): pfair loads CPU 0 and measures
 * from CPU 1, and prints its own `[fair]` lines (user/pfair/main.c).
 */
static void fairness(void)
{
	unsigned long pid, how = PAGER_RUNNING;
	long code = -1;

	if (pager_spawn_limits("pfair", FAIR_ARG(FAIR_BENCH, 0), 1, FAIR_QUOTA, FAIR_SLOTS, &pid) ||
	    pager_wait(pid, 100 * 600, &how, &code) || how != PAGER_EXITED || code)
		fail("the fairness measurements");
}

int main(unsigned long mode)
{
	if (mode == BENCH_SERVER)
		return server();
	if (mode == BENCH_EXIT)
		return 0;
	if (mode == BENCH_FAIR) {
		if (keel_info(KEEL_INFO_CPUS) > 1)
			fairness();
		else
			fail("the fairness measurements (they need two CPUs)");
		print_fmt("[bench] done, %d failure(s)\n", failed);
		return failed;
	}
	print("[bench] Keel, TSC cycles (instructions under -icount)\n");
	null_syscall();
	ipc_round_trip("ipc_round_trip_same_cpu", W_IPC_SAME, 0);
	if (keel_info(KEEL_INFO_CPUS) > 1)
		ipc_round_trip("ipc_round_trip_cross_cpu", W_IPC_CROSS, 1);
	first_touch();
	batched();
	large_pages();
	spawn_exit();
	print_fmt("[bench] done, %d failure(s)\n", failed);
	return failed;
}
