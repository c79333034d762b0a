/*
 * demo - the demonstration init used to run at every boot, now a program
 * of its own (init runs it once before it starts the system's services;
 * the shell's `run demo` runs it again).  It shows the pager's memory
 * service at work: the statistics, memory that gets its frames on first
 * touch and memory backed at once, freeing, and the statistics again;
 * then two processes talking over a channel and sharing memory, and one
 * process placed on each CPU.
 */
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include <abi/pager.h>

#define MB (1ul << 20)

static struct pager_stats show(const char *when)
{
	struct pager_stats s = { 0 };
	long r = pager_stats(&s);

	if (r)
		print_fmt("[demo] statistics %s: error %ld\n", when, r);
	else
		print_fmt("[demo] %s: total %lu, free %lu, processes' data %lu, kernel objects "
			  "and tables %lu bytes\n",
			  when, s.managed, s.free, s.data, s.overhead);
	return s;
}

/* Touch every page of [va, va + size) and read it back: 0 if all is well. */
static long touch(unsigned long va, unsigned long size)
{
	long bad = 0;

	for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
		*(volatile unsigned long *)a = a ^ 0x5a5a;
	for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
		bad += *(volatile unsigned long *)a != (a ^ 0x5a5a);
	return bad;
}

/* Two processes talking over a channel and sharing memory. */
static void two_processes(void)
{
	unsigned long server, client, how;
	long code, r;
	struct pager_stats before = show("before the two processes");

	r = pager_spawn("pdemo", DEMO_ARG(DEMO_SERVER, 0), &server);
	if (!r)
		r = pager_spawn("pdemo", DEMO_ARG(DEMO_CLIENT, server), &client);
	if (!r)
		r = pager_wait(client, 1000, &how, &code);
	if (!r)
		r = pager_wait(server, 1000, &how, &code);
	if (r)
		print_fmt("[demo] the two processes failed: %ld\n", r);
	struct pager_stats after = show("after the two processes");
	print_fmt("[demo] both ended; the pager's free memory is %s\n",
		  after.free == before.free ? "back where it was" : "NOT back");
}

/*
 * One process placed on each CPU, one after the other.  The other CPUs
 * come online in the background (docs/cpus.md), so some are still
 * starting when a process is placed there: it runs once its CPU is
 * online, or on CPU 0 if that CPU is given up.  Each exits with the
 * number of the CPU it ran on.  The count of CPUs is read again at each
 * step: a CPU given up before its turn here is not placed on at all
 * (which of the two happens depends on timing; both are right).
 */
static void one_per_cpu(void)
{
	unsigned long cpus = 0, placed = 0, moved = 0, wrong = 0;

	for (unsigned long cpu = 0; cpu < (unsigned long)keel_info(KEEL_INFO_CPUS); cpu++) {
		unsigned long pid, how = 0;
		long code = -1, r = pager_spawn_on("pdemo", DEMO_ARG(DEMO_CPU, 0), cpu, &pid);
		if (r == -KEEL_EINVAL && cpu >= (unsigned long)keel_info(KEEL_INFO_CPUS))
			break; /* given up just now, between the count and the placing */
		cpus++;
		if (!r)
			r = pager_wait(pid, 100 * 600, &how, &code);
		if (r || how != PAGER_EXITED) {
			print_fmt(
			    "[demo] the process placed on CPU %lu failed: error %ld, ended %lu\n",
			    cpu, r, how);
			wrong++;
		} else if ((unsigned long)code == cpu) {
			placed++;
		} else if (code == 0) {
			moved++;
		} else {
			print_fmt("[demo] the process placed on CPU %lu ran on CPU %ld\n", cpu,
				  code);
			wrong++;
		}
	}
	print_fmt("[demo] one process placed on each of %lu CPUs: %lu ran there, %lu on CPU 0 "
		  "(their CPU was given up), %lu wrong\n",
		  cpus, placed, moved, wrong);
}

int main(void)
{
	unsigned long demand, eager;
	long r;

	struct pager_stats before = show("before");
	r = pager_alloc(0, 4 * MB, KEEL_MAP_R | KEEL_MAP_W, &demand);
	if (!r)
		r = pager_alloc(0, 1 * MB, KEEL_MAP_R | KEEL_MAP_W | PAGER_EAGER, &eager);
	if (r) {
		print_fmt("[demo] allocating failed: %ld\n", r);
	} else {
		print_fmt("[demo] 4 MB on demand at 0x%lx, 1 MB backed at once at 0x%lx\n", demand,
			  eager);
		long bad = touch(demand, 4 * MB) + touch(eager, 1 * MB);
		print_fmt("[demo] touched them: %ld wrong reads\n", bad);
		show("in use");
		struct pager_pstats mine = { 0 };
		if (!pager_pstats(0, &mine))
			print_fmt(
			    "[demo] the demo itself: data %lu, allocations %lu, kernel objects and "
			    "tables %lu, quota %lu bytes\n",
			    mine.data, mine.reserved, mine.kernel, mine.quota);
		r = pager_free(demand, 4 * MB);
		if (!r)
			r = pager_free(eager, 1 * MB);
		if (r)
			print_fmt("[demo] freeing failed: %ld\n", r);
		struct pager_stats after = show("after");
		struct pager_pstats me = { 0 };
		pager_pstats(0, &me);
		if (!r && after.free == before.free && me.data == 0)
			print_fmt("[demo] freed: the pager's free memory is back to %lu bytes\n",
				  after.free);
		else
			print_fmt("[demo] LEAK: free %lu bytes before, %lu after; mine %lu\n",
				  before.free, after.free, me.data);
	}
	two_processes();
	one_per_cpu();
	return 0;
}
