/*
 * limits.c - ptest's tests of issue 11 (items 4 to 7): every request
 * costs at most what the caller holds, connections need consent, shares
 * are charged to the sharer and end with it, and every process tree is
 * held to what its root was given.  Each of them failed on the pager
 * before issue 11.
 */
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include "ptest.h"
#include "cslot.h"
#include <abi/pager.h>

static int running(unsigned long pid)
{
	unsigned long how = 99;
	long code;

	return pager_status(pid, &how, &code) == 0 && how == PAGER_RUNNING;
}

/* Kill our child pid: 1 if it ends as killed (and its slot is ours again). */
static int kill_child(unsigned long pid)
{
	unsigned long how = 99;
	long code;

	return pager_kill(pid) == 0 && pager_status(pid, &how, &code) == 0 && how == PAGER_KILLED &&
	       pager_status(pid, &how, &code) == -KEEL_ENOENT;
}

/* Item 4: segments 128 TB apart are two regions; queries stay cheap. */
static void far_segments(void)
{
	int ok = 1;
	unsigned long q[4];

	check(&ok, run("pfar", 0, PAGER_EXITED, 0), run_why);
	check(&ok,
	      pager_query((unsigned long)&far_segments, q) == 0 &&
		  q[2] == (KEEL_MAP_R | KEEL_MAP_X | PAGER_FIXED) && q[3] == q[1],
	      "our own text is not a region of its own, fully backed");
	report("pager_far_apart_segments_are_regions_of_their_own", ok);
}

/* Item 5: no connection without an offer; nothing shared into a stranger. */
static void consent(void)
{
	int ok = 1;
	unsigned long pid;

	check(&ok, run("pvictim", PV_CONNECT_INIT, PAGER_EXITED, 0),
	      "a process connected or shared into init, which offered nothing");
	check(&ok, pager_connect(1) == -KEEL_EPERM, "we connected to init without its offer");
	check(&ok, pager_spawn("pvictim", PV_SLEEP, &pid) == 0, "spawning a sleeper");
	if (ok) {
		check(&ok, pager_connect(pid) == -KEEL_EPERM,
		      "we connected to a child that offered nothing");
		check(&ok, kill_child(pid), "killing the sleeper");
	}
	report("pager_connect_needs_the_servers_offer", ok);
}

/*
 * Item 5: a sibling connects to a server that offered, shares a page into
 * it and exits: the server saw the page, was not charged for it, and it
 * was gone once the sharer ended.
 */
static void share_ends_with_sharer(void)
{
	int ok = 1;
	unsigned long server, attacker, how = 99, before = free_bytes();
	long code = -1;

	check(&ok, pager_spawn("pvictim", PV_SERVER, &server) == 0, "spawning the server");
	if (ok)
		check(&ok, pager_spawn("pvictim", PV_ARG(PV_ATTACK, server), &attacker) == 0,
		      "spawning the sharer");
	if (ok) {
		check(&ok,
		      pager_wait(attacker, WAIT, &how, &code) == 0 && how == PAGER_EXITED && !code,
		      "the sharer could not connect or share");
		how = 99;
		check(&ok, pager_wait(server, WAIT, &how, &code) == 0 && how == PAGER_EXITED,
		      "the server never ended");
		if (ok && !check(&ok, code == 0, "the server"))
			fmt(why, sizeof(why),
			    "the server said %ld (2: charged to it, 4: it outlived the sharer)",
			    code);
	}
	check(&ok, free_bytes() == before, "free memory did not come back");
	report("pager_share_is_charged_to_the_sharer_and_ends_with_it", ok);
}

