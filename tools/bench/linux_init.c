/*
 * linux_init.c - the Linux side of `make bench`: /init of an initramfs,
 * booted by tools/bench.py in the same QEMU with the same -icount flags as
 * Keel.  It times the Linux way of doing what user/bench does on Keel,
 * prints the same `[bench] NAME median MIN..MAX (N samples)` lines (TSC
 * cycles, which under -icount count instructions), checks its own results
 * (`[bench] FAILED ...`), and powers the machine off.  Built static with
 * Debian's libc; the initramfs holds only this file.
 *
 *   null_syscall              getppid()
 *   pipe_/futex_round_trip_*  ping-pong between two processes (one byte
 *                             through two pipes; a shared word with
 *                             FUTEX_WAIT/WAKE), on one CPU and on two
 *   first_touch_per_page      the first write to anonymous memory
 *   eager_alloc_per_page      mmap(MAP_POPULATE), per page
 *   unmap_and_free_per_page   munmap of populated memory, per page
 *   first_touch_2mb           the first write to 2 MB of anonymous memory,
 *                             2 MB-aligned, with MADV_HUGEPAGE (transparent
 *                             huge pages, set to `always`): one 2 MB page
 *   clear_2mb                 clearing 2 MB, as the kernel clears a page
 *                             (REP STOSB with ERMS, else REP STOSQ)
 *   spawn_and_exit            fork, execve of this file, exit, waitpid
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SAMPLES 101
#define WARMUP	10
#define PAGES	64

static unsigned long samples[SAMPLES];
static int failed;

static unsigned long rdtsc(void)
{
	unsigned int lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (unsigned long)hi << 32 | lo;
}

static int cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

static void result(const char *name, int n, unsigned long per)
{
	qsort(samples, (size_t)n, sizeof(samples[0]), cmp);
	printf("[bench] %s %lu %lu..%lu (%d samples)\n", name, samples[n / 2] / per,
	       samples[0] / per, samples[n - 1] / per, n);
	fflush(stdout);
}

static void fail(const char *what)
{
	printf("[bench] FAILED %s\n", what);
	fflush(stdout);
	failed++;
}

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void null_syscall(void)
{
	for (int s = -WARMUP; s < SAMPLES; s++) {
		unsigned long t0 = rdtsc();
		for (int i = 0; i < 100; i++)
			syscall(SYS_getppid);
		if (s >= 0)
			samples[s] = rdtsc() - t0;
	}
	result("null_syscall", SAMPLES, 100);
}

static void pipe_pingpong(const char *name, int child_cpu)
{
	int ab[2], ba[2];
	if (pipe(ab) || pipe(ba)) {
		fail("pipe");
		return;
	}
	pin(0);
	pid_t pid = fork();
	if (pid == 0) {
		pin(child_cpu);
		close(ab[1]); /* or its own copy keeps the pipe open: no EOF */
		close(ba[0]);
		unsigned char c;
		while (read(ab[0], &c, 1) == 1) {
			c++;
			if (write(ba[1], &c, 1) != 1)
				break;
		}
		_exit(0);
	}
	close(ab[0]);
	close(ba[1]);
	for (int s = -WARMUP; s < SAMPLES; s++) {
		unsigned long t0 = rdtsc();
		for (int i = 0; i < 20; i++) {
			unsigned char c = (unsigned char)i, r = 0;
			if (write(ab[1], &c, 1) != 1 || read(ba[0], &r, 1) != 1 ||
			    r != (unsigned char)(i + 1)) {
				fail("a lost or wrong pipe reply");
				return;
			}
		}
		if (s >= 0)
			samples[s] = rdtsc() - t0;
	}
	close(ab[1]);
	waitpid(pid, 0, 0);
	close(ba[0]);
	result(name, SAMPLES, 20);
}

static long futex(volatile int *f, int op, int val)
{
	return syscall(SYS_futex, f, op, val, NULL, NULL, 0);
}

