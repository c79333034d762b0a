/*
 * cap.h - capabilities: what a process holds to reach a kernel object,
 * with the rights it may use there and, for an endpoint, the badge its
 * messages carry (kernel/object/cap.c).
 *
 * Each address space has a table of AS_ENDPOINT_SLOTS capabilities
 * (struct aspace); a thread names one by its index.  Today the only kind
 * of object in it is the endpoint: the memory authority installs endpoint
 * capabilities (SYS_AS_SET_ENDPOINT, with a badge), and any process may
 * copy one of its own with fewer rights (SYS_CAP_COPY) or delete one
 * (SYS_CAP_DELETE).
 *
 * Revocation by generation: a capability holds its object's generation
 * (keel/kmem.h).  Destroying the object makes every capability to it stale
 * at once, whoever holds it, at no cost: a use of a stale capability is
 * KEEL_EDEAD, and deleting it is always possible.
 */
#ifndef KEEL_CAP_H
#define KEEL_CAP_H

#include <abi/syscall.h>
#include <keel/types.h>

enum cap_type {
	CAP_EMPTY = 0,
	CAP_ENDPOINT, /* struct endpoint; rights KEEL_EP_* */
};

/*
 * 24 bytes.  word: the object's address (a frame: its low 12 bits are 0)
 * with the type in bits 0-3 and the rights in bits 4-11.
 */
struct cap {
	u64 word;
	u64 gen;   /* the object's generation when the capability was made */
	u64 badge; /* endpoint: what receivers see as the sender; 0: the sending thread's */
};

#define CAP_TYPE_MASK	 0xfull
#define CAP_RIGHTS_SHIFT 4
#define CAP_RIGHTS_MASK	 0xffull
#define CAP_OBJ_MASK	 (~0xfffull)

static inline u32 cap_type(const struct cap *c)
{
	return (u32)(c->word & CAP_TYPE_MASK);
}

static inline u32 cap_rights(const struct cap *c)
{
	return (u32)(c->word >> CAP_RIGHTS_SHIFT & CAP_RIGHTS_MASK);
}

static inline void *cap_obj(const struct cap *c)
{
	return (void *)(c->word & CAP_OBJ_MASK);
}

/*
 * The capability in `slot` of a table (of AS_ENDPOINT_SLOTS) if it is of
 * `type` (never CAP_EMPTY), has every right in `rights`, and its object
 * still exists: 0, or -KEEL_EINVAL (no such slot), -KEEL_ENOENT (empty),
 * -KEEL_EBADOBJ (another type), -KEEL_EPERM (a right missing) or
 * -KEEL_EDEAD (the object was destroyed).  Inline, a few instructions
 * when type and rights are constants: every IPC looks one up.
 */
static inline long cap_find(struct cap *table, u64 slot, u32 type, u32 rights, struct cap **out)
{
	u64 want = (u64)rights << CAP_RIGHTS_SHIFT;

	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	struct cap *c = &table[slot];
	u64 w = c->word;
	if ((w & CAP_TYPE_MASK) != type) /* an empty slot (type 0) never matches */
		return (w & CAP_TYPE_MASK) == CAP_EMPTY ? -KEEL_ENOENT : -KEEL_EBADOBJ;
	if ((w & want) != want)
		return -KEEL_EPERM;
	/* Every object begins with its generation (u64). */
	if (*(const u64 *)(w & CAP_OBJ_MASK) != c->gen)
		return -KEEL_EDEAD;
	*out = c;
	return 0;
}

/* cap_find for whatever type the slot holds (ENOENT if none). */
static inline long cap_find_any(struct cap *table, u64 slot, u32 rights, struct cap **out)
{
	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&table[slot]) == CAP_EMPTY)
		return -KEEL_ENOENT;
	return cap_find(table, slot, cap_type(&table[slot]), rights, out);
}

/* Make the empty *c a capability to obj with its current generation, or empty a full one. */
void cap_set(struct cap *c, u32 type, void *obj, u32 rights, u64 badge);
void cap_clear(struct cap *c);

long sys_cap_copy(u64 src, u64 dst, u64 rights);
long sys_cap_delete(u64 slot);
long sys_cap_landing(u64 slot0, u64 slot1);

#endif
