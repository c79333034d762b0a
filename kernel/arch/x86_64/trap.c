/*
 * trap.c - what happens on a CPU exception.
 *
 * A kernel fault at an instruction listed in __extable resumes at its
 * fixup.  Anything else is a broken kernel invariant: print the vector, the
 * error code, CR2, the registers and a symbolized backtrace, then stop.
 */
#include <arch/percpu.h>
#include <arch/platform.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <arch/vectors.h>
#include <arch/x86.h>
#include <keel/console.h>
#include <keel/irq.h>
#include <keel/ksyms.h>
#include <keel/panic.h>
#include <keel/sched_inline.h>
#include <keel/thread.h>

extern const struct extable_entry __extable_start[], __extable_end[];
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];
extern char df_stack_guard[], df_stack_bottom[], df_stack_top[];

struct trap_fault_record trap_last_fixup;

static const char *const trap_names[TRAP_EXCEPTIONS] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point error",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

/* The image's own stacks, used until the boot CPU moves to its slot. */
static const struct {
	const char *name;
	char *guard, *bottom, *top;
} image_stacks[] = {
	{ "boot stack", boot_stack_guard, boot_stack_bottom, boot_stack_top },
	{ "boot double-fault stack", df_stack_guard, df_stack_bottom, df_stack_top },
};

bool arch_stack_find(u64 addr, bool include_guard, struct stack_region *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(image_stacks); i++) {
		u64 lo = (u64)(include_guard ? image_stacks[i].guard : image_stacks[i].bottom);
		if (addr >= lo && addr < (u64)image_stacks[i].top) {
			*out = (struct stack_region){ image_stacks[i].name, -1,
						      (u64)image_stacks[i].guard,
						      (u64)image_stacks[i].bottom,
						      (u64)image_stacks[i].top };
			return true;
		}
	}
	if (addr < PERCPU_BASE || addr >= PERCPU_END)
		return false;
	u64 n = (addr - PERCPU_BASE) / PERCPU_SLOT_SIZE;
	if (n >= percpu_count)
		return false;
	for (size_t i = 1; i < PERCPU_PARTS; i++) { /* the stacks, not the data */
		u64 bottom = PERCPU_SLOT(n) + percpu_parts[i].off, guard = bottom - PAGE_SIZE;
		u64 top = bottom + percpu_parts[i].size;
		if (addr >= (include_guard ? guard : bottom) && addr < top) {
			*out = (struct stack_region){ percpu_parts[i].name, (int)n, guard, bottom,
						      top };
			return true;
		}
	}
	return false;
}

static const struct extable_entry *extable_find(u64 rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == rip)
			return e;
	return NULL;
}

/*
 * Print addr with its function.  A return address is looked up one byte
 * earlier: after a call to a function that never returns it may already
 * point past the end of the calling function.
 */
static void print_symbol(const char *prefix, u64 addr, bool is_return)
{
	const char *name;
	u64 off, back = is_return ? 1 : 0;

	if (ksyms_lookup(addr - back, &name, &off))
		kprintf("%s0x%016lx %s+0x%lx\n", prefix, addr, name, off + back);
	else
		kprintf("%s0x%016lx ?\n", prefix, addr);
}

void arch_backtrace(u64 rip, u64 rbp, bool rip_is_return)
{
	u64 last = 0, repeats = 0;
	int printed = 1;

	kprintf("[panic] backtrace:\n");
	print_symbol("[panic]   #0  ", rip, rip_is_return);
	/* Bounded: a corrupt chain must not keep the panic going forever. */
	for (int steps = 0; steps < 4096 && printed < 32; steps++) {
		/* Follow the RBP chain only while it stays on a known stack. */
		struct stack_region a, b;
		if (rbp == 0 || (rbp & 7) || !arch_stack_find(rbp, false, &a) ||
		    !arch_stack_find(rbp + 15, false, &b) || a.bottom != b.bottom)
			break;
		u64 ret = ((u64 *)rbp)[1];
		u64 next = ((u64 *)rbp)[0];
		if (ret == 0)
			break;
		if (ret == last) {
			repeats++; /* deep recursion: one line, with a count */
		} else {
			if (repeats)
				kprintf("[panic]       ... the frame above %lu more times\n",
					repeats);
			repeats = 0;
			char prefix[24];
			fmt_snprintf(prefix, sizeof(prefix), "[panic]   #%-2d ", printed++);
			print_symbol(prefix, ret, true);
			last = ret;
		}
		if (next <= rbp)
			break; /* stacks grow down: a caller's frame is higher */
		rbp = next;
	}
	if (repeats)
		kprintf("[panic]       ... the frame above %lu more times\n", repeats);
}

