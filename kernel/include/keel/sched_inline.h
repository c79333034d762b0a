/*
 * sched_inline.h - the scheduler's parts that the IPC paths inline: the
 * big kernel lock's uncontended halves, the hand-off rule, and switching
 * this CPU from one thread to another (kernel/core/sched.c has the rest;
 * kernel/core/fastpath.c and ipc.c use these).
 *
 * They are here, not behind calls, because the IPC fast path is counted
 * in instructions (docs/benchmarks.md): each one is a few loads and
 * stores, and a call would cost as much again in saved registers.
 */
#ifndef KEEL_SCHED_INLINE_H
#define KEEL_SCHED_INLINE_H

#include <arch/percpu.h>
#include <arch/vspace.h>
#include <arch/x86.h>
#include <keel/aspace.h>
#include <keel/thread.h>

/*
 * The big kernel lock, a ticket lock: bkl_next is the next ticket to hand
 * out, bkl_serving the one that may enter; bkl_owner the CPU inside, or -1.
 */
extern volatile u32 bkl_next, bkl_serving;
extern volatile i64 bkl_owner;
void bkl_wait(u32 ticket); /* spin for our turn, interrupts on */

/*
 * From an interrupt handler: make this CPU's next pass through the
 * scheduler take its slow path (sched_decide), the IPC fast path fall
 * back to the general one, and an idle CPU stop halting, at no cost to
 * the fast paths: they all compare the ticks with next_wake already, and
 * the slow path recomputes it (wake_sleepers).
 * Safe without the lock: the handler never interrupts this CPU while it
 * holds the lock (it runs with interrupts off then), and no other CPU
 * writes this CPU's next_wake.
 */
static inline void sched_poke_here(void)
{
	this_cpu()->sched.next_wake = 0;
}

/*
 * Take the lock on CPU `cpu`, which does not hold it.  bkl_lock (sched.c)
 * checks that it does not; the IPC fast path, entered from user mode
 * only, knows it.
 */
static inline void bkl_take(u32 cpu)
{
	u32 ticket = __atomic_fetch_add(&bkl_next, 1, __ATOMIC_ACQUIRE);

	if (__builtin_expect(__atomic_load_n(&bkl_serving, __ATOMIC_ACQUIRE) != ticket, 0))
		bkl_wait(ticket);
	bkl_owner = cpu;
}

/*
 * Release it (this CPU holds it: bkl_unlock checks, the fast path knows).
 * Only the holder writes bkl_serving, so a plain increment is enough: one
 * instruction, not a locked one, and an x86 store is a release (nothing
 * before it is seen after it).
 */
static inline void bkl_drop(void)
{
	bkl_owner = -1;
	__asm__ volatile("addl $1, %0" : "+m"(bkl_serving) : : "memory");
}

/*
 * May the IPC partner `h` have the rest of this CPU's turn?  Only if it
 * would win the run queue's decision anyway: it outranks every ready
 * thread, or it ties with the best and the turn is not over.  `ready` is
 * the run queue's bitmap of priorities.
 */
static inline bool sched_handoff_allowed(const struct thread *h, u32 ready, bool over)
{
	u32 above = ready >> h->prio; /* bit 0: h's own priority; any other: a better one */

	return !above || (above == 1 && !over);
}

/*
 * May `next` take this CPU (pc) from the running thread `cur` now, by the
 * hand-off rule, with nothing else due here (no sleeper to wake, no
 * decision pending)?  Both must belong here.  Only at the start of an
 * entry from user mode, when no hand-off is chosen yet: sched_return
 * always takes it (sched.handoff is NULL whenever a thread runs in user
 * mode here).
 */
static inline bool sched_may_switch(struct percpu *pc, const struct thread *cur,
				    const struct thread *next)
{
	u64 now = pc->ticks;

	return cur->cpu == pc->cpu && next->cpu == pc->cpu && !pc->sched.need_resched &&
	       now < pc->sched.next_wake &&
	       sched_handoff_allowed(next, pc->sched.runqueue.ready, now >= pc->sched.turn_end);
}

/*
 * The thread leaving this CPU: its general registers are in its own save
 * area already (the entries put them there); its FPU state goes there too.
 * `current` stays until whoever runs next takes it (sched_run, or the
 * idle loop, which clears it).
 */
static inline void sched_save(struct thread *cur)
{
	fxsave(cur->fpu);
	cur->running_on = -1;
}

/*
 * Put `next` on this CPU: the entries save its registers in its own save
 * area and leave from there (percpu's frame_end, and TSS RSP0 for
 * interrupts from user mode).
 */
static inline void sched_run(struct percpu *pc, struct thread *next)
{
	pc->frame_end = pc->tss.rsp[0] = (u64)(&next->regs + 1);
	fxrstor(next->fpu);
	next->state = T_RUNNING;
	next->running_on = pc->cpu;
	vspace_activate(pc, &next->as->vs); /* a thread always has a space */
	pc->sched.current = next;
}

/*
 * The running thread `cur` (which now waits) leaves this CPU to `next` at
 * once, on the rest of the turn; no registers are copied: the way out
 * leaves from next's save area.  The caller checked sched_may_switch.
 */
static inline void sched_switch(struct percpu *pc, struct thread *cur, struct thread *next)
{
	sched_save(cur);
	sched_run(pc, next);
	sched_fastpath_count++;
}

#endif
