/*
 * test_multiboot2.c - host tests for the Multiboot2 information parser
 * (kernel/boot/multiboot2.c).
 *
 * Information structures are built in an 8-aligned array by small builder
 * helpers, then copied into a malloc()ed buffer of exactly total_size bytes
 * before parsing, so that under AddressSanitizer any read past the end of
 * the information fails the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include <keel/multiboot2.h>
#include <keel/types.h>

/* ---- Builder ------------------------------------------------------------ */

#define BUILD_CAP (1u << 21)

static alignas(8) u8 build_buf[BUILD_CAP];
static u32 build_off;

static void put32(u32 off, u32 v)
{
	memcpy(&build_buf[off], &v, 4);
}

static void build_bytes(const void *p, size_t n)
{
	assert_true(build_off + n <= BUILD_CAP);
	memcpy(&build_buf[build_off], p, n);
	build_off += (u32)n;
}

static void build_u32(u32 v)
{
	build_bytes(&v, 4);
}

static void build_u64(u64 v)
{
	build_bytes(&v, 8);
}

static void build_pad(void)
{
	build_off = (u32)ALIGN_UP(build_off, 8);
}

/* Start an information structure: total_size is filled in by build_done. */
static void build_begin(void)
{
	memset(build_buf, 0, sizeof(build_buf));
	build_off = 0;
	build_u32(0);
	build_u32(0);
}

/* Open a tag; returns its offset for tag_close. */
static u32 tag_open(u32 type)
{
	u32 at = build_off;

	build_u32(type);
	build_u32(0);
	return at;
}

/* Close a tag: its size is what was written since tag_open, then pad. */
static void tag_close(u32 at)
{
	put32(at + 4, build_off - at);
	build_pad();
}

static u32 tag_string(u32 type, const char *s)
{
	u32 at = tag_open(type);

	build_bytes(s, strlen(s) + 1);
	tag_close(at);
	return at;
}

static u32 tag_module(u32 start, u32 end, const char *name)
{
	u32 at = tag_open(MB2_TAG_MODULE);

	build_u32(start);
	build_u32(end);
	build_bytes(name, strlen(name) + 1);
	tag_close(at);
	return at;
}

/* The i-th entry of a synthetic memory map. */
static struct memmap_entry synth_entry(u32 i)
{
	struct memmap_entry e = {
		.base = (u64)i * 0x100000 + 0x1000,
		.length = 0x80000 + (u64)i * 0x10,
		.type = 1 + i % 5,
	};
	return e;
}

/* An mmap tag with n synthetic entries of esize bytes each. */
static u32 tag_mmap(u32 esize, u32 n)
{
	u32 at = tag_open(MB2_TAG_MMAP);
	u32 i;

	build_u32(esize);
	build_u32(0);
	for (i = 0; i < n; i++) {
		struct memmap_entry e = synth_entry(i);
		u32 start = build_off;

		build_u64(e.base);
		build_u64(e.length);
		build_u32(e.type);
		build_u32(0);
		while (build_off - start < esize)
			build_bytes("\xee", 1);
	}
	tag_close(at);
	return at;
}

/* A tag with `body` bytes of filler (value `fill`) after the header. */
static u32 tag_filler(u32 type, u32 body, u8 fill)
{
	u32 at = tag_open(type);

	assert_true(build_off + body <= BUILD_CAP);
	memset(&build_buf[build_off], fill, body);
	build_off += body;
	tag_close(at);
	return at;
}

static u32 tag_end(void)
{
	u32 at = tag_open(MB2_TAG_END);

	tag_close(at);
	return at;
}

/* Finish: write total_size (the bytes written) and return it. */
static u32 build_done(void)
{
	put32(0, build_off);
	return build_off;
}

/* ---- Parsing an exact-size copy --------------------------------------- */

#define MMAP_CAP 1024

static struct memmap_entry mmap_arr[MMAP_CAP];
static struct mb2_info info;
static u8 *copy;

/* Copy the first len bytes of the build into a buffer of exactly len. */
static const u8 *make_copy(size_t len)
{
	free(copy);
	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	assert_true(((uintptr_t)copy & 7) == 0);
	memcpy(copy, build_buf, len);
	return copy;
}

static int parse_len(size_t len, size_t cap)
{
	const u8 *p = make_copy(len);

	memset(&info, 0xa5, sizeof(info));
	info.mmap = cap ? mmap_arr : NULL;
	info.mmap_cap = cap;
	return mb2_parse(p, MB2_BOOTLOADER_MAGIC, &info);
}

/* Parse exactly total_size bytes (as written in the header). */
static int parse_built(void)
{
	u32 total;

	memcpy(&total, build_buf, 4);
	return parse_len(total, MMAP_CAP);
}

