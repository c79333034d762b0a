/*
 * ptcheck.h - the running kernel checks its own page tables against the
 * layout and the memory map (kernel/arch/x86_64/ptcheck.c).
 */
#ifndef ARCH_PTCHECK_H
#define ARCH_PTCHECK_H

#include <keel/layout.h>
#include <keel/memmap.h>

/* What is mapped in one layout region. */
struct ptcheck_region_stats {
	u64 bytes;
	u64 pages[3]; /* 4K, 2M, 1G */
};

struct ptcheck_stats {
	struct ptcheck_region_stats region[LAYOUT_REGION_COUNT];
	u64 outside; /* leaves outside every region */
};

/* Walk the live kernel tables and count what each region maps. */
void ptcheck_collect(struct ptcheck_stats *st);

/*
 * Check the live tables: nothing in the user half, every leaf inside a
 * region, no user bit, W^X, the image's section permissions, the guard
 * pages unmapped, every whole RAM page direct-mapped write-back, and
 * nothing else direct-mapped but the kernel's device pages, uncached.
 * Returns NULL or a description of the first violation.
 */
const char *ptcheck_verify(const struct memmap_entry *map, size_t n);

#endif
