/*
 * test_elf.c - elf_check() on crafted ELF64 files: a good one, one broken
 * file per error, overflow and boundary cases, and random corruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <common/elf.h>
#include "testutil.h"

#define USER_END     0x0000800000000000ull
#define U64_MAX	     ((u64)-1)
#define BUF_SIZE     0x4000

#define PT_NULL	     0
#define PT_LOAD	     1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE	     4
#define PT_PHDR	     6
#define PT_TLS	     7
#define PT_GNU_STACK 0x6474e551u

#define R	     ELF_PF_R
#define W	     ELF_PF_W
#define X	     ELF_PF_X
#define RX	     (R | X)
#define RW	     (R | W)

/* Field offsets in Elf64_Ehdr and Elf64_Phdr. */
#define E_TYPE	     16
#define E_MACHINE    18
#define E_VERSION    20
#define E_ENTRY	     24
#define E_PHOFF	     32
#define E_EHSIZE     52
#define E_PHENTSIZE  54
#define E_PHNUM	     56
#define P_TYPE	     0
#define P_FLAGS	     4
#define P_OFFSET     8
#define P_VADDR	     16
#define P_FILESZ     32
#define P_MEMSZ	     40
#define P_ALIGN	     48

/* A crafted file: an ELF header, program headers right after it, and filler. */
struct builder {
	u8 buf[BUF_SIZE];
	size_t size;
	u16 phnum;
};

static struct builder B;
static struct elf_image img;

static void put16(size_t at, u16 v)
{
	memcpy(B.buf + at, &v, sizeof(v));
}

static void put32(size_t at, u32 v)
{
	memcpy(B.buf + at, &v, sizeof(v));
}

static void put64(size_t at, u64 v)
{
	memcpy(B.buf + at, &v, sizeof(v));
}

static void b_init(size_t size, u64 entry)
{
	static const u8 ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	assert_true(size <= BUF_SIZE);
	for (size_t i = 0; i < BUF_SIZE; i++)
		B.buf[i] = (u8)(i * 7 + 3); /* "code and data" */
	memset(B.buf, 0, 64);
	memcpy(B.buf, ident, sizeof(ident));
	put16(E_TYPE, 2);
	put16(E_MACHINE, 62);
	put32(E_VERSION, 1);
	put64(E_ENTRY, entry);
	put64(E_PHOFF, 64);
	put16(E_EHSIZE, 64);
	put16(E_PHENTSIZE, 56);
	put16(E_PHNUM, 0);
	B.size = size;
	B.phnum = 0;
}

/* Append a program header; returns its offset in the file. */
static size_t b_phdr(u32 type, u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz)
{
	size_t at = 64 + (size_t)B.phnum * 56;

	assert_true(at + 56 <= BUF_SIZE);
	put32(at + P_TYPE, type);
	put32(at + P_FLAGS, flags);
	put64(at + P_OFFSET, offset);
	put64(at + P_VADDR, vaddr);
	put64(at + 24, vaddr); /* p_paddr */
	put64(at + P_FILESZ, filesz);
	put64(at + P_MEMSZ, memsz);
	put64(at + P_ALIGN, 0x1000);
	B.phnum++;
	put16(E_PHNUM, B.phnum);
	return at;
}

static size_t b_load(u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz)
{
	return b_phdr(PT_LOAD, flags, offset, vaddr, filesz, memsz);
}

static int check(void)
{
	return elf_check(B.buf, B.size, USER_END, &img);
}

static int check_end(u64 user_end)
{
	return elf_check(B.buf, B.size, user_end, &img);
}

/*
 * The good file: 0x3000 bytes; text RX (with the headers) at 0x400000,
 * rodata R at 0x401000, data RW at 0x402000 with 0x2f00 bytes of bss.
 * Returns the offset of the first program header.
 */
#define GOOD_SIZE  0x3000
#define GOOD_ENTRY 0x400100
static size_t build_good(void)
{
	b_init(GOOD_SIZE, GOOD_ENTRY);
	size_t text = b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(R, 0x1000, 0x401000, 0x800, 0x800);
	b_load(RW, 0x2000, 0x402000, 0x100, 0x3000);
	return text;
}

