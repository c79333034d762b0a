/*
 * vspace.c - the hardware half of user address spaces (arch/vspace.h):
 * page-table entries through pagetable.c, PCIDs, CR3, and shoot-down.
 * Everything here runs under the big kernel lock.
 */
#include <abi/syscall.h>
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/ioport.h>
#include <arch/vspace.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/panic.h>
#include <common/string.h>

#define CR3_NOFLUSH (1ull << 63)
#define PCID_COUNT  4096

bool vspace_pcid;

void vspace_init_cpu(void)
{
	vspace_pcid = cpu_has.pcid; /* cpu_enable_protection set CR4.PCIDE */
}

void vspace_init(struct vspace *vs, u64 pml4)
{
	pte_t *top = phys_to_virt(pml4);

	/* The kernel half: the same PML4 entries as the kernel's own. */
	memcpy(top + PT_ENTRIES / 2, (pte_t *)phys_to_virt(kvspace_root) + PT_ENTRIES / 2,
	       PAGE_SIZE / 2);
	vs->pml4 = pml4;
}

int vspace_boot_map(struct vspace *vs, u64 va, u64 pa, u32 rights, u64 (*alloc)(void *),
		    u64 *tables)
{
	struct pt_env env = { .alloc = alloc, .to_virt = kvspace_to_virt };
	vspace_entry leaf = 0;

	vspace_set_leaf(&leaf, 0, rights); /* the leaf flags; pt_map adds the address */
	int err = pt_map(&env, vs->pml4, va, pa, PAGE_SIZE, leaf, PT_SIZE_4K);

	*tables = env.tables;
	return err;
}

static bool cpu_bit(const u64 *mask, u32 cpu)
{
	return mask[cpu / 64] >> (cpu % 64) & 1;
}

/*
 * va's translation in vs is gone: flush it wherever it may be cached
 * (the CPUs in vs->cpus).  A CPU running vs flushes the page (an IPI for
 * the others).  One that runs something else leaves the mask: without
 * PCIDs its switch away flushed vs; with them it forgets its PCID for vs
 * instead, and the next switch there takes a fresh one, flushed when it
 * is assigned.
 */
static void shootdown_range(struct vspace *vs, u64 va, u64 pages)
{
	u32 me = this_cpu()->cpu, sent = 0;
	static u64 targets[PERCPU_MAX_CPUS / 64];

	memset(targets, 0, sizeof(targets));
	for (u32 c = 0; c < percpu_count; c++) {
		if (!cpu_bit(vs->cpus, c))
			continue;
		if (percpu_of(c)->cur_vs == vs) {
			if (c == me)
				for (u64 i = 0; i < pages; i++)
					invlpg(va + i * PAGE_SIZE);
			else
				targets[c / 64] |= 1ull << (c % 64), sent++;
		} else {
			vs->pcid[c] = 0;
			vs->cpus[c / 64] &= ~(1ull << (c % 64));
		}
	}
	if (sent)
		tlb_shootdown_mask(targets, va, pages);
}

void vspace_clear_leaf(struct vspace *vs, vspace_entry *e, u64 va)
{
	*e = 0;
	shootdown_range(vs, va, 1);
}

void vspace_flush_range(struct vspace *vs, u64 va, u64 pages)
{
	shootdown_range(vs, va, pages);
}

/*
 * The tables below t (a table at `level`): their leaves, then themselves.
 * A 2 MB leaf is one call of leaf(), with its first frame: the kernel
 * counts user mappings per 2 MB chunk (kmem.c), and a 2 MB leaf is one; a
 * 1 GB leaf is one call for each of its 512 chunks.
 */
static void free_tables(pte_t *t, int level, void (*leaf)(u64), void (*table)(u64))
{
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		/* Most of a table is empty: skip eight empty entries at a time. */
		if (!(i & 7) && !(t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] |
				  t[i + 6] | t[i + 7])) {
			i += 7;
			continue;
		}
		if (!(t[i] & PTE_P))
			continue;
		if (level == PT_LEVEL_PT || (level == PT_LEVEL_PD && (t[i] & PTE_PS))) {
			leaf(pte_addr(t[i])); /* a 4 KB or a 2 MB leaf */
			continue;
		}
		if (level == PT_LEVEL_PDPT && (t[i] & PTE_PS)) { /* a 1 GB leaf: each chunk */
			for (u64 c = 0; c < (1ull << 30); c += 2ull << 20)
				leaf(pte_addr(t[i]) + c);
			continue;
		}
		free_tables(phys_to_virt(pte_addr(t[i])), level - 1, leaf, table);
		table(pte_addr(t[i]));
	}
}

void vspace_free(struct vspace *vs, void (*leaf)(u64 frame), void (*table)(u64 frame))
{
	pte_t *top = phys_to_virt(vs->pml4);

	ioport_forget(&vs->io);
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		if (top[i] & PTE_P) {
			free_tables(phys_to_virt(pte_addr(top[i])), PT_LEVEL_PDPT, leaf, table);
			table(pte_addr(top[i]));
			top[i] = 0;
		}
}

int vspace_running(const struct vspace *vs)
{
	for (u32 c = 0; c < percpu_count; c++)
		if (percpu_of(c)->cur_vs == vs)
			return (int)c;
	return -1;
}

void vspace_switch(struct vspace *vs)
{
	struct percpu *pc = this_cpu();
	u32 me = pc->cpu;

	pc->cur_vs = vs;
	if (!vs) {
		write_cr3(kvspace_root);
		return;
	}
	vs->cpus[me / 64] |= 1ull << (me % 64);
	u32 tag = vs->pcid[me];
	if (tag && tag >> 12 == pc->pcid_gen) {
		write_cr3(vs->pml4 | (tag & (PCID_COUNT - 1)) | CR3_NOFLUSH);
		return;
	}
	if (pc->pcid_next == 0 || pc->pcid_next >= PCID_COUNT) {
		pc->pcid_gen++; /* every older tag on this CPU is stale now */
		pc->pcid_next = 1;
	}
	vs->pcid[me] = pc->pcid_gen << 12 | pc->pcid_next;
	/* Without NOFLUSH: whatever this PCID held for its last owner goes. */
	write_cr3(vs->pml4 | pc->pcid_next++);
}
