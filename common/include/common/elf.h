/*
 * elf.h - checking an ELF64 executable before anything of it is loaded
 * (common/elf.c).  One set of rules for every program Keel starts: the
 * kernel checks the first program with it (kernel/core/root.c), and the
 * user library every program it spawns (user/lib/spawn.c), so both refuse
 * the same broken files.  Facts from the System V ABI and its x86-64
 * supplement.  Pure logic: host-tested (tests/host/test_elf.c).
 */
#ifndef COMMON_ELF_H
#define COMMON_ELF_H

#include <stddef.h>
#include <stdint.h>

/*
 * The most program headers a file may have, of any type; so also the most
 * PT_LOAD segments.  (Keel's programs have 2 to 4.)
 */
#define ELF_MAX_SEGMENTS 16

/* Segment permissions, as in p_flags. */
#define ELF_PF_X	 1u
#define ELF_PF_W	 2u
#define ELF_PF_R	 4u

struct elf_segment {
	uint64_t vaddr;	 /* where it starts in the address space */
	uint64_t memsz;	 /* bytes in memory (>= filesz; the rest is zero) */
	uint64_t offset; /* where its bytes start in the file */
	uint64_t filesz; /* bytes taken from the file */
	uint32_t flags;	 /* ELF_PF_*: always R, never both W and X */
};

struct elf_image {
	uint64_t entry;
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
	ELF_ETOOMANY = -10, /* more than ELF_MAX_SEGMENTS program headers */
	ELF_ENOLOAD = -11,  /* no PT_LOAD segment */
	ELF_EENTRY = -12,   /* the entry point is in no executable segment */
	ELF_EWX = -13,	    /* a segment is both writable and executable */
	ELF_ENOREAD = -14,  /* a segment is not readable */
};

/* The last error code: every elf_check() result is in [ELF_ELAST, ELF_OK]. */
#define ELF_ELAST ELF_ENOREAD

/*
 * elf_check - check the file [file, file+size) and describe its PT_LOAD
 * segments in *out.  Every address must stay below user_end (exclusive;
 * the caller passes the end of the user region).  Reads nothing outside
 * the file.  Returns ELF_OK or a negative enum elf_error; *out is only
 * meaningful on ELF_OK.
 */
int elf_check(const void *file, size_t size, uint64_t user_end, struct elf_image *out);

/* A sentence for an elf_check() result. */
const char *elf_strerror(int err);

#endif
