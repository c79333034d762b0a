/*
 * syscall.c - the system-call table and the generic calls (debug output,
 * tests, information, sleep, exit).
 *
 * Each entry of `syscalls` says, next to its handler, which of its
 * arguments are capabilities, of which type, with which rights.
 * syscall_dispatch looks each one up in the caller's capability space
 * before the handler runs (keel/cap.h: EINVAL, ENOENT, EBADOBJ, EPERM,
 * EDEAD), and hands the handler the capability, not the slot; so no
 * handler can forget a check, and none ever sees an address where an
 * object is meant.  Each handler then checks the rest of its arguments
 * before it changes anything.  The architecture's entry
 * (kernel/arch/x86_64/syscall.S) saves the registers and calls
 * syscall_handle, which takes the big kernel lock, dispatches, and
 * returns through the scheduler; SYS_CALL and SYS_REPLY_RECV try the IPC
 * fast path first (kernel/core/fastpath.c).
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
#include <common/string.h>
#include <arch/ptcheck.h>
#include <keel/layout.h>
#include <keel/kmem.h>
#include <arch/ioport.h>
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/notify.h>
#include <keel/syscall.h>
#include <keel/thread.h>

/*
 * SYS_DEBUG_WRITE(buf, len): queue user text for the console, a chunk at
 * a time; returns how much was taken, which is less than len (maybe 0)
 * when the console is busy (kernel/console.c); KEEL_EPERM for all but the
 * first program while a serial driver holds COM1.  It never waits for the
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
	/*
	 * Once a serial driver holds COM1, programs print through the console
	 * server; only the first program (the pager, which cannot wait on a
	 * server it pages) keeps this path.  A program writing here in a loop
	 * would otherwise keep the UART busy with the kernel's ring and
	 * silence the console (docs/design-core.md, "Sharing COM1").
	 */
	if (ioport_console_held() && !cur->is_root)
		return -KEEL_EPERM;
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

/*
 * SYS_INFO(what): this CPU's number and ticks, and counts fixed after boot
 * or only read.  It takes the lean entry (kernel/arch/x86_64/syscall.S):
 * no frame, no lock, interrupts off; keep it that way.
 */
/* KEEL_INFO_REGION: one field of one region of the layout (abi/syscall.h). */
static long info_region(u64 index)
{
	u64 region = index / 8, field = index % 8;

	if (region >= LAYOUT_REGION_COUNT)
		return -KEEL_EINVAL;
	const struct layout_region *r = &layout_regions[region];
	if (field >= 6) {
		u64 word = 0;
		for (size_t i = 0; i < 8; i++) {
			size_t at = (field - 6) * 8 + i;
			if (at >= str_len(r->name))
				break;
			word |= (u64)(u8)r->name[at] << (8 * i);
		}
		return (long)word;
	}
	if (field == 0)
		return (long)r->base;
	if (field == 1)
		return (long)r->size;
	struct ptcheck_stats st;
	ptcheck_collect(&st);
	return (long)(field == 2 ? st.region[region].bytes : st.region[region].pages[field - 3]);
}

/* The indexed values: what's low 16 bits say which, the rest the index. */
static long info_indexed(u64 what)
{
	u64 index = what >> 16;

	switch (what & 0xffff) {
	case KEEL_INFO_CPU_TICKS:
	case KEEL_INFO_CPU_IDLE:
		if (index >= percpu_count) /* every slot, a CPU given up too: its numbers stay */
			return -KEEL_EINVAL;
		return (long)((what & 0xffff) == KEEL_INFO_CPU_TICKS
				  ? percpu_of((u32)index)->ticks
				  : percpu_of((u32)index)->idle_ticks);
	case KEEL_INFO_IRQ_TAKEN:
	case KEEL_INFO_IRQ_LOST:
		if (index >= KEEL_IRQ_LINES)
			return -KEEL_EINVAL;
		return (long)irq_counts((u32)index, (what & 0xffff) == KEEL_INFO_IRQ_LOST);
	case KEEL_INFO_REGION:
		return info_region(index);
	case KEEL_INFO_KMEM:
		if (index > 1)
			return -KEEL_EINVAL;
		return (long)(index == 0 ? kmem_donated_bytes() : kmem_live_objects());
	}
	return -KEEL_EINVAL;
}

