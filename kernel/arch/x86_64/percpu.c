/*
 * percpu.c - the per-CPU slots: memory for present CPUs only, mapped at
 * PERCPU_SLOT(n) with a guard page below every stack.
 */
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/percpu.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/bootmem.h>
#include <common/string.h>

u32 percpu_count;
u32 percpu_apic_ids[PERCPU_MAX_CPUS];
u64 percpu_bytes;
u64 percpu_table_bytes;
static bool percpu_live;

bool percpu_ready(void)
{
	return percpu_live;
}

const struct percpu_part percpu_parts[PERCPU_PARTS] = {
	{ "per-CPU data", PERCPU_DATA_OFF, PERCPU_DATA_SIZE },
	{ "kernel stack", PERCPU_KSTACK_OFF + PAGE_SIZE, KSTACK_SIZE },
	{ "double-fault stack", PERCPU_DF_STACK_OFF + PAGE_SIZE, IST_STACK_SIZE },
	{ "NMI stack", PERCPU_NMI_STACK_OFF + PAGE_SIZE, IST_STACK_SIZE },
	{ "machine-check stack", PERCPU_MC_STACK_OFF + PAGE_SIZE, IST_STACK_SIZE },
};

static const char *slot_map(struct bootmem *bm, u32 n)
{
	u64 frames = frames_alloc_zeroed(bm, PERCPU_MAPPED_BYTES, PHYS_MAX);
	u64 at = frames;

	if (frames == BOOTMEM_FAIL)
		return "out of memory for per-CPU data";
	for (size_t i = 0; i < PERCPU_PARTS; i++) {
		if (pt_map(&kvspace_env, kvspace_root, PERCPU_SLOT((u64)n) + percpu_parts[i].off,
			   at, percpu_parts[i].size, PTE_W | PTE_NX | kvspace_global_bit(),
			   PT_SIZE_4K))
			return "mapping a per-CPU slot failed";
		at += percpu_parts[i].size;
	}
	return NULL;
}

const char *percpu_setup(struct bootmem *bm, const u32 *apic_ids, u32 count)
{
	u64 tables = kvspace_env.tables;

	if (count == 0 || count > PERCPU_MAX_CPUS)
		return "CPU count out of range";
	for (u32 n = 0; n < count; n++) {
		const char *err = slot_map(bm, n);
		if (err)
			return err;
		struct percpu *pc = percpu_of(n);
		pc->self = pc;
		pc->cpu = n;
		pc->apic_id = apic_ids[n];
		pc->kstack_top = percpu_stack_top(n, PERCPU_KSTACK_OFF, KSTACK_SIZE);
		pc->state = CPU_STARTING;
		percpu_apic_ids[n] = apic_ids[n];
	}
	percpu_count = count;
	percpu_table_bytes = (kvspace_env.tables - tables) * PAGE_SIZE;
	percpu_bytes = count * PERCPU_MAPPED_BYTES + percpu_table_bytes;
	return NULL;
}

void percpu_enter(u32 n)
{
	struct percpu *pc = percpu_of(n);

	gdt_load_cpu(pc);
	wrmsr(MSR_GS_BASE, (u64)pc);
	wrmsr(MSR_KERNEL_GS_BASE, 0); /* the user value, swapped in by swapgs */
	percpu_live = true;
}
