/*
 * init - the second module, started by the pager with the machine's I/O
 * ports and interrupt lines (PAGER_GIVEN_SLOT, and the slot after).
 *
 * In a test boot it runs the user-level tests and ends the run; with
 * `bench` on the command line, the measurements.  Otherwise it runs the
 * demonstration (user/demo) once, says it is ready, and starts the
 * system's services: the console server, the serial driver (with COM1's
 * ports and its interrupt line, cut from its own) and the shell (with a
 * capability to ask init to end a service, or to halt).  Then it
 * supervises them: the pager signals init's notification when a child
 * ends, and init reports it and starts the service again (after
 * RESTARTS_MAX starts in RESTART_WINDOW ticks, a second later each time,
 * so a service that dies at once costs little and is never given up).
 */
#include "console.h"
#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include <abi/pager.h>

#define RESTARTS_MAX   5
#define RESTART_WINDOW 1000 /* ticks: 10 s */
#define RESTART_PAUSE  100  /* ticks: 1 s */
#define COM1	       0x3f8

/*
 * Run module `name` under the pager on `cpu`, with RDI = arg, `quota`
 * bytes and `slots` process slots of ours: 1 if it ended as wanted.
 */
static int run_program_on(const char *test, const char *name, unsigned long arg, unsigned long cpu,
			  unsigned long quota, unsigned long slots, unsigned long want_how)
{
	unsigned long pid, how = 99;
	long code = -1, r = pager_spawn_limits(name, arg, cpu, quota, slots, &pid);
	char why[96];

	if (!r)
		r = pager_wait(pid, 100 * 600, &how, &code);
	int ok = !r && how == want_how && (how != PAGER_EXITED || code == 0);
	fmt(why, sizeof(why), "error %ld, ended %lu with code %ld", r, how, code);
	keel_debug_test(test, ok ? KEEL_TEST_PASS : KEEL_TEST_FAIL, ok ? 0 : why);
	return ok;
}

static int run_program(const char *test, const char *name, unsigned long quota, unsigned long slots,
		       unsigned long want_how)
{
	return run_program_on(test, name, 0, 0, quota, slots, want_how);
}

/*
 * A test boot: the pager's tests (ptest reports its own), then the other
 * user-level programs as the pager's processes; then end the run.
 */
static void run_tests(void)
{
	int failed = 0;

	unsigned long q = PAGER_QUOTA_DEFAULT;

	failed += !run_program("init_runs_ptest", "ptest", PTEST_QUOTA, PTEST_SLOTS, PAGER_EXITED);
	failed += !run_program("init_runs_utest", "utest", q, 0, PAGER_EXITED);
	failed += !run_program("init_runs_ukill_which_is_killed", "ukill", q, 0, PAGER_KILLED);
	/* pfair loads the pager's CPU (0) and measures from CPU 1. */
	failed +=
	    !run_program_on("init_runs_pfair", "pfair", FAIR_ARG(FAIR_TEST, 0),
			    keel_info(KEEL_INFO_CPUS) > 1, FAIR_QUOTA, FAIR_SLOTS, PAGER_EXITED);
	failed += !run_program("init_runs_unt_which_is_killed", "unt", q, 0, PAGER_KILLED);
	pager_shutdown(failed);
}

/* The demonstration, as a program: 1 if it ran to its end. */
static int demo(void)
{
	struct pager_spawn sp = { "demo", 0, 0, 0, DEMO_QUOTA, DEMO_SLOTS, 0, { 0 } };
	unsigned long pid, how = 99;
	long code = -1, r = pager_spawn_with(&sp, &pid);

	if (!r)
		r = pager_wait(pid, 100 * 600, &how, &code);
	if (r || how != PAGER_EXITED || code)
		print_fmt("[init] the demonstration failed: error %ld, ended %lu with %ld\n", r,
			  how, code);
	return !r && how == PAGER_EXITED && !code;
}

