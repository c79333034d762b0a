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
 * (SYS_CAP_DELETE).  Every capability is a reference: an endpoint cannot
 * be destroyed while a capability or a thread's pager names it.
 */
#ifndef KEEL_CAP_H
#define KEEL_CAP_H

#include <abi/syscall.h>
#include <keel/types.h>

struct aspace;

enum cap_type {
	CAP_EMPTY = 0,
	CAP_ENDPOINT, /* obj: struct endpoint; rights KEEL_EP_* */
};

struct cap {
	void *obj;
	u64 badge;  /* endpoint: what receivers see as the sender; 0: the sending thread's */
	u32 type;   /* enum cap_type */
	u32 rights; /* for endpoints, KEEL_EP_* */
};

/*
 * The capability in `slot` of a table (of AS_ENDPOINT_SLOTS) if it is of
 * `type` and has every right in `rights`: 0, or -KEEL_EINVAL (no such
 * slot), -KEEL_ENOENT (empty), -KEEL_EBADOBJ (another type) or
 * -KEEL_EPERM (a right missing).  Inline: every IPC looks one up.
 */
static inline long cap_find(struct cap *table, u64 slot, u32 type, u32 rights, struct cap **out)
{
	if (slot >= AS_ENDPOINT_SLOTS)
		return -KEEL_EINVAL;
	struct cap *c = &table[slot];
	if (c->type != type)
		return c->type == CAP_EMPTY ? -KEEL_ENOENT : -KEEL_EBADOBJ;
	if ((c->rights & rights) != rights)
		return -KEEL_EPERM;
	*out = c;
	return 0;
}

/* Make the empty *c a capability to obj (taking a reference), or empty a full one. */
void cap_set(struct cap *c, u32 type, void *obj, u32 rights, u64 badge);
void cap_clear(struct cap *c);

long sys_cap_copy(u64 src, u64 dst, u64 rights);
long sys_cap_delete(u64 slot);

#endif
