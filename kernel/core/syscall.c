/*
 * syscall.c - the system-call table and the generic calls (debug output,
 * tests, information, sleep, exit).
 *
 Each call runs in two halves (keel/decode.h): syscall_decode
 * (kernel/core/decode.c) looks up every capability the call names in the
 * caller's capability space (keel/cap.h: EINVAL, ENOENT, EBADOBJ, EPERM,
 * EDEAD) and checks every argument it can without the kernel's state;
 * then the handler in `syscalls` gets the decoded call, with
 * capabilities, not slots, so no handler can forget a check, and none
 * ever sees an address where an object is meant.  Each handler checks
 * what depends on the state before it changes anything.  The architecture's entry
 * (kernel/arch/x86_64/syscall.S) saves the registers and calls
 * syscall_handle, which takes the big kernel lock, dispatches, and
 * returns through the scheduler; SYS_CALL and SYS_REPLY_RECV try the IPC
 * fast path first (kernel/core/fastpath.c).
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <keel/boot.h>
#include <keel/cap.h>
#include <keel/console.h>
#include <keel/decode.h>
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
 * SYS_DEBUG_WRITE(buf, len), decoded (len at most SYS_DEBUG_WRITE_MAX,
 * the range user addresses): queue user text for the console, a chunk at
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

/* SYS_DEBUG_TEST(name, result, why), decoded (a test boot, a result): a TAP line. */
static long sys_debug_test(u64 name, u64 result, u64 why)
{
	char n[KEEL_TEST_NAME_MAX], w[KEEL_TEST_NAME_MAX];
	long r;

	if ((r = string_from_user(n, name, sizeof(n))))
		return r;
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

/*
 * The table of apply halves.  syscall_decode (kernel/core/decode.c) has
 * looked up the capabilities and checked the arguments: an ARGS handler
 * takes the caller and the decoded call.  The IPC calls take the whole
 * frame (FRAME), since they also return a message in it; they decode
 * their endpoint and tag themselves (decode_tag), as the fast path does
 * its own.  Every number below SYS_COUNT has an entry (syscall_dispatch
 * relies on it; a boot test checks it).
 */
struct syscall_def {
	union {
		long (*fn)(struct thread *cur, const struct sysreq *rq);
		long (*ipc)(struct trap_frame *tf, struct thread *cur);
	};
	bool frame; /* an IPC call: ipc */
};

/* The two calls that share sys_send. */
static long call_send(struct trap_frame *tf, struct thread *cur)
{
	return sys_send(tf, cur, SEND_PLAIN);
}
static long call_call(struct trap_frame *tf, struct thread *cur)
{
	return sys_send(tf, cur, SEND_CALL);
}

/* The generic calls, made to fit the table. */
static long call_exit(struct thread *cur, const struct sysreq *rq)
{
	thread_exit(cur, (i64)rq->a[0]);
	return 0;
}
static long call_yield(struct thread *cur, const struct sysreq *rq)
{
	sched_yield();
	return 0;
}
static long call_sleep(struct thread *cur, const struct sysreq *rq)
{
	return sys_sleep(rq->a[0]);
}
static long call_info(struct thread *cur, const struct sysreq *rq)
{
	return syscall_info(rq->a[0]);
}
static long call_debug_write(struct thread *cur, const struct sysreq *rq)
{
	return sys_debug_write(rq->a[0], rq->a[1]);
}
static long call_debug_test(struct thread *cur, const struct sysreq *rq)
{
	return sys_debug_test(rq->a[0], rq->a[1], rq->a[2]);
}

#define ARGS(f)           \
	{                 \
		.fn = (f) \
	}
#define FRAME(f)                          \
	{                                 \
		.ipc = (f), .frame = true \
	}

static const struct syscall_def syscalls[SYS_COUNT] = {
	[SYS_DEBUG_WRITE] = ARGS(call_debug_write),
	[SYS_EXIT] = ARGS(call_exit),
	[SYS_YIELD] = ARGS(call_yield),
	[SYS_INFO] = ARGS(call_info),
	[SYS_DEBUG_TEST] = ARGS(call_debug_test),
	[SYS_SLEEP] = ARGS(call_sleep),
	[SYS_KMEM_DONATE] = ARGS(sys_kmem_donate),
	[SYS_KMEM_RECLAIM] = ARGS(sys_kmem_reclaim),
	[SYS_KMEM_COUNTS] = ARGS(sys_kmem_counts),
	[SYS_MEM_DERIVE] = ARGS(cap_physical_derive),
	[SYS_AS_CREATE] = ARGS(sys_as_create),
	[SYS_THREAD_CREATE] = ARGS(sys_thread_create),
	[SYS_ENDPOINT_CREATE] = ARGS(sys_endpoint_create),
	[SYS_NOTIFY_CREATE] = ARGS(sys_notify_create),
	[SYS_MAP] = ARGS(sys_map),
	[SYS_UNMAP] = ARGS(sys_unmap),
	[SYS_LOOKUP] = ARGS(sys_lookup),
	[SYS_UNMAP_RANGE] = ARGS(sys_unmap_range),
	[SYS_MAP_RANGE] = ARGS(sys_map_range),
	[SYS_SUPPLY_TABLE] = ARGS(sys_supply_table),
	[SYS_THREAD_CONFIG] = ARGS(sys_thread_config),
	[SYS_THREAD_START] = ARGS(sys_thread_start),
	[SYS_SIGNAL] = ARGS(sys_signal),
	[SYS_WAIT] = ARGS(sys_wait),
	[SYS_NOTIFY_BIND] = ARGS(sys_notify_bind),
	[SYS_IO_DERIVE] = ARGS(cap_range_derive),
	[SYS_IO_ENABLE] = ARGS(sys_io_enable),
	[SYS_IRQ_DERIVE] = ARGS(cap_range_derive),
	[SYS_IRQ_BIND] = ARGS(sys_irq_bind),
	[SYS_IRQ_ACK] = ARGS(sys_irq_ack),
	[SYS_IRQ_STATUS] = ARGS(sys_irq_status),
	[SYS_DEVICE_DERIVE] = ARGS(cap_physical_derive),
	[SYS_MAP_DEVICE] = ARGS(sys_map_device),
	[SYS_DESTROY] = ARGS(sys_destroy),
	[SYS_CAP_INFO] = ARGS(sys_cap_info),
	[SYS_CAP_COPY] = ARGS(sys_cap_copy),
	[SYS_CAP_DELETE] = ARGS(sys_cap_delete),
	[SYS_CAP_LANDING] = ARGS(sys_cap_landing),
	[SYS_SEND] = FRAME(call_send),
	[SYS_RECV] = FRAME(sys_recv),
	[SYS_CALL] = FRAME(call_call),
	[SYS_REPLY_RECV] = FRAME(sys_reply_recv),
};

static struct cap *space_caps(const struct cap *as)
{
	return ((struct aspace *)cap_obj(as))->caps;
}

/* What the decoders may read here: fixed once the CPUs are counted (syscall_decode_init). */
struct decode_env decode_here;

void syscall_decode_init(void)
{
	decode_here = (struct decode_env){ .cpus = percpu_count,
					   .huge_pages = cpu_has.pdpe1gb,
					   .test_boot = boot.test_mode,
					   .space_caps = space_caps };
}

/* Decode, then apply. */
static inline long syscall_dispatch(struct trap_frame *tf, struct thread *cur)
{
	if (tf->rax >= SYS_COUNT)
		return -KEEL_ENOSYS;
	const struct syscall_def *d = &syscalls[tf->rax];
	if (d->frame)
		return d->ipc(tf, cur);
	struct sysreq rq; /* only what the call uses is written (keel/decode.h) */
	rq.nr = tf->rax;
	rq.a[0] = tf->rdi;
	rq.a[1] = tf->rsi;
	rq.a[2] = tf->rdx;
	rq.a[3] = tf->r10;
	rq.a[4] = tf->r8;
	rq.a[5] = tf->r9;
	long r = syscall_decode(&rq, cur->as->caps, &decode_here);
	return r ? r : d->fn(cur, &rq);
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
	return syscall_decoders_complete();
}
