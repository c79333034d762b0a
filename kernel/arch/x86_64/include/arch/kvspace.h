/*
 * kvspace.h - the kernel's own address space (kernel/arch/x86_64/kvspace.c).
 *
 * At boot the kernel builds its final page tables from frames of the boot
 * allocator: the image with per-section permissions, the direct map of all
 * RAM, and one table for every PML4 entry of the kernel half it will ever
 * use, so every later address space can share the kernel half by copying
 * PML4 entries 256..511 once.
 */
#ifndef ARCH_KVSPACE_H
#define ARCH_KVSPACE_H

#include <arch/pagetable.h>
#include <keel/addr.h>
#include <keel/bootmem.h>
#include <keel/memmap.h>

/*
 * Take `size` bytes of zeroed frames (page-aligned, ending below `limit`)
 * from the boot allocator; BOOTMEM_FAIL if there are none.  The frames must
 * be reachable through the direct map: below BOOT_MAP_SIZE until
 * kvspace_activate().
 */
u64 frames_alloc_zeroed(struct bootmem *bm, u64 size, u64 limit);

/* PTE_G where the CPU has global pages: every kernel mapping has it. */
u64 kvspace_global_bit(void);

/* Physical address of the kernel's PML4 (0 before kvspace_build). */
extern u64 kvspace_root;

/* The pt_env that reaches tables through the direct map. */
extern struct pt_env kvspace_env;

/* Its to_virt, for every pt_env that reaches tables through the direct map. */
static inline pte_t *kvspace_to_virt(void *ctx, u64 phys)
{
	(void)ctx;
	return phys_to_virt(phys);
}

/*
 * Build the kernel address space; returns NULL or why it failed.  Frames
 * come from bm, below BOOT_MAP_SIZE (all the boot tables reach).
 */
const char *kvspace_build(struct bootmem *bm, const struct memmap_entry *map, size_t n);

/* Load the new tables and drop the boot identity map. */
void kvspace_activate(void);

/*
 * Map device memory [phys, phys+size) uncached into the direct map.
 * Refuses (returns false) if any of it is RAM or already mapped otherwise.
 */
bool kvspace_map_device(u64 phys, u64 size);

/*
 * Map firmware memory that is not RAM in the memory map but that the
 * kernel must read, such as ACPI tables in a "reserved" range, into the
 * direct map: write-back, read-only, NX, whole pages.  Pages already
 * mapped (RAM, or firmware mapped before) are left as they are; returns
 * false if part of the range is a device page or cannot be mapped.
 */
bool kvspace_map_firmware(u64 phys, u64 size);

/* Device and firmware ranges mapped so far, for the checker. */
struct kvspace_device {
	u64 base, size;
};
#define KVSPACE_MAX_DEVICES 32
extern struct kvspace_device kvspace_devices[KVSPACE_MAX_DEVICES];
extern size_t kvspace_device_count;
extern struct kvspace_device kvspace_firmware[KVSPACE_MAX_DEVICES];
extern size_t kvspace_firmware_count;

/* Is [base, base+size) inside a sanitized map's RAM (any RAM type)? */
bool kvspace_range_is_ram(const struct memmap_entry *map, size_t n, u64 base, u64 size);

#endif
