/*
 * cap.h - capabilities: what a process holds to reach a kernel object or
 * a range of memory, with the rights it may use there and, for an
 * endpoint, the badge its messages carry (kernel/object/cap.c; the model
 * is docs/design-caps.md).
 *
 * Each address space has a capability space of KEEL_CAP_SLOTS slots
 * (struct aspace); a thread names a capability by its index.  Every
 * system call that takes an object takes it this way: the table in
 * kernel/core/syscall.c says which type and rights each argument needs,
 * and the dispatcher looks them up (cap_find) before the handler runs.
 *
 * Revocation by generation: a capability to an object holds the object's
 * generation (keel/kmem.h).  Destroying the object makes every capability
 * to it stale at once, whoever holds it, at no cost: a use of a stale
 * capability is KEEL_EDEAD, and deleting it is always possible.  Memory
 * capabilities name physical memory, not an object: they have no
 * generation and live until deleted (or until their space goes).
 */
#ifndef KEEL_CAP_H
#define KEEL_CAP_H

#include <abi/syscall.h>
#include <keel/types.h>

enum cap_type {
	CAP_EMPTY = 0,
	CAP_MEMORY = KEEL_CAP_MEMORY,	  /* a physical range; rights KEEL_MEM_* */
	CAP_ASPACE = KEEL_CAP_ASPACE,	  /* struct aspace; KEEL_AS_* */
	CAP_THREAD = KEEL_CAP_THREAD,	  /* struct thread; KEEL_TH_* */
	CAP_ENDPOINT = KEEL_CAP_ENDPOINT, /* struct endpoint; KEEL_EP_* */
	CAP_NOTIFY = KEEL_CAP_NOTIFY,	  /* struct notify; KEEL_NT_* */
	CAP_IOPORT = KEEL_CAP_IOPORT,	  /* a range of I/O ports; KEEL_IO_* */
	CAP_IRQ = KEEL_CAP_IRQ,		  /* a range of interrupt lines (GSIs); KEEL_IRQ_* */
	CAP_DEVICE = KEEL_CAP_DEVICE,	  /* physical memory that is not RAM; KEEL_DEV_* */
	CAP_TYPES
};

/* The rights each type has (a capability holds a subset). */
#define CAP_RIGHTS_MEMORY   (KEEL_MEM_R | KEEL_MEM_W | KEEL_MEM_X | KEEL_MEM_KMEM)
#define CAP_RIGHTS_ASPACE   (KEEL_AS_MAP | KEEL_AS_CAPS | KEEL_AS_THREAD | KEEL_CAP_DESTROY)
#define CAP_RIGHTS_THREAD   (KEEL_TH_CONFIG | KEEL_TH_START | KEEL_CAP_DESTROY)
#define CAP_RIGHTS_ENDPOINT (KEEL_EP_SEND | KEEL_EP_RECV | KEEL_EP_GRANT | KEEL_CAP_DESTROY)
#define CAP_RIGHTS_NOTIFY   (KEEL_NT_SIGNAL | KEEL_NT_WAIT | KEEL_CAP_DESTROY)
#define CAP_RIGHTS_IOPORT   KEEL_IO_USE
#define CAP_RIGHTS_IRQ	    KEEL_IRQ_BIND
#define CAP_RIGHTS_DEVICE   (KEEL_DEV_R | KEEL_DEV_W)

/*
 * 24 bytes.  word: the object's address (a frame: its low 12 bits are 0),
 * a memory range's physical base, or the first number of a range of I/O
 * ports or interrupt lines shifted left by 12, with the type in bits 0-3
 * and the rights in bits 4-11.
 */
