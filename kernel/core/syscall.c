/*
 * syscall.c - the system-call table and the generic calls (debug output,
 * tests, information, sleep, exit, destroy).
 *
 * Each entry of `syscalls` says, next to its handler, what the caller must
 * hold to make the call.  syscall_dispatch checks that before the handler
 * runs, so no handler can forget it; each handler then checks all of its
 * arguments before it changes anything.  The architecture's entry
 * (kernel/arch/x86_64/syscall.S) saves the registers and calls
 * syscall_handle, which takes the big kernel lock, dispatches, and
 * returns through the scheduler.
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <keel/boot.h>
#include <keel/cap.h>
#include <keel/console.h>
#include <keel/kmem.h>
#include <keel/ktest.h>
#include <keel/syscall.h>
#include <keel/thread.h>

/*
 * SYS_DEBUG_WRITE(buf, len): queue user text for the console, a chunk at
 * a time; returns how much was taken, which is less than len (maybe 0)
 * when the console is busy (kernel/console.c).  It never waits for the
 * UART, so it holds the big kernel lock for a copy of len bytes at most.
 */
static long sys_debug_write(u64 buf, u64 len)
{
	struct thread *cur = sched_current();
	char chunk[128];
	u64 done = 0;

	if (len > SYS_DEBUG_WRITE_MAX)
		return -KEEL_EINVAL;
	if (!user_range_ok(buf, len))
		return -KEEL_EFAULT;
	while (done < len) {
		u64 n = MIN(len - done, sizeof(chunk));
		if (copy_from_user(chunk, buf + done, n))
			return done ? (long)done : -KEEL_EFAULT;
		u64 took = console_write_user(chunk, n, &cur->console_end);
		done += took;
		if (took < n)
			break;
	}
	return (long)done;
}

/* Copy a NUL-terminated user string of at most size - 1 characters. */
static long string_from_user(char *dst, u64 src, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		if (copy_from_user(&dst[i], src + i, 1))
			return -KEEL_EFAULT;
		if (!dst[i])
			return 0;
	}
	return -KEEL_EINVAL;
}

/* SYS_DEBUG_TEST(name, result, why): a TAP line, in test boots only. */
static long sys_debug_test(u64 name, u64 result, u64 why)
{
	char n[KEEL_TEST_NAME_MAX], w[KEEL_TEST_NAME_MAX];
	long r;

	if (!boot.test_mode)
		return -KEEL_ENOSYS;
	if ((r = string_from_user(n, name, sizeof(n))))
		return r;
	if (result > KEEL_TEST_SKIP)
		return -KEEL_EINVAL;
	if (why && (r = string_from_user(w, why, sizeof(w))))
		return r;
	ktest_report(n, (int)result, why ? w : NULL);
	return 0;
}

static long sys_info(u64 what)
{
	struct thread *cur = sched_current();

	switch (what) {
	case KEEL_INFO_CPU:
		return this_cpu()->cpu;
	case KEEL_INFO_CPUS:
		return smp_online;
	case KEEL_INFO_FASTPATH: /* system-wide: the authority only */
		return cur->authority ? (long)sched_fastpath_count : -KEEL_EPERM;
	case KEEL_INFO_TICKS:
		return (long)this_cpu()->ticks;
	case KEEL_INFO_THREAD: /* a physical address: the authority only */
		return cur->authority ? (long)kmem_object_phys(cur) : -KEEL_EPERM;
	case KEEL_INFO_AUTHORITY:
		return cur->authority;
	}
	return -KEEL_EINVAL;
}

static long sys_destroy(u64 obj)
{
	struct thread *t;
	struct endpoint *ep;
	struct aspace *as;

	if ((t = thread_get(obj)))
		return thread_destroy(t);
	if ((ep = endpoint_get(obj)))
		return endpoint_destroy(ep);
	if ((as = aspace_get(obj))) {
		if (as->threads)
			return -KEEL_EBUSY;
		aspace_destroy(as);
		return 0;
	}
	return -KEEL_EBADOBJ;
}

static long sys_exit(u64 code)
{
	thread_exit(sched_current(), (i64)code);
	return 0;
}

static long sys_yield(void)
{
	sched_yield();
	return 0;
}

