/*
 * t_caps.c - capabilities: the badge a receiver sees is the capability's
 * and is minted once, a copy can only have fewer rights and really lacks
 * the others (every type), a copy into another space needs KEEL_AS_CAPS,
 * a deleted one is gone, destroying an object revokes them all (waking
 * the threads blocked on it), and messages carry capabilities
 * (include/abi/syscall.h "Capabilities").
 */
#include "ct.h"

#define BADGE 0xca9ab1e0001ul

static struct kpool pool;

/* A call through `slot` to the echo server s: 0 if answered right; the badge s saw. */
static long call_seen(struct server *s, int slot, unsigned long *seen)
{
	struct keel_msg m = { 0, IPC_TAG(7, 0), { 1, 2, 3, 4 } };
	long r = keel_call((unsigned long)slot, &m);

	*seen = __atomic_load_n(&s->last_badge, __ATOMIC_ACQUIRE);
	return r;
}

static int revoke_slot;

static long child_recv(struct uthread *u)
{
	struct keel_msg m = { 0 };

	(void)u;
	return keel_recv((unsigned long)revoke_slot, &m);
}

static long child_call(struct uthread *u)
{
	struct keel_msg m = { 0, IPC_TAG(9, 0), { 9 } };

	return keel_call((unsigned long)u->arg, &m);
}

/* Stale capabilities: every use EDEAD (after the checks that come first), none copied. */
static void expect_stale_endpoint(long b, long plain, int x)
{
	struct keel_msg msg = { 0, IPC_TAG(1, 0), { 0 } };

	expect_eq(keel_call((unsigned long)b, &msg), -KEEL_EDEAD, "a call through a stale one");
	expect_eq(keel_send((unsigned long)b, &msg), -KEEL_EDEAD, "a send through a stale one");
	expect_eq(keel_cap_copy((unsigned long)b, KEEL_CAP_SELF, (unsigned long)x, KEEL_EP_SEND, 0),
		  -KEEL_EDEAD, "copying a stale one");
	expect_eq(keel_cap_info((unsigned long)b), -KEEL_EDEAD, "cap_info of a stale one");
	/* b has no KEEL_CAP_DESTROY: EPERM is checked before EDEAD. */
	expect_eq(keel_destroy((unsigned long)b), -KEEL_EPERM, "destroying through a stale one");
	expect_eq(keel_recv((unsigned long)plain, &msg), -KEEL_EDEAD, "receiving through one");
	expect_eq(keel_reply_recv((unsigned long)plain, &msg), -KEEL_EDEAD,
		  "reply_recv through one");
	expect_eq(keel_destroy((unsigned long)plain), -KEEL_EDEAD,
		  "destroying again, with the right");
	expect_eq(keel_cap_info((unsigned long)x), -KEEL_ENOENT, "nothing was copied");
}

/*
 * Destroying an endpoint revokes every capability to it, at once and at
 * no cost: a thread waiting on it in RECV, and one waiting in CALL (no
 * receiver took its message), are woken with EDEAD, and every use of a
 * capability to it is EDEAD from then on; deleting one is still possible.
 * A stale capability keeps its chunk the kernel's (reclaim: EBUSY), so it
 * never points into memory user space got back.
 */
