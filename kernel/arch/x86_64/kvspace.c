/*
 * kvspace.c - build and switch to the kernel's own page tables.
 */
#include <arch/cpu.h>
#include <abi/syscall.h>
#include <arch/irqchip.h>
#include <arch/kvspace.h>
#include <arch/vspace.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/console.h>
#include <common/string.h>

extern char boot_stack_guard[], boot_stack_bottom[];
extern char df_stack_guard[], df_stack_bottom[];

u64 kvspace_root;
struct kvspace_device kvspace_devices[KVSPACE_MAX_DEVICES];
size_t kvspace_device_count;
struct kvspace_device kvspace_firmware[KVSPACE_MAX_DEVICES];
size_t kvspace_firmware_count;

static struct bootmem *kv_bootmem;
static u64 kv_limit = BOOT_MAP_SIZE;

u64 frames_alloc_zeroed(struct bootmem *bm, u64 size, u64 limit)
{
	u64 f = bootmem_alloc(bm, size, PAGE_SIZE, limit);
	if (f != BOOTMEM_FAIL)
		memset(phys_to_virt(f), 0, ALIGN_UP(size, PAGE_SIZE));
	return f;
}

static u64 kv_alloc(void *ctx)
{
	(void)ctx;
	return frames_alloc_zeroed(kv_bootmem, PAGE_SIZE, kv_limit);
}

struct pt_env kvspace_env = { .alloc = kv_alloc, .to_virt = kvspace_to_virt };

u64 kvspace_global_bit(void)
{
	return cpu_has.pge ? PTE_G : 0;
}

/* Map part of the image [start, end) with `flags`. */
static const char *map_image(const void *start, const void *end, u64 flags)
{
	u64 s = (u64)start, e = ALIGN_UP((u64)end, PAGE_SIZE);
	if (e <= s)
		return NULL;
	int err = pt_map(&kvspace_env, kvspace_root, s, kimage_to_phys(start), e - s,
			 flags | kvspace_global_bit(), PT_SIZE_4K);
	return err ? "mapping the kernel image failed" : NULL;
}

/*
 * The image: text RX, rodata R+NX, data and bss RW+NX except the stack
 * guard pages, which stay unmapped.  The linker script page-aligns every
 * boundary used here.
 */
static const char *build_image(void)
{
	const char *err;

	if ((err = map_image(__text_start, __text_end, 0)) ||
	    (err = map_image(__rodata_start, __rodata_end, PTE_NX)) ||
	    (err = map_image(__data_start, boot_stack_guard, PTE_W | PTE_NX)) ||
	    (err = map_image(boot_stack_bottom, df_stack_guard, PTE_W | PTE_NX)) ||
	    (err = map_image(df_stack_bottom, __kernel_end, PTE_W | PTE_NX)))
		return err;
	return NULL;
}

bool kvspace_range_is_ram(const struct memmap_entry *map, size_t n, u64 base, u64 size)
{
	u64 at = base, end = base + size;

	/* The map is sorted and disjoint; adjacent RAM entries count as one. */
	for (size_t i = 0; i < n && at < end; i++) {
		u64 b = map[i].base, e = b + map[i].length;
		if (!memmap_is_ram(map[i].type) || e <= at)
			continue;
		if (b > at)
			return false;
		at = e;
	}
	return at >= end;
}

/* Map RAM [base, end) into the direct map, read-write or read-only. */
static const char *map_ram(u64 base, u64 end, bool writable)
{
	unsigned sizes = PT_SIZE_4K | PT_SIZE_2M | (cpu_has.pdpe1gb ? PT_SIZE_1G : 0);

	if (end <= base)
		return NULL;
	int err = pt_map(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + base, base, end - base,
			 (writable ? PTE_W : 0) | PTE_NX | kvspace_global_bit(), sizes);
	if (err)
		return err == PT_ENOMEM ? "out of memory for direct-map page tables"
					: "direct map: conflicting mapping";
	return NULL;
}

/*
 * Map one run of RAM.  The image's own frames are mapped read-only here,
 * so the kernel's text cannot be changed through its alias either.
 */
static const char *map_ram_run(u64 base, u64 end)
{
	u64 img = kimage_to_phys(__kernel_start), img_end = kimage_to_phys(__kernel_end);
	u64 a = MIN(MAX(base, img), end), b = MIN(MAX(base, img_end), end);
	const char *err;

	if ((err = map_ram(base, a, true)) || (err = map_ram(a, b, false)) ||
	    (err = map_ram(b, end, true)))
		return err;
	return NULL;
}

/*
 * The direct map: every whole page of RAM (runs of adjacent RAM entries of
 * any RAM type merged first), with the largest pages that fit.
 */
static const char *build_direct_map(const struct memmap_entry *map, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (!memmap_is_ram(map[i].type)) {
			i++;
			continue;
		}
		u64 base = map[i].base, end = base + map[i].length;
		for (i++; i < n && memmap_is_ram(map[i].type) && map[i].base == end; i++)
			end = map[i].base + map[i].length;
		if (base >= PHYS_MAX) {
			klog("mm",
			     "RAM at 0x%lx and above is beyond the 64 TB direct map: not used",
			     base);
			break;
		}
		if (end > PHYS_MAX) {
			klog("mm", "RAM above 64 TB (0x%lx..0x%lx) is not used", PHYS_MAX, end);
			end = PHYS_MAX;
		}
		const char *err =
		    map_ram_run(ALIGN_UP(base, PAGE_SIZE), ALIGN_DOWN(end, PAGE_SIZE));
		if (err)
			return err;
	}
	return NULL;
}

