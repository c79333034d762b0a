/*
 * shell - the command line on the console (`help` lists the commands).
 *
 * init starts it with a capability to init's own endpoint (INIT_SLOT),
 * through which it asks init to end a service or to halt the machine.
 * It is the console's controller: it reads the lines typed, chooses the
 * foreground program that reads them instead while it runs, and hears
 * Ctrl-C.  It waits on one notification for both the console's news and
 * the pager's (a child ended), so it never polls.
 *
 * Programs it runs are its children, with PROG_QUOTA bytes and PROG_SLOTS
 * process slots each: `run` waits for one in the foreground, `run ... &`
 * leaves it in the background and says when it ends.
 */
#include "console.h"
#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include "str.h"
#include <abi/pager.h>

#define PROG_QUOTA (256ul << 20)
#define PROG_SLOTS 2
#define MAX_JOBS   SHELL_SLOTS
#define MAX_WORDS  16

static unsigned long nt; /* our notification */
static struct job {
	unsigned long pid; /* 0: free */
	char name[32];
} jobs[MAX_JOBS];

static int parse_num(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (~0ul - 9) / 10)
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 1;
}

/* Split line in place into words; the count. */
static int split(char *line, char **w)
{
	int n = 0;

	for (char *p = line; *p && n < MAX_WORDS;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return n;
}

static const char *state_name(unsigned long state)
{
	return state == PAGER_RUNNING ? "running" : state == PAGER_EXITED ? "exited" : "killed";
}

/* How a child ended, once: 1 if it has (and *how, *code say how). */
static int ended(unsigned long pid, unsigned long *how, long *code)
{
	return pager_status(pid, how, code) != 0 || *how != PAGER_RUNNING;
}

static void say_end(unsigned long pid, const char *name, unsigned long how, long code)
{
	if (how == PAGER_EXITED)
		print_fmt("[%lu] %s: exited with %ld\n", pid, name, code);
	else
		print_fmt("[%lu] %s: killed\n", pid, name);
}

/* Background programs that ended since we last looked. */
static void jobs_check(void)
{
	for (int i = 0; i < MAX_JOBS; i++) {
		unsigned long how = PAGER_RUNNING;
		long code = 0;
		if (jobs[i].pid && ended(jobs[i].pid, &how, &code)) {
			say_end(jobs[i].pid, jobs[i].name, how, code);
			jobs[i].pid = 0;
		}
	}
}

/* Attach to a console started again (init does it at once): 0, or -error after 5 s. */
static long console_reattach(void)
{
	long r = -KEEL_ENOENT;

	for (int t = 0; t < 500 && r; t++)
		if ((r = console_attach(nt, 1)))
			keel_sleep(1);
	return r;
}

static void cmd_help(void)
{
	print("commands:\n"
	      "  help                     this list\n"
	      "  echo TEXT                print TEXT\n"
	      "  ps                       processes: pid, parent, state, CPU, memory, name\n"
	      "  mem                      the pager's memory statistics\n"
	      "  run PROGRAM [ARGS] [&]   start a boot module; with &, in the background\n"
	      "  kill PID                 end a program run here, or a service (init starts it "
	      "again)\n"
	      "  cpus                     each CPU's ticks and load\n"
	      "  layout                   the kernel's address space and what each region maps\n"
	      "  irq                      interrupts taken on each line\n"
	      "  bench                    a quick self-benchmark\n"
	      "  halt                     stop the machine\n"
	      "Backspace and Ctrl-U edit the line; Ctrl-C ends the program in the foreground.\n");
}

static void cmd_ps(void)
{
	struct pager_ps p;
	unsigned long after = 0;

	print_fmt("%5s %6s %-8s %4s %10s  %s\n", "PID", "PARENT", "STATE", "CPU", "MEMORY", "NAME");
	while (pager_ps(after, &p) == 0) {
		print_fmt("%5lu %6lu %-8s %4lu %7lu KB  %s\n", p.pid, p.parent, state_name(p.state),
			  p.cpu, p.data >> 10, p.name);
		after = p.pid;
	}
}

static void cmd_mem(void)
{
	struct pager_stats s;
	long r = pager_stats(&s);

	if (r) {
		print_fmt("mem: the pager says %s\n", keel_error_name(r));
		return;
	}
	print_fmt("total    %12lu bytes (%lu MB)\n"
		  "free     %12lu bytes (%lu MB)\n"
		  "data     %12lu bytes: the processes' memory\n"
		  "overhead %12lu bytes: kernel objects, page tables, the pager's books\n",
		  s.managed, s.managed >> 20, s.free, s.free >> 20, s.data, s.overhead);
}

/* Run w[0] with the rest as its argument line; `background`: don't wait. */
static void cmd_run(char **w, int n, int background)
{
	char args[PAGER_ARGS_MAX];
	size_t len = 0;

	args[0] = '\0';
	for (int i = 1; i < n; i++) {
		size_t k = str_len(w[i]);
		if (len + k + 2 > sizeof(args)) {
			print("run: the arguments are too long\n");
			return;
		}
		if (len)
			args[len++] = ' ';
		memcpy(args + len, w[i], k + 1);
		len += k;
	}
	struct job *j = 0;
	for (int i = 0; i < MAX_JOBS && !j; i++)
		if (!jobs[i].pid)
			j = &jobs[i];
	if (!j) {
		print("run: too many programs running already\n");
		return;
	}
	/* Each on the next CPU after the shell's (CPU 0, with the console and its driver). */
	static unsigned long next_cpu;
	long cpus = keel_info(KEEL_INFO_CPUS);
	unsigned long cpu = cpus > 1 ? 1 + next_cpu++ % (unsigned long)(cpus - 1) : 0;
	struct pager_spawn sp = { w[0], len ? args : 0, 0, cpu, PROG_QUOTA, PROG_SLOTS, 0, { 0 } };
	unsigned long pid, how = PAGER_RUNNING;
	long code = 0, r = pager_spawn_with(&sp, &pid);
	if (r == -KEEL_EINVAL && cpu) { /* a CPU given up at start-up keeps its number */
		sp.cpu = 0;
		r = pager_spawn_with(&sp, &pid);
	}
	if (r == -KEEL_ENOENT) {
		print_fmt("run: no program called '%s' (the boot modules are the programs)\n",
			  w[0]);
		return;
	}
	if (r) {
		print_fmt("run: %s: %s\n", w[0],
			  r == -KEEL_EINVAL   ? "not a program Keel can run"
			  : r == -KEEL_EQUOTA ? "not enough memory or process "
						"slots left"
					      : keel_error_name(r));
		return;
	}
	if (background) {
		j->pid = pid;
		str_copy(j->name, w[0], sizeof(j->name));
		print_fmt("[%lu] %s started\n", pid, w[0]);
		return;
	}
	console_foreground(pid);
	for (;;) {
		unsigned long bits = 0;
		char line[8];
		r = console_read_wait(nt, line, sizeof(line), &bits);
		if (r == CONSOLE_INTR) {
			pager_kill(pid);
		} else if (r < 0 || (bits & PAGER_EVENT_SERVER)) {
			/* The console ended: attach to the next one, and say who reads. */
			if (console_reattach() == 0)
				console_foreground(pid);
		}
		if (ended(pid, &how, &code))
			break;
		if (bits & PAGER_EVENT_CHILD)
			jobs_check();
	}
	console_foreground(0);
	if (how != PAGER_EXITED || code)
		say_end(pid, w[0], how, code);
	jobs_check();
}

static void cmd_kill(char **w, int n)
{
	unsigned long pid;

	if (n != 1 || !parse_num(w[0], &pid)) {
		print("kill: which process? (kill PID; ps lists them)\n");
		return;
	}
	long r = pager_kill(pid);
	if (r == 0) {
		print_fmt("killed process %lu\n", pid);
		jobs_check();
		return;
	}
	if (r == -KEEL_EPERM) { /* not ours: a service is init's to end */
		struct keel_msg m = { 0, IPC_TAG(INIT_KILL, 0), { pid } };
		r = keel_call(INIT_SLOT, &m);
		if (!r)
			r = -(long)IPC_TAG_LABEL(m.tag);
		if (r == 0) {
			print_fmt("killed service %lu; init starts it again\n", pid);
			return;
		}
	}
	if (r == -KEEL_ENOENT)
		print_fmt("kill: no process %lu\n", pid);
	else if (r == -KEEL_EPERM)
		print_fmt("kill: process %lu is neither a program run here nor a service\n", pid);
	else if (r == -KEEL_EINVAL)
		print("kill: the shell does not kill itself\n");
	else
		print_fmt("kill: %s\n", keel_error_name(r));
}

static void cmd_cpus(void)
{
	long n = keel_info(KEEL_INFO_CPUS);
	unsigned long t0[64], i0[64];
	long shown = 0;

	/* CPU slots, up to 64: one given up at start-up keeps its number, with no ticks. */
	while (shown < 64 && keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_TICKS, shown)) >= 0)
		shown++;

	for (long c = 0; c < shown; c++) {
		t0[c] = (unsigned long)keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_TICKS, c));
		i0[c] = (unsigned long)keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_IDLE, c));
	}
	keel_sleep(50);
	print_fmt("%ld CPUs online\n%4s %10s %10s %6s\n", n, "CPU", "TICKS", "IDLE", "LOAD");
	for (long c = 0; c < shown; c++) {
		long t = keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_TICKS, c));
		long i = keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_IDLE, c));
		if (t < 0 || i < 0)
			continue;
		unsigned long dt = (unsigned long)t - t0[c], di = (unsigned long)i - i0[c];
		unsigned long load = dt ? 100 - (di > dt ? dt : di) * 100 / dt : 0;
		print_fmt("%4ld %10ld %10ld %5lu%%\n", c, t, i, load);
	}
	if (keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_TICKS, shown)) >= 0)
		print_fmt("(the first %ld shown)\n", shown);
	print("LOAD: the share of the last half second's ticks that found the CPU busy\n");
}

