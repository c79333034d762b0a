/*
 * fuzz_memmap.c - libFuzzer harness for memmap_sanitize()
 * (kernel/mm/memmap.c), checked against a brute-force reference.
 *
 * The input is a raw memory map: records of 24 bytes in the layout of a
 * Multiboot2 (and E820) entry, u64 base, u64 length, u32 type, u32
 * reserved (ignored), so the body of a Multiboot2 mmap tag is a valid
 * input (tests/fuzz/corpus/memmap/ holds real ones).  If the length is not
 * a multiple of 24, the byte after the last whole record sets the output
 * capacity (0 to 255 entries, 0 meaning a NULL output array); otherwise
 * the capacity is MEMMAP_MAX, enough for any input.  Input and output are
 * malloc()ed at exactly their sizes, so that AddressSanitizer sees any
 * access outside them.
 *
 * The reference: cut the address line at every entry's start and
 * (clipped) end; each elementary piece takes the most restrictive type of
 * the entries covering it; merge touching pieces of the same type.  That
 * is O(n^2), cheap at fuzzing sizes.  Besides comparing with it, the
 * properties memmap.h promises are checked one by one, each with its own
 * message, so a failure says which promise broke.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/memmap.h>
#include <keel/types.h>

#include "fuzz.h"

#define RECORD 24u

/* Restrictiveness, as memmap.h orders it (unknown types count as reserved). */
static int rank(u32 type)
{
	switch (type) {
	case MEMMAP_AVAILABLE:
		return 0;
	case MEMMAP_ACPI_RECLAIMABLE:
		return 1;
	case MEMMAP_ACPI_NVS:
		return 2;
	case MEMMAP_BAD:
		return 4;
	default:
		return 3;
	}
}

static u32 known(u32 type)
{
	return rank(type) == 3 ? MEMMAP_RESERVED : type;
}

static int known_type(u32 type)
{
	return type >= MEMMAP_AVAILABLE && type <= MEMMAP_BAD;
}

/* Exclusive end of an input entry, clipped as memmap.h says. */
static u64 clipped_end(const struct memmap_entry *e)
{
	return e->length > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->length;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The type of memory in [a, b) (inside one elementary piece): the most
 * restrictive input type covering it, or 0 if none does.
 */
static u32 type_at(const struct memmap_entry *in, size_t n, u64 a)
{
	int best = -1;
	u32 type = 0;

	for (size_t i = 0; i < n; i++) {
		if (in[i].length == 0 || a < in[i].base || a >= clipped_end(&in[i]))
			continue;
		if (rank(in[i].type) > best) {
			best = rank(in[i].type);
			type = known(in[i].type);
		}
	}
	return type;
}

/* Every entry's start and clipped end, sorted (room for 2n); returns how many. */
static size_t cuts_of(const struct memmap_entry *in, size_t n, u64 *cut)
{
	size_t nc = 0;

	for (size_t i = 0; i < n; i++) {
		if (in[i].length == 0 || in[i].base == UINT64_MAX)
			continue;
		cut[nc++] = in[i].base;
		cut[nc++] = clipped_end(&in[i]);
	}
	qsort(cut, nc, sizeof(*cut), cmp_u64);
	return nc;
}

/* The reference result, into ref (room for 2n entries); returns the count. */
static size_t reference(const struct memmap_entry *in, size_t n, const u64 *cut, size_t nc,
			struct memmap_entry *ref)
{
	size_t count = 0;

	for (size_t i = 0; i + 1 < nc; i++) {
		u64 a = cut[i], b = cut[i + 1];
		u32 t;

		if (a == b || !(t = type_at(in, n, a)))
			continue;
		if (count && ref[count - 1].type == t &&
		    ref[count - 1].base + ref[count - 1].length == a) {
			ref[count - 1].length += b - a;
			continue;
		}
		ref[count++] = (struct memmap_entry){ a, b - a, t };
	}
	return count;
}

/* The report's counts, computed directly from their definitions. */
static void reference_report(const struct memmap_entry *in, size_t n, struct memmap_report *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && in[i].base < in[i - 1].base)
			r->unsorted++;
		if (!known_type(in[i].type))
			r->unknown++;
		if (in[i].length == 0) {
			r->empty++;
			continue;
		}
		if (in[i].length > UINT64_MAX - in[i].base)
			r->wrapped++;
		for (size_t j = 0; j < i; j++) {
			if (in[j].length == 0)
				continue;
			if (MAX(in[i].base, in[j].base) <
			    MIN(clipped_end(&in[i]), clipped_end(&in[j])))
				r->overlaps++;
		}
	}
}

/*
 * Is every byte of [a, b) of type t in the input (t winning there)?  The
 * type only changes at a cut, so look at a and at the cuts inside (a, b);
 * *next is where to start in cut[] (outputs come in address order).
 */
