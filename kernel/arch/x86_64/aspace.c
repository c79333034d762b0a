/*
 * aspace.c - user address spaces (see arch/aspace.h): the map, unmap and
 * supply-table calls, switching with PCIDs, and TLB shoot-down.
 *
 * All of it runs under the big kernel lock.  Each call checks every
 * argument and the state it needs, and only then writes a page table.
 */
#include <abi/syscall.h>
#include <arch/aspace.h>
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/kmem.h>
#include <keel/panic.h>
#include <common/string.h>
#include <keel/thread.h>

#define CR3_NOFLUSH (1ull << 63)
#define PCID_COUNT  4096

bool aspace_pcid;

void aspace_init_cpu(void)
{
	aspace_pcid = cpu_has.pcid; /* cpu_enable_protection set CR4.PCIDE */
}

struct aspace *aspace_get(u64 pa)
{
	return kmem_object_get(pa, KOBJ_ASPACE);
}

struct aspace *aspace_make(u64 obj, u64 pml4)
{
	struct aspace *as = kmem_object_make(obj, KOBJ_ASPACE);
	pte_t *top = kmem_object_make(pml4, KOBJ_TABLE);

	/* The kernel half: the same PML4 entries as the kernel's own. */
	memcpy(top + PT_ENTRIES / 2, (pte_t *)phys_to_virt(kvspace_root) + PT_ENTRIES / 2,
	       PAGE_SIZE / 2);
	as->pml4 = pml4;
	as->tables = 1;
	return as;
}

/* The level-1 entry for va; or NULL, and the level of the missing table. */
static pte_t *walk(const struct aspace *as, u64 va, int *missing)
{
	pte_t *t = phys_to_virt(as->pml4);

	for (int level = 4; level > 1; level--) {
		pte_t e = t[pt_index(va, level)];
		if (!(e & PTE_P)) {
			*missing = level - 1;
			return NULL;
		}
		t = phys_to_virt(pte_addr(e));
	}
	return &t[pt_index(va, 1)];
}

static long missing_error(int level)
{
	return level == 3 ? -KEEL_ENOPDPT : level == 2 ? -KEEL_ENOPD : -KEEL_ENOPT;
}

static long check_va(u64 va)
{
	if (!IS_ALIGNED(va, PAGE_SIZE))
		return -KEEL_EINVAL;
	return va < KEEL_USER_TOP ? 0 : -KEEL_EFAULT;
}

static u64 leaf_flags(u32 rights)
{
	return PTE_P | PTE_U | ((rights & KEEL_MAP_W) ? PTE_W : 0) |
	       ((rights & KEEL_MAP_X) ? 0 : PTE_NX);
}

void aspace_boot_map(struct aspace *as, u64 va, u64 pa, u32 rights)
{
	pte_t *t = phys_to_virt(as->pml4);

	for (int level = 4; level > 1; level--) {
		pte_t *e = &t[pt_index(va, level)];
		if (!(*e & PTE_P)) {
			*e = kmem_boot_object(KOBJ_TABLE) | PTE_P | PTE_W | PTE_U;
			as->tables++;
		}
		t = phys_to_virt(pte_addr(*e));
	}
	if (t[pt_index(va, 1)] & PTE_P)
		panic("aspace: the first program's page 0x%lx mapped twice", va);
	t[pt_index(va, 1)] = pa | leaf_flags(rights);
	as->pages++;
}

/* Is `frame` one that may be mapped with `rights`? */
static long check_frame(u64 frame, u64 rights)
{
	if (!IS_ALIGNED(frame, PAGE_SIZE))
		return -KEEL_EINVAL;
	enum kmem_class c = kmem_classify(frame);
	if (c == KMEM_USER || (c == KMEM_MODULE && !(rights & KEEL_MAP_W)))
		return 0;
	return kmem_class_error(c); /* a module frame with W: EROLE */
}

