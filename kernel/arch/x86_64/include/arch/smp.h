/*
 * smp.h - the other CPUs: start-up, IPIs, stopping them
 * (kernel/arch/x86_64/smp.c, ipi.c, trampoline.S).
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <keel/acpi.h>

struct bootmem;
struct trap_frame;

/* How many CPUs are online (ONLINE state), the boot CPU included. */
extern volatile u32 smp_online;
/*
 * How many CPUs threads may be placed on: those online and those still
 * starting (not given up).  A thread placed on a starting CPU runs once it
 * is online, or moves to CPU 0 if it is given up (sched_cpu_lost).
 */
extern volatile u32 smp_cpus;
/* True while APs are starting: the boot CPU calls smp_advance. */
extern volatile bool smp_starting;
/* Memory taken for AP start-up: the trampoline frame and its tables. */
extern u64 smp_startup_bytes;
/*
 * With `smp-absent-cpu` on the command line, the boot test adds one CPU
 * whose APIC ID does not exist, to see it reported and skipped.
 */
extern u32 smp_absent_cpus;
/*
 * With `smp-stall-cpu`, CPU 1 wedges itself half-way through its set-up
 * (it spins, counting stall_beats, and never looks at its state), to see
 * it given up and stopped with INIT.  1 if that test is on and CPU 1
 * exists, else 0.
 */
extern u32 smp_stall_cpus;

/*
 * How far a starting AP got (struct percpu's boot_stage).  It only moves
 * forward; the boot CPU counts any move as progress (docs/cpus.md).
 */
enum ap_stage {
	AP_SENT,    /* start-up IPIs sent; nothing heard yet */
	AP_ENTERED, /* running ap_main on its own kernel stack */
	AP_TRAPS,   /* IDT, GDT, TSS and GS base loaded */
	AP_CPU,	    /* control registers and syscall MSRs set: state ALIVE */
	AP_READY,   /* local APIC up; halted until the boot CPU gives it its turn */
	AP_TURN,    /* has its turn: starting its tick, going online */
	AP_STAGES
};
/* The stage's name, for the log. */
const char *smp_stage_name(u32 stage);

/*
 * Take the trampoline frame (below 1 MB) from the boot allocator; called
 * before the first megabyte is reserved.  Returns its address or 0.
 */
u64 smp_reserve_trampoline(struct bootmem *bm);
/* Where it is (0 if there is none). */
u64 smp_trampoline_phys(void);

/* Send INIT to every AP (the 10 ms after it are waited by smp_advance). */
void smp_park_aps(void);

/*
 * Start every CPU that has a slot, in parallel, without waiting for them:
 * the boot CPU moves start-up along with smp_advance.  Returns NULL or why
 * it failed.
 */
const char *smp_start_aps(struct bootmem *bm);
/*
 * One look at the starting APs, on the boot CPU with interrupts off and
 * nothing else of the kernel's in hand (at boot, or under the big kernel
 * lock): send the start-up IPIs once INIT's 10 ms have passed, hand out
 * the next turn, announce who came online, give up on CPUs that made no
 * progress for long (SMP_ANSWER_US for one that never answered,
 * SMP_STALL_US for one that did) while no other CPU did either.  Returns
 * true once no AP is starting any more.
 */
bool smp_advance(void);
/* Call smp_advance, halting between looks, until it returns true. */
void smp_wait_started(void);
/* On a trap or wake-up: move start-up along if this is the boot CPU. */
static inline void smp_poll(u32 cpu)
{
	if (__builtin_expect(smp_starting, 0) && cpu == 0)
		smp_advance();
}

/* ---- IPIs (ipi.c) ---- */

/* Run fn(arg) on CPU `cpu` (in its interrupt handler) and wait for it. */
bool ipi_call(u32 cpu, void (*fn)(void *arg), void *arg);
/* Wake CPU `cpu` from halt. */
bool ipi_wakeup(u32 cpu);
/* Invalidate [va, va + pages * 4K) in every online CPU's TLB, this one too. */
void tlb_shootdown(u64 va, u64 pages);
/*
 * The same for the CPUs in `mask` (a bitmap of CPU numbers; NULL: all),
 * flushing this one too if it is in the mask.  Interrupts on, or the big
 * kernel lock held.
 */
void tlb_shootdown_mask(const u64 *mask, u64 va, u64 pages);
/*
 * Stop every other CPU with an NMI (for panic).  Returns how many confirmed
 * they stopped, waiting a bounded time.
 */
u32 smp_stop_others(void);
/* Is a stop in progress (this CPU should halt)? */
extern volatile bool smp_stopping;
/*
 * During a panic: print the backtrace of CPU n, stopped by
 * smp_stop_others, from where its NMI found it; false if it did not stop.
 */
bool smp_backtrace(u32 cpu);

/* Interrupt and NMI entry from trap.c: the dispatcher (irq.c) and the stop IPI (ipi.c). */
void irq_handle(struct trap_frame *tf);
bool nmi_handle(struct trap_frame *tf); /* true if it was a stop request */
/* The IPIs' halves on the CPU that takes them (ipi.c), called by irq_handle. */
void ipi_take_tlb(void);
void ipi_take_call(void);

#endif
