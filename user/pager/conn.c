/*
 * conn.c - connections between processes, with the consent of both: a
 * server offers (to one process, or to anyone), a client connects to a
 * process with an open offer for it.  Each process has one connection
 * slot (PAGER_CONN_SLOT), so an offer is the server's decision to give
 * it up.  A name service fits on top: a server that offers to anyone
 * registers its name; a client looks the pid up and connects.
 *
 * The endpoint is the pager's (a slot of its own, all rights), made in
 * the client's pool; each side gets a copy in its PAGER_CONN_SLOT.  When
 * the connection ends the pager deletes both copies before it destroys
 * the endpoint: a stale capability would keep the client's chunk from
 * being reclaimed (SYS_KMEM_RECLAIM is EBUSY while any names an object
 * in it).  A copy a process made itself (SYS_CAP_COPY into another of
 * its slots, or passed on in a reply) the pager cannot find, and the ABI
 * has no revoke: while such a copy is left, the client's chunk that holds
 * the endpoint cannot be reclaimed when the client ends (proc_end says
 * so, and the chunk stays the kernel's).
 */
#include "pager.h"
#include "fmt.h"
#include "keel.h"

long conn_offer(struct process *pr, unsigned long pid, unsigned long how)
{
	if (how & ~(unsigned long)PAGER_OFFER_CLOSE)
		return KEEL_EINVAL;
	if (how & PAGER_OFFER_CLOSE) {
		pr->offer_open = 0;
		return 0;
	}
	if (pid && (!proc_find(pid) || pid == pr->badge))
		return KEEL_ENOENT;
	if (pr->conn_ep || pr->conn_in)
		return KEEL_EEXIST;
	pr->offer_open = 1;
	pr->offer_to = pid;
	return 0;
}

/* Are a and b the two sides of a connection? */
int conn_peers(const struct process *a, const struct process *b)
{
	return (a->conn_ep && a->conn_pid == b->badge) || (b->conn_ep && b->conn_pid == a->badge);
}

long conn_connect(struct process *pr, unsigned long pid)
{
	struct process *to = pid ? proc_find(pid) : 0;
	long r;

	if (!to || to == pr)
		return KEEL_ENOENT;
	if (!to->offer_open || (to->offer_to && to->offer_to != pr->badge))
		return KEEL_EPERM; /* it did not consent */
	if (pr->conn_ep || pr->conn_in || to->conn_ep || to->conn_in)
		return KEEL_EEXIST; /* slot PAGER_CONN_SLOT is one per process */
	unsigned long frame = kpool_get(&pr->pool);
	if (!frame)
		return KEEL_ENOMEM;
	long ep = cslot_alloc();
	r = ep < 0 ? ep : keel_endpoint_create(mem_cap(), frame, (unsigned long)ep);
	if (r) {
		if (ep >= 0)
			cslot_free((unsigned long)ep);
		kpool_put(&pr->pool, frame);
		return -r;
	}
	/* Badged with the client's pid: the server tells its clients apart by it. */
	r = keel_cap_copy((unsigned long)ep, pr->p.as, PAGER_CONN_SLOT, KEEL_EP_SEND, pr->badge);
	if (!r) {
		r = keel_cap_copy((unsigned long)ep, to->p.as, PAGER_CONN_SLOT, KEEL_EP_RECV, 0);
		if (r)
			keel_cap_delete(pr->p.as, PAGER_CONN_SLOT); /* only the copy just made */
	}
	if (r) { /* EEXIST: a process filled its slot itself */
		if (destroy_retry((unsigned long)ep) == 0)
			kpool_put(&pr->pool, frame);
		return -r;
	}
	pr->conn_ep = (unsigned long)ep;
	pr->conn_frame = frame;
	pr->conn_pid = pid;
	pr->offer_open = 0; /* its slot is used now */
	to->conn_in = 1;
	to->offer_open = 0; /* the offer is used up */
	return 0;
}

/*
 * The connection that client made ends: both slots are emptied (whatever
 * the processes put there since), then the endpoint is destroyed.
 */
static void conn_end_client(struct process *client)
{
	struct process *to = proc_find(client->conn_pid);

	keel_cap_delete(client->p.as, PAGER_CONN_SLOT);
	if (to) {
		keel_cap_delete(to->p.as, PAGER_CONN_SLOT);
		to->conn_in = 0;
	}
	long r = destroy_retry(client->conn_ep);
	if (r == 0)
		kpool_put(&client->pool, client->conn_frame);
	else /* its slot stays taken: the count in pager.h allows for a few */
		print_fmt("[pager] process %lu: cannot destroy its connection: %ld\n",
			  client->badge, r);
	client->conn_ep = client->conn_frame = 0;
}

/* pr is ending: its offer, and its connection either way, end too. */
void conn_end(struct process *pr)
{
	pr->offer_open = 0;
	for (struct process *q = 0; (q = proc_next(q));)
		if (q->conn_ep && q->conn_pid == pr->badge && q != pr)
			conn_end_client(q);
	if (pr->conn_ep)
		conn_end_client(pr);
}