static struct service {
	const char *name;
	unsigned long arg, quota, slots, ncaps, caps[IPC_CAPS_MAX];
	unsigned long pid;		     /* 0: not running */
	unsigned long started[RESTARTS_MAX]; /* ticks of the last starts, for the limit */
	unsigned starts;
} services[] = {
	{ "console", 0, 16ul << 20, 0, 0, { 0 }, 0, { 0 }, 0 },
	{ "serial", SERIAL_POLL, 16ul << 20, 0, 0, { 0 }, 0, { 0 }, 0 },
	{ "shell", 0, SHELL_QUOTA, SHELL_SLOTS, 1, { 0 }, 0, { 0 }, 0 },
};
#define NSERVICES (sizeof(services) / sizeof(services[0]))

static long service_start(struct service *s)
{
	struct pager_spawn sp = { s->name,  0,	      s->arg,	PAGER_SPAWN_SERVICE,
				  s->quota, s->slots, s->ncaps, { s->caps[0], s->caps[1] } };
	unsigned long now = (unsigned long)keel_info(KEEL_INFO_TICKS);

	/*
	 * It ended RESTARTS_MAX times in the window: start it again, but not
	 * at once, so a service that dies at once costs one start a second
	 * (never giving up: the console, its driver and the shell are what a
	 * person needs to do anything at all).
	 */
	if (s->starts >= RESTARTS_MAX &&
	    now - s->started[s->starts % RESTARTS_MAX] < RESTART_WINDOW) {
		print_fmt("[init] %s ended %d times in %d s; waiting a second\n", s->name,
			  RESTARTS_MAX, RESTART_WINDOW / 100);
		keel_sleep(RESTART_PAUSE);
		now = (unsigned long)keel_info(KEEL_INFO_TICKS);
	}
	long r = pager_spawn_with(&sp, &s->pid);
	if (r) {
		s->pid = 0;
		return r;
	}
	s->started[s->starts++ % RESTARTS_MAX] = now;
	return 0;
}

/*
 * The serial driver's capabilities: COM1's eight ports, and the line ISA
 * IRQ 4 arrives on (none without an I/O APIC: it polls then).
 */
static long serial_caps(struct service *s)
{
	long io = cslot_alloc(), irq = cslot_alloc();
	unsigned long gsi;

	if (io < 0 || irq < 0)
		return -KEEL_EFULL;
	long r = keel_io_derive(PAGER_GIVEN_SLOT, COM1, 8, (unsigned long)io);
	if (r)
		return r;
	s->caps[0] = (unsigned long)io;
	s->ncaps = 1;
	if (pager_isa_irq(4, &gsi) == 0 &&
	    keel_irq_derive(PAGER_GIVEN_SLOT + 1, gsi, 1, (unsigned long)irq) == 0) {
		s->caps[1] = (unsigned long)irq;
		s->ncaps = 2;
		s->arg = gsi;
	}
	return 0;
}

/* A child ended: which service, how; report it and start it again. */
static void services_check(void)
{
	for (unsigned i = 0; i < NSERVICES; i++) {
		struct service *s = &services[i];
		unsigned long how;
		long code;
		if (!s->pid || pager_status(s->pid, &how, &code) || how == PAGER_RUNNING)
			continue;
		unsigned long old = s->pid;
		long r = service_start(s);
		/* One line, one write: others' output may come between two. */
		char how_[40], then[64];
		if (how == PAGER_EXITED)
			fmt(how_, sizeof(how_), "exited with %ld", code);
		else
			fmt(how_, sizeof(how_), "was killed");
		if (r)
			fmt(then, sizeof(then), "cannot start it now (%s)", keel_error_name(r));
		else
			fmt(then, sizeof(then), "started again as process %lu", s->pid);
		print_fmt("[init] %s (process %lu) %s; %s\n", s->name, old, how_, then);
	}
}

/*
 * Every service runs: one that could not be started (no memory just
 * now, say) is tried again each second until it starts.  init has
 * nothing else to do meanwhile that matters more.
 */