static int free_copy(void **state)
{
	(void)state;
	free(copy);
	copy = NULL;
	return 0;
}

/* Is p inside the parsed copy, with n bytes after it? */
static bool in_copy(const void *p, size_t n)
{
	const u8 *b = p;

	return b >= copy && b + n <= copy + info.total_size;
}

/* Is there a recorded problem at `off` of `type` whose text has `what`? */
static bool has_problem(u32 type, u32 off, const char *what)
{
	size_t i;

	for (i = 0; i < info.problem_count; i++) {
		const struct mb2_problem *p = &info.problems[i];

		if (p->tag_type == type && p->offset == off && strstr(p->what, what))
			return true;
	}
	return false;
}

static void assert_one_problem(u32 type, u32 off, const char *what)
{
	assert_int_equal(info.problem_count, 1);
	assert_int_equal(info.problems_total, 1);
	assert_true(has_problem(type, off, what));
}

/* ---- A good, GRUB-like information ------------------------------------ */

static u8 rsdp1[20], rsdp2[36];

/* Recognisable RSDP copies: the signature, then a byte pattern. */
static void fill_rsdp(u8 *r, size_t n, u8 seed)
{
	size_t i;

	memcpy(r, "RSD PTR ", 8);
	for (i = 8; i < n; i++)
		r[i] = (u8)(seed + i * 13);
}

static void build_grub_like(void)
{
	u32 at, i;

	fill_rsdp(rsdp1, sizeof(rsdp1), 1);
	fill_rsdp(rsdp2, sizeof(rsdp2), 2);
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "console=ttyS0 debug");
	tag_string(MB2_TAG_BOOTLOADER_NAME, "GRUB 2.06");
	tag_module(0x400000, 0x401234, "/boot/init");
	tag_module(0x402000, 0x402000, "");
	at = tag_open(MB2_TAG_BASIC_MEMINFO);
	build_u32(639);
	build_u32(523136);
	tag_close(at);
	at = tag_open(MB2_TAG_BOOTDEV);
	build_u32(0x80);
	build_u32(0);
	build_u32(~0u);
	tag_close(at);
	tag_mmap(24, 6);
	at = tag_open(MB2_TAG_FRAMEBUFFER);
	build_u64(0xfd000000);
	build_u32(4096);
	build_u32(1024);
	build_u32(768);
	build_bytes("\x20\x01\x00\x00", 4);		    /* bpp 32, type RGB, reserved */
	build_bytes("\x10\x08\x08\x08\x00\x08\x00\x00", 8); /* colour info */
	tag_close(at);
	tag_filler(MB2_TAG_ELF_SECTIONS, 20 + 5 * 64, 0x33);
	tag_filler(MB2_TAG_APM, 20, 0x44);
	at = tag_open(MB2_TAG_EFI32);
	build_u32(0x7f000000);
	tag_close(at);
	at = tag_open(MB2_TAG_EFI64);
	build_u64(0x7fe00000);
	tag_close(at);
	tag_filler(MB2_TAG_SMBIOS, 8 + 31, 0x55);
	at = tag_open(MB2_TAG_ACPI_OLD);
	build_bytes(rsdp1, sizeof(rsdp1));
	tag_close(at);
	at = tag_open(MB2_TAG_ACPI_NEW);
	build_bytes(rsdp2, sizeof(rsdp2));
	tag_close(at);
	tag_filler(MB2_TAG_NETWORK, 300, 0x66);
	at = tag_open(MB2_TAG_EFI_MMAP);
	build_u32(48);
	build_u32(1);
	for (i = 0; i < 5 * 48; i++)
		build_bytes("\x77", 1);
	tag_close(at);
	tag_filler(MB2_TAG_EFI_BS, 0, 0);
	at = tag_open(MB2_TAG_LOAD_BASE_ADDR);
	build_u32(0x200000);
	tag_close(at);
	tag_filler(99, 13, 0x88); /* unknown type, size not a multiple of 8 */
	tag_end();
	build_done();
}

