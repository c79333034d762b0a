/*
 * frames.c - what role each physical frame plays (see keel/frames.h).
 *
 * Three sorted, disjoint lists of page-aligned runs [base, end): the
 * pager's free RAM, the boot modules and the runs donated to the kernel
 * (each inside the free RAM).  A frame's role is found by binary search
 * (keel/range.h); a donated run wins over the user run that holds it.
 * Donations are kept one run each, never merged with their neighbours, so
 * that a reclaim gives back exactly what one donation took.  Every
 * operation checks all its conditions before it changes anything.
 */
#include <keel/frames.h>
#include <common/string.h>
#include <keel/layout.h>
#include <keel/types.h>

#define FRAME_TOP ALIGN_DOWN(UINT64_MAX, PAGE_SIZE) /* highest page boundary */

/*
 * Copy the ranges in, trimmed inwards to whole pages.  Empty ranges and
 * ranges that are out of order or overlap the last kept one are dropped;
 * past cap the rest are dropped and FRAMES_EFULL is returned.
 */
static int runs_load(struct range *dst, size_t *ndst, size_t cap, const struct range *src,
		     size_t nsrc)
{
	int ret = FRAMES_OK;
	size_t i, n = 0;

	for (i = 0; i < nsrc; i++) {
		u64 base, end = ALIGN_DOWN(src[i].end, PAGE_SIZE);

		if (src[i].base > FRAME_TOP)
			continue;
		base = ALIGN_UP(src[i].base, PAGE_SIZE);
		if (base >= end)
			continue;
		if (n && base < dst[n - 1].end)
			continue;
		if (n == cap) {
			ret = FRAMES_EFULL;
			break;
		}
		dst[n].base = base;
		dst[n].end = end;
		n++;
	}
	*ndst = n;
	return ret;
}

int frames_init(struct frames *f, const struct range *user, size_t nuser,
		const struct range *modules, size_t nmodules)
{
	int ru, rm;

	memset(f, 0, sizeof(*f));
	ru = runs_load(f->user, &f->nuser, ARRAY_SIZE(f->user), user, nuser);
	rm = runs_load(f->module, &f->nmodule, ARRAY_SIZE(f->module), modules, nmodules);
	return ru != FRAMES_OK ? ru : rm;
}

enum frame_role frames_role(const struct frames *f, u64 pa)
{
	if (range_find(f->donated, f->ndonated, pa) < f->ndonated)
		return FRAME_KERNEL;
	if (range_find(f->user, f->nuser, pa) < f->nuser)
		return FRAME_USER;
	if (range_find(f->module, f->nmodule, pa) < f->nmodule)
		return FRAME_MODULE;
	return FRAME_NONE;
}

/* Whole pages, not empty, not wrapping past the top of the address space. */
static bool range_valid(u64 base, u64 size)
{
	return size && IS_ALIGNED(base, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       size <= UINT64_MAX - base;
}

int frames_can_donate(const struct frames *f, u64 base, u64 size)
{
	u64 end, cur;
	size_t i, j;

	if (!range_valid(base, size))
		return FRAMES_EINVAL;
	end = base + size;

	/* Covered by user runs: the one holding base, then touching ones. */
	i = range_find(f->user, f->nuser, base);
	if (i == f->nuser)
		return FRAMES_ENOTUSER;
	cur = f->user[i].end;
	while (cur < end) {
		if (++i == f->nuser || f->user[i].base != cur)
			return FRAMES_ENOTUSER;
		cur = f->user[i].end;
	}

	/* Of the donated runs starting below end, the last ends highest. */
	j = range_upto(f->donated, f->ndonated, end - 1);
	if (j && f->donated[j - 1].end > base)
		return FRAMES_EBUSY;
	if (f->ndonated == ARRAY_SIZE(f->donated))
		return FRAMES_EFULL;
	return FRAMES_OK;
}

int frames_donate(struct frames *f, u64 base, u64 size)
{
	int r = frames_can_donate(f, base, size);
	size_t j;

	if (r != FRAMES_OK)
		return r;
	j = range_upto(f->donated, f->ndonated, base + size - 1);
	memmove(&f->donated[j + 1], &f->donated[j], (f->ndonated - j) * sizeof(f->donated[0]));
	f->donated[j].base = base;
	f->donated[j].end = base + size;
	f->ndonated++;
	return FRAMES_OK;
}

u64 frames_user_end(const struct frames *f, u64 pa)
{
	size_t i = range_find(f->user, f->nuser, pa);

	return i < f->nuser ? f->user[i].end : 0;
}

u64 frames_user_base(const struct frames *f, u64 pa)
{
	size_t i = range_find(f->user, f->nuser, pa);

	return i < f->nuser ? f->user[i].base : 0;
}

u64 frames_module_end(const struct frames *f, u64 pa)
{
	size_t i = range_find(f->module, f->nmodule, pa);

	return i < f->nmodule ? f->module[i].end : 0;
}

bool frames_is_donation(const struct frames *f, u64 base, u64 size)
{
	size_t i;

	if (!range_valid(base, size))
		return false;
	i = range_find(f->donated, f->ndonated, base);
	return i < f->ndonated && f->donated[i].base == base && f->donated[i].end == base + size;
}

int frames_reclaim(struct frames *f, u64 base, u64 size)
{
	size_t i;

	if (!range_valid(base, size))
		return FRAMES_EINVAL;
	i = range_find(f->donated, f->ndonated, base);
	if (i == f->ndonated || f->donated[i].base != base || f->donated[i].end != base + size)
		return FRAMES_EBUSY;

	memmove(&f->donated[i], &f->donated[i + 1], (f->ndonated - i - 1) * sizeof(f->donated[0]));
	f->ndonated--;
	return FRAMES_OK;
}