static void tests_caps_revoke(void)
{
	static struct kpool epool;
	static struct uthread t[2];
	static struct client c[2];
	static const char *const role[2] = { "the receiver (RECV)", "the caller (CALL)" };
	unsigned long frame[2] = { 0, 0 }, m = ct.mem;
	int ep[2] = { -1, -1 }, started[2] = { 0, 0 };
	long b[2] = { -1, -1 }, plain[2] = { -1, -1 };
	int x = slot_alloc();

	test_begin("caps_destroy_revokes_waking_waiters");
	kpool_init(&epool, &root_pool);
	for (int i = 0; i < 2; i++) {
		long r = endpoint_new(&epool, &ep[i], &frame[i]);
		expect_eq(r, 0, "an endpoint in a chunk of its own");
		if (r)
			continue;
		b[i] = cap_dup((unsigned long)ep[i], KEEL_EP_SEND | KEEL_EP_GRANT, BADGE + 1);
		plain[i] = cap_dup((unsigned long)ep[i],
				   KEEL_EP_SEND | KEEL_EP_RECV | KEEL_CAP_DESTROY, 0);
		expect(b[i] >= 0 && plain[i] >= 0, "copies of it: %ld, %ld", b[i], plain[i]);
	}
	if (test_failing())
		goto out;
	memset(c, 0, sizeof(c));
	revoke_slot = ep[0];
	long r0 = child_start(&t[0], &c[0], &pool, child_recv, 0, THREAD_PRIO_DEFAULT, 0);
	long r1 = child_start(&t[1], &c[1], &pool, child_call, (void *)(unsigned long)b[1],
			      THREAD_PRIO_DEFAULT, 0);
	expect(r0 == 0 && r1 == 0, "starting a receiver and a caller: %ld, %ld", r0, r1);
	started[0] = r0 == 0;
	started[1] = r1 == 0;
	sleep_ticks(3); /* they wait on the endpoints */
	expect(c[0].events == 0 && c[1].events == 0, "a waiter did not wait");
	for (int i = 0; i < 2; i++) {
		expect_eq(keel_destroy((unsigned long)ep[i]), 0,
			  "destroying an endpoint, with capabilities to it held");
		expect_eq(keel_cap_info((unsigned long)ep[i]), -KEEL_ENOENT,
			  "destroy emptied its own slot");
		slot_free(ep[i]);
		ep[i] = -1;
		kpool_put(&epool, frame[i]); /* free; stale capabilities still name it */
	}
	for (int i = 0; i < 2; i++) {
		if (!started[i])
			continue;
		expect(child_wait(&c[i]), "no message from %s", role[i]);
		expect(c[i].exits == 1 && c[i].exit_code == -KEEL_EDEAD,
		       "%s: %d exits, code %ld (want EDEAD)", role[i], c[i].exits, c[i].exit_code);
		expect_eq(child_finish(&t[i], &c[i]), 0, "destroying a waiter");
	}
	for (int i = 0; i < 2; i++)
		expect_stale_endpoint(b[i], plain[i], x);
	expect_eq(keel_kmem_reclaim(m, epool.chunks[0], CHUNK_SIZE), -KEEL_EBUSY,
		  "reclaiming a chunk that stale capabilities name");
	for (int i = 0; i < 2; i++) {
		expect_eq(slot_drop((int)b[i]), 0, "deleting a stale capability");
		b[i] = -1;
	}
	expect_eq(keel_kmem_reclaim(m, epool.chunks[0], CHUNK_SIZE), -KEEL_EBUSY,
		  "reclaiming while some stale capabilities are left");
	for (int i = 0; i < 2; i++) {
		expect_eq(slot_drop((int)plain[i]), 0, "deleting the others");
		plain[i] = -1;
	}
	expect_eq(keel_cap_delete(KEEL_CAP_SELF, (unsigned long)x), -KEEL_ENOENT,
		  "deleting an empty slot");
	expect_eq(kpool_release(&epool), 0, "then the chunk comes back");
out:
	for (int i = 0; i < 2; i++) {
		endpoint_drop(&epool, ep[i], frame[i]);
		slot_drop((int)b[i]);
		slot_drop((int)plain[i]);
	}
	slot_free(x);
	test_end();
}

/* A receiver for the transfer tests: lands capabilities where told, receives once. */
struct landing {
	int slot;		  /* where it receives */
	unsigned long land[2];	  /* its landing slots */
	unsigned long tag, ncaps; /* what it got */
};

static long child_land(struct uthread *u)
{
	struct landing *l = u->arg;
	struct keel_msg m = { 0 };
	long r = keel_cap_landing(l->land[0], l->land[1]);

	if (!r)
		r = keel_recv((unsigned long)l->slot, &m);
	l->tag = m.tag;
	l->ncaps = IPC_TAG_NCAPS(m.tag);
	return r;
}

/* Send m through `via` while a receiver on `on` lands capabilities in l0, l1. */
static long send_to_lander(struct landing *l, int on, int via, unsigned long tag, unsigned long l0,
			   unsigned long l1)
{
	static struct uthread t;
	static struct client c;
	struct keel_msg m = { 0, tag, { 0 } };

	memset(&c, 0, sizeof(c));
	*l = (struct landing){ on, { l0, l1 }, 0, 99 };
	long r = child_start(&t, &c, &pool, child_land, l, THREAD_PRIO_DEFAULT, 0);
	if (r)
		return r;
	r = keel_send((unsigned long)via, &m);
	if (r) {
		/* Refused: the receiver still waits; end it. */
		child_finish(&t, &c);
		return r;
	}
	if (!child_wait(&c) || c.exits != 1 || c.exit_code != 0)
		r = -KEEL_EDEAD;
	child_finish(&t, &c);
	return r;
}

