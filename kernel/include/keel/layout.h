/*
 * layout.h - the Keel virtual address space: the single source of truth.
 *
 * Everything that needs to know where something lives includes this file:
 * the kernel's C code, the boot assembly, the linker script (run through
 * cpp), the host unit tests and the generator of docs/memory-layout.md.
 *
 *   0xffffffffffffffff +--------------------------------------+
 *                      | kernel image: text, rodata, data, bss| 512 MB  PML4[511] PDPT[510]
 *   0xffffffff80000000 +--------------------------------------+
 *                      | (unmapped)                           |
 *   0xffffff8200000000 +--------------------------------------+
 *                      | per-CPU data: 512 slots of 16 MB     | 8 GB    PML4[511] PDPT[0..7]
 *   0xffffff8000000000 +--------------------------------------+
 *                      | (unmapped)                           |
 *   0xffffc00000000000 +--------------------------------------+
 *                      | direct map of all physical memory    | 64 TB   PML4[256..383]
 *   0xffff800000000000 +--------------------------------------+
 *                      | non-canonical hole: never mappable   |
 *   0x0000800000000000 +--------------------------------------+
 *                      | user space (47 bits)                 | 128 TB  PML4[0..255]
 *   0x0000000000000000 +--------------------------------------+
 *
 * Only the kernel half (PML4 entries 256..511) belongs to the kernel; it is
 * shared by every address space.  Everything in it that is not listed above
 * stays unmapped.  Every constant below says why it has its value.
 */
#ifndef KEEL_LAYOUT_H
#define KEEL_LAYOUT_H

#include <abi/page.h>

/*
 * Constants are written with _UL() so the same text works in C (where
 * they need a UL suffix to be 64-bit) and in assembly and the linker script
 * (where a suffix is a syntax error).
 */
#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

/* --- Page-table geometry (x86_64, 4-level paging) --------------------- */

/*
 * A page is 4 KiB, as the ABI says (include/abi/page.h, shared with user
 * space); each table holds 512 eight-byte entries (9 bits).
 */
#define PAGE_SHIFT	     KEEL_PAGE_SHIFT
#define PAGE_SIZE	     KEEL_PAGE_SIZE
#define PT_ENTRIES	     512
#define PT_INDEX_BITS	     9

/* The virtual address bits each level translates. */
#define PT_SHIFT	     PAGE_SHIFT			  /* 4 KiB per PT entry */
#define PD_SHIFT	     (PT_SHIFT + PT_INDEX_BITS)	  /* 2 MiB per PD entry */
#define PDPT_SHIFT	     (PD_SHIFT + PT_INDEX_BITS)	  /* 1 GiB per PDPT entry */
#define PML4_SHIFT	     (PDPT_SHIFT + PT_INDEX_BITS) /* 512 GiB per PML4 entry */

#define SIZE_4K		     (_UL(1) << PT_SHIFT)
#define SIZE_2M		     (_UL(1) << PD_SHIFT)
#define SIZE_1G		     (_UL(1) << PDPT_SHIFT)
#define SIZE_512G	     (_UL(1) << PML4_SHIFT)

/* 48-bit virtual addresses: bits 63..47 must all equal bit 47. */
#define VA_BITS		     48

/* --- The regions ------------------------------------------------------- */

/*
 * User space: the lower canonical half, 128 TB.  Each address space has its
 * own PML4 entries 0..255 here; the kernel never maps anything of its own in
 * this half.  (Issue 4 decides whether the last page stays unmapped because
 * of the SYSRET non-canonical RIP hazard.)
 */
#define USER_BASE	     _UL(0x0000000000000000)
#define USER_SIZE	     (_UL(1) << (VA_BITS - 1))
#define USER_END	     (USER_BASE + USER_SIZE) /* exclusive */

/* The start of the upper canonical half: any address with bit 63 set. */
#define KERNEL_HALF_BASE     _UL(0xffff800000000000)

