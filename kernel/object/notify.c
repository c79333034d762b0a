/*
 * notify.c - notifications (keel/notify.h): create, signal, wait, bind
 * to a thread, destroy.  A signal never blocks and never fails: it sets
 * bits in one word, and hands them to a waiting thread if there is one.
 * Each call checks every argument before it changes anything; all of it
 * runs under the big kernel lock.  A binding ends when either side is
 * destroyed, or when the thread dies (killed or exited), so that a
 * driver started again can bind the same notification.
 */
#include <abi/syscall.h>
#include <keel/addr.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <keel/decode.h>
#include <keel/irq.h>
#include <keel/kmem.h>
#include <keel/notify.h>
#include <keel/thread.h>

_Static_assert(__builtin_offsetof(struct notify, gen) == 0, "objects begin with their generation");

/* SYS_NOTIFY_CREATE(mem, off, dst). */
long sys_notify_create(struct thread *cur, const struct sysreq *rq)
{
	long r;

	cap_object_create(rq, KOBJ_NOTIFY, CAP_NOTIFY, &r);
	return r;
}

bool notify_take_bound(struct thread *t)
{
	struct notify *n = t->bound;

	if (!n || !n->word)
		return false;
	ipc_set_message(t, n->word, IPC_TAG_KERNEL | IPC_LABEL_NOTIFY, 0, 0, 0, 0);
	n->word = 0;
	return true;
}

/* n's bound thread waits in a receive, and n has bits: they end it. */
static void notify_wake_bound(struct notify *n)
{
	struct thread *t = n->bound;

	tqueue_remove(t); /* off its endpoint's queue */
	t->ep = NULL;
	notify_take_bound(t);
	sched_wake(t);
}

void notify_signal(struct notify *n, u64 bits)
{
	struct thread *t = tqueue_pop(&n->waiters);

	n->word |= bits;
	if (t) {
		sched_regs(t)->rax = n->word;
		n->word = 0;
		sched_wake(t);
	} else if (n->bound && n->bound->state == T_RECV) {
		notify_wake_bound(n);
	}
}

void notify_unbind(struct thread *t)
{
	if (t->bound)
		t->bound->bound = NULL;
	t->bound = NULL;
}

/* SYS_SIGNAL(nt). */
long sys_signal(struct thread *cur, const struct sysreq *rq)
{
	notify_signal(cap_obj(rq->cap[0]), notify_bits(rq->cap[0]));
	return 0;
}

/* SYS_WAIT(nt, flags): the bits (> 0), 0 for a poll that found none; or the caller waits. */
long sys_wait(struct thread *cur, const struct sysreq *rq)
{
	struct notify *n = cap_obj(rq->cap[0]);

	if (n->word || rq->a[1] & KEEL_WAIT_POLL) {
		u64 bits = n->word;
		n->word = 0;
		return (long)bits;
	}
	cur->state = T_WAIT;
	tqueue_push(&n->waiters, cur);
	return 0; /* the signal writes the result */
}

/* SYS_NOTIFY_BIND(th, nt or KEEL_CAP_NONE). */
long sys_notify_bind(struct thread *cur, const struct sysreq *rq)
{
	struct thread *t = cap_obj(rq->cap[0]);
	struct notify *n = NULL;

	if (rq->cap[1]) {
		n = cap_obj(rq->cap[1]);
		if (t->bound == n)
			return 0; /* bound already */
		if (t->bound || n->bound)
			return -KEEL_EBUSY;
	}
	notify_unbind(t);
	if (n) {
		n->bound = t;
		t->bound = n;
		/* Waiting in a receive already: bits set before now come first (no waiter has them). */
		if (t->state == T_RECV && n->word)
			notify_wake_bound(n);
	}
	return 0;
}

long notify_destroy(struct notify *n)
{
	struct thread *t;

	while ((t = tqueue_pop(&n->waiters))) {
		sched_regs(t)->rax = (u64)-KEEL_EDEAD;
		sched_ready(t);
	}
	if (n->bound)
		n->bound->bound = NULL;
	irq_unbind_notify(n); /* its lines are masked: nothing signals it any more */
	n->gen = 0;	      /* every capability to it is stale */
	kmem_object_free(kmem_object_phys(n));
	return 0;
}
