/*
 * aspace.h - user address spaces, the kernel object
 * (kernel/object/aspace.c): its lifetime, its capability table, and the
 * map, unmap, lookup and supply-table calls.  The page tables, PCIDs and
 * shoot-downs under it are the architecture's (arch/vspace.h).
 *
 * An address space is two frames: this struct, with its capability table,
 * and its PML4.  Lower-level
 * tables are frames the pager supplies (SYS_SUPPLY_TABLE) when SYS_MAP
 * reports one missing.  User mappings are 4 KB pages.
 */
#ifndef KEEL_ASPACE_H
#define KEEL_ASPACE_H

#include <abi/syscall.h>
#include <arch/vspace.h>
#include <keel/cap.h>
#include <keel/types.h>

struct endpoint;

struct aspace {
	struct vspace vs;		    /* its page tables and where they are cached */
	u32 threads;			    /* threads that run in it */
	u32 tables;			    /* page-table frames it owns, the PML4 included */
	u64 pages;			    /* 4 KB pages mapped */
	struct cap caps[AS_ENDPOINT_SLOTS]; /* its capability table (keel/cap.h) */
};
_Static_assert(sizeof(struct aspace) <= PAGE_SIZE, "an address space object is one frame");

struct aspace *aspace_get(u64 pa);
/* Make an address space in two checked free frames. */
struct aspace *aspace_make(u64 obj, u64 pml4);
/* Boot: map a page for the first program, tables from the boot chunk. */
void aspace_boot_map(struct aspace *as, u64 va, u64 pa, u32 rights);

/* Run `as` on this CPU (NULL: the kernel's tables only). */
static inline void aspace_activate(struct aspace *as)
{
	vspace_activate(as ? &as->vs : NULL);
}

/* Free every table and mapping, then the object (no thread uses it). */
void aspace_destroy(struct aspace *as);

long sys_as_create(u64 obj, u64 pml4);
long sys_map(u64 as, u64 va, u64 frame, u64 rights);
long sys_unmap(u64 as, u64 va);
long sys_lookup(u64 as, u64 va);
long sys_supply_table(u64 as, u64 va, u64 level, u64 frame);
long sys_as_set_endpoint(u64 as, u64 slot, u64 ep, u64 rights, u64 badge);

#endif
