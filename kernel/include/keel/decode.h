/*
 * decode.h - the decode half of every system call (kernel/core/decode.c).
 *
 * A system call runs in two halves.  The decode half reads the call's six
 * arguments, the capability tables it names (the caller's, and another
 * space's for SYS_CAP_COPY and SYS_CAP_DELETE) and three facts fixed at
 * boot (struct decode_env), and nothing else: it looks up every
 * capability the call names, checks every argument that can be checked
 * without the kernel's state, and writes what it found to a struct
 * sysreq.  The apply half, the handler (sys_*), checks only what depends
 * on the state (a frame's role, a page-table entry, an object's state),
 * then changes it.  So a call's errors come in the ABI's order
 * (abi/syscall.h, "Capabilities"): its slots, then its other arguments,
 * then the state.  The decode half changes
 * nothing, so the same code runs on the host under libFuzzer
 * (tests/fuzz/fuzz_decode.c), which checks what each decoder promises.
 * The IPC calls decode their endpoint and tag here too (decode_tag),
 * except on the fast path (kernel/core/fastpath.c), which takes only
 * tags with nothing to decode.
 */
#ifndef KEEL_DECODE_H
#define KEEL_DECODE_H

#include <abi/page.h>
#include <abi/syscall.h>
#include <keel/cap.h>
#include <keel/types.h>

/* What the decoders may read besides the call (decode_here in the kernel). */
struct decode_env {
	u32 cpus;	 /* a thread's CPU is below */
	bool huge_pages; /* SYS_MAP may map 1 GB pages */
	bool test_boot;	 /* SYS_DEBUG_TEST exists (else ENOSYS, before any argument) */
	/* The capability table of the address space a (live) capability names. */
	struct cap *(*space_caps)(const struct cap *as);
};

/*
 * A call, decoded.  The caller sets nr and a[]; the decode writes the
 * fields the call's decoder names at its definition in decode.c (and
 * cap[i] of each capability argument i, NULL for an optional one that is
 * KEEL_CAP_NONE or KEEL_CAP_SELF), and leaves the rest as they were: a
 * handler reads only what its decoder wrote.
 */
struct sysreq {
	u64 nr;
	u64 a[6];	    /* the arguments as passed: RDI, RSI, RDX, R10, R8, R9 */
	struct cap *cap[6]; /* argument i's capability, found with the type and rights
			       the call needs; NULL for an optional one that is none;
			       not written for an argument that is no capability */
	struct cap *dst;    /* an empty slot for a new capability (the caller's; SYS_CAP_COPY:
			       the space's); SYS_CAP_DELETE: the full slot to empty */
	u64 frame[3];	    /* physical addresses of offsets in a memory capability */
	u64 size;	    /* bytes at frame[0] (or of a user range: SYS_UNMAP_RANGE) */
	u32 rights;	    /* the new mapping's or capability's rights */
	u32 level;	    /* SYS_MAP: 1 (4 KB), 2 (2 MB), 3 (1 GB); SYS_SUPPLY_TABLE: 1-3 */
};

/* Argument arg is a capability of `type` (CAP_EMPTY: none) with each of `rights`. */
struct decode_cap {
	u8 arg;
	u8 type;
	u8 rights;
};

#define DECODE_CAPS 2

/* A call's decoder, and the capabilities it names. */
struct decode_def {
	long (*decode)(struct sysreq *rq, struct cap *caps, const struct decode_env *m);
	struct decode_cap caps[DECODE_CAPS];
};

extern const struct decode_def syscall_decoders[SYS_COUNT];

/*
 * Decode the call in rq->nr and rq->a[] for a caller whose capability
 * table (KEEL_CAP_SLOTS slots) is caps: 0 and *rq filled, or the error
 * the call returns.  Reads nothing else (the generations of the objects
 * its capabilities name, and the tables m->space_caps gives, aside).
 * Inline: the dispatcher's loop over the capabilities costs no call.
 */
