/*
 * vspace.h - the hardware half of a user address space: its x86_64 page
 * tables, its PCIDs and the CPUs that may cache its translations,
 * switching CR3, and TLB shoot-down (kernel/arch/x86_64/vspace.c).  The
 * address-space object and its system calls are generic: keel/aspace.h,
 * kernel/object/aspace.c.
 *
 * The PML4's upper half is a copy of the kernel's (complete since boot
 * and never changed).  Lower tables are frames the pager supplies, one at
 * a time, when a map finds one missing.  User mappings are 4 KB pages,
 * or 2 MB pages (a leaf in the page directory) where the pager asks.
 * Generic code holds page-table entries as `vspace_entry *` and reads and
 * writes them only through the functions here.
 */
#ifndef ARCH_VSPACE_H
#define ARCH_VSPACE_H

#include <abi/syscall.h>
#include <arch/kvspace.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/layout.h>
#include <keel/types.h>

typedef pte_t vspace_entry;

struct vspace {
	u64 pml4; /* physical address of its PML4 */
	/*
	 * The CPUs that may hold its translations: each sets its bit when it
	 * switches to the space, and a shoot-down clears the bits of those it
	 * finds elsewhere (struct percpu's cur_vs), which then hold none
	 * (without PCIDs a switch flushed them; with PCIDs their tag is
	 * dropped).  So a shoot-down looks at the CPUs that ran the space
	 * since the last one, and a switch costs one store, not two.
	 */
	u64 cpus[PERCPU_MAX_CPUS / 64];
	/* Per CPU: its PCID there, with that CPU's PCID generation above bit 12. */
	u32 pcid[PERCPU_MAX_CPUS];
	struct ioport_set io; /* the I/O ports it may use (arch/ioport.h) */
};

extern bool vspace_pcid; /* the CPUs use PCIDs */

/* Boot: turn PCIDs on if the CPU has them (every CPU). */
void vspace_init_cpu(void);

/* A new vspace whose PML4 is the zeroed frame at pml4: the kernel half filled in. */
void vspace_init(struct vspace *vs, u64 pml4);

/*
 * The small operations are inline: they are on the path of every map and
 * unmap.  User page tables are reached through the direct map
 * (kvspace_to_virt); a walk never allocates (the pager supplies each
 * table), and user address spaces have no large pages.
 */
/*
 * The entry for va in the table at `level` (1: the 4 KB leaf; 2 or 3: the
 * entry that points to a table of level 1 or 2), present or not; NULL if
 * a table above it is missing, with *missing the level of that table.
 * va must be a user address.
 */
static inline vspace_entry *vspace_entry_at(struct vspace *vs, u64 va, int level, int *missing)
{
	static const struct pt_env env = { .to_virt = kvspace_to_virt };

	return pt_entry(&env, vs->pml4, va, level, missing);
}

static inline bool vspace_present(vspace_entry e)
{
	return e & PTE_P;
}

/* The frame a present leaf maps. */
static inline u64 vspace_frame(vspace_entry e)
{
	return pte_addr(e);
}

/* Make the absent leaf *e map frame with KEEL_MAP_* rights. */
static inline void vspace_set_leaf(vspace_entry *e, u64 frame, u32 rights)
{
	*e = frame | PTE_P | PTE_U | ((rights & KEEL_MAP_W) ? PTE_W : 0) |
	     ((rights & KEEL_MAP_X) ? 0 : PTE_NX);
}

/*
 * The same for a device's page: uncached (PAT entry 3, UC at reset), never
 * executable, and marked, so that no memory capability is ever taken to
 * hold it (vspace_is_device).
 */
static inline void vspace_set_device(vspace_entry *e, u64 frame, u32 rights)
{
	vspace_set_leaf(e, frame, rights & ~KEEL_MAP_X);
	*e |= PTE_UC | PTE_DEVICE;
}

static inline bool vspace_is_device(vspace_entry e)
{
	return e & PTE_DEVICE;
}

/* Is a page at pa (not RAM) one the kernel keeps: its devices' registers, firmware it reads? */
bool arch_device_kernel_owns(u64 pa);

/* Is the present entry *e (at level 2) a 2 MB leaf rather than a table? */
static inline bool vspace_is_large(vspace_entry e)
{
	return e & PTE_PS;
}

/* The 4 KB leaf for va in the page table that the present page-directory entry pde points to. */
static inline vspace_entry *vspace_leaf_below(vspace_entry pde, u64 va)
{
	return (vspace_entry *)phys_to_virt(pte_addr(pde)) + pt_index(va, PT_LEVEL_PT);
}

/* Make the absent page-directory entry *e map the 2 MB at frame with KEEL_MAP_* rights. */
static inline void vspace_set_large(vspace_entry *e, u64 frame, u32 rights)
{
	vspace_set_leaf(e, frame, rights);
	*e |= PTE_PS;
}

/* Make the absent entry *e point to the new (zeroed) table at frame. */
static inline void vspace_set_table(vspace_entry *e, u64 frame)
{
	*e = frame | PTE_P | PTE_W | PTE_U; /* rights are decided at the leaf */
}
/* Clear the present leaf *e for va, and flush va wherever it may be cached. */
void vspace_clear_leaf(struct vspace *vs, vspace_entry *e, u64 va);
/* Flush [va, va + pages pages) wherever it may be cached: one shoot-down (leaves cleared with vspace_clear_leaf_only). */
void vspace_flush_range(struct vspace *vs, u64 va, u64 pages);
static inline void vspace_clear_leaf_only(vspace_entry *e)
{
	*e = 0;
}

/*
 * Boot: map va to pa with KEEL_MAP_* rights, tables from alloc (which
 * must not fail); *tables counts the tables made.  0, or pagetable.c's
 * PT_E* error (PT_EEXIST: va is mapped already).
 */
int vspace_boot_map(struct vspace *vs, u64 va, u64 pa, u32 rights, u64 (*alloc)(void *),
		    u64 *tables);

/*
 * Take the user half apart: leaf(frame) for each mapped frame, then
 * table(frame) for each table below the PML4, bottom up.  The vspace must
 * run on no CPU (vspace_running).
 */
void vspace_free(struct vspace *vs, void (*leaf)(u64 frame), void (*table)(u64 frame));

/*
 * The switches vspace_activate leaves out of line (vs is not current):
 * to the kernel's tables, or with PCIDs (a tag kept or a fresh one).
 * The I/O ports are vspace_activate's to switch, before this.
 */
void vspace_switch(struct vspace *vs);

/*
 * Run vs on this CPU, pc (NULL: the kernel's tables only).  Inline for the
 * common switch between two user spaces without PCIDs (every IPC that
 * switches): its I/O ports if they differ (arch/ioport.h), note it, join
 * its CPUs, load CR3.
 */
static inline void vspace_activate(struct percpu *pc, struct vspace *vs)
{
	u32 me = pc->cpu;

	if (pc->cur_vs == vs)
		return;
	if (!vs) {
		vspace_switch(vs); /* (ports stay open: nothing runs at CPL 3 meanwhile) */
		return;
	}
	if (__builtin_expect(pc->io_id != vs->io.id, 0))
		ioport_switch(pc, &vs->io); /* a space with ports, or one after it */
	if (vspace_pcid) {
		vspace_switch(vs);
		return;
	}
	pc->cur_vs = vs;
	vs->cpus[me / 64] |= 1ull << (me % 64);
	write_cr3(vs->pml4);
}

/* A CPU whose CR3 holds vs, or -1. */
int vspace_running(const struct vspace *vs);

#endif
