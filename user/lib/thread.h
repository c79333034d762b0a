/*
 * thread.h - threads in the root's own address space.  Each gets a slot of
 * virtual memory: its IPC buffer page, a guard page, its stack and more
 * guard pages (ROOT_THREAD_* in include/abi/uspace.h).  A thread runs
 * fn(t) and exits with its return value.
 */
#ifndef USER_THREAD_H
#define USER_THREAD_H

#include "mem.h"

struct uthread {
	unsigned long tcb;	 /* slot: its thread capability (cslot_alloc; 0: none) */
	unsigned long tcb_frame; /* the thread object's frame, in mem_cap() */
	unsigned long badge;
	unsigned long buf_frame; /* its IPC buffer, in mem_cap() */
	void *buf;		 /* ... mapped here */
	struct kpool *pool;	 /* where tcb_frame came from */
	int slot;		 /* its place in the thread area (not a capability); -1: none */
	long (*fn)(struct uthread *);
	void *arg;
};

/*
 * Make a thread (not started: priority THREAD_PRIO_DEFAULT, CPU 0, no
 * pager) that will run fn(t).  0 or -error; on error nothing is left over.
 */
long uthread_create(struct uthread *t, struct kpool *pool, long (*fn)(struct uthread *), void *arg,
		    unsigned long badge);
/* SYS_THREAD_CONFIG. */
long uthread_config(struct uthread *t, unsigned long prio, unsigned long cpu,
		    unsigned long pager_ep);
/* SYS_THREAD_START at the trampoline. */
long uthread_start(struct uthread *t);
/*
 * Destroy the thread (retrying while it is busy on another CPU) and free
 * its memory and its capability slot.  If the thread cannot be destroyed
 * its memory and slot are kept.
 */
long uthread_destroy(struct uthread *t);

#endif