/*
 * The table.  `fn` takes the call's arguments (RDI, RSI, RDX, R10, R8) in
 * order; the IPC calls take the whole frame (`ipc`), since they also
 * return a message in it.  Every number below SYS_COUNT has an entry
 * (syscall_dispatch relies on it; a boot test checks it).
 */
struct syscall_def {
	union {
		long (*fn)(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4);
		long (*ipc)(struct trap_frame *tf, struct thread *cur);
	};
	u8 args;  /* SYSCALL_ARGS or SYSCALL_FRAME */
	u8 needs; /* SYSCALL_NEEDS_* */
};

enum { SYSCALL_ARGS, SYSCALL_FRAME };

/* The two calls that share sys_send. */
static long call_send(struct trap_frame *tf, struct thread *cur)
{
	return sys_send(tf, cur, SEND_PLAIN);
}
static long call_call(struct trap_frame *tf, struct thread *cur)
{
	return sys_send(tf, cur, SEND_CALL);
}
/*
 * Handlers, made to fit the table: ADAPT(name, expression) defines
 * name(a0, a1, a2, a3, a4) as the expression.
 */
#define ADAPT(name, call)                                        \
	static long name(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4) \
	{                                                        \
		return call;                                     \
	}
ADAPT(call_exit, sys_exit(a0))
ADAPT(call_yield, sys_yield())
ADAPT(call_sleep, sys_sleep(a0))
ADAPT(call_info, sys_info(a0))
ADAPT(call_debug_write, sys_debug_write(a0, a1))
ADAPT(call_debug_test, sys_debug_test(a0, a1, a2))
ADAPT(call_donate, kmem_donate(a0, a1))
ADAPT(call_reclaim, kmem_reclaim(a0, a1))
ADAPT(call_counts, kmem_supply_counts(a0, a1))
ADAPT(call_as_create, sys_as_create(a0, a1))
ADAPT(call_unmap, sys_unmap(a0, a1))
ADAPT(call_lookup, sys_lookup(a0, a1))
ADAPT(call_endpoint_create, sys_endpoint_create(a0))
ADAPT(call_destroy, sys_destroy(a0))
ADAPT(call_grant, sys_grant(a0))
ADAPT(call_map, sys_map(a0, a1, a2, a3))
ADAPT(call_supply_table, sys_supply_table(a0, a1, a2, a3))
ADAPT(call_thread_create, sys_thread_create(a0, a1, a2, a3))
ADAPT(call_thread_config, sys_thread_config(a0, a1, a2, a3))
ADAPT(call_thread_start, sys_thread_start(a0, a1, a2, a3))
ADAPT(call_as_set_endpoint, sys_as_set_endpoint(a0, a1, a2, a3, a4))
ADAPT(call_cap_copy, sys_cap_copy(a0, a1, a2))
ADAPT(call_cap_delete, sys_cap_delete(a0))
ADAPT(call_cap_landing, sys_cap_landing(a0, a1))

#define ARGS(f, n)                                            \
	{                                                     \
		.fn = (f), .args = SYSCALL_ARGS, .needs = (n) \
	}
#define FRAME(f, n)                                             \
	{                                                       \
		.ipc = (f), .args = SYSCALL_FRAME, .needs = (n) \
	}

