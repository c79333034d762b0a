/*
 * names.c - ptest's tests of the name service and the objects the pager
 * makes for processes (PAGER_REGISTER, PAGER_LOOKUP, PAGER_NOTIFY,
 * PAGER_ENDPOINT, PAGER_PS) and of spawning with an argument line.
 */
#include "args.h"
#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include "ptest.h"
#include "str.h"
#include <abi/pager.h>

/* Wait (at most WAIT ticks) until `name` can be looked up into slot. */
static long lookup_wait(const char *name, unsigned long slot, unsigned long *pid)
{
	long r = -KEEL_ENOENT;

	for (int t = 0; t < WAIT && r == -KEEL_ENOENT; t++)
		if ((r = pager_lookup(name, slot, pid)) == -KEEL_ENOENT)
			keel_sleep(1);
	return r;
}

/* Register, refusals, and a client's call arriving with its pid as the badge. */
static void register_and_call(void)
{
	int ok = 1;
	long ep = cslot_alloc(), other = cslot_alloc();
	unsigned long pid, how = 99;
	long code = -1;

	check(&ok, ep >= 0 && other >= 0, "no free slots");
	check(&ok, pager_register("", (unsigned long)ep) == -KEEL_EINVAL, "an empty name");
	check(&ok, pager_register("a b", (unsigned long)ep) == -KEEL_EINVAL, "a space in a name");
	check(&ok, pager_register("0123456789abcdef", (unsigned long)ep) == -KEEL_EINVAL,
	      "a name of PAGER_NAME_MAX characters");
	check(&ok, pager_register("pt.named", PAGER_SLOT) == -KEEL_EINVAL, "a fixed slot");
	check(&ok, pager_register("pt.named", KEEL_CAP_SLOTS) == -KEEL_EINVAL, "past the slots");
	check(&ok, pager_register("pager", (unsigned long)ep) == -KEEL_EEXIST, "the pager's name");
	check(&ok, pager_lookup("pt.named", (unsigned long)ep, 0) == -KEEL_ENOENT,
	      "a name nobody has");
	check(&ok, pager_register("pt.named", (unsigned long)ep) == 0, "registering");
	check(&ok, keel_cap_info((unsigned long)ep) >= 0, "nothing in the slot");
	check(&ok, pager_register("pt.other", (unsigned long)other) == -KEEL_EFULL,
	      "a second name (PAGER_NAMES_EACH is 1)");
	check(&ok, pager_spawn("pvictim", PV_LOOKUP, &pid) == 0, "spawning a client");
	struct keel_msg m = { 0 };
	long r = keel_recv((unsigned long)ep, &m);
	check(&ok, r == 0 && m.badge == pid && IPC_TAG_LABEL(m.tag) == 1 && m.w[0] == 41,
	      "the client's call, with its pid as the badge");
	/*
	 * The client shared a page into us, its parent: allowed only because
	 * it looked up our name (a child may not share into its parent).
	 */
	unsigned long q[4];
	check(&ok,
	      m.w[1] && pager_query(m.w[1], q) == 0 && (q[2] & PAGER_SHARED) &&
		  *(volatile unsigned long *)m.w[1] == PV_MAGIC,
	      "the page the client shared by name");
	m.tag = IPC_TAG(0, 0);
	m.w[0] = 42;
	check(&ok,
	      keel_reply_recv((unsigned long)ep, &m) == 0 && m.badge == pid &&
		  IPC_TAG_LABEL(m.tag) == 9,
	      "its last message");
	check(&ok, pager_wait(pid, WAIT, &how, &code) == 0 && how == PAGER_EXITED && code == 0,
	      "the client did not end well");
	/* A second process may not take the name while we hold it. */
	check(&ok, run("pvictim", PV_SQUAT, PAGER_EXITED, 0), run_why);
	report("pager_names_register_and_call", ok);
}

