/*
 * range.h - sorted lists of physical address ranges, and finding an
 * address in them.  The boot allocator's free list
 * (bootmem.c) and the frame roles (frames.c) are such lists; each keeps
 * its own rules for changing them.  Pure logic: host-tested.  Inline:
 * frames.c classifies a frame on every map and unmap.
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
static inline size_t range_upto(const struct range *r, size_t n, u64 addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * In r[0..n), sorted and disjoint: the index of the first range that ends
 * above addr (the one holding it, or the next one), or n.  O(log n).
 */
static inline size_t range_first_above(const struct range *r, size_t n, u64 addr)
{
	size_t i = range_upto(r, n, addr);

	/*
	 * The ranges from i on start above addr, so they end above it; of the
	 * ones before, only the last can (each ends where the next starts, or
	 * below).
	 */
	if (i && addr < r[i - 1].end)
		return i - 1;
	return i;
}

/* In r[0..n), sorted and disjoint: the index of the range holding addr, or n. */
static inline size_t range_find(const struct range *r, size_t n, u64 addr)
{
	size_t i = range_first_above(r, n, addr);

	return i < n && r[i].base <= addr ? i : n;
}

#endif