static void cmd_layout(void)
{
	for (unsigned long r = 0;; r++) {
		long v[8];
		for (int f = 0; f < 8; f++)
			v[f] = keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, r * 8 + (unsigned long)f));
		if (v[0] == -KEEL_EINVAL)
			break;
		char name[17];
		memcpy(name, &v[6], 16);
		name[16] = '\0';
		print_fmt(
		    "0x%016lx-0x%016lx %-10s %14lu bytes mapped (4K x %lu, 2M x %lu, 1G x %lu)\n",
		    (unsigned long)v[0], (unsigned long)v[0] + (unsigned long)v[1] - 1, name,
		    (unsigned long)v[2], (unsigned long)v[3], (unsigned long)v[4],
		    (unsigned long)v[5]);
	}
}

static void cmd_irq(void)
{
	unsigned long isa[16];

	for (unsigned long i = 0; i < 16; i++)
		if (pager_isa_irq(i, &isa[i]))
			isa[i] = ~0ul;
	print_fmt("%5s %10s %10s  %s\n", "LINE", "TAKEN", "UNHANDLED", "ISA IRQ");
	for (unsigned long line = 0;; line++) {
		long taken = keel_info(KEEL_INFO_AT(KEEL_INFO_IRQ_TAKEN, line));
		long lost = keel_info(KEEL_INFO_AT(KEEL_INFO_IRQ_LOST, line));
		if (taken < 0)
			break;
		if (!taken && !lost)
			continue;
		char what[8] = "";
		for (unsigned long i = 0; i < 16; i++)
			if (isa[i] == line)
				fmt(what, sizeof(what), "%lu", i);
		print_fmt("%5lu %10ld %10ld  %s\n", line, taken, lost, what);
	}
	print("(lines that never interrupted are not shown; UNHANDLED: nothing was bound, the "
	      "line stays masked)\n");
}

