/*
 * aspace.c - user address spaces (keel/aspace.h): the object, its
 * capability table, and the map, unmap, lookup and supply-table calls.
 *
 * Each call first decodes and checks every argument and the state it
 * needs, changing nothing; only then does it change the object, in steps
 * that cannot fail.  Page-table entries are the architecture's
 * (arch/vspace.h).  All of it runs under the big kernel lock.
 */
#include <abi/syscall.h>
#include <arch/cpu.h>
#include <arch/vspace.h>
#include <keel/addr.h>
#include <keel/aspace.h>
#include <keel/decode.h>
#include <keel/kmem.h>
#include <keel/panic.h>
#include <keel/thread.h>

struct aspace *aspace_make(u64 obj, u64 pml4, u64 cspace)
{
	struct aspace *as = kmem_object_make(obj, KOBJ_ASPACE);

	kmem_object_make(pml4, KOBJ_TABLE);
	as->caps = kmem_object_make(cspace, KOBJ_CSPACE);
	as->gen = kmem_gen_new();
	vspace_init(&as->vs, pml4);
	as->tables = 1;
	return as;
}

/* The error for a walk that stopped at `level` (0: not a user address at all). */
static long missing_error(int level)
{
	return level == 3   ? -KEEL_ENOPDPT
	       : level == 2 ? -KEEL_ENOPD
	       : level == 1 ? -KEEL_ENOPT
			    : -KEEL_EFAULT;
}

/* Where the page-directory entry's 2 MB that holds a ends, or end if that is sooner. */
static u64 block_end(u64 a, u64 end)
{
	u64 next = ALIGN_DOWN(a, KEEL_LARGE_SIZE) + KEEL_LARGE_SIZE;

	return next < end ? next : end;
}

static u64 boot_table(void *ctx)
{
	(void)ctx;
	return kmem_boot_object(KOBJ_TABLE);
}

void aspace_boot_map(struct aspace *as, u64 va, u64 pa, u32 rights)
{
	u64 tables;
	/* Tables from the boot chunk, which root.c checked is large enough. */
	int err = vspace_boot_map(&as->vs, va, pa, rights, boot_table, &tables);

	if (err)
		panic("aspace: mapping the first program's page 0x%lx failed (error %d; -2: mapped "
		      "twice)",
		      va, err);
	as->tables += (u32)tables;
	as->pages++;
}

/*
 * Is `frame` one that may be mapped with `rights` (and cleared, with
 * KEEL_MAP_ZERO)?  Its class goes to *cls: the frame is classified once.
 */
static long check_frame(u64 frame, u64 rights, enum kmem_class *cls)
{
	enum kmem_class c = *cls = kmem_classify(frame);
	if (c == KMEM_USER || (c == KMEM_MODULE && !(rights & (KEEL_MAP_W | KEEL_MAP_ZERO))))
		return 0;
	return kmem_class_error(c); /* a module frame with W: EROLE */
}

#define LARGE_PAGES (KEEL_LARGE_SIZE / PAGE_SIZE)

static u64 level_size(int level)
{
	return level == 3 ? KEEL_HUGE_SIZE : level == 2 ? KEEL_LARGE_SIZE : PAGE_SIZE;
}

/*
 * SYS_MAP's frame, decoded: may it be mapped?  *cls: its class (one
 * classification).  A 2 MB or 1 GB page is all the pager's RAM.
 */
static long map_frame(const struct sysreq *rq, enum kmem_class *cls)
{
	if (rq->level == 1)
		return check_frame(rq->frame[0], rq->a[4], cls);
	*cls = KMEM_USER;
	return kmem_check_user_range(rq->frame[0], rq->size);
}

/*
 * SYS_MAP(as, va, mem, off, rights): the frame at off in mem, at va.  With
 * KEEL_MAP_LARGE, the 2 MB there as one page-directory entry; with
 * KEEL_MAP_HUGE, the 1 GB there as one PDPT entry.  The kernel counts
 * user mappings per 2 MB chunk: such a page is one count on each of its
 * chunks.
 */
