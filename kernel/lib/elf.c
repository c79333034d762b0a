/*
 * elf.c - check an ELF64 executable before anything of it is loaded.
 * Pure: reads only [file, file+size), allocates nothing, no recursion.
 *
 * Decisions beyond the System V ABI:
 *  - Page 0 is never mapped, so NULL dereferences fault: a PT_LOAD
 *    segment starting below 4 KiB is ELF_ERANGE.
 *  - A segment's end is rounded up to its page before comparing with
 *    user_end, since the loader maps whole pages (the same as the plain
 *    end when user_end is page-aligned, as it is in Keel).
 *  - filesz > memsz is refused even for a PT_LOAD with memsz 0; a PT_LOAD
 *    with memsz 0 is otherwise ignored (nothing to map).
 *  - offset must lie within the file even when filesz is 0.
 *  - e_phnum == 0xffff (PN_XNUM, the count kept in section 0) is not
 *    supported: ELF_EPHDR.  e_version must be 1 as well as e_ident.
 *  - Only the R/W/X bits of p_flags are kept; p_align is not checked
 *    (only vaddr == offset modulo 4 KiB matters to the loader).
 *  - Other segment types (PT_INTERP, PT_DYNAMIC, PT_NOTE, ...) are ignored.
 *  - Checks are made in this order: header, program header table, then
 *    each PT_LOAD in file order (ESEGMENT, EALIGN, ERANGE, EWX, ETOOMANY),
 *    then ENOLOAD, EOVERLAP (after sorting) and EENTRY.
 */
#include <abi/page.h>
#include <keel/types.h>
#include <keel/unaligned.h>
#include <keel/string.h>
#include <keel/elf.h>

#define EHDR_SIZE   64
#define PHDR_SIZE   56
#define PAGE	    KEEL_PAGE_SIZE

#define ET_EXEC	    2
#define EM_X86_64   62
#define PT_LOAD	    1
#define PN_XNUM	    0xffff
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define PF_RWX	    (ELF_PF_R | ELF_PF_W | ELF_PF_X)
#define U64_MAX	    ((u64)-1)

static int check_header(const u8 *f, size_t size)
{
	if (!f || size < EHDR_SIZE)
		return ELF_ETOOSMALL;
	if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return ELF_EMAGIC;
	if (f[4] != ELFCLASS64 || f[5] != ELFDATA2LSB || f[6] != EV_CURRENT ||
	    get_le32(f + 20) != EV_CURRENT)
		return ELF_ECLASS;
	if (get_le16(f + 16) != ET_EXEC || get_le16(f + 18) != EM_X86_64)
		return ELF_ETYPE;

	u64 phoff = get_le64(f + 32);
	u16 phentsize = get_le16(f + 54);
	u16 phnum = get_le16(f + 56);

	if (phnum == 0)
		return ELF_OK; /* ELF_ENOLOAD later */
	if (phnum == PN_XNUM || phentsize != PHDR_SIZE)
		return ELF_EPHDR;
	/* phnum * 56 < 2^22: no overflow; phoff + table is checked by subtraction. */
	if (phoff > size || (u64)phnum * PHDR_SIZE > size - phoff)
		return ELF_EPHDR;
	return ELF_OK;
}

/* Check one PT_LOAD segment on its own; *s is already filled in. */
static int check_segment(const struct elf_segment *s, size_t size, u64 user_end)
{
	if (s->filesz > s->memsz)
		return ELF_ESEGMENT;
	if (s->offset > size || s->filesz > size - s->offset)
		return ELF_ESEGMENT;
	if ((s->vaddr - s->offset) % PAGE != 0)
		return ELF_EALIGN;
	if (s->vaddr < PAGE)
		return ELF_ERANGE;
	if (s->memsz > U64_MAX - s->vaddr)
		return ELF_ERANGE;
	u64 end = s->vaddr + s->memsz;
	if (end > U64_MAX - (PAGE - 1)) /* its last page would end at 2^64 */
		return ELF_ERANGE;
	if (ALIGN_UP(end, PAGE) > user_end)
		return ELF_ERANGE;
	if ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X))
		return ELF_EWX;
	return ELF_OK;
}

