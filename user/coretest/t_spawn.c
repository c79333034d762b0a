/*
 * t_spawn.c - the test programs, each spawned from its module as a
 * process of its own with the root as pager: utest exits 0, ukill is
 * killed reading the kernel, unt is killed at the top of user memory.
 */
#include "ct.h"

static struct kpool pool;
static struct proc p;
static struct client c;

/* Spawn and start `name`; wait for its first message.  0 or -error. */
static long run(const char *name, unsigned long arg)
{
	unsigned long badge = badge_new();
	long r;

	memset(&c, 0, sizeof(c));
	r = spawn(&p, &pool, ct.bi, name, badge);
	expect_eq(r, 0, "spawning it");
	if (r < 0)
		return r;
	r = keel_thread_config(p.tcb, THREAD_PRIO_DEFAULT, 0, ct.pager_ep);
	expect_eq(r, 0, "configuring it");
	if (r == 0) {
		pager_watch(&c, badge);
		r = proc_start(&p, arg);
		expect_eq(r, 0, "starting it");
		if (r == 0) {
			expect(wait_until(&c.events, 1, 3 * WAIT_TICKS), "no message from it");
			if (__atomic_load_n(&c.killed, __ATOMIC_ACQUIRE))
				sleep_ticks(5);
		} else {
			pager_unwatch(&c);
		}
	}
	if (r < 0)
		proc_destroy(&p);
	return r;
}

static void done(void)
{
	expect_eq(proc_destroy(&p), 0, "destroying it");
	pager_unwatch(&c);
}

static void expect_killed(unsigned long addr, unsigned bits, const char *what)
{
	expect_fault(&c, 0, addr, bits, what);
	expect(c.faults == 1 && c.exits == 0 && c.late == 0, "%d faults, %d exits, %d late",
	       c.faults, c.exits, c.late);
}

void tests_spawn(void)
{
	kpool_init(&pool, &root_pool);

	test_begin("spawn_utest_exits_zero");
	if (run("utest", 0) == 0) {
		expect(c.exits == 1 && c.faults == 0, "it did not exit: %d faults (at 0x%lx)",
		       c.faults, c.addr[0]);
		expect_eq(c.exit_code, 0, "its exit code (failed checks)");
		done();
	}
	test_end();

	test_begin("spawn_ukill_killed_by_fault");
	if (run("ukill", 0) == 0) {
		expect_killed(KERNEL_VA, KEEL_FAULT_PRESENT | KEEL_FAULT_USER, "ukill");
		done();
	}
	test_end();

	test_begin("spawn_unt_fault_at_user_top");
	if (run("unt", 0) == 0) {
		expect_killed(KEEL_USER_TOP, KEEL_FAULT_USER | KEEL_FAULT_FETCH, "unt");
		expect(c.faults < 1 || c.rip[0] == KEEL_USER_TOP, "RIP 0x%lx, want 0x%lx", c.rip[0],
		       (unsigned long)KEEL_USER_TOP);
		done();
	}
	test_end();

	test_begin("spawn_missing_module");
	static struct proc none;
	expect_eq(spawn(&none, &pool, ct.bi, "no-such-module", 1), -KEEL_ENOENT, "spawning it");
	test_end();

	test_begin("spawn_objects_reclaimed");
	expect_eq(kpool_release(&pool), 0, "reclaiming the processes' donations");
	test_end();
}
