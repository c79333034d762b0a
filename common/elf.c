/*
 * elf.c - check an ELF64 executable before anything of it is loaded (see
 * common/elf.h).  Pure: reads only [file, file+size), allocates nothing,
 * no recursion.
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
 *  - At most ELF_MAX_SEGMENTS program headers, of any type (ELF_ETOOMANY),
 *    which bounds the work and the segment table.
 *  - Every PT_LOAD must be readable: Keel maps every segment readable
 *    (x86 has no execute-only or write-only pages), so a file that asks
 *    otherwise is refused (ELF_ENOREAD) rather than given more than it
 *    asked for.
 *  - Only the R/W/X bits of p_flags are kept; p_align is not checked
 *    (only vaddr == offset modulo 4 KiB matters to the loader).
 *  - Other segment types (PT_INTERP, PT_DYNAMIC, PT_NOTE, ...) are ignored.
 *  - Checks are made in this order: header, program header table
 *    (EPHDR, then ETOOMANY), then each PT_LOAD in file order (ESEGMENT,
 *    EALIGN, ERANGE, EWX, ENOREAD), then ENOLOAD, EOVERLAP (after
 *    sorting) and EENTRY.
 */
#include <abi/page.h>
#include <common/elf.h>
#include <common/unaligned.h>

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

static uint64_t page_down(uint64_t x)
{
	return x & ~(PAGE - 1);
}

/* x rounded up to a page boundary; x must be below the last page of the address space. */
static uint64_t page_up(uint64_t x)
{
	return page_down(x + PAGE - 1);
}

static int check_header(const uint8_t *f, size_t size)
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

	uint64_t phoff = get_le64(f + 32);
	uint16_t phentsize = get_le16(f + 54);
	uint16_t phnum = get_le16(f + 56);

	if (phnum == 0)
		return ELF_OK; /* ELF_ENOLOAD later */
	if (phnum == PN_XNUM || phentsize != PHDR_SIZE)
		return ELF_EPHDR;
	/* phnum * 56 < 2^22: no overflow; phoff + table is checked by subtraction. */
	if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff)
		return ELF_EPHDR;
	if (phnum > ELF_MAX_SEGMENTS)
		return ELF_ETOOMANY;
	return ELF_OK;
}

/* Check one PT_LOAD segment on its own; *s is already filled in. */
static int check_segment(const struct elf_segment *s, size_t size, uint64_t user_end)
{
	if (s->filesz > s->memsz)
		return ELF_ESEGMENT;
	if (s->offset > size || s->filesz > size - s->offset)
		return ELF_ESEGMENT;
	if ((s->vaddr - s->offset) % PAGE != 0)
		return ELF_EALIGN;
	if (s->vaddr < PAGE)
		return ELF_ERANGE;
	if (s->memsz > UINT64_MAX - s->vaddr)
		return ELF_ERANGE;
	uint64_t end = s->vaddr + s->memsz;
	if (end > UINT64_MAX - (PAGE - 1)) /* its last page would end at 2^64 */
		return ELF_ERANGE;
	if (page_up(end) > user_end)
		return ELF_ERANGE;
	if ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X))
		return ELF_EWX;
	if (!(s->flags & ELF_PF_R))
		return ELF_ENOREAD;
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

int elf_check(const void *file, size_t size, uint64_t user_end, struct elf_image *out)
{
	const uint8_t *f = file;
	int err = check_header(f, size);

	if (err)
		return err;

	uint64_t phoff = get_le64(f + 32);
	uint16_t phnum = get_le16(f + 56);

	out->entry = get_le64(f + 24);
	out->nsegs = 0;
	/* phnum <= ELF_MAX_SEGMENTS: every PT_LOAD finds room in out->segs. */
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * PHDR_SIZE;
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
		out->segs[out->nsegs++] = s;
	}
	if (out->nsegs == 0)
		return ELF_ENOLOAD;

	sort_segments(out);
	/* Sorted by start, so any shared page shows up between neighbours. */
	for (size_t i = 1; i < out->nsegs; i++) {
		const struct elf_segment *a = &out->segs[i - 1], *b = &out->segs[i];

		if (page_down(b->vaddr) < page_up(a->vaddr + a->memsz))
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
		return "too many program headers";
	case ELF_ENOLOAD:
		return "no PT_LOAD segment";
	case ELF_EENTRY:
		return "entry point is in no executable segment";
	case ELF_EWX:
		return "segment is both writable and executable";
	case ELF_ENOREAD:
		return "segment is not readable";
	default:
		return "unknown ELF error";
	}
}
