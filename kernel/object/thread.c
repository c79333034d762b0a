/*
 * thread.c - thread objects: create, configure, start, exit, kill and
 * destroy.  Every call checks all its arguments before it changes
 * anything.  All of it runs under the big kernel lock.
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/x86.h>
#include <keel/console.h>
#include <keel/decode.h>
#include <keel/kmem.h>
#include <keel/notify.h>
#include <keel/root.h>
#include <common/string.h>

#include <keel/thread.h>

/* The CPU pushes an interrupt frame at a 16-byte-aligned RSP0: the save area's end (percpu.h). */
_Static_assert(__builtin_offsetof(struct thread, regs) % 16 == 0 &&
		   sizeof(struct trap_frame) % 16 == 0,
	       "struct thread's regs must end on a 16-byte boundary");

#define FXSAVE_FCW   0	/* x87 control word */
#define FXSAVE_MXCSR 24 /* SSE control and status */

void thread_init(struct thread *t, struct aspace *as, u64 buf, u64 badge)
{
	t->regs.cs = GDT_UCODE | 3;
	t->regs.ss = GDT_UDATA | 3;
	t->regs.rflags = X86_EFLAGS_IF | 0x2; /* bit 1 is always set */
	/* The FPU as FNINIT and the SSE defaults leave it: all exceptions masked. */
	*(u16 *)&t->fpu[FXSAVE_FCW] = 0x037f;
	*(u32 *)&t->fpu[FXSAVE_MXCSR] = 0x1f80;
	t->gen = kmem_gen_new();
	t->state = T_INACTIVE;
	t->prio = THREAD_PRIO_DEFAULT;
	t->running_on = -1;
	t->as = as;
	t->buf = buf;
	t->badge = badge;
	for (int i = 0; i < IPC_CAPS_MAX; i++)
		t->land[i] = KEEL_CAP_NONE; /* nowhere, until the thread says */
	as->threads++;
}

/* An IPC buffer: the pager's RAM (counted like a mapping while in use). */
static long check_buffer(u64 buf)
{
	enum kmem_class c = kmem_classify(buf);
	return c == KMEM_USER ? 0 : kmem_class_error(c);
}

/* SYS_THREAD_CREATE(mem, tcb_off, as, buf_off, badge, dst). */
long sys_thread_create(struct thread *cur, const struct sysreq *rq)
{
	u64 tcb = rq->frame[0], buf = rq->frame[1];
	bool has_buf = rq->a[3] != KEEL_NO_BUFFER;
	long r;

	if ((r = kmem_check_free(tcb)) || (has_buf && (r = check_buffer(buf))))
		return r;
	if (has_buf && (r = kmem_map_ref(buf)))
		return r; /* the last check: kmem_map_ref changes nothing when it fails */
	struct thread *t = kmem_object_make(tcb, KOBJ_THREAD);
	thread_init(t, cap_obj(rq->cap[2]), has_buf ? buf : 0, rq->a[4]);
	cap_set(rq->dst, CAP_THREAD, t, CAP_RIGHTS_THREAD, 0);
	return 0;
}

/*
 * SYS_THREAD_CONFIG(th, prio, cpu, pager): pager an endpoint slot, or
 * KEEL_CAP_NONE.  The CPU (below the count: decoded) is online, or still
 * starting: a thread placed there runs once it is online.
 */
long sys_thread_config(struct thread *cur, const struct sysreq *rq)
{
	struct thread *t = cap_obj(rq->cap[0]);
	struct endpoint *pager = rq->cap[3] ? cap_obj(rq->cap[3]) : NULL;
	u64 prio = rq->a[1], cpu = rq->a[2];

	if (percpu_of((u32)cpu)->state == CPU_FAILED)
		return -KEEL_EINVAL;

	if (t->pager)
		t->pager->refs--;
	t->pager = pager;
	if (pager)
		pager->refs++;
	bool queued = t->state == T_READY && t->queue;
	if (queued)
		sched_unready(t);
	u32 old_cpu = t->cpu;
	t->prio = (u32)prio;
	t->cpu = (u32)cpu;
	if (queued)
		sched_ready(t);
	if (t->state == T_RUNNING) {
		/* Running: it moves or re-sorts at its CPU's next return. */
		sched_kick(old_cpu);
	}
	return 0;
}

/* SYS_THREAD_START(th, rip, rsp, arg). */
long sys_thread_start(struct thread *cur, const struct sysreq *rq)
{
	struct thread *t = cap_obj(rq->cap[0]);

	if (t->state != T_INACTIVE)
		return -KEEL_EBUSY;
	t->regs.rip = rq->a[1];
	t->regs.rsp = rq->a[2];
	t->regs.rdi = rq->a[3];
	sched_ready(t);
	return 0;
}

void thread_kill(struct thread *t, const char *why)
{
	while (t) {
		klog("thread", "thread 0x%lx (badge %lu) killed: %s", kmem_object_phys(t), t->badge,
		     why);
		struct thread *next = ipc_detach(t);
		t->state = T_DEAD;
		notify_unbind(t);
		if (t->is_root)
			root_exited(-1);
		t = next; /* it waited for t to answer its fault */
		why = "its pager went away while it waited";
	}
}

void thread_exit(struct thread *t, i64 code)
{
	t->exit_code = code;
	notify_unbind(t);
	if (t->is_root)
		root_exited(code);
	/* Whoever waits for its reply will not get one. */
	thread_kill(ipc_release_caller(t), "its pager exited while it waited");
	if (!t->pager) {
		t->state = T_DEAD;
		return;
	}
	struct ipc_msg m = { IPC_TAG_KERNEL | IPC_LABEL_EXIT, { (u64)code, 0, 0, 0 }, t->badge };
	ipc_send(t, t->pager, SEND_EXIT, &m);
}

long thread_destroy(struct thread *t)
{
	if (t == sched_current())
		return -KEEL_EBUSY; /* a thread ends itself with SYS_EXIT */
	if (t->running_on >= 0) {
		/* Running elsewhere: stop it there, and let the caller retry. */
		thread_kill(ipc_detach(t), "its pager was destroyed while it waited");
		t->state = T_DEAD;
		sched_kick((u32)t->running_on);
		return -KEEL_EBUSY;
	}
	thread_kill(ipc_detach(t), "its pager was destroyed while it waited");
	if (t->pager)
		t->pager->refs--;
	notify_unbind(t);
	t->as->threads--;
	if (t->buf)
		kmem_map_unref(t->buf);
	t->gen = 0; /* every capability to it is stale */
	kmem_object_free(kmem_object_phys(t));
	return 0;
}
