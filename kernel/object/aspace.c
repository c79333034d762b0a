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
#include <arch/vspace.h>
#include <keel/addr.h>
#include <keel/aspace.h>
#include <keel/kmem.h>
#include <keel/panic.h>
#include <keel/thread.h>

struct aspace *aspace_get(u64 pa)
{
	return kmem_object_get(pa, KOBJ_ASPACE);
}

struct aspace *aspace_make(u64 obj, u64 pml4)
{
	struct aspace *as = kmem_object_make(obj, KOBJ_ASPACE);

	kmem_object_make(pml4, KOBJ_TABLE);
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

static long check_va(u64 va)
{
	if (!IS_ALIGNED(va, PAGE_SIZE))
		return -KEEL_EINVAL;
	return va < KEEL_USER_TOP ? 0 : -KEEL_EFAULT;
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

/* Is `frame` one that may be mapped with `rights`? */
static long check_frame(u64 frame, u64 rights)
{
	if (!IS_ALIGNED(frame, PAGE_SIZE))
		return -KEEL_EINVAL;
	enum kmem_class c = kmem_classify(frame);
	if (c == KMEM_USER || (c == KMEM_MODULE && !(rights & KEEL_MAP_W)))
		return 0;
	return kmem_class_error(c); /* a module frame with W: EROLE */
}

long sys_map(u64 as_pa, u64 va, u64 frame, u64 rights)
{
	struct aspace *as = aspace_get(as_pa);
	vspace_entry *e;
	int missing;
	long r;

	if (!as)
		return -KEEL_EBADOBJ;
	if ((r = check_va(va)) || (r = check_frame(frame, rights)))
		return r;
	if ((rights & ~(u64)(KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X)) || !(rights & KEEL_MAP_R))
		return -KEEL_EINVAL; /* x86 pages are always readable */
	if (!(e = vspace_entry_at(&as->vs, va, 1, &missing)))
		return missing_error(missing);
	if (vspace_present(*e))
		return -KEEL_EEXIST;
	if ((r = kmem_map_ref(frame))) /* the last check: it changes nothing if it fails */
		return r;
	vspace_set_leaf(e, frame, (u32)rights);
	as->pages++;
	return 0;
}

/*
 * The checks of SYS_UNMAP and SYS_LOOKUP: the present leaf for va in the
 * address space at as_pa, or NULL with the error in *err.
 */
static vspace_entry *mapped_leaf(u64 as_pa, u64 va, struct aspace **as, long *err)
{
	vspace_entry *e = NULL;
	int missing;

	*err = 0;
	if (!(*as = aspace_get(as_pa)))
		*err = -KEEL_EBADOBJ;
	else if (!(*err = check_va(va)) &&
		 (!(e = vspace_entry_at(&(*as)->vs, va, 1, &missing)) || !vspace_present(*e)))
		*err = -KEEL_ENOENT;
	return *err ? NULL : e;
}

long sys_unmap(u64 as_pa, u64 va)
{
	struct aspace *as;
	long r;
	vspace_entry *e = mapped_leaf(as_pa, va, &as, &r);

	if (!e)
		return r;
	u64 frame = vspace_frame(*e);
	vspace_clear_leaf(&as->vs, e, va);
	kmem_map_unref(frame);
	as->pages--;
	return (long)frame;
}

long sys_lookup(u64 as_pa, u64 va)
{
	struct aspace *as;
	long r;
	vspace_entry *e = mapped_leaf(as_pa, va, &as, &r);

	return e ? (long)vspace_frame(*e) : r;
}

long sys_supply_table(u64 as_pa, u64 va, u64 level, u64 frame)
{
	struct aspace *as = aspace_get(as_pa);
	int missing;
	long r;

	if (!as)
		return -KEEL_EBADOBJ;
	if ((r = check_va(va)))
		return r;
	if (level < 1 || level > 3)
		return -KEEL_EINVAL;
	if ((r = kmem_check_free(frame)))
		return r;
	/* The entry that should point to the new table. */
	vspace_entry *e = vspace_entry_at(&as->vs, va, (int)level + 1, &missing);
	if (!e)
		return missing_error(missing);
	if (vspace_present(*e))
		return -KEEL_EEXIST;
	kmem_object_make(frame, KOBJ_TABLE);
	vspace_set_table(e, frame);
	as->tables++;
	return 0;
}

long sys_as_create(u64 obj, u64 pml4)
{
	long r;

	if ((r = kmem_check_free(obj)) || (r = kmem_check_free(pml4)))
		return r;
	if (obj == pml4)
		return -KEEL_EINVAL;
	aspace_make(obj, pml4);
	return 0;
}

long sys_as_set_endpoint(u64 as_pa, u64 slot, u64 ep_pa, u64 rights, u64 badge)
{
	struct aspace *as = aspace_get(as_pa);
	struct endpoint *ep = NULL;

	if (!as)
		return -KEEL_EBADOBJ;
	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	if (ep_pa && !(ep = endpoint_get(ep_pa)))
		return -KEEL_EBADOBJ;
	if (rights & ~(u64)(KEEL_EP_SEND | KEEL_EP_RECV | KEEL_EP_GRANT) || (ep && !rights))
		return -KEEL_EINVAL;
	cap_clear(&as->caps[slot]);
	if (ep)
		cap_set(&as->caps[slot], CAP_ENDPOINT, ep, (u32)rights, badge);
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
	for (unsigned s = 0; s < AS_ENDPOINT_SLOTS; s++)
		cap_clear(&as->caps[s]);
	kmem_object_free(as->vs.pml4);
	kmem_object_free(kmem_object_phys(as));
}