/* Two processes take turns on a shared word: 0 = parent's turn, 1 = child's. */
static void futex_pingpong(const char *name, int child_cpu)
{
	volatile int *turn =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (turn == MAP_FAILED) {
		fail("mmap");
		return;
	}
	*turn = 0;
	pin(0);
	pid_t pid = fork();
	if (pid == 0) {
		pin(child_cpu);
		for (;;) {
			while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 1)
				futex(turn, FUTEX_WAIT, 0);
			if (turn[1])
				_exit(0);
			__atomic_store_n(turn, 0, __ATOMIC_RELEASE);
			futex(turn, FUTEX_WAKE, 1);
		}
	}
	for (int s = -WARMUP; s < SAMPLES; s++) {
		unsigned long t0 = rdtsc();
		for (int i = 0; i < 20; i++) {
			__atomic_store_n(turn, 1, __ATOMIC_RELEASE);
			futex(turn, FUTEX_WAKE, 1);
			while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 0)
				futex(turn, FUTEX_WAIT, 1);
		}
		if (s >= 0)
			samples[s] = rdtsc() - t0;
	}
	turn[1] = 1;
	__atomic_store_n(turn, 1, __ATOMIC_RELEASE);
	futex(turn, FUTEX_WAKE, 1);
	int status = 1;
	waitpid(pid, &status, 0);
	if (status)
		fail("the futex partner did not exit cleanly");
	munmap((void *)turn, 4096);
	result(name, SAMPLES, 20);
}

