/*
 * sched.c - the big kernel lock, per-CPU run queues, and choosing which
 * thread returns to user mode.
 *
 * Locking rules (docs/design-core.md, "Locking"):
 *   - The big kernel lock (BKL) is taken on every entry from user mode
 *     (system call, exception, interrupt) and released just before the
 *     return; an idle CPU takes it to look at its run queue.
 *   - A CPU waiting for the lock spins with interrupts on, so it still
 *     answers TLB shoot-downs from the holder.  Interrupts that arrive in
 *     kernel mode never take the lock: they count, flush or wake only.
 *   - The holder may wait for other CPUs (TLB shoot-down) with interrupts
 *     off: no CPU ever waits for it with interrupts off.
 *
 * Scheduling: each CPU has two FIFOs per priority (struct runqueue); the
 * highest priority with a ready thread runs.  Time is a CPU's *turn*:
 * THREAD_SLICE_TICKS ticks that start when the run queue picks a thread.
 * An IPC hand-off (sched_handoff) passes the rest of the turn to the
 * partner instead of starting a new one, so a chain of calls on one CPU
 * shares one turn; when the turn is over, or the partner would not win
 * the run queue's decision, the run queue decides.  A thread runs only on
 * its own CPU (its affinity).  There is one kernel stack per CPU and no
 * kernel threads: a thread's user registers live in its own save area
 * (the entries put them there), so switching threads copies none.  The
 * parts the IPC paths inline (the lock's halves, the hand-off rule, the
 * switch) are in keel/sched_inline.h.
 */
#include <keel/aspace.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/lockwatch.h>
#include <keel/panic.h>
#include <common/string.h>
#include <keel/sched_inline.h>
#include <keel/thread.h>

/* The idle loop's stack starts below the frame a thread resumes from. */
#define IDLE_STACK_GAP 512
_Static_assert(IDLE_STACK_GAP >= sizeof(struct trap_frame), "room for the frame");

volatile u32 bkl_next, bkl_serving;
volatile i64 bkl_owner = -1;
u64 sched_fastpath_count;

/*
 * Wait for our ticket with interrupts on the whole time, to answer
 * shoot-downs from the holder.  (Opening them for one instruction per turn
 * of the loop is not enough: QEMU's TCG did not deliver interrupts in so
 * short a window, and the holder waited for this CPU forever.)  The ticket
 * is ours, so nobody can take our turn while an interrupt runs.  A waiting
 * CPU drains the console, one burst at a time, so that it is not late for
 * its turn by more than one burst.  Out of line: the uncontended path
 * stays a few instructions.
 */
void bkl_wait(u32 ticket)
{
	u64 since = lockwatch_begin();

	irq_enable();
	while (__atomic_load_n(&bkl_serving, __ATOMIC_ACQUIRE) != ticket) {
		if (!console_pending() || !console_drain(CONSOLE_BURST))
			cpu_relax();
		lockwatch_check(since, "the big kernel lock", bkl_owner, ticket, &bkl_serving);
	}
	irq_disable();
}

void bkl_lock(void)
{
	u32 me = this_cpu()->cpu;

	if (bkl_owner == me)
		panic("big kernel lock: taken twice by cpu %u", me);
	bkl_take(me);
}

void bkl_unlock(void)
{
	u32 me = this_cpu()->cpu;

	if (bkl_owner != me)
		panic("big kernel lock: released by cpu %u, which does not hold it", me);
	bkl_drop();
}

_Noreturn void tqueue_broken(struct thread *t)
{
	panic("thread 0x%lx queued twice", virt_to_phys(t));
}

static struct runqueue *rq_of(u32 cpu)
{
	return &percpu_of(cpu)->sched.runqueue;
}

static int rq_best(const struct runqueue *rq)
{
	return rq->ready ? 31 - __builtin_clz(rq->ready) : -1;
}

/* Where a thread goes in its run queue. */
enum rq_place {
	RQ_WOKEN,     /* it stopped waiting: the tail of woken[] */
	RQ_ROTATED,   /* its turn ended, or a hand-off to it was refused: tail */
	RQ_PREEMPTED, /* a better thread took the CPU mid-turn: the front */
};

static void rq_push(struct percpu *pc, struct thread *t, enum rq_place where)
{
	struct runqueue *rq = &pc->sched.runqueue;

	if (where == RQ_WOKEN) {
		tqueue_push(&rq->woken[t->prio], t);
	} else {
		t->queued_tick = pc->ticks;
		if (where == RQ_ROTATED)
			tqueue_push(&rq->prio[t->prio], t);
		else
			tqueue_push_front(&rq->prio[t->prio], t);
	}
	rq->ready |= 1u << t->prio;
}

static void rq_update(struct runqueue *rq, u32 prio)
{
	if (!rq->prio[prio].head && !rq->woken[prio].head)
		rq->ready &= ~(1u << prio);
}

/*
 * How long a rotated thread may be passed over for woken ones, in ticks:
 * a woken thread was not running, so it is owed the CPU; but if threads
 * kept waking, a rotated thread would never run.
 */
