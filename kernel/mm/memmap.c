/*
 * memmap.c - cleaning up the firmware's physical memory map.
 *
 * memmap_sanitize() is a boundary sweep: each usable input entry becomes a
 * start and an end event; the events are sorted by address (heapsort, in a
 * static scratch array, no allocation, no recursion); walking them keeps a
 * count of the open entries of each type, and between two consecutive event
 * addresses the most restrictive open type is the type of that piece of
 * memory.  Pieces are emitted in address order and merged with the previous
 * one when they touch it and have the same type.
 *
 * The scratch array makes memmap_sanitize() non-reentrant: it is meant for
 * the single-threaded boot path (and host tests).
 */
#include <keel/memmap.h>
#include <common/string.h>
#include <keel/types.h>

/*
 * Ranks, least to most restrictive.  Where entries overlap the highest
 * rank wins.  Unknown types rank as reserved.
 */
enum memmap_rank {
	MEMMAP_RANK_AVAILABLE,
	MEMMAP_RANK_ACPI_RECLAIMABLE,
	MEMMAP_RANK_ACPI_NVS,
	MEMMAP_RANK_RESERVED,
	MEMMAP_RANK_BAD,
	MEMMAP_NR_RANKS,
};

static const u32 memmap_rank_type[MEMMAP_NR_RANKS] = {
	[MEMMAP_RANK_AVAILABLE] = MEMMAP_AVAILABLE,
	[MEMMAP_RANK_ACPI_RECLAIMABLE] = MEMMAP_ACPI_RECLAIMABLE,
	[MEMMAP_RANK_ACPI_NVS] = MEMMAP_ACPI_NVS,
	[MEMMAP_RANK_RESERVED] = MEMMAP_RESERVED,
	[MEMMAP_RANK_BAD] = MEMMAP_BAD,
};

/* An entry opening (start = 1) or closing (start = 0) at addr. */
struct memmap_event {
	u64 addr;
	u32 start;
	u32 rank;
};

/* Two events per raw entry: 32 KiB of .bss. */
static struct memmap_event memmap_events[2 * MEMMAP_MAX_RAW];

/* Where the sweep writes, with the piece not yet written (for merging). */
struct memmap_sink {
	struct memmap_entry *out;
	size_t cap;
	size_t count;
	size_t lost; /* pieces that found no room in out */
	struct memmap_entry cur;
	bool have_cur;
};

/* Rank of a type; *unknown is set when the type is not one we know. */
static u32 memmap_rank_of(u32 type, bool *unknown)
{
	*unknown = false;
	switch (type) {
	case MEMMAP_AVAILABLE:
		return MEMMAP_RANK_AVAILABLE;
	case MEMMAP_ACPI_RECLAIMABLE:
		return MEMMAP_RANK_ACPI_RECLAIMABLE;
	case MEMMAP_ACPI_NVS:
		return MEMMAP_RANK_ACPI_NVS;
	case MEMMAP_RESERVED:
		return MEMMAP_RANK_RESERVED;
	case MEMMAP_BAD:
		return MEMMAP_RANK_BAD;
	default:
		*unknown = true;
		return MEMMAP_RANK_RESERVED;
	}
}

/*
 * Sort order: by address; at the same address ends before starts, so that
 * entries that merely touch are never open at the same time.
 */
static bool memmap_event_less(const struct memmap_event *a, const struct memmap_event *b)
{
	if (a->addr != b->addr)
		return a->addr < b->addr;
	return a->start < b->start;
}

static void memmap_event_swap(struct memmap_event *a, struct memmap_event *b)
{
	struct memmap_event t = *a;

	*a = *b;
	*b = t;
}

/* Restore the max-heap property below `root` in ev[0..n). */
static void memmap_sift_down(struct memmap_event *ev, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && memmap_event_less(&ev[child], &ev[child + 1]))
			child++;
		if (!memmap_event_less(&ev[root], &ev[child]))
			return;
		memmap_event_swap(&ev[root], &ev[child]);
		root = child;
	}
}

/* In-place heapsort: O(n log n), no recursion, no extra memory. */
static void memmap_sort_events(struct memmap_event *ev, size_t n)
{
	size_t i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		memmap_sift_down(ev, i, n);
	for (i = n - 1; i > 0; i--) {
		memmap_event_swap(&ev[0], &ev[i]);
		memmap_sift_down(ev, 0, i);
	}
}

/*
 * Turn the first m input entries into events, counting what is wrong with
 * them.  Exclusive ends that would pass 2^64 - 1 are capped at UINT64_MAX
 * (so the very last byte of the address space is never described).
 * Returns the number of events.
 */