static int all_of_type(const struct memmap_entry *in, size_t n, const u64 *cut, size_t nc,
		       size_t *next, u64 a, u64 b, u32 t)
{
	size_t i = *next;

	if (type_at(in, n, a) != t)
		return 0;
	while (i < nc && cut[i] <= a)
		i++;
	for (; i < nc && cut[i] < b; i++)
		if (type_at(in, n, cut[i]) != t)
			return 0;
	*next = i;
	return 1;
}

static void check_output(const struct memmap_entry *in, size_t n, const u64 *cut, size_t nc,
			 const struct memmap_entry *out, size_t count, size_t cap)
{
	size_t next = 0;

	CHECK(count <= cap, "count <= cap");
	CHECK(count <= (n ? 2 * n - 1 : 0), "count <= 2n - 1 (MEMMAP_MAX for MEMMAP_MAX_RAW)");
	for (size_t i = 0; i < count; i++) {
		const struct memmap_entry *e = &out[i];

		CHECK(e->length > 0, "output entries are not empty");
		CHECK(e->length <= UINT64_MAX - e->base, "output entries do not wrap");
		CHECK(known_type(e->type), "output types are known (unknown became reserved)");
		CHECK(all_of_type(in, n, cut, nc, &next, e->base, e->base + e->length, e->type),
		      "every byte of an output entry has that type in the input "
		      "(RAM only where the input said RAM, the most restrictive type winning)");
		if (i == 0)
			continue;
		CHECK(out[i - 1].base + out[i - 1].length <= e->base, "output sorted and disjoint");
		CHECK(out[i - 1].base + out[i - 1].length < e->base || out[i - 1].type != e->type,
		      "touching output entries have different types (merged otherwise)");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / RECORD, cap = MEMMAP_MAX, m, count, nref, nc;
	struct memmap_entry *in, *out, *ref;
	u64 *cut;
	struct memmap_report rep, want;

	if (size % RECORD)
		cap = data[n * RECORD];
	in = malloc((n ? n : 1) * sizeof(*in));
	for (size_t i = 0; i < n; i++) {
		const u8 *r = data + i * RECORD;

		in[i].base = get_le64(r);
		in[i].length = get_le64(r + 8);
		in[i].type = get_le32(r + 16);
	}
	out = cap ? malloc(cap * sizeof(*out)) : NULL;
	ref = malloc((2 * n + 1) * sizeof(*ref));
	cut = malloc((2 * n + 1) * sizeof(*cut));

	/* Entries past MEMMAP_MAX_RAW are ignored (and counted as truncated). */
	m = MIN(n, (size_t)MEMMAP_MAX_RAW);
	nc = cuts_of(in, m, cut);
	count = memmap_sanitize(in, n, out, cap, &rep);
	check_output(in, m, cut, nc, out, count, cap);

	nref = reference(in, m, cut, nc, ref);
	CHECK(count == MIN(nref, cap), "as many entries as the reference, up to cap");
	for (size_t i = 0; i < count; i++)
		CHECK(out[i].base == ref[i].base && out[i].length == ref[i].length &&
			  out[i].type == ref[i].type,
		      "the output is the reference's (its first cap entries)");

	reference_report(in, m, &want);
	CHECK(rep.unsorted == want.unsorted, "report: unsorted counts bases below the previous");
	CHECK(rep.empty == want.empty, "report: empty counts zero-length entries");
	CHECK(rep.wrapped == want.wrapped, "report: wrapped counts entries reaching 2^64");
	CHECK(rep.unknown == want.unknown, "report: unknown counts types outside 1..5");
	CHECK(rep.overlaps == want.overlaps, "report: overlaps counts pairs sharing a byte");
	CHECK(rep.truncated == (n - m) + (nref - count),
	      "report: truncated counts inputs past MEMMAP_MAX_RAW and outputs cap left out");

	/* The same again without a report: rep may be NULL. */
	CHECK(memmap_sanitize(in, n, out, cap, NULL) == count, "the result does not depend on rep");
	CHECK(memmap_sanitize(NULL, n, out, cap, &rep) == 0 && rep.truncated == 0,
	      "a NULL input is an empty map");
	for (u32 t = 0; t < 8; t++) {
		CHECK(memmap_type_name(t) != NULL, "every type has a name");
		CHECK(memmap_is_ram(t) == (t == MEMMAP_AVAILABLE || t == MEMMAP_ACPI_RECLAIMABLE ||
					   t == MEMMAP_ACPI_NVS),
		      "memmap_is_ram: available, ACPI reclaimable and NVS only");
	}
	free(cut);
	free(ref);
	free(out);
	free(in);
	return 0;
}