#define SCHED_ROTATED_WAIT (4 * THREAD_SLICE_TICKS)

/*
 * The next thread at `prio` (which has one): a woken one first, unless
 * the first rotated one has waited SCHED_ROTATED_WAIT.  It is the head of
 * its FIFO, so taking it off is short; this runs on every switch.  (Made
 * of tqueue_pop and rq_update instead, even inline, a cross-CPU round
 * trip in `make bench` cost 51 instructions more.)
 */
static inline struct thread *rq_pop(struct percpu *pc, int prio)
{
	struct runqueue *rq = &pc->sched.runqueue;
	struct tqueue *q = &rq->woken[prio], *r = &rq->prio[prio];

	if (!q->head || (r->head && pc->ticks - r->head->queued_tick >= SCHED_ROTATED_WAIT))
		q = r;
	struct thread *t = q->head;
	tqueue_pop_head(q, t);
	if (!rq->woken[prio].head && !r->head)
		rq->ready &= ~(1u << prio);
	return t;
}

void sched_unready(struct thread *t)
{
	if (t->state != T_READY || !t->queue)
		return;
	tqueue_remove(t);
	rq_update(rq_of(t->cpu), t->prio);
}

void sched_ready(struct thread *t)
{
	struct percpu *pc = this_cpu(), *there = percpu_of(t->cpu);

	if (__builtin_expect(there->state == CPU_FAILED, 0)) {
		t->cpu = 0; /* placed there while it was starting; it never came */
		there = percpu_of(0);
	}

	t->state = T_READY;
	rq_push(there, t, RQ_WOKEN);
	if (there == pc) {
		if (pc->sched.current && t->prio > pc->sched.current->prio)
			pc->sched.need_resched = true;
		return;
	}
	/* Wake the other CPU if it idles or runs something less urgent. */
	if (!there->sched.current || t->prio > there->sched.current->prio) {
		there->sched.need_resched = true;
		ipi_wakeup(t->cpu);
	}
}

void sched_cpu_lost(u32 cpu)
{
	struct percpu *lost = percpu_of(cpu);
	int prio;

	while ((prio = rq_best(&lost->sched.runqueue)) >= 0)
		sched_ready(rq_pop(lost, prio)); /* sched_ready moves it to CPU 0 */
}

/* Run t next here, without the run queue (the IPC fast path). */
static void sched_handoff(struct thread *t)
{
	t->state = T_READY; /* not queued: sched_return runs it next */
	this_cpu()->sched.handoff = t;
	sched_fastpath_count++;
}

struct thread *sched_current(void)
{
	return this_cpu()->sched.current;
}

void sched_wake(struct thread *t)
{
	struct percpu *pc = this_cpu();
	struct thread *cur = pc->sched.current;

	if (cur && cur->state != T_RUNNING && t->cpu == pc->cpu && !pc->sched.handoff)
		sched_handoff(t);
	else
		sched_ready(t);
}

void sched_forget(struct thread *t)
{
	sched_unready(t);
	if (this_cpu()->sched.handoff == t)
		this_cpu()->sched.handoff = NULL;
}

void sched_yield(void)
{
	this_cpu()->sched.need_resched = true;
}

void sched_kick(u32 cpu)
{
	percpu_of(cpu)->sched.need_resched = true;
	if (cpu != this_cpu()->cpu)
		ipi_wakeup(cpu);
}

u32 sched_ready_mask(u32 cpu)
{
	return percpu_of(cpu)->sched.runqueue.ready;
}

/* Wake this CPU's sleepers whose time has come (one compare if none is). */
static void wake_sleepers(struct percpu *pc)
{
	u64 now = pc->ticks, next = ~0ull;
	struct thread *t = pc->sched.sleepers.head, *n;

	if (now < pc->sched.next_wake)
		return;
	for (; t; t = n) {
		n = t->next;
		if (t->wake_tick <= now) {
			tqueue_remove(t);
			t->regs.rax = 0;
			sched_ready(t);
		} else {
			next = MIN(next, t->wake_tick);
		}
	}
	pc->sched.next_wake = next;
}

long sys_sleep(u64 ticks)
{
	struct percpu *pc = this_cpu();
	struct thread *cur = pc->sched.current;

	if (ticks > THREAD_SLEEP_MAX)
		return -KEEL_EINVAL;
	if (!ticks) {
		pc->sched.need_resched = true;
		return 0;
	}
	cur->state = T_SLEEP;
	cur->wake_tick = pc->ticks + ticks;
	tqueue_push(&pc->sched.sleepers, cur);
	pc->sched.next_wake = MIN(pc->sched.next_wake, cur->wake_tick);
	return 0;
}

/* A new turn for whoever runs next here. */
static void turn_start(struct percpu *pc)
{
	pc->sched.turn_end = pc->ticks + THREAD_SLICE_TICKS;
}

static void idle_loop(void);

/*
 * Once the turn is over, the run queue decides at the next return to
 * user mode: the running thread goes to the tail of its FIFO if a thread
 * of its priority waits.  A thread of higher priority may run on past the
 * end of a turn, but the turn stays over for whoever it hands the CPU to:
 * a client cannot get a new turn through its server.
 */