/* Item 7: shared-in memory has its own bounded place in the receiver. */
static void shared_in_limit(void)
{
	int ok = 1;
	unsigned long pid, va, at[PAGER_MAX_SHARED_IN], out, before = free_bytes();
	struct pager_limits l0 = { 0, 0, 0, 0 }, l1 = { 1, 0, 0, 0 };

	check(&ok, pager_spawn("pvictim", PV_SLEEP, &pid) == 0, "spawning a sleeper");
	check(&ok, pager_alloc(0, PAGE_SIZE, RW, &va) == 0, "allocating a page");
	long had = pager_limits(pid, &l0);
	for (int i = 0; ok && i < PAGER_MAX_SHARED_IN; i++) {
		check(&ok, pager_share(va, PAGE_SIZE, pid, 0, KEEL_MAP_R, &at[i]) == 0, "sharing");
		check(&ok, at[i] >= PAGER_SHARE_BASE && at[i] < PAGER_SHARE_TOP,
		      "shared outside the window");
		check(&ok, !i || at[i] != at[i - 1], "shared twice at the same address");
	}
	check(&ok, pager_share(va, PAGE_SIZE, pid, 0, KEEL_MAP_R, &out) == -KEEL_EFULL,
	      "one share more than PAGER_MAX_SHARED_IN was not refused with EFULL");
	check(&ok, !had && pager_limits(pid, &l1) == 0 && l1.bytes_left == l0.bytes_left,
	      "the shares were charged to the receiver");
	check(&ok, pager_free(va, PAGE_SIZE) == 0, "freeing the page");
	check(&ok, kill_child(pid), "killing the sleeper");
	check(&ok, free_bytes() == before, "free memory did not come back");
	report("pager_shared_in_memory_is_limited_per_receiver", ok);
}

/* Share a page with a PV_SHARE_RW child: 1 if its write comes back. */
static int share_round_trip(void)
{
	unsigned long va, pid, got, how = 99;
	long code = -1, r;
	int ok = 0;

	if (pager_alloc(0, PAGE_SIZE, RW, &va))
		return 0;
	*(volatile unsigned long *)va = PV_MAGIC;
	if ((r = pager_spawn("pvictim", PV_SHARE_RW, &pid)) == 0) {
		r = pager_share(va, PAGE_SIZE, pid, PV_SHARED_VA, RW, &got);
		if (r)
			fmt(run_why, sizeof(run_why), "another family's share was refused: %ld", r);
		else
			ok = pager_wait(pid, WAIT, &how, &code) == 0 && how == PAGER_EXITED &&
			     code == 0 && *(volatile unsigned long *)va == PV_MAGIC + 1;
		if (r)
			kill_child(pid);
	}
	pager_free(va, PAGE_SIZE);
	return ok;
}

/* Wait until *flag is PV_MAGIC (or pid ends): 1 if it is. */
static int wait_flag(unsigned long flag, unsigned long pid)
{
	for (int t = 0; *(volatile unsigned long *)flag != PV_MAGIC; t++) {
		if (t > WAIT || !running(pid))
			return 0;
		keel_sleep(1);
	}
	return 1;
}

/*
 * Item 7: one family shares all it can (before issue 11 that filled the
 * pager's one table of shared frames); a share outside it still works.
 */
static void share_flood(void)
{
	int ok = 1;
	unsigned long flood, flag, there, before = free_bytes();

	check(&ok, pager_alloc(0, PAGE_SIZE, RW, &flag) == 0, "allocating the flag page");
	check(&ok, pager_spawn_limits("pvictim", PV_FLOOD, 0, 96ul << 20, 4, &flood) == 0,
	      "spawning the family");
	check(&ok, ok && pager_share(flag, PAGE_SIZE, flood, PV_SHARED_VA, RW, &there) == 0,
	      "sharing the flag page");
	check(&ok, ok && wait_flag(flag, flood), "the family never finished sharing");
	if (ok) /* a share by another family: the page must make the round trip */
		check(&ok, share_round_trip(), run_why);
	check(&ok, kill_child(flood), "killing the family");
	check(&ok, pager_free(flag, PAGE_SIZE) == 0, "freeing the flag page");
	check(&ok, free_bytes() == before, "free memory did not come back");
	report("pager_share_flood_stays_in_its_family", ok);
}

/*
 * Item 6: a process spawns copies of itself, each with nearly all it has
 * left, until it is refused.  Its family stops at the slots and bytes we
 * gave it; we can still spawn; killing one of them ends its descendants;
 * killing it ends them all, and every slot and byte comes back.
 */
