/*
 * t_caps.c - endpoint capabilities: the badge a receiver sees is the
 * capability's, a copy can only have fewer rights, a deleted one is gone,
 * and destroying the endpoint revokes them all (keel/cap.h,
 * include/abi/syscall.h "Capabilities").
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

/*
 * Destroying an endpoint revokes every capability to it, at once and at
 * no cost: a thread waiting on it is woken with EDEAD, and every use of a
 * capability to it is EDEAD from then on; deleting one is still possible.
 * A stale capability keeps its chunk the kernel's (reclaim: EBUSY), so it
 * never points into memory user space got back.
 */
static void tests_caps_revoke(void)
{
	static struct kpool epool;
	static struct uthread t;
	static struct client c;
	unsigned long ep = 0;
	int b = slot_alloc(), x = slot_alloc();

	test_begin("caps_destroy_revokes");
	kpool_init(&epool, &root_pool);
	long r = endpoint_new(&epool, &revoke_slot, &ep);
	expect_eq(r, 0, "an endpoint in a chunk of its own");
	if (r) {
		test_end();
		return;
	}
	expect_eq(keel_as_set_badged(ct.self_as, (unsigned long)b, ep, KEEL_EP_SEND, BADGE), 0,
		  "a badged capability to it");
	memset(&c, 0, sizeof(c));
	r = child_start(&t, &c, &pool, child_recv, 0, THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting a receiver");
	sleep_ticks(2); /* it waits on the endpoint */
	expect_eq(keel_destroy(ep), 0, "destroying the endpoint, with capabilities to it held");
	if (!r) {
		expect(child_wait(&c), "no message from the receiver");
		expect(c.exits == 1 && c.exit_code == -KEEL_EDEAD,
		       "the waiting receiver: %d exits, code %ld (want EDEAD)", c.exits,
		       c.exit_code);
		expect_eq(child_finish(&t, &c), 0, "destroying the receiver");
	}
	struct keel_msg m = { 0, IPC_TAG(1, 0), { 0 } };
	expect_eq(keel_call((unsigned long)b, &m), -KEEL_EDEAD,
		  "a call through a stale capability");
	expect_eq(keel_cap_copy((unsigned long)b, (unsigned long)x, KEEL_EP_SEND), -KEEL_EDEAD,
		  "copying a stale capability");
	expect_eq(keel_recv((unsigned long)revoke_slot, &m), -KEEL_EDEAD,
		  "receiving through a stale capability");
	kpool_put(&epool, ep); /* the frame is free; stale capabilities still name it */
	expect_eq(keel_kmem_reclaim(epool.chunks[0], CHUNK_SIZE), -KEEL_EBUSY,
		  "reclaiming a chunk that stale capabilities name");
	expect_eq(keel_cap_delete((unsigned long)b), 0, "deleting a stale capability");
	expect_eq(keel_cap_delete((unsigned long)revoke_slot), 0, "deleting the other");
	expect_eq(kpool_release(&epool), 0, "then the chunk comes back");
	slot_free(b);
	slot_free(x);
	slot_free(revoke_slot);
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

/*
 * A message carries capabilities: copied or moved, same rights and badge,
 * into the receiver's landing slots; only through a slot with the grant
 * right; every slot checked.
 */
static void tests_caps_transfer(struct server *s)
{
	static struct landing l;
	unsigned long seen = 0;
	int e = -1, g = slot_alloc(), p = slot_alloc(), l0 = slot_alloc(), l1 = slot_alloc();
	unsigned long ep = 0;

	test_begin("caps_transfer");
	long r = endpoint_new(&pool, &e, &ep);
	expect_eq(r, 0, "an endpoint to send through");
	if (r) {
		test_end();
		return;
	}
	/* g: send with the grant right; p: the payload, a badged capability to the server. */
	expect_eq(
	    keel_as_set_endpoint(ct.self_as, (unsigned long)g, ep, KEEL_EP_SEND | KEEL_EP_GRANT), 0,
	    "a slot with the grant right");
	expect_eq(keel_as_set_badged(ct.self_as, (unsigned long)p, s->ep, KEEL_EP_SEND, BADGE), 0,
		  "the capability to pass on");
	/* Copied: it lands in l0 and stays in p. */
	expect_eq(send_to_lander(&l, e, g, IPC_TAG_CAPS(IPC_TAG(5, 0), 1, p, 0), (unsigned long)l0,
				 AS_ENDPOINT_SLOTS),
		  0, "a message carrying one capability");
	expect(l.ncaps == 1 && IPC_TAG_LABEL(l.tag) == 5, "the receiver's tag 0x%lx", l.tag);
	expect_eq(call_seen(s, l0, &seen), 0, "a call through the capability that landed");
	expect(seen == BADGE, "its badge: the server saw 0x%lx", seen);
	expect_eq(call_seen(s, p, &seen), 0, "the sender still has its copy");
	/* Moved: it lands in l1, and p is empty. */
	expect_eq(send_to_lander(&l, e, g, IPC_TAG_CAPS(IPC_TAG(6, 0), 1, p, 0) | IPC_TAG_MOVE,
				 (unsigned long)l1, AS_ENDPOINT_SLOTS),
		  0, "a message moving one capability");
	expect(l.ncaps == 1, "moved: %lu landed", l.ncaps);
	expect_eq(keel_cap_delete((unsigned long)p), -KEEL_ENOENT, "the moved capability left p");
	expect_eq(call_seen(s, l1, &seen), 0, "a call through the moved capability");
	/* No empty landing slot: nothing lands, and the sender keeps it. */
	expect_eq(send_to_lander(&l, e, g, IPC_TAG_CAPS(IPC_TAG(7, 0), 1, l1, 0) | IPC_TAG_MOVE,
				 (unsigned long)l0, AS_ENDPOINT_SLOTS),
		  0, "a message whose landing slot is full");
	expect(l.ncaps == 0, "%lu landed in a full slot", l.ncaps);
	expect_eq(call_seen(s, l1, &seen), 0, "the sender kept what did not land");
	/* The checks, made when the message is sent. */
	struct keel_msg m = { 0, 0, { 0 } };
	m.tag = IPC_TAG_CAPS(IPC_TAG(8, 0), 1, l1, 0);
	expect_eq(keel_send((unsigned long)e, &m), -KEEL_EPERM,
		  "carrying one without the grant right");
	m.tag = IPC_TAG_CAPS(IPC_TAG(8, 0), 1, p, 0);
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_ENOENT, "carrying an empty slot");
	m.tag = IPC_TAG_CAPS(IPC_TAG(8, 0), 2, l1, l1);
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_EINVAL, "carrying one slot twice");
	m.tag = IPC_TAG(8, 0) | 3ul << 45;
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_EINVAL, "carrying three");
	m.tag = IPC_TAG(8, 0) | IPC_TAG_MOVE;
	expect_eq(keel_send((unsigned long)g, &m), -KEEL_EINVAL, "the move bit alone");
	expect_eq(keel_cap_landing(3, 3), -KEEL_EINVAL, "landing twice in one slot");
	expect_eq(keel_cap_landing(AS_ENDPOINT_SLOTS + 1, 3), -KEEL_EINVAL,
		  "landing past the table");
	expect_eq(keel_cap_delete((unsigned long)l0), 0, "deleting what landed");
	expect_eq(keel_cap_delete((unsigned long)l1), 0, "deleting what moved");
	expect_eq(keel_cap_delete((unsigned long)g), 0, "deleting the grant slot");
	expect_eq(endpoint_drop(&pool, e, ep), 0, "destroying the endpoint");
	slot_free(g);
	slot_free(p);
	slot_free(l0);
	slot_free(l1);
	test_end();
}