static void services_ensure(void)
{
	for (int said = 0;; said = 1) {
		int missing = 0;
		for (unsigned i = 0; i < NSERVICES; i++) {
			struct service *s = &services[i];
			if (s->pid)
				continue;
			long r = service_start(s);
			if (r) {
				missing++;
				if (!said)
					print_fmt(
					    "[init] cannot start %s (%s); trying each second\n",
					    s->name, keel_error_name(r));
			} else if (said) {
				print_fmt("[init] %s started as process %lu\n", s->name, s->pid);
			}
		}
		if (!missing)
			return;
		keel_sleep(RESTART_PAUSE);
	}
}

/* The shell's requests. */
static long request(const struct keel_msg *m)
{
	switch (IPC_TAG_LABEL(m->tag)) {
	case INIT_KILL:
		for (unsigned i = 0; i < NSERVICES; i++)
			if (services[i].pid && services[i].pid == m->w[0])
				return -pager_kill(m->w[0]);
		return KEEL_EPERM; /* not one of the system's services */
	case INIT_HALT:
		print("[init] halting\n");
		return -pager_shutdown(0);
	}
	return KEEL_ENOSYS;
}

static void supervise(void)
{
	long ep = cslot_alloc(), nt = cslot_alloc(), shell = cslot_alloc();
	long r = ep < 0 || nt < 0 || shell < 0 ? -KEEL_EFULL : 0;

	/* Our endpoint (the shell gets a copy to send on), and our notification, bound. */
	if (!r && !(r = pager_endpoint((unsigned long)ep)) &&
	    !(r = pager_notify((unsigned long)nt, PAGER_NOTIFY_BIND)))
		r = keel_cap_copy((unsigned long)ep, KEEL_CAP_SELF, (unsigned long)shell,
				  KEEL_EP_SEND, 0);
	if (!r)
		r = serial_caps(&services[1]);
	if (r) {
		print_fmt("[init] cannot start the system's services: %ld\n", r);
		return;
	}
	services[2].caps[0] = (unsigned long)shell;
	services_ensure();
	struct keel_msg m = { 0 };
	r = keel_recv((unsigned long)ep, &m);
	for (;;) {
		if (r) {
			print_fmt("[init] receive failed: %ld\n", r);
			keel_sleep(100);
			r = keel_recv((unsigned long)ep, &m);
			continue;
		}
		if ((m.tag & IPC_TAG_KERNEL) && IPC_TAG_LABEL(m.tag) == IPC_LABEL_NOTIFY) {
			if (m.badge & PAGER_EVENT_CHILD) {
				services_check();
				services_ensure();
			}
			r = keel_recv((unsigned long)ep, &m);
			continue;
		}
		long err = request(&m);
		m.tag = IPC_TAG((unsigned)err, 0);
		r = keel_reply_recv((unsigned long)ep, &m);
	}
}

int main(unsigned long arg)
{
	if (keel_debug_test("probe", 3, 0) != -KEEL_ENOSYS) /* 3: EINVAL, no line */
		run_tests();
	if (arg == INIT_BENCH || arg == INIT_BENCH_FAIR) { /* `make bench`: only the measurements */
		unsigned long pid, how = 0;
		long code = -1,
		     r = pager_spawn_limits("bench", arg == INIT_BENCH ? BENCH_MAIN : BENCH_FAIR, 0,
					    BENCH_QUOTA, BENCH_SLOTS, &pid);
		if (!r)
			r = pager_wait(pid, 100 * 3600, &how, &code);
		print_fmt("[init] bench ended: error %ld, state %lu, code %ld\n", r, how, code);
		for (;;)
			keel_sleep(THREAD_SLEEP_MAX);
	}

	demo();
	print_fmt("[init] ready at TSC %lu\n", keel_rdtsc());
	print("[init] ready\n");
	supervise();
	for (;;)
		keel_sleep(THREAD_SLEEP_MAX);
}