long sys_map(struct thread *cur, const struct sysreq *rq)
{
	struct aspace *as = cap_obj(rq->cap[0]);
	u64 va = rq->a[1], rights = rq->a[4], frame = rq->frame[0];
	int level = (int)rq->level;
	u32 want = rq->rights;
	enum kmem_class cls;
	vspace_entry *e;
	int missing;
	long r;

	if ((r = map_frame(rq, &cls)))
		return r;
	/* Constant levels: each walk is unrolled. */
	e = level == 1	 ? vspace_entry_at(&as->vs, va, 1, &missing)
	    : level == 2 ? vspace_entry_at(&as->vs, va, 2, &missing)
			 : vspace_entry_at(&as->vs, va, 3, &missing);
	if (!e)
		return missing ? missing_error(missing) : -KEEL_EEXIST; /* 0: a larger page */
	if (vspace_present(*e))
		return -KEEL_EEXIST; /* a page; above level 1 also a table */
	u64 size = level_size(level), pages = size / PAGE_SIZE;
	/* The last check: it changes nothing if it fails. */
	if ((r = level == 3 ? kmem_map_ref_chunks(frame, size / KMEM_CHUNK)
			    : kmem_map_ref_class(frame, cls)))
		return r;
	if (level == 1) {
		if (rights & KEEL_MAP_ZERO)
			cpu_page_clear(phys_to_virt(frame));
		vspace_set_leaf(e, frame, want);
		as->pages++;
		return 0;
	}
	for (u64 i = 0; (rights & KEEL_MAP_ZERO) && i < pages; i++)
		cpu_page_clear(phys_to_virt(frame + i * PAGE_SIZE));
	vspace_set_large(e, frame, want);
	as->pages += pages;
	return 0;
}

/*
 * SYS_MAP_RANGE(as, va, mem, off, pages, rights): SYS_MAP of a run of
 * frames as 4 KB pages.  Checks everything (the frames, the rights, every
 * entry a page-directory entry at a time, the counts) before it maps one.
 */
long sys_map_range(struct thread *cur, const struct sysreq *rq)
{
	struct aspace *as = cap_obj(rq->cap[0]);
	u64 va = rq->a[1], pages = rq->a[4], rights = rq->a[5];
	u64 frame = rq->frame[0], size = rq->size, end = va + size;
	u32 want = rq->rights;
	int missing;
	long r;

	/* The pager's RAM; or boot modules, never written (as SYS_MAP). */
	bool module = kmem_classify(frame) == KMEM_MODULE;
	if (module && (rights & (KEEL_MAP_W | KEEL_MAP_ZERO)))
		return -KEEL_EROLE;
	if ((r = module ? kmem_check_module_range(frame, size)
			: kmem_check_user_range(frame, size)))
		return r;
	for (u64 a = va, next; a < end; a = next) {
		next = block_end(a, end);
		vspace_entry *pde = vspace_entry_at(&as->vs, a, 2, &missing);
		if (!pde) /* 0: a 1 GB page is in the way */
			return missing ? missing_error(missing) : -KEEL_EEXIST;
		if (!vspace_present(*pde))
			return -KEEL_ENOPT;
		if (vspace_is_large(*pde))
			return -KEEL_EEXIST;
		vspace_entry *e = vspace_leaf_below(*pde, a);
		for (u64 x = a; x < next; x += PAGE_SIZE, e++)
			if (vspace_present(*e))
				return -KEEL_EEXIST;
	}
	if (!module && (r = kmem_map_ref_range(frame, pages)))
		return r; /* the last check: it changes nothing if it fails */
	for (u64 a = va, next; a < end; a = next) {
		next = block_end(a, end);
		vspace_entry *e = vspace_leaf_below(*vspace_entry_at(&as->vs, a, 2, &missing), a);
		for (u64 x = a; x < next; x += PAGE_SIZE, e++, frame += PAGE_SIZE) {
			if (rights & KEEL_MAP_ZERO)
				cpu_page_clear(phys_to_virt(frame));
			vspace_set_leaf(e, frame, want);
		}
	}
	as->pages += pages;
	return 0;
}