static size_t memmap_make_events(const struct memmap_entry *in, size_t m, struct memmap_report *rep)
{
	size_t i, ne = 0;

	for (i = 0; i < m; i++) {
		u64 base = in[i].base, end;
		bool unknown;
		u32 rank;

		if (i > 0 && base < in[i - 1].base)
			rep->unsorted++;
		rank = memmap_rank_of(in[i].type, &unknown);
		if (unknown)
			rep->unknown++;
		if (in[i].length == 0) {
			rep->empty++;
			continue;
		}
		if (in[i].length > UINT64_MAX - base) {
			rep->wrapped++;
			end = UINT64_MAX;
			if (end == base)
				continue; /* nothing left once clipped */
		} else {
			end = base + in[i].length;
		}
		memmap_events[ne++] = (struct memmap_event){ base, 1, rank };
		memmap_events[ne++] = (struct memmap_event){ end, 0, rank };
	}
	return ne;
}

/* Write the pending piece to the output, or count it lost. */
static void memmap_flush(struct memmap_sink *s)
{
	if (!s->have_cur)
		return;
	if (s->count < s->cap)
		s->out[s->count++] = s->cur;
	else
		s->lost++;
	s->have_cur = false;
}

/* Add [base, end) of `type`, merging with the pending piece if it touches. */
static void memmap_emit(struct memmap_sink *s, u64 base, u64 end, u32 type)
{
	struct memmap_entry *c = &s->cur;

	if (s->have_cur && c->type == type && c->base + c->length == base) {
		c->length += end - base;
		return;
	}
	memmap_flush(s);
	c->base = base;
	c->length = end - base;
	c->type = type;
	s->have_cur = true;
}

/* Highest rank with an open entry, or -1 if none is open. */
static int memmap_winner(const size_t *open)
{
	int r;

	for (r = MEMMAP_NR_RANKS - 1; r >= 0; r--)
		if (open[r])
			return r;
	return -1;
}

/*
 * Walk the sorted events.  Also counts overlapping pairs: an entry that
 * opens while k others are open overlaps exactly those k (ends at the same
 * address were processed first), so each overlapping pair is counted once,
 * when its later-starting member opens.
 */
static void memmap_sweep(size_t ne, struct memmap_sink *s, struct memmap_report *rep)
{
	size_t open[MEMMAP_NR_RANKS] = { 0 };
	size_t nopen = 0, i = 0;
	int win = -1;
	u64 prev = 0;

	while (i < ne) {
		u64 addr = memmap_events[i].addr;

		if (win >= 0 && addr > prev)
			memmap_emit(s, prev, addr, memmap_rank_type[win]);
		for (; i < ne && memmap_events[i].addr == addr; i++) {
			const struct memmap_event *e = &memmap_events[i];

			if (e->start) {
				rep->overlaps += nopen;
				open[e->rank]++;
				nopen++;
			} else {
				open[e->rank]--;
				nopen--;
			}
		}
		win = memmap_winner(open);
		prev = addr;
	}
	memmap_flush(s);
}

/*
 * Report counts (see struct memmap_report), precisely:
 *  unsorted  - input entries i >= 1 with in[i].base < in[i-1].base (input
 *              order, empty entries included);
 *  overlaps  - unordered pairs of entries sharing at least one byte (after
 *              clipping; entries that only touch do not overlap);
 *  empty     - entries with length 0 (dropped);
 *  wrapped   - entries whose end would be at or past 2^64 (clipped to end
 *              at UINT64_MAX, exclusive; one at base UINT64_MAX vanishes);
 *  unknown   - entries whose type is not 1..5 (kept as reserved);
 *  truncated - input entries beyond MEMMAP_MAX_RAW (ignored) plus output
 *              entries that did not fit in `cap`.
 */
size_t memmap_sanitize(const struct memmap_entry *in, size_t n, struct memmap_entry *out,
		       size_t cap, struct memmap_report *rep)
{
	struct memmap_report r;
	struct memmap_sink s;
	size_t m = n, ne;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	if (!in)
		m = 0;
	if (m > MEMMAP_MAX_RAW) {
		r.truncated += m - MEMMAP_MAX_RAW;
		m = MEMMAP_MAX_RAW;
	}
	s.out = out;
	s.cap = out ? cap : 0;

	ne = memmap_make_events(in, m, &r);
	memmap_sort_events(memmap_events, ne);
	memmap_sweep(ne, &s, &r);

	r.truncated += s.lost;
	if (rep)
		*rep = r;
	return s.count;
}

bool memmap_is_ram(u32 type)
{
	return type == MEMMAP_AVAILABLE || type == MEMMAP_ACPI_RECLAIMABLE ||
	       type == MEMMAP_ACPI_NVS;
}

const char *memmap_type_name(u32 type)
{
	switch (type) {
	case MEMMAP_AVAILABLE:
		return "available";
	case MEMMAP_RESERVED:
		return "reserved";
	case MEMMAP_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MEMMAP_ACPI_NVS:
		return "ACPI NVS";
	case MEMMAP_BAD:
		return "bad";
	default:
		return "unknown";
	}
}
