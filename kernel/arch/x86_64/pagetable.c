/*
 * pagetable.c - build and walk x86_64 4-level page tables.
 *
 * Pure logic over a struct pt_env: it never assumes how physical memory is
 * reached, so the same code builds the kernel's tables at boot and runs in
 * the host tests against a fake arena.
 */
#include <arch/pagetable.h>

#define PT_ALLOC_FAIL (~(u64)0)

static const u64 level_size[] = { 0, SIZE_4K, SIZE_2M, SIZE_1G, SIZE_512G };

/* The size-mask bit for a leaf at `level` (1..3). */
static unsigned size_bit(int level)
{
	return 1u << (level - 1);
}

/*
 * The table one level below entry *e, creating it if needed.  Returns its
 * physical address, or an enum pt_error (negative) cast to u64.
 */
static int next_table(struct pt_env *env, pte_t *e, u64 inter_flags, u64 *out)
{
	if (*e & PTE_P) {
		if (*e & PTE_PS)
			return PT_EEXIST; /* a large page is in the way */
		*out = pte_addr(*e);
		return PT_OK;
	}
	u64 frame = env->alloc(env->ctx);
	if (frame == PT_ALLOC_FAIL)
		return PT_ENOMEM;
	env->tables++;
	*e = frame | inter_flags;
	*out = frame;
	return PT_OK;
}

/* Map one leaf of level `level` (1: 4K, 2: 2M, 3: 1G) at va. */
static int map_one(struct pt_env *env, u64 root, u64 va, u64 pa, int level, u64 flags)
{
	u64 inter = PTE_P | PTE_W | (flags & PTE_U);
	u64 table = root;

	for (int l = PT_LEVEL_PML4; l > level; l--) {
		pte_t *e = &env->to_virt(env->ctx, table)[pt_index(va, l)];
		int err = next_table(env, e, inter, &table);
		if (err)
			return err;
	}
	pte_t *leaf = &env->to_virt(env->ctx, table)[pt_index(va, level)];
	if (*leaf & PTE_P)
		return PT_EEXIST;
	*leaf = pa | flags | PTE_P | (level > PT_LEVEL_PT ? PTE_PS : 0);
	env->mapped[level - 1]++;
	return PT_OK;
}

int pt_map(struct pt_env *env, u64 root, u64 va, u64 pa, u64 size, u64 flags, unsigned sizes)
{
	if (!IS_ALIGNED(va | pa | size, SIZE_4K) || !(sizes & PT_SIZE_4K))
		return PT_EINVAL;
	if (!layout_is_canonical(va) || size == 0 || !layout_is_canonical(va + size - 1) ||
	    layout_is_kernel(va) != layout_is_kernel(va + size - 1) || pa + size < pa ||
	    ((pa + size - 1) >> 52) != 0)
		return PT_EINVAL;
	flags &= ~(u64)(PTE_PS | PTE_ADDR_MASK);

	while (size > 0) {
		int level = PT_LEVEL_PDPT;
		while (level > PT_LEVEL_PT &&
		       (!(sizes & size_bit(level)) || !IS_ALIGNED(va | pa, level_size[level]) ||
			size < level_size[level]))
			level--;
		int err = map_one(env, root, va, pa, level, flags);
		if (err)
			return err;
		va += level_size[level];
		pa += level_size[level];
		size -= level_size[level];
	}
	return PT_OK;
}

int pt_prealloc(struct pt_env *env, u64 root, u64 va, int level)
{
	u64 table = root;

	if (level < PT_LEVEL_PT || level > PT_LEVEL_PML4)
		return PT_EINVAL;
	for (int l = PT_LEVEL_PML4; l > level; l--) {
		pte_t *e = &env->to_virt(env->ctx, table)[pt_index(va, l)];
		int err =
		    next_table(env, e, PTE_P | PTE_W | (layout_is_kernel(va) ? 0 : PTE_U), &table);
		if (err)
			return err;
	}
	return PT_OK;
}

struct walk {
	struct pt_env *env;
	u64 start, last; /* inclusive bounds */
	int (*fn)(void *arg, const struct pt_leaf *leaf);
	void *arg;
};

/* Walk the table at `table`, level `level`, which maps from `base`. */
static int walk_table(struct walk *w, u64 table, int level, u64 base, u64 acc_flags)
{
	const pte_t *t = w->env->to_virt(w->env->ctx, table);
	u64 span = level_size[level];

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		u64 va = pt_canonical(base + i * span);
		u64 va_last = va + span - 1;
		if (va_last < w->start || va > w->last)
			continue;
		pte_t e = t[i];
		if (!(e & PTE_P))
			continue;
		/* W and U are ANDed, NX ORed along the walk. */
		u64 eff = (acc_flags & e & (PTE_W | PTE_U)) | ((acc_flags | e) & PTE_NX);
		if (level == PT_LEVEL_PT || (e & PTE_PS)) {
			struct pt_leaf leaf = {
				.va = va,
				.pa = pte_addr(e) & ~(level == PT_LEVEL_PT ? 0 : span - 1),
				.size = level == PT_LEVEL_PML4 ? 0 : span,
				.flags = (e & ~(PTE_ADDR_MASK | PTE_W | PTE_U | PTE_NX)) | eff,
			};
			int r = w->fn(w->arg, &leaf);
			if (r)
				return r;
			continue;
		}
		int r = walk_table(w, pte_addr(e), level - 1, va, eff);
		if (r)
			return r;
	}
	return 0;
}

int pt_walk(struct pt_env *env, u64 root, u64 start, u64 end,
	    int (*fn)(void *arg, const struct pt_leaf *leaf), void *arg)
{
	struct walk w = {
		.env = env,
		.start = start,
		.last = end - 1,
		.fn = fn,
		.arg = arg,
	};
	if (end != 0 && end <= start)
		return 0;
	return walk_table(&w, root, PT_LEVEL_PML4, 0, PTE_W | PTE_U);
}

bool pt_translate(struct pt_env *env, u64 root, u64 va, struct pt_leaf *out)
{
	u64 table = root;
	u64 acc = PTE_W | PTE_U;

	if (!layout_is_canonical(va))
		return false;
	for (int l = PT_LEVEL_PML4; l >= PT_LEVEL_PT; l--) {
		pte_t e = env->to_virt(env->ctx, table)[pt_index(va, l)];
		if (!(e & PTE_P))
			return false;
		acc = (acc & e & (PTE_W | PTE_U)) | ((acc | e) & PTE_NX);
		if (l == PT_LEVEL_PT || (e & PTE_PS)) {
			if (l == PT_LEVEL_PML4)
				return false;
			u64 span = level_size[l];
			out->va = va & ~(span - 1);
			out->pa = pte_addr(e) & ~(span - 1);
			out->size = span;
			out->flags = (e & ~(PTE_ADDR_MASK | PTE_W | PTE_U | PTE_NX)) | acc;
			return true;
		}
		table = pte_addr(e);
	}
	return false;
}

pte_t *pt_entry_4k(struct pt_env *env, u64 root, u64 va)
{
	int missing;

	return pt_entry(env, root, va, PT_LEVEL_PT, &missing);
}
