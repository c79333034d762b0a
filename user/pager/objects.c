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

/*
 * PAGER_NOTIFY(slot, flags).  The pager's own capability is badged with
 * PAGER_EVENT_CHILD, so its signal is the news of a child's end; the
 * process's copy has no badge.
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
	unsigned long all = KEEL_NT_SIGNAL | KEEL_NT_WAIT | KEEL_CAP_DESTROY;
	/* Not DESTROY: the pager destroys it, when the process ends. */
	r = keel_cap_copy(pr->notify.slot, pr->p.as, slot, KEEL_NT_SIGNAL | KEEL_NT_WAIT, 0);
	if (r) {
		obj_end(pr, &pr->notify);
		return -r;
	}
	long badged = cslot_alloc();
	r = badged < 0 ? badged
		       : keel_cap_copy(pr->notify.slot, KEEL_CAP_SELF, (unsigned long)badged, all,
				       PAGER_EVENT_CHILD);
	if (!r) {
		keel_cap_delete(KEEL_CAP_SELF, pr->notify.slot);
		cslot_free(pr->notify.slot);
		pr->notify.slot = (unsigned long)badged;
	} else if (badged >= 0) {
		cslot_free((unsigned long)badged);
	}
	if (!r && (flags & PAGER_NOTIFY_BIND))
		r = keel_notify_bind(pr->p.tcb, pr->notify.slot);
	if (r) {
		keel_cap_delete(pr->p.as, slot); /* the copy made above */
		obj_end(pr, &pr->notify);
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

/* pr is ending: its objects go (its names went first, names_end). */
void obj_end_all(struct process *pr)
{
	obj_end(pr, &pr->notify);
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
