/*
 * fuzz_acpi.c - libFuzzer harness for the ACPI table reader, acpi_parse()
 * (kernel/acpi/acpi.c).
 *
 * The input is an RSDP copy (as the boot loader hands it over) and a
 * sparse image of physical memory, all little-endian:
 *
 *	u16 rsdp_len, then rsdp_len bytes: the RSDP copy
 *	then chunks to the end: u64 phys, u32 len, then len bytes (fewer if
 *	the input ends first): physical memory [phys, phys + len)
 *
 * tools/fuzz-seeds.sh writes real firmware tables in this form
 * (tests/fuzz/corpus/acpi/).  Checksums would stop almost every mutation
 * at the door, so unless bit 15 of rsdp_len is set (the length is its low
 * 15 bits), the harness first makes them right: the RSDP's two, and that
 * of each chunk that starts with a table whose length fits in the chunk.
 * On real tables this changes nothing.  The map function returns a range only if it
 * lies wholly inside one chunk, and then as a fresh malloc()ed copy of
 * exactly the bytes asked for, so AddressSanitizer catches any read
 * outside a range the parser mapped; the RSDP copy too is passed at
 * exactly rsdp_len bytes.  All copies are freed after the parse.
 */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/acpi.h>
#include <keel/types.h>

#include "fuzz.h"

#define MAX_CHUNKS 64

struct chunk {
	u64 phys;
	u64 len;
	u8 *bytes;
};

struct image {
	struct chunk chunks[MAX_CHUNKS];
	size_t nchunks;
	void **maps; /* copies handed out, freed after the parse */
	size_t nmaps, capmaps;
	u8 *data; /* the whole input (a copy: checksums may be fixed) */
	size_t size;
};

/* The chunk holding [phys, phys + len), or NULL. */
static const struct chunk *find(const struct image *img, u64 phys, u64 len)
{
	for (size_t i = 0; i < img->nchunks; i++) {
		const struct chunk *c = &img->chunks[i];

		if (phys >= c->phys && phys - c->phys <= c->len && len <= c->len - (phys - c->phys))
			return c;
	}
	return NULL;
}

static const void *map(void *ctx, u64 phys, u64 len)
{
	struct image *img = ctx;
	const struct chunk *c = find(img, phys, len);
	void *p;

	if (!c)
		return NULL;
	/*
	 * Each root table costs at most 2 maps (header, table), each of its
	 * entries 2 more, and a second root is tried only when the first
	 * failed before its entries: so at most 4 + size / 2.
	 */
	CHECK(img->nmaps < 4 + img->size / 2, "a bounded number of map calls (the walk ends)");
	if (img->nmaps == img->capmaps) {
		img->capmaps = img->capmaps ? 2 * img->capmaps : 16;
		img->maps = realloc(img->maps, img->capmaps * sizeof(*img->maps));
	}
	p = fuzz_dup(c->bytes + (phys - c->phys), len);
	img->maps[img->nmaps++] = p;
	return p;
}

static void unmap_all(struct image *img)
{
	while (img->nmaps)
		free(img->maps[--img->nmaps]);
	free(img->maps);
	img->maps = NULL;
	img->capmaps = 0;
}

/* Does the value (its low `width` bytes, little-endian) appear in the input? */
static int in_input(const struct image *img, u64 value, size_t width)
{
	return img->size >= width && memmem(img->data, img->size, &value, width) != NULL;
}

static void check_problems(const struct acpi_info *info)
{
	CHECK(info->problem_count <= ACPI_MAX_PROBLEMS, "problems: at most ACPI_MAX_PROBLEMS kept");
	CHECK(info->problem_count == MIN(info->problems_total, (size_t)ACPI_MAX_PROBLEMS),
	      "problems: the first ones are kept until the array is full");
	for (size_t i = 0; i < info->problem_count; i++) {
		const struct acpi_problem *p = &info->problems[i];

		CHECK(p->what != NULL, "problem: has a text");
		CHECK(p->sig[4] == '\0', "problem: signature NUL-terminated");
		for (int j = 0; j < 4; j++)
			CHECK(p->sig[j] >= 0x20 && p->sig[j] < 0x7f,
			      "problem: signature printable");
	}
}

