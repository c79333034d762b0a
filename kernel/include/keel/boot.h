/*
 * boot.h - what the kernel learned and built while booting (kernel/main.c).
 */
#ifndef KEEL_BOOT_H
#define KEEL_BOOT_H

#include <keel/acpi.h>
#include <keel/bootmem.h>
#include <keel/frames.h>
#include <keel/memmap.h>
#include <keel/multiboot2.h>
#include <keel/types.h>

struct boot_state {
	bool test_mode; /* `test` on the command line */
	u64 mbi_phys;	/* the Multiboot2 information */
	struct mb2_info info;
	const char *cmdline; /* never NULL ("" if absent) */

	/* The sanitized memory map. */
	struct memmap_entry *memmap;
	size_t memmap_count;

	struct bootmem *bootmem;
	const struct acpi_info *acpi; /* what the ACPI tables said (zeroed if none) */
	struct frames *frames;	      /* frame roles, from the free list at boot end */
	u64 pagetable_bytes;	      /* frames the kernel took for page tables */
	u64 footprint_bytes;	      /* all it took at boot, image excluded */
	u64 bootmem_taken;	      /* what the boot allocator had handed out then */
};

extern struct boot_state boot;

/* The TSC when the kernel was entered (boot.S, after the CPU checks). */
extern u64 boot_entry_tsc;

#endif
