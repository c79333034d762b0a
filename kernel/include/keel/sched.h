/*
 * sched.h - the scheduler and the big kernel lock (kernel/core/sched.c;
 * the design is in docs/design-core.md, "Threads and scheduling").
 *
 * Each CPU's scheduling state is a struct sched_cpu, which the
 * architecture keeps in its per-CPU data (struct percpu) but never
 * touches: only sched.c reads and writes it, and everyone else goes
 * through the functions below.  All of it is under the big kernel lock.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <abi/syscall.h>
#include <keel/types.h>

struct thread;
struct trap_frame;

/* A FIFO of threads, linked through the threads (a thread is on one at most). */
struct tqueue {
	struct thread *head, *tail;
};

/* tqueue_push, tqueue_push_front, tqueue_pop, tqueue_remove: inline, in keel/thread.h. */

/*
 * Per-CPU run queue: two FIFOs per priority, and a bitmap of the
 * priorities with a thread in either.  `woken` holds threads that became
 * ready after waiting (for a message, a reply, a sleep); `prio` holds
 * threads that were running and were rotated out at the end of a turn or
 * preempted.  Woken threads go first, unless the first rotated one has
 * waited four turns already: so a woken thread waits for little more
 * than the current turn, and threads that keep waking cannot starve
 * a rotated one (docs/design-core.md, "Threads and scheduling").
 */
struct runqueue {
	struct tqueue prio[THREAD_PRIO_MAX + 1];
	struct tqueue woken[THREAD_PRIO_MAX + 1];
	u32 ready; /* bit p: prio[p] or woken[p] is not empty */
};

/* One CPU's scheduling state (sched.c's alone). */
struct sched_cpu {
	struct thread *current; /* the thread running here, or NULL when idle */
	struct thread *handoff; /* run this one next (the IPC fast path) */
	bool need_resched;	/* the turn ran out, or a better thread woke */
	u64 turn_end;		/* when this CPU's turn is over, in its ticks */
	struct runqueue runqueue;
	struct tqueue sleepers; /* threads in SYS_SLEEP on this CPU */
	volatile u64 next_wake; /* the earliest wake_tick among them, or ~0 */
};

void bkl_lock(void);
void bkl_unlock(void);

/* An entry from user mode, lock held: choose who returns to user mode. */
void sched_return(void);
_Noreturn void sched_idle(void); /* this CPU has nothing to run */
void sched_start(void);		 /* APs and the boot CPU: enter the scheduler */

void sched_ready(struct thread *t);   /* t stopped waiting: runnable on its CPU */
void sched_unready(struct thread *t); /* take t out of its run queue */
void sched_forget(struct thread *t);  /* t goes away: not ready, not handed off */
/* CPU `cpu` was given up while starting: the threads queued there go to CPU 0. */
void sched_cpu_lost(u32 cpu);
/* t's wait is over: straight to it if this CPU's thread just blocked (IPC fast path). */
void sched_wake(struct thread *t);
/* The hand-off rule and the switch the IPC paths use: keel/sched_inline.h. */
struct thread *sched_current(void);
void sched_yield(void); /* the current thread gives up the rest of its turn */
/* CPU n decides again at its next return to user mode (an IPI if it is not this one). */
void sched_kick(u32 cpu);
/* CPU n's run-queue bitmap (tests). */
u32 sched_ready_mask(u32 cpu);
long sys_sleep(u64 ticks);
extern u64 sched_fastpath_count;

#endif