static void test_good_grub_like(void **state)
{
	size_t i;

	(void)state;
	build_grub_like();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problem_count, 0);
	assert_int_equal(info.problems_total, 0);
	assert_int_equal(info.total_size, build_off);
	assert_true(info.complete);

	assert_string_equal(info.cmdline, "console=ttyS0 debug");
	assert_true(in_copy(info.cmdline, strlen(info.cmdline) + 1));
	assert_string_equal(info.bootloader, "GRUB 2.06");
	assert_true(in_copy(info.bootloader, strlen(info.bootloader) + 1));

	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules[0].start, 0x400000);
	assert_int_equal(info.modules[0].end, 0x401234);
	assert_string_equal(info.modules[0].name, "/boot/init");
	assert_true(in_copy(info.modules[0].name, 11));
	assert_int_equal(info.modules[1].start, 0x402000);
	assert_int_equal(info.modules[1].end, 0x402000);
	assert_string_equal(info.modules[1].name, "");

	assert_true(info.has_mmap);
	assert_ptr_equal(info.mmap, mmap_arr);
	assert_int_equal(info.mmap_cap, MMAP_CAP);
	assert_int_equal(info.mmap_count, 6);
	assert_int_equal(info.mmap_dropped, 0);
	for (i = 0; i < 6; i++) {
		struct memmap_entry e = synth_entry(i);

		assert_int_equal(mmap_arr[i].base, e.base);
		assert_int_equal(mmap_arr[i].length, e.length);
		assert_int_equal(mmap_arr[i].type, e.type);
	}

	assert_true(info.fb.present);
	assert_int_equal(info.fb.addr, 0xfd000000);
	assert_int_equal(info.fb.pitch, 4096);
	assert_int_equal(info.fb.width, 1024);
	assert_int_equal(info.fb.height, 768);
	assert_int_equal(info.fb.bpp, 32);
	assert_int_equal(info.fb.type, 1);

	assert_non_null(info.rsdp_v1);
	assert_int_equal(info.rsdp_v1_len, 20);
	assert_memory_equal(info.rsdp_v1, rsdp1, 20);
	assert_true(in_copy(info.rsdp_v1, info.rsdp_v1_len));
	assert_non_null(info.rsdp_v2);
	assert_int_equal(info.rsdp_v2_len, 36);
	assert_memory_equal(info.rsdp_v2, rsdp2, 36);
	assert_true(in_copy(info.rsdp_v2, info.rsdp_v2_len));

	assert_true(info.efi);
	assert_non_null(info.efi_mmap);
	assert_int_equal(info.efi_desc_size, 48);
	assert_int_equal(info.efi_mmap_size, 5 * 48);
	assert_true(in_copy(info.efi_mmap, info.efi_mmap_size));
	assert_int_equal(((const u8 *)info.efi_mmap)[0], 0x77);
}

/* A minimal structure: the header and the end tag, nothing else. */
static void test_minimal(void **state)
{
	(void)state;
	build_begin();
	tag_end();
	assert_int_equal(build_done(), 16);
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_null(info.cmdline);
	assert_null(info.bootloader);
	assert_false(info.has_mmap);
	assert_int_equal(info.mmap_count, 0);
	assert_int_equal(info.module_count, 0);
	assert_null(info.rsdp_v1);
	assert_null(info.rsdp_v2);
	assert_false(info.fb.present);
	assert_false(info.efi);
	assert_null(info.efi_mmap);
}

/* EFI booted with only an EFI64 system table tag: efi, but no EFI mmap. */
static void test_efi64_only(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_open(MB2_TAG_EFI64);
	build_u64(0x12345678);
	tag_close(at);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_true(info.efi);
	assert_null(info.efi_mmap);
}

/* ---- Memory map ------------------------------------------------------- */

static void test_mmap_500_entries(void **state)
{
	size_t i;

	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "x");
	tag_mmap(24, 500);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 500);
	assert_int_equal(info.mmap_dropped, 0);
	for (i = 0; i < 500; i++) {
		struct memmap_entry e = synth_entry(i);

		assert_int_equal(mmap_arr[i].base, e.base);
		assert_int_equal(mmap_arr[i].length, e.length);
		assert_int_equal(mmap_arr[i].type, e.type);
	}
}

/* Larger entries (a later entry_version may add fields) are stepped over. */
static void test_mmap_entry_size_32(void **state)
{
	size_t i;

	(void)state;
	build_begin();
	tag_mmap(32, 10);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_int_equal(info.mmap_count, 10);
	for (i = 0; i < 10; i++) {
		struct memmap_entry e = synth_entry(i);

		assert_int_equal(mmap_arr[i].base, e.base);
		assert_int_equal(mmap_arr[i].length, e.length);
		assert_int_equal(mmap_arr[i].type, e.type);
	}
}

/* A bad mmap tag is skipped; the walk goes on to the next tag. */
static void check_bad_mmap(u32 esize, u32 n, const char *what)
{
	u32 at;

	build_begin();
	at = tag_mmap(esize, n);
	tag_string(MB2_TAG_CMDLINE, "after");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_MMAP, at, what);
	assert_false(info.has_mmap);
	assert_int_equal(info.mmap_count, 0);
	assert_string_equal(info.cmdline, "after");
}