static inline long syscall_decode(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	if (rq->nr >= SYS_COUNT)
		return -KEEL_ENOSYS;
	const struct decode_def *d = &syscall_decoders[rq->nr];
	for (int i = 0; i < DECODE_CAPS && d->caps[i].type; i++) {
		const struct decode_cap *dc = &d->caps[i];
		long r = cap_find(caps, rq->a[dc->arg], dc->type, dc->rights, &rq->cap[dc->arg]);
		if (r)
			return r;
	}
	return d->decode(rq, caps, m);
}

/* A page-aligned user address (EINVAL), below KEEL_USER_TOP (EFAULT). */
static inline long user_page(u64 va)
{
	if (va & (KEEL_PAGE_SIZE - 1))
		return -KEEL_EINVAL;
	return va < KEEL_USER_TOP ? 0 : -KEEL_EFAULT;
}

/* Is [addr, addr + len) all user addresses (below the last user page, never mapped)? */
static inline bool user_range_ok(u64 addr, u64 len)
{
	return len <= KEEL_USER_TOP && addr <= KEEL_USER_TOP - len;
}

/*
 * The rights of a map: R needed, nothing beyond `allowed`; each right, and
 * W for clearing, held by the memory capability.  rq->rights: the page's.
 */
static inline long map_rights(struct sysreq *rq, u64 rights, u64 allowed, const struct cap *mem)
{
	if ((rights & ~allowed) || !(rights & KEEL_MAP_R))
		return -KEEL_EINVAL; /* x86 pages are always readable */
	rq->rights = (u32)(rights & (KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X));
	if ((rq->rights & ~cap_rights(mem)) ||
	    ((rights & KEEL_MAP_ZERO) && !(cap_rights(mem) & KEEL_MEM_W)))
		return -KEEL_EPERM;
	return 0;
}

/* SYS_MAP's rights. */
#define DECODE_MAP_RIGHTS \
	(KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X | KEEL_MAP_ZERO | KEEL_MAP_LARGE | KEEL_MAP_HUGE)

/*
 * SYS_MAP of a 4 KB page (neither KEEL_MAP_LARGE nor KEEL_MAP_HUGE in
 * rq->a[4]), decode_map's first case: inline, since every page fault's
 * reply does it (kernel/core/ipc.c).  va below the top ends there too, and
 * a page-aligned offset in a page-aligned range is an aligned frame.
 */
static inline long decode_map_page(struct sysreq *rq)
{
	long r;

	if ((r = user_page(rq->a[1])))
		return r;
	rq->level = 1;
	rq->size = KEEL_PAGE_SIZE;
	if ((r = cap_mem_range(rq->cap[2], rq->a[3], KEEL_PAGE_SIZE, &rq->frame[0])))
		return r;
	return map_rights(rq, rq->a[4], DECODE_MAP_RIGHTS, rq->cap[2]);
}

/* SYS_MAP's decoder (decode.c), for the fault reply's larger pages. */
long decode_map(struct sysreq *rq, struct cap *caps, const struct decode_env *m);

/* Has every call a decoder, and does each capability argument name a type and a register? */
bool syscall_decoders_complete(void);

/*
 * An IPC message's tag as its sender may write it: the length (a buffer
 * needed if it is not 0: has_buf) and the capabilities it carries, each
 * a live one of caps; `grant`: may it carry any (the endpoint
 * capability's GRANT, or a reply)?  0 or KEEL_EINVAL, ENOENT, EDEAD or
 * EPERM.
 */
long decode_tag(u64 tag, bool has_buf, struct cap *caps, bool grant);

/* The parts of a tag (abi/syscall.h's IPC_TAG makes them). */
#define TAG_LEN_SHIFT  32
#define TAG_LEN_MASK   (0x1fffull << TAG_LEN_SHIFT)
#define TAG_CAPS_SHIFT 45
#define TAG_CAPS_MASK  (0x1ffffull << TAG_CAPS_SHIFT)		      /* count, two slots, move */
#define TAG_USER_MASK  (0xffffffffull | TAG_LEN_MASK | TAG_CAPS_MASK) /* what users may set */

#endif