/* A free slot at or above `min` (to use all 7 bits of a tag's slot fields), or -1. */
static int slot_alloc_high(int min)
{
	static int taken[KEEL_CAP_SLOTS];
	int n = 0, s;

	while ((s = slot_alloc()) >= 0 && s < min)
		taken[n++] = s;
	while (n > 0)
		slot_free(taken[--n]);
	return s;
}

/*
 * A message carries capabilities: copied or moved, same rights and badge,
 * into the receiver's landing slots; only through a slot with the grant
 * right; every slot checked.
 */
static void tests_caps_transfer(struct server *s)
{
	static struct landing l;
	unsigned long seen = 0, self = KEEL_CAP_SELF, none = KEEL_CAP_NONE;
	int e = -1, g = slot_alloc(), p = slot_alloc_high(64), l0 = slot_alloc(),
	    l1 = slot_alloc_high(100);
	unsigned long ep = 0;

	test_begin("caps_transfer");
	long r = endpoint_new(&pool, &e, &ep);
	expect_eq(r, 0, "an endpoint to send through");
	expect(g >= 0 && p >= 64 && l0 >= 0 && l1 >= 100, "slots %d %d %d %d", g, p, l0, l1);
	if (test_failing()) {
		test_end();
		return;
	}
	/* g: send with the grant right; p: the payload, a badged capability to the server. */
	expect_eq(keel_cap_copy((unsigned long)e, self, (unsigned long)g,
				KEEL_EP_SEND | KEEL_EP_GRANT, 0),
		  0, "a slot with the grant right");
	expect_eq(
	    keel_cap_copy((unsigned long)s->slot, self, (unsigned long)p, KEEL_EP_SEND, BADGE), 0,
	    "the capability to pass on (in a slot of 7 bits)");
	/* Copied: it lands in l0 and stays in p. */
	expect_eq(
	    send_to_lander(&l, e, g, IPC_TAG_CAPS(IPC_TAG(5, 0), 1, p, 0), (unsigned long)l0, none),
	    0, "a message carrying one capability");
	expect(l.ncaps == 1 && IPC_TAG_LABEL(l.tag) == 5 && IPC_TAG_CAP(l.tag, 0) == 0 &&
		   !(l.tag & IPC_TAG_MOVE),
	       "the receiver's tag 0x%lx", l.tag);
	expect_eq(keel_cap_info((unsigned long)l0), keel_cap_info((unsigned long)p),
		  "what landed: same type and rights");
	expect_eq(call_seen(s, l0, &seen), 0, "a call through the capability that landed");
	expect(seen == BADGE, "its badge: the server saw 0x%lx", seen);
	expect_eq(call_seen(s, p, &seen), 0, "the sender still has its copy");
	/* Moved: it lands in l1 (a slot above 99), and p is empty. */
	expect_eq(send_to_lander(&l, e, g, IPC_TAG_CAPS(IPC_TAG(6, 0), 1, p, 0) | IPC_TAG_MOVE,
				 (unsigned long)l1, none),
		  0, "a message moving one capability");
	expect(l.ncaps == 1, "moved: %lu landed", l.ncaps);
	expect_eq(keel_cap_delete(self, (unsigned long)p), -KEEL_ENOENT,
		  "the moved capability left p");
	expect_eq(call_seen(s, l1, &seen), 0, "a call through the moved capability");
	expect(seen == BADGE, "the moved one's badge: the server saw 0x%lx", seen);
	/* No empty landing slot: nothing lands, and the sender keeps it. */
	expect_eq(send_to_lander(&l, e, g, IPC_TAG_CAPS(IPC_TAG(7, 0), 1, l1, 0) | IPC_TAG_MOVE,
				 (unsigned long)l0, none),
		  0, "a message whose landing slot is full");
	expect(l.ncaps == 0, "%lu landed in a full slot", l.ncaps);
	expect_eq(call_seen(s, l1, &seen), 0, "the sender kept what did not land");
	/* The checks, made when the message is sent. */
	struct keel_msg m = { 0, 0, { 0 } };
	/* e was made with every right, GRANT included: a copy without it. */
	int ng = slot_alloc();
	expect_eq(keel_cap_copy((unsigned long)e, self, (unsigned long)ng, KEEL_EP_SEND, 0), 0,
		  "a send-only copy");
	m.tag = IPC_TAG_CAPS(IPC_TAG(8, 0), 1, l1, 0);
	expect_eq(keel_send((unsigned long)ng, &m), -KEEL_EPERM,
		  "carrying one without the grant right");
	slot_drop(ng);
	m.tag = IPC_TAG_CAPS(IPC_TAG(8, 0), 1, p, 0);
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_ENOENT, "carrying an empty slot");
	m.tag = IPC_TAG_CAPS(IPC_TAG(8, 0), 2, l1, l1);
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_EINVAL, "carrying one slot twice");
	m.tag = IPC_TAG(8, 0) | 3ul << 45;
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_EINVAL, "carrying three");
	m.tag = IPC_TAG(8, 0) | IPC_TAG_MOVE;
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_EINVAL, "the move bit alone");
	m.tag = IPC_TAG(8, 0) | 1ul << 62;
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_EINVAL, "an undefined tag bit (62)");
	expect_eq(keel_cap_landing(3, 3), -KEEL_EINVAL, "landing twice in one slot");
	expect_eq(keel_cap_landing(KEEL_CAP_SLOTS, 3), -KEEL_EINVAL, "landing past the table");
	expect_eq(keel_cap_landing(3, KEEL_CAP_SELF), -KEEL_EINVAL, "landing in KEEL_CAP_SELF");
	/* Memory travels too: a one-page, read-only part of ours, moved. */
	int mm = slot_alloc(), lm = slot_alloc(), md = slot_alloc();
	unsigned long page = frame_alloc();
	expect(mm >= 0 && lm >= 0 && md >= 0 && page, "out of slots or memory");
	if (!test_failing()) {
		expect_eq(keel_mem_derive(ct.mem, page, PAGE_SIZE, KEEL_MEM_R, (unsigned long)mm),
			  0, "a one-page part of our memory");
		expect_eq(send_to_lander(&l, e, g,
					 IPC_TAG_CAPS(IPC_TAG(9, 0), 1, mm, 0) | IPC_TAG_MOVE,
					 (unsigned long)lm, none),
			  0, "a message moving a memory capability");
		expect(l.ncaps == 1, "memory: %lu landed", l.ncaps);
		expect_eq(keel_cap_info((unsigned long)lm),
			  (long)(KEEL_CAP_MEMORY << 8 | KEEL_MEM_R),
			  "what landed: memory, read-only");
		expect_eq(keel_cap_info((unsigned long)mm), -KEEL_ENOENT, "it left the sender");
		expect_eq(keel_mem_derive((unsigned long)lm, 0, 2 * PAGE_SIZE, KEEL_MEM_R,
					  (unsigned long)md),
			  -KEEL_EINVAL, "its range came with it: one page");
		expect_eq(keel_mem_derive((unsigned long)lm, 0, PAGE_SIZE, KEEL_MEM_R | KEEL_MEM_W,
					  (unsigned long)md),
			  -KEEL_EPERM, "and its rights");
		expect_eq(keel_cap_delete(self, (unsigned long)lm), 0, "deleting it");
	}
	frame_free(page);
	slot_free(mm);
	slot_free(lm);
	slot_free(md);
	expect_eq(keel_cap_landing(none, none), 0, "no landing slots");
	expect_eq(keel_cap_delete(self, (unsigned long)l0), 0, "deleting what landed");
	expect_eq(keel_cap_delete(self, (unsigned long)l1), 0, "deleting what moved");
	expect_eq(keel_cap_delete(self, (unsigned long)g), 0, "deleting the grant slot");
	expect_eq(endpoint_drop(&pool, e, ep), 0, "destroying the endpoint");
	slot_free(g);
	slot_free(p);
	slot_free(l0);
	slot_free(l1);
	test_end();
}