static void assert_seg(size_t i, u64 vaddr, u64 memsz, u64 offset, u64 filesz, u32 flags)
{
	assert_true(i < img.nsegs);
	assert_int_equal(img.segs[i].vaddr, vaddr);
	assert_int_equal(img.segs[i].memsz, memsz);
	assert_int_equal(img.segs[i].offset, offset);
	assert_int_equal(img.segs[i].filesz, filesz);
	assert_int_equal(img.segs[i].flags, flags);
}

static void test_good_file(void **state)
{
	build_good();
	assert_int_equal(check(), ELF_OK);
	assert_int_equal(img.entry, GOOD_ENTRY);
	assert_int_equal(img.nsegs, 3);
	assert_seg(0, 0x400000, 0x1000, 0, 0x1000, RX);
	assert_seg(1, 0x401000, 0x800, 0x1000, 0x800, R);
	assert_seg(2, 0x402000, 0x3000, 0x2000, 0x100, RW);
}

static void test_unaligned_buffer(void **state)
{
	static u8 copy[GOOD_SIZE + 1];

	build_good();
	memcpy(copy + 1, B.buf, GOOD_SIZE);
	assert_int_equal(elf_check(copy + 1, GOOD_SIZE, USER_END, &img), ELF_OK);
	assert_int_equal(img.nsegs, 3);
}

static void test_too_small(void **state)
{
	build_good();
	assert_int_equal(elf_check(B.buf, 0, USER_END, &img), ELF_ETOOSMALL);
	assert_int_equal(elf_check(B.buf, 63, USER_END, &img), ELF_ETOOSMALL);
	assert_int_equal(elf_check(NULL, 0, USER_END, &img), ELF_ETOOSMALL);
	/* 64 bytes: the header fits, the program headers do not. */
	assert_int_equal(elf_check(B.buf, 64, USER_END, &img), ELF_EPHDR);
}

static void test_magic(void **state)
{
	for (int i = 0; i < 4; i++) {
		build_good();
		B.buf[i] ^= 0x20;
		assert_int_equal(check(), ELF_EMAGIC);
	}
	build_good();
	memcpy(B.buf, "MZ\x90\x00", 4);
	assert_int_equal(check(), ELF_EMAGIC);
}

static void test_class_data_version(void **state)
{
	static const struct {
		size_t at;
		u8 v;
	} bad[] = {
		{ 4, 1 },		      /* ELFCLASS32 */
		{ 4, 0 }, { 4, 3 }, { 5, 2 }, /* big-endian */
		{ 5, 0 }, { 6, 0 }, { 6, 2 }, { E_VERSION, 0 }, { E_VERSION, 2 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_good();
		B.buf[bad[i].at] = bad[i].v;
		assert_int_equal(check(), ELF_ECLASS);
	}
}

static void test_type_machine(void **state)
{
	static const u16 types[] = { 0, 1 /* REL */, 3 /* DYN */, 4 /* CORE */, 0xfe00 };
	static const u16 machines[] = { 0, 3 /* 386 */, 40 /* ARM */, 183 /* AArch64 */,
					243 /* RISC-V */ };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		build_good();
		put16(E_TYPE, types[i]);
		assert_int_equal(check(), ELF_ETYPE);
	}
	for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
		build_good();
		put16(E_MACHINE, machines[i]);
		assert_int_equal(check(), ELF_ETYPE);
	}
}

/*
 * The first 64 bytes of real files, as the toolchains write them: a PIE
 * like /bin/true (ET_DYN), an i386 executable (ELFCLASS32), an AArch64
 * static executable and a relocatable object.  Only the header is
 * needed: each is refused before the program headers are looked at.
 */