static void spawn_bomb(void)
{
	int ok = 1, family = 0, leaf = 0;
	unsigned long bomb, before = free_bytes();
	struct pager_limits l0 = { 0 }, l1 = { 0 }, l;

	check(&ok, pager_limits(0, &l0) == 0, "our limits");
	check(&ok, ok && pager_spawn_limits("pvictim", PV_BOMB, 0, 64ul << 20, 4, &bomb) == 0,
	      "spawning the bomb");
	/* Until the family's last member (no slots of its own) is there. */
	for (int t = 0; ok && !leaf && t < WAIT; t++) {
		for (unsigned long p = bomb + 1; p <= bomb + PAGER_MAX_PROCS; p++)
			leaf |= running(p) && pager_limits(p, &l) == 0 && l.slots == 0;
		if (!leaf)
			keel_sleep(1);
	}
	check(&ok, leaf, "the bomb's family never reached its last member");
	keel_sleep(20); /* the last one's own attempt, refused */
	for (unsigned long p = bomb; p <= bomb + PAGER_MAX_PROCS; p++)
		family += running(p);
	if (ok && !check(&ok, family == 5, "the family"))
		fmt(why, sizeof(why), "the bomb's family has %d processes, not 1 + 4 slots",
		    family);
	check(&ok, pager_limits(0, &l) == 0 && l.slots_left == l0.slots_left - 5,
	      "the family holds other slots than the 5 we gave it");
	check(&ok, run("pvictim", PV_EXIT, PAGER_EXITED, 0), "we could not spawn any more");
	check(&ok, pager_kill(1) == -KEEL_EPERM, "we could kill init");
	unsigned long how = 99;
	long code;
	/* The family is a chain: bomb, bomb + 1, ..., bomb + 4. */
	check(&ok, pager_kill(bomb + 2) == 0, "killing a grandchild");
	check(&ok, pager_status(bomb + 2, &how, &code) == 0 && how == PAGER_KILLED,
	      "the grandchild was not killed");
	check(&ok, !running(bomb + 3) && !running(bomb + 4) && running(bomb + 1),
	      "a grandchild's end did not end exactly its descendants");
	check(&ok, kill_child(bomb), "killing the bomb");
	check(&ok, !running(bomb + 1), "the bomb's child outlived it");
	check(&ok,
	      pager_limits(0, &l1) == 0 && l1.slots_left == l0.slots_left &&
		  l1.bytes_left == l0.bytes_left,
	      "our slots and quota did not come back");
	check(&ok, free_bytes() == before, "free memory did not come back");
	report("pager_spawn_bomb_stops_at_its_limits_and_dies_with_its_parent", ok);
}

/*
 * Issue 12: a process can be given a capability to a service at spawn
 * time.  We connect to an echo server, then start a child that gets a
 * copy of our connection capability and calls the server through it; the
 * server sees our badge both times.  A spawn that fails takes nothing
 * with it, and when the server ends the pager empties our slot.
 */
static void spawn_gives_capability(void)
{
	int ok = 1;
	unsigned long server = 0, child = 0, how = 99, before = free_bytes();
	long code = -1;
	struct keel_msg m = { 0, IPC_TAG(1, 0), { 7, 0, 0, 0 } };

	check(&ok, pager_spawn("pvictim", PV_ECHO, &server) == 0, "spawning the echo server");
	if (ok)
		check(&ok, pager_connect_wait(server, WAIT) == 0, "connecting to it");
	if (ok)
		check(&ok, keel_call(PAGER_CONN_SLOT, &m) == 0 && m.w[0] == 8,
		      "our own call through the connection");
	if (ok)
		check(&ok,
		      pager_spawn_caps("no such module", 0, 0, PAGER_QUOTA_DEFAULT, 0, 1,
				       PAGER_CONN_SLOT, 0, 0) == -KEEL_ENOENT,
		      "a failed spawn carrying a capability");
	if (ok)
		check(&ok,
		      pager_spawn_caps("pvictim", PV_GIVEN, 0, PAGER_QUOTA_DEFAULT, 0, 1,
				       PAGER_CONN_SLOT, 0, &child) == 0,
		      "spawning a child with a copy of our connection");
	if (ok &&
	    !check(&ok, pager_wait(child, WAIT, &how, &code) == 0 && how == PAGER_EXITED && !code,
		   "the child"))
		fmt(why, sizeof(why),
		    "the child ended (%lu) with %ld (1: not a send-only endpoint, 3: its call)",
		    how, code);
	m = (struct keel_msg){ 0, IPC_TAG(9, 0), { 0 } };
	if (ok)
		check(&ok, keel_send(PAGER_CONN_SLOT, &m) == 0, "ending the server");
	else if (server)
		pager_kill(server); /* it would wait for ever */
	how = 99;
	if (server)
		check(&ok, pager_wait(server, WAIT, &how, &code) == 0 && how == PAGER_EXITED,
		      "the server never ended");
	if (ok && !check(&ok, code == 0, "the server"))
		fmt(why, sizeof(why), "the server said %ld (4: the badges differed)", code);
	check(&ok, keel_cap_info(PAGER_CONN_SLOT) == -KEEL_ENOENT,
	      "our connection slot outlived the server");
	check(&ok,
	      keel_cap_info(PAGER_SLOT) ==
		  (long)(KEEL_CAP_ENDPOINT << 8 | KEEL_EP_SEND | KEEL_EP_GRANT),
	      "our pager slot: send and grant");
	check(&ok, free_bytes() == before, "free memory did not come back");
	report("pager_spawn_gives_the_child_a_capability", ok);
}