/* Each right of each type: a copy without it really lacks it (EPERM), the others kept. */
static void tests_caps_rights_reduced(struct server *s)
{
	static struct kpool tpool;
	unsigned long m = ct.mem, self = KEEL_CAP_SELF, f = frame_alloc_zeroed();
	unsigned long asf, pml4, cs, tf;
	int as = slot_alloc(), th = -1;
	struct keel_msg msg = { 0, IPC_TAG(1, 0), { 0 } };
	long c;

	test_begin("caps_copy_lacks_the_rights_it_was_not_given");
	kpool_init(&tpool, &root_pool);
	asf = kpool_get(&tpool);
	pml4 = kpool_get(&tpool);
	cs = kpool_get(&tpool);
	tf = kpool_get(&tpool);
	expect(f && asf && pml4 && cs && tf && as >= 0, "out of memory");
	if (test_failing() || keel_as_create(m, asf, pml4, cs, (unsigned long)as) != 0) {
		expect(0, "no address space");
		goto out;
	}
	/* Address space: without MAP no map, unmap, lookup or table; without THREAD no thread. */
	unsigned long all_as = KEEL_AS_MAP | KEEL_AS_CAPS | KEEL_AS_THREAD | KEEL_CAP_DESTROY;
	c = cap_dup((unsigned long)as, all_as & ~KEEL_AS_MAP, 0);
	expect(c >= 0, "a copy without MAP: %ld", c);
	if (c >= 0) {
		expect_eq((long)KEEL_CAP_RIGHTS(keel_cap_info((unsigned long)c)),
			  (long)(all_as & ~KEEL_AS_MAP), "its rights");
		expect_eq(keel_map((unsigned long)c, NEVER_VA, m, f, KEEL_MAP_R), -KEEL_EPERM,
			  "map without MAP");
		expect_eq(keel_unmap((unsigned long)c, NEVER_VA, m), -KEEL_EPERM,
			  "unmap without MAP");
		expect_eq(keel_lookup((unsigned long)c, NEVER_VA, m), -KEEL_EPERM,
			  "lookup without MAP");
		expect_eq(keel_supply_table((unsigned long)c, NEVER_VA, 3, m, tf), -KEEL_EPERM,
			  "supply_table without MAP");
		expect_eq(keel_cap_copy((unsigned long)c, self, EMPTY_SLOT, all_as, 0), -KEEL_EPERM,
			  "copying it back to every right");
		expect_eq(keel_map((unsigned long)as, NEVER_VA, m, f, KEEL_MAP_R), -KEEL_ENOPDPT,
			  "the original maps (it asks for a table)");
		slot_drop((int)c);
	}
	th = slot_alloc();
	c = cap_dup((unsigned long)as, all_as & ~KEEL_AS_THREAD, 0);
	expect(c >= 0 && th >= 0, "a copy without THREAD: %ld", c);
	if (c >= 0 && th >= 0)
		expect_eq(keel_thread_create(m, tf, (unsigned long)c, KEEL_NO_BUFFER, 1,
					     (unsigned long)th),
			  -KEEL_EPERM, "a thread in it without THREAD");
	slot_drop((int)c);
	c = cap_dup((unsigned long)as, all_as & ~KEEL_CAP_DESTROY, 0);
	expect(c >= 0, "a copy without DESTROY: %ld", c);
	if (c >= 0) {
		expect_eq(keel_destroy((unsigned long)c), -KEEL_EPERM, "destroy without DESTROY");
		expect_eq(keel_cap_info((unsigned long)as) >= 0, 1, "it is still there");
		slot_drop((int)c);
	}
	/* Thread: without CONFIG no config, without START no start. */
	if (th >= 0 && keel_thread_create(m, tf, (unsigned long)as, KEEL_NO_BUFFER, 1,
					  (unsigned long)th) == 0) {
		unsigned long all_th = KEEL_TH_CONFIG | KEEL_TH_START | KEEL_CAP_DESTROY;
		c = cap_dup((unsigned long)th, all_th & ~KEEL_TH_CONFIG, 0);
		expect(c >= 0, "a thread copy without CONFIG: %ld", c);
		expect_eq(keel_thread_config((unsigned long)c, 5, 0, KEEL_CAP_NONE), -KEEL_EPERM,
			  "config without CONFIG");
		slot_drop((int)c);
		c = cap_dup((unsigned long)th, all_th & ~KEEL_TH_START, 0);
		expect(c >= 0, "a thread copy without START: %ld", c);
		expect_eq(keel_thread_start((unsigned long)c, PROG_LOAD_BASE, 0x7fff0000ul, 0),
			  -KEEL_EPERM, "start without START");
		expect_eq(keel_thread_config((unsigned long)c, 5, 0, KEEL_CAP_NONE), 0,
			  "config with CONFIG");
		slot_drop((int)c);
		c = cap_dup((unsigned long)th, all_th & ~KEEL_CAP_DESTROY, 0);
		expect_eq(keel_destroy((unsigned long)c), -KEEL_EPERM,
			  "destroying a thread without DESTROY");
		slot_drop((int)c);
		/* A pager endpoint must allow SEND. */
		c = cap_dup((unsigned long)s->slot, KEEL_EP_RECV, 0);
		expect_eq(keel_thread_config((unsigned long)th, 5, 0, (unsigned long)c),
			  -KEEL_EPERM, "a pager endpoint without SEND");
		slot_drop((int)c);
		expect_eq(keel_destroy((unsigned long)th), 0, "destroying the thread");
		slot_free(th);
		th = -1;
	} else {
		expect(0, "no thread");
	}
	/* Endpoint: SEND, RECV, GRANT, DESTROY (the blocking ones in the transfer test and here). */
	c = cap_dup((unsigned long)s->slot, KEEL_EP_RECV | KEEL_EP_GRANT | KEEL_CAP_DESTROY, 0);
	expect(c >= 0, "an endpoint copy without SEND: %ld", c);
	expect_eq(keel_call((unsigned long)c, &msg), -KEEL_EPERM, "call without SEND");
	expect_eq(keel_send((unsigned long)c, &msg), -KEEL_EPERM, "send without SEND");
	slot_drop((int)c);
	c = cap_dup((unsigned long)s->slot, KEEL_EP_SEND, 0);
	expect(c >= 0, "an endpoint copy without RECV: %ld", c);
	expect_eq(keel_recv((unsigned long)c, &msg), -KEEL_EPERM, "recv without RECV");
	expect_eq(keel_reply_recv((unsigned long)c, &msg), -KEEL_EPERM, "reply_recv without RECV");
	expect_eq(keel_destroy((unsigned long)c), -KEEL_EPERM, "destroying without DESTROY");
	expect_eq(keel_cap_copy((unsigned long)c, self, EMPTY_SLOT, KEEL_EP_SEND | KEEL_EP_RECV, 0),
		  -KEEL_EPERM, "a copy with a right the original lacks");
	expect_eq(keel_cap_info(EMPTY_SLOT), -KEEL_ENOENT, "and nothing copied");
	expect(echo_call((int)c, ct.ipcbuf, 4, 0), "the send-only copy calls");
	slot_drop((int)c);
	/* Memory: a copy without KMEM makes no object, without W maps nothing writable. */
	c = cap_dup(m, KEEL_MEM_R | KEEL_MEM_W | KEEL_MEM_X, 0);
	expect(c >= 0, "a memory copy without KMEM: %ld", c);
	expect_eq(keel_endpoint_create((unsigned long)c, tf, EMPTY_SLOT), -KEEL_EPERM,
		  "an object without KMEM");
	slot_drop((int)c);
	c = cap_dup(m, KEEL_MEM_R | KEEL_MEM_KMEM, 0);
	expect_eq(keel_map(ct.self_as, NEVER_VA, (unsigned long)c, f, KEEL_MAP_R | KEEL_MAP_W),
		  -KEEL_EPERM, "mapping writable without W");
	expect_eq(keel_lookup(ct.self_as, NEVER_VA, m), -KEEL_ENOENT, "and nothing mapped");
	slot_drop((int)c);
	expect_eq(keel_destroy((unsigned long)as), 0, "destroying the address space");
	slot_free(as);
	as = -1;
out:
	if (as >= 0)
		destroy_retry((unsigned long)as);
	if (th >= 0)
		slot_free(th);
	expect_eq(kpool_release(&tpool), 0, "reclaiming the donation");
	frame_free(f);
	test_end();
}

