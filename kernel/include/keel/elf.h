/*
 * elf.h - checking an ELF64 executable before anything of it is loaded
 * (kernel/lib/elf.c).  Used by the kernel to start the pager from the
 * first GRUB module (issue 4), and by the pager to spawn programs (issue
 * 5), so both refuse the same broken files.  Facts from the System V ABI
 * and its x86-64 supplement.  Pure logic: host-tested.
 */
#ifndef KEEL_ELF_H
#define KEEL_ELF_H

#include <keel/types.h>

#define ELF_MAX_SEGMENTS 16

/* Segment permissions, as in p_flags. */
#define ELF_PF_X	 1u
#define ELF_PF_W	 2u
#define ELF_PF_R	 4u

struct elf_segment {
	u64 vaddr;  /* where it starts in the address space */
	u64 memsz;  /* bytes in memory (>= filesz; the rest is zero) */
	u64 offset; /* where its bytes start in the file */
	u64 filesz; /* bytes taken from the file */
	u32 flags;  /* ELF_PF_* */
};

struct elf_image {
	u64 entry;
	struct elf_segment segs[ELF_MAX_SEGMENTS]; /* PT_LOAD only, by vaddr */
	size_t nsegs;
};

enum elf_error {
	ELF_OK = 0,
	ELF_ETOOSMALL = -1, /* shorter than an ELF header */
	ELF_EMAGIC = -2,    /* not \x7fELF */
	ELF_ECLASS = -3,    /* not 64-bit, little-endian, version 1 */
	ELF_ETYPE = -4,	    /* not ET_EXEC for EM_X86_64 */
	ELF_EPHDR = -5,	    /* program headers outside the file, or bad size */
	ELF_ESEGMENT = -6,  /* a segment runs past the file, or filesz > memsz */
	ELF_EALIGN = -7,    /* vaddr and offset disagree modulo the page size */
	ELF_ERANGE = -8,    /* a segment wraps or reaches user_end (the kernel half) */
	ELF_EOVERLAP = -9,  /* two segments share a page */
	ELF_ETOOMANY = -10, /* more than ELF_MAX_SEGMENTS PT_LOAD segments */
	ELF_ENOLOAD = -11,  /* no PT_LOAD segment */
	ELF_EENTRY = -12,   /* the entry point is in no executable segment */
	ELF_EWX = -13,	    /* a segment is both writable and executable */
};

/*
 * elf_check - check the file [file, file+size) and describe its PT_LOAD
 * segments in *out.  Every address must stay below user_end (exclusive;
 * the caller passes the end of the user region).  Reads nothing outside
 * the file.  Returns ELF_OK or a negative enum elf_error; *out is only
 * meaningful on ELF_OK.
 */
int elf_check(const void *file, size_t size, u64 user_end, struct elf_image *out);

/* A sentence for an elf_check() result. */
const char *elf_strerror(int err);

#endif