static void test_real_headers(void **state)
{
	static const u8 pie_true[64] = {
		0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0,    0,    0,	  0, 0,
		0,    0,    0,	  0x03, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00, /* DYN, x86_64, v1 */
		0x80, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,			  /* entry 0x2680 */
		0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,			  /* phoff 64 */
		0x98, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,			  /* shoff */
		0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x38, 0x00, /* flags, 64, 56 */
		0x0d, 0x00, 0x40, 0x00, 0x1e, 0x00, 0x1d, 0x00, /* 13 phdrs, 30 shdrs */
	};
	static const u8 i386_exec[52] = {
		0x7f, 0x45, 0x4c, 0x46, 0x01, 0x01, 0x01, 0x00, 0,    0,    0,	  0,	0,
		0,    0,    0,	  0x02, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x90,
		0x04, 0x08, 0x34, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x34, 0x00, 0x20, 0x00, 0x03, 0x00, 0x28, 0x00, 0x0a, 0x00, 0x09, 0x00,
	};
	static const u8 aarch64_exec[64] = {
		0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0,    0,    0,	  0,	0,    0,
		0,    0,    0x02, 0x00, 0xb7, 0x00, 0x01, 0x00, 0x00, 0x00, /* EXEC, AArch64 */
		0x40, 0x04, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x40, 0x00, 0x38, 0x00, 0x04, 0x00, 0x40, 0x00, 0x08, 0x00, 0x07, 0x00,
	};
	static const u8 x86_64_rel[64] = {
		0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0,    0,    0,	  0,	0,
		0,    0,    0,	  0x01, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00, /* REL, x86_64 */
		0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0,	  0,	0,
		0,    0,    0, /* no entry, no phdrs */
		0x30, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x0b, 0x00, 0x0a, 0x00,
	};

	assert_int_equal(elf_check(pie_true, sizeof(pie_true), USER_END, &img), ELF_ETYPE);
	/* 52 bytes: an ELF32 header is too small for an ELF64 one ... */
	assert_int_equal(elf_check(i386_exec, sizeof(i386_exec), USER_END, &img), ELF_ETOOSMALL);
	/* ... and with room for one, its class is wrong. */
	b_init(64, 0);
	memcpy(B.buf, i386_exec, sizeof(i386_exec));
	assert_int_equal(check(), ELF_ECLASS);
	assert_int_equal(elf_check(aarch64_exec, sizeof(aarch64_exec), USER_END, &img), ELF_ETYPE);
	assert_int_equal(elf_check(x86_64_rel, sizeof(x86_64_rel), USER_END, &img), ELF_ETYPE);
}

static void test_phdr_table(void **state)
{
	/* Wrong entry size. */
	static const u16 sizes[] = { 0, 32, 55, 57, 64 };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		build_good();
		put16(E_PHENTSIZE, sizes[i]);
		assert_int_equal(check(), ELF_EPHDR);
	}
	/* Table ends one byte past the file, or exactly at its end. */
	build_good();
	put64(E_PHOFF, GOOD_SIZE - 3 * 56 + 1);
	assert_int_equal(check(), ELF_EPHDR);
	build_good();
	memcpy(B.buf + GOOD_SIZE - 3 * 56, B.buf + 64, 3 * 56);
	put64(E_PHOFF, GOOD_SIZE - 3 * 56);
	assert_int_equal(check(), ELF_OK);
	/* Offsets near 2^64: phoff + table size wraps. */
	static const u64 offs[] = { U64_MAX,	  U64_MAX - 55,	 U64_MAX - 3 * 56 + 1,
				    (u64)1 << 63, GOOD_SIZE + 1, GOOD_SIZE };
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		build_good();
		put64(E_PHOFF, offs[i]);
		assert_int_equal(check(), ELF_EPHDR);
	}
	/* Huge counts. */
	static const u16 nums[] = { 0xffff /* PN_XNUM */, 0xfffe, 0x8000, 1000, 4 * 1024 };
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		build_good();
		put16(E_PHNUM, nums[i]);
		assert_int_equal(check(), ELF_EPHDR);
	}
	/* No program headers: the entry size and offset do not matter. */
	build_good();
	put16(E_PHNUM, 0);
	put16(E_PHENTSIZE, 0);
	put64(E_PHOFF, U64_MAX);
	assert_int_equal(check(), ELF_ENOLOAD);
}

