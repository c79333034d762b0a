/*
 * ipi.c - interrupts between CPUs: wake-ups, TLB shoot-downs, function
 * calls, and stopping every CPU (irq.c dispatches the vectors).
 */
#include <arch/ioport.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/trap.h>
#include <arch/vectors.h>
#include <arch/x86.h>
#include <keel/console.h>
#include <keel/panic.h>
#include <keel/spinlock.h>

/*
 * An online CPU that does not answer an IPI within 10 s is broken (on
 * hardware it takes microseconds; emulators running dozens of virtual CPUs
 * on two real ones take longer): that is a panic, not a retry, because
 * the caller's request is still out there.
 */
#define IPI_WAIT_US 10000000

volatile bool smp_stopping;
static volatile u32 smp_stopped;

static struct spinlock call_lock = SPINLOCK_INIT("ipi call");
static struct spinlock tlb_lock = SPINLOCK_INIT("tlb shootdown");
static struct {
	u64 va, pages;
	volatile u32 remaining;
} tlb_request;

/* Spin until *flag is 0, for at most IPI_WAIT_US; true if it became 0. */
static bool wait_clear(volatile u32 *flag)
{
	u64 start = rdtsc(), limit = IPI_WAIT_US * (tsc_khz_or_default() / 1000);

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (rdtsc() - start > limit)
			return false;
		cpu_relax();
	}
	return true;
}

static bool online(u32 cpu)
{
	return cpu < percpu_count && percpu_of(cpu)->state == CPU_ONLINE;
}

/*
 * ipi_call and tlb_shootdown wait for other CPUs while holding a lock:
 * they must run with interrupts on (so this CPU answers the others), and
 * never in an interrupt handler.
 */
static void check_context(const char *who)
{
	if (!(read_rflags() & X86_EFLAGS_IF))
		panic("%s called with interrupts off: two CPUs could wait for each other", who);
}

bool ipi_call(u32 cpu, void (*fn)(void *arg), void *arg)
{
	struct percpu *pc = percpu_of(cpu);

	if (!online(cpu) || cpu == this_cpu()->cpu)
		return false;
	check_context("ipi_call");
	spin_lock(&call_lock);
	pc->call.fn = fn;
	pc->call.arg = arg;
	__atomic_store_n(&pc->call.pending, 1, __ATOMIC_RELEASE);
	if (!lapic_send_ipi(pc->apic_id, VEC_IPI_CALL, APIC_DM_FIXED) ||
	    !wait_clear(&pc->call.pending))
		panic("cpu %u did not run a call IPI within %d s", cpu, IPI_WAIT_US / 1000000);
	spin_unlock(&call_lock);
	return true;
}

bool ipi_wakeup(u32 cpu)
{
	return online(cpu) &&
	       lapic_send_ipi(percpu_of(cpu)->apic_id, VEC_IPI_WAKEUP, APIC_DM_FIXED);
}

static void tlb_flush_request(void)
{
	for (u64 i = 0; i < tlb_request.pages; i++)
		invlpg(tlb_request.va + i * PAGE_SIZE);
}

static bool in_mask(const u64 *mask, u32 cpu)
{
	return !mask || (mask[cpu / 64] >> (cpu % 64) & 1);
}

/*
 * The caller either runs with interrupts on (so that it answers other
 * CPUs while it waits), or holds the big kernel lock: then no other CPU
 * can be waiting for it, since only the lock's holder sends requests, and
 * a CPU waiting for the lock spins with interrupts on.
 */
void tlb_shootdown_mask(const u64 *mask, u64 va, u64 pages)
{
	u32 me = this_cpu()->cpu, sent = 0;

	spin_lock(&tlb_lock);
	tlb_request.va = va;
	tlb_request.pages = pages;
	for (u32 n = 0; n < percpu_count; n++)
		if (n != me && online(n) && in_mask(mask, n))
			sent++;
	__atomic_store_n(&tlb_request.remaining, sent, __ATOMIC_RELEASE);
	for (u32 n = 0; n < percpu_count; n++)
		if (n != me && online(n) && in_mask(mask, n)) {
			percpu_of(n)->tlb_pending = 1;
			lapic_send_ipi(percpu_of(n)->apic_id, VEC_IPI_TLB, APIC_DM_FIXED);
		}
	if (in_mask(mask, me))
		tlb_flush_request();
	if (!wait_clear(&tlb_request.remaining)) {
		/* Name them, and whether their clocks still tick (interrupts on). */
		panic_begin();
		for (u32 n = 0; n < percpu_count; n++)
			if (percpu_of(n)->tlb_pending)
				kprintf(
				    "[panic] cpu %u did not flush: %lu timer ticks, this cpu %lu\n",
				    n, percpu_of(n)->ticks, this_cpu()->ticks);
		panic("TLB shoot-down: %u CPU(s) did not flush within %d s", tlb_request.remaining,
		      IPI_WAIT_US / 1000000);
	}
	spin_unlock(&tlb_lock);
}

void tlb_shootdown(u64 va, u64 pages)
{
	check_context("tlb_shootdown");
	tlb_shootdown_mask(NULL, va, pages);
}

u32 smp_stop_others(void)
{
	u32 me = percpu_ready() ? this_cpu()->cpu : 0, asked = 0;

	if (__atomic_exchange_n(&smp_stopping, true, __ATOMIC_ACQ_REL))
		return 0; /* someone else is stopping everybody */
	for (u32 n = 0; n < percpu_count; n++) {
		u32 st = percpu_of(n)->state;
		if (n == me || (st != CPU_ONLINE && st != CPU_ALIVE))
			continue;
		lapic_send_ipi(percpu_of(n)->apic_id, 0, APIC_DM_NMI);
		asked++;
	}
	/* Wait up to ~100 ms for them to say they stopped. */
	u64 start = rdtsc(), limit = 100000 * (tsc_khz_or_default() / 1000);
	while (smp_stopped < asked && rdtsc() - start < limit)
		cpu_relax();
	return smp_stopped;
}

bool nmi_handle(struct trap_frame *tf)
{
	if (!smp_stopping)
		return false;
	if (percpu_ready()) {
		struct percpu *pc = this_cpu();
		pc->stop_rip = tf->rip;
		pc->stop_rbp = tf->rbp;
		__atomic_store_n(&pc->stop_saved, 1, __ATOMIC_RELEASE);
		pc->state = CPU_STOPPED;
	}
	__atomic_fetch_add(&smp_stopped, 1, __ATOMIC_ACQ_REL);
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

bool smp_backtrace(u32 cpu)
{
	struct percpu *pc = percpu_of(cpu);

	if (cpu >= percpu_count || !__atomic_load_n(&pc->stop_saved, __ATOMIC_ACQUIRE))
		return false;
	/* Its stack stays as the NMI left it: the CPU halts for good. */
	arch_backtrace(pc->stop_rip, pc->stop_rbp, false);
	return true;
}

void ipi_take_tlb(void)
{
	struct percpu *pc = this_cpu();

	pc->ipis++;
	tlb_flush_request();
	ioport_refresh(pc); /* SYS_IO_ENABLE's shoot-down: the sender holds the set still */
	pc->tlb_pending = 0;
	__atomic_fetch_sub(&tlb_request.remaining, 1, __ATOMIC_ACQ_REL);
}

void ipi_take_call(void)
{
	struct percpu *pc = this_cpu();

	pc->ipis++;
	if (pc->call.pending) {
		pc->call.fn(pc->call.arg);
		__atomic_store_n(&pc->call.pending, 0, __ATOMIC_RELEASE);
	}
}
