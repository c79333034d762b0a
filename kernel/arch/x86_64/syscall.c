/*
 * syscall.c - the SYSCALL instruction's side of system calls: the MSRs,
 * the C half of the entry (syscall.S), and copies to and from user
 * memory.  What each call does, and needs, is kernel/core/syscall.c.
 */
#include <abi/syscall.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <keel/syscall.h>
#include <keel/thread.h>

#define MSR_STAR  0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084

extern char syscall_entry[];
extern u8 smap_enabled;
long usercopy(void *dst, const void *src, u64 n);

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
