/*
 * range.h - sorted lists of physical address ranges, and finding an
 * address in them (kernel/lib/range.c).  The boot allocator's free list
 * (bootmem.c) and the frame roles (frames.c) are such lists; each keeps
 * its own rules for changing them.  Pure logic: host-tested.
 */
#ifndef KEEL_RANGE_H
#define KEEL_RANGE_H

#include <keel/types.h>

struct range {
	u64 base, end; /* [base, end) */
};

/*
 * In r[0..n), sorted by base: the number of ranges whose base is <= addr,
 * i.e. where a range starting at addr would be inserted after its equals.
 * O(log n).
 */
size_t range_upto(const struct range *r, size_t n, u64 addr);

/*
 * In r[0..n), sorted and disjoint: the index of the first range that ends
 * above addr (the one holding it, or the next one), or n.  O(log n).
 */
size_t range_first_above(const struct range *r, size_t n, u64 addr);

/* In r[0..n), sorted and disjoint: the index of the range holding addr, or n. */
size_t range_find(const struct range *r, size_t n, u64 addr);

#endif