long syscall_info(u64 what)
{
	switch (what) {
	case KEEL_INFO_CPU:
		return this_cpu()->cpu;
	case KEEL_INFO_CPUS:
		return smp_cpus;
	case KEEL_INFO_FASTPATH:
		return (long)sched_fastpath_count;
	case KEEL_INFO_TICKS:
		return (long)this_cpu()->ticks;
	case KEEL_INFO_IPC_FAST:
		return (long)ipc_fast_count;
	case KEEL_INFO_LOG: /* a hint, read without the console lock */
		return (long)(__atomic_load_n(&console_put, __ATOMIC_RELAXED) -
			      __atomic_load_n(&console_sent, __ATOMIC_RELAXED));
	}
	return info_indexed(what); /* after the plain values: they cost nothing more */
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
 * The table.  An ARGS handler takes the caller and the call's six
 * arguments (RDI, RSI, RDX, R10, R8, R9) in a[], where each capability
 * argument has been replaced by its struct cap *; the IPC calls take the
 * whole frame (FRAME), since they also return a message in it, and look
 * up their endpoint themselves (on the fast path).  Every number below
 * SYS_COUNT has an entry (syscall_dispatch relies on it; a boot test
 * checks it).
 */
struct syscall_cap {
	u8 arg;	   /* which argument */
	u8 type;   /* enum cap_type; CAP_EMPTY: no capability */
	u8 rights; /* each of which it must have */
};

#define SYSCALL_CAPS 2

struct syscall_def {
	union {
		long (*fn)(struct thread *cur, const u64 *a);
		long (*ipc)(struct trap_frame *tf, struct thread *cur);
	};
	u8 args; /* SYSCALL_ARGS or SYSCALL_FRAME */
	struct syscall_cap caps[SYSCALL_CAPS];
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
 * name(cur, a) as the expression; CAP(i) is argument i as the capability
 * the dispatcher found.
 */
#define ADAPT(name, call)                                  \
	static long name(struct thread *cur, const u64 *a) \
	{                                                  \
		(void)cur;                                 \
		(void)a;                                   \
		return call;                               \
	}
#define CAP(i) ((struct cap *)a[i])
ADAPT(call_exit, sys_exit(a[0]))
ADAPT(call_yield, sys_yield())
ADAPT(call_sleep, sys_sleep(a[0]))
ADAPT(call_info, syscall_info(a[0]))
ADAPT(call_debug_write, sys_debug_write(a[0], a[1]))
ADAPT(call_debug_test, sys_debug_test(a[0], a[1], a[2]))
ADAPT(call_donate, sys_kmem_donate(CAP(0), a[1], a[2]))
ADAPT(call_reclaim, sys_kmem_reclaim(CAP(0), a[1], a[2]))
ADAPT(call_counts, sys_kmem_counts(CAP(0), a[1], a[2]))
ADAPT(call_physical_derive, cap_physical_derive(cur, CAP(0), a[1], a[2], a[3], a[4]))
ADAPT(call_as_create, sys_as_create(cur, CAP(0), a[1], a[2], a[3], a[4]))
ADAPT(call_map, sys_map(CAP(0), a[1], CAP(2), a[3], a[4]))
ADAPT(call_unmap, sys_unmap(cur, CAP(0), a[1], a[2]))
ADAPT(call_lookup, sys_lookup(cur, CAP(0), a[1], a[2]))
ADAPT(call_unmap_range, sys_unmap_range(cur, CAP(0), a[1], a[2], a[3]))
ADAPT(call_map_range, sys_map_range(CAP(0), a[1], CAP(2), a[3], a[4], a[5]))
ADAPT(call_supply_table, sys_supply_table(CAP(0), a[1], a[2], CAP(3), a[4]))
ADAPT(call_thread_create, sys_thread_create(cur, CAP(0), a[1], CAP(2), a[3], a[4], a[5]))
ADAPT(call_thread_config, sys_thread_config(cur, CAP(0), a[1], a[2], a[3]))
ADAPT(call_thread_start, sys_thread_start(CAP(0), a[1], a[2], a[3]))
ADAPT(call_endpoint_create, sys_endpoint_create(cur, CAP(0), a[1], a[2]))
ADAPT(call_destroy, sys_destroy(cur, a[0]))
ADAPT(call_cap_info, sys_cap_info(cur, a[0]))
ADAPT(call_cap_copy, sys_cap_copy(cur, a[0], a[1], a[2], a[3], a[4]))
ADAPT(call_cap_delete, sys_cap_delete(cur, a[0], a[1]))
ADAPT(call_cap_landing, sys_cap_landing(cur, a[0], a[1]))
ADAPT(call_notify_create, sys_notify_create(cur, CAP(0), a[1], a[2]))
ADAPT(call_signal, sys_signal(CAP(0)))
ADAPT(call_wait, sys_wait(cur, CAP(0), a[1]))
ADAPT(call_notify_bind, sys_notify_bind(cur, CAP(0), a[1]))
ADAPT(call_range_derive, cap_range_derive(cur, CAP(0), a[1], a[2], a[3]))
ADAPT(call_io_enable, sys_io_enable(CAP(0), CAP(1), a[2], a[3]))
ADAPT(call_irq_bind, sys_irq_bind(cur, CAP(0), a[1], a[2], a[3]))
ADAPT(call_irq_ack, sys_irq_ack(CAP(0), a[1]))
ADAPT(call_irq_status, sys_irq_status(CAP(0), a[1]))
ADAPT(call_map_device, sys_map_device(CAP(0), a[1], CAP(2), a[3], a[4]))

/* An entry: ARGS(handler, capability arguments...) or FRAME(handler). */
#define ARGS(f, ...)                                                     \
	{                                                                \
		.fn = (f), .args = SYSCALL_ARGS, .caps = { __VA_ARGS__ } \
	}
#define FRAME(f)                                  \
	{                                         \
		.ipc = (f), .args = SYSCALL_FRAME \
	}
/* Argument i is a capability of `type` with each of `rights`. */
#define C(i, type, rights)            \
	{                             \
		(i), (type), (rights) \
	}
#define MEM_KMEM(i) C(i, CAP_MEMORY, KEEL_MEM_KMEM)

static const struct syscall_def syscalls[SYS_COUNT] = {
	[SYS_DEBUG_WRITE] = ARGS(call_debug_write),
	[SYS_EXIT] = ARGS(call_exit),
	[SYS_YIELD] = ARGS(call_yield),
	[SYS_INFO] = ARGS(call_info),
	[SYS_DEBUG_TEST] = ARGS(call_debug_test),
	[SYS_SLEEP] = ARGS(call_sleep),
	/* Memory: a memory capability, and offsets in it. */
	[SYS_KMEM_DONATE] = ARGS(call_donate, MEM_KMEM(0)),
	[SYS_KMEM_RECLAIM] = ARGS(call_reclaim, MEM_KMEM(0)),
	[SYS_KMEM_COUNTS] = ARGS(call_counts, MEM_KMEM(0)),
	[SYS_MEM_DERIVE] =
	    ARGS(call_physical_derive, C(0, CAP_MEMORY, 0)), /* rights: the handler */
	/* Objects are made in donated frames; the new capability goes to a slot. */
	[SYS_AS_CREATE] = ARGS(call_as_create, MEM_KMEM(0)),
	[SYS_THREAD_CREATE] =
	    ARGS(call_thread_create, MEM_KMEM(0), C(2, CAP_ASPACE, KEEL_AS_THREAD)),
	[SYS_ENDPOINT_CREATE] = ARGS(call_endpoint_create, MEM_KMEM(0)),
	[SYS_NOTIFY_CREATE] = ARGS(call_notify_create, MEM_KMEM(0)),
	/* Address spaces.  SYS_MAP's memory needs the map rights: the handler. */
	[SYS_MAP] = ARGS(call_map, C(0, CAP_ASPACE, KEEL_AS_MAP), C(2, CAP_MEMORY, 0)),
	[SYS_UNMAP] = ARGS(call_unmap, C(0, CAP_ASPACE, KEEL_AS_MAP)), /* mem may be none */
	[SYS_LOOKUP] = ARGS(call_lookup, C(0, CAP_ASPACE, KEEL_AS_MAP)),
	[SYS_UNMAP_RANGE] =
	    ARGS(call_unmap_range, C(0, CAP_ASPACE, KEEL_AS_MAP)), /* mem: none ok */
	[SYS_MAP_RANGE] = ARGS(call_map_range, C(0, CAP_ASPACE, KEEL_AS_MAP), C(2, CAP_MEMORY, 0)),
	[SYS_SUPPLY_TABLE] = ARGS(call_supply_table, C(0, CAP_ASPACE, KEEL_AS_MAP), MEM_KMEM(3)),
	/* Threads.  The pager endpoint may be none: the handler. */
	[SYS_THREAD_CONFIG] = ARGS(call_thread_config, C(0, CAP_THREAD, KEEL_TH_CONFIG)),
	[SYS_THREAD_START] = ARGS(call_thread_start, C(0, CAP_THREAD, KEEL_TH_START)),
	/* Notifications.  The one to bind may be none: the handler. */
	[SYS_SIGNAL] = ARGS(call_signal, C(0, CAP_NOTIFY, KEEL_NT_SIGNAL)),
	[SYS_WAIT] = ARGS(call_wait, C(0, CAP_NOTIFY, KEEL_NT_WAIT)),
	[SYS_NOTIFY_BIND] = ARGS(call_notify_bind, C(0, CAP_THREAD, KEEL_TH_CONFIG)),
	/* I/O ports (x86: kernel/arch/x86_64/ioport.c). */
	[SYS_IO_DERIVE] = ARGS(call_range_derive, C(0, CAP_IOPORT, 0)),
	[SYS_IO_ENABLE] =
	    ARGS(call_io_enable, C(0, CAP_IOPORT, KEEL_IO_USE), C(1, CAP_ASPACE, KEEL_AS_MAP)),
	/* Interrupt lines (kernel/object/irq.c).  The notification may be none: the handler. */
	[SYS_IRQ_DERIVE] = ARGS(call_range_derive, C(0, CAP_IRQ, 0)),
	[SYS_IRQ_BIND] = ARGS(call_irq_bind, C(0, CAP_IRQ, KEEL_IRQ_BIND)),
	[SYS_IRQ_ACK] = ARGS(call_irq_ack, C(0, CAP_IRQ, KEEL_IRQ_BIND)),
	[SYS_IRQ_STATUS] = ARGS(call_irq_status, C(0, CAP_IRQ, 0)),
	/* Device memory.  The map's W right on dev: the handler. */
	[SYS_DEVICE_DERIVE] = ARGS(call_physical_derive, C(0, CAP_DEVICE, 0)),
	[SYS_MAP_DEVICE] =
	    ARGS(call_map_device, C(0, CAP_ASPACE, KEEL_AS_MAP), C(2, CAP_DEVICE, KEEL_DEV_R)),
	/* Any type: the handlers look the slots up (keel/cap.h). */
	[SYS_DESTROY] = ARGS(call_destroy),
	[SYS_CAP_INFO] = ARGS(call_cap_info),
	[SYS_CAP_COPY] = ARGS(call_cap_copy),
	[SYS_CAP_DELETE] = ARGS(call_cap_delete),
	[SYS_CAP_LANDING] = ARGS(call_cap_landing),
	/* IPC: an endpoint with SEND or RECV, found by the handler. */
	[SYS_SEND] = FRAME(call_send),
	[SYS_RECV] = FRAME(sys_recv),
	[SYS_CALL] = FRAME(call_call),
	[SYS_REPLY_RECV] = FRAME(sys_reply_recv),
};

static inline long syscall_dispatch(struct trap_frame *tf, struct thread *cur)
{
	if (tf->rax >= SYS_COUNT)
		return -KEEL_ENOSYS;
	const struct syscall_def *d = &syscalls[tf->rax];
	if (d->args == SYSCALL_FRAME)
		return d->ipc(tf, cur);
	u64 a[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	for (int i = 0; i < SYSCALL_CAPS && d->caps[i].type; i++) {
		const struct syscall_cap *sc = &d->caps[i];
		struct cap *c;
		long r = cap_find(cur->as->caps, a[sc->arg], sc->type, sc->rights, &c);
		if (r)
			return r;
		a[sc->arg] = (u64)c;
	}
	return d->fn(cur, a);
}

/* The registers the way out restores: the running thread's (arch/percpu.h's frame_end). */
static inline const struct trap_frame *running_frame(void)
{
	return (const struct trap_frame *)this_cpu()->frame_end - 1;
}

/*
 * The C half of the system-call entry (kernel/arch/x86_64/syscall.S),
 * under the big kernel lock: the call, then the scheduler picks who
 * returns to user mode.  syscall_handle takes the lock; the IPC fast path
 * (kernel/core/fastpath.c) falls back to syscall_locked with the lock
 * held.  Returns 0 if the exit may use SYSRET, else 1.
 */
long syscall_locked(struct trap_frame *tf)
{
	struct thread *cur = sched_current();

	/*
	 * A device's interrupt that came meanwhile first (keel/irq.h), while
	 * the caller still runs: so a wake it brings never meets a caller
	 * that has just blocked (which would be woken before it left).
	 */
	if (__builtin_expect(irq_waiting(), 0))
		irq_deliver();
	/* A thread stopped by another CPU (destroyed) does not get its call. */
	if (cur->state == T_RUNNING)
		tf->rax = (u64)syscall_dispatch(
		    tf, cur); /* one that blocked: its waker writes it again */
	sched_return();
	/* Whoever runs now leaves from its own save area (a switch copies nothing). */
	return !syscall_can_sysret(running_frame());
}

long syscall_handle(struct trap_frame *tf)
{
	bkl_lock();
	return syscall_locked(tf);
}

bool syscall_table_complete(void)
{
	for (unsigned n = 0; n < SYS_COUNT; n++)
		if (!syscalls[n].fn)
			return false;
	/* And every capability argument names a type and a register. */
	for (unsigned n = 0; n < SYS_COUNT; n++)
		for (int i = 0; i < SYSCALL_CAPS; i++)
			if (syscalls[n].caps[i].type >= CAP_TYPES || syscalls[n].caps[i].arg > 5)
				return false;
	return true;
}