/* "pager" is the pager; a server's end empties its clients' slots and gives memory back. */
static void lookup_and_server_end(void)
{
	int ok = 1;
	long s = cslot_alloc();
	unsigned long pid = 0, before = free_bytes();

	check(&ok, s >= 0, "no free slot");
	check(&ok, pager_lookup("pager", (unsigned long)s, 0) == 0, "looking up the pager");
	struct keel_msg m = { 0, IPC_TAG(PAGER_STATS, 0), { 0 } };
	check(&ok, keel_call((unsigned long)s, &m) == 0 && IPC_TAG_LABEL(m.tag) == 0 && m.w[0],
	      "PAGER_STATS through the name");
	check(&ok, keel_cap_delete(KEEL_CAP_SELF, (unsigned long)s) == 0, "deleting it");
	check(&ok, pager_lookup("no.such", (unsigned long)s, 0) == -KEEL_ENOENT, "no such name");
	check(&ok, pager_lookup("a/b", (unsigned long)s, 0) == -KEEL_EINVAL, "a bad name");
	check(&ok, pager_spawn("pvictim", PV_NAMED, &pid) == 0, "spawning a server");
	unsigned long server = 0;
	check(&ok, lookup_wait("pv.named", (unsigned long)s, &server) == 0, "looking it up");
	check(&ok, server == pid, "the lookup's answer is not the server's pid");
	check(&ok, pager_lookup("pv.named", (unsigned long)s, 0) == -KEEL_EEXIST,
	      "into a full slot");
	/* Looking up into the same slot again and again takes one entry, not one each. */
	for (int i = 0; i < 2 * PAGER_LOOKUPS_EACH; i++)
		check(&ok,
		      keel_cap_delete(KEEL_CAP_SELF, (unsigned long)s) == 0 &&
			  pager_lookup("pv.named", (unsigned long)s, 0) == 0,
		      "the same slot looked up again (a review found each took an entry)");
	m = (struct keel_msg){ 0, IPC_TAG(1, 0), { 7 } };
	check(&ok, keel_call((unsigned long)s, &m) == 0 && m.w[0] == 8, "calling it");
	unsigned long how;
	long code;
	check(&ok, pager_kill(pid) == 0 && pager_status(pid, &how, &code) == 0, "killing it");
	check(&ok, keel_cap_info((unsigned long)s) == -KEEL_ENOENT, "our copy outlived the server");
	check(&ok, free_bytes() == before, "the server's memory did not come back");
	check(&ok, pager_lookup("pv.named", (unsigned long)s, 0) == -KEEL_ENOENT,
	      "the name outlived the server");
	report("pager_names_lookup_and_server_end", ok);
}

/* PAGER_NOTIFY: one per process; a child's end sets PAGER_EVENT_CHILD. */
static void notify_child_end(void)
{
	int ok = 1;
	long n = cslot_alloc(), e = cslot_alloc(), e2 = cslot_alloc();
	unsigned long pid, how;
	long code;

	check(&ok, n >= 0 && e >= 0 && e2 >= 0, "no free slots");
	check(&ok, pager_notify((unsigned long)n, 2) == -KEEL_EINVAL, "unknown flags");
	check(&ok, pager_notify((unsigned long)n, 0) == 0, "a notification");
	/* Without DESTROY: the pager destroys it (a review found a process could, leaking
	 * the pager's slot). */
	check(&ok,
	      KEEL_CAP_RIGHTS(keel_cap_info((unsigned long)n)) == (KEEL_NT_SIGNAL | KEEL_NT_WAIT),
	      "the notification's rights");
	check(&ok, keel_destroy((unsigned long)n) == -KEEL_EPERM, "destroying it ourselves");
	check(&ok, pager_notify((unsigned long)e, 0) == -KEEL_EEXIST, "a second one");
	check(&ok, keel_wait((unsigned long)n, KEEL_WAIT_POLL) == 0, "bits before anything ended");
	check(&ok, pager_spawn("pvictim", PV_EXIT, &pid) == 0, "spawning");
	long bits = keel_wait((unsigned long)n, 0);
	check(&ok, bits == (long)PAGER_EVENT_CHILD, "the child's end was not signalled");
	check(&ok, pager_status(pid, &how, &code) == 0 && how == PAGER_EXITED, "its status");
	check(&ok, pager_endpoint((unsigned long)e) == 0, "an endpoint");
	check(&ok, keel_destroy((unsigned long)e) == -KEEL_EPERM,
	      "destroying the endpoint ourselves");
	check(&ok, pager_endpoint((unsigned long)e2) == -KEEL_EFULL, "a second endpoint");
	check(&ok, keel_cap_info((unsigned long)e2) == -KEEL_ENOENT, "the refused slot is empty");
	report("pager_notify_and_endpoint", ok);
}