/*
 * Issue 12: pager requests go through a capability like any call.  A copy
 * of PAGER_SLOT with SEND reaches the pager as us (the badge goes with
 * it); one without SEND is refused by the kernel, and so is an empty slot
 * or a slot out of range; the pager never sees those.
 */
static void requests_need_the_capability(void)
{
	int ok = 1;
	struct pager_pstats mine, via;
	struct keel_msg m = { 0, IPC_TAG(PAGER_PSTATS, 0), { 0, 0, 0, 0 } };
	long a = cslot_alloc(), b = cslot_alloc();

	check(&ok, a >= 0 && b >= 0, "no free slots");
	if (ok)
		check(&ok,
		      keel_cap_copy(PAGER_SLOT, KEEL_CAP_SELF, (unsigned long)a, KEEL_EP_SEND, 0) ==
			  0,
		      "a send-only copy of our pager slot");
	if (ok)
		check(&ok,
		      keel_cap_copy(PAGER_SLOT, KEEL_CAP_SELF, (unsigned long)b, KEEL_EP_GRANT,
				    0) == 0,
		      "a grant-only copy");
	check(&ok, pager_pstats(0, &mine) == 0, "our own statistics");
	if (ok) {
		check(&ok, keel_call((unsigned long)a, &m) == 0 && IPC_TAG_LABEL(m.tag) == 0,
		      "a request through the copy");
		via = (struct pager_pstats){ m.w[0], m.w[1], m.w[2], m.w[3] };
		check(&ok, via.quota == mine.quota && via.kernel == mine.kernel,
		      "the pager took the copy's caller for someone else");
	}
	m.tag = IPC_TAG(PAGER_STATS, 0);
	check(&ok, keel_call((unsigned long)b, &m) == -KEEL_EPERM, "a request without SEND");
	m.tag = IPC_TAG(PAGER_STATS, 0);
	check(&ok, keel_call(PAGER_GIVEN_SLOT + 2, &m) == -KEEL_ENOENT,
	      "a request to an empty slot");
	m.tag = IPC_TAG(PAGER_STATS, 0);
	check(&ok, keel_call(KEEL_CAP_SLOTS, &m) == -KEEL_EINVAL, "a request past the table");
	if (a >= 0) {
		check(&ok, keel_cap_delete(KEEL_CAP_SELF, (unsigned long)a) == 0,
		      "deleting the copy");
		cslot_free((unsigned long)a);
	}
	if (b >= 0) {
		check(&ok, keel_cap_delete(KEEL_CAP_SELF, (unsigned long)b) == 0,
		      "deleting the copy");
		cslot_free((unsigned long)b);
	}
	report("pager_requests_go_through_a_capability", ok);
}

/*
 * Issue 12: a server keeps a copy of its connection that the pager does
 * not know of.  When the client ends, that copy is stale and keeps the
 * chunk the endpoint was made in (the client's) from being reclaimed;
 * when the server ends too, the chunk comes back: free memory is exactly
 * where it was.  (Before the pager retried such chunks, it lost them.)
 */
