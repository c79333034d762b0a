/*
 * ptcheck.c - walk the live page tables and hold them against the layout
 * header and the memory map.  Used by the boot report and the boot tests.
 */
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/percpu.h>
#include <arch/ptcheck.h>
#include <keel/addr.h>
#include <common/fmt.h>

extern char boot_stack_guard[], boot_stack_bottom[];
extern char df_stack_guard[], df_stack_bottom[];

static int size_index(u64 size)
{
	return size == SIZE_1G ? 2 : size == SIZE_2M ? 1 : 0;
}

static int collect_leaf(void *arg, const struct pt_leaf *leaf)
{
	struct ptcheck_stats *st = arg;
	int r = layout_region_of(leaf->va);
	if (r < 0) {
		st->outside++;
		return 0;
	}
	st->region[r].bytes += leaf->size;
	st->region[r].pages[size_index(leaf->size)]++;
	return 0;
}

void ptcheck_collect(struct ptcheck_stats *st)
{
	*st = (struct ptcheck_stats){ 0 };
	pt_walk(&kvspace_env, kvspace_root, 0, 0, collect_leaf, st);
}

struct verify {
	const struct memmap_entry *map;
	size_t n;
	char *why;
	/* The direct map's coverage so far, to find unmapped RAM pages. */
	u64 next_ram_check; /* every RAM page below this was seen mapped */
	size_t ram_idx;
};

static char verify_msg[160];

#define FAIL(...) (fmt_snprintf(verify_msg, sizeof(verify_msg), __VA_ARGS__), 1)

static bool in(u64 va, const void *lo, const void *hi)
{
	return va >= (u64)lo && va < (u64)hi;
}

static bool in_list(const struct kvspace_device *list, size_t n, u64 pa, u64 size)
{
	for (size_t i = 0; i < n; i++)
		if (pa >= list[i].base && pa + size <= list[i].base + list[i].size)
			return true;
	return false;
}

static bool is_device(u64 pa, u64 size)
{
	return in_list(kvspace_devices, kvspace_device_count, pa, size);
}

static bool is_firmware(u64 pa, u64 size)
{
	return in_list(kvspace_firmware, kvspace_firmware_count, pa, size);
}

static u64 v_image_pages; /* image pages seen by the current walk */

static int check_image_leaf(const struct pt_leaf *l)
{
	u64 va = l->va;
	bool w = l->flags & PTE_W, nx = l->flags & PTE_NX;

	if (l->size != SIZE_4K)
		return FAIL("image page 0x%lx is not 4 KiB", va);
	if (l->pa != va - KERNEL_BASE)
		return FAIL("image page 0x%lx maps 0x%lx, not its load address", va, l->pa);
	if (in(va, boot_stack_guard, boot_stack_bottom) || in(va, df_stack_guard, df_stack_bottom))
		return FAIL("stack guard page 0x%lx is mapped", va);
	v_image_pages++;
	if (in(va, __text_start, __text_end))
		return w || nx ? FAIL("text page 0x%lx is not read+execute", va) : 0;
	if (in(va, __rodata_start, __rodata_end))
		return w || !nx ? FAIL("rodata page 0x%lx is not read-only NX", va) : 0;
	if (in(va, __data_start, __kernel_end))
		return !w || !nx ? FAIL("data page 0x%lx is not read-write NX", va) : 0;
	return FAIL("0x%lx is mapped in the kernel region outside the image", va);
}

/* Check that every whole RAM page below `upto` was seen mapped. */
static int check_ram_gap(struct verify *v, u64 upto)
{
	for (; v->ram_idx < v->n; v->ram_idx++) {
		const struct memmap_entry *e = &v->map[v->ram_idx];
		if (!memmap_is_ram(e->type))
			continue;
		u64 b = MAX(ALIGN_UP(e->base, PAGE_SIZE), v->next_ram_check);
		u64 end = MIN(e->base + e->length, PHYS_MAX);
		/* Only whole pages of RAM count; neighbours of any RAM type merge. */
		for (size_t j = v->ram_idx + 1;
		     j < v->n && v->map[j].base == end && memmap_is_ram(v->map[j].type); j++)
			end = MIN(v->map[j].base + v->map[j].length, PHYS_MAX);
		end = ALIGN_DOWN(end, PAGE_SIZE);
		if (b >= end)
			continue;
		if (b < upto)
			return FAIL("RAM page 0x%lx is not in the direct map", b);
		return 0;
	}
	return 0;
}

/* Does [lo, hi) hold an edge of the image's frames (so it mixes RO and RW)? */
static bool straddles_image(u64 lo, u64 hi)
{
	u64 img = kimage_to_phys(__kernel_start), img_end = kimage_to_phys(__kernel_end);
	return (lo < img && img < hi) || (lo < img_end && img_end < hi);
}

/*
 * A RAM leaf must be the largest page that fits: if the aligned 2 MB (or,
 * with 1 GB pages, 1 GB) chunk around it is all RAM with one permission,
 * it should have been one bigger page.
 */
static int check_page_size(struct verify *v, u64 pa, u64 size)
{
	u64 bigger = size == SIZE_4K ? SIZE_2M : size == SIZE_2M && cpu_has.pdpe1gb ? SIZE_1G : 0;
	if (!bigger)
		return 0;
	u64 chunk = ALIGN_DOWN(pa, bigger);
	if (chunk + bigger <= PHYS_MAX && kvspace_range_is_ram(v->map, v->n, chunk, bigger) &&
	    !straddles_image(chunk, chunk + bigger))
		return FAIL("RAM 0x%lx is mapped with 0x%lx pages inside an all-RAM 0x%lx chunk",
			    pa, size, bigger);
	return 0;
}

