/*
 * cap.c - capabilities (keel/cap.h): making, copying and emptying one,
 * and the calls on capability spaces: information, copy with fewer
 * rights (into the caller's space or one it may fill), delete, landing
 * slots, memory capabilities for parts of a range, and destroy.  Under
 * the big kernel lock, like everything that changes a table.
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <keel/kmem.h>
#include <keel/notify.h>
#include <keel/panic.h>
#include <keel/thread.h>

_Static_assert(sizeof(struct cap) == 24, "a capability is three words");
_Static_assert(__builtin_offsetof(struct endpoint, gen) == 0 &&
		   __builtin_offsetof(struct thread, gen) == 0 &&
		   __builtin_offsetof(struct aspace, gen) == 0 &&
		   __builtin_offsetof(struct notify, gen) == 0,
	       "objects begin with their generation");
_Static_assert(KEEL_CAP_SLOTS <= 128 && KEEL_CAP_NONE >= KEEL_CAP_SLOTS &&
		   KEEL_CAP_SELF >= KEEL_CAP_SLOTS && KEEL_CAP_NONE <= 255,
	       "slots fit the IPC tag's 7 bits, and the special values a u8");
_Static_assert(CAP_TYPES - 1 <= CAP_TYPE_MASK &&
		   (CAP_RIGHTS_MEMORY | CAP_RIGHTS_ASPACE | CAP_RIGHTS_THREAD |
		    CAP_RIGHTS_ENDPOINT | CAP_RIGHTS_NOTIFY | CAP_RIGHTS_IOPORT | CAP_RIGHTS_IRQ |
		    CAP_RIGHTS_DEVICE) <= CAP_RIGHTS_MASK &&
		   (u64)KEEL_IO_PORTS << 12 <= CAP_OBJ_MASK,
	       "types and rights fit a capability's word");

/* Types whose capabilities carry a badge. */
static bool cap_badged_type(u32 type)
{
	return type == CAP_ENDPOINT || type == CAP_NOTIFY;
}

u32 cap_type_rights(u32 type)
{
	switch (type) {
	case CAP_MEMORY:
		return CAP_RIGHTS_MEMORY;
	case CAP_ASPACE:
		return CAP_RIGHTS_ASPACE;
	case CAP_THREAD:
		return CAP_RIGHTS_THREAD;
	case CAP_ENDPOINT:
		return CAP_RIGHTS_ENDPOINT;
	case CAP_NOTIFY:
		return CAP_RIGHTS_NOTIFY;
	case CAP_IOPORT:
		return CAP_RIGHTS_IOPORT;
	case CAP_IRQ:
		return CAP_RIGHTS_IRQ;
	case CAP_DEVICE:
		return CAP_RIGHTS_DEVICE;
	}
	return 0;
}

static void cap_fill(struct cap *c, u64 word)
{
	if (cap_type(c) != CAP_EMPTY)
		panic("cap: filling a slot that holds a capability of type %u", cap_type(c));
	c->word = word;
}

void cap_set(struct cap *c, u32 type, void *obj, u32 rights, u64 badge)
{
	if ((u64)obj & ~CAP_OBJ_MASK || !cap_is_object(type) || !type || type >= CAP_TYPES ||
	    rights & ~cap_type_rights(type))
		panic("cap: object %p, type %u, rights 0x%x do not make a capability", obj, type,
		      rights);
	cap_fill(c, (u64)obj | type | (u64)rights << CAP_RIGHTS_SHIFT);
	kmem_cap_ref(obj);
	c->gen = *(const u64 *)obj;
	c->badge = badge;
}

/* A capability of type (memory or device memory) to [base, base + size). */
static void cap_set_physical(struct cap *c, u32 type, u64 base, u64 size, u32 rights)
{
	if (base & ~CAP_OBJ_MASK || size & ~CAP_OBJ_MASK || rights & ~cap_type_rights(type))
		panic("cap: physical range type %u 0x%lx+0x%lx, rights 0x%x do not make a "
		      "capability",
		      type, base, size, rights);
	cap_fill(c, base | type | (u64)rights << CAP_RIGHTS_SHIFT);
	c->size = size;
	c->badge = 0;
}

void cap_set_memory(struct cap *c, u64 base, u64 size, u32 rights)
{
	cap_set_physical(c, CAP_MEMORY, base, size, rights);
}