/*
 * Every kernel-half PML4 entry the kernel will ever use gets its PDPT now,
 * before any user address space exists:
 *  - the direct map's, up to the highest physical address the CPU can
 *    form (CPUID 0x80000008), so that device registers anywhere (64-bit
 *    PCI BARs sit above RAM) can be mapped later: at most 128 PDPTs
 *    (512 KB) for 46 physical bits, 1 for QEMU's default 40;
 *  - entry 511, for the per-CPU region and the image.
 * Later changes happen below the PML4 and are seen by every address space;
 * kvspace_map_device() refuses to create a PML4 entry.
 */
static const char *prealloc_kernel_half(void)
{
	u64 top = MIN(1ul << MIN(cpu_has.phys_bits, 63u), PHYS_MAX);

	for (u64 p = 0; p < top; p += SIZE_512G)
		if (pt_prealloc(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + p, PT_LEVEL_PDPT))
			return "out of memory for kernel-half tables";
	if (pt_prealloc(&kvspace_env, kvspace_root, PERCPU_BASE, PT_LEVEL_PDPT))
		return "out of memory for kernel-half tables";
	return NULL;
}

const char *kvspace_build(struct bootmem *bm, const struct memmap_entry *map, size_t n)
{
	const char *err;

	kv_bootmem = bm;
	kvspace_root = kv_alloc(NULL);
	if (kvspace_root == BOOTMEM_FAIL)
		return "no frame for the PML4";
	kvspace_env.tables = 1;
	if ((err = build_image()) || (err = build_direct_map(map, n)) ||
	    (err = prealloc_kernel_half()))
		return err;
	return NULL;
}

void kvspace_activate(void)
{
	write_cr3(kvspace_root);
	/* From here on every physical frame is reachable. */
	kv_limit = PHYS_MAX;
}

/*
 * Do the PML4 entries for direct-map range [base, end) exist?  Mappings
 * made after boot must never create one: address spaces copy them once.
 */
static bool pml4_slots_exist(u64 base, u64 end)
{
	const pte_t *pml4 = phys_to_virt(kvspace_root);

	for (u64 p = ALIGN_DOWN(base, SIZE_512G); p < end; p += SIZE_512G)
		if (!(pml4[PML4_INDEX(DIRECT_MAP_BASE + p)] & PTE_P))
			return false;
	return true;
}

bool kvspace_map_device(u64 phys, u64 size)
{
	u64 base = ALIGN_DOWN(phys, PAGE_SIZE);
	u64 end = ALIGN_UP(phys + size, PAGE_SIZE);

	if (end <= base || end > PHYS_MAX || kvspace_device_count == KVSPACE_MAX_DEVICES)
		return false;
	if (!pml4_slots_exist(base, end))
		return false;
	for (u64 p = base; p < end; p += PAGE_SIZE) {
		struct pt_leaf leaf;
		if (pt_translate(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + p, &leaf))
			return false; /* RAM, or another device: never alias */
	}
	if (pt_map(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + base, base, end - base,
		   PTE_W | PTE_NX | PTE_UC | kvspace_global_bit(), PT_SIZE_4K))
		return false;
	kvspace_devices[kvspace_device_count++] = (struct kvspace_device){ base, end - base };
	return true;
}

bool kvspace_map_firmware(u64 phys, u64 size)
{
	u64 base = ALIGN_DOWN(phys, PAGE_SIZE);
	u64 end = ALIGN_UP(phys + size, PAGE_SIZE);

	if (end <= base || end > PHYS_MAX)
		return false;
	if (!pml4_slots_exist(base, end))
		return false;
	for (u64 p = base; p < end; p += PAGE_SIZE) {
		struct pt_leaf l;
		if (pt_translate(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + p, &l)) {
			if ((l.flags & PTE_UC) == PTE_UC)
				return false; /* a device page: never cached */
			continue;
		}
		if (kvspace_firmware_count == KVSPACE_MAX_DEVICES)
			return false;
		if (pt_map(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + p, p, PAGE_SIZE,
			   PTE_NX | kvspace_global_bit(), PT_SIZE_4K))
			return false;
		/* Extend the last range if this page follows it, else start one. */
		struct kvspace_device *last =
		    kvspace_firmware_count ? &kvspace_firmware[kvspace_firmware_count - 1] : NULL;
		if (last && last->base + last->size == p)
			last->size += PAGE_SIZE;
		else
			kvspace_firmware[kvspace_firmware_count++] =
			    (struct kvspace_device){ p, PAGE_SIZE };
	}
	return true;
}

bool arch_device_kernel_owns(u64 pa)
{
	struct pt_leaf l;

	if (pa >= KEEL_APIC_WINDOW && pa < KEEL_APIC_WINDOW_END)
		return true; /* the local APIC's registers, mapped or not (x2APIC) */
	if (ioapic_listed(pa))
		return true; /* every I/O APIC the MADT lists, even one the kernel skipped */
	/*
	 * Anything in the kernel's direct map: RAM of every type (ACPI
	 * reclaimable and NVS too), its own device pages, the firmware it
	 * reads.  Each is mapped there with a memory type an uncached user
	 * alias would contradict, or is the kernel's to program.
	 */
	return pa < PHYS_MAX && pt_translate(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + pa, &l);
}
