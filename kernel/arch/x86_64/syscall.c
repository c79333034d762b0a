/*
 * syscall.c - system-call dispatch, and the checks on user pointers.
 * Every handler checks all of its arguments before it changes anything,
 * and a bad argument is an error code, never a panic.
 */
#include <abi/syscall.h>
#include <arch/gdt.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <keel/console.h>

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

/* SYS_DEBUG_WRITE(buf, len): print user text, a chunk at a time. */
static long sys_debug_write(u64 buf, u64 len)
{
	char chunk[128];

	if (len > SYS_DEBUG_WRITE_MAX)
		return -KEEL_EINVAL;
	if (!user_range_ok(buf, len))
		return -KEEL_EFAULT;
	for (u64 done = 0; done < len;) {
		u64 n = MIN(len - done, sizeof(chunk) - 1);
		if (copy_from_user(chunk, buf + done, n))
			return -KEEL_EFAULT;
		chunk[n] = '\0';
		kprintf("%s", chunk);
		done += n;
	}
	return (long)len;
}

/*
 * Returns 0 if the exit may use SYSRET, 1 for IRETQ (a RIP that SYSRET
 * cannot return to safely).
 */
long syscall_handle(struct trap_frame *tf)
{
	long r;

	switch (tf->rax) {
	case SYS_DEBUG_WRITE:
		r = sys_debug_write(tf->rdi, tf->rsi);
		break;
	case SYS_EXIT:
		user_exit((long)tf->rdi);
	default:
		r = -KEEL_ENOSYS;
		break;
	}
	tf->rax = (u64)r;
	return tf->rip >= USER_END - PAGE_SIZE;
}
