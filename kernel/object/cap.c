/*
 * cap.c - capabilities (keel/cap.h): finding one, and the calls any
 * process may make on its own table: copy with fewer rights, delete.
 * Under the big kernel lock, like everything that changes a table.
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <keel/panic.h>
#include <keel/thread.h>

/* An object's count of the capabilities (and pagers) that name it. */
static u32 *cap_refs(u32 type, void *obj)
{
	if (type == CAP_ENDPOINT)
		return &((struct endpoint *)obj)->refs;
	panic("cap: a capability of unknown type %u", type);
}

void cap_set(struct cap *c, u32 type, void *obj, u32 rights, u64 badge)
{
	if (c->type != CAP_EMPTY)
		panic("cap: filling a slot that holds a capability of type %u", c->type);
	(*cap_refs(type, obj))++;
	*c = (struct cap){ obj, badge, type, rights };
}

void cap_clear(struct cap *c)
{
	if (c->type == CAP_EMPTY)
		return;
	(*cap_refs(c->type, c->obj))--;
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
	if (as->caps[src].type == CAP_EMPTY)
		return -KEEL_ENOENT;
	if (!rights || (rights & ~(u64)(KEEL_EP_SEND | KEEL_EP_RECV)))
		return -KEEL_EINVAL; /* endpoints are the only kind so far */
	if ((r = cap_find(as->caps, src, as->caps[src].type, (u32)rights, &from)))
		return r; /* EPERM: more rights than src has */
	if (as->caps[dst].type != CAP_EMPTY)
		return -KEEL_EEXIST;
	cap_set(&as->caps[dst], from->type, from->obj, (u32)rights, from->badge);
	return 0;
}

/* SYS_CAP_DELETE(slot): empty one slot of the caller's own table. */
long sys_cap_delete(u64 slot)
{
	struct aspace *as = sched_current()->as;

	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	if (as->caps[slot].type == CAP_EMPTY)
		return -KEEL_ENOENT;
	cap_clear(&as->caps[slot]);
	return 0;
}
