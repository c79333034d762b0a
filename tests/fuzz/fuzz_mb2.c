/*
 * fuzz_mb2.c - libFuzzer harness for the Multiboot2 information parser,
 * mb2_parse() (kernel/boot/multiboot2.c).
 *
 * The input is a raw Multiboot2 information block, as GRUB leaves it at
 * EBX (tests/fuzz/corpus/mb2/ holds real ones, dumped by
 * tools/fuzz-seeds.sh).  mb2_parse()'s contract (multiboot2.h) is that the
 * caller can read total_size bytes once total_size is at most
 * MB2_MAX_TOTAL_SIZE, and the parser reads only the first 4 bytes before
 * checking it.  So the block is handed over in a malloc()ed buffer of
 * exactly:
 *  - total_size bytes, when total_size is one the parser accepts (at least
 *    16, at most MB2_MAX_TOTAL_SIZE, a multiple of 8).  If the input is
 *    shorter than that, total_size is rewritten to the input's length
 *    rounded down to 8 (the input is skipped if that is below 16); bytes
 *    past total_size are not passed;
 *  - 4 bytes otherwise: the parser must refuse with MB2_BAD_SIZE having
 *    read only total_size itself.
 * AddressSanitizer then catches any read past what the contract allows.
 *
 * The header's reserved word (bytes 4..7, which the parser ignores) picks
 * the caller's memory-map capacity: byte 4 == 0 gives 32 entries (so real
 * blocks, where it is 0, are parsed as the kernel would), any other value
 * v gives v - 1 entries, 0 meaning no array at all (a NULL pointer).
 *
 * Properties checked are in check_ok() and LLVMFuzzerTestOneInput().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/multiboot2.h>
#include <keel/types.h>

#include "fuzz.h"

#define MB2_HDR	     8u
#define MB2_MIN_SIZE 16u /* header + end tag */

/* The block as handed to the parser (size 0: only total_size was). */
struct block {
	const u8 *p;
	u32 size;
};

static int in_block(const struct block *b, const void *p, size_t len)
{
	return fuzz_inside(p, len, b->p, b->size);
}

/* A NUL-terminated string lying wholly in the block. */
static int string_in_block(const struct block *b, const char *s)
{
	size_t room;

	if (!in_block(b, s, 1))
		return 0;
	room = b->size - (size_t)((const u8 *)s - b->p);
	return memchr(s, '\0', room) != NULL;
}

/*
 * Do the copied entries match the mmap tag whose first entry is at byte
 * `off` of the block: the first mmap_count of its entries, with
 * mmap_count + mmap_dropped all of them?
 */
static int mmap_matches(const struct block *b, const struct mb2_info *info, u32 off)
{
	const u8 *tag = b->p + off - 16;
	u32 tsize = get_le32(tag + 4), esize = get_le32(tag + 8);

	if (get_le32(tag) != MB2_TAG_MMAP || esize < 24 || tsize < 16 ||
	    tsize > b->size - (off - 16))
		return 0;
	if (info->mmap_count + info->mmap_dropped != (tsize - 16) / esize)
		return 0;
	for (size_t i = 0; i < info->mmap_count; i++) {
		const u8 *e = b->p + off + i * esize;

		if (get_le64(e) != info->mmap[i].base || get_le64(e + 8) != info->mmap[i].length ||
		    get_le32(e + 16) != info->mmap[i].type)
			return 0;
	}
	return 1;
}

/*
 * The copied memory map must be the first entries of an mmap tag in the
 * block (tags, so their entries, start at 8-aligned offsets).  Any tag that
 * matches will do: the harness does not walk the tags itself.
 */
static void check_mmap_copy(const struct block *b, const struct mb2_info *info)
{
	for (u32 off = MB2_HDR + 16; off + 24 <= b->size; off += 8)
		if (mmap_matches(b, info, off))
			return;
	CHECK(0, "mmap: the entries kept are the first of an mmap tag in the information, "
		 "kept + dropped are all of them");
}