static void check_madt(const struct image *img, const struct acpi_info *info)
{
	CHECK(info->cpu_count <= ACPI_MAX_CPUS, "CPUs: at most ACPI_MAX_CPUS");
	CHECK(info->cpus_dropped == 0 || info->cpu_count == ACPI_MAX_CPUS,
	      "CPUs: dropped only when the array is full");
	for (size_t i = 0; i < info->cpu_count; i++) {
		const struct acpi_cpu *c = &info->cpus[i];

		CHECK(c->enabled || c->online_capable,
		      "CPU: kept only if enabled or online-capable");
		CHECK(c->x2apic_entry || c->apic_id < 0xff,
		      "CPU: a local APIC entry's ID is 8-bit");
		CHECK(!c->x2apic_entry || c->apic_id != 0xffffffffu,
		      "CPU: x2APIC ID not 0xffffffff");
		for (size_t j = 0; j < i; j++)
			CHECK(info->cpus[j].apic_id != c->apic_id, "CPUs: APIC IDs unique");
	}
	CHECK(info->ioapic_count <= ACPI_MAX_IOAPICS, "I/O APICs: at most ACPI_MAX_IOAPICS");
	for (size_t i = 0; i < info->ioapic_count; i++) {
		CHECK(info->ioapics[i].addr != 0, "I/O APIC: address not 0");
		CHECK(in_input(img, info->ioapics[i].addr, 4),
		      "I/O APIC: address read from the image");
	}
	CHECK(info->override_count <= ACPI_MAX_OVERRIDES, "overrides: at most ACPI_MAX_OVERRIDES");
	CHECK(info->nmi_count <= ACPI_MAX_NMIS, "local APIC NMIs: at most ACPI_MAX_NMIS");
	for (size_t i = 0; i < info->nmi_count; i++)
		CHECK(info->nmis[i].lint <= 1, "local APIC NMI: on LINT0 or LINT1");
	if (info->lapic_addr > UINT32_MAX)
		CHECK(in_input(img, info->lapic_addr, 8), "local APIC address read from the image");
	else
		CHECK(in_input(img, info->lapic_addr, 4), "local APIC address read from the image");
}

static void check_ok(const struct image *img, const u8 *rsdp, size_t rsdp_len,
		     const struct acpi_info *info)
{
	const struct chunk *root;

	CHECK(info->revision == rsdp[15], "revision is the RSDP's");
	if (info->xsdt)
		CHECK(info->revision >= 2 && rsdp_len >= 36 &&
			  info->rsdt_phys == get_le64(rsdp + 24),
		      "the XSDT used is the one a v2 RSDP names");
	else
		CHECK(info->rsdt_phys == get_le32(rsdp + 16),
		      "the RSDT used is the one the RSDP names");
	root = find(img, info->rsdt_phys, 36);
	CHECK(root != NULL, "the root table is in the image");
	CHECK(memcmp(root->bytes + (info->rsdt_phys - root->phys), info->xsdt ? "XSDT" : "RSDT",
		     4) == 0,
	      "the root table has the signature of its kind");

	if (info->has_madt)
		check_madt(img, info);
	else
		CHECK(info->cpu_count == 0 && info->ioapic_count == 0 &&
			  info->override_count == 0 && info->nmi_count == 0 &&
			  info->lapic_addr == 0 && info->nmi_source_count == 0 &&
			  !info->pcat_compat,
		      "without a MADT its fields are 0");
	CHECK(info->has_fadt || (info->pm_timer_port == 0 && !info->pm_timer_32bit),
	      "PM timer only from a FADT");
	CHECK(info->pm_timer_port != 0 || !info->pm_timer_32bit, "PM timer width only with a port");
	if (info->has_hpet)
		CHECK(info->hpet_addr != 0 && in_input(img, info->hpet_addr, 8),
		      "HPET: address not 0, read from the image");
	else
		CHECK(info->hpet_addr == 0, "HPET: no address without a usable table");
}