static void test_mmap_entry_size_20(void **state)
{
	(void)state;
	check_bad_mmap(20, 5, "entry_size below 24");
}

static void test_mmap_entry_size_28(void **state)
{
	(void)state;
	check_bad_mmap(28, 5, "entry_size not a multiple of 8");
}

static void test_mmap_entry_size_0(void **state)
{
	(void)state;
	check_bad_mmap(0, 0, "entry_size below 24");
}

static void test_mmap_not_whole_entries(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_mmap(24, 3);
	/* Claim 8 more bytes than three entries: 3.33 entries. */
	put32(at + 4, 16 + 3 * 24 + 8);
	build_off = at + 16 + 3 * 24 + 8;
	tag_string(MB2_TAG_CMDLINE, "after");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_MMAP, at, "whole number");
	assert_false(info.has_mmap);
	assert_string_equal(info.cmdline, "after");
}

/* An mmap tag of only its 16-byte header: a map with no entries. */
static void test_mmap_empty(void **state)
{
	(void)state;
	build_begin();
	tag_mmap(24, 0);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 0);
}

static void test_mmap_cap_overflow(void **state)
{
	u32 at;
	size_t i;

	(void)state;
	build_begin();
	at = tag_mmap(24, 25);
	tag_end();
	build_done();
	assert_int_equal(parse_len(build_off, 10), MB2_OK);
	assert_one_problem(MB2_TAG_MMAP, at, "more entries than room");
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 10);
	assert_int_equal(info.mmap_dropped, 15);
	for (i = 0; i < 10; i++)
		assert_int_equal(mmap_arr[i].base, synth_entry(i).base);
}

/* No array at all: every entry is dropped, nothing is written. */
static void test_mmap_no_array(void **state)
{
	(void)state;
	build_begin();
	tag_mmap(24, 4);
	tag_end();
	build_done();
	assert_int_equal(parse_len(build_off, 0), MB2_OK);
	assert_null(info.mmap);
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 0);
	assert_int_equal(info.mmap_dropped, 4);
	assert_int_equal(info.problems_total, 1);
}

static void test_duplicate_mmap(void **state)
{
	u32 second;

	(void)state;
	build_begin();
	tag_mmap(24, 3);
	second = tag_mmap(24, 7);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_MMAP, second, "duplicate");
	assert_int_equal(info.mmap_count, 3);
}

/* A bad first mmap does not block a good second one. */
static void test_bad_then_good_mmap(void **state)
{
	u32 first;

	(void)state;
	build_begin();
	first = tag_mmap(20, 3);
	tag_mmap(24, 4);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_MMAP, first, "entry_size");
	assert_true(info.has_mmap);
	assert_int_equal(info.mmap_count, 4);
}

/* ---- Broken tag lists -------------------------------------------------- */

/* total_size cuts the list in the middle of the mmap tag. */
static void test_truncated_list(void **state)
{
	u32 mm;

	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "kept");
	mm = tag_mmap(24, 10);
	tag_end();
	put32(0, mm + 64);
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.total_size, mm + 64);
	assert_one_problem(MB2_TAG_MMAP, mm, "past end");
	assert_false(info.complete);
	assert_string_equal(info.cmdline, "kept");
	assert_false(info.has_mmap);
}

/* total_size ends exactly after a tag: the end tag is missing. */
static void test_truncated_at_tag_boundary(void **state)
{
	u32 end;

	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "kept");
	end = tag_end();
	put32(0, end);
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(~0u, end, "no end tag");
	assert_false(info.complete);
	assert_string_equal(info.cmdline, "kept");
}

static void test_missing_end_tag(void **state)
{
	u32 off;

	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "a");
	tag_mmap(24, 2);
	off = build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(~0u, off, "no end tag");
	assert_false(info.complete);
	assert_string_equal(info.cmdline, "a");
	assert_int_equal(info.mmap_count, 2);
}

static void test_tag_size_past_end(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "a");
	at = tag_string(MB2_TAG_BOOTLOADER_NAME, "b");
	tag_end();
	build_done();
	/* Size 8 beyond the end, then 1 beyond the end. */
	put32(at + 4, build_off - at + 8);
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_BOOTLOADER_NAME, at, "past end");
	assert_string_equal(info.cmdline, "a");
	assert_null(info.bootloader);

	put32(at + 4, build_off - at + 1);
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_BOOTLOADER_NAME, at, "past end");
	assert_null(info.bootloader);
}