static __attribute__((noinline)) void sched_decide(struct percpu *pc)
{
	struct runqueue *rq = &pc->sched.runqueue;
	struct thread *cur = pc->sched.current, *next = pc->sched.handoff;
	bool cur_runs = cur && cur->state == T_RUNNING && cur->cpu == pc->cpu;
	enum rq_place cur_place = RQ_ROTATED;
	u64 now = pc->ticks;

	wake_sleepers(pc);
	bool over = now >= pc->sched.turn_end;
	int best = rq_best(rq);
	pc->sched.handoff = NULL;
	if (next && !sched_handoff_allowed(next, rq->ready, over)) {
		rq_push(pc, next, RQ_ROTATED); /* the run queue decides */
		best = rq_best(rq);
		next = NULL;
	}
	if (!next) {
		if (cur_runs && (best < (int)cur->prio ||
				 (best == (int)cur->prio && !pc->sched.need_resched && !over))) {
			next = cur;
			if (best < 0 && over)
				turn_start(pc); /* nobody waits: a new turn */
		} else if (best >= 0) {
			if (cur_runs && best > (int)cur->prio && !over)
				cur_place = RQ_PREEMPTED;
			next = rq_pop(pc, best);
			turn_start(pc);
		}
	}
	pc->sched.need_resched = false;
	if (next != cur && cur) {
		sched_save(cur);
		if (cur_runs) {
			cur->state = T_READY;
			rq_push(pc, cur, cur_place);
		} else if (cur->state == T_RUNNING) {
			sched_ready(cur); /* moved to another CPU */
		}
	}
	if (!next) /* the lock stays held: idle_loop looks again */
		arch_switch_stack(pc->kstack_top - IDLE_STACK_GAP, idle_loop);
	if (next != cur)
		sched_run(pc, next);
	bkl_unlock();
}

void sched_return(void)
{
	struct percpu *pc = this_cpu();
	struct thread *cur = pc->sched.current;
	u64 now = pc->ticks;

	/* Most often the thread that entered goes back, and nothing is due. */
	if (cur && cur->state == T_RUNNING && cur->cpu == pc->cpu && !pc->sched.handoff &&
	    !pc->sched.need_resched && now < pc->sched.turn_end && now < pc->sched.next_wake &&
	    !(pc->sched.runqueue.ready >> cur->prio >> 1)) {
		bkl_unlock();
		return;
	}

	sched_decide(pc);
}

/* Leave the kernel into `tf` (at the top of this CPU's stack). */
_Noreturn void thread_resume(struct trap_frame *tf);

/*
 * An idle CPU: with the lock held, run the best ready thread, or halt
 * until an interrupt (a wake-up IPI, the timer) and look again.  Its CR3
 * holds only the kernel's tables, so no address space stays loaded here.
 */
static void idle_loop(void)
{
	struct percpu *pc = this_cpu();

	pc->sched.current = NULL;
	pc->frame_end = pc->tss.rsp[0] = pc->kstack_top; /* no thread's save area */
	aspace_activate(pc, NULL);
	for (;;) {
		int best = rq_best(&pc->sched.runqueue);
		if (best >= 0) {
			struct thread *next = rq_pop(pc, best);
			sched_run(pc, next);
			turn_start(pc);
			pc->sched.need_resched = false;
			bkl_unlock();
			thread_resume(&next->regs);
		}
		bkl_unlock();
		/*
		 * The console's drainer of choice, with nothing else to do:
		 * drain with interrupts on (ticks and wake-ups go on), waiting
		 * for the UART between bursts.
		 */
		irq_enable();
		while (console_pending() &&
		       !__atomic_load_n(&pc->sched.runqueue.ready, __ATOMIC_ACQUIRE) &&
		       pc->ticks < pc->sched.next_wake)
			if (!console_drain(CONSOLE_TICK_BUDGET))
				cpu_relax();
		irq_disable();
		/*
		 * Halt until something is queued here (or a device's interrupt
		 * waits to be delivered: the handler sets next_wake to 0, see
		 * sched_poke_here).  The queue is only read
		 * without the lock: whoever queues a thread for an idle CPU
		 * sends it a wake-up IPI after, so none is missed (STI's shadow
		 * makes the check and the HLT one step for interrupts).
		 */
		while (!__atomic_load_n(&pc->sched.runqueue.ready, __ATOMIC_ACQUIRE) &&
		       pc->ticks < pc->sched.next_wake) {
			irq_enable_and_halt();
			irq_disable();
			if (smp_starting && pc->cpu == 0)
				break; /* the boot CPU moves start-up along (below) */
		}
		bkl_lock();
		smp_poll(pc->cpu);
		if (irq_waiting())
			irq_deliver();
		wake_sleepers(pc);
	}
}

_Noreturn void sched_idle(void)
{
	arch_switch_stack(this_cpu()->kstack_top - IDLE_STACK_GAP, idle_loop);
	__builtin_unreachable();
}

void sched_start(void)
{
	this_cpu()->sched.next_wake = ~0ull;
	irq_disable();
	bkl_lock();
	sched_idle();
}