/*
 * The leaf that maps va (canonical, user, page-aligned), 4 KB, 2 MB or
 * 1 GB, or NULL if none does.  *frame: the 4 KB frame at va; *level: the
 * leaf's level (1, 2 or 3).
 */
static vspace_entry *leaf_at(struct aspace *as, u64 va, u64 *frame, int *level)
{
	int missing;
	vspace_entry *e = vspace_entry_at(&as->vs, va, 1, &missing);

	*level = 1;
	if (!e && !missing) { /* a larger page is in the way */
		e = vspace_entry_at(&as->vs, va, 2, &missing);
		*level = 2;
		if (!e && !missing) {
			e = vspace_entry_at(&as->vs, va, 3, &missing);
			*level = 3;
		}
	}
	if (!e || !vspace_present(*e))
		return NULL;
	*frame = vspace_frame(*e) + (va & (level_size(*level) - 1));
	return e;
}

/*
 * The checks of SYS_UNMAP and SYS_LOOKUP: the present leaf for va, the
 * 4 KB frame at va and its offset in the memory capability rq->cap[2]
 * (NULL: none asked, 0); or NULL with the error in *err.
 */
static vspace_entry *mapped_leaf(const struct sysreq *rq, u64 *off, u64 *frame, int *level,
				 long *err)
{
	struct aspace *as = cap_obj(rq->cap[0]);
	struct cap *m = rq->cap[2];
	vspace_entry *e;

	*off = 0;
	if (!(e = leaf_at(as, rq->a[1], frame, level))) {
		*err = -KEEL_ENOENT;
		return NULL;
	}
	if (m && (vspace_is_device(*e) || !cap_mem_offset(m, *frame, off))) {
		*err = -KEEL_EPERM; /* not the caller's to know; device memory: nobody's */
		return NULL;
	}
	return e;
}

/* Drop the mapping counts of a 2 MB or 1 GB page at frame (one per chunk). */
static void unref_large(u64 frame, int level)
{
	for (u64 c = 0; c < level_size(level); c += KMEM_CHUNK)
		kmem_map_unref(frame + c);
}

/*
 * SYS_UNMAP(as, va, mem): returns the frame's offset in mem.  A 2 MB page
 * goes whole with SYS_UNMAP_RANGE (EINVAL here).  A 1 GB page, which no
 * range can hold, goes whole here, named by its first address (EINVAL
 * inside it); mem must hold all of it.
 */
long sys_unmap(struct thread *cur, const struct sysreq *rq)
{
	struct aspace *as = cap_obj(rq->cap[0]);
	struct cap *m = rq->cap[2];
	u64 va = rq->a[1], off, frame;
	int level;
	long r;
	vspace_entry *e = mapped_leaf(rq, &off, &frame, &level, &r);

	if (!e)
		return r;
	if (level == 1) {
		vspace_clear_leaf(&as->vs, e, va);
		kmem_map_unref(frame);
		as->pages--;
		return (long)off;
	}
	u64 size = level_size(level);
	if (level == 2 || !IS_ALIGNED(va, size))
		return -KEEL_EINVAL; /* it goes whole: a range, or from its start */
	if (m && !cap_mem_holds(m, frame + size - PAGE_SIZE))
		return -KEEL_EPERM;	   /* mapped_leaf checked the first frame */
	vspace_clear_leaf(&as->vs, e, va); /* one INVLPG drops a large page's entry */
	unref_large(frame, level);
	as->pages -= size / PAGE_SIZE;
	return (long)off;
}

/* Counts dropped a chunk at a time: n pages unmapped in the chunk of pa. */
struct unref_batch {
	u64 chunk, n;
	u64 run, run_end; /* a run of the pager's RAM: no classifying inside it */
};

static void unref_flush(struct unref_batch *b)
{
	if (b->n)
		kmem_map_unref_user(b->chunk, b->n);
	b->n = 0;
}