static void print_page_fault(u64 error, u64 cr2)
{
	kprintf("[panic] page fault at 0x%016lx: %s %s, %s mode%s\n", cr2,
		error & PF_PRESENT ? "protection violation on" : "no page for",
		error & PF_FETCH   ? "instruction fetch"
		: error & PF_WRITE ? "write"
				   : "read",
		error & PF_USER ? "user" : "kernel", error & PF_RSVD ? ", reserved bit set" : "");
}

static void print_registers(const struct trap_frame *tf)
{
	kprintf("[panic] rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", tf->rax, tf->rbx, tf->rcx,
		tf->rdx);
	kprintf("[panic] rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", tf->rsi, tf->rdi, tf->rbp,
		tf->rsp);
	kprintf("[panic] r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", tf->r8, tf->r9, tf->r10,
		tf->r11);
	kprintf("[panic] r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", tf->r12, tf->r13, tf->r14,
		tf->r15);
	kprintf("[panic] rip=%016lx cs=%04lx ss=%04lx rflags=%016lx\n", tf->rip, tf->cs, tf->ss,
		tf->rflags);
	kprintf("[panic] cr0=%016lx cr3=%016lx cr4=%016lx\n", read_cr0(), read_cr3(), read_cr4());
}

/*
 * An interrupt or exception from user mode, under the big kernel lock: the
 * timer may end the turn; a CPU exception becomes a message to the
 * thread's pager (kernel/core/ipc.c).  Then sched_return picks who goes
 * back to user mode.  An interrupt is acknowledged before the lock is
 * taken, so that a CPU waiting for the lock still takes IPIs.  The lock
 * is taken without bkl_lock's owner check: coming from user mode, this
 * CPU cannot hold it (as on the IPC fast path).
 */
static void trap_from_user(struct trap_frame *tf, u64 cr2)
{
	bool irq = tf->vector >= TRAP_EXCEPTIONS;
	struct percpu *pc = this_cpu();

	if (irq)
		irq_handle(tf);
	bkl_take(pc->cpu);
	if (irq)
		smp_poll(pc->cpu);
	if (__builtin_expect(irq_waiting(), 0))
		irq_deliver(); /* before anything blocks (see syscall_locked) */
	struct thread *cur = pc->sched.current;
	/* A tick needs nothing more: sched_return looks at the turn and sleepers. */
	if (!irq && cur->state == T_RUNNING)
		ipc_fault(cur, tf, tf->vector == TRAP_PAGE_FAULT ? cr2 : 0);
	sched_return();
}

void trap_handle(struct trap_frame *tf)
{
	u64 cr2 = read_cr2();

	if (tf->vector == TRAP_NMI && nmi_handle(tf))
		return;
	/*
	 * A fault in user mode is the thread's, not the kernel's; but NMI, a
	 * double fault and a machine check are not the program's doing.
	 */
	if ((tf->cs & 3) && tf->vector != TRAP_NMI && tf->vector != TRAP_MACHINE_CHECK &&
	    tf->vector != TRAP_DOUBLE_FAULT) {
		trap_from_user(tf, cr2);
		return;
	}
	if (tf->vector >= TRAP_EXCEPTIONS) {
		irq_handle(tf);
		return;
	}
	if (tf->vector == TRAP_PAGE_FAULT && (tf->cs & 3) == 0) {
		const struct extable_entry *fix = extable_find(tf->rip);
		if (fix) {
			trap_last_fixup =
			    (struct trap_fault_record){ tf->vector, tf->error, cr2, tf->rip };
			tf->rip = fix->fixup;
			return;
		}
	}

	panic_begin();
	const char *name = tf->vector < TRAP_EXCEPTIONS && trap_names[tf->vector]
			       ? trap_names[tf->vector]
			       : "reserved vector";
	kprintf("[panic] CPU exception %lu (%s), error code 0x%lx, in %s mode\n", tf->vector, name,
		tf->error, (tf->cs & 3) ? "user" : "kernel");
	print_symbol("[panic] at ", tf->rip, false);
	if (tf->vector == TRAP_PAGE_FAULT)
		print_page_fault(tf->error, cr2);
	else
		kprintf("[panic] cr2=0x%016lx\n", cr2);

	/* A fault on a guard page is a stack overflow: say whose stack. */
	struct stack_region s;
	if ((tf->vector == TRAP_PAGE_FAULT || tf->vector == TRAP_DOUBLE_FAULT) &&
	    arch_stack_find(cr2, true, &s) && cr2 < s.bottom) {
		if (s.cpu >= 0)
			kprintf("[panic] kernel stack overflow: 0x%lx is in the guard page below "
				"the %s of cpu %d\n",
				cr2, s.name, s.cpu);
		else
			kprintf("[panic] kernel stack overflow: 0x%lx is in the guard page below "
				"the %s\n",
				cr2, s.name);
	}
	print_registers(tf);
	panic_end(tf->rip, tf->rbp, false);
}
