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
#include <keel/decode.h>
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

/* SYS_CAP_INFO(slot): type << 8 | rights, of a live capability. */
long sys_cap_info(struct thread *cur, const struct sysreq *rq)
{
	return (long)(cap_type(rq->cap[0]) << 8 | cap_rights(rq->cap[0]));
}

/*
 * SYS_CAP_COPY(src, space, dst, rights, badge): the caller's capability
 * in src, with only `rights` (all of which src must have), into the empty
 * slot dst of `space`.  The badge goes with it; a non-zero `badge` mints
 * one into a copy of an unbadged endpoint or notification capability.
 */
long sys_cap_copy(struct thread *cur, const struct sysreq *rq)
{
	const struct cap *from = rq->cap[0];

	cap_copy(rq->dst, from, rq->rights, rq->a[4] ? rq->a[4] : from->badge);
	return 0;
}

/* SYS_CAP_DELETE(space, slot): empty one slot (stale ones too). */
long sys_cap_delete(struct thread *cur, const struct sysreq *rq)
{
	cap_clear(rq->dst);
	return 0;
}

/* SYS_CAP_LANDING(slot0, slot1): where capabilities sent to the caller land. */
long sys_cap_landing(struct thread *cur, const struct sysreq *rq)
{
	cur->land[0] = (u8)rq->a[0];
	cur->land[1] = (u8)rq->a[1];
	return 0;
}

void *cap_object_create(const struct sysreq *rq, u32 kobj, u32 type, long *err)
{
	if ((*err = kmem_check_free(rq->frame[0])))
		return NULL;
	u64 *obj = kmem_object_make(rq->frame[0], (enum kobj_type)kobj);
	*obj = kmem_gen_new(); /* every object begins with its generation */
	cap_set(rq->dst, type, obj, cap_type_rights(type), 0);
	return obj;
}

/*
 * SYS_MEM_DERIVE and SYS_DEVICE_DERIVE(from, off, size, rights, dst): a
 * part of a physical range, with fewer rights, of from's type.
 */
long cap_physical_derive(struct thread *cur, const struct sysreq *rq)
{
	cap_set_physical(rq->dst, cap_type(rq->cap[0]), rq->frame[0], rq->size, rq->rights);
	return 0;
}

/*
 * SYS_IO_DERIVE and SYS_IRQ_DERIVE(from, first, count, dst): a part of a
 * numbered range (ports, lines), with from's rights.
 */
long cap_range_derive(struct thread *cur, const struct sysreq *rq)
{
	cap_set_range(rq->dst, cap_type(rq->cap[0]), rq->a[1], rq->a[2], cap_rights(rq->cap[0]));
	return 0;
}

/*
 * SYS_DESTROY(slot): the object goes; every capability to it is stale
 * from now on (its generation is gone with it), and the caller's slot is
 * emptied.
 */
long sys_destroy(struct thread *cur, const struct sysreq *rq)
{
	struct cap *c = rq->cap[0];
	long r;

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
		panic("cap: slot %lu holds a capability of type %u with the DESTROY right",
		      rq->a[0], cap_type(c));
	}
	if (!r)
		cap_clear(c);
	return r;
}