struct cap {
	u64 word;
	union {
		u64 gen;  /* an object's generation when the capability was made */
		u64 size; /* memory: the range's bytes; I/O ports, lines: how many */
	};
	u64 badge; /* endpoint: what receivers see as the sender; 0: the sending thread's;
		      notification: the bits a signal sets (0: bit 0) */
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

/* Is a capability of `type` one to a kernel object (else a range: memory, ports, lines)? */
static inline bool cap_is_object(u32 type)
{
	return type != CAP_MEMORY && type != CAP_IOPORT && type != CAP_IRQ && type != CAP_DEVICE;
}

/*
 * The capability in `slot` of a table (of KEEL_CAP_SLOTS) if it is of
 * `type` (never CAP_EMPTY), has every right in `rights`, and its object
 * still exists: 0, or -KEEL_EINVAL (no such slot), -KEEL_ENOENT (empty),
 * -KEEL_EBADOBJ (another type), -KEEL_EPERM (a right missing) or
 * -KEEL_EDEAD (the object was destroyed).  Inline, a few instructions
 * when type and rights are constants: every IPC looks one up.
 */
static inline long cap_find(struct cap *table, u64 slot, u32 type, u32 rights, struct cap **out)
{
	u64 want = (u64)rights << CAP_RIGHTS_SHIFT;

	if (slot >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	struct cap *c = &table[slot];
	u64 w = c->word;
	if ((w & CAP_TYPE_MASK) != type) /* an empty slot (type 0) never matches */
		return (w & CAP_TYPE_MASK) == CAP_EMPTY ? -KEEL_ENOENT : -KEEL_EBADOBJ;
	if ((w & want) != want)
		return -KEEL_EPERM;
	/* Every object begins with its generation (u64); ranges have none. */
	if (cap_is_object(type) && *(const u64 *)(w & CAP_OBJ_MASK) != c->gen)
		return -KEEL_EDEAD;
	*out = c;
	return 0;
}

/* cap_find for whatever type the slot holds (ENOENT if none). */
static inline long cap_find_any(struct cap *table, u64 slot, u32 rights, struct cap **out)
{
	if (slot >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&table[slot]) == CAP_EMPTY)
		return -KEEL_ENOENT;
	return cap_find(table, slot, cap_type(&table[slot]), rights, out);
}

/* Types whose capabilities carry a badge. */
static inline bool cap_badged_type(u32 type)
{
	return type == CAP_ENDPOINT || type == CAP_NOTIFY;
}

/* The rights a capability of `type` can have (0 for none: not a type). */
static inline u32 cap_type_rights(u32 type)
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

/* A memory capability's physical base. */
static inline u64 cap_mem_base(const struct cap *m)
{
	return m->word & CAP_OBJ_MASK;
}

/*
 * A frame or run of a memory capability: the physical address of [off,
 * off + len) in it, or -KEEL_EINVAL if that is not page-aligned or not
 * inside it.
 */
static inline long cap_mem_range(const struct cap *m, u64 off, u64 len, u64 *pa)
{
	if ((off | len) & 0xfff || off > m->size || len > m->size - off)
		return -KEEL_EINVAL;
	*pa = cap_mem_base(m) + off;
	return 0;
}

/* Does memory capability m hold frame pa? */
static inline bool cap_mem_holds(const struct cap *m, u64 pa)
{
	return pa >= cap_mem_base(m) && pa - cap_mem_base(m) < m->size;
}

/* The reverse of cap_mem_range: frame pa's offset in m, if m holds it. */
static inline bool cap_mem_offset(const struct cap *m, u64 pa, u64 *off)
{
	if (!cap_mem_holds(m, pa))
		return false;
	*off = pa - cap_mem_base(m);
	return true;
}

/* Make the empty *c a capability to obj with its current generation, or empty a full one. */
void cap_set(struct cap *c, u32 type, void *obj, u32 rights, u64 badge);
/* Make the empty *c a memory capability to [base, base + size). */
void cap_set_memory(struct cap *c, u64 base, u64 size, u32 rights);
/* The same for device memory (encoded as memory: cap_mem_range works on both). */
void cap_set_device(struct cap *c, u64 base, u64 size, u32 rights);
/*
 * Make the empty *c a capability of a numbered range `type` (CAP_IOPORT:
 * [first, first + count) of KEEL_IO_PORTS ports; CAP_IRQ: of KEEL_IRQ_LINES
 * lines).
 */
void cap_set_range(struct cap *c, u32 type, u64 first, u64 count, u32 rights);

/* A port or line range's first number. */
static inline u64 cap_range_first(const struct cap *r)
{
	return r->word >> 12;
}

/* Is [first, first + count) a non-empty part of r's range? */
static inline bool cap_range_holds(const struct cap *r, u64 first, u64 count)
{
	u64 base = cap_range_first(r);

	return count && first >= base && first - base <= r->size &&
	       count <= r->size - (first - base);
}
/* *to (empty) becomes a copy of *from with `rights` and `badge`. */
void cap_copy(struct cap *to, const struct cap *from, u32 rights, u64 badge);
void cap_clear(struct cap *c);

struct thread;
struct sysreq; /* keel/decode.h: a call's decoded arguments */

/* The handlers (the apply halves: keel/decode.h). */
long sys_cap_info(struct thread *cur, const struct sysreq *rq);
long sys_cap_copy(struct thread *cur, const struct sysreq *rq);
long sys_cap_delete(struct thread *cur, const struct sysreq *rq);
long sys_cap_landing(struct thread *cur, const struct sysreq *rq);
/*
 * An object of kind kobj (enum kobj_type) made in the decoded frame
 * (rq->frame[0]) if it is a free donated one, with a fresh generation, and
 * a capability of `type` with every right to it in the caller's empty
 * slot rq->dst: the object (zeroed but for its generation), or NULL with
 * the error in *err (nothing changed).  SYS_ENDPOINT_CREATE,
 * SYS_NOTIFY_CREATE.
 */
void *cap_object_create(const struct sysreq *rq, u32 kobj, u32 type, long *err);
/* SYS_MEM_DERIVE, SYS_DEVICE_DERIVE: a part of a memory or device memory range. */
long cap_physical_derive(struct thread *cur, const struct sysreq *rq);
/* SYS_IO_DERIVE, SYS_IRQ_DERIVE: a part of a range of ports or lines. */
long cap_range_derive(struct thread *cur, const struct sysreq *rq);
long sys_destroy(struct thread *cur, const struct sysreq *rq);

#endif
