/*
 * ipc.c - synchronous message passing through endpoints: send, receive, call,
 * reply-and-receive, and the messages the kernel sends for a thread (its
 * faults and its exit) to the thread's pager.
 *
 * A thread waiting in the kernel keeps nothing but its user registers, so
 * delivering a message is writing the receiver's saved registers (and
 * copying the buffer between the two buffer frames, through the direct
 * map).  A call or reply-and-receive of a label and four words to a
 * partner waiting on the same CPU never comes here: the fast path
 * (kernel/core/fastpath.c) does the same steps from the entry.  What it
 * leaves comes here, and takes the direct way where it can too: a woken
 * partner on this CPU runs next without the run queue (sched_wake), and
 * a fault goes straight to a pager waiting here (fault_direct).
 *
 * A thread's states (enum thread_state), what each waits for, and where
 * it goes next:
 *
 *   INACTIVE --SYS_THREAD_START--> READY --picked by its CPU--> RUNNING
 *   RUNNING --turn over, preempted--> READY
 *   RUNNING --SYS_SEND, SYS_CALL, a fault, an exit; no receiver--> SEND
 *   RUNNING --SYS_RECV, SYS_REPLY_RECV; no sender---------------> RECV
 *   RUNNING --SYS_CALL or a fault, received at once-------------> REPLY
 *   RUNNING --SYS_SLEEP--> SLEEP --its tick--> READY
 *   RUNNING --SYS_WAIT; no bits set--> WAIT --a signal--> READY
 *   SEND  (on t->ep)   --received: a plain send--> READY
 *                      --received: a call, a fault--> REPLY
 *                      --received: an exit--> DEAD
 *   RECV  (on t->ep)   --a message, or its bound notification's bits--> READY
 *   REPLY (t->server)  --the reply, or "resume" for a fault--> READY
 *                      --"kill" for a fault--> DEAD
 *   any state --killed--> DEAD (only SYS_DESTROY is left)
 *
 * SEND and RECV wait on an endpoint's queue (t->ep); REPLY waits for the
 * thread that received its call (t->server, whose t->reply_to names it
 * back).  When what a waiting thread waits for goes away (the endpoint is
 * destroyed, the server dies, or answers another caller first), the one
 * rule is ipc_abort: a send, call or receive fails with KEEL_EDEAD, an exit
 * counts as delivered, and a fault cannot be answered any more, so its
 * thread dies.
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <arch/percpu.h>
#include <keel/addr.h>
#include <keel/console.h>
#include <keel/decode.h>
#include <keel/ipc_inline.h>
#include <keel/kmem.h>
#include <keel/notify.h>
#include <common/string.h>
#include <keel/sched_inline.h>
#include <keel/syscall.h>
#include <keel/thread.h>

/* The capability in s's slot that a message's tag names, if it still is one. */
static struct cap *carried(struct thread *s, u64 slot)
{
	struct cap *c;

	return cap_find_any(s->as->caps, slot, 0, &c) ? NULL : c;
}

/*
 * The capabilities a message from s carries, into r's landing slots, in
 * order, while each is empty (moved, if the tag says so): how many landed.
 */
static __attribute__((noinline)) u64 transfer(struct thread *s, u64 tag, struct thread *r)
{
	u64 n = IPC_TAG_NCAPS(tag), k = 0;

	for (; k < n; k++) {
		struct cap *c = carried(s, IPC_TAG_CAP(tag, k));
		u32 dst = r->land[k];
		if (!c || dst >= KEEL_CAP_SLOTS || cap_type(&r->as->caps[dst]) != CAP_EMPTY)
			break;
		cap_copy(&r->as->caps[dst], c, cap_rights(c), c->badge);
		if (tag & IPC_TAG_MOVE)
			cap_clear(c);
	}
	return k;
}

/* The message's registers into r's saved ones: `tag` is the tag r sees. */
static inline void deliver_regs(const struct ipc_msg *m, u64 tag, struct thread *r)
{
	ipc_set_message(r, m->badge, tag, m->w[0], m->w[1], m->w[2], m->w[3]);
}

/* deliver() for a message with a buffer or capabilities. */
static __attribute__((noinline)) void deliver_more(struct thread *s, const struct ipc_msg *m,
						   struct thread *r)
{
	u64 len = IPC_TAG_LEN(m->tag);
	u64 landed = m->tag & TAG_CAPS_MASK ? transfer(s, m->tag, r) : 0;

	if (!s->buf || !r->buf)
		len = 0;
	if (len)
		memcpy(phys_to_virt(r->buf), phys_to_virt(s->buf), len);
	deliver_regs(m,
		     (m->tag & ~(TAG_LEN_MASK | TAG_CAPS_MASK)) | len << TAG_LEN_SHIFT |
			 landed << TAG_CAPS_SHIFT,
		     r);
}

/*
 * Write message m from s into r's registers and buffer (and capabilities).
 * Most messages are registers only: those take no call.
 */