static int check_direct_leaf(struct verify *v, const struct pt_leaf *l)
{
	u64 pa = l->va - DIRECT_MAP_BASE;
	u64 img = kimage_to_phys(__kernel_start), img_end = kimage_to_phys(__kernel_end);

	if (l->pa != pa)
		return FAIL("direct map 0x%lx points to 0x%lx", l->va, l->pa);
	if (!(l->flags & PTE_NX))
		return FAIL("direct map 0x%lx is executable", l->va);
	bool ram = kvspace_range_is_ram(v->map, v->n, pa, l->size);
	bool uc = (l->flags & PTE_UC) == PTE_UC;
	if (ram && (l->flags & PTE_UC))
		return FAIL("RAM 0x%lx is direct-mapped with caching disabled", pa);
	if (!ram && is_firmware(pa, l->size)) {
		/* ACPI tables and such: read-only, cached, 4 KB. */
		if ((l->flags & (PTE_W | PTE_UC)) || l->size != SIZE_4K)
			return FAIL("firmware page 0x%lx is not read-only write-back", pa);
		return 0;
	}
	if (!ram && !(uc && is_device(pa, l->size)))
		return FAIL("non-RAM 0x%lx (size 0x%lx) is direct-mapped", pa, l->size);
	/* Writable, except the image's own frames: its text has no writable alias. */
	bool image = pa >= img && pa < img_end;
	if (straddles_image(pa, pa + l->size))
		return FAIL("direct map 0x%lx straddles the image's frames", l->va);
	if (!!(l->flags & PTE_W) == image)
		return FAIL("direct map 0x%lx is %s", l->va,
			    image ? "a writable alias of the image" : "not writable");
	if (!ram)
		return 0;
	if (check_page_size(v, pa, l->size) || check_ram_gap(v, pa))
		return 1;
	v->next_ram_check = pa + l->size;
	return 0;
}

static u64 v_percpu_pages; /* per-CPU pages seen by the current walk */

/* Only the data and stack pages of CPUs that have a slot; not the guards. */
static int check_percpu_leaf(const struct pt_leaf *l)
{
	const struct percpu_part *parts = percpu_parts;
	u64 n = (l->va - PERCPU_BASE) / PERCPU_SLOT_SIZE;
	u64 off = (l->va - PERCPU_BASE) % PERCPU_SLOT_SIZE;

	if (n >= percpu_count)
		return FAIL("0x%lx is mapped in the slot of cpu %lu, which has none", l->va, n);
	if (l->size != SIZE_4K || !(l->flags & PTE_W) || !(l->flags & PTE_NX))
		return FAIL("per-CPU page 0x%lx is not a 4 KB read-write NX page", l->va);
	for (size_t i = 0; i < PERCPU_PARTS; i++)
		if (off >= parts[i].off && off < parts[i].off + parts[i].size) {
			v_percpu_pages++;
			return 0;
		}
	return FAIL("0x%lx (cpu %lu, offset 0x%lx) is mapped but is no part of a slot", l->va, n,
		    off);
}

static int verify_leaf(void *arg, const struct pt_leaf *l)
{
	struct verify *v = arg;

	if (!layout_is_kernel(l->va))
		return FAIL("0x%lx is mapped in the user half", l->va);
	if (l->flags & PTE_U)
		return FAIL("kernel page 0x%lx is user-accessible", l->va);
	if ((l->flags & PTE_W) && !(l->flags & PTE_NX))
		return FAIL("kernel page 0x%lx is writable and executable", l->va);
	switch (layout_region_of(l->va)) {
	case LAYOUT_KERNEL:
		return check_image_leaf(l);
	case LAYOUT_DIRECT_MAP:
		return check_direct_leaf(v, l);
	case LAYOUT_PERCPU:
		return check_percpu_leaf(l);
	default:
		return FAIL("0x%lx is mapped outside every layout region", l->va);
	}
}

const char *ptcheck_verify(const struct memmap_entry *map, size_t n)
{
	struct verify v = { .map = map, .n = n };
	const pte_t *pml4 = phys_to_virt(kvspace_root);

	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		if (pml4[i] &&
		    FAIL("PML4 entry %u (user half) is not empty: identity map left?", i))
			return verify_msg;
	v_image_pages = 0;
	v_percpu_pages = 0;
	if (pt_walk(&kvspace_env, kvspace_root, 0, 0, verify_leaf, &v))
		return verify_msg;
	/* Every page of the image is mapped, but for the two guard pages. */
	u64 want = (u64)(__kernel_end - __kernel_start) / PAGE_SIZE - 2;
	if (v_image_pages != want &&
	    FAIL("%lu image pages are mapped, want %lu", v_image_pages, want))
		return verify_msg;
	want = percpu_count * (PERCPU_MAPPED_BYTES / PAGE_SIZE);
	if (v_percpu_pages != want &&
	    FAIL("%lu per-CPU pages are mapped, want %lu", v_percpu_pages, want))
		return verify_msg;
	if (check_ram_gap(&v, PHYS_MAX))
		return verify_msg;
	return NULL;
}