/* A tag that exactly fills the rest of the list is fine (then no end). */
static void test_tag_size_exactly_to_end(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_string(MB2_TAG_CMDLINE, "abcdefg"); /* 16 bytes, no pad */
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(~0u, at + 16, "no end tag");
	assert_string_equal(info.cmdline, "abcdefg");
}

static void test_tag_size_below_8(void **state)
{
	static const u32 sizes[] = { 0, 1, 4, 7 };
	size_t i;
	u32 at;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		build_begin();
		tag_string(MB2_TAG_CMDLINE, "a");
		at = tag_filler(42, 0, 0);
		tag_string(MB2_TAG_BOOTLOADER_NAME, "not reached");
		tag_end();
		build_done();
		put32(at + 4, sizes[i]);
		assert_int_equal(parse_built(), MB2_OK);
		assert_one_problem(42, at, "below 8");
		assert_string_equal(info.cmdline, "a");
		assert_null(info.bootloader);
	}
}

/* Sizes near 2^32: offset + size would overflow a u32. */
static void test_tag_size_overflow(void **state)
{
	static const u32 sizes[] = { 0xffffffffu, 0xfffffff8u, 0xfffffff1u, 0x80000000u,
				     MB2_MAX_TOTAL_SIZE + 8 };
	size_t i;
	u32 at;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		build_begin();
		tag_string(MB2_TAG_CMDLINE, "a");
		at = tag_mmap(24, 2);
		tag_end();
		build_done();
		put32(at + 4, sizes[i]);
		assert_int_equal(parse_built(), MB2_OK);
		assert_one_problem(MB2_TAG_MMAP, at, "past end");
		assert_false(info.has_mmap);
	}
}

/* An end tag of the wrong size still ends the list. */
static void test_end_tag_bad_size(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_filler(MB2_TAG_END, 8, 0);
	tag_string(MB2_TAG_CMDLINE, "after end");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_END, at, "end tag size");
	assert_null(info.cmdline);
}

/* Bytes after the end tag (inside total_size) are never looked at. */
static void test_trailing_after_end(void **state)
{
	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "a");
	tag_end();
	tag_filler(3, 4, 0xff); /* a broken module after the end */
	build_off += 8;
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_int_equal(info.module_count, 0);
}

/* Unknown types of any size, aligned or not, are skipped silently. */
static void test_unknown_tags_skipped(void **state)
{
	u32 sz;

	(void)state;
	build_begin();
	for (sz = 0; sz < 40; sz++)
		tag_filler(1000 + sz, sz, (u8)sz);
	tag_filler(0xffffffffu, 3, 0);
	tag_string(MB2_TAG_CMDLINE, "found");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_string_equal(info.cmdline, "found");
}

/* ---- Whole-structure errors --------------------------------------------- */

/* The output is reset, except the caller's mmap array and capacity. */
static void assert_cleared(size_t cap)
{
	assert_ptr_equal(info.mmap, cap ? mmap_arr : NULL);
	assert_int_equal(info.mmap_cap, cap);
	assert_null(info.cmdline);
	assert_null(info.bootloader);
	assert_int_equal(info.mmap_count, 0);
	assert_int_equal(info.mmap_dropped, 0);
	assert_false(info.has_mmap);
	assert_int_equal(info.module_count, 0);
	assert_null(info.rsdp_v1);
	assert_null(info.rsdp_v2);
	assert_false(info.fb.present);
	assert_false(info.efi);
	assert_int_equal(info.problem_count, 0);
	assert_int_equal(info.problems_total, 0);
}

static void test_bad_magic(void **state)
{
	static const u32 magics[] = { 0, MB2_HEADER_MAGIC, 0x2badb002, MB2_BOOTLOADER_MAGIC ^ 1 };
	size_t i;

	(void)state;
	build_grub_like();
	for (i = 0; i < ARRAY_SIZE(magics); i++) {
		const u8 *p = make_copy(build_off);

		memset(&info, 0x5a, sizeof(info));
		info.mmap = mmap_arr;
		info.mmap_cap = 77;
		assert_int_equal(mb2_parse(p, magics[i], &info), MB2_BAD_MAGIC);
		assert_cleared(77);
		assert_int_equal(info.total_size, 0);
	}
	/* The magic is checked first, even with a NULL pointer. */
	assert_int_equal(mb2_parse(NULL, 0, &info), MB2_BAD_MAGIC);
}