/*
 * A badge is minted once, from an unbadged endpoint capability; a copy
 * into another space needs KEEL_AS_CAPS on that space's capability.
 */
static void tests_caps_badge_and_space(struct server *s)
{
	static struct kpool apool;
	unsigned long seen = 0, self = KEEL_CAP_SELF, m = ct.mem;
	long b, c, nocaps = -1;
	int as = slot_alloc();

	test_begin("caps_badge_minted_once");
	b = cap_dup((unsigned long)s->slot, KEEL_EP_SEND, BADGE + 2);
	expect(b >= 0, "minting a badge: %ld", b);
	expect_eq(call_seen(s, (int)b, &seen), 0, "a call through it");
	expect(seen == BADGE + 2, "the server saw 0x%lx", seen);
	expect_eq(keel_cap_copy((unsigned long)b, self, EMPTY_SLOT, KEEL_EP_SEND, BADGE + 3),
		  -KEEL_EINVAL, "minting another badge from a badged capability");
	expect_eq(keel_cap_info(EMPTY_SLOT), -KEEL_ENOENT, "nothing copied");
	c = cap_dup((unsigned long)b, KEEL_EP_SEND, 0);
	expect(c >= 0, "a copy keeping the badge: %ld", c);
	expect_eq(call_seen(s, (int)c, &seen), 0, "a call through the copy");
	expect(seen == BADGE + 2, "the copy's badge: the server saw 0x%lx", seen);
	expect_eq(keel_cap_copy(m, self, EMPTY_SLOT, KEEL_MEM_R, BADGE), -KEEL_EINVAL,
		  "a badge on a memory capability");
	expect_eq(keel_cap_copy(ct.self_as, self, EMPTY_SLOT, KEEL_AS_MAP, BADGE), -KEEL_EINVAL,
		  "a badge on an address space capability");
	slot_drop((int)b);
	slot_drop((int)c);
	test_end();

	test_begin("caps_copy_into_another_space_needs_caps_right");
	kpool_init(&apool, &root_pool);
	unsigned long asf = kpool_get(&apool), pml4 = kpool_get(&apool), cs = kpool_get(&apool);
	expect(asf && pml4 && cs && as >= 0, "out of memory");
	long r = test_failing() ? -1 : keel_as_create(m, asf, pml4, cs, (unsigned long)as);
	expect_eq(r, 0, "an address space");
	if (r == 0) {
		unsigned long a = (unsigned long)as;
		nocaps = cap_dup(a, KEEL_AS_MAP | KEEL_AS_THREAD | KEEL_CAP_DESTROY, 0);
		expect(nocaps >= 0, "a copy without CAPS: %ld", nocaps);
		expect_eq(keel_cap_copy((unsigned long)s->slot, (unsigned long)nocaps, EMPTY_SLOT,
					KEEL_EP_SEND, 0),
			  -KEEL_EPERM, "a copy into it without CAPS");
		expect_eq(keel_cap_copy((unsigned long)s->slot, a, EMPTY_SLOT, KEEL_EP_SEND, 0), 0,
			  "a copy into it with CAPS");
		expect_eq(keel_cap_copy((unsigned long)s->slot, a, EMPTY_SLOT, KEEL_EP_SEND, 0),
			  -KEEL_EEXIST, "a second copy into the same slot");
		expect_eq(keel_cap_copy((unsigned long)s->slot, a, KEEL_CAP_SLOTS, KEEL_EP_SEND, 0),
			  -KEEL_EINVAL, "a copy past its table");
		expect_eq(keel_cap_delete((unsigned long)nocaps, EMPTY_SLOT), -KEEL_EPERM,
			  "deleting there without CAPS");
		expect_eq(keel_cap_delete(a, EMPTY_SLOT), 0, "deleting there with CAPS");
		expect_eq(keel_cap_delete(a, EMPTY_SLOT), -KEEL_ENOENT, "it is gone");
		expect_eq(keel_cap_info(EMPTY_SLOT), -KEEL_ENOENT, "our own EMPTY_SLOT untouched");
		expect_eq(keel_cap_copy(m, a, 6, KEEL_MEM_R, 0), 0, "a memory capability into it");
		expect_eq(keel_cap_delete(a, 6), 0, "deleting it there");
		expect_eq(keel_destroy(a), 0, "destroying the space");
		slot_free(as);
		as = -1;
		expect_eq(keel_cap_copy((unsigned long)s->slot, (unsigned long)nocaps, 5,
					KEEL_EP_SEND, 0),
			  -KEEL_EPERM, "into a destroyed space without CAPS (EPERM before EDEAD)");
		long d = cap_dup((unsigned long)nocaps, KEEL_AS_MAP, 0);
		expect_eq(d, -KEEL_EDEAD, "copying the stale space capability");
		slot_drop((int)nocaps);
	}
	slot_free(as);
	expect_eq(kpool_release(&apool), 0, "reclaiming the donation");
	test_end();
}

