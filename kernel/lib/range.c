/*
 * range.c - finding an address in a sorted range list (see keel/range.h).
 * One binary search; the other two questions follow from it.
 */
#include <keel/range.h>

size_t range_upto(const struct range *r, size_t n, u64 addr)
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

size_t range_first_above(const struct range *r, size_t n, u64 addr)
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

size_t range_find(const struct range *r, size_t n, u64 addr)
{
	size_t i = range_first_above(r, n, addr);

	return i < n && r[i].base <= addr ? i : n;
}