static void test_bad_pointer(void **state)
{
	size_t off;

	(void)state;
	build_grub_like();
	memset(&info, 0x5a, sizeof(info));
	info.mmap = NULL;
	info.mmap_cap = 0;
	assert_int_equal(mb2_parse(NULL, MB2_BOOTLOADER_MAGIC, &info), MB2_BAD_POINTER);
	assert_cleared(0);
	for (off = 1; off < 8; off++) {
		memset(&info, 0x5a, sizeof(info));
		info.mmap = mmap_arr;
		info.mmap_cap = MMAP_CAP;
		assert_int_equal(mb2_parse(build_buf + off, MB2_BOOTLOADER_MAGIC, &info),
				 MB2_BAD_POINTER);
		assert_cleared(MMAP_CAP);
	}
}

/* Bad total sizes: only the 4-byte size field exists in the buffer. */
static void test_bad_total_size(void **state)
{
	static const u32 sizes[] = { 0,
				     7,
				     8,
				     12,
				     15,
				     20,
				     17,
				     MB2_MAX_TOTAL_SIZE + 8,
				     MB2_MAX_TOTAL_SIZE + 1,
				     0xfffffff8u,
				     0xffffffffu };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		build_begin();
		put32(0, sizes[i]);
		assert_int_equal(parse_len(4, MMAP_CAP), MB2_BAD_SIZE);
		assert_int_equal(info.total_size, sizes[i]);
		assert_cleared(MMAP_CAP);
	}
}

/* The largest total size accepted is MB2_MAX_TOTAL_SIZE. */
static void test_max_total_size(void **state)
{
	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "big");
	tag_filler(77, MB2_MAX_TOTAL_SIZE - build_off - 8 - 8, 0x11);
	tag_end();
	assert_int_equal(build_done(), MB2_MAX_TOTAL_SIZE);
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 0);
	assert_string_equal(info.cmdline, "big");
}

/* ---- Bad tag bodies ------------------------------------------------------ */

static void test_unterminated_cmdline(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_open(MB2_TAG_CMDLINE);
	build_bytes("no-nul!!", 8); /* exactly fills to the next tag */
	tag_close(at);
	tag_string(MB2_TAG_BOOTLOADER_NAME, "GRUB");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_CMDLINE, at, "not NUL-terminated");
	assert_null(info.cmdline);
	assert_string_equal(info.bootloader, "GRUB");
}

/* The NUL is in the padding, outside the tag's size: not terminated. */
static void test_cmdline_nul_only_in_padding(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_open(MB2_TAG_CMDLINE);
	build_bytes("abc", 3);
	tag_close(at); /* size 11; padding bytes are zero */
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_CMDLINE, at, "not NUL-terminated");
	assert_null(info.cmdline);
}

/* The last tag's string runs to the very end of the buffer (ASan). */
static void test_unterminated_string_at_end(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_open(MB2_TAG_BOOTLOADER_NAME);
	build_bytes("ABCDEFGH", 8);
	tag_close(at);
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problems_total, 2);
	assert_true(has_problem(MB2_TAG_BOOTLOADER_NAME, at, "not NUL-terminated"));
	assert_true(has_problem(~0u, at + 16, "no end tag"));
	assert_null(info.bootloader);
}

static void test_duplicate_cmdline(void **state)
{
	u32 second;

	(void)state;
	build_begin();
	tag_string(MB2_TAG_CMDLINE, "first");
	second = tag_string(MB2_TAG_CMDLINE, "second");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_CMDLINE, second, "duplicate");
	assert_string_equal(info.cmdline, "first");
}

static void test_module_end_below_start(void **state)
{
	u32 bad;

	(void)state;
	build_begin();
	tag_module(0x1000, 0x2000, "a");
	bad = tag_module(0x3001, 0x3000, "b");
	tag_module(0x4000, 0x5000, "c");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_MODULE, bad, "end below start");
	assert_int_equal(info.module_count, 2);
	assert_string_equal(info.modules[0].name, "a");
	assert_string_equal(info.modules[1].name, "c");
	assert_int_equal(info.modules[1].start, 0x4000);
	assert_int_equal(info.modules[1].end, 0x5000);
}

static void test_module_unterminated_name(void **state)
{
	u32 at;

	(void)state;
	build_begin();
	at = tag_open(MB2_TAG_MODULE);
	build_u32(0x1000);
	build_u32(0x2000);
	build_bytes("initrd!!", 8);
	tag_close(at);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_one_problem(MB2_TAG_MODULE, at, "not NUL-terminated");
	assert_int_equal(info.module_count, 0);
	assert_int_equal(info.module_tags, 1);
}

