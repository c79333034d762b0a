/*
 * notify.h - notifications, the kernel object a thread signals without
 * blocking and another waits on (kernel/object/notify.c; the ABI is
 * include/abi/syscall.h, "Notifications").  Interrupts reach their
 * drivers through them.
 *
 * A notification is one donated frame: the bits signalled and not yet
 * taken, the threads waiting in SYS_WAIT (T_WAIT, oldest first), and the
 * thread bound to it, whose receives on any endpoint take its bits too.
 * Everything here runs under the big kernel lock.
 */
#ifndef KEEL_NOTIFY_H
#define KEEL_NOTIFY_H

#include <keel/cap.h>
#include <keel/sched.h>
#include <keel/types.h>

struct thread;

struct notify {
	u64 gen;	       /* its generation: capabilities must match it */
	u64 word;	       /* bits set and not yet taken */
	struct tqueue waiters; /* threads in SYS_WAIT on it (T_WAIT) */
	struct thread *bound;  /* the thread whose receives take it, or NULL */
};

/* The bits a signal through capability c sets: its badge, or bit 0 for none. */
static inline u64 notify_bits(const struct cap *c)
{
	return c->badge ? c->badge : 1;
}

/*
 * Set `bits` in n: a waiter takes them all at once (and runs), else the
 * bound thread if it waits in a receive, else they stay set.  Never
 * blocks; the interrupt path uses it too.
 */
void notify_signal(struct notify *n, u64 bits);
/*
 * The receive of `t` (about to wait on an endpoint): if t's bound
 * notification has bits set, they become t's message and are cleared;
 * true then (t does not wait).
 */
bool notify_take_bound(struct thread *t);
/* t dies or goes away (thread_kill, thread_exit, thread_destroy): its binding ends. */
void notify_unbind(struct thread *t);

long sys_notify_create(struct thread *cur, const struct sysreq *rq);
long sys_signal(struct thread *cur, const struct sysreq *rq);
long sys_wait(struct thread *cur, const struct sysreq *rq);
long sys_notify_bind(struct thread *cur, const struct sysreq *rq);
/* SYS_DESTROY: waiters fail with KEEL_EDEAD, the binding ends, capabilities go stale. */
long notify_destroy(struct notify *n);

#endif