long sys_map(u64 as_pa, u64 va, u64 frame, u64 rights)
{
	struct aspace *as = aspace_get(as_pa);
	pte_t *pte;
	int missing;
	long r;

	if (!as)
		return -KEEL_EBADOBJ;
	if ((r = check_va(va)) || (r = check_frame(frame, rights)))
		return r;
	if ((rights & ~(u64)(KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X)) || !(rights & KEEL_MAP_R))
		return -KEEL_EINVAL; /* x86 pages are always readable */
	if (!(pte = walk(as, va, &missing)))
		return missing_error(missing);
	if (*pte & PTE_P)
		return -KEEL_EEXIST;
	if ((r = kmem_map_ref(frame)))
		return r;
	*pte = frame | leaf_flags((u32)rights);
	as->pages++;
	return 0;
}

static bool cpu_bit(const u64 *mask, u32 cpu)
{
	return mask[cpu / 64] >> (cpu % 64) & 1;
}

/*
 * va's translation in `as` is gone: flush it wherever it may be cached.
 * A CPU running `as` flushes the page (an IPI for the others).  A CPU that
 * only keeps `as` under a PCID forgets that PCID instead: the next switch
 * there takes a fresh one, flushed when it is assigned.
 */
static void shootdown(struct aspace *as, u64 va)
{
	u32 me = this_cpu()->cpu, sent = 0;
	static u64 targets[PERCPU_MAX_CPUS / 64];

	memset(targets, 0, sizeof(targets));
	for (u32 c = 0; c < percpu_count; c++) {
		if (!cpu_bit(as->cpus, c))
			continue;
		if (percpu_of(c)->cur_as == as) {
			if (c == me)
				invlpg(va);
			else
				targets[c / 64] |= 1ull << (c % 64), sent++;
		} else {
			as->pcid[c] = 0;
			as->cpus[c / 64] &= ~(1ull << (c % 64));
		}
	}
	if (sent)
		tlb_shootdown_mask(targets, va, 1);
}

/*
 * The checks of SYS_UNMAP and SYS_LOOKUP: the present leaf entry for va in
 * the address space at as_pa, or NULL with the error in *err.
 */
static pte_t *mapped_leaf(u64 as_pa, u64 va, struct aspace **as, long *err)
{
	pte_t *pte;
	int missing;

	*err = 0;
	if (!(*as = aspace_get(as_pa)))
		*err = -KEEL_EBADOBJ;
	else if (!(*err = check_va(va)) && (!(pte = walk(*as, va, &missing)) || !(*pte & PTE_P)))
		*err = -KEEL_ENOENT;
	return *err ? NULL : pte;
}

long sys_unmap(u64 as_pa, u64 va)
{
	struct aspace *as;
	long r;
	pte_t *pte = mapped_leaf(as_pa, va, &as, &r);

	if (!pte)
		return r;
	u64 frame = pte_addr(*pte);
	*pte = 0;
	shootdown(as, va);
	kmem_map_unref(frame);
	as->pages--;
	return (long)frame;
}

long sys_lookup(u64 as_pa, u64 va)
{
	struct aspace *as;
	long r;
	pte_t *pte = mapped_leaf(as_pa, va, &as, &r);

	return pte ? (long)pte_addr(*pte) : r;
}

long sys_supply_table(u64 as_pa, u64 va, u64 level, u64 frame)
{
	struct aspace *as = aspace_get(as_pa);
	long r;

	if (!as)
		return -KEEL_EBADOBJ;
	if ((r = check_va(va)))
		return r;
	if (level < 1 || level > 3)
		return -KEEL_EINVAL;
	if ((r = kmem_check_free(frame)))
		return r;
	/* Down to the table that should point to the new one. */
	pte_t *t = phys_to_virt(as->pml4);
	for (int l = 4; l > (int)level + 1; l--) {
		pte_t e = t[pt_index(va, l)];
		if (!(e & PTE_P))
			return missing_error(l - 1);
		t = phys_to_virt(pte_addr(e));
	}
	pte_t *e = &t[pt_index(va, (int)level + 1)];
	if (*e & PTE_P)
		return -KEEL_EEXIST;
	kmem_object_make(frame, KOBJ_TABLE);
	*e = frame | PTE_P | PTE_W | PTE_U; /* rights are decided at the leaf */
	as->tables++;
	return 0;
}