static void test_segment_file_bounds(void **state)
{
	size_t text;

	/* filesz > memsz, also with memsz 0. */
	text = build_good();
	put64(text + P_MEMSZ, 0xfff);
	assert_int_equal(check(), ELF_ESEGMENT);
	text = build_good();
	put64(text + P_MEMSZ, 0);
	assert_int_equal(check(), ELF_ESEGMENT);

	/* The data segment's bytes run one byte past the end of the file. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(RW, 0x2000, 0x402000, 0x1001, 0x2000);
	assert_int_equal(check(), ELF_ESEGMENT);
	/* Exactly to the end is fine. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(RW, 0x2000, 0x402000, 0x1000, 0x2000);
	assert_int_equal(check(), ELF_OK);
	/* A bss-only segment whose offset is the end of the file is fine ... */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(RW, GOOD_SIZE, 0x403000, 0, 0x1000);
	assert_int_equal(check(), ELF_OK);
	/* ... one page past it is not. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(RW, GOOD_SIZE + 0x1000, 0x403000, 0, 0x1000);
	assert_int_equal(check(), ELF_ESEGMENT);

	/* offset + filesz wraps: offsets and sizes near 2^64, page-consistent. */
	static const struct {
		u64 offset, filesz;
	} wrap[] = {
		{ U64_MAX - 0xfff, 0x1000 },
		{ U64_MAX - 0xfff, 0x2000 },
		{ 0, U64_MAX },
		{ 0x1000, U64_MAX - 0xfff },
		{ (u64)1 << 63, (u64)1 << 63 },
		{ U64_MAX & ~0xfffull, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(wrap); i++) {
		b_init(GOOD_SIZE, GOOD_ENTRY);
		b_load(RX, 0, 0x400000, 0x1000, 0x1000);
		b_load(R, wrap[i].offset, 0x10000000 + (wrap[i].offset & 0xfff), wrap[i].filesz,
		       MAX(wrap[i].filesz, 1));
		assert_int_equal(check(), ELF_ESEGMENT);
	}
}

static void test_alignment(void **state)
{
	static const u64 vaddrs[] = { 0x401001, 0x401800, 0x401fff, 0x400001 };

	for (size_t i = 0; i < ARRAY_SIZE(vaddrs); i++) {
		b_init(GOOD_SIZE, GOOD_ENTRY);
		b_load(RX, 0, 0x400000, 0x1000, 0x1000);
		b_load(R, 0x1000, vaddrs[i] + 0x1000, 0x800, 0x800);
		assert_int_equal(check(), ELF_EALIGN);
	}
	/* Same remainder modulo the page, different pages: fine. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(R, 0x1234, 0x7ff000234, 0x800, 0x800);
	assert_int_equal(check(), ELF_OK);
	assert_seg(1, 0x7ff000234, 0x800, 0x1234, 0x800, R);
}

static void test_page_zero(void **state)
{
	/* Page 0 stays unmapped so that NULL faults. */
	static const u64 starts[] = { 0, 0x10, 0xfff };

	for (size_t i = 0; i < ARRAY_SIZE(starts); i++) {
		b_init(GOOD_SIZE, 0x1100);
		b_load(RX, starts[i], starts[i], 0x100, 0x2000);
		assert_int_equal(check(), ELF_ERANGE);
	}
	b_init(GOOD_SIZE, 0x1000);
	b_load(RX, 0, 0x1000, 0x1000, 0x1000);
	assert_int_equal(check(), ELF_OK);
}

static void test_user_end_boundary(void **state)
{
	const u64 top = USER_END - 0x2000;

	/* Text ending exactly at user_end. */
	b_init(GOOD_SIZE, top);
	b_load(RX, 0, top, 0x1000, 0x2000);
	assert_int_equal(check(), ELF_OK);
	/* One byte more. */
	b_init(GOOD_SIZE, top);
	b_load(RX, 0, top, 0x1000, 0x2001);
	assert_int_equal(check(), ELF_ERANGE);
	/* Starting at user_end, or in the kernel half. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(RW, 0, USER_END, 0, 1);
	assert_int_equal(check(), ELF_ERANGE);
	b_init(GOOD_SIZE, 0xffffffff80001000);
	b_load(RX, 0, 0xffffffff80000000, 0x1000, 0x2000);
	assert_int_equal(check(), ELF_ERANGE);
	/* A smaller user_end, and one that is not page-aligned. */
	build_good();
	assert_int_equal(check_end(0x405000), ELF_OK);
	assert_int_equal(check_end(0x404fff), ELF_ERANGE);
	assert_int_equal(check_end(0x404001), ELF_ERANGE);
	assert_int_equal(check_end(0), ELF_ERANGE);
	/* memsz wraps the address space. */
	static const u64 memszs[] = { U64_MAX, U64_MAX - 0x400000 + 1,
				      U64_MAX - 0x400000 - 0xffe /* last page ends at 2^64 */ };
	for (size_t i = 0; i < ARRAY_SIZE(memszs); i++) {
		b_init(GOOD_SIZE, GOOD_ENTRY);
		b_load(RX, 0, 0x400000, 0x1000, memszs[i]);
		assert_int_equal(check_end(U64_MAX), ELF_ERANGE);
	}
	/* With user_end at 2^64 - 1, the last page is still out of reach. */
	b_init(GOOD_SIZE, 0xffffffffffffe000);
	b_load(RX, 0, 0xffffffffffffe000, 0x1000, 0x1000);
	assert_int_equal(check_end(U64_MAX), ELF_OK);
	b_init(GOOD_SIZE, 0xfffffffffffff000);
	b_load(RX, 0, 0xfffffffffffff000, 0x100, 0xfff);
	assert_int_equal(check_end(U64_MAX), ELF_ERANGE);
	b_init(GOOD_SIZE, 0xfffffffffffff000);
	b_load(RX, 0, 0xfffffffffffff000, 0x1000, 0x1000);
	assert_int_equal(check_end(U64_MAX), ELF_ERANGE);
}

static void test_wx(void **state)
{
	static const u32 flags[] = { W | X, R | W | X, 0xffffffff };

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		b_init(GOOD_SIZE, GOOD_ENTRY);
		b_load(flags[i], 0, 0x400000, 0x1000, 0x1000);
		assert_int_equal(check(), ELF_EWX);
	}
	/* Bits other than R/W/X are dropped from the output. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX | 0xf0000000, 0, 0x400000, 0x1000, 0x1000);
	assert_int_equal(check(), ELF_OK);
	assert_int_equal(img.segs[0].flags, RX);
}

static void test_overlap(void **state)
{
	/* rodata starts in the page where text ends. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x800, 0x800);
	b_load(R, 0x900, 0x400900, 0x100, 0x100);
	assert_int_equal(check(), ELF_EOVERLAP);
	/* Text ends at 0x401001: one byte into rodata's page. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1001);
	b_load(R, 0x1000, 0x401000, 0x800, 0x800);
	assert_int_equal(check(), ELF_EOVERLAP);
	/* Same start. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(R, 0x1000, 0x400000, 0x800, 0x800);
	assert_int_equal(check(), ELF_EOVERLAP);
	/* A big segment covering later ones, listed out of order. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(RW, 0x1000, 0x401000, 0x100, 0x10000);
	b_load(R, 0x2000, 0x405000, 0x100, 0x100);
	b_load(R, 0x2000, 0x402000, 0x100, 0x100);
	assert_int_equal(check(), ELF_EOVERLAP);
	/* Adjacent page-aligned segments, or unaligned ones in separate pages, are fine. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(R, 0x1000, 0x401000, 0x1000, 0x1000);
	b_load(RW, 0x2000, 0x402000, 0x1000, 0x1000);
	assert_int_equal(check(), ELF_OK);
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x900, 0x900);
	b_load(R, 0x1900, 0x401900, 0x100, 0x100);
	assert_int_equal(check(), ELF_OK);
}

static void test_too_many(void **state)
{
	/* Exactly ELF_MAX_SEGMENTS program headers, ignored ones mixed in. */
	b_init(BUF_SIZE, 0x400000 + 0x10);
	for (u64 i = 0; i < ELF_MAX_SEGMENTS / 2; i++) {
		b_load(i == 0 ? RX : R, 0, 0x400000 + i * 0x2000, 0x100, 0x100);
		b_phdr(PT_NOTE, R, 0, 0, 0, 0);
	}
	assert_int_equal(check(), ELF_OK);
	assert_int_equal(img.nsegs, ELF_MAX_SEGMENTS / 2);
	/* One more header, of any type: the table itself is too long. */
	b_phdr(PT_NOTE, R, 0, 0, 0, 0);
	assert_int_equal(check(), ELF_ETOOMANY);
	/* All of them PT_LOAD: ELF_MAX_SEGMENTS is fine, one more is not. */
	b_init(BUF_SIZE, 0x400000 + 0x10);
	for (u64 i = 0; i < ELF_MAX_SEGMENTS; i++)
		b_load(i == 0 ? RX : R, 0, 0x400000 + i * 0x2000, 0x100, 0x100);
	assert_int_equal(check(), ELF_OK);
	assert_int_equal(img.nsegs, ELF_MAX_SEGMENTS);
	b_load(R, 0, 0x400000 + ELF_MAX_SEGMENTS * 0x2000, 0x100, 0x100);
	assert_int_equal(check(), ELF_ETOOMANY);
	/* A table that runs past the file is ELF_EPHDR first, however long. */
	b_init(64 + (ELF_MAX_SEGMENTS + 1) * 56 - 1, 0x400000 + 0x10);
	for (u64 i = 0; i <= ELF_MAX_SEGMENTS; i++)
		b_phdr(PT_NOTE, R, 0, 0, 0, 0);
	assert_int_equal(check(), ELF_EPHDR);
}