static void unref_frame(struct unref_batch *b, u64 frame)
{
	if (frame < b->run || frame >= b->run_end) {
		b->run = frame;
		b->run_end = kmem_user_run_end(frame);
		if (frame >= b->run_end) {
			kmem_map_unref(frame); /* not the pager's RAM: a module's, not counted */
			return;
		}
	}
	u64 chunk = ALIGN_DOWN(frame, KMEM_CHUNK);
	if (chunk != b->chunk) {
		unref_flush(b);
		b->chunk = chunk;
	}
	b->n++;
}

/*
 * SYS_UNMAP_RANGE's two passes over [va, end): the first (change false)
 * checks (every frame inside mem, no 2 MB page cut by the range's ends,
 * no 1 GB page), the second changes; so a refusal changes nothing.  A
 * page-directory entry at a time: a 2 MB page whole, or the page table's
 * entries in the range, read in place.
 */
static long unmap_range(struct aspace *as, u64 va, u64 end, struct cap *m, u64 *out, bool change)
{
	u64 n = 0, small = 0, base = m ? cap_mem_base(m) : 0;
	/*
	 * A memory capability to all of RAM holds every frame: nothing to check
	 * per page, unless a device page (which no memory capability holds)
	 * may be there.
	 */
	bool holds_all = !m || (base == 0 && m->size >= kmem_phys_top() && !as->had_device);
	struct unref_batch b = { .run = 1 };
	int missing;

	for (u64 a = va, next; a < end; a = next) {
		next = block_end(a, end);
		vspace_entry *pde = vspace_entry_at(&as->vs, a, 2, &missing);
		if (!pde && !missing)
			return -KEEL_EINVAL; /* a 1 GB page: it goes whole, with SYS_UNMAP */
		if (!pde || !vspace_present(*pde))
			continue; /* no table, or nothing below it */
		if (vspace_is_large(*pde)) {
			u64 frame = vspace_frame(*pde);
			if (!change) {
				if (!IS_ALIGNED(a, KEEL_LARGE_SIZE) || next - a < KEEL_LARGE_SIZE)
					return -KEEL_EINVAL; /* the range cuts a 2 MB page */
				if (m && (!cap_mem_holds(m, frame) ||
					  !cap_mem_holds(m, frame + KEEL_LARGE_SIZE - PAGE_SIZE)))
					return -KEEL_EPERM; /* not the caller's to know */
				continue;
			}
			vspace_clear_leaf_only(pde);
			kmem_map_unref(frame);
			as->pages -= LARGE_PAGES;
			for (u64 k = 0; out && k < LARGE_PAGES; k++)
				out[n + k] = frame + k * PAGE_SIZE - base; /* inside m: checked */
			n += LARGE_PAGES;
			continue;
		}
		vspace_entry *e = vspace_leaf_below(*pde, a);
		if (!change) {
			for (u64 x = a; !holds_all && x < next; x += PAGE_SIZE, e++)
				if (vspace_present(*e) &&
				    (vspace_is_device(*e) || !cap_mem_holds(m, vspace_frame(*e))))
					return -KEEL_EPERM; /* not the caller's to know */
			continue;
		}
		for (u64 x = a; x < next; x += PAGE_SIZE, e++) {
			if (!vspace_present(*e))
				continue;
			u64 frame = vspace_frame(*e);
			vspace_clear_leaf_only(e);
			unref_frame(&b, frame);
			if (out)
				out[n] = frame - base; /* inside m: checked above */
			n++;
			small++;
		}
	}
	unref_flush(&b);
	as->pages -= small;
	return (long)n;
}

/* SYS_UNMAP_RANGE(as, va, pages, mem): every mapped page of the range, one flush. */
long sys_unmap_range(struct thread *cur, const struct sysreq *rq)
{
	struct aspace *as = cap_obj(rq->cap[0]);
	struct cap *m = rq->cap[3];
	u64 va = rq->a[1], pages = rq->a[2], end = va + rq->size;
	u64 *out = NULL;
	long r;

	if (m) {
		if (!cur->buf)
			return -KEEL_EINVAL; /* nowhere to put the frames */
		out = phys_to_virt(cur->buf);
	}
	if ((r = unmap_range(as, va, end, m, NULL, false)) < 0)
		return r;
	long n = unmap_range(as, va, end, m, out, true);
	if (n)
		vspace_flush_range(&as->vs, va, pages);
	return n;
}