/* Set the byte at `at` so that the len bytes at p add up to 0 (mod 256). */
static void fix_checksum(u8 *p, size_t len, size_t at)
{
	u8 sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	p[at] = (u8)-sum;
}

static void fix_checksums(struct image *img, u8 *rsdp, size_t rsdp_len)
{
	if (rsdp_len >= 20)
		fix_checksum(rsdp, 20, 8);
	if (rsdp_len >= 36 && rsdp[15] >= 2) {
		u32 xlen = get_le32(rsdp + 20);

		if (xlen >= 36 && xlen <= rsdp_len)
			fix_checksum(rsdp, xlen, 32);
	}
	for (size_t i = 0; i < img->nchunks; i++) {
		struct chunk *c = &img->chunks[i];
		u32 len = c->len >= 36 ? get_le32(c->bytes + 4) : 0;

		if (len >= 36 && len <= c->len)
			fix_checksum(c->bytes, len, 9);
	}
}

/*
 * Split the input (copied into `data`, which the checksum fix-up writes)
 * into the RSDP copy and the chunks.  Returns false if it is too short.
 */
static int decode(struct image *img, u8 *data, size_t size, u8 **rsdp, size_t *rsdp_len)
{
	size_t off, head;

	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	if (size < 2)
		return 0;
	head = data[0] | (size_t)data[1] << 8;
	*rsdp_len = MIN(head & 0x7fff, size - 2);
	*rsdp = data + 2;
	off = 2 + *rsdp_len;
	while (img->nchunks < MAX_CHUNKS && size - off >= 12) {
		struct chunk *c = &img->chunks[img->nchunks++];

		c->phys = get_le64(data + off);
		c->len = MIN((size_t)get_le32(data + off + 8), size - off - 12);
		c->bytes = data + off + 12;
		off += 12 + c->len;
	}
	if (!(head & 0x8000))
		fix_checksums(img, *rsdp, *rsdp_len);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct image img;
	static struct acpi_info info; /* large: not on the stack */
	u8 *input = fuzz_dup(data, size), *rsdp_in, *rsdp;
	size_t rsdp_len;
	int r;

	if (!decode(&img, input, size, &rsdp_in, &rsdp_len)) {
		free(input);
		return 0;
	}
	rsdp = fuzz_dup(rsdp_in, rsdp_len);

	r = acpi_parse(rsdp, rsdp_len, map, &img, &info);
	CHECK(r == ACPI_OK || r == ACPI_BAD_RSDP || r == ACPI_BAD_ROOT,
	      "the result is ACPI_OK or one of enum acpi_status");
	CHECK(acpi_strerror(r) != NULL, "acpi_strerror gives a text");
	check_problems(&info);
	if (r == ACPI_OK) {
		check_ok(&img, rsdp, rsdp_len, &info);
	} else {
		CHECK(info.problem_count > 0, "a failure records the problem that explains it");
		CHECK(!info.has_madt && !info.has_fadt && !info.has_hpet && info.cpu_count == 0,
		      "a failure leaves no tables");
	}
	unmap_all(&img);

	/* Without a map function nothing past the RSDP can be read. */
	r = acpi_parse(rsdp, rsdp_len, NULL, &img, &info);
	CHECK(r == ACPI_BAD_RSDP || r == ACPI_BAD_ROOT, "no map function: ACPI_BAD_RSDP or _ROOT");
	CHECK(img.nmaps == 0, "no map function: nothing mapped");
	free(rsdp);
	free(input);
	return 0;
}
