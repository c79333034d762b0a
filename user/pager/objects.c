/*
 * objects.c - kernel objects the pager makes for a process and hands it
 * in a slot of its choice (include/abi/pager.h): a notification
 * (PAGER_NOTIFY), endpoints (PAGER_ENDPOINT), and the endpoints behind
 * registered names (names.c).  Each is made in the process's pool, so it
 * is charged to its quota, and the pager keeps a capability with every
 * right in a slot of its own, so it can destroy the object when the
 * process ends (which empties every copy: they go stale, and the pager
 * deletes the copies it knows of, so the pool's chunks come back).
 */
#include "pager.h"
#include "fmt.h"
#include "keel.h"

/* Is `slot` one a process may ask the pager to fill? */
int obj_slot_ok(unsigned long slot)
{
	return slot >= PAGER_FIRST_FREE_SLOT && slot < KEEL_CAP_SLOTS;
}

/*
 * Make an object (endpoint or notification) in pr's pool: its frame and
 * the pager's slot for it in *o.  0 or a KEEL_E* code.
 */
long obj_make(struct process *pr, int notify, struct pobj *o)
{
	unsigned long frame = kpool_get(&pr->pool);
	if (!frame)
		return KEEL_ENOMEM;
	long slot = cslot_alloc();
	long r = slot < 0 ? slot
		 : notify ? keel_notify_create(mem_cap(), frame, (unsigned long)slot)
			  : keel_endpoint_create(mem_cap(), frame, (unsigned long)slot);
	if (r) {
		if (slot >= 0)
			cslot_free((unsigned long)slot);
		kpool_put(&pr->pool, frame);
		return -r;
	}
	*o = (struct pobj){ (unsigned long)slot, frame };
	return 0;
}

/* Destroy it (every copy goes stale) and give its frame back to pr's pool. */
void obj_end(struct process *pr, struct pobj *o)
{
	if (!o->slot)
		return;
	long r = destroy_retry(o->slot);
	if (r == -KEEL_EDEAD) { /* destroyed already (no process holds DESTROY: a safety net) */
		keel_cap_delete(KEEL_CAP_SELF, o->slot);
		cslot_free(o->slot);
		r = 0;
	}
	if (r == 0)
		kpool_put(&pr->pool, o->frame);
	else /* its slot stays taken; pager.h's count allows for a few */
		print_fmt("[pager] process %lu: cannot destroy an object: %ld\n", pr->badge, r);
	*o = (struct pobj){ 0, 0 };
}

/* The process's notification goes, and the pager's copy for servers' ends first. */
static void obj_end_notify(struct process *pr)
{
	if (pr->notify_server) {
		keel_cap_delete(KEEL_CAP_SELF, pr->notify_server);
		cslot_free(pr->notify_server);
		pr->notify_server = 0;
	}
	obj_end(pr, &pr->notify);
}

/* A copy of the unbadged capability in `from`, with `badge`, in a new slot of ours: it, or -error. */
static long obj_mint(unsigned long from, unsigned long rights, unsigned long badge)
{
	long to = cslot_alloc();
	long r = to < 0 ? to : keel_cap_copy(from, KEEL_CAP_SELF, (unsigned long)to, rights, badge);

	if (r && to >= 0)
		cslot_free((unsigned long)to);
	return r ? r : to;
}

/*
 * PAGER_NOTIFY(slot, flags).  The process's copy has no badge.  The
 * pager keeps two, minted from the unbadged one it made (only an
 * unbadged capability takes a badge): one with every right, badged
 * PAGER_EVENT_CHILD, whose signal is the news of a child's end, and one
 * badged PAGER_EVENT_SERVER, for a server's end (names.c).
 */
long obj_notify(struct process *pr, unsigned long slot, unsigned long flags)
{
	if (!obj_slot_ok(slot) || (flags & ~(unsigned long)PAGER_NOTIFY_BIND))
		return KEEL_EINVAL;
	if (pr->notify.slot)
		return KEEL_EEXIST;
	long r = obj_make(pr, 1, &pr->notify);
	if (r)
		return r;
	unsigned long made = pr->notify.slot;
	/* Not DESTROY: the pager destroys it, when the process ends. */
	r = keel_cap_copy(made, pr->p.as, slot, KEEL_NT_SIGNAL | KEEL_NT_WAIT, 0);
	if (r) {
		obj_end(pr, &pr->notify);
		return -r;
	}
	long server = obj_mint(made, KEEL_NT_SIGNAL, PAGER_EVENT_SERVER);
	long child = server < 0 ? server
				: obj_mint(made, KEEL_NT_SIGNAL | KEEL_NT_WAIT | KEEL_CAP_DESTROY,
					   PAGER_EVENT_CHILD);
	if (server >= 0)
		pr->notify_server = (unsigned long)server;
	if (child >= 0) { /* the badged copy stands for the object from now on */
		keel_cap_delete(KEEL_CAP_SELF, made);
		cslot_free(made);
		pr->notify.slot = (unsigned long)child;
	}
	r = child < 0 ? child : 0;
	if (!r && (flags & PAGER_NOTIFY_BIND))
		r = keel_notify_bind(pr->p.tcb, pr->notify.slot);
	if (r) {
		keel_cap_delete(pr->p.as, slot); /* the copy made above */
		obj_end_notify(pr);
		return -r;
	}
	return 0;
}

/* PAGER_ENDPOINT(slot). */
long obj_endpoint(struct process *pr, unsigned long slot)
{
	struct pobj *o = 0;

	if (!obj_slot_ok(slot))
		return KEEL_EINVAL;
	for (int i = 0; i < PAGER_MAX_ENDPOINTS && !o; i++)
		if (!pr->eps[i].slot)
			o = &pr->eps[i];
	if (!o)
		return KEEL_EFULL;
	long r = obj_make(pr, 0, o);
	if (r)
		return r;
	r = keel_cap_copy(o->slot, pr->p.as, slot, KEEL_EP_SEND | KEEL_EP_RECV | KEEL_EP_GRANT, 0);
	if (r) {
		obj_end(pr, o);
		return -r;
	}
	return 0;
}

/* A child of pr ended: tell pr, if it has a notification (never blocks). */
void obj_child_ended(struct process *pr)
{
	if (pr && pr->notify.slot)
		keel_signal(pr->notify.slot);
}

/* A server whose name client looked up ended: tell it (never blocks). */
void obj_server_ended(struct process *client)
{
	if (client && client->notify_server)
		keel_signal(client->notify_server);
}

/* pr is ending: its objects go (its names went first, names_end). */
void obj_end_all(struct process *pr)
{
	obj_end_notify(pr);
	for (int i = 0; i < PAGER_MAX_ENDPOINTS; i++)
		obj_end(pr, &pr->eps[i]);
}

/* PAGER_IO_ENABLE(first, count), with the I/O port capability it carried. */
long obj_io_enable(struct process *pr, unsigned long first, unsigned long count)
{
	if (pager_landed != 1)
		return KEEL_EINVAL;
	return -keel_io_enable(pager_land[0], pr->p.as, first, count);
}
