/*
 * aspace.h - user address spaces, the kernel object
 * (kernel/object/aspace.c): its lifetime, its capability table, and the
 * map, unmap, lookup and supply-table calls.  The page tables, PCIDs and
 * shoot-downs under it are the architecture's (arch/vspace.h).
 *
 * An address space is three frames: this struct, its capability space
 * (KEEL_CAP_SLOTS capabilities, keel/cap.h), and its PML4.  Lower-level
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
struct thread;

struct aspace {
	u64 gen;	  /* its generation (capabilities must match it) */
	struct vspace vs; /* its page tables and where they are cached */
	u32 threads;	  /* threads that run in it */
	u32 tables;	  /* page-table frames it owns, the PML4 included */
	u64 pages;	  /* 4 KB pages mapped */
	bool had_device;  /* a device page was mapped once: range unmaps check each page */
	struct cap *caps; /* its capability space: a frame (keel/cap.h) */
};
_Static_assert(sizeof(struct aspace) <= PAGE_SIZE, "an address space object is one frame");
_Static_assert(KEEL_CAP_SLOTS * sizeof(struct cap) <= PAGE_SIZE, "a capability space is one frame");

/* Make an address space in three checked free frames. */
struct aspace *aspace_make(u64 obj, u64 pml4, u64 cspace);
/* Boot: map a page for the first program, tables from the boot chunk. */
void aspace_boot_map(struct aspace *as, u64 va, u64 pa, u32 rights);

/* Run `as` on this CPU, pc (NULL: the kernel's tables only). */
static inline void aspace_activate(struct percpu *pc, struct aspace *as)
{
	vspace_activate(pc, as ? &as->vs : NULL);
}

/* Free every table and mapping, then the object (no thread uses it). */
void aspace_destroy(struct aspace *as);
/* SYS_DESTROY of an address space: EBUSY while a thread runs in it. */
long aspace_destroy_checked(struct aspace *as);

/* The calls' apply halves; syscall_decode (keel/decode.h) decoded their arguments. */
struct sysreq; /* keel/decode.h */
long sys_as_create(struct thread *cur, const struct sysreq *rq);
long sys_map(struct thread *cur, const struct sysreq *rq);
long sys_unmap(struct thread *cur, const struct sysreq *rq);
long sys_lookup(struct thread *cur, const struct sysreq *rq);
long sys_unmap_range(struct thread *cur, const struct sysreq *rq);
long sys_map_range(struct thread *cur, const struct sysreq *rq);
long sys_supply_table(struct thread *cur, const struct sysreq *rq);
long sys_map_device(struct thread *cur, const struct sysreq *rq);

#endif
