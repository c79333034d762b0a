/*
 * conn.c - connections between processes, with the consent of both: a
 * server offers (to one process, or to anyone), a client connects to a
 * process with an open offer for it.  Each process has one connection
 * slot (PAGER_CONN_SLOT), so an offer is the server's decision to give
 * it up.  A name service fits on top: a server that offers to anyone
 * registers its name; a client looks the pid up and connects.
 */
#include "pager.h"
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
	unsigned long ep = kpool_get(&pr->pool);
	if (!ep)
		return KEEL_ENOMEM;
	if ((r = keel_endpoint_create(ep)) ||
	    /* Badged with the client's pid: the server tells its clients apart by it. */
	    (r = keel_as_set_badged(pr->p.as, PAGER_CONN_SLOT, ep, KEEL_EP_SEND, pr->badge)) ||
	    (r = keel_as_set_endpoint(to->p.as, PAGER_CONN_SLOT, ep, KEEL_EP_RECV))) {
		keel_as_set_endpoint(pr->p.as, PAGER_CONN_SLOT, 0, 0);
		if (destroy_retry(ep) == 0)
			kpool_put(&pr->pool, ep);
		return -r;
	}
	pr->conn_ep = ep;
	pr->conn_pid = pid;
	pr->offer_open = 0; /* its slot is used now */
	to->conn_in = 1;
	to->offer_open = 0; /* the offer is used up */
	return 0;
}

/* The connection that client made ends: both slots are cleared. */
static void conn_end_client(struct process *client)
{
	struct process *to = proc_find(client->conn_pid);

	keel_as_set_endpoint(client->p.as, PAGER_CONN_SLOT, 0, 0);
	if (to) {
		keel_as_set_endpoint(to->p.as, PAGER_CONN_SLOT, 0, 0);
		to->conn_in = 0;
	}
	if (destroy_retry(client->conn_ep) == 0)
		kpool_put(&client->pool, client->conn_ep);
	client->conn_ep = 0;
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
