/*
 * ipc.c - endpoints and synchronous message passing: send, receive, call,
 * reply-and-receive, and the messages the kernel sends for a thread (its
 * faults and its exit) to the thread's pager.
 *
 * A thread waiting in the kernel keeps nothing but its user registers, so
 * delivering a message is writing the receiver's saved registers (and
 * copying the buffer between the two buffer frames, through the direct
 * map).  The fast path: when a call finds its receiver waiting on the
 * same CPU, or a reply-and-receive finds no sender waiting, the CPU goes
 * straight to the partner, without the run queue.
 */
#include <abi/syscall.h>
#include <arch/aspace.h>
#include <arch/percpu.h>
#include <keel/addr.h>
#include <keel/console.h>
#include <keel/kmem.h>
#include <common/string.h>
#include <keel/thread.h>

#define TAG_LEN_SHIFT 32
#define TAG_LEN_MASK  (0x1fffull << TAG_LEN_SHIFT)
#define TAG_USER_MASK (0xffffffffull | TAG_LEN_MASK) /* bits a user tag may set */

struct endpoint *endpoint_get(u64 pa)
{
	return kmem_object_get(pa, KOBJ_ENDPOINT);
}

long sys_endpoint_create(u64 frame)
{
	long r = kmem_check_free(frame);

	if (r)
		return r;
	kmem_object_make(frame, KOBJ_ENDPOINT);
	return 0;
}

/* Write message m from s into r's registers and buffer. */
static void deliver(struct thread *s, const struct ipc_msg *m, struct thread *r)
{
	struct trap_frame *f = sched_regs(r);
	u64 len = IPC_TAG_LEN(m->tag);

	if (!s->buf || !r->buf)
		len = 0;
	if (len)
		memcpy(phys_to_virt(r->buf), phys_to_virt(s->buf), len);
	f->rax = 0;
	f->rdi = s->badge;
	f->rsi = (m->tag & ~TAG_LEN_MASK) | len << TAG_LEN_SHIFT;
	f->rdx = m->w[0];
	f->r10 = m->w[1];
	f->r8 = m->w[2];
	f->r9 = m->w[3];
}

/* A waiting thread is woken with an error instead of a message. */
static void fail(struct thread *t, long err)
{
	if (t->state == T_SEND && t->send_kind == SEND_FAULT) {
		thread_kill(t, "its pager went away while it waited");
		return;
	}
	if (t->state == T_SEND && t->send_kind == SEND_EXIT) {
		t->state = T_DEAD;
		return;
	}
	sched_regs(t)->rax = (u64)err;
	sched_ready(t);
}

/*
 * r received a call (or fault) from s: s waits for r's reply.  A caller
 * r received earlier and never answered is failed: each thread answers
 * one caller at a time, so a waiting caller always has a server that
 * knows it.
 */
static void await_reply(struct thread *s, struct thread *r)
{
	struct thread *old = r->reply_to;

	if (old && old->state == T_REPLY && old->server == r) {
		old->server = NULL;
		old->state = T_SEND; /* so fail() knows what it was waiting for */
		fail(old, -KEEL_EDEAD);
	}
	s->state = T_REPLY;
	s->server = r;
	r->reply_to = s;
}

/* Wake t; straight to it when this CPU's thread just blocked (fast path). */
static void wake(struct thread *t)
{
	struct thread *cur = sched_current();

	if (cur && cur->state != T_RUNNING && t->cpu == this_cpu()->cpu && !this_cpu()->handoff)
		sched_handoff(t);
	else
		sched_ready(t);
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
	if (kind == SEND_CALL || kind == SEND_FAULT) {
		s->send_kind = kind;
		await_reply(s, r);
	} else if (kind == SEND_EXIT) {
		s->state = T_DEAD;
	}
	wake(r);
}

/* r receives from ep: a queued sender's message, or r waits. */
static void recv(struct thread *r, struct endpoint *ep)
{
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
		await_reply(s, r);
		break;
	case SEND_EXIT:
		s->state = T_DEAD;
		break;
	}
}

