/*
 * smp.c - starting the other CPUs (the application processors, APs).
 *
 * INIT, wait 10 ms, start-up IPI, wait 200 us, a second start-up IPI to
 * those not yet running (Intel SDM vol. 3, 8.4.4.1 and the MP spec).  Each
 * step is sent to all APs before the one wait, so start-up takes the same
 * time for 2 CPUs as for 255.  The waits use the calibrated TSC.
 */
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/bootmem.h>
#include <keel/console.h>
#include <keel/thread.h>
#include <keel/string.h>

_Static_assert(PERCPU_SLOT_SIZE == 1ul << 24, "trampoline.S: index << 24");

extern const char trampoline_start[], trampoline_end[];
extern const char tr_gdt_desc[], tr_pm_jump[], tr_lm_jump[], tr_cr3[], tr_entry[];
extern const char tr_gdt[], tr_pm[], tr_lm[];
extern char ap_entry64[];

u64 smp_kernel_cr3; /* read by ap_entry64 */
volatile u32 smp_online;
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

static u32 count_state(u32 state)
{
	u32 c = 0;
	for (u32 n = 1; n < percpu_count; n++)
		c += percpu_of(n)->state == state;
	return c;
}

/* Wait until no AP is in `state` any more, or `limit_us` have passed. */
static void wait_leave(u32 state, u64 t0, u64 limit_us)
{
	while (count_state(state) && time_us() - t0 < limit_us)
		udelay(100);
}

/*
 * Give up on every AP still in `state`.  The AP moves on with
 * compare-and-swap too, so exactly one side wins: a CPU marked failed
 * halts as soon as it notices, and is never counted online.
 */
static void fail_all(u32 state, const char *what)
{
	for (u32 n = 1; n < percpu_count; n++) {
		struct percpu *pc = percpu_of(n);
		u32 expect = state;
		if (__atomic_compare_exchange_n(&pc->state, &expect, CPU_FAILED, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			klog("smp", "cpu %u (APIC %u) %s: skipped", n, pc->apic_id, what);
	}
}

/*
 * INIT every AP, before the clocks are calibrated: the firmware may have
 * left its own code running on them (OVMF's AP loop), and under emulation
 * that disturbs the calibration badly.  INIT parks them in wait-for-SIPI.
 * The 10 ms the protocol wants after INIT are waited here on the
 * reference clock, since the TSC is not calibrated yet.
 */
void smp_park_aps(void)
{
	if (percpu_count <= 1)
		return;
	send_all(CPU_STARTING, APIC_DM_INIT, 0);
	time_ref_wait_ms(10);
}

const char *smp_start_aps(struct bootmem *bm)
{
	if (percpu_count <= 1)
		return NULL;
	const char *err = prepare_trampoline(bm);
	if (err) {
		klog("smp", "%s", err);
		fail_all(CPU_STARTING, "cannot be started");
		return NULL; /* the boot CPU carries on alone */
	}
	smp_id_from_leaf_b = cpu_apic_id_from_leaf_b();

	u64 t0 = time_us();
	/* INIT went out in smp_park_aps, at least 10 ms ago. */
	send_all(CPU_STARTING, APIC_DM_STARTUP, (u32)(tramp_phys >> PAGE_SHIFT));
	udelay(200);
	send_all(CPU_STARTING, APIC_DM_STARTUP, (u32)(tramp_phys >> PAGE_SHIFT));

	/*
	 * A CPU that answers at all runs kernel code within microseconds on
	 * hardware; allow 1 s, plus 20 ms a CPU for emulators that run many
	 * virtual CPUs on few real ones.  One that is running gets 30 s more
	 * to finish setting itself up (it may wait for the console behind
	 * dozens of others).
	 */
	wait_leave(CPU_STARTING, t0, 1000000 + 20000ul * percpu_count);
	fail_all(CPU_STARTING, "did not answer the start-up IPIs");
	wait_leave(CPU_ALIVE, t0, 30000000);
	fail_all(CPU_ALIVE, "started but did not finish setting up");
	smp_online = 1 + count_state(CPU_ONLINE);
	klog("smp", "start-up took %lu us", time_us() - t0);
	return NULL;
}

/*
 * The boot CPU gave up on this one: halt for good.  The APIC is not
 * touched: it may not be set up yet (an x2APIC access would fault).
 */
static _Noreturn void ap_give_up(void)
{
	for (;;) {
		irq_disable();
		cpu_halt();
	}
}

/* A started CPU, on its own kernel stack (from ap_entry64). */
void ap_main(u32 n)
{
	idt_load(); /* first: a fault without an IDT resets the machine */
	percpu_enter(n);
	cpu_enable_protection();
	syscall_init_cpu();
	struct percpu *pc = this_cpu();
	u32 expect = CPU_STARTING;
	if (!__atomic_compare_exchange_n(&pc->state, &expect, CPU_ALIVE, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		ap_give_up(); /* the boot CPU gave up on us: stay out */
	lapic_init_cpu(false);
	time_tick_start();
	if (lapic_id() != pc->apic_id)
		klog("smp", "cpu %u: APIC ID %u, expected %u", n, lapic_id(), pc->apic_id);
	/*
	 * The line first, then the state: once the boot CPU sees us online it
	 * may print `N cpus online`, and our line must come before that.
	 */
	klog("cpu", "cpu %u apic %u online, per-cpu 0x%lx", n, pc->apic_id, (u64)pc);
	expect = CPU_ALIVE;
	if (!__atomic_compare_exchange_n(&pc->state, &expect, CPU_ONLINE, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		klog("smp", "cpu %u: the boot CPU gave up waiting; halting", n);
		ap_give_up();
	}
	sched_start(); /* idle until a thread is ready here */
}
