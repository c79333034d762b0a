/*
 * t_raw.c - no call takes an object's address for a capability.  With a
 * live object of each type (t_errors.c's fixture), every call of the
 * capability table is made with the physical address of each object's
 * frame (its offset in the root's memory capability, base 0) where it
 * wants a capability: each must be KEEL_EINVAL, and nothing may change.
 */
#include "errors.h"

static struct cap_result ipc_res[64];
static int ipc_nres;
#define NOBJ 4 /* an address space, a thread, an endpoint, a notification */
static unsigned long frames[NOBJ];

static void run_raw(const struct cap_case *c, struct cap_result *res, int *n, int max)
{
	static const char *const what[NOBJ] = { "the address space's address",
						"the thread's address", "the endpoint's address",
						"the notification's address" };

	for (int i = 0; i < NOBJ && *n < max; i++, (*n)++)
		res[*n] = (struct cap_result){ c->name, what[i], frames[i],
					       cap_case_call(c, frames[i]), -KEEL_EINVAL };
}

static long raw_ipc_child(struct uthread *t)
{
	static struct cap_case cases[8];
	int n = cap_cases(cases, 1);

	(void)t;
	for (int i = 0; i < n; i++)
		run_raw(&cases[i], ipc_res, &ipc_nres, (int)(sizeof(ipc_res) / sizeof(ipc_res[0])));
	return 0;
}

static void expect_results(const struct cap_result *r, int n)
{
	for (int i = 0; i < n; i++)
		expect(r[i].got == r[i].want, "%s with %s (0x%lx): got %ld, want %ld", r[i].call,
		       r[i].kind, r[i].slot, r[i].got, r[i].want);
}

void tests_raw(void)
{
	static struct cap_case cases[CAP_CASES_MAX];
	static struct cap_result res[224];
	static struct uthread t;
	static struct client c, tc;
	unsigned long m = fx.mem, info[NOBJ];
	unsigned long objs[NOBJ] = { fx.as, fx.tcb, fx.ep, fx.nt };
	int n = cap_cases(cases, 0), nres = 0;

	test_begin("raw_addresses_are_not_capabilities");
	frames[0] = fx.as_f;
	frames[1] = fx.tcb_f;
	frames[2] = fx.ep_f;
	frames[3] = fx.nt_f;
	for (int i = 0; i < NOBJ; i++) {
		long r = keel_cap_info(objs[i]);
		info[i] = (unsigned long)r;
		expect(r > 0 && frames[i] >= KEEL_CAP_SLOTS, "object %d: info %ld, frame 0x%lx", i,
		       r, frames[i]);
	}
	/* If a raw address started the thread, it would fault, and our pager would hear. */
	memset(&tc, 0, sizeof(tc));
	pager_watch(&tc, fx.tcb_badge);
	expect_eq(keel_thread_config(fx.tcb, THREAD_PRIO_DEFAULT, 0, ct.pager_ep), 0,
		  "the thread's pager: ours");
	for (int i = 0; i < n; i++)
		run_raw(&cases[i], res, &nres, (int)(sizeof(res) / sizeof(res[0])));
	expect_results(res, nres);
	expect_eq(nres, NOBJ * n, "calls made");

	memset(&c, 0, sizeof(c));
	long r = child_start(&t, &c, &fx.pool, raw_ipc_child, 0, THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "a thread for the IPC calls");
	if (r == 0) {
		expect(child_wait(&c), "an IPC call blocked: it took an address for a capability");
		expect(c.exits == 1 && c.exit_code == 0 && c.faults == 0, "the thread failed");
		expect_results(ipc_res, ipc_nres);
		expect_eq(ipc_nres, NOBJ * 4, "IPC calls made");
		expect_eq(child_finish(&t, &c), 0, "destroying the thread");
	}

	/* Nothing changed. */
	sleep_ticks(3);
	expect_eq(tc.events, 0, "the thread ran");
	pager_unwatch(&tc);
	expect_eq(keel_thread_config(fx.tcb, THREAD_PRIO_DEFAULT, 0, KEEL_CAP_NONE), 0,
		  "the thread's pager: none again");
	for (int i = 0; i < NOBJ; i++)
		expect_eq(keel_cap_info(objs[i]), (long)info[i], "an object's capability changed");
	expect_eq(keel_cap_info(fx.dst), -KEEL_ENOENT, "a slot was filled");
	expect_eq(keel_cap_info(EMPTY_SLOT), -KEEL_ENOENT, "EMPTY_SLOT was filled");
	expect_eq(keel_lookup(fx.as, fx.va, m), -KEEL_ENOENT, "something was mapped");
	expect_eq(keel_kmem_donate(m, fx.donated, CHUNK_SIZE), -KEEL_EROLE,
		  "the empty donation was reclaimed");
	expect_eq(keel_kmem_donate(m, fx.chunk, CHUNK_SIZE), 0, "the free chunk was donated");
	expect_eq(keel_kmem_reclaim(m, fx.chunk, CHUNK_SIZE), 0, "(and it comes back)");
	/* The frames are still free: objects can be made in them (and go again). */
	expect_eq(keel_endpoint_create(m, fx.freef, fx.dst), 0, "an object in a free frame");
	expect_eq(keel_destroy(fx.dst), 0, "and it goes");
	test_end();
}