/*
 * Direct map: physical address P is at DIRECT_MAP_BASE + P.  It starts at the
 * very bottom of the kernel half so that it is PML4-aligned, and is 64 TB
 * (46 bits, the most physical memory x86_64 CPUs address today with 4-level
 * paging in practice), i.e. PML4 entries 256..383.  Only RAM (and device
 * pages the kernel asks for) is mapped in it.
 */
#define DIRECT_MAP_BASE	     KERNEL_HALF_BASE
#define DIRECT_MAP_SIZE	     (_UL(1) << 46)
#define DIRECT_MAP_END	     (DIRECT_MAP_BASE + DIRECT_MAP_SIZE)
#define PHYS_MAX	     DIRECT_MAP_SIZE /* highest physical address + 1 we can map */

/*
 * Per-CPU data: CPU n owns the 16 MB slot at PERCPU_BASE + n * 16 MB, which
 * holds its per-CPU structure, GDT/TSS and kernel and IST stacks, each stack
 * above an unmapped guard page.  512 CPUs x 16 MB = 8 GB, the first eight
 * PDPT entries of the last PML4 entry (which the kernel image shares), so
 * the region costs no PML4 slot of its own.
 */
#define PERCPU_BASE	     _UL(0xffffff8000000000)
#define PERCPU_SLOT_SIZE     (_UL(16) << 20)
#define PERCPU_MAX_CPUS	     512
#define PERCPU_SIZE	     (PERCPU_SLOT_SIZE * PERCPU_MAX_CPUS)
#define PERCPU_END	     (PERCPU_BASE + PERCPU_SIZE)
#define PERCPU_SLOT(n)	     (PERCPU_BASE + (n)*PERCPU_SLOT_SIZE)

/*
 * Inside one CPU's 16 MB slot (offsets from PERCPU_SLOT(n)).  Only these
 * pages are mapped; everything else in the slot, including one guard page
 * below each stack, stays unmapped, so a stack overflow faults instead of
 * running into its neighbour.
 *
 *   +0x000000  per-CPU data: struct percpu, GDT, TSS, I/O bitmap (PERCPU_DATA_SIZE)
 *   +0x010000  guard | kernel stack                       (KSTACK_SIZE)
 *   +0x020000  guard | double-fault IST stack             (IST_STACK_SIZE)
 *   +0x030000  guard | NMI IST stack                      (IST_STACK_SIZE)
 *   +0x040000  guard | machine-check IST stack            (IST_STACK_SIZE)
 *
 * Each stack area is 64 KB apart, so the layout is easy to read in a
 * debugger; all of it fits the slot's first 2 MB, one page table per CPU.
 */
#define PERCPU_DATA_OFF	     0x0
#define PERCPU_DATA_SIZE     (_UL(4) * PAGE_SIZE) /* 8 KB of it the I/O bitmap */
#define PERCPU_STACK_AREA    0x10000		  /* spacing of the stack areas */
#define PERCPU_KSTACK_OFF    (1 * PERCPU_STACK_AREA)
#define PERCPU_DF_STACK_OFF  (2 * PERCPU_STACK_AREA)
#define PERCPU_NMI_STACK_OFF (3 * PERCPU_STACK_AREA)
#define PERCPU_MC_STACK_OFF  (4 * PERCPU_STACK_AREA)
#define PERCPU_STACKS	     4
#define KSTACK_SIZE	     (_UL(16) << 10)
/* Pages mapped per CPU: data plus the four stacks. */
#define PERCPU_MAPPED_BYTES  (PERCPU_DATA_SIZE + KSTACK_SIZE + 3 * IST_STACK_SIZE)

/*
 * Kernel image: the top 2 GB of the address space is where -mcmodel=kernel
 * code must live (all symbols reachable by sign-extended 32-bit
 * displacements); we use its first 512 MB.  The image is linked at
 * KERNEL_BASE + physical load address, so kimage_to_phys() is a subtraction.
 */