void tests_caps(void)
{
	static struct server s;
	unsigned long seen = 0, own = 0;
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
	expect_eq(keel_as_set_badged(ct.self_as, (unsigned long)a, s.ep, KEEL_EP_SEND, BADGE), 0,
		  "installing a badged capability");
	expect_eq(call_seen(&s, a, &seen), 0, "a call through the badged capability");
	expect(seen == BADGE, "the server saw badge 0x%lx, want 0x%lx", seen, BADGE);
	expect(echo_call(a, ct.ipcbuf, 3, 0), "an echo through the badged capability");
	test_end();

	test_begin("caps_copy_only_reduces_rights");
	c = slot_alloc();
	d = slot_alloc();
	expect_eq(keel_cap_copy((unsigned long)a, (unsigned long)c, KEEL_EP_SEND), 0, "a copy");
	expect_eq(call_seen(&s, c, &seen), 0, "a call through the copy");
	expect(seen == BADGE, "the copy's badge: the server saw 0x%lx", seen);
	expect_eq(keel_cap_copy((unsigned long)a, (unsigned long)d, KEEL_EP_SEND | KEEL_EP_RECV),
		  -KEEL_EPERM, "a copy with a right the original lacks");
	expect_eq(keel_cap_copy((unsigned long)a, (unsigned long)c, KEEL_EP_SEND), -KEEL_EEXIST,
		  "a copy into a full slot");
	expect_eq(keel_cap_copy((unsigned long)a, (unsigned long)d, 0), -KEEL_EINVAL, "no rights");
	expect_eq(keel_cap_copy((unsigned long)a, (unsigned long)d, 8), -KEEL_EINVAL,
		  "an undefined right");
	expect_eq(keel_cap_copy(AS_ENDPOINT_SLOTS, (unsigned long)d, KEEL_EP_SEND), -KEEL_EINVAL,
		  "a source past the table");
	expect_eq(keel_cap_copy((unsigned long)a, AS_ENDPOINT_SLOTS, KEEL_EP_SEND), -KEEL_EINVAL,
		  "a destination past the table");
	expect_eq(keel_cap_copy((unsigned long)d, (unsigned long)c, KEEL_EP_SEND), -KEEL_ENOENT,
		  "a copy of an empty slot");
	struct keel_msg m = { 0 };
	expect_eq(keel_recv((unsigned long)c, &m), -KEEL_EPERM,
		  "receiving through a send-only copy");
	/* The server's own slot has both rights: a receive-only copy cannot send. */
	expect_eq(keel_cap_copy((unsigned long)s.slot, (unsigned long)d, KEEL_EP_RECV), 0,
		  "a receive-only copy");
	expect_eq(call_seen(&s, d, &seen), -KEEL_EPERM, "calling through a receive-only copy");
	test_end();

	tests_caps_transfer(&s);
	test_begin("caps_delete");
	expect_eq(keel_cap_delete((unsigned long)c), 0, "deleting the copy");
	expect_eq(call_seen(&s, c, &seen), -KEEL_ENOENT, "a call through the deleted slot");
	expect_eq(keel_cap_delete((unsigned long)c), -KEEL_ENOENT, "deleting it again");
	expect_eq(keel_cap_delete(AS_ENDPOINT_SLOTS), -KEEL_EINVAL, "a slot past the table");
	expect_eq(call_seen(&s, a, &seen), 0, "the original still works");
	expect_eq(keel_cap_delete((unsigned long)a), 0, "deleting the badged capability");
	expect_eq(keel_cap_delete((unsigned long)d), 0, "deleting the receive-only copy");
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