static void test_not_readable(void **state)
{
	/* Execute-only and write-only segments: Keel would map them readable. */
	static const u32 flags[] = { X, W, 0, 0xfffffffb /* all but R, so W|X */ };
	static const int want[] = { ELF_ENOREAD, ELF_ENOREAD, ELF_ENOREAD, ELF_EWX };

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		build_good();
		b_load(flags[i], 0x2000, 0x410000, 0x10, 0x10);
		assert_int_equal(check(), want[i]);
	}
	/* The text segment itself execute-only. */
	size_t text = build_good();
	put32(text + P_FLAGS, X);
	assert_int_equal(check(), ELF_ENOREAD);
	/* An empty PT_LOAD is ignored, whatever its flags. */
	build_good();
	b_load(X, 0, 0x410000, 0, 0);
	assert_int_equal(check(), ELF_OK);
}

static void test_no_load(void **state)
{
	b_init(GOOD_SIZE, GOOD_ENTRY);
	assert_int_equal(check(), ELF_ENOLOAD);
	b_phdr(PT_NOTE, R, 0x200, 0, 0x20, 0x20);
	b_phdr(PT_GNU_STACK, RW, 0, 0, 0, 0);
	assert_int_equal(check(), ELF_ENOLOAD);
	/* An empty PT_LOAD is ignored. */
	b_load(RX, U64_MAX, U64_MAX, 0, 0);
	assert_int_equal(check(), ELF_ENOLOAD);
}