#define KERNEL_BASE	     _UL(0xffffffff80000000)
#define KERNEL_SIZE	     (_UL(512) << 20)
#define KERNEL_END	     (KERNEL_BASE + KERNEL_SIZE)

/*
 * Where GRUB loads the image in physical memory: 2 MB, above the legacy
 * first megabyte (BIOS data, EBDA, VGA, option ROMs) and free on both SeaBIOS
 * and OVMF machines.  2 MB alignment keeps the image's first page-table page
 * to itself.
 */
#define KERNEL_PHYS_LOAD     _UL(0x200000)
#define KERNEL_VIRT_LOAD     (KERNEL_BASE + KERNEL_PHYS_LOAD)

/*
 * The boot page tables identity-map (and direct-map) the first 4 GB with
 * 2 MB pages, because everything GRUB hands us (the image, the Multiboot2
 * information, modules) is below 4 GB.  Until the kernel's own tables are
 * live, the boot allocator only hands out frames below this limit.
 */
#define BOOT_MAP_SIZE	     (_UL(4) << 30)

/* The kernel's one boot stack (per-CPU stacks come with the per-CPU data). */
#define BOOT_STACK_SIZE	     (_UL(16) << 10)
/* The double-fault IST stack, so a kernel stack overflow is reported. */
#define IST_STACK_SIZE	     (_UL(8) << 10)

/* PML4 index of an address. */
#define PML4_INDEX(va)	     (((va) >> PML4_SHIFT) & (PT_ENTRIES - 1))
#define PDPT_INDEX(va)	     (((va) >> PDPT_SHIFT) & (PT_ENTRIES - 1))

#ifndef __ASSEMBLER__

#include <keel/types.h>

/*
 * The regions as a table, in address order, for the boot report, the page
 * table checker and the documentation generator.  X(id, name, base, size, what)
 */
#define LAYOUT_REGIONS(X)                                                    \
	X(LAYOUT_USER, "user", USER_BASE, USER_SIZE, "user space (47 bits)") \
	X(LAYOUT_DIRECT_MAP, "direct map", DIRECT_MAP_BASE, DIRECT_MAP_SIZE, \
	  "direct map of all physical memory")                               \
	X(LAYOUT_PERCPU, "per-cpu", PERCPU_BASE, PERCPU_SIZE,                \
	  "per-CPU data, 16 MB per CPU, up to 512 CPUs")                     \
	X(LAYOUT_KERNEL, "kernel", KERNEL_BASE, KERNEL_SIZE, "kernel text/data")

enum layout_region_id {
#define LAYOUT_ENUM(id, name, base, size, what) id,
	LAYOUT_REGIONS(LAYOUT_ENUM)
#undef LAYOUT_ENUM
	    LAYOUT_REGION_COUNT
};

struct layout_region {
	const char *name;
	uint64_t base;
	uint64_t size;
	const char *what;
};

/* Defined in kernel/lib/layout.c from LAYOUT_REGIONS. */
extern const struct layout_region layout_regions[LAYOUT_REGION_COUNT];

/* Is va canonical for 48-bit virtual addresses (bits 63..47 all equal)? */
static inline bool layout_is_canonical(uint64_t va)
{
	uint64_t top = va >> (VA_BITS - 1);
	return top == 0 || top == (UINT64_MAX >> (VA_BITS - 1));
}

/* Any address with bit 63 set belongs to the kernel. */
static inline bool layout_is_kernel(uint64_t va)
{
	return (va >> 63) != 0;
}

/* Which region holds va, or -1 for none (a hole or non-canonical). */
int layout_region_of(uint64_t va);

/* --- Compile-time checks on the layout -------------------------------- */

#define LAYOUT_ALIGNED(x, a) (((x) & ((a)-1)) == 0)