static inline void deliver(struct thread *s, const struct ipc_msg *m, struct thread *r)
{
	if (m->tag & (TAG_LEN_MASK | TAG_CAPS_MASK))
		deliver_more(s, m, r);
	else
		deliver_regs(m, m->tag, r);
}

/*
 * What t waited for (as a sender of `kind`, or a receiver) went away.
 * t is on no queue any more.  Returns a thread to kill, for the caller to
 * kill (a fault that can no longer be answered), so that a chain of such
 * threads is a loop in thread_kill, not a recursion; or NULL.
 */
static struct thread *ipc_abort(struct thread *t, u32 kind, bool sending)
{
	if (sending && kind == SEND_FAULT)
		return t;
	if (sending && kind == SEND_EXIT) {
		t->state = T_DEAD;
		return NULL;
	}
	sched_regs(t)->rax = (u64)-KEEL_EDEAD;
	sched_ready(t);
	return NULL;
}

/*
 * r received a call (or fault) from s: s waits for r's reply.  A caller
 * r received earlier and never answered is failed: each thread answers
 * one caller at a time, so a waiting caller always has a server that
 * knows it.
 */
static void await_reply(struct thread *s, struct thread *r, u32 kind)
{
	if (r->reply_to)
		thread_kill(ipc_release_caller(r), "its pager went away while it waited");
	ipc_link_reply(s, r, kind);
}

/* s sends m (of kind `kind`) to ep: to a waiting receiver, or queued. */
void ipc_send(struct thread *s, struct endpoint *ep, u32 kind, const struct ipc_msg *m)
{
	struct thread *r = tqueue_pop(&ep->receivers);

	if (!r) {
		s->msg = *m;
		s->send_kind = kind;
		s->state = T_SEND;
		s->ep = ep;
		tqueue_push(&ep->senders, s);
		return;
	}
	r->ep = NULL;
	deliver(s, m, r);
	if (kind == SEND_CALL || kind == SEND_FAULT)
		await_reply(s, r, kind);
	else if (kind == SEND_EXIT)
		s->state = T_DEAD;
	sched_wake(r);
}

/*
 * r receives from ep: its bound notification's bits if any are set (they
 * come first: one word, however often signalled), a queued sender's
 * message, or r waits.
 */
static void recv(struct thread *r, struct endpoint *ep)
{
	if (notify_take_bound(r))
		return;
	struct thread *s = tqueue_pop(&ep->senders);

	if (!s) {
		r->state = T_RECV;
		r->ep = ep;
		tqueue_push(&ep->receivers, r);
		return;
	}
	s->ep = NULL;
	deliver(s, &s->msg, r);
	switch (s->send_kind) {
	case SEND_PLAIN:
		sched_regs(s)->rax = 0;
		sched_ready(s);
		break;
	case SEND_CALL:
	case SEND_FAULT:
		await_reply(s, r, s->send_kind);
		break;
	case SEND_EXIT:
		s->state = T_DEAD;
		break;
	}
}

/* The endpoint capability in `slot` of t's address space, if it has `right`. */
static long slot_get(struct thread *t, u64 slot, u32 right, struct cap **c)
{
	return cap_find(t->as->caps, slot, CAP_ENDPOINT, right, c);
}

/*
 * A user tag: its length, and the capabilities it carries (`via`: the
 * capability it is sent through, whose grant right it needs for them; NULL
 * for a reply, which needs none): decode_tag (kernel/core/decode.c).
 */
static inline long check_tag(struct thread *t, u64 tag, const struct cap *via)
{
	if (!(tag >> 32))
		return 0; /* most carry neither a buffer nor capabilities */
	return decode_tag(tag, t->buf != 0, t->as->caps, !via || (cap_rights(via) & KEEL_EP_GRANT));
}

static struct ipc_msg msg_from(const struct trap_frame *tf, u64 badge)
{
	return (struct ipc_msg){ tf->rsi, { tf->rdx, tf->r10, tf->r8, tf->r9 }, badge };
}

long sys_send(struct trap_frame *tf, struct thread *cur, u32 kind)
{
	struct cap *c;
	long r;

	if ((r = slot_get(cur, tf->rdi, KEEL_EP_SEND, &c)) || (r = check_tag(cur, tf->rsi, c)))
		return r;
	struct ipc_msg m = msg_from(tf, c->badge ? c->badge : cur->badge);
	ipc_send(cur, cap_obj(c), kind, &m);
	return 0;
}

long sys_recv(struct trap_frame *tf, struct thread *cur)
{
	struct cap *ep;
	long r;

	if ((r = slot_get(cur, tf->rdi, KEEL_EP_RECV, &ep)))
		return r;
	recv(cur, cap_obj(ep));
	return 0; /* deliver() wrote the message over the arguments */
}

