/*
 * smp.c - starting the other CPUs (the application processors, APs).
 *
 * INIT, wait 10 ms, start-up IPI, wait 200 us, a second start-up IPI to
 * those not yet running (Intel SDM vol. 3, 8.4.4.1 and the MP spec).  Each
 * step is sent to all APs before the one wait, so start-up takes the same
 * time for 2 CPUs as for 255.  The boot CPU does not wait for the APs: it
 * starts the first program, and the APs come online in the background,
 * moved along by smp_advance on the boot CPU's ticks and wake-ups
 * (docs/cpus.md, "Starting the other CPUs").
 */
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/vectors.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/bootmem.h>
#include <keel/console.h>
#include <keel/thread.h>
#include <common/string.h>

_Static_assert(PERCPU_SLOT_SIZE == 1ul << 24, "trampoline.S: index << 24");

extern const char trampoline_start[], trampoline_end[];
extern const char tr_gdt_desc[], tr_pm_jump[], tr_lm_jump[], tr_cr3[], tr_entry[];
extern const char tr_gdt[], tr_pm[], tr_lm[];
extern char ap_entry64[];

u64 smp_kernel_cr3; /* read by ap_entry64 */
volatile u32 smp_online, smp_cpus = 1;
volatile bool smp_starting;
u64 smp_startup_bytes; /* the trampoline frame and its page tables */
u32 smp_absent_cpus;   /* CPUs added on purpose that do not exist (tests) */
u8 smp_id_from_leaf_b; /* read by ap_entry64: how to read the APIC ID */
static u64 tramp_phys;

void ap_main(u32 n);

u64 smp_trampoline_phys(void)
{
	return tramp_phys;
}

u64 smp_reserve_trampoline(struct bootmem *bm)
{
	/* Never frame 0 (real-mode interrupt table, BIOS data). */
	bootmem_reserve(bm, 0, PAGE_SIZE);
	tramp_phys = bootmem_alloc(bm, PAGE_SIZE, PAGE_SIZE, 1 << 20);
	if (tramp_phys == BOOTMEM_FAIL)
		tramp_phys = 0;
	else
		smp_startup_bytes += PAGE_SIZE;
	return tramp_phys;
}

/* Write a patch into the copied trampoline at the offset of `field`. */
static void patch(u8 *t, const char *field, const void *v, size_t n)
{
	memcpy(t + (field - trampoline_start), v, n);
}

static u64 low_frame(struct bootmem *bm)
{
	u64 f = frames_alloc_zeroed(bm, PAGE_SIZE, BOOT_MAP_SIZE);
	if (f != BOOTMEM_FAIL)
		smp_startup_bytes += PAGE_SIZE;
	return f;
}

/*
 * The trampoline's PML4: the kernel half shared with the kernel's PML4,
 * plus entry 0 identity-mapping the first 2 MB (executable, for the few
 * instructions between enabling paging and the jump to the image).  Below
 * 4 GB, because 32-bit code loads it into CR3.
 */
static u64 build_trampoline_pml4(struct bootmem *bm)
{
	u64 pml4 = low_frame(bm), pdpt = low_frame(bm), pd = low_frame(bm);

	if (pml4 == BOOTMEM_FAIL || pdpt == BOOTMEM_FAIL || pd == BOOTMEM_FAIL)
		return 0;
	memcpy((pte_t *)phys_to_virt(pml4) + PT_ENTRIES / 2,
	       (pte_t *)phys_to_virt(kvspace_root) + PT_ENTRIES / 2, PAGE_SIZE / 2);
	((pte_t *)phys_to_virt(pml4))[0] = pdpt | PTE_P | PTE_W;
	((pte_t *)phys_to_virt(pdpt))[0] = pd | PTE_P | PTE_W;
	((pte_t *)phys_to_virt(pd))[0] = 0 | PTE_P | PTE_W | PTE_PS;
	return pml4;
}

static const char *prepare_trampoline(struct bootmem *bm)
{
	u8 *t = phys_to_virt(tramp_phys);
	u32 base = (u32)tramp_phys;
	u64 pml4 = build_trampoline_pml4(bm);

	if (!tramp_phys)
		return "no frame below 1 MB for the AP trampoline";
	if (!pml4)
		return "no memory below 4 GB for the trampoline page tables";
	memcpy(t, trampoline_start, (size_t)(trampoline_end - trampoline_start));
	u32 gdt = base + (u32)(tr_gdt - trampoline_start);
	u32 pm = base + (u32)(tr_pm - trampoline_start);
	u32 lm = base + (u32)(tr_lm - trampoline_start);
	u64 entry = (u64)ap_entry64;
	patch(t, tr_gdt_desc + 2, &gdt, 4);
	patch(t, tr_pm_jump, &pm, 4);
	patch(t, tr_lm_jump, &lm, 4);
	patch(t, tr_cr3, &pml4, 8);
	patch(t, tr_entry, &entry, 8);
	smp_kernel_cr3 = kvspace_root;
	return NULL;
}

