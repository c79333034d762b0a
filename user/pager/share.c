/*
 * share.c - memory one process shares into another (PAGER_SHARE).
 *
 * The frames stay the sharer's: they are charged to its quota and freed
 * only with its allocation.  The receiver keeps a bounded table of what
 * was shared into it (PAGER_MAX_SHARED_IN entries), mapped in its own
 * window [PAGER_SHARE_BASE, PAGER_SHARE_TOP) that its allocations never
 * use, so a share takes none of its quota, chosen addresses or
 * allocation slots.  When the sharer frees the allocation or ends, every
 * share of it is unmapped: nothing it shared outlives it.  There is no
 * system-wide table to fill: each entry lives in its receiver.
 */
#include "pager.h"
#include "keel.h"

struct shared_in *share_at(struct process *pr, unsigned long va)
{
	if (va < PAGER_SHARE_BASE || va >= PAGER_SHARE_TOP)
		return 0;
	for (int i = 0; i < PAGER_MAX_SHARED_IN; i++)
		if (pr->in[i].size && va - pr->in[i].va < pr->in[i].size)
			return &pr->in[i];
	return 0;
}

/* Does [va, va + size) meet something shared into pr? */
static int share_overlaps(struct process *pr, unsigned long va, unsigned long size)
{
	for (int i = 0; i < PAGER_MAX_SHARED_IN; i++)
		if (pr->in[i].size && va < pr->in[i].va + pr->in[i].size &&
		    pr->in[i].va < va + size)
			return 1;
	return 0;
}

/* Unmap an entry from its receiver (the frames are the sharer's) and clear it. */
static void share_unmap(struct process *to, struct shared_in *s)
{
	struct process *from = proc_find(s->from);
	struct region *src = from ? region_at(from, s->src_va) : 0;

	for (unsigned long off = 0; off < s->size; off += PAGE_SIZE)
		keel_unmap(to->p.as, s->va + off, KEEL_CAP_NONE); /* no frame to take back */
	if (src && src->shares)
		src->shares--;
	*s = (struct shared_in){ 0 };
}

long share_into(struct process *pr, unsigned long va, unsigned long size, unsigned long pid,
		unsigned long flags, unsigned long *out)
{
	struct process *to = pid ? proc_find(pid) : 0;
	struct region *src = region_exact(pr, va, size);
	unsigned long rights = flags & 7, dst = flags & ~PAGE_MASK;
	struct shared_in *slot = 0;

	if (!src || !to)
		return KEEL_ENOENT;
	if (flags & (PAGE_MASK & ~7ul) || !(rights & KEEL_MAP_R) || (rights & ~src->flags) ||
	    (src->flags & PAGER_FIXED) || to == pr)
		return KEEL_EINVAL;
	/*
	 * Only into its own child, the other side of its connection, or a
	 * server it looked up by name or a client that looked it up.
	 */
	if (to->parent != pr->badge && !conn_peers(pr, to) && !names_peers(pr, to))
		return KEEL_EPERM;
	for (int i = 0; i < PAGER_MAX_SHARED_IN && !slot; i++)
		if (!to->in[i].size)
			slot = &to->in[i];
	if (!slot)
		return KEEL_EFULL;
	if (!dst) /* each entry has a PAGER_MAX_ALLOC slice of the window */
		dst = PAGER_SHARE_BASE + (unsigned long)(slot - to->in) * PAGER_MAX_ALLOC;
	if (dst < PAGER_SHARE_BASE || dst > PAGER_SHARE_TOP || size > PAGER_SHARE_TOP - dst)
		return KEEL_EFAULT;
	if (share_overlaps(to, dst, size) || region_overlaps(to, dst, size))
		return KEEL_EEXIST;
	/* Back the whole source (charged to pr), then map its frames there too. */
	for (unsigned long off = 0; src->backed * PAGE_SIZE < size && off < size; off += PAGE_SIZE)
		if (keel_lookup(pr->p.as, va + off, mem_cap()) < 0 &&
		    region_back(pr, src, va + off, 0))
			return KEEL_ENOMEM;
	*slot = (struct shared_in){ dst, size, pr->badge, va, (unsigned)rights };
	src->shares++;
	for (unsigned long off = 0; off < size; off += PAGE_SIZE) {
		long f = keel_lookup(pr->p.as, va + off, mem_cap());
		if (f < 0 || map_page(&to->pool, to->p.as, dst + off, (unsigned long)f, rights)) {
			share_unmap(to, slot);
			return KEEL_ENOMEM;
		}
	}
	*out = dst;
	return 0;
}

/* The receiver lets go of memory shared into it: 0 or KEEL_ENOENT. */
long share_free(struct process *pr, unsigned long va, unsigned long size)
{
	struct shared_in *s = share_at(pr, va);

	if (!s || s->va != va || s->size != size)
		return KEEL_ENOENT;
	share_unmap(pr, s);
	return 0;
}

/*
 * Unmap from every receiver what `from` shared of its allocation at
 * src_va, or (all) everything it shared.
 */
void share_revoke(struct process *from, unsigned long src_va, int all)
{
	for (struct process *q = 0; (q = proc_next(q));)
		for (int i = 0; i < PAGER_MAX_SHARED_IN; i++)
			if (q->in[i].size && q->in[i].from == from->badge &&
			    (all || q->in[i].src_va == src_va))
				share_unmap(q, &q->in[i]);
}

/* pr ends: let go of everything shared into it. */
void share_drop_all(struct process *pr)
{
	for (int i = 0; i < PAGER_MAX_SHARED_IN; i++)
		if (pr->in[i].size)
			share_unmap(pr, &pr->in[i]);
}
