/*
 * memmap.h - the physical memory map, as the boot loader reported it and
 * as the kernel cleans it up (kernel/mm/memmap.c).  Pure logic: host-tested.
 */
#ifndef KEEL_MEMMAP_H
#define KEEL_MEMMAP_H

#include <keel/types.h>

/* Types as in the Multiboot2 memory map (the same numbers as E820). */
enum memmap_type {
	MEMMAP_AVAILABLE = 1,
	MEMMAP_RESERVED = 2,
	MEMMAP_ACPI_RECLAIMABLE = 3,
	MEMMAP_ACPI_NVS = 4,
	MEMMAP_BAD = 5,
};

struct memmap_entry {
	u64 base;
	u64 length;
	u32 type; /* enum memmap_type; anything else is treated as reserved */
};

/* Most raw entries the kernel keeps; firmware maps can have hundreds. */
#define MEMMAP_MAX_RAW 1024
/* Most entries after cleaning: overlaps can split entries (at most 2n-1). */
#define MEMMAP_MAX     (2 * MEMMAP_MAX_RAW)

/* What memmap_sanitize() found wrong with its input. */
struct memmap_report {
	size_t unsorted;  /* entries that started below their predecessor */
	size_t overlaps;  /* pairs of entries sharing a byte (touching is fine) */
	size_t empty;	  /* zero-length entries dropped */
	size_t wrapped;	  /* entries reaching 2^64, clipped to end below it */
	size_t unknown;	  /* entries of an unknown type (kept as reserved) */
	size_t truncated; /* entries lost: inputs past MEMMAP_MAX_RAW, and
			      outputs that did not fit `cap` */
};

/*
 * memmap_sanitize - turn a raw map into a sorted list of non-overlapping,
 * non-adjacent-with-the-same-type ranges.  Where entries overlap, the most
 * restrictive type wins (bad > reserved/unknown > ACPI NVS > ACPI
 * reclaimable > available), so RAM is never claimed where firmware said
 * otherwise.  Unknown types become MEMMAP_RESERVED.  Writes at most `cap`
 * entries to `out` and returns how many; never reads past in[n-1].
 * `rep` (may be NULL) receives the counts of what was wrong.
 * Not reentrant: it sorts in a static scratch array (boot only).
 */
size_t memmap_sanitize(const struct memmap_entry *in, size_t n, struct memmap_entry *out,
		       size_t cap, struct memmap_report *rep);

/* Is this type memory the kernel direct-maps as write-back RAM? */
bool memmap_is_ram(u32 type);

/* A printable name for a type ("available", "reserved", ...). */
const char *memmap_type_name(u32 type);

#endif
