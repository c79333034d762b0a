/*
 * thread.h - threads and endpoints, the kernel objects
 * (kernel/object/thread.c, endpoint.c), and message passing
 * (kernel/core/ipc.c); the scheduler is keel/sched.h.
 *
 * A thread is one donated frame: its saved user registers, its FPU state,
 * its scheduling and IPC state.  There are no kernel threads and no
 * kernel stacks per thread: a thread in the kernel runs on its CPU's one
 * stack, and a thread that blocks leaves only its user registers behind.
 *
 * Locking: one big kernel lock (sched.c) is held from entry from user
 * mode to the return, and by an idle CPU while it picks a thread.  Every
 * structure here is touched only under it.  Interrupts that arrive in
 * kernel mode never take it (docs/design-core.md, "Locking").
 */
#ifndef KEEL_THREAD_H
#define KEEL_THREAD_H

#include <abi/syscall.h>
#include <arch/trap.h>
#include <keel/sched.h>
#include <keel/types.h>

struct aspace;
struct endpoint;
struct notify;
struct thread;

enum thread_state {
	T_INACTIVE = 0, /* created, not started */
	T_READY,	/* in its CPU's run queue */
	T_RUNNING,	/* current on a CPU */
	T_SEND,		/* queued on an endpoint with a message */
	T_RECV,
	/* queued on an endpoint, waiting for a message */
	T_REPLY, /* its call (or fault) was received: waiting for the reply */
	T_SLEEP, /* in SYS_SLEEP, on the sleep list of the CPU it slept on */
	T_WAIT,	 /* in SYS_WAIT, on a notification's queue (keel/notify.h) */
	T_DEAD,	 /* exited or killed: only SYS_DESTROY is left */
};

/* What a thread in T_SEND is sending. */
enum send_kind {
	SEND_PLAIN, /* SYS_SEND: no reply */
	SEND_CALL,  /* SYS_CALL: waits for the reply */
	SEND_FAULT, /* a CPU exception: waits for the pager's verdict */
	SEND_EXIT,  /* SYS_EXIT: dead once delivered */
};

struct ipc_msg {
	u64 tag, w[4];
	u64 badge; /* what the receiver sees as the sender */
};

struct thread {
	u64 gen; /* its generation (capabilities must match it) */
	/*
	 * Its user registers: saved here by the kernel entries, read from
	 * here on the way out (percpu's frame_end).  16-byte aligned at both
	 * ends: the CPU aligns RSP0 to 16 before it pushes an interrupt frame.
	 */
	struct trap_frame regs __attribute__((aligned(16)));
	u8 fpu[512] __attribute__((aligned(16))); /* FXSAVE image */
	u32 state;				  /* enum thread_state */
	u32 prio;
	u32 cpu;	 /* affinity: the CPU it runs on */
	i64 running_on;	 /* the CPU it is current on, or -1 */
	u64 wake_tick;	 /* in T_SLEEP: when to wake, in its CPU's ticks */
	u64 queued_tick; /* when it was rotated out, in its CPU's ticks */
	bool is_root;	 /* the first program's thread */
	u64 badge;
	u8 land[IPC_CAPS_MAX]; /* where capabilities sent to it land (SYS_CAP_LANDING) */
	u64 buf;	       /* physical address of its IPC buffer, or 0 */
	struct aspace *as;
	struct endpoint *pager; /* where its faults and exit go, or NULL */
	struct notify *bound;	/* whose bits its receives take too (SYS_NOTIFY_BIND), or NULL */

	/* The queue it is on (run queue or endpoint), and its neighbours. */
	struct tqueue *queue;
	struct thread *prev, *next;

	/* IPC. */
	struct endpoint *ep;	 /* the endpoint it is queued on */
	u32 send_kind;		 /* enum send_kind, in T_SEND */
	struct ipc_msg msg;	 /* the message it is sending, in T_SEND */
	struct thread *server;	 /* in T_REPLY: who received its call */
	struct thread *reply_to; /* the caller whose call it received last */
	/*
	 * The fault it received last lost its thread before the reply
	 * (ipc_detach): a reply that maps (IPC_FAULT_MAP) then fails with
	 * KEEL_EDEAD, so the pager learns that its page was not mapped.
	 * It lives as long as reply_to would have: cleared when the thread
	 * gets a new caller or answers with SYS_REPLY_RECV.
	 */
	bool fault_lost;
	i64 exit_code;
	u64 console_end; /* where its SYS_DEBUG_WRITE text ends in the console stream */
};

/* t's user registers, live or saved: the entries keep them in its save area. */
static inline struct trap_frame *sched_regs(struct thread *t)
{
	return &t->regs;
}

/*
 * A message as the waiting thread r receives it, in its saved registers
 * (the ABI: include/abi/syscall.h): result 0, the badge, the tag, four
 * words.  Every delivery writes them here (ipc.c and fastpath.c).
 */