static void test_entry(void **state)
{
	/* Entry points outside text: in rodata, in data, in bss, in a gap, past the end. */
	static const u64 bad[] = { 0x401000, 0x4017ff, 0x402000, 0x402fff, 0x404fff,
				   0x405000, 0x3fffff, 0,	 U64_MAX };
	static const u64 good[] = { 0x400000, 0x400fff, 0x400800 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		build_good();
		put64(E_ENTRY, bad[i]);
		assert_int_equal(check(), ELF_EENTRY);
	}
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		build_good();
		put64(E_ENTRY, good[i]);
		assert_int_equal(check(), ELF_OK);
		assert_int_equal(img.entry, good[i]);
	}
	/* Entry in the bss part of an executable segment is inside it. */
	b_init(GOOD_SIZE, 0x400f00);
	b_load(RX, 0, 0x400000, 0x800, 0x1000);
	assert_int_equal(check(), ELF_OK);
}

static void test_sorted_output(void **state)
{
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RW, 0x2000, 0x402000, 0x100, 0x3000);
	b_load(R, 0x1000, 0x601000, 0x800, 0x800);
	b_load(R, 0x1000, 0x401000, 0x800, 0x800);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	assert_int_equal(check(), ELF_OK);
	assert_int_equal(img.nsegs, 4);
	assert_seg(0, 0x400000, 0x1000, 0, 0x1000, RX);
	assert_seg(1, 0x401000, 0x800, 0x1000, 0x800, R);
	assert_seg(2, 0x402000, 0x3000, 0x2000, 0x100, RW);
	assert_seg(3, 0x601000, 0x800, 0x1000, 0x800, R);

	/* Random orders of 16 segments. */
	rng_state = 0x5eed0e1f;
	for (int round = 0; round < 200; round++) {
		u64 order[ELF_MAX_SEGMENTS];

		for (u64 i = 0; i < ELF_MAX_SEGMENTS; i++)
			order[i] = i;
		for (size_t i = ELF_MAX_SEGMENTS - 1; i > 0; i--) {
			size_t j = rng_next() % (i + 1);
			u64 t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		b_init(GOOD_SIZE, 0x400008);
		for (size_t i = 0; i < ELF_MAX_SEGMENTS; i++)
			b_load(order[i] == 0 ? RX : R, 0, 0x400000 + order[i] * 0x3000, 0x10,
			       0x10 + order[i]);
		assert_int_equal(check(), ELF_OK);
		assert_int_equal(img.nsegs, ELF_MAX_SEGMENTS);
		for (u64 i = 0; i < ELF_MAX_SEGMENTS; i++)
			assert_seg(i, 0x400000 + i * 0x3000, 0x10 + i, 0, 0x10, i == 0 ? RX : R);
	}
}

