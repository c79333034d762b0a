/*
 * elf64.h - the parts of ELF-64 the loader reads.
 */
#ifndef USER_ELF64_H
#define USER_ELF64_H

#include <stdint.h>

#define ELF_CLASS64   2
#define ELF_DATA2LSB  1
#define ELF_VERSION   1
#define ELF_ET_EXEC   2
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD   1
#define ELF_PF_X      1u
#define ELF_PF_W      2u
#define ELF_PF_R      4u

struct elf64_ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF-64 header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF-64 program header");

#endif
