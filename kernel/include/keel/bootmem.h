/*
 * bootmem.h - the boot-time frame allocator (kernel/mm/bootmem.c).
 *
 * The kernel has no heap.  At boot it takes the frames for its own page
 * tables (and per-CPU data) from this allocator, which is a list of free
 * physical ranges made from the available RAM of the memory map minus
 * everything already in use (image, Multiboot2 information, modules, the
 * first megabyte).  Whatever is still free at the end is exactly what the
 * user-space pager will receive.  Pure logic: host-tested.
 */
#ifndef KEEL_BOOTMEM_H
#define KEEL_BOOTMEM_H

#include <keel/memmap.h>
#include <keel/range.h>
#include <keel/types.h>

#define BOOTMEM_MAX_RANGES (MEMMAP_MAX + 64)
#define BOOTMEM_FAIL	   (~(u64)0)

struct bootmem {
	struct range free[BOOTMEM_MAX_RANGES]; /* sorted, disjoint */
	size_t count;
	size_t dropped; /* ranges lost: the list was full, or bootmem_init
			     got entries out of order or overlapping */
	u64 allocated;	/* bytes handed out by bootmem_alloc() */
};

/*
 * Start from the MEMMAP_AVAILABLE entries of a sanitized map (sorted and
 * disjoint, as memmap_sanitize() returns it), each shrunk inwards to whole
 * 4 KiB frames.
 */
void bootmem_init(struct bootmem *bm, const struct memmap_entry *map, size_t n);

/*
 * Remove [base, base+len) from the free ranges (it holds something that must
 * not be handed out).  The range may cover any number of free ranges or
 * none; partial frames are removed whole.  Returns 0, or -1 if a split
 * needed a slot and the list was full (the range is then still removed, but
 * the free part that did not fit is dropped and counted in bm->dropped).
 */
int bootmem_reserve(struct bootmem *bm, u64 base, u64 len);

/*
 * Take `size` bytes (rounded up to whole frames) aligned to `align` (a power
 * of two, at least 4 KiB) from the lowest free range that has room, ending
 * at or below `limit`.  Returns the physical address, or BOOTMEM_FAIL.
 */
u64 bootmem_alloc(struct bootmem *bm, u64 size, u64 align, u64 limit);

/* Total bytes still free. */
u64 bootmem_free_bytes(const struct bootmem *bm);

#endif