long sys_reply_recv(struct trap_frame *tf, struct thread *cur)
{
	struct thread *c = cur->reply_to;
	struct cap *ep;
	long r;

	if ((r = slot_get(cur, tf->rdi, KEEL_EP_RECV, &ep)) || (r = check_tag(cur, tf->rsi, NULL)))
		return r;
	struct ipc_msg m = msg_from(tf, cur->badge); /* a reply carries the server's own badge */
	if (!c || c->state != T_REPLY || c->server != cur)
		c = NULL; /* nobody to answer (or they went away): just receive */
	/*
	 * A fault answered with a mapping: the map first; if it fails, nothing
	 * else happens.  If the thread went away meanwhile, nothing is mapped,
	 * and the pager must hear it (it would count the page as mapped).
	 */
	if (!c && cur->fault_lost && IPC_TAG_LABEL(m.tag) == IPC_FAULT_MAP) {
		cur->fault_lost = false;
		return -KEEL_EDEAD;
	}
	if (c && c->send_kind == SEND_FAULT && IPC_TAG_LABEL(m.tag) == IPC_FAULT_MAP &&
	    (r = ipc_fault_map(cur, c, tf)))
		return r;
	cur->reply_to = NULL;
	cur->fault_lost = false;
	if (c) {
		c->server = NULL;
		if (c->send_kind == SEND_FAULT && IPC_TAG_LABEL(m.tag) == IPC_FAULT_KILL) {
			thread_kill(c, "its pager answered its fault with kill");
			c = NULL;
		} else if (c->send_kind != SEND_FAULT) {
			deliver(cur, &m, c);
		}
		/* A resumed fault keeps its registers: the instruction runs again. */
	}
	recv(cur, cap_obj(ep));
	if (c)
		sched_wake(c);
	return 0;
}

/*
 * The fault half of the fault/resume round trip's fast path: t (running
 * here) faulted, and its pager waits on this CPU, owes nobody a reply,
 * and may have the CPU now by the hand-off rule.  The message goes
 * straight into the pager's registers and the CPU to the pager, with the
 * changes ipc_send would make (t waits for the reply; the resume comes
 * back on kernel/core/fastpath.c's path).  False, with nothing changed,
 * if any of that does not hold: then ipc_send.
 */
#define FAULT_TAG (IPC_TAG_KERNEL | IPC_LABEL_FAULT)

/* A fault message's second word: the vector and the error code. */
static inline u64 fault_code(const struct trap_frame *tf)
{
	return tf->vector << 32 | (tf->error & 0xffffffff);
}

static bool fault_direct(struct thread *t, const struct trap_frame *tf, u64 addr)
{
	struct percpu *pc = this_cpu();
	struct endpoint *ep = t->pager;
	struct thread *r = ep->receivers.head;

	if (!r || r->reply_to || !sched_may_switch(pc, t, r))
		return false;
	tqueue_pop_head(&ep->receivers, r);
	r->ep = NULL;
	ipc_set_message(r, t->badge, FAULT_TAG, addr, fault_code(tf), tf->rip, tf->rsp);
	ipc_link_reply(t, r, SEND_FAULT);
	sched_switch(pc, t, r);
	ipc_fast_count++;
	return true;
}

void ipc_fault(struct thread *t, struct trap_frame *tf, u64 addr)
{
	if (!t->pager) {
		klog("thread",
		     "thread 0x%lx: CPU exception %lu, error 0x%lx, address 0x%lx, rip 0x%lx",
		     kmem_object_phys(t), tf->vector, tf->error, addr, tf->rip);
		thread_kill(t, "a CPU exception, and it has no pager");
		return;
	}
	if (fault_direct(t, tf, addr))
		return;
	struct ipc_msg m = { FAULT_TAG, { addr, fault_code(tf), tf->rip, tf->rsp }, t->badge };
	ipc_send(t, t->pager, SEND_FAULT, &m);
}

struct thread *ipc_release_caller(struct thread *t)
{
	struct thread *c = t->reply_to;

	t->reply_to = NULL;
	if (!c || c->state != T_REPLY || c->server != t)
		return NULL;
	c->server = NULL;
	return ipc_abort(c, c->send_kind, true);
}

struct thread *ipc_detach(struct thread *t)
{
	if (t->state == T_READY)
		sched_forget(t);
	else if (t->queue) /* T_SEND, T_RECV, T_SLEEP or T_WAIT */
		tqueue_remove(t);
	t->ep = NULL;
	if (t->state == T_REPLY && t->server && t->server->reply_to == t) {
		t->server->reply_to = NULL;
		t->server->fault_lost = t->send_kind == SEND_FAULT;
	}
	t->server = NULL;
	return ipc_release_caller(t);
}

void ipc_abort_endpoint(struct endpoint *ep)
{
	struct thread *t;

	while ((t = tqueue_pop(&ep->senders))) {
		t->ep = NULL;
		thread_kill(ipc_abort(t, t->send_kind, true),
			    "its pager went away while it waited");
	}
	while ((t = tqueue_pop(&ep->receivers))) {
		t->ep = NULL;
		ipc_abort(t, 0, false);
	}
}