void cap_set_device(struct cap *c, u64 base, u64 size, u32 rights)
{
	cap_set_physical(c, CAP_DEVICE, base, size, rights);
}

void cap_set_range(struct cap *c, u32 type, u64 first, u64 count, u32 rights)
{
	u64 limit = type == CAP_IOPORT ? KEEL_IO_PORTS : type == CAP_IRQ ? KEEL_IRQ_LINES : 0;

	if (!count || first > limit || count > limit - first || rights & ~cap_type_rights(type))
		panic("cap: range type %u 0x%lx+0x%lx, rights 0x%x do not make a capability", type,
		      first, count, rights);
	cap_fill(c, first << 12 | type | (u64)rights << CAP_RIGHTS_SHIFT);
	c->size = count;
	c->badge = 0;
}

void cap_copy(struct cap *to, const struct cap *from, u32 rights, u64 badge)
{
	if (cap_type(from) == CAP_MEMORY || cap_type(from) == CAP_DEVICE) {
		cap_set_physical(to, cap_type(from), cap_mem_base(from), from->size, rights);
		return;
	}
	if (cap_type(from) == CAP_IOPORT || cap_type(from) == CAP_IRQ) {
		cap_set_range(to, cap_type(from), cap_range_first(from), from->size, rights);
		return;
	}
	/* Not cap_set: a stale capability copies (moves) as stale, with its generation. */
	cap_fill(to,
		 (from->word & (CAP_OBJ_MASK | CAP_TYPE_MASK)) | (u64)rights << CAP_RIGHTS_SHIFT);
	kmem_cap_ref(cap_obj(from));
	to->gen = from->gen;
	to->badge = badge;
}

void cap_clear(struct cap *c)
{
	if (cap_type(c) == CAP_EMPTY)
		return;
	if (cap_is_object(cap_type(c)))
		kmem_cap_unref(cap_obj(c));
	*c = (struct cap){ 0 };
}

long cap_space(struct thread *cur, u64 space, struct aspace **out)
{
	struct cap *c;
	long r;

	if (space == KEEL_CAP_SELF) {
		*out = cur->as;
		return 0;
	}
	if ((r = cap_find(cur->as->caps, space, CAP_ASPACE, KEEL_AS_CAPS, &c)))
		return r;
	*out = cap_obj(c);
	return 0;
}

/* SYS_CAP_INFO(slot): type << 8 | rights, of a live capability. */
long sys_cap_info(struct thread *cur, u64 slot)
{
	struct cap *c;
	long r = cap_find_any(cur->as->caps, slot, 0, &c);

	return r ? r : (long)(cap_type(c) << 8 | cap_rights(c));
}

/*
 * SYS_CAP_COPY(src, space, dst, rights, badge): the caller's capability
 * in src, with only `rights` (all of which src must have), into the empty
 * slot dst of `space`.  The badge goes with it; a non-zero `badge` mints
 * one into a copy of an unbadged endpoint or notification capability.
 */
long sys_cap_copy(struct thread *cur, u64 src, u64 space, u64 dst, u64 rights, u64 badge)
{
	struct aspace *to;
	struct cap *from;
	long r;

	if ((r = cap_find_any(cur->as->caps, src, 0, &from)))
		return r; /* EDEAD: a stale capability is not copied */
	if ((r = cap_space(cur, space, &to)))
		return r;
	if (dst >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&to->caps[dst]) != CAP_EMPTY)
		return -KEEL_EEXIST;
	if (!rights || rights & ~(u64)cap_type_rights(cap_type(from)))
		return -KEEL_EINVAL;
	if (badge && (!cap_badged_type(cap_type(from)) || from->badge))
		return -KEEL_EINVAL; /* only an unbadged endpoint or notification takes a badge */
	if (cap_type(from) == CAP_NOTIFY && badge > KEEL_NOTIFY_BITS)
		return -KEEL_EINVAL; /* bit 63 of a wait's result would read as an error */
	if (rights & ~(u64)cap_rights(from))
		return -KEEL_EPERM;
	cap_copy(&to->caps[dst], from, (u32)rights, badge ? badge : from->badge);
	return 0;
}

/* SYS_CAP_DELETE(space, slot): empty one slot (stale ones too). */
long sys_cap_delete(struct thread *cur, u64 space, u64 slot)
{
	struct aspace *as;
	long r;

	if ((r = cap_space(cur, space, &as)))
		return r;
	if (slot >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&as->caps[slot]) == CAP_EMPTY)
		return -KEEL_ENOENT;
	cap_clear(&as->caps[slot]);
	return 0;
}