/* Send one kind of start-up IPI to every AP still in `state`. */
static void send_all(u32 state, u32 mode, u32 vector)
{
	for (u32 n = 1; n < percpu_count; n++)
		if (percpu_of(n)->state == state &&
		    !lapic_send_ipi(percpu_of(n)->apic_id, vector, mode))
			klog("smp", "cpu %u (APIC %u): start-up IPI not accepted", n,
			     percpu_of(n)->apic_id);
}

/*
 * Waiting for the APs (docs/cpus.md, "Starting the other CPUs").
 *
 * Each AP advances its boot_stage as it sets itself up, in parallel with
 * the others, then halts at AP_READY.  The boot CPU gives the READY ones
 * their turn one at a time: it sets boot_turn and wakes the AP, which
 * starts its tick, goes ONLINE, wakes the boot CPU and enters the
 * scheduler.  The boot CPU prints its line.  So no two APs ever queue for
 * the console or the big kernel lock during start-up: with many virtual
 * CPUs on few real ones, a queue of spinning waiters is what made
 * start-up take minutes (a ticket lock's next owner waits for its host
 * thread behind every spinner).
 *
 * The boot CPU waits as long as any AP moves: a stage, a turn, a CPU
 * going online.  Only when none has moved for a window does it give up,
 * on the CPUs that could have moved and did not: those that never
 * answered, after SMP_ANSWER_US; those that answered and then stalled
 * (or were given their turn and did not take it), after SMP_STALL_US.
 * An AP halted at AP_READY waits for the boot CPU, not the other way
 * round, and is never given up.  Stages and states only move forward,
 * so the wait ends: each AP moves at most AP_STAGES + 1 times, and after
 * the last move of all there is at most one window more.  Every wait
 * halts (HLT with interrupts on: a wake-up IPI or the tick ends it), so
 * waiting CPUs leave the host to the ones that are starting.
 */
#define SMP_ANSWER_US(cpus) (1000000ul + 20000ul * (cpus))
#define SMP_STALL_US	    10000000ul

u32 smp_stall_cpus;

static const char *const stage_names[AP_STAGES] = {
	[AP_SENT] = "start-up IPIs sent",	   [AP_ENTERED] = "entered the kernel",
	[AP_TRAPS] = "loaded its IDT, GDT and GS", [AP_CPU] = "set its control registers",
	[AP_READY] = "set up its local APIC",	   [AP_TURN] = "was given its turn",
};

const char *smp_stage_name(u32 stage)
{
	return stage < AP_STAGES ? stage_names[stage] : "an unknown stage";
}

/* What the boot CPU last saw of each AP: its stage and state. */
static u32 seen_stage[PERCPU_MAX_CPUS], seen_state[PERCPU_MAX_CPUS];

static bool starting(u32 state)
{
	return state == CPU_STARTING || state == CPU_ALIVE;
}

/*
 * Give up on CPU n if it is still starting.  The AP moves its own state
 * with compare-and-swap too, so exactly one side wins: once it is
 * CPU_FAILED the AP never goes online, and it halts at its next stage.
 * Then INIT, which parks any x86 CPU in wait-for-SIPI whatever it is
 * doing (the kernel sends no start-up IPI after this), stops it for sure,
 * even one that no longer looks at its state.  The AP takes no lock and
 * writes nothing outside its own slot before it is online, so stopping it
 * anywhere leaves nothing half done.
 */
