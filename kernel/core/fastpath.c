/*
 * fastpath.c - the IPC fast path: SYS_CALL and SYS_REPLY_RECV of a label
 * and four words, to a partner waiting on this CPU, from the system-call
 * entry straight to the partner (kernel/arch/x86_64/syscall.S calls it
 * with the call's registers as arguments, after saving them in the
 * thread).  The picture and the reasons are in docs/design-core.md,
 * "The IPC fast path".
 *
 * It makes the same changes the general path (kernel/core/ipc.c) would
 * make, to the same states, links and queues, under the same big kernel
 * lock, with the same hand-off rule; it only skips what cannot apply:
 *
 *   SYS_CALL        cur --SEND--> ep --RECV--> to     cur: REPLY, `to` runs
 *   SYS_REPLY_RECV  cur --reply--> to (REPLY)         cur: RECV on ep, `to` runs
 *                   (to's call gets the message; to's fault, if the label
 *                   is IPC_FAULT_RESUME, runs its instruction again, and
 *                   with IPC_FAULT_MAP after the page is mapped)
 *
 * Anything else returns IPC_FAST_NO, lock held, before changing anything,
 * and the general path gives the answer: a bad slot or tag, a buffer or
 * capabilities in the message, no partner waiting, a partner on another
 * CPU, a fault answered with kill or with a map that fails, a server that still
 * owes another caller its reply, a sender already queued or bits set in
 * the server's bound notification (both come before waiting), a thread
 * stopped by another CPU, or the scheduler due here (a sleeper to wake, a
 * decision pending, a better thread ready, the turn over for an equal).
 */
#include <abi/syscall.h>
#include <arch/percpu.h>
#include <keel/cap.h>
#include <keel/ipc_inline.h>
#include <keel/notify.h>
#include <keel/sched_inline.h>
#include <keel/syscall.h>
#include <keel/thread.h>

u64 ipc_fast_count;

/* A label only: no buffer length, no capabilities, no kernel bit. */
static inline bool fast_tag(u64 tag)
{
	return !(tag >> 32);
}

/* The message in `from`'s saved registers (a label and four words) to `to`. */
static inline void fast_deliver(struct thread *to, const struct thread *from, u64 badge)
{
	const struct trap_frame *m = &from->regs;

	ipc_set_message(to, badge, m->rsi, m->rdx, m->r10, m->r8, m->r9);
}

/*
 * The partner runs now: unlock, and leave as syscall_handle does (0:
 * SYSRET, 1: IRETQ).  A thread that waits for a message or for the reply
 * to its call entered through SYSCALL, and nothing since has touched its
 * RIP, RFLAGS, RCX or R11 (delivery writes the message registers only),
 * so SYSRET can take it back: its RIP came from SYSCALL, so it is
 * canonical (at most KEEL_USER_TOP; the last user page is never mapped).  A thread
 * resumed after a fault entered through an exception, and leaves with
 * IRETQ.  (tests: the fault and IPC tests of user/coretest.)
 */
static inline long fast_leave(bool fault)
{
	ipc_fast_count++;
	bkl_drop();
	return fault;
}

long ipc_fast_call(void)
{
	struct percpu *pc = this_cpu();
	struct thread *cur, *to;
	struct cap *c;

	bkl_take(pc->cpu);
	cur = pc->sched.current;
	if (!fast_tag(cur->regs.rsi) || cur->state != T_RUNNING ||
	    cap_find(cur->as->caps, cur->regs.rdi, CAP_ENDPOINT, KEEL_EP_SEND, &c))
		return IPC_FAST_NO;
	struct endpoint *ep = cap_obj(c);
	to = ep->receivers.head;
	if (!to || to->reply_to || !sched_may_switch(pc, cur, to))
		return IPC_FAST_NO;

	/* Nothing below can fail. */
	tqueue_pop_head(&ep->receivers, to);
	to->ep = NULL;
	fast_deliver(to, cur, c->badge ? c->badge : cur->badge);
	ipc_link_reply(cur, to, SEND_CALL);
	sched_switch(pc, cur, to);
	return fast_leave(false);
}

/* The reply's changes, once every check has passed (nothing here fails). */
static inline long fast_reply(struct percpu *pc, struct thread *cur, struct thread *to,
			      struct endpoint *ep, bool resume)
{
	cur->reply_to = NULL;
	to->server = NULL;
	if (!resume) /* a resumed fault keeps its registers: the instruction runs again */
		fast_deliver(to, cur, cur->badge); /* a reply carries the server's badge */
	cur->state = T_RECV;
	cur->ep = ep;
	tqueue_push(&ep->receivers, cur);
	sched_switch(pc, cur, to);
	return fast_leave(resume);
}

/*
 * A fault answered with IPC_FAULT_MAP: the map is the last check, and the
 * only one that changes something when it passes.  Apart, so that the
 * other replies carry no call (and no saved registers) on their path.
 */
static __attribute__((noinline)) long fast_reply_map(struct percpu *pc, struct thread *cur,
						     struct thread *to, struct endpoint *ep)
{
	if (ipc_fault_map(cur, to, &cur->regs))
		return IPC_FAST_NO; /* the general path gives the error */
	return fast_reply(pc, cur, to, ep, true);
}

long ipc_fast_reply_recv(void)
{
	struct percpu *pc = this_cpu();
	struct thread *cur, *to;
	struct cap *c;

	bkl_take(pc->cpu);
	cur = pc->sched.current;
	to = cur->reply_to;
	if (!to || to->cpu != pc->cpu || !fast_tag(cur->regs.rsi) || cur->state != T_RUNNING ||
	    to->state != T_REPLY || to->server != cur)
		return IPC_FAST_NO; /* the caller's CPU first: a cross-CPU reply fails at once */
	/* A call's reply, or "resume" or "map" for a fault (a kill takes the general path). */
	bool resume = to->send_kind == SEND_FAULT;
	u32 label = IPC_TAG_LABEL(cur->regs.rsi);
	if (resume ? label != IPC_FAULT_RESUME && label != IPC_FAULT_MAP
		   : to->send_kind != SEND_CALL)
		return IPC_FAST_NO;
	if (cap_find(cur->as->caps, cur->regs.rdi, CAP_ENDPOINT, KEEL_EP_RECV, &c))
		return IPC_FAST_NO;
	struct endpoint *ep = cap_obj(c);
	if (ep->senders.head || (cur->bound && cur->bound->word) || !sched_may_switch(pc, cur, to))
		return IPC_FAST_NO;
	if (resume && label == IPC_FAULT_MAP)
		return fast_reply_map(pc, cur, to, ep);
	return fast_reply(pc, cur, to, ep, resume);
}
