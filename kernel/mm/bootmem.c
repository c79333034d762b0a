/*
 * bootmem.c - the boot-time frame allocator.
 *
 * A sorted array of disjoint, non-touching free ranges [base, end), each a
 * whole number of 4 KiB frames.  Allocation takes the lowest address that
 * fits (first fit in address order); reservation cuts a range out of
 * whatever free ranges it touches.  Both can need one extra slot to split a
 * range; when the array is full one side of the split is given up instead
 * (see each function) and counted in bm->dropped.
 */
#include <keel/bootmem.h>
#include <keel/layout.h>
#include <keel/memmap.h>
#include <common/string.h>
#include <keel/types.h>

#define BOOTMEM_TOP ALIGN_DOWN(UINT64_MAX, PAGE_SIZE) /* last frame end */

/* Make room at index i (shifting i.. up); the caller checked there is room. */
static void bootmem_insert(struct bootmem *bm, size_t i, u64 base, u64 end)
{
	memmove(&bm->free[i + 1], &bm->free[i], (bm->count - i) * sizeof(bm->free[0]));
	bm->free[i].base = base;
	bm->free[i].end = end;
	bm->count++;
}

/* Remove ranges [i, j). */
static void bootmem_remove(struct bootmem *bm, size_t i, size_t j)
{
	if (i >= j)
		return;
	memmove(&bm->free[i], &bm->free[j], (bm->count - j) * sizeof(bm->free[0]));
	bm->count -= j - i;
}

/*
 * Append [base, end) at the top of the list.  Input that touches the last
 * range is merged with it; input that is out of order, or finds the list
 * full, is dropped and counted (a sanitized map never does either).
 */
static void bootmem_append(struct bootmem *bm, u64 base, u64 end)
{
	struct range *last = NULL;

	if (bm->count)
		last = &bm->free[bm->count - 1];
	if (last && base < last->end) {
		bm->dropped++;
		return;
	}
	if (last && base == last->end) {
		last->end = end;
		return;
	}
	if (bm->count >= BOOTMEM_MAX_RANGES) {
		bm->dropped++;
		return;
	}
	bm->free[bm->count].base = base;
	bm->free[bm->count].end = end;
	bm->count++;
}

void bootmem_init(struct bootmem *bm, const struct memmap_entry *map, size_t n)
{
	size_t i;

	bm->count = 0;
	bm->dropped = 0;
	bm->allocated = 0;
	for (i = 0; i < n; i++) {
		const struct memmap_entry *e = &map[i];
		u64 base, end;

		if (e->type != MEMMAP_AVAILABLE || e->length == 0)
			continue;
		if (e->base > BOOTMEM_TOP)
			continue; /* no whole frame can start here */
		base = ALIGN_UP(e->base, PAGE_SIZE);
		if (e->length > UINT64_MAX - e->base)
			end = BOOTMEM_TOP;
		else
			end = ALIGN_DOWN(e->base + e->length, PAGE_SIZE);
		if (base < end)
			bootmem_append(bm, base, end);
	}
}

/*
 * Cut [rs, re) (frame-aligned, rs < re) out of the free ranges.  When a
 * range strictly contains it and the list is full, the part above re is
 * the one dropped.
 */
static int bootmem_cut(struct bootmem *bm, u64 rs, u64 re)
{
	size_t i = range_first_above(bm->free, bm->count, rs), j;
	struct range *r;

	if (i == bm->count)
		return 0;
	r = &bm->free[i];
	if (r->base < rs && r->end > re) {
		u64 tail_end = r->end;

		r->end = rs;
		if (bm->count >= BOOTMEM_MAX_RANGES) {
			bm->dropped++;
			return -1;
		}
		bootmem_insert(bm, i + 1, re, tail_end);
		return 0;
	}
	if (r->base < rs) {
		r->end = rs; /* keeps its head; r->end <= re here */
		i++;
	}
	for (j = i; j < bm->count && bm->free[j].end <= re; j++)
		;
	bootmem_remove(bm, i, j);
	if (i < bm->count && bm->free[i].base < re)
		bm->free[i].base = re;
	return 0;
}

int bootmem_reserve(struct bootmem *bm, u64 base, u64 len)
{
	u64 rs, re;

	if (len == 0)
		return 0;
	rs = ALIGN_DOWN(base, PAGE_SIZE);
	if (len > UINT64_MAX - base || base + len > BOOTMEM_TOP)
		re = UINT64_MAX; /* to the top: above every free range */
	else
		re = ALIGN_UP(base + len, PAGE_SIZE);
	return bootmem_cut(bm, rs, re);
}

/*
 * Take [start, start + size) out of range i, which contains it.  If a head
 * and a tail both remain and the list is full, the head is dropped.
 */
static void bootmem_take(struct bootmem *bm, size_t i, u64 start, u64 size)
{
	struct range *r = &bm->free[i];
	u64 end = start + size;

	if (start == r->base && end == r->end) {
		bootmem_remove(bm, i, i + 1);
	} else if (start == r->base) {
		r->base = end;
	} else if (end == r->end) {
		r->end = start;
	} else if (bm->count >= BOOTMEM_MAX_RANGES) {
		r->base = end;
		bm->dropped++;
	} else {
		u64 tail_end = r->end;

		r->end = start;
		bootmem_insert(bm, i + 1, end, tail_end);
	}
}

u64 bootmem_alloc(struct bootmem *bm, u64 size, u64 align, u64 limit)
{
	size_t i;

	if (size == 0 || size > BOOTMEM_TOP || align == 0 || (align & (align - 1)))
		return BOOTMEM_FAIL;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	size = ALIGN_UP(size, PAGE_SIZE);

	for (i = 0; i < bm->count; i++) {
		const struct range *r = &bm->free[i];
		u64 start;

		if (r->base > UINT64_MAX - (align - 1))
			break; /* no aligned start at or above here */
		start = ALIGN_UP(r->base, align);
		if (start >= r->end || r->end - start < size)
			continue;
		/* Later starts are only higher: a miss on limit is final. */
		if (start + size > limit)
			break;
		bootmem_take(bm, i, start, size);
		bm->allocated += size;
		return start;
	}
	return BOOTMEM_FAIL;
}

u64 bootmem_free_bytes(const struct bootmem *bm)
{
	u64 sum = 0;
	size_t i;

	for (i = 0; i < bm->count; i++)
		sum += bm->free[i].end - bm->free[i].base;
	return sum;
}