/* A quick self-benchmark: what a few operations cost, in TSC cycles. */
static void cmd_bench(void)
{
	enum { CALLS = 20000, TRIPS = 2000, PAGES = 256, SPAWNS = 5 };
	unsigned long t, va, how, pid;
	long code;

	t = keel_rdtsc();
	for (int i = 0; i < CALLS; i++)
		keel_info(KEEL_INFO_CPU);
	print_fmt("system call (SYS_INFO)          %8lu cycles\n", (keel_rdtsc() - t) / CALLS);
	struct pager_limits l;
	t = keel_rdtsc();
	for (int i = 0; i < TRIPS; i++)
		pager_limits(0, &l);
	print_fmt("IPC round trip to the pager     %8lu cycles\n", (keel_rdtsc() - t) / TRIPS);
	if (pager_alloc(0, PAGES * PAGE_SIZE, KEEL_MAP_R | KEEL_MAP_W, &va) == 0) {
		t = keel_rdtsc();
		for (int i = 0; i < PAGES; i++)
			*(volatile char *)(va + (unsigned long)i * PAGE_SIZE) = 1;
		print_fmt("first touch of a page           %8lu cycles\n",
			  (keel_rdtsc() - t) / PAGES);
		pager_free(va, PAGES * PAGE_SIZE);
	}
	t = keel_rdtsc();
	int done = 0;
	for (int i = 0; i < SPAWNS; i++) {
		struct pager_spawn sp = {
			"pvictim", 0, PV_EXIT, 0, PAGER_QUOTA_DEFAULT, 0, 0, { 0 }
		};
		if (pager_spawn_with(&sp, &pid) == 0 && pager_wait(pid, 1000, &how, &code) == 0)
			done++;
	}
	if (done)
		print_fmt("start a process, wait for its end %6lu cycles\n",
			  (keel_rdtsc() - t) / (unsigned long)done);
	print("(wall-clock TSC cycles on this machine; `make bench` counts instructions)\n");
}