long sys_as_create(u64 obj, u64 pml4)
{
	long r;

	if ((r = kmem_check_free(obj)) || (r = kmem_check_free(pml4)))
		return r;
	if (obj == pml4)
		return -KEEL_EINVAL;
	aspace_make(obj, pml4);
	return 0;
}

long sys_as_set_endpoint(u64 as_pa, u64 slot, u64 ep_pa, u64 rights)
{
	struct aspace *as = aspace_get(as_pa);
	struct endpoint *ep = NULL;

	if (!as)
		return -KEEL_EBADOBJ;
	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	if (ep_pa && !(ep = endpoint_get(ep_pa)))
		return -KEEL_EBADOBJ;
	if (rights & ~(u64)(KEEL_EP_SEND | KEEL_EP_RECV) || (ep && !rights))
		return -KEEL_EINVAL;
	if (as->slots[slot])
		as->slots[slot]->refs--;
	as->slots[slot] = ep;
	as->slot_rights[slot] = ep ? (u8)rights : 0;
	if (ep)
		ep->refs++;
	return 0;
}

/* Free the tables below t (a table at `level`), unreferencing leaves. */
static void free_tables(pte_t *t, int level)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (level == 1) {
			kmem_map_unref(pte_addr(t[i]));
			continue;
		}
		free_tables(phys_to_virt(pte_addr(t[i])), level - 1);
		kmem_object_free(pte_addr(t[i]));
	}
}

void aspace_destroy(struct aspace *as)
{
	pte_t *top = phys_to_virt(as->pml4);

	if (as->threads)
		panic("aspace: destroying an address space that %u thread(s) use", as->threads);
	for (u32 c = 0; c < percpu_count; c++)
		if (percpu_of(c)->cur_as == as)
			panic("aspace: destroying the address space cpu %u runs", c);
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		if (top[i] & PTE_P) {
			free_tables(phys_to_virt(pte_addr(top[i])), 3);
			kmem_object_free(pte_addr(top[i]));
		}
	for (unsigned s = 0; s < AS_ENDPOINT_SLOTS; s++)
		if (as->slots[s])
			as->slots[s]->refs--;
	kmem_object_free(as->pml4);
	kmem_object_free(kmem_object_phys(as));
}

void aspace_activate(struct aspace *as)
{
	struct percpu *pc = this_cpu();
	u32 me = pc->cpu;

	if (pc->cur_as == as)
		return;
	if (pc->cur_as && !aspace_pcid)
		pc->cur_as->cpus[me / 64] &= ~(1ull << (me % 64));
	pc->cur_as = as;
	if (!as) {
		write_cr3(kvspace_root);
		return;
	}
	as->cpus[me / 64] |= 1ull << (me % 64);
	if (!aspace_pcid) {
		write_cr3(as->pml4);
		return;
	}
	u32 tag = as->pcid[me];
	if (tag && tag >> 12 == pc->pcid_gen) {
		write_cr3(as->pml4 | (tag & (PCID_COUNT - 1)) | CR3_NOFLUSH);
		return;
	}
	if (pc->pcid_next == 0 || pc->pcid_next >= PCID_COUNT) {
		pc->pcid_gen++; /* every older tag on this CPU is stale now */
		pc->pcid_next = 1;
	}
	as->pcid[me] = pc->pcid_gen << 12 | pc->pcid_next;
	/* Without NOFLUSH: whatever this PCID held for its last owner goes. */
	write_cr3(as->pml4 | pc->pcid_next++);
}
