/*
 * trap.h - CPU exceptions (kernel/arch/x86_64/trap.c, trap.S, idt.c).
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#define TRAP_PAGE_FAULT	   14
#define TRAP_DOUBLE_FAULT  8
#define TRAP_EXCEPTIONS	   32
#define TRAP_NMI	   2
#define TRAP_MACHINE_CHECK 18
#define TRAP_VECTORS	   256
#define TRAP_SYSCALL	   0x100 /* the "vector" of a syscall frame */

/* Page-fault error code bits (SDM vol. 3, 4.7). */
#define PF_PRESENT	   (1 << 0)
#define PF_WRITE	   (1 << 1)
#define PF_USER		   (1 << 2)
#define PF_RSVD		   (1 << 3)
#define PF_FETCH	   (1 << 4)

/* Byte offsets in struct trap_frame, for trap.S. */
#define TF_VECTOR	   120
#define TF_SIZE		   176

#ifndef __ASSEMBLER__
#include <keel/types.h>

/* What trap.S saves: registers, then vector and error code, then the CPU's frame. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "trap.S");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap.S");

void idt_init(void);
void idt_load(void); /* on each further CPU */
void trap_handle(struct trap_frame *tf);

/*
 * Print a symbolized backtrace: rip (a return address if rip_is_return),
 * then the return addresses along the RBP chain.
 */
void arch_backtrace(u64 rip, u64 rbp, bool rip_is_return);

/*
 * Exception fixups: a faulting kernel instruction listed in the
 * __extable section resumes at its fixup address instead of panicking.
 * Only the probe functions below use it (and, later, the user-copy
 * helpers).  The last fixed-up fault is recorded for tests.
 */
struct extable_entry {
	u64 insn, fixup;
};

struct trap_fault_record {
	u64 vector, error, cr2, rip;
};
extern struct trap_fault_record trap_last_fixup;

/* Read or write one byte at addr; 0 on success, -1 if it faulted. */
int probe_read8(const volatile void *addr, u8 *out);
int probe_write8(volatile void *addr, u8 val);

/* The stacks the kernel runs on, for backtraces and overflow reports. */
struct stack_region {
	const char *name;
	int cpu;		/* owner, or -1 for the image's boot stacks */
	u64 guard, bottom, top; /* guard page at [guard, bottom) */
};
/* The stack holding addr (its guard page too if include_guard). */
bool arch_stack_find(u64 addr, bool include_guard, struct stack_region *out);
#endif

#endif