/* SYS_CAP_LANDING(slot0, slot1): where capabilities sent to the caller land. */
long sys_cap_landing(struct thread *cur, u64 slot0, u64 slot1)
{
	bool ok0 = slot0 < KEEL_CAP_SLOTS || slot0 == KEEL_CAP_NONE;
	bool ok1 = slot1 < KEEL_CAP_SLOTS || slot1 == KEEL_CAP_NONE;

	if (!ok0 || !ok1 || (slot0 == slot1 && slot0 != KEEL_CAP_NONE))
		return -KEEL_EINVAL;
	cur->land[0] = (u8)slot0;
	cur->land[1] = (u8)slot1;
	return 0;
}

/* An empty slot of the caller's space for a new capability. */
long cap_dst(struct thread *cur, u64 dst, struct cap **out)
{
	if (dst >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&cur->as->caps[dst]) != CAP_EMPTY)
		return -KEEL_EEXIST;
	*out = &cur->as->caps[dst];
	return 0;
}

void *cap_object_create(struct thread *cur, struct cap *mem, u64 off, u64 dst, u32 kobj, u32 type,
			long *err)
{
	struct cap *to;
	u64 frame;

	if ((*err = cap_dst(cur, dst, &to)) ||
	    (*err = cap_mem_range(mem, off, PAGE_SIZE, &frame)) || (*err = kmem_check_free(frame)))
		return NULL;
	u64 *obj = kmem_object_make(frame, (enum kobj_type)kobj);
	*obj = kmem_gen_new(); /* every object begins with its generation */
	cap_set(to, type, obj, cap_type_rights(type), 0);
	return obj;
}

/*
 * SYS_MEM_DERIVE and SYS_DEVICE_DERIVE(from, off, size, rights, dst): a
 * part of a physical range, with fewer rights, of from's type.
 */
long cap_physical_derive(struct thread *cur, struct cap *from, u64 off, u64 size, u64 rights,
			 u64 dst)
{
	struct cap *to;
	u64 base;
	long r;

	if ((r = cap_dst(cur, dst, &to)))
		return r;
	if ((r = cap_mem_range(from, off, size, &base)) || !size)
		return r ? r : -KEEL_EINVAL;
	if (rights & ~(u64)cap_type_rights(cap_type(from)) || !rights)
		return -KEEL_EINVAL;
	if (rights & ~(u64)cap_rights(from))
		return -KEEL_EPERM;
	cap_set_physical(to, cap_type(from), base, size, (u32)rights);
	return 0;
}

/*
 * SYS_IO_DERIVE and SYS_IRQ_DERIVE(from, first, count, dst): a part of a
 * numbered range (ports, lines), with from's rights.
 */
long cap_range_derive(struct thread *cur, struct cap *from, u64 first, u64 count, u64 dst)
{
	struct cap *to;
	long r;

	if ((r = cap_dst(cur, dst, &to)))
		return r;
	if (!cap_range_holds(from, first, count))
		return -KEEL_EINVAL;
	cap_set_range(to, cap_type(from), first, count, cap_rights(from));
	return 0;
}

/*
 * SYS_DESTROY(slot): the object goes; every capability to it is stale
 * from now on (its generation is gone with it), and the caller's slot is
 * emptied.
 */
long sys_destroy(struct thread *cur, u64 slot)
{
	struct cap *c;
	long r;

	if ((r = cap_find_any(cur->as->caps, slot, KEEL_CAP_DESTROY, &c)))
		return r; /* a memory capability has no DESTROY right: EPERM */
	switch (cap_type(c)) {
	case CAP_THREAD:
		r = thread_destroy(cap_obj(c));
		break;
	case CAP_ENDPOINT:
		r = endpoint_destroy(cap_obj(c));
		break;
	case CAP_NOTIFY:
		r = notify_destroy(cap_obj(c));
		break;
	case CAP_ASPACE:
		r = aspace_destroy_checked(cap_obj(c));
		break;
	default:
		panic("cap: slot %lu holds a capability of type %u with the DESTROY right", slot,
		      cap_type(c));
	}
	if (!r)
		cap_clear(c);
	return r;
}