static void give_up(u32 n, u64 quiet_us)
{
	struct percpu *pc = percpu_of(n);
	u32 expect = pc->state, stage = pc->boot_stage;

	if (!starting(expect) ||
	    !__atomic_compare_exchange_n(&pc->state, &expect, CPU_FAILED, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return; /* it went online (or was given up) first */
	lapic_send_ipi(pc->apic_id, 0, APIC_DM_INIT);
	__atomic_fetch_sub(&smp_cpus, 1, __ATOMIC_RELEASE);
	sched_cpu_lost(n); /* threads placed there while it was starting */
	if (stage == AP_SENT)
		klog("smp", "cpu %u (APIC %u) did not answer the start-up IPIs: skipped", n,
		     pc->apic_id);
	else
		klog("smp",
		     "cpu %u (APIC %u) made no progress for %lu s (last: %s): skipped, stopped "
		     "with INIT",
		     n, pc->apic_id, quiet_us / 1000000, smp_stage_name(stage));
}

/* Let CPU n go online (again: the wake-up may have come too early). */
static void give_turn(u32 n)
{
	struct percpu *pc = percpu_of(n);

	__atomic_store_n(&pc->boot_turn, 1, __ATOMIC_RELEASE);
	lapic_send_ipi(pc->apic_id, VEC_IPI_WAKEUP, APIC_DM_FIXED);
}

/* The lowest-numbered AP halted at AP_READY, or 0 if there is none. */
static u32 next_ready(void)
{
	for (u32 n = 1; n < percpu_count; n++)
		if (percpu_of(n)->state == CPU_ALIVE && percpu_of(n)->boot_stage == AP_READY)
			return n;
	return 0;
}

/*
 * Look at every AP once: note who moved, announce the one whose turn
 * ended, hand out the next turn.  Returns true if any AP moved; *left is
 * how many are still starting.
 */
static bool poll_aps(u32 *turn, u32 *left)
{
	bool moved = false;

	*left = 0;
	for (u32 n = 1; n < percpu_count; n++) {
		struct percpu *pc = percpu_of(n);
		u32 st = pc->state, stage = pc->boot_stage;
		if (st != seen_state[n] || stage != seen_stage[n])
			moved = true;
		seen_state[n] = st;
		seen_stage[n] = stage;
		*left += starting(st);
	}
	if (*turn && percpu_of(*turn)->state != CPU_ALIVE) {
		struct percpu *pc = percpu_of(*turn);
		if (pc->state == CPU_ONLINE) {
			smp_online++;
			klog("cpu", "cpu %u apic %u online, per-cpu 0x%lx", *turn, pc->apic_id,
			     (u64)pc);
		}
		*turn = 0;
	}
	if (!*turn) {
		*turn = next_ready();
		if (*turn)
			give_turn(*turn);
	} else if (percpu_of(*turn)->boot_stage == AP_READY) {
		give_turn(*turn); /* not awake yet: wake it again */
	}
	return moved;
}

/*
 * Give up on the APs that could have moved in the last quiet_us and did
 * not: not those halted at AP_READY waiting for a turn (but the one that
 * has the turn, yes).
 */
static void give_up_stalled(u32 turn, u64 quiet_us)
{
	for (u32 n = 1; n < percpu_count; n++) {
		struct percpu *pc = percpu_of(n);
		u32 stage = pc->boot_stage;
		if (!starting(pc->state) || (stage == AP_READY && n != turn))
			continue;
		if (quiet_us > (stage == AP_SENT ? SMP_ANSWER_US(percpu_count) : SMP_STALL_US))
			give_up(n, quiet_us);
	}
}

/*
 * INIT every AP, before the clocks are calibrated: the firmware may have
 * left its own code running on them (OVMF's AP loop), and under emulation
 * that disturbs the calibration badly.  INIT parks them in wait-for-SIPI.
 * The 10 ms the protocol wants after INIT are not waited here: the
 * start-up IPIs go out once they have passed (smp_advance), and the boot
 * CPU goes on with its own work meanwhile.
 */
static u64 park_tsc; /* the TSC when the INITs went out */

void smp_park_aps(void)
{
	if (percpu_count <= 1)
		return;
	send_all(CPU_STARTING, APIC_DM_INIT, 0);
	park_tsc = rdtsc();
}

/* Give up on every AP at once, before any was started. */
static void fail_all(const char *why)
{
	for (u32 n = 1; n < percpu_count; n++) {
		percpu_of(n)->state = CPU_FAILED;
		klog("smp", "cpu %u (APIC %u) cannot be started (%s): skipped", n,
		     percpu_of(n)->apic_id, why);
	}
}

/*
 * Start-up as a state machine on the boot CPU: PARKED (INITs sent) until
 * 10 ms have passed; then the start-up IPIs, and WAITING as long as an AP
 * is starting; then DONE.  Each step is one look, with interrupts off.
 */
enum { SMP_NONE, SMP_PARKED, SMP_WAITING, SMP_DONE };
#define SMP_INIT_WAIT_US 10000

static u32 phase, turn;
static u64 start_us, last_move;

static void send_startup(void)
{
	send_all(CPU_STARTING, APIC_DM_STARTUP, (u32)(tramp_phys >> PAGE_SHIFT));
	udelay(200);
	send_all(CPU_STARTING, APIC_DM_STARTUP, (u32)(tramp_phys >> PAGE_SHIFT));
}

static void finish(void)
{
	phase = SMP_DONE;
	klog("smp", "start-up took %lu us", time_us() - start_us);
	klog("kernel", "%u cpus online", smp_online);
	__atomic_store_n(&smp_starting, false, __ATOMIC_RELEASE);
}

bool smp_advance(void)
{
	u32 left;

	if (phase == SMP_PARKED) {
		if ((rdtsc() - park_tsc) / (tsc_khz / 1000) < SMP_INIT_WAIT_US)
			return false;
		send_startup();
		last_move = time_us();
		phase = SMP_WAITING;
	}
	if (phase != SMP_WAITING)
		return true;
	bool moved = poll_aps(&turn, &left);
	u64 now = time_us();
	if (moved)
		last_move = now;
	if (!left && !turn) {
		finish();
		return true;
	}
	if (!moved)
		give_up_stalled(turn, now - last_move);
	return false;
}

/*
 * Wait until no AP is starting any more.  Interrupts are on (the tick and
 * the APs' wake-ups end each halt); each look is made with them off, so a
 * wake-up that comes during it ends the halt after it.
 */
void smp_wait_started(void)
{
	for (;;) {
		irq_disable();
		bkl_lock(); /* as everywhere else: APs already online take it too */
		bool done = smp_advance();
		bkl_unlock();
		if (done)
			break;
		irq_enable_and_halt();
	}
	irq_enable();
}

const char *smp_start_aps(struct bootmem *bm)
{
	smp_online = 1;
	smp_cpus = percpu_count;
	start_us = time_us();
	if (percpu_count <= 1) {
		finish();
		return NULL;
	}
	const char *err = prepare_trampoline(bm);
	if (err) {
		klog("smp", "%s", err);
		fail_all(err);
		smp_cpus = 1;
		finish();
		return NULL; /* the boot CPU carries on alone */
	}
	smp_id_from_leaf_b = cpu_apic_id_from_leaf_b();
	phase = SMP_PARKED;
	smp_starting = true;
	irq_disable();
	smp_advance();
	irq_enable();
	return NULL;
}

/*
 * The boot CPU gave up on this one: halt for good, with interrupts off
 * (its INIT is on the way).  The APIC is not touched: it may not be set
 * up yet (an x2APIC access would fault).
 */
static _Noreturn void ap_give_up(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

/* Reach `stage`, unless the boot CPU gave up on us: then stop here. */
static void ap_reach(struct percpu *pc, u32 stage)
{
	if (__atomic_load_n(&pc->state, __ATOMIC_ACQUIRE) == CPU_FAILED)
		ap_give_up();
	__atomic_store_n(&pc->boot_stage, stage, __ATOMIC_RELEASE);
}

/* The `smp-stall-cpu` test: a CPU gone wild, which only INIT can stop. */
static _Noreturn void ap_stall(struct percpu *pc)
{
	for (;;) {
		pc->stall_beats++;
		cpu_relax();
	}
}

/*
 * A started CPU, on its own kernel stack (from ap_entry64), interrupts
 * off.  Until it is ONLINE it takes no lock and writes only its own slot,
 * so that the boot CPU can stop it with INIT at any point (give_up).
 */
void ap_main(u32 n)
{
	struct percpu *pc = percpu_of(n);

	ap_reach(pc, AP_ENTERED);
	idt_load(); /* first: a fault without an IDT resets the machine */
	percpu_enter(n);
	ap_reach(pc, AP_TRAPS);
	cpu_enable_protection();
	syscall_init_cpu();
	/* ALIVE: GS works, so a panic elsewhere may stop us with an NMI. */
	u32 expect = CPU_STARTING;
	if (!__atomic_compare_exchange_n(&pc->state, &expect, CPU_ALIVE, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		ap_give_up(); /* the boot CPU gave up on us: stay out */
	ap_reach(pc, AP_CPU);
	if (smp_stall_cpus && n == 1)
		ap_stall(pc);
	lapic_init_cpu(false);
	ap_reach(pc, AP_READY);
	ipi_wakeup(0); /* the boot CPU hands out the turns */
	/*
	 * Halt until our turn.  The check is made with interrupts off and
	 * STI's shadow makes `sti; hlt` one step, so a wake-up sent after
	 * the check ends the halt.  The tick is not running yet: only the
	 * boot CPU's wake-up (or an NMI) ends it.
	 */
	while (!__atomic_load_n(&pc->boot_turn, __ATOMIC_ACQUIRE)) {
		irq_enable_and_halt();
		irq_disable();
	}
	ap_reach(pc, AP_TURN);
	time_tick_start();
	expect = CPU_ALIVE;
	if (!__atomic_compare_exchange_n(&pc->state, &expect, CPU_ONLINE, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		ap_give_up(); /* given up during the turn: its INIT stops the tick */
	/* Online: the boot CPU prints our line, and never gives up on us now. */
	ipi_wakeup(0);
	if (lapic_id() != pc->apic_id)
		klog("smp", "cpu %u: APIC ID %u, expected %u", n, lapic_id(), pc->apic_id);
	sched_start(); /* idle until a thread is ready here */
}
