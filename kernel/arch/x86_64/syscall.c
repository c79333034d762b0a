/*
 * syscall.c - system-call dispatch, and the checks on user pointers.
 * Every handler checks all of its arguments before it changes anything,
 * and a bad argument is an error code, never a panic.
 */
#include <abi/syscall.h>
#include <arch/aspace.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <keel/boot.h>
#include <keel/console.h>
#include <keel/kmem.h>
#include <keel/ktest.h>
#include <keel/thread.h>

#define MSR_STAR  0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084

extern char syscall_entry[];
extern u8 smap_enabled;
long usercopy(void *dst, const void *src, u64 n);
long syscall_handle(struct trap_frame *tf);

void syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	/* SYSCALL: CS = KCODE, SS = KCODE + 8; SYSRET: CS = UCODE32 + 16, SS = + 8. */
	wrmsr(MSR_STAR, ((u64)(GDT_UCODE32 | 3) << 48) | ((u64)GDT_KCODE << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	/*
	 * Off on entry: interrupts, direction, trap, alignment check, and
	 * nested task, which user code can set with POPF and which would make
	 * the IRETQ exit fault in ring 0 with the user's GS loaded.
	 */
	wrmsr(MSR_FMASK,
	      X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_TF | X86_EFLAGS_AC | X86_EFLAGS_NT);
}

bool user_range_ok(u64 addr, u64 len)
{
	u64 end = USER_END - PAGE_SIZE; /* the last user page is never mapped */
	return len <= end && addr <= end - len;
}

long copy_from_user(void *dst, u64 usrc, u64 len)
{
	if (!user_range_ok(usrc, len))
		return -KEEL_EFAULT;
	return usercopy(dst, (const void *)usrc, len) ? -KEEL_EFAULT : 0;
}

long copy_to_user(u64 udst, const void *src, u64 len)
{
	if (!user_range_ok(udst, len))
		return -KEEL_EFAULT;
	return usercopy((void *)udst, src, len) ? -KEEL_EFAULT : 0;
}

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

/* The calls that need the memory authority. */
static bool needs_authority(u64 n)
{
	return (n >= SYS_KMEM_DONATE && n <= SYS_AS_SET_ENDPOINT) || n == SYS_LOOKUP;
}

static long dispatch(struct trap_frame *tf, struct thread *cur)
{
	u64 a0 = tf->rdi, a1 = tf->rsi, a2 = tf->rdx, a3 = tf->r10;

	if (needs_authority(tf->rax) && !cur->authority)
		return -KEEL_EPERM;
	switch (tf->rax) {
	case SYS_DEBUG_WRITE:
		return sys_debug_write(a0, a1);
	case SYS_EXIT:
		thread_exit(cur, (i64)a0);
		return 0;
	case SYS_YIELD:
		this_cpu()->need_resched = true;
		return 0;
	case SYS_SLEEP:
		return sys_sleep(a0);
	case SYS_INFO:
		return sys_info(a0);
	case SYS_KMEM_DONATE:
		return kmem_donate(a0, a1);
	case SYS_KMEM_RECLAIM:
		return kmem_reclaim(a0, a1);
	case SYS_KMEM_COUNTS:
		return kmem_supply_counts(a0, a1);
	case SYS_AS_CREATE:
		return sys_as_create(a0, a1);
	case SYS_MAP:
		return sys_map(a0, a1, a2, a3);
	case SYS_UNMAP:
		return sys_unmap(a0, a1);
	case SYS_LOOKUP:
		return sys_lookup(a0, a1);
	case SYS_SUPPLY_TABLE:
		return sys_supply_table(a0, a1, a2, a3);
	case SYS_THREAD_CREATE:
		return sys_thread_create(a0, a1, a2, a3);
	case SYS_THREAD_CONFIG:
		return sys_thread_config(a0, a1, a2, a3);
	case SYS_THREAD_START:
		return sys_thread_start(a0, a1, a2, a3);
	case SYS_ENDPOINT_CREATE:
		return sys_endpoint_create(a0);
	case SYS_DESTROY:
		return sys_destroy(a0);
	case SYS_GRANT:
		return sys_grant(a0);
	case SYS_AS_SET_ENDPOINT:
		return sys_as_set_endpoint(a0, a1, a2, a3);
	case SYS_SEND:
		return sys_send(tf, SEND_PLAIN);
	case SYS_CALL:
		return sys_send(tf, SEND_CALL);
	case SYS_RECV:
		return sys_recv(tf);
	case SYS_REPLY_RECV:
		return sys_reply_recv(tf);
	case SYS_DEBUG_TEST:
		return sys_debug_test(a0, a1, a2);
	}
	return -KEEL_ENOSYS;
}

/*
 * The C side of the syscall entry, under the big kernel lock.  Returns 0
 * if the exit may use SYSRET: RCX and R11 of the frame are its RIP and
 * RFLAGS (SYSRET loads them from there), which is false when another
 * thread's registers were loaded, and RIP is below the last user page
 * (SYSRET to a non-canonical RIP faults in ring 0).  Else 1, for IRETQ.
 */
long syscall_handle(struct trap_frame *tf)
{
	struct percpu *pc = this_cpu();

	bkl_lock();
	pc->tf = tf;
	struct thread *cur = pc->current;
	/* A thread stopped by another CPU (destroyed) does not get its call. */
	if (cur->state == T_RUNNING) {
		long r = dispatch(tf, cur);
		if (cur->state == T_RUNNING || cur->state == T_DEAD)
			tf->rax = (u64)r; /* a blocked thread gets its result when woken */
		else
			cur->regs.rax = (u64)r; /* unused: the waker writes rax */
	}
	sched_return(tf);
	return !(tf->rcx == tf->rip && tf->r11 == tf->rflags && tf->rip < KEEL_USER_TOP);
}