void tests_caps(void)
{
	static struct server s;
	unsigned long seen = 0, own = 0, self = KEEL_CAP_SELF;
	int a = -1, c = -1, d = -1;

	kpool_init(&pool, &root_pool);
	test_begin("caps_badge_is_the_capabilitys");
	long r = server_start(&s, &pool, badge_new(), THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting the echo server");
	if (r) {
		test_end();
		return;
	}
	a = slot_alloc();
	expect_eq(call_seen(&s, s.slot, &own), 0, "a call through the server's own slot");
	/* Without a badge the server sees the calling thread's own (the root's is 0). */
	expect(own != BADGE, "without a badge the server saw 0x%lx", own);
	expect_eq(keel_cap_copy((unsigned long)s.slot, self, (unsigned long)a, KEEL_EP_SEND, BADGE),
		  0, "minting a badged capability");
	expect_eq(call_seen(&s, a, &seen), 0, "a call through the badged capability");
	expect(seen == BADGE, "the server saw badge 0x%lx, want 0x%lx", seen, BADGE);
	expect(echo_call(a, ct.ipcbuf, 3, 0), "an echo through the badged capability");
	test_end();

	test_begin("caps_copy_only_reduces_rights");
	c = slot_alloc();
	d = slot_alloc();
	unsigned long uc = (unsigned long)c, ud = (unsigned long)d, ua = (unsigned long)a;
	expect_eq(keel_cap_copy(ua, self, uc, KEEL_EP_SEND, 0), 0, "a copy");
	expect_eq(keel_cap_info(uc), (long)(KEEL_CAP_ENDPOINT << 8 | KEEL_EP_SEND),
		  "its type and rights");
	expect_eq(call_seen(&s, c, &seen), 0, "a call through the copy");
	expect(seen == BADGE, "the copy's badge: the server saw 0x%lx", seen);
	expect_eq(keel_cap_copy(ua, self, ud, KEEL_EP_SEND | KEEL_EP_RECV, 0), -KEEL_EPERM,
		  "a copy with a right the original lacks");
	expect_eq(keel_cap_copy(ua, self, uc, KEEL_EP_SEND, 0), -KEEL_EEXIST,
		  "a copy into a full slot");
	expect_eq(keel_cap_copy(ua, self, ud, 0, 0), -KEEL_EINVAL, "no rights");
	expect_eq(keel_cap_copy(ua, self, ud, 8, 0), -KEEL_EINVAL, "an undefined right");
	expect_eq(keel_cap_copy(ua, self, ud, KEEL_MEM_KMEM, 0), -KEEL_EINVAL,
		  "a right of another type (memory's KMEM, 8)");
	expect_eq(keel_cap_copy(KEEL_CAP_SLOTS, self, ud, KEEL_EP_SEND, 0), -KEEL_EINVAL,
		  "a source past the table");
	expect_eq(keel_cap_copy(ua, self, KEEL_CAP_SLOTS, KEEL_EP_SEND, 0), -KEEL_EINVAL,
		  "a destination past the table");
	expect_eq(keel_cap_copy(ua, self, KEEL_CAP_SELF, KEEL_EP_SEND, 0), -KEEL_EINVAL,
		  "a destination of KEEL_CAP_SELF");
	expect_eq(keel_cap_copy(ud, self, uc, KEEL_EP_SEND, 0), -KEEL_ENOENT,
		  "a copy of an empty slot");
	struct keel_msg m = { 0 };
	expect_eq(keel_recv(uc, &m), -KEEL_EPERM, "receiving through a send-only copy");
	/* The server's own slot has both rights: a receive-only copy cannot send. */
	expect_eq(keel_cap_copy((unsigned long)s.slot, self, ud, KEEL_EP_RECV, 0), 0,
		  "a receive-only copy");
	expect_eq(call_seen(&s, d, &seen), -KEEL_EPERM, "calling through a receive-only copy");
	test_end();

	tests_caps_transfer(&s);
	tests_caps_rights_reduced(&s);
	tests_caps_badge_and_space(&s);
	test_begin("caps_delete");
	expect_eq(keel_cap_delete(self, uc), 0, "deleting the copy");
	expect_eq(call_seen(&s, c, &seen), -KEEL_ENOENT, "a call through the deleted slot");
	expect_eq(keel_cap_delete(self, uc), -KEEL_ENOENT, "deleting it again");
	expect_eq(keel_cap_delete(self, KEEL_CAP_SLOTS), -KEEL_EINVAL, "a slot past the table");
	expect_eq(keel_cap_delete(self, KEEL_CAP_SELF), -KEEL_EINVAL, "the slot KEEL_CAP_SELF");
	expect_eq(call_seen(&s, a, &seen), 0, "the original still works");
	expect_eq(keel_cap_delete(self, ua), 0, "deleting the badged capability");
	expect_eq(keel_cap_delete(self, ud), 0, "deleting the receive-only copy");
	expect_eq(server_stop(&s), 0, "stopping the server (its endpoint destroyed)");
	slot_free(a);
	slot_free(c);
	slot_free(d);
	test_end();
	tests_caps_revoke();
	test_begin("caps_objects_reclaimed");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}
