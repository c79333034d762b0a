/*
 * region.c - a process's own memory, as regions: each loadable segment,
 * its stack and IPC buffer (PAGER_FIXED), and each allocation.  The
 * regions are kept sorted and disjoint, so that the fault path finds one
 * by binary search.  Each keeps its count of backed pages, so that no
 * request ever looks pages up to count them, and unbacking stops as soon
 * as the count says nothing is left.
 */
#include "pager.h"
#include "fmt.h"
#include "keel.h"
#include "str.h"

/* The index of the first region that ends above va. */
static int region_index(struct process *pr, unsigned long va)
{
	int lo = 0, hi = pr->nregions;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (pr->regions[mid].va + pr->regions[mid].size <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The region holding va, or 0.  The last region found is tried first:
 * faults come in runs through one region, and the fault path is measured
 * (make bench).
 */
struct region *region_at(struct process *pr, unsigned long va)
{
	int i = pr->hint;

	if (i < pr->nregions && va - pr->regions[i].va < pr->regions[i].size)
		return &pr->regions[i];
	i = region_index(pr, va);
	if (i < pr->nregions && pr->regions[i].va <= va) {
		pr->hint = i;
		return &pr->regions[i];
	}
	return 0;
}

/* The region at exactly [va, va + size), or 0. */
struct region *region_exact(struct process *pr, unsigned long va, unsigned long size)
{
	struct region *r = region_at(pr, va);

	return r && r->va == va && r->size == size ? r : 0;
}

/* Does [va, va + size) (not wrapping) meet a region? */
int region_overlaps(struct process *pr, unsigned long va, unsigned long size)
{
	int i = region_index(pr, va);

	return i < pr->nregions && pr->regions[i].va < va + size;
}

/* Insert r (disjoint from the others): 0, or KEEL_EFULL. */
long region_insert(struct process *pr, const struct region *r)
{
	if (pr->nregions == MAX_REGIONS)
		return KEEL_EFULL;
	int i = region_index(pr, r->va);
	memmove(&pr->regions[i + 1], &pr->regions[i],
		(unsigned long)(pr->nregions - i) * sizeof(*r));
	pr->regions[i] = *r;
	pr->nregions++;
	pr->hint = 0; /* the indices moved */
	return 0;
}

static void region_remove(struct process *pr, struct region *r)
{
	long i = r - pr->regions;

	memmove(r, r + 1, (unsigned long)(pr->nregions - i - 1) * sizeof(*r));
	pr->nregions--;
	pr->hint = 0; /* the indices moved */
}

#define LARGE	    KEEL_LARGE_SIZE
#define LARGE_PAGES (LARGE / PAGE_SIZE)

/* Does the 2 MB block at va lie wholly inside r? */
static int holds_block(const struct region *r, unsigned long va)
{
	return va % LARGE == 0 && va >= r->va && va + LARGE <= r->va + r->size;
}

/*
 * Back the 2 MB block at va with one 2 MB page, cleared by the kernel: 0,
 * or -1 if it cannot be (no free 2 MB run, or 4 KB pages are there
 * already: then the region gets only 4 KB pages from now on).
 */
static int back_large(struct process *pr, struct region *r, unsigned long va)
{
	unsigned long run = r->small ? 0 : run_alloc(LARGE);

	if (run && !map_page(&pr->pool, pr->p.as, va, run,
			     (r->flags & 7) | KEEL_MAP_ZERO | KEEL_MAP_LARGE)) {
		r->backed += LARGE_PAGES;
		pr->backed += LARGE_PAGES;
		return 0;
	}
	if (run)
		run_free(run, LARGE_PAGES);
	r->small = 1;
	return -1;
}

/*
 * Back the page at `page` of a region with a zeroed frame: 0 or
 * KEEL_ENOMEM.  The pager decides the page size: a fault in a 2 MB block
 * that lies wholly inside the region gets one 2 MB page for the block
 * (the TLB then holds the block in one entry, and the fault and the map
 * happen once for 512 pages); anything else a 4 KB page.
 */
long region_back(struct process *pr, struct region *r, unsigned long page, struct fault_map *fm)
{
	unsigned long block = page & ~(LARGE - 1);

	if (holds_block(r, block) && !r->small && !back_large(pr, r, block))
		return 0;
	unsigned long f = frame_alloc();
	/* The kernel clears it as it maps it: no window, no second TLB flush. */
	unsigned long rights = (r->flags & 7) | KEEL_MAP_ZERO;

	if (!f)
		return KEEL_ENOMEM;
	if (fm) {
		*fm = (struct fault_map){ f, page, rights, r };
	} else if (map_page(&pr->pool, pr->p.as, page, f, rights)) {
		frame_free(f);
		return KEEL_ENOMEM;
	}
	r->backed++;
	pr->backed++;
	return 0;
}

void region_unback_page(struct process *pr, const struct fault_map *fm)
{
	fm->r->backed--;
	pr->backed--;
	frame_free(fm->frame);
}

/*
 * Unmap every backed page of r and free its frames (nothing else maps
 * them: shares of r are revoked first).  Stops when r's count reaches 0.
 */
void region_unback(struct process *pr, struct region *r)
{
	/* The kernel puts the frames it unmapped in our IPC buffer (nothing else is there now). */
	const unsigned long *frames = (const unsigned long *)bi->ipc_buffer;

	for (unsigned long a = r->va; r->backed && a < r->va + r->size;) {
		/* To the next 2 MB boundary: a range never cuts a 2 MB page. */
		unsigned long end = (a & ~(LARGE - 1)) + LARGE;
		if (end > r->va + r->size)
			end = r->va + r->size;
		unsigned long pages = (end - a) / PAGE_SIZE; /* <= KEEL_UNMAP_MAX */
		long n = keel_unmap_range(pr->p.as, a, pages, mem_cap());
		if (n > 0) {
			frames_free(frames, (unsigned long)n); /* neighbours go back as blocks */
			r->backed -= (unsigned long)n;
			pr->backed -= (unsigned long)n;
		}
		if (n < 0) {
			print_fmt("[pager] process %lu: unmapping 0x%lx failed: %ld\n", pr->badge,
				  a, n);
			return;
		}
		a += pages * PAGE_SIZE;
	}
}

/*
 * Back pages of r from va on with one physically contiguous run, mapped
 * with one SYS_MAP_RANGE and cleared by the kernel: as many pages as the
 * largest run that is free and fits before the region's end or the next
 * 2 MB boundary (where a 2 MB page may go).  How many it backed, or 0 if
 * not even one frame is free.
 */
static unsigned long back_run(struct process *pr, struct region *r, unsigned long va)
{
	unsigned long end = r->va + r->size, boundary = (va & ~(LARGE - 1)) + LARGE;
	unsigned long limit = ((boundary < end ? boundary : end) - va) / PAGE_SIZE, pages = 1;

	while (pages * 2 <= limit)
		pages *= 2;
	for (; pages; pages /= 2) {
		unsigned long run = run_alloc(pages * PAGE_SIZE);
		if (!run)
			continue;
		if (map_range(&pr->pool, pr->p.as, va, run, pages,
			      (r->flags & 7) | KEEL_MAP_ZERO)) {
			run_free(run, pages);
			return 0;
		}
		r->backed += pages;
		pr->backed += pages;
		return pages;
	}
	return 0;
}

/* Back all of a new region now (PAGER_EAGER or PAGER_CONTIG): 0 or KEEL_ENOMEM. */
static long region_fill(struct process *pr, struct region *r, unsigned long *phys)
{
	if (!(r->flags & PAGER_CONTIG)) {
		for (unsigned long a = r->va; a < r->va + r->size;) {
			if (holds_block(r, a) && !r->small && !back_large(pr, r, a)) {
				a += LARGE;
				continue;
			}
			unsigned long n = back_run(pr, r, a);
			if (!n)
				return KEEL_ENOMEM;
			a += n * PAGE_SIZE;
		}
		return 0;
	}
	unsigned long run = run_alloc(r->size);
	if (!run)
		return KEEL_ENOMEM;
	for (unsigned long off = 0, step; off < r->size; off += step) {
		/* 2 MB pages where the run and the addresses allow, else one range to the next. */
		unsigned long va = r->va + off, boundary = (va & ~(LARGE - 1)) + LARGE;
		int large = holds_block(r, va) && (run + off) % LARGE == 0;
		long e;
		step =
		    large ? LARGE : (boundary < r->va + r->size ? boundary : r->va + r->size) - va;
		if (large)
			e = map_page(&pr->pool, pr->p.as, va, run + off,
				     (r->flags & 7) | KEEL_MAP_ZERO | KEEL_MAP_LARGE);
		else
			e = map_range(&pr->pool, pr->p.as, va, run + off, step / PAGE_SIZE,
				      (r->flags & 7) | KEEL_MAP_ZERO);
		if (e) {
			for (unsigned long rest = off; rest < r->size; rest += PAGE_SIZE)
				frame_free(run + rest); /* the caller unbacks the rest */
			return KEEL_ENOMEM;
		}
		r->backed += step / PAGE_SIZE;
		pr->backed += step / PAGE_SIZE;
	}
	*phys = run; /* an offset in mem_cap(), whose base is 0: the physical address */
	return 0;
}

long region_alloc(struct process *pr, unsigned long va, unsigned long size, unsigned long flags,
		  unsigned long *out)
{
	if (!size || size % PAGE_SIZE || size > PAGER_MAX_ALLOC || va % PAGE_SIZE)
		return KEEL_EINVAL;
	if (flags & ~(unsigned long)(KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X | PAGER_EAGER |
				     PAGER_CONTIG) ||
	    !(flags & KEEL_MAP_R))
		return KEEL_EINVAL;
	if ((flags & PAGER_CONTIG) && (size & (size - 1)))
		return KEEL_EINVAL; /* a run is a power of two pages */
	int chosen = !va;
	if (chosen) /* 2 MB-aligned if it can hold a 2 MB page */
		va = size >= LARGE ? (pr->next_va + LARGE - 1) & ~(LARGE - 1) : pr->next_va;
	if (va + size < va || va + size > KEEL_USER_TOP)
		return KEEL_EFAULT;
	if (va < PAGER_SHARE_TOP && PAGER_SHARE_BASE < va + size)
		return KEEL_EFAULT; /* the window for shared-in memory */
	if (region_overlaps(pr, va, size))
		return KEEL_EEXIST;
	if (size > pr->quota - proc_charged(pr))
		return KEEL_EQUOTA;
	if (pr->nallocs == PAGER_MAX_ALLOCS)
		return KEEL_EFULL;
	struct region r = { va, size, 0, (unsigned)flags, 0, 0 };
	if (region_insert(pr, &r))
		return KEEL_EFULL; /* cannot happen: the allocations have their room */
	struct region *in = region_at(pr, va);
	if ((flags & (PAGER_EAGER | PAGER_CONTIG)) && region_fill(pr, in, &out[1])) {
		region_unback(pr, in);
		region_remove(pr, in);
		return KEEL_ENOMEM;
	}
	pr->nallocs++;
	pr->reserved += size;
	if (chosen)
		pr->next_va += size + PAGE_SIZE; /* a hole between allocations */
	out[0] = va;
	return 0;
}

long region_free(struct process *pr, unsigned long va, unsigned long size)
{
	struct region *r = region_exact(pr, va, size);

	if (!r)
		return share_free(pr, va, size); /* memory shared into it, or ENOENT */
	if (r->flags & PAGER_FIXED)
		return KEEL_EINVAL;
	if (r->shares)
		share_revoke(pr, va, 0);
	region_unback(pr, r);
	pr->reserved -= size;
	pr->nallocs--;
	region_remove(pr, r);
	return 0;
}

/* PAGER_PROTECT of the 2 MB page at va: 0, or -1 if it is lost (then unbacked). */
static int reprotect_large(struct process *pr, struct region *r, unsigned long va,
			   unsigned long rights)
{
	const unsigned long *frames = (const unsigned long *)bi->ipc_buffer;

	if (keel_unmap_range(pr->p.as, va, LARGE_PAGES, mem_cap()) != (long)LARGE_PAGES)
		return -1;
	unsigned long run = frames[0];
	if (map_page(&pr->pool, pr->p.as, va, run, rights | KEEL_MAP_LARGE)) {
		run_free(run, LARGE_PAGES); /* the tables were there: unlikely */
		r->backed -= LARGE_PAGES;
		pr->backed -= LARGE_PAGES;
		return -1;
	}
	return 0;
}

long region_protect(struct process *pr, unsigned long va, unsigned long size, unsigned long rights)
{
	struct region *r = region_exact(pr, va, size);

	if (!r)
		return KEEL_ENOENT;
	if (rights & ~7ul || !(rights & KEEL_MAP_R) || (r->flags & PAGER_FIXED))
		return KEEL_EINVAL;
	if (r->shares)
		return KEEL_EBUSY; /* the other side's rights were checked against the old ones */
	r->flags = (r->flags & ~7u) | (unsigned)rights;
	unsigned long left = r->backed;
	for (unsigned long a = va; left && a < va + size; a += PAGE_SIZE) {
		/* The kernel shoots the old rights down. */
		long f = keel_unmap(pr->p.as, a, mem_cap());
		if (f == -KEEL_EINVAL) { /* a 2 MB page: taken whole, mapped again whole */
			if (reprotect_large(pr, r, a, rights) == 0)
				left -= left < LARGE_PAGES ? left : LARGE_PAGES;
			a += LARGE - PAGE_SIZE;
			continue;
		}
		if (f < 0)
			continue;
		left--;
		if (map_page(&pr->pool, pr->p.as, a, (unsigned long)f, rights)) {
			frame_free((unsigned long)f); /* the tables were there: unlikely */
			r->backed--;
			pr->backed--;
		}
	}
	return 0;
}

long region_query(struct process *pr, unsigned long va, unsigned long *out)
{
	struct region *r = region_at(pr, va & ~PAGE_MASK);
	struct shared_in *s;

	if (r) {
		out[0] = r->va;
		out[1] = r->size;
		out[2] = r->flags;
		out[3] = r->backed * PAGE_SIZE;
		return 0;
	}
	if ((s = share_at(pr, va & ~PAGE_MASK))) {
		out[0] = s->va;
		out[1] = s->size;
		out[2] = s->rights | PAGER_SHARED;
		out[3] = s->size; /* mapped whole */
		return 0;
	}
	return KEEL_ENOENT;
}

static const char *access_name(unsigned long code)
{
	unsigned long e = code & 0xffffffff;

	if (e & KEEL_FAULT_FETCH)
		return "fetch";
	return (e & KEEL_FAULT_WRITE) ? "write" : "read";
}

/* A fault: 1 if it was served (resume the thread), 0 if it kills. */
int region_fault(struct process *pr, unsigned long addr, unsigned long code, unsigned long rip,
		 struct fault_map *fm)
{
	unsigned long page = addr & ~PAGE_MASK, err = code & 0xffffffff;
	struct region *r = region_at(pr, page);
	const char *why = "not allocated";

	if ((code >> 32) != KEEL_VECTOR_PF)
		why = "a CPU exception";
	else if (!r && share_at(pr, page))
		why = "not allowed by the share's rights";
	else if (r && (r->flags & PAGER_FIXED))
		why = "not allowed in its image, stack or IPC buffer";
	else if (r && (err & KEEL_FAULT_PRESENT))
		why = "not allowed by the allocation's rights";
	else if (r && (err & KEEL_FAULT_WRITE) && !(r->flags & KEEL_MAP_W))
		why = "a write to read-only memory";
	else if (r && (err & KEEL_FAULT_FETCH) && !(r->flags & KEEL_MAP_X))
		why = "a fetch from memory that is not executable";
	else if (r && region_back(pr, r, page, fm) == 0)
		return 1;
	else if (r)
		why = "out of memory";
	print_fmt("[pager] killed process %lu (%s): %s at 0x%lx, rip 0x%lx (%s)\n", pr->badge,
		  pr->name, access_name(code), addr, rip, why);
	return 0;
}
