/*
 * t_fuzz.c - ufuzz, a process whose only capability is a send-and-grant
 * one to an echo server of ours, makes thousands of random system calls
 * (on random slots and its own copies of that capability, calling the
 * server among them) while another client of the same server, and the
 * root, check every answer.  Then everything is destroyed and its
 * donation must come back.
 */
#include "ct.h"

#define FUZZ_CALLS   20000
#define CLIENT_CALLS 300

static struct kpool pool;
static struct server s;
static struct proc p;
static struct client fc, kc;
static struct uthread k;
static int server_slot;

static long echo_client(struct uthread *t)
{
	long bad = 0;
	for (unsigned long i = 0; i < CLIENT_CALLS; i++)
		bad += !echo_call(server_slot, t->buf, i * 7 + 3, 0);
	return bad;
}

void tests_fuzz(void)
{
	unsigned long badge = badge_new(), cpu = ct.cpus > 1 ? 1 : 0;
	int started = 0, kstarted = 0, ok = 0;
	long r;

	kpool_init(&pool, &root_pool);
	memset(&fc, 0, sizeof(fc));
	memset(&kc, 0, sizeof(kc));

	test_begin("fuzz_ufuzz_runs_clean");
	/* Send and grant, never destroy or receive. */
	r = ufuzz_prepare(&p, &pool, &s, &fc, badge, cpu, KEEL_EP_SEND | KEEL_EP_GRANT);
	server_slot = s.slot;
	if (r == 0) {
		r = proc_start(&p, UFUZZ_ARG(UFUZZ_FUZZ, FUZZ_CALLS, ticks() | 1));
		expect_eq(r, 0, "starting it");
		started = r == 0;
	}
	if (started) {
		r = child_start(&k, &kc, &pool, echo_client, 0, THREAD_PRIO_DEFAULT, 0);
		expect_eq(r, 0, "starting another client");
		kstarted = r == 0;
		/* Meanwhile, our own calls. */
		for (unsigned long i = 0; i < 200; i++)
			ok += echo_call(s.slot, ct.ipcbuf, i, 0);
		expect(wait_until(&fc.events, 1, 6 * WAIT_TICKS), "ufuzz never ended");
		if (fc.killed)
			sleep_ticks(5);
		expect(fc.exits == 1 && fc.faults == 0,
		       "ufuzz did not exit: %d faults, the first at 0x%lx, code 0x%lx, rip 0x%lx",
		       fc.faults, fc.addr[0], fc.code[0], fc.rip[0]);
		expect_eq(fc.exit_code, 0, "ufuzz's surprises");
		expect_eq(fc.late, 0, "messages after a kill");
	}
	test_end();

	test_begin("fuzz_others_keep_working");
	if (started) {
		expect_eq(ok, 200, "our echo calls during the fuzzing answered right");
		if (kstarted) {
			expect(child_wait(&kc) && kc.exits == 1, "the other client never ended");
			expect_eq(kc.exit_code, 0, "the other client's wrong answers");
		}
		ok = 0;
		for (unsigned long i = 0; i < 50; i++)
			ok += echo_call(s.slot, ct.ipcbuf, i + 1000, 0) +
			      echo_call(ct.echo_slot, ct.ipcbuf, i, 0);
		expect_eq(ok, 100, "echo calls answered right afterwards");
		expect_eq(s.errors, 0, "errors in the server");
	} else {
		expect(0, "ufuzz did not start");
	}
	test_end();

	test_begin("fuzz_objects_reclaimed");
	if (kstarted)
		expect_eq(child_finish(&k, &kc), 0, "destroying the other client");
	expect_eq(proc_destroy(&p), 0, "destroying ufuzz");
	pager_unwatch(&fc);
	if (s.t.tcb)
		expect_eq(server_stop(&s), 0, "stopping the server");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}