static inline void ipc_set_message(struct thread *r, u64 badge, u64 tag, u64 w0, u64 w1, u64 w2,
				   u64 w3)
{
	struct trap_frame *f = &r->regs;

	f->rax = 0;
	f->rdi = badge;
	f->rsi = tag;
	f->rdx = w0;
	f->r10 = w1;
	f->r8 = w2;
	f->r9 = w3;
}

/*
 * `server` received the call or fault (`kind`) of `caller`, who now waits
 * for its reply: the links both ways.  Every path that hands a server a
 * caller comes here (ipc.c and fastpath.c), so fault_lost is always reset.
 */
static inline void ipc_link_reply(struct thread *caller, struct thread *server, u32 kind)
{
	caller->send_kind = kind;
	caller->state = T_REPLY;
	caller->server = server;
	server->reply_to = caller;
	server->fault_lost = false;
}

/*
 * Thread queues (struct tqueue, keel/sched.h): run queues, endpoints,
 * sleepers.  Inline: every IPC takes a thread off one or puts one on.
 */
_Noreturn void tqueue_broken(struct thread *t); /* queued twice: a broken invariant */

static inline void tqueue_push(struct tqueue *q, struct thread *t)
{
	if (__builtin_expect(t->queue != NULL, 0))
		tqueue_broken(t);
	t->queue = q;
	t->next = NULL;
	t->prev = q->tail;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

static inline void tqueue_push_front(struct tqueue *q, struct thread *t)
{
	if (__builtin_expect(t->queue != NULL, 0))
		tqueue_broken(t);
	t->queue = q;
	t->prev = NULL;
	t->next = q->head;
	if (q->head)
		q->head->prev = t;
	else
		q->tail = t;
	q->head = t;
}

/* Take t off its queue, if it is on one. */
static inline void tqueue_remove(struct thread *t)
{
	struct tqueue *q = t->queue;

	if (!q)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		q->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		q->tail = t->prev;
	t->queue = NULL;
	t->prev = t->next = NULL;
}

/* Take t, q's head, off q. */
static inline void tqueue_pop_head(struct tqueue *q, struct thread *t)
{
	q->head = t->next;
	if (t->next)
		t->next->prev = NULL;
	else
		q->tail = NULL;
	t->queue = NULL;
	t->next = NULL;
}

/* The head of q, taken off, or NULL. */
static inline struct thread *tqueue_pop(struct tqueue *q)
{
	struct thread *t = q->head;

	if (t)
		tqueue_pop_head(q, t);
	return t;
}

struct endpoint {
	u64 gen; /* its generation (kmem_gen_new): capabilities must match it */
	struct tqueue senders, receivers;
	u32 refs; /* thread pagers naming it */
};

/* thread.c */
/* A new thread in a zeroed frame: not started, default priority, CPU 0. */
void thread_init(struct thread *t, struct aspace *as, u64 buf, u64 badge);
void thread_kill(struct thread *t, const char *why);
struct sysreq; /* keel/decode.h */
long sys_thread_create(struct thread *cur, const struct sysreq *rq);
long sys_thread_config(struct thread *cur, const struct sysreq *rq);
long sys_thread_start(struct thread *cur, const struct sysreq *rq);
void thread_exit(struct thread *t, i64 code);
long thread_destroy(struct thread *t);

/* endpoint.c */
long sys_endpoint_create(struct thread *cur, const struct sysreq *rq);
/*
 * -KEEL_EBUSY while a thread's pager is it; else its waiters stop waiting
 * (ipc_abort), every capability to it is stale from now on, and it is gone.
 */
long endpoint_destroy(struct endpoint *ep);

/* ipc.c */
/* ep goes away: every thread waiting on it stops waiting (ipc_abort). */
void ipc_abort_endpoint(struct endpoint *ep);
/* The IPC calls, for `cur`, the caller (the frame holds its arguments and gets the message). */
long sys_send(struct trap_frame *tf, struct thread *cur, u32 kind);
long sys_recv(struct trap_frame *tf, struct thread *cur);
long sys_reply_recv(struct trap_frame *tf, struct thread *cur);
/*
 * How many IPCs went straight to a partner on the same CPU
 * (KEEL_INFO_IPC_FAST): the fast path's (kernel/core/fastpath.c, entered
 * from the system-call entry: keel/syscall.h) and faults to a waiting pager.
 */
extern u64 ipc_fast_count;
/* ipc_fault_map: keel/ipc_inline.h. */
/* A CPU exception in user mode: a message to the thread's pager. */
void ipc_fault(struct thread *t, struct trap_frame *tf, u64 addr);
/* t sends m (of kind `kind`) to ep: to a waiting receiver, or queued. */
void ipc_send(struct thread *t, struct endpoint *ep, u32 kind, const struct ipc_msg *m);
/*
 * t goes away: out of every queue, partners told.  A caller waiting for
 * t's reply fails with KEEL_EDEAD; but one waiting for the verdict on its
 * fault must die, and is returned for the caller to kill (so that a chain
 * of such threads is a loop in thread_kill, not a recursion).
 */
struct thread *ipc_detach(struct thread *t);
/* The same for t's caller only (t stays where it is). */
struct thread *ipc_release_caller(struct thread *t);

#endif