static void first_touch(void)
{
	int n = 0;
	for (int round = 0; round < 3 && n < SAMPLES; round++) {
		char *va = mmap(NULL, PAGES * 4096ul, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (int p = 0; p < PAGES && n < SAMPLES; p++) {
			volatile unsigned long *a = (unsigned long *)(va + (unsigned long)p * 4096);
			unsigned long t0 = rdtsc();
			*a = 1;
			unsigned long t = rdtsc() - t0;
			if (*a != 1)
				fail("a page reads back wrong");
			if (round || p >= WARMUP)
				samples[n++] = t;
		}
		munmap(va, PAGES * 4096ul);
	}
	result("first_touch_per_page", n, 1);
}

static void batched(void)
{
	static unsigned long freeing[SAMPLES];
	for (int s = -WARMUP; s < SAMPLES / 4; s++) {
		unsigned long t0 = rdtsc();
		char *va = mmap(NULL, PAGES * 4096ul, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		unsigned long t1 = rdtsc();
		if (va == MAP_FAILED || *(volatile unsigned long *)(va + 4096 * 7) != 0)
			fail("MAP_POPULATE");
		munmap(va, PAGES * 4096ul);
		unsigned long t2 = rdtsc();
		if (s >= 0) {
			samples[s] = t1 - t0;
			freeing[s] = t2 - t1;
		}
	}
	result("eager_alloc_per_page", SAMPLES / 4, PAGES);
	for (int s = 0; s < SAMPLES / 4; s++)
		samples[s] = freeing[s];
	result("unmap_and_free_per_page", SAMPLES / 4, PAGES);
}

#define LARGE (2ul << 20)

/* As Linux's clear_page: REP STOSB where the CPU has ERMS, else REP STOSQ. */
static void clear_page(void *page, int erms)
{
	void *d = page;
	if (erms) {
		unsigned long n = 4096;
		__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
	} else {
		unsigned long n = 512;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(0ul) : "memory");
	}
}

/* Bytes of anonymous memory in huge pages (/proc/self/smaps_rollup), or -1. */
static long anon_huge_bytes(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

static void large_pages(void)
{
	static unsigned long clearing[SAMPLES];
	unsigned int a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	int erms = b >> 9 & 1, fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_WRONLY);
	if (fd < 0 || write(fd, "always", 6) != 6)
		fail("turning transparent huge pages on");
	if (fd >= 0)
		close(fd);
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	for (int s = -2; s < 21; s++) {
		char *raw = mmap(NULL, 2 * LARGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (raw == MAP_FAILED) {
			fail("mmap of 4 MB");
			return;
		}
		char *va = (char *)(((unsigned long)raw + LARGE - 1) & ~(LARGE - 1));
		madvise(va, LARGE, MADV_HUGEPAGE);
		unsigned long t0 = rdtsc();
		*(volatile unsigned long *)(va + 12345 * 8) = 1;
		unsigned long t = rdtsc() - t0;
		if (s == 0 && anon_huge_bytes() != (long)LARGE)
			fail("the touch did not get a 2 MB page");
		unsigned long t1 = rdtsc();
		for (unsigned long off = 0; off < LARGE; off += 4096)
			clear_page(va + off, erms);
		unsigned long t2 = rdtsc();
		if (*(volatile unsigned long *)(va + 12345 * 8) != 0)
			fail("2 MB not cleared");
		if (s >= 0) {
			samples[s] = t;
			clearing[s] = t2 - t1;
		}
		munmap(raw, 2 * LARGE);
	}
	result("first_touch_2mb", 21, 1);
	for (int s = 0; s < 21; s++)
		samples[s] = clearing[s];
	result("clear_2mb", 21, 1);
}

static void spawn_exit(char *self)
{
	for (int s = -2; s < 21; s++) {
		unsigned long t0 = rdtsc();
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { self, "exit", NULL };
			execve(self, argv, NULL);
			_exit(2);
		}
		int status = 1;
		waitpid(pid, &status, 0);
		if (status)
			fail("a spawned process did not exit 0");
		if (s >= 0)
			samples[s] = rdtsc() - t0;
	}
	result("spawn_and_exit", 21, 1);
}

/*
 * Bring the other CPUs online (booted with maxcpus=1).  Under -icount QEMU
 * runs all vCPUs on one host thread, round-robin, and a vCPU that is kicked
 * (timer, interrupt) is resumed again before the others; Linux 6.1's
 * do_boot_cpu waits for the new CPU in a loop that only calls schedule(),
 * never PAUSE or HLT, so at boot the new CPU never runs and the boot hangs.
 * A helper process on CPU 0 that executes PAUSE in a loop hands the host
 * thread to the other vCPUs (QEMU's PAUSE ends the vCPU's turn) while
 * this process waits in the same loop, now from the sysfs write.
 */
static void cpus_online(void)
{
	mkdir("/sys", 0755);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL)) {
		fail("mounting sysfs");
		return;
	}
	for (int cpu = 1; cpu < 64; cpu++) {
		char path[64];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
		int fd = open(path, O_WRONLY);
		if (fd < 0)
			break;
		pid_t pauser = fork();
		if (pauser == 0) {
			pin(0);
			for (;;)
				__builtin_ia32_pause();
		}
		if (write(fd, "1", 1) != 1)
			fail("bringing a CPU online");
		close(fd);
		kill(pauser, SIGKILL);
		waitpid(pauser, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exit"))
		return 0;
	/* Boot cost: tools/bench.py subtracts the TSC at the kernel's entry. */
	unsigned long tsc = rdtsc();
	struct timespec boot; /* Linux's clock starts in early setup_arch */
	clock_gettime(CLOCK_BOOTTIME, &boot);
	printf("[bench] Linux /init started at TSC %lu, boot clock %ld ns\n", tsc,
	       (long)boot.tv_sec * 1000000000L + boot.tv_nsec);
	cpus_online();
	cpu_set_t online; /* before pin() narrows this process's affinity */
	int cpus = sched_getaffinity(0, sizeof(online), &online) ? 1 : CPU_COUNT(&online);
	null_syscall();
	pipe_pingpong("pipe_round_trip_same_cpu", 0);
	futex_pingpong("futex_round_trip_same_cpu", 0);
	if (cpus > 1) {
		pipe_pingpong("pipe_round_trip_cross_cpu", 1);
		futex_pingpong("futex_round_trip_cross_cpu", 1);
	}
	first_touch();
	batched();
	large_pages();
	spawn_exit(argv[0]);
	printf("[bench] done, %d failure(s)\n", failed);
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 0;
}