static void cmd_halt(void)
{
	struct keel_msg m = { 0, IPC_TAG(INIT_HALT, 0), { 0 } };

	print("halting\n");
	keel_sleep(20); /* the console's driver sends it before the machine stops */
	long r = keel_call(INIT_SLOT, &m);
	print_fmt("halt: %s\n", keel_error_name(r ? r : (long)IPC_TAG_LABEL(m.tag)));
}

static void execute(char *line)
{
	char *w[MAX_WORDS];
	int n = split(line, w);

	if (!n)
		return;
	int background = 0;
	if (str_eq(w[n - 1], "&")) {
		background = 1;
		n--;
	}
	if (str_eq(w[0], "help"))
		cmd_help();
	else if (str_eq(w[0], "echo")) {
		for (int i = 1; i < n; i++)
			print_fmt("%s%s", w[i], i + 1 < n ? " " : "");
		print("\n");
	} else if (str_eq(w[0], "ps"))
		cmd_ps();
	else if (str_eq(w[0], "mem"))
		cmd_mem();
	else if (str_eq(w[0], "run")) {
		if (n < 2)
			print("run: which program? (run PROGRAM [ARGS] [&])\n");
		else
			cmd_run(w + 1, n - 1, background);
	} else if (str_eq(w[0], "kill"))
		cmd_kill(w + 1, n - 1);
	else if (str_eq(w[0], "cpus"))
		cmd_cpus();
	else if (str_eq(w[0], "layout"))
		cmd_layout();
	else if (str_eq(w[0], "irq"))
		cmd_irq();
	else if (str_eq(w[0], "bench"))
		cmd_bench();
	else if (str_eq(w[0], "halt"))
		cmd_halt();
	else
		print_fmt("%s: unknown command (help lists them)\n", w[0]);
}

int main(void)
{
	long s = cslot_alloc(), r = -KEEL_ENOENT;
	char line[CONSOLE_LINE_MAX + 1];

	if (s < 0 || pager_notify((unsigned long)s, 0))
		return 1;
	nt = (unsigned long)s;
	/* The console may not have its name yet: init starts it just before us. */
	if ((r = console_reattach())) {
		print_fmt("[shell] no console: %s\n", keel_error_name(r));
		return 2;
	}
	print("Keel shell: type help for the commands.\n");
	for (;;) {
		print("keel> ");
		unsigned long bits = 0;
		for (;;) {
			r = console_read_wait(nt, line, sizeof(line), &bits);
			if (bits & PAGER_EVENT_CHILD) {
				jobs_check();
				bits = 0;
			}
			if (r == CONSOLE_LINE || r == CONSOLE_INTR)
				break;
			if (r < 0 || (bits & PAGER_EVENT_SERVER)) { /* the console ended */
				bits = 0;
				if (console_reattach() == 0)
					break; /* a new prompt on the new console */
			}
		}
		if (r == CONSOLE_LINE)
			execute(line);
	}
}