static void check_ok(const struct block *b, const struct mb2_info *info, size_t cap)
{
	CHECK(info->total_size == b->size, "total_size is the block's");
	if (info->cmdline)
		CHECK(string_in_block(b, info->cmdline),
		      "cmdline: NUL-terminated, inside the block");
	if (info->bootloader)
		CHECK(string_in_block(b, info->bootloader),
		      "bootloader name: NUL-terminated, inside the block");

	CHECK(info->module_count <= MB2_MAX_MODULES, "modules: at most MB2_MAX_MODULES");
	CHECK(info->module_count <= info->module_tags, "modules: no more than module tags seen");
	for (size_t i = 0; i < info->module_count; i++) {
		const struct mb2_module *m = &info->modules[i];

		CHECK(m->start <= m->end, "module: start <= end");
		CHECK(m->end <= UINT32_MAX, "module: 32-bit addresses");
		CHECK(m->name && string_in_block(b, m->name),
		      "module: name NUL-terminated, inside the block");
	}

	CHECK(info->mmap_count <= cap, "mmap: at most mmap_cap entries");
	CHECK(info->has_mmap || (info->mmap_count == 0 && info->mmap_dropped == 0),
	      "mmap: entries only with an mmap tag");
	if (info->mmap_count)
		check_mmap_copy(b, info);
	else if (info->has_mmap && cap)
		CHECK(info->mmap_dropped == 0, "mmap: nothing dropped while there was room");

	if (info->rsdp_v1)
		CHECK(info->rsdp_v1_len >= 20 && in_block(b, info->rsdp_v1, info->rsdp_v1_len),
		      "ACPI old: the RSDP copy (20 bytes or more) is inside the block");
	else
		CHECK(info->rsdp_v1_len == 0, "ACPI old: no length without a copy");
	if (info->rsdp_v2)
		CHECK(info->rsdp_v2_len >= 36 && in_block(b, info->rsdp_v2, info->rsdp_v2_len),
		      "ACPI new: the RSDP copy (36 bytes or more) is inside the block");
	else
		CHECK(info->rsdp_v2_len == 0, "ACPI new: no length without a copy");

	if (info->efi_mmap) {
		CHECK(info->efi, "EFI mmap: implies booted through EFI");
		CHECK(in_block(b, info->efi_mmap, info->efi_mmap_size),
		      "EFI mmap: the descriptors are inside the block");
		CHECK(info->efi_desc_size >= 40 && info->efi_desc_size % 8 == 0,
		      "EFI mmap: descriptor size at least 40, a multiple of 8");
		CHECK(info->efi_mmap_size % info->efi_desc_size == 0,
		      "EFI mmap: a whole number of descriptors");
	} else {
		CHECK(info->efi_mmap_size == 0 && info->efi_desc_size == 0,
		      "EFI mmap: no size without descriptors");
	}
}

static void check_problems(const struct mb2_info *info, u32 total)
{
	CHECK(info->problem_count <= MB2_MAX_PROBLEMS, "problems: at most MB2_MAX_PROBLEMS kept");
	CHECK(info->problem_count <= info->problems_total, "problems: kept <= total");
	CHECK(info->problem_count == MIN(info->problems_total, (size_t)MB2_MAX_PROBLEMS),
	      "problems: the first ones are kept until the array is full");
	for (size_t i = 0; i < info->problem_count; i++) {
		CHECK(info->problems[i].what != NULL, "problem: has a text");
		CHECK(info->problems[i].offset <= total && info->problems[i].offset % 8 == 0,
		      "problem: at an 8-aligned offset within the block");
	}
}

/* The refusals read nothing past total_size: exactly the enum values. */
static void check_refusals(const void *any)
{
	struct mb2_info info = { 0 };
	int r;

	r = mb2_parse(any, ~(u32)MB2_BOOTLOADER_MAGIC, &info);
	CHECK(r == MB2_BAD_MAGIC && mb2_strerror(r), "wrong magic gives MB2_BAD_MAGIC");
	r = mb2_parse(NULL, MB2_BOOTLOADER_MAGIC, &info);
	CHECK(r == MB2_BAD_POINTER && mb2_strerror(r), "NULL gives MB2_BAD_POINTER");
	r = mb2_parse((const u8 *)any + 4, MB2_BOOTLOADER_MAGIC, &info);
	CHECK(r == MB2_BAD_POINTER, "a misaligned pointer gives MB2_BAD_POINTER");
	CHECK(mb2_strerror(-100) != NULL, "mb2_strerror has a text for anything");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mb2_info info; /* large: not on the stack */
	struct memmap_entry *mmap = NULL;
	struct block b;
	size_t cap;
	u8 *buf;
	u32 total;
	int r;

	if (size < MB2_HDR)
		return 0;
	total = get_le32(data);
	cap = data[4] == 0 ? 32 : data[4] - 1u;
	if (total >= MB2_MIN_SIZE && total <= MB2_MAX_TOTAL_SIZE && total % 8 == 0) {
		if (total > size) {
			total = (u32)(size & ~(size_t)7);
			if (total < MB2_MIN_SIZE)
				return 0;
		}
		buf = fuzz_dup(data, total);
		memcpy(buf, &total, 4);
	} else {
		buf = fuzz_dup(data, 4); /* only total_size may be read */
		total = 0;
	}
	if (cap)
		mmap = malloc(cap * sizeof(*mmap));
	info.mmap = mmap;
	info.mmap_cap = cap;
	b.p = buf;
	b.size = total;

	r = mb2_parse(buf, MB2_BOOTLOADER_MAGIC, &info);
	CHECK(r == MB2_OK || r == MB2_BAD_MAGIC || r == MB2_BAD_POINTER || r == MB2_BAD_SIZE,
	      "the result is MB2_OK or one of enum mb2_status");
	CHECK(mb2_strerror(r) != NULL, "mb2_strerror gives a text");
	CHECK(info.mmap == mmap && info.mmap_cap == cap, "the caller's mmap array is kept");
	if (total) {
		CHECK(r == MB2_OK, "a block of valid total_size is parsed (MB2_OK)");
		check_ok(&b, &info, cap);
		check_problems(&info, total);
		check_refusals(buf);
	} else {
		CHECK(r == MB2_BAD_SIZE,
		      "a total_size out of range or unaligned gives MB2_BAD_SIZE");
		CHECK(info.problem_count == 0 && info.mmap_count == 0 && !info.cmdline,
		      "a refused block leaves the result empty");
	}
	free(mmap);
	free(buf);
	return 0;
}