static void test_too_many_modules(void **state)
{
	u32 offs[MB2_MAX_MODULES + 8];
	char name[16];
	size_t i;

	(void)state;
	build_begin();
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		snprintf(name, sizeof(name), "m%zu", i);
		offs[i] = tag_module((u32)i * 0x1000, (u32)i * 0x1000 + 0x10, name);
	}
	tag_string(MB2_TAG_CMDLINE, "after");
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.module_count, MB2_MAX_MODULES);
	for (i = 0; i < MB2_MAX_MODULES; i++) {
		snprintf(name, sizeof(name), "m%zu", i);
		assert_string_equal(info.modules[i].name, name);
		assert_int_equal(info.modules[i].start, i * 0x1000);
	}
	assert_int_equal(info.problems_total, 8);
	assert_int_equal(info.problem_count, 8);
	for (i = MB2_MAX_MODULES; i < ARRAY_SIZE(offs); i++)
		assert_true(has_problem(MB2_TAG_MODULE, offs[i], "too many"));
	assert_string_equal(info.cmdline, "after");
	/* The caller can tell that modules were dropped (and must not boot). */
	assert_int_equal(info.module_tags, ARRAY_SIZE(offs));
	assert_true(info.complete);
}

/* Each tag type we read, one byte (or more) shorter than its minimum. */
static void test_short_tags(void **state)
{
	static const struct {
		u32 type, body;
	} cases[] = {
		{ MB2_TAG_CMDLINE, 0 },	  { MB2_TAG_BOOTLOADER_NAME, 0 }, { MB2_TAG_MODULE, 8 },
		{ MB2_TAG_MMAP, 7 },	  { MB2_TAG_FRAMEBUFFER, 23 },	  { MB2_TAG_ACPI_OLD, 19 },
		{ MB2_TAG_ACPI_NEW, 35 }, { MB2_TAG_ACPI_NEW, 20 },	  { MB2_TAG_EFI32, 3 },
		{ MB2_TAG_EFI64, 7 },	  { MB2_TAG_EFI_MMAP, 7 },
	};
	size_t i;
	u32 at;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		build_begin();
		at = tag_filler(cases[i].type, cases[i].body, 0);
		tag_end();
		build_done();
		assert_int_equal(parse_built(), MB2_OK);
		assert_one_problem(cases[i].type, at, "too short");
		assert_null(info.cmdline);
		assert_null(info.bootloader);
		assert_int_equal(info.module_count, 0);
		assert_false(info.has_mmap);
		assert_false(info.fb.present);
		assert_null(info.rsdp_v1);
		assert_null(info.rsdp_v2);
		assert_false(info.efi);
	}
}

static void test_efi_mmap_bad_descriptor(void **state)
{
	static const struct {
		u32 dsize, body;
		const char *what;
	} cases[] = {
		{ 0, 0, "descriptor_size" },
		{ 36, 72, "descriptor_size" },
		{ 44, 88, "descriptor_size" },
		{ 48, 100, "whole number" },
	};
	size_t i;
	u32 at, k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		build_begin();
		at = tag_open(MB2_TAG_EFI_MMAP);
		build_u32(cases[i].dsize);
		build_u32(1);
		for (k = 0; k < cases[i].body; k++)
			build_bytes("\x01", 1);
		tag_close(at);
		tag_end();
		build_done();
		assert_int_equal(parse_built(), MB2_OK);
		assert_one_problem(MB2_TAG_EFI_MMAP, at, cases[i].what);
		assert_true(info.efi);
		assert_null(info.efi_mmap);
		assert_int_equal(info.efi_mmap_size, 0);
	}
}

/* More problems than MB2_MAX_PROBLEMS: the first ones kept, all counted. */
static void test_problem_cap(void **state)
{
	u32 offs[MB2_MAX_PROBLEMS + 9];
	size_t i;

	(void)state;
	build_begin();
	for (i = 0; i < ARRAY_SIZE(offs); i++)
		offs[i] = tag_filler(MB2_TAG_ACPI_OLD, 4, 0);
	tag_end();
	build_done();
	assert_int_equal(parse_built(), MB2_OK);
	assert_int_equal(info.problem_count, MB2_MAX_PROBLEMS);
	assert_int_equal(info.problems_total, ARRAY_SIZE(offs));
	for (i = 0; i < MB2_MAX_PROBLEMS; i++) {
		assert_int_equal(info.problems[i].tag_type, MB2_TAG_ACPI_OLD);
		assert_int_equal(info.problems[i].offset, offs[i]);
		assert_non_null(info.problems[i].what);
	}
}

/* ---- Random corruption (ASan is the real check) ------------------------ */