/* Each region starts and ends on the page-table level it occupies. */
_Static_assert(LAYOUT_ALIGNED(DIRECT_MAP_BASE, SIZE_512G) &&
		   LAYOUT_ALIGNED(DIRECT_MAP_SIZE, SIZE_512G),
	       "direct map must be whole PML4 entries");
_Static_assert(LAYOUT_ALIGNED(PERCPU_BASE, SIZE_1G) && LAYOUT_ALIGNED(PERCPU_SIZE, SIZE_1G),
	       "per-CPU region must be whole PDPT entries");
_Static_assert(LAYOUT_ALIGNED(PERCPU_SLOT_SIZE, SIZE_2M), "per-CPU slots must be whole PD entries");
_Static_assert(LAYOUT_ALIGNED(KERNEL_BASE, SIZE_1G) && LAYOUT_ALIGNED(KERNEL_SIZE, SIZE_2M),
	       "kernel region must start on a PDPT entry");
_Static_assert(LAYOUT_ALIGNED(USER_SIZE, SIZE_512G) && USER_END / SIZE_512G == PT_ENTRIES / 2,
	       "user space is exactly the lower half of the PML4");

/* Sizes the issue promises. */
_Static_assert(DIRECT_MAP_SIZE == (_UL(64) << 40), "direct map is 64 TB");
_Static_assert(PERCPU_SIZE == (_UL(8) << 30), "per-CPU region is 8 GB");
_Static_assert(PERCPU_SLOT_SIZE *PERCPU_MAX_CPUS <= PERCPU_SIZE,
	       "16 MB x 512 CPUs fits the per-CPU region");
_Static_assert(KERNEL_SIZE == (_UL(512) << 20), "kernel region is 512 MB");
_Static_assert(KERNEL_BASE == 0 - (_UL(1) << 31),
	       "kernel region is the start of the top 2 GB (-mcmodel=kernel)");

/* Regions are in order, do not overlap, and are canonical. */
_Static_assert(USER_END <= DIRECT_MAP_BASE, "user / direct map overlap");
_Static_assert(DIRECT_MAP_END <= PERCPU_BASE, "direct map / per-CPU overlap");
_Static_assert(PERCPU_END <= KERNEL_BASE, "per-CPU / kernel overlap");
_Static_assert(DIRECT_MAP_BASE >> (VA_BITS - 1) == UINT64_MAX >> (VA_BITS - 1),
	       "kernel half starts at the first canonical high address");

/* The per-CPU region and the image share PML4 entry 511. */
_Static_assert(PML4_INDEX(PERCPU_BASE) == 511 && PML4_INDEX(KERNEL_BASE) == 511,
	       "per-CPU and image share the last PML4 entry");
_Static_assert(PML4_INDEX(DIRECT_MAP_BASE) == 256 && PML4_INDEX(DIRECT_MAP_END - 1) == 383,
	       "direct map is PML4 entries 256..383");

/* The per-CPU slot's contents fit its first 2 MB, each stack its area. */
_Static_assert(PERCPU_DATA_SIZE <= PERCPU_STACK_AREA, "per-CPU data fits its area");
_Static_assert(PAGE_SIZE + KSTACK_SIZE <= PERCPU_STACK_AREA &&
		   PAGE_SIZE + IST_STACK_SIZE <= PERCPU_STACK_AREA,
	       "a guard page and a stack fit a stack area");
_Static_assert(PERCPU_MC_STACK_OFF + PERCPU_STACK_AREA <= SIZE_2M,
	       "the slot's mapped part fits one page table");

/* The image's load address fits its region and the boot map. */
_Static_assert(LAYOUT_ALIGNED(KERNEL_PHYS_LOAD, SIZE_2M), "load address 2 MB aligned");
_Static_assert(KERNEL_PHYS_LOAD < KERNEL_SIZE, "load address inside region");
_Static_assert(BOOT_MAP_SIZE <= SIZE_512G, "boot map fits one PDPT");

#endif /* !__ASSEMBLER__ */

#endif /* KEEL_LAYOUT_H */