/* PAGER_PS lists every process, with its name and state. */
static void ps(void)
{
	int ok = 1, seen_me = 0, seen_init = 0, n = 0;
	struct pager_ps p;
	unsigned long after = 0;
	long r;

	while ((r = pager_ps(after, &p)) == 0 && n++ < PAGER_MAX_PROCS) {
		check(&ok, p.pid > after, "not in order");
		seen_init |= p.pid == 1 && str_eq(p.name, "init");
		seen_me |=
		    str_eq(p.name, "ptest") && p.state == PAGER_RUNNING && p.parent == 1 &&
		    p.data >= PROG_STACK_SIZE + PAGE_SIZE; /* its stack and IPC buffer at least */
		after = p.pid;
	}
	check(&ok, r == -KEEL_ENOENT, "the list did not end with ENOENT");
	check(&ok, seen_init, "init missing");
	check(&ok, seen_me, "ptest missing, or not running, or not init's child");
	report("pager_ps_lists_processes", ok);
}

/* An argument line reaches the child; a bad one is refused. */
static void args(void)
{
	int ok = 1;
	unsigned long pid = 0, how = 99;
	long code = -1;
	char longer[PAGER_ARGS_MAX + 1];
	struct pager_spawn sp = {
		"pvictim", "  first second ", PV_ARGS, 0, PAGER_QUOTA_DEFAULT, 0, 0, { 0 }
	};

	check(&ok, pager_spawn_with(&sp, &pid) == 0, "spawning with arguments");
	check(&ok, pager_wait(pid, WAIT, &how, &code) == 0 && how == PAGER_EXITED && code == 0,
	      "the child did not see its two words");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	sp.args = longer;
	check(&ok, pager_spawn_with(&sp, &pid) == -KEEL_EINVAL, "too long an argument line");
	sp.args = 0;
	sp.cpu = PAGER_SPAWN_SERVICE;
	check(&ok, pager_spawn_with(&sp, &pid) == -KEEL_EPERM, "a service, from another than init");
	sp.cpu = 1ul << 40;
	check(&ok, pager_spawn_with(&sp, &pid) == -KEEL_EINVAL, "unknown bits in the cpu word");
	/* Built by hand: the pager checks it too. */
	char *buf = (char *)PROG_IPC_BUF;
	memcpy(buf, "pvictim\0ab", 10); /* no NUL at the end */
	struct keel_msg m = { 0, IPC_TAG(PAGER_SPAWN, 10), { PV_EXIT, 0, PAGER_QUOTA_DEFAULT, 0 } };
	check(&ok, keel_call(PAGER_SLOT, &m) == 0 && IPC_TAG_LABEL(m.tag) == KEEL_EINVAL,
	      "an argument line without its NUL");
	memcpy(buf, "pvictim\0a\0b", 12);
	m = (struct keel_msg){ 0,
			       IPC_TAG(PAGER_SPAWN, 12),
			       { PV_EXIT, 0, PAGER_QUOTA_DEFAULT, 0 } };
	check(&ok, keel_call(PAGER_SLOT, &m) == 0 && IPC_TAG_LABEL(m.tag) == KEEL_EINVAL,
	      "two NUL-terminated lines");
	check(&ok, str_eq(args_line(), ""), "ptest itself was given arguments");
	report("pager_spawn_with_arguments", ok);
}

void names_tests(void)
{
	register_and_call();
	lookup_and_server_end();
	notify_child_end();
	ps();
	args();
}