/* The endpoint in `slot` of t's address space, if it has `right`. */
static long slot_get(struct thread *t, u64 slot, u32 right, struct endpoint **ep)
{
	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	if (!(*ep = t->as->slots[slot]))
		return -KEEL_ENOENT;
	if (!(t->as->slot_rights[slot] & right))
		return -KEEL_EPERM;
	return 0;
}

static long check_tag(const struct thread *t, u64 tag)
{
	if (tag & ~TAG_USER_MASK)
		return -KEEL_EINVAL; /* the kernel bit, or bits nobody defined */
	if (IPC_TAG_LEN(tag) > IPC_BUF_MAX || (IPC_TAG_LEN(tag) && !t->buf))
		return -KEEL_EINVAL;
	return 0;
}

static struct ipc_msg msg_from(const struct trap_frame *tf)
{
	return (struct ipc_msg){ tf->rsi, { tf->rdx, tf->r10, tf->r8, tf->r9 } };
}

long sys_send(struct trap_frame *tf, u32 kind)
{
	struct thread *cur = sched_current();
	struct endpoint *ep;
	long r;

	if ((r = slot_get(cur, tf->rdi, KEEL_EP_SEND, &ep)) || (r = check_tag(cur, tf->rsi)))
		return r;
	struct ipc_msg m = msg_from(tf);
	ipc_send(cur, ep, kind, &m);
	return 0;
}

long sys_recv(struct trap_frame *tf)
{
	struct thread *cur = sched_current();
	struct endpoint *ep;
	long r;

	if ((r = slot_get(cur, tf->rdi, KEEL_EP_RECV, &ep)))
		return r;
	recv(cur, ep);
	return 0; /* deliver() wrote the message over the arguments */
}

long sys_reply_recv(struct trap_frame *tf)
{
	struct thread *cur = sched_current(), *c = cur->reply_to;
	struct endpoint *ep;
	long r;

	if ((r = slot_get(cur, tf->rdi, KEEL_EP_RECV, &ep)) || (r = check_tag(cur, tf->rsi)))
		return r;
	struct ipc_msg m = msg_from(tf);
	cur->reply_to = NULL;
	if (!c || c->state != T_REPLY || c->server != cur)
		c = NULL; /* nobody to answer (or they went away): just receive */
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
	recv(cur, ep);
	if (c)
		wake(c);
	return 0;
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
	struct ipc_msg m = { IPC_TAG_KERNEL | IPC_LABEL_FAULT,
			     { addr, tf->vector << 32 | (tf->error & 0xffffffff), tf->rip,
			       tf->rsp } };
	ipc_send(t, t->pager, SEND_FAULT, &m);
}

struct thread *ipc_release_caller(struct thread *t)
{
	struct thread *c = t->reply_to;

	t->reply_to = NULL;
	if (!c || c->state != T_REPLY || c->server != t)
		return NULL;
	c->server = NULL;
	if (c->send_kind == SEND_FAULT)
		return c;  /* the caller kills it: no recursion down a chain */
	c->state = T_SEND; /* for fail(): it was sending this kind */
	fail(c, -KEEL_EDEAD);
	return NULL;
}

struct thread *ipc_detach(struct thread *t)
{
	if (t->state == T_READY)
		sched_unready(t);
	else if (t->queue) /* T_SEND, T_RECV or T_SLEEP */
		tqueue_remove(t);
	if (this_cpu()->handoff == t)
		this_cpu()->handoff = NULL;
	t->ep = NULL;
	if (t->state == T_REPLY && t->server && t->server->reply_to == t)
		t->server->reply_to = NULL;
	t->server = NULL;
	return ipc_release_caller(t);
}

long endpoint_destroy(struct endpoint *ep)
{
	struct thread *t;

	if (ep->refs)
		return -KEEL_EBUSY;
	while ((t = tqueue_pop(&ep->senders))) {
		t->ep = NULL;
		fail(t, -KEEL_EDEAD);
	}
	while ((t = tqueue_pop(&ep->receivers))) {
		t->ep = NULL;
		fail(t, -KEEL_EDEAD);
	}
	kmem_object_free(kmem_object_phys(ep));
	return 0;
}