static void test_ignored_types(void **state)
{
	/* Non-PT_LOAD headers with nonsense fields change nothing. */
	static const u32 types[] = { PT_NULL,
				     PT_DYNAMIC,
				     PT_INTERP,
				     PT_NOTE,
				     PT_PHDR,
				     PT_TLS,
				     PT_GNU_STACK,
				     0x6474e550 /* EH_FRAME */,
				     0x6474e552 /* RELRO */,
				     0x70000000,
				     0xffffffff };

	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_phdr(PT_PHDR, R, 64, 0x400040, 56 * 16, 56 * 16);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		b_phdr(types[i], R | W | X, U64_MAX - i, 3 + i, U64_MAX, i);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(R, 0x1000, 0x401000, 0x800, 0x800);
	b_load(RW, 0x2000, 0x402000, 0x100, 0x3000);
	assert_int_equal(check(), ELF_OK);
	assert_int_equal(img.nsegs, 3);
	assert_seg(0, 0x400000, 0x1000, 0, 0x1000, RX);
	assert_seg(2, 0x402000, 0x3000, 0x2000, 0x100, RW);
}

static void test_truncated(void **state)
{
	/* Every length of the good file, in an exact-size allocation. */
	build_good();
	for (size_t n = 0; n <= GOOD_SIZE; n++) {
		u8 *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, B.buf, n);
		int err = elf_check(copy, n, USER_END, &img);
		if (n < 64)
			assert_int_equal(err, ELF_ETOOSMALL);
		else if (n < 64 + 3 * 56)
			assert_int_equal(err, ELF_EPHDR);
		else if (n < GOOD_SIZE - 0x1000 + 0x100)
			assert_int_equal(err, ELF_ESEGMENT);
		else
			assert_int_equal(err, ELF_OK);
		free(copy);
	}
}