static void stale_copy_pins_until_holder_ends(void)
{
	int ok = 1;
	unsigned long server = 0, client = 0, how = 99, before = free_bytes();
	long code = -1;

	check(&ok, pager_spawn("pvictim", PV_HOARD, &server) == 0, "spawning the server");
	if (ok)
		check(&ok, pager_spawn("pvictim", PV_ARG(PV_CONNECT, server), &client) == 0,
		      "spawning the client");
	if (ok)
		check(&ok,
		      pager_wait(client, WAIT, &how, &code) == 0 && how == PAGER_EXITED && !code,
		      "the client could not connect");
	how = 99;
	if (server &&
	    !check(&ok, pager_wait(server, WAIT, &how, &code) == 0 && how == PAGER_EXITED && !code,
		   "the server"))
		fmt(why, sizeof(why),
		    "the server ended (%lu) with %ld (1: no client, 2: copy, 4: no EDEAD)", how,
		    code);
	else if (!check(&ok, free_bytes() == before, "free memory"))
		fmt(why, sizeof(why), "free memory did not come back: %ld bytes short",
		    (long)(before - free_bytes()));
	report("pager_chunk_kept_by_a_stale_copy_comes_back_when_its_holder_ends", ok);
}

/*
 * Issue 15: connections come and go by the thousand with nothing lost.
 * A PV_CHURN server serves CHURN_CYCLES clients one after another: each a
 * new process that connects (the pager makes an endpoint, charged to it),
 * calls once and ends, which disconnects (the pager destroys the
 * endpoint and empties both slots).  Afterwards free memory, our limits
 * and the kernel's live objects are exactly what they were.
 */
#define CHURN_CYCLES 3000

static void connection_churn(void)
{
	int ok = 1;
	unsigned long server = 0, how = 99, done = 0, t0 = keel_info(KEEL_INFO_TICKS);
	unsigned long before = free_bytes();
	long code = -1, obj0 = keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 1));
	struct pager_limits l0 = { 0 }, l1 = { 0 };

	check(&ok, pager_limits(0, &l0) == 0, "our limits");
	check(&ok, ok && pager_spawn("pvictim", PV_ARG(PV_CHURN, CHURN_CYCLES), &server) == 0,
	      "spawning the server");
	while (ok && done < CHURN_CYCLES) {
		if (!check(&ok, run("pvictim", PV_ARG(PV_CONNECT, server), PAGER_EXITED, 0),
			   "a client"))
			fmt(why, sizeof(why),
			    "client %lu: %s (1: no connection, 3: a wrong answer)", done, run_why);
		else
			done++;
	}
	if (!ok && server)
		pager_kill(server);
	if (server) {
		long w = pager_wait(server, WAIT, &how, &code);
		if (w) {
			pager_kill(server); /* it must not outlive the test */
			pager_wait(server, WAIT, &how, &code);
		}
		if (ok && !check(&ok, !w && how == PAGER_EXITED && !code, "the server"))
			fmt(why, sizeof(why),
			    "the server ended (%lu) with %ld, wait %ld (see pvictim's churn)", how,
			    code, w);
	}
	long obj1 = keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 1));
	unsigned long after = free_bytes();
	print_fmt("[ptest] %lu connections in %lu ticks; free memory %lu -> %lu, kernel objects "
		  "%ld -> %ld\n",
		  done, keel_info(KEEL_INFO_TICKS) - t0, before, after, obj0, obj1);
	if (ok && !check(&ok, after == before, "free memory"))
		fmt(why, sizeof(why), "free memory did not come back: %ld bytes short",
		    (long)(before - after));
	if (ok && !check(&ok, obj1 == obj0, "kernel objects"))
		fmt(why, sizeof(why), "kernel objects %ld before, %ld after", obj0, obj1);
	check(&ok,
	      pager_limits(0, &l1) == 0 && l1.slots_left == l0.slots_left &&
		  l1.bytes_left == l0.bytes_left,
	      "our slots and quota did not come back");
	report("pager_connection_churn_gives_memory_back", ok);
}

void limits_tests(void)
{
	connection_churn();
	stale_copy_pins_until_holder_ends();
	requests_need_the_capability();
	spawn_gives_capability();
	consent();
	share_ends_with_sharer();
	shared_in_limit();
	share_flood();
	spawn_bomb();
	far_segments();
}