/* Everything the parser returned must point inside the information. */
static void assert_sane(void)
{
	size_t i;

	assert_true(info.problem_count <= MB2_MAX_PROBLEMS);
	assert_true(info.problem_count <= info.problems_total);
	assert_true(info.module_count <= MB2_MAX_MODULES);
	assert_true(info.mmap_count <= info.mmap_cap);
	if (info.cmdline)
		assert_true(in_copy(info.cmdline, strlen(info.cmdline) + 1));
	if (info.bootloader)
		assert_true(in_copy(info.bootloader, strlen(info.bootloader) + 1));
	for (i = 0; i < info.module_count; i++) {
		const char *n = info.modules[i].name;

		assert_true(in_copy(n, strlen(n) + 1));
		assert_true(info.modules[i].start <= info.modules[i].end);
	}
	if (info.rsdp_v1)
		assert_true(in_copy(info.rsdp_v1, info.rsdp_v1_len) && info.rsdp_v1_len >= 20);
	if (info.rsdp_v2)
		assert_true(in_copy(info.rsdp_v2, info.rsdp_v2_len) && info.rsdp_v2_len >= 36);
	if (info.efi_mmap)
		assert_true(in_copy(info.efi_mmap, info.efi_mmap_size));
	for (i = 0; i < info.problem_count; i++) {
		assert_non_null(info.problems[i].what);
		assert_true(info.problems[i].offset <= info.total_size);
	}
}

static void test_random_corruption(void **state)
{
	alignas(8) static u8 good[8192];
	u32 len, total, n, k;
	int iter;

	(void)state;
	build_grub_like();
	len = build_off;
	assert_true(len <= sizeof(good));
	memcpy(good, build_buf, len);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (iter = 0; iter < 20000; iter++) {
		memcpy(build_buf, good, len);
		n = 1 + rng_next() % 6;
		for (k = 0; k < n; k++) {
			u32 at = (u32)(rng_next() % len) & ~3u;
			u64 r = rng_next();

			switch (r % 4) {
			case 0: /* a random byte */
				build_buf[at + (r >> 8) % 4] = (u8)(r >> 16);
				break;
			case 1: /* a small word (sizes, types) */
				put32(at, (u32)(r >> 8) % 64);
				break;
			case 2: /* a huge word */
				put32(at, ~(u32)((r >> 8) % 64));
				break;
			default: /* a zero word (kills NULs and sizes) */
				put32(at, 0);
				break;
			}
		}
		/* Sometimes truncate too (total_size stays 8-aligned). */
		total = len;
		if (rng_next() % 4 == 0)
			total = (u32)ALIGN_DOWN(16 + rng_next() % len, 8);
		if (total > len)
			total = len;
		put32(0, total);
		assert_int_equal(parse_len(total, 1 + rng_next() % 8), MB2_OK);
		assert_sane();
	}
}

static void test_strerror(void **state)
{
	(void)state;
	assert_non_null(mb2_strerror(MB2_OK));
	assert_non_null(strstr(mb2_strerror(MB2_BAD_MAGIC), "magic"));
	assert_non_null(strstr(mb2_strerror(MB2_BAD_POINTER), "aligned"));
	assert_non_null(strstr(mb2_strerror(MB2_BAD_SIZE), "total_size"));
	assert_non_null(strstr(mb2_strerror(-99), "unknown"));
	assert_non_null(strstr(mb2_strerror(12), "unknown"));
}

#define T(f) cmocka_unit_test_teardown(f, free_copy)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_grub_like),
		T(test_minimal),
		T(test_efi64_only),
		T(test_mmap_500_entries),
		T(test_mmap_entry_size_32),
		T(test_mmap_entry_size_20),
		T(test_mmap_entry_size_28),
		T(test_mmap_entry_size_0),
		T(test_mmap_not_whole_entries),
		T(test_mmap_empty),
		T(test_mmap_cap_overflow),
		T(test_mmap_no_array),
		T(test_duplicate_mmap),
		T(test_bad_then_good_mmap),
		T(test_truncated_list),
		T(test_truncated_at_tag_boundary),
		T(test_missing_end_tag),
		T(test_tag_size_past_end),
		T(test_tag_size_exactly_to_end),
		T(test_tag_size_below_8),
		T(test_tag_size_overflow),
		T(test_end_tag_bad_size),
		T(test_trailing_after_end),
		T(test_unknown_tags_skipped),
		T(test_bad_magic),
		T(test_bad_pointer),
		T(test_bad_total_size),
		T(test_max_total_size),
		T(test_unterminated_cmdline),
		T(test_cmdline_nul_only_in_padding),
		T(test_unterminated_string_at_end),
		T(test_duplicate_cmdline),
		T(test_module_end_below_start),
		T(test_module_unterminated_name),
		T(test_too_many_modules),
		T(test_short_tags),
		T(test_efi_mmap_bad_descriptor),
		T(test_problem_cap),
		T(test_random_corruption),
		T(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