/* Insertion sort by vaddr: at most ELF_MAX_SEGMENTS entries. */
static void sort_segments(struct elf_image *img)
{
	for (size_t i = 1; i < img->nsegs; i++) {
		struct elf_segment key = img->segs[i];
		size_t j = i;

		while (j > 0 && img->segs[j - 1].vaddr > key.vaddr) {
			img->segs[j] = img->segs[j - 1];
			j--;
		}
		img->segs[j] = key;
	}
}

int elf_check(const void *file, size_t size, u64 user_end, struct elf_image *out)
{
	const u8 *f = file;
	int err = check_header(f, size);

	if (err)
		return err;

	u64 phoff = get_le64(f + 32);
	u16 phnum = get_le16(f + 56);

	out->entry = get_le64(f + 24);
	out->nsegs = 0;
	for (u16 i = 0; i < phnum; i++) {
		const u8 *ph = f + phoff + (u64)i * PHDR_SIZE;
		struct elf_segment s;

		if (get_le32(ph) != PT_LOAD)
			continue;
		s.flags = get_le32(ph + 4) & PF_RWX;
		s.offset = get_le64(ph + 8);
		s.vaddr = get_le64(ph + 16);
		s.filesz = get_le64(ph + 32);
		s.memsz = get_le64(ph + 40);
		if (s.memsz == 0 && s.filesz == 0)
			continue;
		err = check_segment(&s, size, user_end);
		if (err)
			return err;
		if (out->nsegs == ELF_MAX_SEGMENTS)
			return ELF_ETOOMANY;
		out->segs[out->nsegs++] = s;
	}
	if (out->nsegs == 0)
		return ELF_ENOLOAD;

	sort_segments(out);
	/* Sorted by start, so any shared page shows up between neighbours. */
	for (size_t i = 1; i < out->nsegs; i++) {
		const struct elf_segment *a = &out->segs[i - 1], *b = &out->segs[i];

		if (ALIGN_DOWN(b->vaddr, PAGE) < ALIGN_UP(a->vaddr + a->memsz, PAGE))
			return ELF_EOVERLAP;
	}

	for (size_t i = 0; i < out->nsegs; i++) {
		const struct elf_segment *s = &out->segs[i];

		if ((s->flags & ELF_PF_X) && out->entry >= s->vaddr &&
		    out->entry - s->vaddr < s->memsz)
			return ELF_OK;
	}
	return ELF_EENTRY;
}

const char *elf_strerror(int err)
{
	switch (err) {
	case ELF_OK:
		return "valid ELF64 executable";
	case ELF_ETOOSMALL:
		return "file shorter than an ELF header";
	case ELF_EMAGIC:
		return "not an ELF file (bad magic)";
	case ELF_ECLASS:
		return "not a 64-bit little-endian version 1 ELF file";
	case ELF_ETYPE:
		return "not an x86_64 executable (ET_EXEC, EM_X86_64)";
	case ELF_EPHDR:
		return "program headers outside the file or of the wrong size";
	case ELF_ESEGMENT:
		return "segment runs past the end of the file or filesz > memsz";
	case ELF_EALIGN:
		return "segment vaddr and offset differ modulo the page size";
	case ELF_ERANGE:
		return "segment wraps, maps page 0 or reaches the kernel half";
	case ELF_EOVERLAP:
		return "two segments share a page";
	case ELF_ETOOMANY:
		return "too many PT_LOAD segments";
	case ELF_ENOLOAD:
		return "no PT_LOAD segment";
	case ELF_EENTRY:
		return "entry point is in no executable segment";
	case ELF_EWX:
		return "segment is both writable and executable";
	default:
		return "unknown ELF error";
	}
}
