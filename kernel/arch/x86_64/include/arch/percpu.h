/*
 * percpu.h - each CPU's own data, in its slot of the per-CPU region
 * (kernel/arch/x86_64/percpu.c; the slot's layout is in layout.h).
 *
 * GS base points to the CPU's struct percpu, whose first word points to
 * itself, so this_cpu() is one load through %gs and never asks the APIC
 * who we are.  KERNEL_GS_BASE holds the user value; trap and syscall
 * entry from user mode swap the two with swapgs.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <arch/gdt.h>
#include <keel/layout.h>

/* Offsets used by assembly (checked below). */
#define PERCPU_SELF	  0
#define PERCPU_KSTACK_TOP 16
#define PERCPU_USER_RSP	  24
#define PERCPU_FRAME_END  32

#ifndef __ASSEMBLER__
#include <arch/ioport.h>
#include <keel/sched.h>
#include <keel/types.h>

struct vspace;

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

/* What another CPU asked this one to run (ipi_call). */
struct percpu_call {
	void (*fn)(void *arg);
	void *arg;
	volatile u32 pending; /* set by the caller, cleared when fn returned */
};

enum cpu_state {
	CPU_ABSENT = 0, /* no slot */
	CPU_STARTING,	/* slot ready, start-up IPIs sent */
	CPU_ALIVE,	/* running kernel code, setting itself up */
	CPU_ONLINE,	/* up: takes interrupts and IPIs */
	CPU_FAILED,	/* given up at start-up: skipped, and stopped with INIT */
	CPU_STOPPED,	/* halted by a panic elsewhere */
};

struct percpu {
	struct percpu *self; /* %gs:0 */
	u32 cpu;	     /* index, 0 = the boot CPU */
	u32 apic_id;
	u64 kstack_top; /* %gs:16, for syscall entry */
	u64 user_rsp;	/* %gs:24, scratch for syscall entry */
	/*
	 * %gs:32: just past the running thread's saved registers (struct
	 * thread's regs; the kernel stack's top when none runs).  The entries
	 * save a user thread's registers there, and leave from there: no
	 * copy in or out on a switch.  TSS RSP0 holds the same.
	 */
	u64 frame_end;
	struct sched_cpu sched; /* the scheduler's (kernel/core/sched.c), never read here */
	/* User address space (arch/x86_64/vspace.c). */
	struct vspace *cur_vs; /* whose tables CR3 holds; NULL: the kernel's */
	u32 pcid_gen, pcid_next;
	volatile u32 state;	 /* enum cpu_state */
	volatile u64 ticks;	 /* timer interrupts taken */
	volatile u64 idle_ticks; /* ... that found it idle (KEEL_INFO_CPU_IDLE) */
	volatile u64 ipis;	 /* IPIs taken (any kind) */
	volatile u64 wakeups;
	volatile u32 tlb_pending; /* a shoot-down asked of this CPU, not yet done */
	struct percpu_call call;
	/* Where the stop NMI found it (a panic's report of another CPU: smp_backtrace). */
	u64 stop_rip, stop_rbp;
	volatile u32 stop_saved;
	/*
	 * Start-up (smp.c): the AP advances boot_stage (enum ap_stage) as it
	 * sets itself up; the boot CPU sets boot_turn to let it go online.
	 * stall_beats counts the turns of the `smp-stall-cpu` test's loop.
	 */
	volatile u32 boot_stage, boot_turn;
	volatile u64 stall_beats;
	/* The ports open in iopb (arch/ioport.h): whose, and a copy of the ranges. */
	u64 io_id;
	u32 io_nopen;
	struct ioport_range io_open[KEEL_IO_RANGES];
	u64 gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
	/* The I/O permission bitmap: right after the TSS, inside its limit (gdt.c). */
	u8 iopb[IOPORT_BITMAP_BYTES];
};
_Static_assert(__builtin_offsetof(struct percpu, iopb) ==
		   __builtin_offsetof(struct percpu, tss) + sizeof(struct tss),
	       "the I/O bitmap follows the TSS");
_Static_assert(__builtin_offsetof(struct percpu, self) == PERCPU_SELF, "asm offsets");
_Static_assert(__builtin_offsetof(struct percpu, kstack_top) == PERCPU_KSTACK_TOP, "asm");
_Static_assert(__builtin_offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "asm");
_Static_assert(__builtin_offsetof(struct percpu, frame_end) == PERCPU_FRAME_END, "asm");
_Static_assert(sizeof(struct percpu) <= PERCPU_DATA_SIZE, "struct percpu fits its pages");

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* The struct percpu of CPU n (its slot must be mapped). */
static inline struct percpu *percpu_of(u32 n)
{
	return (struct percpu *)PERCPU_SLOT((u64)n);
}

/* Top of one of CPU n's stacks (offset PERCPU_*_STACK_OFF). */
static inline u64 percpu_stack_top(u32 n, u64 area_off, u64 size)
{
	return PERCPU_SLOT((u64)n) + area_off + PAGE_SIZE + size;
}

/*
 * The mapped parts of every slot, from layout.h: the data, then the four
 * stacks, each of which has an unmapped guard page just below `off`.
 */
struct percpu_part {
	const char *name;
	u64 off, size; /* offset in the slot of the first mapped byte; bytes */
};
#define PERCPU_PARTS (1 + PERCPU_STACKS)
extern const struct percpu_part percpu_parts[PERCPU_PARTS];

/* Has this CPU's GS base been set up yet? */
bool percpu_ready(void);

/* Number of CPUs with a slot, and the slot owners' APIC IDs. */
extern u32 percpu_count;
extern u32 percpu_apic_ids[PERCPU_MAX_CPUS];
extern u64 percpu_bytes;       /* memory taken for all slots, tables included */
extern u64 percpu_table_bytes; /* of which page tables */

struct bootmem;
/* Map and fill a slot for each of `count` CPUs; NULL or why not. */
const char *percpu_setup(struct bootmem *bm, const u32 *apic_ids, u32 count);

/* On CPU n: load its GDT, TSS, GS base.  Called by every CPU once. */
void percpu_enter(u32 n);

#endif

#endif