/* SYS_LOOKUP(as, va, mem): the offset in mem of the frame at va. */
long sys_lookup(struct thread *cur, const struct sysreq *rq)
{
	u64 off, frame;
	int level;
	long r;

	return mapped_leaf(rq, &off, &frame, &level, &r) ? (long)off : r;
}

/* SYS_SUPPLY_TABLE(as, va, level, mem, off): a page table for va at level. */
long sys_supply_table(struct thread *cur, const struct sysreq *rq)
{
	struct aspace *as = cap_obj(rq->cap[0]);
	u64 frame = rq->frame[0];
	int missing;
	long r;

	if ((r = kmem_check_free(frame)))
		return r;
	/* The entry that should point to the new table. */
	vspace_entry *e = vspace_entry_at(&as->vs, rq->a[1], (int)rq->level + 1, &missing);
	if (!e)
		return missing ? missing_error(missing) : -KEEL_EEXIST; /* 0: a larger page */
	if (vspace_present(*e))
		return -KEEL_EEXIST;
	kmem_object_make(frame, KOBJ_TABLE);
	vspace_set_table(e, frame);
	as->tables++;
	return 0;
}

/* SYS_AS_CREATE(mem, obj_off, pml4_off, cspace_off, dst). */
long sys_as_create(struct thread *cur, const struct sysreq *rq)
{
	u64 obj = rq->frame[0], pml4 = rq->frame[1], cspace = rq->frame[2];
	long r;

	if ((r = kmem_check_free(obj)) || (r = kmem_check_free(pml4)) ||
	    (r = kmem_check_free(cspace)))
		return r;
	cap_set(rq->dst, CAP_ASPACE, aspace_make(obj, pml4, cspace), CAP_RIGHTS_ASPACE, 0);
	return 0;
}

long aspace_destroy_checked(struct aspace *as)
{
	if (as->threads)
		return -KEEL_EBUSY;
	aspace_destroy(as);
	return 0;
}

void aspace_destroy(struct aspace *as)
{
	int cpu = vspace_running(&as->vs);

	if (as->threads)
		panic("aspace: destroying an address space that %u thread(s) use", as->threads);
	if (cpu >= 0)
		panic("aspace: destroying the address space cpu %d runs", cpu);
	vspace_free(&as->vs, kmem_map_unref, kmem_object_free);
	for (unsigned s = 0; s < KEEL_CAP_SLOTS; s++)
		cap_clear(&as->caps[s]);
	as->gen = 0; /* every capability to it is stale (a new object gets a new one) */
	kmem_object_free(as->vs.pml4);
	kmem_object_free(kmem_object_phys(as->caps));
	kmem_object_free(kmem_object_phys(as));
}

/*
 * SYS_MAP_DEVICE(as, va, dev, off, rights): a device's page, uncached,
 * never executable, never counted (it is not RAM, so nobody owns it).
 */
long sys_map_device(struct thread *cur, const struct sysreq *rq)
{
	struct aspace *as = cap_obj(rq->cap[0]);
	u64 va = rq->a[1], frame = rq->frame[0];
	vspace_entry *e;
	int missing;

	enum kmem_class cls = kmem_classify(frame);
	if (cls == KMEM_KERNEL)
		return -KEEL_EKERNEL;
	if (cls != KMEM_NOTRAM)
		return -KEEL_EROLE; /* the pager's RAM: mapped through a memory capability, cached */
	if (arch_device_kernel_owns(frame))
		return -KEEL_EKERNEL;
	if (!(e = vspace_entry_at(&as->vs, va, 1, &missing)))
		return missing ? missing_error(missing) : -KEEL_EEXIST;
	if (vspace_present(*e))
		return -KEEL_EEXIST;
	vspace_set_device(e, frame, rq->rights);
	as->pages++;
	as->had_device = true;
	return 0;
}