static const struct syscall_def syscalls[SYS_COUNT] = {
	[SYS_DEBUG_WRITE] = ARGS(call_debug_write, SYSCALL_NEEDS_NOTHING),
	[SYS_EXIT] = ARGS(call_exit, SYSCALL_NEEDS_NOTHING),
	[SYS_YIELD] = ARGS(call_yield, SYSCALL_NEEDS_NOTHING),
	[SYS_INFO] = ARGS(call_info, SYSCALL_NEEDS_NOTHING), /* some answers: authority */
	[SYS_KMEM_DONATE] = ARGS(call_donate, SYSCALL_NEEDS_AUTHORITY),
	[SYS_KMEM_RECLAIM] = ARGS(call_reclaim, SYSCALL_NEEDS_AUTHORITY),
	[SYS_KMEM_COUNTS] = ARGS(call_counts, SYSCALL_NEEDS_AUTHORITY),
	[SYS_AS_CREATE] = ARGS(call_as_create, SYSCALL_NEEDS_AUTHORITY),
	[SYS_MAP] = ARGS(call_map, SYSCALL_NEEDS_AUTHORITY),
	[SYS_UNMAP] = ARGS(call_unmap, SYSCALL_NEEDS_AUTHORITY),
	[SYS_SUPPLY_TABLE] = ARGS(call_supply_table, SYSCALL_NEEDS_AUTHORITY),
	[SYS_THREAD_CREATE] = ARGS(call_thread_create, SYSCALL_NEEDS_AUTHORITY),
	[SYS_THREAD_CONFIG] = ARGS(call_thread_config, SYSCALL_NEEDS_AUTHORITY),
	[SYS_THREAD_START] = ARGS(call_thread_start, SYSCALL_NEEDS_AUTHORITY),
	[SYS_ENDPOINT_CREATE] = ARGS(call_endpoint_create, SYSCALL_NEEDS_AUTHORITY),
	[SYS_DESTROY] = ARGS(call_destroy, SYSCALL_NEEDS_AUTHORITY),
	[SYS_GRANT] = ARGS(call_grant, SYSCALL_NEEDS_AUTHORITY),
	[SYS_AS_SET_ENDPOINT] = ARGS(call_as_set_endpoint, SYSCALL_NEEDS_AUTHORITY),
	/* IPC needs the slot's right, which the handler checks. */
	[SYS_SEND] = FRAME(call_send, SYSCALL_NEEDS_NOTHING),
	[SYS_RECV] = FRAME(sys_recv, SYSCALL_NEEDS_NOTHING),
	[SYS_CALL] = FRAME(call_call, SYSCALL_NEEDS_NOTHING),
	[SYS_REPLY_RECV] = FRAME(sys_reply_recv, SYSCALL_NEEDS_NOTHING),
	[SYS_DEBUG_TEST] = ARGS(call_debug_test, SYSCALL_NEEDS_NOTHING),
	[SYS_SLEEP] = ARGS(call_sleep, SYSCALL_NEEDS_NOTHING),
	[SYS_LOOKUP] = ARGS(call_lookup, SYSCALL_NEEDS_AUTHORITY),
	/* A process's own capabilities: anyone. */
	[SYS_CAP_COPY] = ARGS(call_cap_copy, SYSCALL_NEEDS_NOTHING),
	[SYS_CAP_DELETE] = ARGS(call_cap_delete, SYSCALL_NEEDS_NOTHING),
	[SYS_CAP_LANDING] = ARGS(call_cap_landing, SYSCALL_NEEDS_NOTHING),
};

static inline long syscall_dispatch(struct trap_frame *tf, struct thread *cur)
{
	if (tf->rax >= SYS_COUNT)
		return -KEEL_ENOSYS;
	const struct syscall_def *d = &syscalls[tf->rax];
	if (d->needs == SYSCALL_NEEDS_AUTHORITY && !cur->authority)
		return -KEEL_EPERM;
	if (d->args == SYSCALL_FRAME)
		return d->ipc(tf, cur);
	return d->fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8);
}

/*
 * The C half of the system-call entry (kernel/arch/x86_64/syscall.S):
 * the call runs under the big kernel lock, then the scheduler picks who
 * returns to user mode.  Returns 0 if the exit may use SYSRET, else 1.
 */
long syscall_handle(struct trap_frame *tf)
{
	bkl_lock();
	struct thread *cur = sched_enter(tf);
	/* A thread stopped by another CPU (destroyed) does not get its call. */
	if (cur->state == T_RUNNING) {
		long r = syscall_dispatch(tf, cur);
		if (cur->state == T_RUNNING || cur->state == T_DEAD)
			tf->rax = (u64)r; /* a blocked thread gets its result when woken */
		else
			cur->regs.rax = (u64)r; /* unused: the waker writes rax */
	}
	sched_return(tf);
	return !syscall_can_sysret(tf);
}

bool syscall_table_complete(void)
{
	for (unsigned n = 0; n < SYS_COUNT; n++)
		if (!syscalls[n].fn)
			return false;
	return true;
}
