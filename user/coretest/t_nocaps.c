/*
 * t_nocaps.c - a process with no capability but the one it was given (a
 * send-only endpoint of an echo server) can do nothing with any object:
 * ufuzz in UFUZZ_NOCAPS mode makes every object call (and the IPC and
 * capability calls) with every slot, and beyond, where the capability
 * goes, and checks each answer exactly: ENOENT for an empty slot, EINVAL
 * out of range, EBADOBJ or EPERM for the one it has.  It exits with the
 * number of wrong answers.  The threads of the root's own space share its
 * capabilities, so this needs a process of its own.
 */
#include "ct.h"

void tests_nocaps(void)
{
	static struct kpool pool;
	static struct server s;
	static struct proc p;
	static struct client c;
	unsigned long badge = badge_new();

	test_begin("nocaps_process_every_object_call_refused");
	kpool_init(&pool, &root_pool);
	memset(&c, 0, sizeof(c));
	long r = ufuzz_prepare(&p, &pool, &s, &c, badge, 0, KEEL_EP_SEND);
	if (r == 0) {
		r = proc_start(&p, UFUZZ_ARG(UFUZZ_NOCAPS, 0, 1));
		expect_eq(r, 0, "starting it");
		if (r == 0) {
			expect(wait_until(&c.events, 1, 3 * WAIT_TICKS), "it never ended");
			expect(c.exits == 1 && c.faults == 0, "it did not exit (faults %d)",
			       c.faults);
			expect_eq(c.exit_code, 0, "its wrong answers (see its [ufuzz] lines)");
			expect_eq(s.calls, 2, "calls the server saw (its two pings)");
		}
		expect_eq(proc_destroy(&p), 0, "destroying the process");
		pager_unwatch(&c);
	}
	if (s.t.tcb)
		expect_eq(server_stop(&s), 0, "stopping the server");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}
