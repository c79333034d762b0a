/*
 * cap.c - capabilities (keel/cap.h): making and emptying one, and the
 * calls any process may make on its own table: copy with fewer rights,
 * delete.  Under the big kernel lock, like everything that changes a table.
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <keel/kmem.h>
#include <keel/panic.h>
#include <keel/thread.h>

_Static_assert(sizeof(struct cap) == 24, "a capability is three words");
_Static_assert(__builtin_offsetof(struct endpoint, gen) == 0,
	       "objects begin with their generation");

void cap_set(struct cap *c, u32 type, void *obj, u32 rights, u64 badge)
{
	if (cap_type(c) != CAP_EMPTY)
		panic("cap: filling a slot that holds a capability of type %u", cap_type(c));
	if ((u64)obj & ~CAP_OBJ_MASK || type > CAP_TYPE_MASK || rights > CAP_RIGHTS_MASK)
		panic("cap: object %p, type %u, rights 0x%x do not fit a capability", obj, type,
		      rights);
	kmem_cap_ref(obj);
	c->word = (u64)obj | type | (u64)rights << CAP_RIGHTS_SHIFT;
	c->gen = *(const u64 *)obj;
	c->badge = badge;
}

void cap_clear(struct cap *c)
{
	if (cap_type(c) == CAP_EMPTY)
		return;
	kmem_cap_unref(cap_obj(c));
	*c = (struct cap){ 0 };
}

/*
 * SYS_CAP_COPY(src, dst, rights): the capability in src, with only
 * `rights` (all of which src must have), into the empty slot dst of the
 * caller's own table; the badge goes with it.
 */
long sys_cap_copy(u64 src, u64 dst, u64 rights)
{
	struct aspace *as = sched_current()->as;
	struct cap *from;
	long r;

	if (src >= AS_ENDPOINT_SLOTS || dst >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&as->caps[src]) == CAP_EMPTY)
		return -KEEL_ENOENT;
	if (!rights || (rights & ~(u64)(KEEL_EP_SEND | KEEL_EP_RECV | KEEL_EP_GRANT)))
		return -KEEL_EINVAL; /* endpoints are the only kind so far */
	if ((r = cap_find(as->caps, src, cap_type(&as->caps[src]), (u32)rights, &from)))
		return r; /* EPERM: more rights than src has; EDEAD: stale */
	if (cap_type(&as->caps[dst]) != CAP_EMPTY)
		return -KEEL_EEXIST;
	cap_set(&as->caps[dst], cap_type(from), cap_obj(from), (u32)rights, from->badge);
	return 0;
}

/* SYS_CAP_LANDING(slot0, slot1): where capabilities sent to the caller land. */
long sys_cap_landing(u64 slot0, u64 slot1)
{
	struct thread *cur = sched_current();

	if (slot0 > AS_ENDPOINT_SLOTS || slot1 > AS_ENDPOINT_SLOTS ||
	    (slot0 == slot1 && slot0 != AS_ENDPOINT_SLOTS))
		return -KEEL_EINVAL;
	cur->land[0] = (u8)slot0;
	cur->land[1] = (u8)slot1;
	return 0;
}

/* SYS_CAP_DELETE(slot): empty one slot of the caller's own table (stale ones too). */
long sys_cap_delete(u64 slot)
{
	struct aspace *as = sched_current()->as;

	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&as->caps[slot]) == CAP_EMPTY)
		return -KEEL_ENOENT;
	cap_clear(&as->caps[slot]);
	return 0;
}
