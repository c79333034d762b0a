/*
 * test_bootmem.c - in-kernel tests of what the boot allocator handed out
 * and what it keeps for the pager.
 */
#include <arch/kvspace.h>
#include <keel/addr.h>
#include <keel/boot.h>
#include <keel/ktest.h>
#include <arch/percpu.h>

static bool is_free(u64 base, u64 len)
{
	const struct bootmem *bm = boot.bootmem;
	for (size_t i = 0; i < bm->count; i++)
		if (base < bm->free[i].end && base + len > bm->free[i].base)
			return true;
	return false;
}

KTEST(in_use_memory_is_not_free)
{
	const struct mb2_info *info = &boot.info;
	KTEST_CHECK(!is_free(0, 1 << 20));
	KTEST_CHECK(!is_free(kimage_to_phys(__kernel_start), (u64)(__kernel_end - __kernel_start)));
	KTEST_CHECK(!is_free(boot.mbi_phys, info->total_size));
	for (size_t i = 0; i < info->module_count; i++)
		KTEST_CHECK(!is_free(info->modules[i].start,
				     info->modules[i].end - info->modules[i].start));
	return NULL;
}

/* Count the table frames below `table` (level 4..2), checking each. */
static const char *check_tables(u64 table, int level, u64 *count)
{
	const pte_t *t = phys_to_virt(table);
	(*count)++;
	if (is_free(table, PAGE_SIZE))
		return ktest_fail("page-table frame 0x%lx is still free", table);
	if (level == PT_LEVEL_PT)
		return NULL;
	unsigned first = level == PT_LEVEL_PML4 ? PT_ENTRIES / 2 : 0;
	for (unsigned i = first; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_P) || (t[i] & PTE_PS))
			continue;
		const char *why = check_tables(pte_addr(t[i]), level - 1, count);
		if (why)
			return why;
	}
	return NULL;
}

KTEST(pagetable_frames_taken_and_counted)
{
	u64 n = 0;
	const char *why = check_tables(kvspace_root, PT_LEVEL_PML4, &n);
	if (why)
		return why;
	if (n != kvspace_env.tables)
		return ktest_fail("%lu table frames found, %lu allocated", n, kvspace_env.tables);
	KTEST_CHECK(boot.pagetable_bytes == n * PAGE_SIZE);
	return NULL;
}

/* Free ranges are sorted, disjoint, whole frames, inside available RAM. */
KTEST(free_ranges_are_available_ram)
{
	const struct bootmem *bm = boot.bootmem;
	for (size_t i = 0; i < bm->count; i++) {
		const struct range *r = &bm->free[i];
		KTEST_CHECK(r->base < r->end);
		KTEST_CHECK(IS_ALIGNED(r->base | r->end, PAGE_SIZE));
		KTEST_CHECK(i == 0 || bm->free[i - 1].end <= r->base);
		bool inside = false;
		for (size_t j = 0; j < boot.memmap_count; j++) {
			const struct memmap_entry *e = &boot.memmap[j];
			if (e->type == MEMMAP_AVAILABLE && r->base >= e->base &&
			    r->end <= e->base + e->length)
				inside = true;
		}
		if (!inside)
			return ktest_fail("free range 0x%lx-0x%lx is not available RAM", r->base,
					  r->end);
		/* The pager will reach it through the direct map. */
		struct pt_leaf l;
		if (r->end > PHYS_MAX ||
		    !pt_translate(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + r->base, &l) ||
		    !pt_translate(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + r->end - 1, &l))
			return ktest_fail("free range 0x%lx-0x%lx is not direct-mapped", r->base,
					  r->end);
	}
	KTEST_CHECK(bm->count > 0);
	return NULL;
}

/* The footprint report accounts for every frame the kernel took at boot. */
KTEST(footprint_is_everything_taken)
{
	/* Tests that ran before this one may have taken frames since. */
	KTEST_CHECK(boot.footprint_bytes > 0);
	KTEST_CHECK(boot.footprint_bytes == boot.bootmem_taken);
	return NULL;
}

/* Frame roles: the kernel's own frames are nobody's, modules mappable. */
KTEST(frame_roles)
{
	const struct frames *f = boot.frames;
	KTEST_CHECK(f && f->nuser > 0);
	KTEST_CHECK(frames_role(f, kimage_to_phys(__kernel_start)) == FRAME_NONE);
	KTEST_CHECK(frames_role(f, kimage_to_phys(__kernel_end) - 1) == FRAME_NONE);
	KTEST_CHECK(frames_role(f, kvspace_root) == FRAME_NONE);
	/* GRUB may put the information in a module's last, partial page. */
	KTEST_CHECK(frames_role(f, boot.mbi_phys) == FRAME_NONE ||
		    frames_role(f, boot.mbi_phys) == FRAME_MODULE);
	KTEST_CHECK(frames_role(f, 0) == FRAME_NONE);
	struct pt_leaf l;
	KTEST_CHECK(pt_translate(&kvspace_env, kvspace_root, PERCPU_SLOT(0ul), &l));
	KTEST_CHECK(frames_role(f, l.pa) == FRAME_NONE);
	for (size_t i = 0; i < boot.info.module_count; i++) /* an empty one has no frames */
		KTEST_CHECK(boot.info.modules[i].start == boot.info.modules[i].end ||
			    frames_role(f, boot.info.modules[i].start) == FRAME_MODULE);
	/* Every page-table frame of the kernel is nobody's to map. */
	for (size_t i = 0; i < boot.memmap_count; i++)
		if (!memmap_is_ram(boot.memmap[i].type))
			KTEST_CHECK(frames_role(f, boot.memmap[i].base) != FRAME_USER);
	/* Donate a page of the pager's RAM and take it back. */
	static struct frames copy;
	copy = *f;
	u64 page = copy.user[0].base;
	KTEST_CHECK(frames_role(&copy, page) == FRAME_USER);
	KTEST_CHECK(frames_donate(&copy, page, PAGE_SIZE) == FRAMES_OK);
	KTEST_CHECK(frames_role(&copy, page) == FRAME_KERNEL);
	KTEST_CHECK(frames_donate(&copy, page, PAGE_SIZE) == FRAMES_EBUSY);
	KTEST_CHECK(frames_donate(&copy, kvspace_root, PAGE_SIZE) == FRAMES_ENOTUSER);
	KTEST_CHECK(frames_reclaim(&copy, page, PAGE_SIZE) == FRAMES_OK);
	KTEST_CHECK(frames_role(&copy, page) == FRAME_USER);
	return NULL;
}
