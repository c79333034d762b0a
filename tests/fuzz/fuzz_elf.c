/*
 * fuzz_elf.c - libFuzzer harness for the ELF checker, elf_check()
 * (common/elf.c), with user_end = KEEL_USER_TOP as the kernel and the user
 * library pass it.
 *
 * The input is the file, handed over in a malloc()ed buffer of exactly its
 * size (AddressSanitizer catches any read outside it).  On ELF_OK every
 * promise of elf.h is checked on the segments it returns, and each segment
 * is matched with a PT_LOAD program header of the file; on an error, the
 * code must be one of enum elf_error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <abi/page.h>
#include <abi/uspace.h>
#include <common/elf.h>

#include "fuzz.h"

#define PAGE	  KEEL_PAGE_SIZE
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PT_LOAD	  1

static uint64_t page_down(uint64_t x)
{
	return x & ~(PAGE - 1);
}

/* The end of the page holding the last byte of [vaddr, vaddr + memsz). */
static uint64_t last_page_end(const struct elf_segment *s)
{
	return page_down(s->vaddr + s->memsz - 1) + PAGE;
}

/* Is s, field by field, what the file's program header ph says? */
static int from_phdr(const uint8_t *ph, const struct elf_segment *s)
{
	return get_le32(ph) == PT_LOAD && (get_le32(ph + 4) & 7) == s->flags &&
	       get_le64(ph + 8) == s->offset && get_le64(ph + 16) == s->vaddr &&
	       get_le64(ph + 32) == s->filesz && get_le64(ph + 40) == s->memsz;
}

/* Every segment comes from a PT_LOAD header, and every non-empty one is there. */
static void check_phdrs(const uint8_t *f, size_t size, const struct elf_image *img)
{
	uint64_t phoff = get_le64(f + 32);
	unsigned phnum = f[56] | (unsigned)f[57] << 8, loads = 0;

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * PHDR_SIZE;
		int found = 0;

		if (get_le32(ph) != PT_LOAD || (get_le64(ph + 32) == 0 && get_le64(ph + 40) == 0))
			continue;
		loads++;
		for (size_t j = 0; j < img->nsegs && !found; j++)
			found = from_phdr(ph, &img->segs[j]);
		CHECK(found, "every non-empty PT_LOAD header is a segment");
	}
	CHECK(loads == img->nsegs, "as many segments as non-empty PT_LOAD headers");
}

static void check_ok(const uint8_t *f, size_t size, uint64_t user_end, const struct elf_image *img)
{
	int entry_ok = 0;

	CHECK(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGMENTS, "1 to ELF_MAX_SEGMENTS segments");
	CHECK(get_le64(f + 24) == img->entry, "the entry is the header's");
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];

		CHECK(s->offset <= size && s->filesz <= size - s->offset,
		      "segment: [offset, offset + filesz) inside the file");
		CHECK(s->filesz <= s->memsz, "segment: filesz <= memsz");
		CHECK(s->memsz > 0, "segment: not empty");
		CHECK(s->vaddr >= PAGE, "segment: page 0 is never mapped");
		CHECK(s->memsz <= UINT64_MAX - s->vaddr, "segment: vaddr + memsz does not wrap");
		CHECK(last_page_end(s) <= user_end, "segment: its pages end at or below user_end");
		CHECK((s->vaddr - s->offset) % PAGE == 0,
		      "segment: vaddr = offset modulo the page");
		CHECK((s->flags & ~7u) == 0, "segment: flags only R, W, X");
		CHECK(s->flags & ELF_PF_R, "segment: readable");
		CHECK(!((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)), "segment: not W+X");
		if ((s->flags & ELF_PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			entry_ok = 1;
		if (i == 0)
			continue;
		CHECK(img->segs[i - 1].vaddr <= s->vaddr, "segments sorted by vaddr");
		for (size_t j = 0; j < i; j++)
			CHECK(last_page_end(&img->segs[j]) <= page_down(s->vaddr),
			      "segments share no page");
	}
	CHECK(entry_ok, "the entry is inside an executable segment");
	check_phdrs(f, size, img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f = fuzz_dup(data, size);
	struct elf_image img;
	const char *text;
	int r;

	memset(&img, 0xa5, sizeof(img));
	r = elf_check(f, size, KEEL_USER_TOP, &img);
	CHECK(r <= ELF_OK && r >= ELF_ELAST, "the result is ELF_OK or in [ELF_ELAST, ELF_OK)");
	text = elf_strerror(r);
	CHECK(text != NULL && strcmp(text, elf_strerror(ELF_ELAST - 1)) != 0,
	      "elf_strerror knows every result");
	CHECK((size < EHDR_SIZE) == (r == ELF_ETOOSMALL), "ELF_ETOOSMALL exactly below 64 bytes");
	if (size >= EHDR_SIZE)
		CHECK((memcmp(f, "\177ELF", 4) != 0) == (r == ELF_EMAGIC),
		      "ELF_EMAGIC exactly without \\x7fELF");
	if (r == ELF_OK)
		check_ok(f, size, KEEL_USER_TOP, &img);
	CHECK(memcmp(f, data, size) == 0, "the file is not written to");
	CHECK(elf_check(NULL, size, KEEL_USER_TOP, &img) == ELF_ETOOSMALL, "NULL: ELF_ETOOSMALL");
	free(f);
	return 0;
}