/* Everything elf_check() promises about an image it accepted. */
static void assert_image_sane(const struct elf_image *m, size_t size)
{
	bool entry_ok = false;

	assert_true(m->nsegs >= 1 && m->nsegs <= ELF_MAX_SEGMENTS);
	for (size_t i = 0; i < m->nsegs; i++) {
		const struct elf_segment *s = &m->segs[i];

		assert_true(s->memsz > 0);
		assert_true(s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr >= 0x1000);
		assert_true(s->memsz <= USER_END - s->vaddr);
		assert_int_equal((s->vaddr - s->offset) & 0xfff, 0);
		assert_false((s->flags & W) && (s->flags & X));
		assert_true(s->flags & R);
		assert_int_equal(s->flags & ~(u32)(R | W | X), 0);
		if (i > 0) {
			const struct elf_segment *p = &m->segs[i - 1];
			assert_true(((p->vaddr + p->memsz + 0xfff) & ~0xfffull) <=
				    (s->vaddr & ~0xfffull));
		}
		if ((s->flags & X) && m->entry >= s->vaddr && m->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	assert_true(entry_ok);
}

static void test_random_corruption(void **state)
{
	/* The good file, plus ignored headers, so corruption can turn them into loads. */
	b_init(GOOD_SIZE, GOOD_ENTRY);
	b_load(RX, 0, 0x400000, 0x1000, 0x1000);
	b_load(R, 0x1000, 0x401000, 0x800, 0x800);
	b_load(RW, 0x2000, 0x402000, 0x100, 0x3000);
	b_phdr(PT_GNU_STACK, RW, 0, 0, 0, 0);
	b_phdr(PT_NOTE, R, 0x200, 0x400200, 0x20, 0x20);
	const size_t hdrs = 64 + (size_t)B.phnum * 56;
	int seen[1 - ELF_ELAST] = { 0 };

	rng_state = 0xe1f0c0de;
	for (int iter = 0; iter < 10000; iter++) {
		size_t n = GOOD_SIZE;
		u64 r = rng_next();

		if (r % 8 == 0)
			n = rng_next() % (GOOD_SIZE + 1);
		u8 *copy = malloc(n ? n : 1);
		u8 *orig = malloc(n ? n : 1);
		assert_non_null(copy);
		assert_non_null(orig);
		memcpy(copy, B.buf, n);

		int flips = 1 + rng_next() % 8;
		for (int k = 0; k < flips && n > 0; k++) {
			u64 v = rng_next();
			/* Mostly in the headers, where the checker looks. */
			size_t at = (v & 3) ? (v >> 8) % MIN(n, hdrs) : (v >> 8) % n;
			switch ((v >> 2) % 4) {
			case 0:
				copy[at] ^= (u8)(1u << ((v >> 40) % 8));
				break;
			case 1:
				copy[at] = (u8)(v >> 48);
				break;
			case 2:
				copy[at] = 0xff;
				break;
			default: {
				/* A whole 8-byte field, to a boundary value. */
				static const u64 vals[] = { 0,	      1,
							    0xfff,    0x1000,
							    U64_MAX,  U64_MAX - 0xfff,
							    USER_END, USER_END - 0x1000,
							    0x400000 };
				u64 val = vals[(v >> 32) % ARRAY_SIZE(vals)];
				size_t f = at & ~(size_t)7;
				if (f + 8 <= n)
					memcpy(copy + f, &val, 8);
				break;
			}
			}
		}
		memcpy(orig, copy, n);

		memset(&img, 0xa5, sizeof(img));
		int err = elf_check(copy, n, USER_END, &img);
		assert_true(err <= 0 && err >= ELF_ELAST);
		assert_memory_equal(copy, orig, n); /* the file is only read */
		if (err == ELF_OK)
			assert_image_sane(&img, n);
		seen[-err]++;
		free(copy);
		free(orig);
	}
	/* The corruption reaches past the first checks. */
	assert_true(seen[0] > 0);
	assert_true(seen[-ELF_EPHDR] > 0);
	assert_true(seen[-ELF_ESEGMENT] > 0);
}

static void test_strerror(void **state)
{
	for (int e = 0; e >= ELF_ELAST; e--) {
		const char *s = elf_strerror(e);

		assert_non_null(s);
		assert_true(strlen(s) > 0);
		for (int o = 0; o > e; o--)
			assert_string_not_equal(s, elf_strerror(o));
	}
	assert_non_null(elf_strerror(1));
	assert_non_null(elf_strerror(-100));
	assert_string_not_equal(elf_strerror(-100), elf_strerror(ELF_OK));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_magic),
		cmocka_unit_test(test_class_data_version),
		cmocka_unit_test(test_type_machine),
		cmocka_unit_test(test_real_headers),
		cmocka_unit_test(test_phdr_table),
		cmocka_unit_test(test_segment_file_bounds),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_page_zero),
		cmocka_unit_test(test_user_end_boundary),
		cmocka_unit_test(test_wx),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_not_readable),
		cmocka_unit_test(test_no_load),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_sorted_output),
		cmocka_unit_test(test_ignored_types),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
