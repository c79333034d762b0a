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
 * A decoded call.  Which fields a call sets is said at its decoder in
 * decode.c; the rest are 0 (NULL).
 */
struct sysreq {
	u64 nr;
	u64 a[6];	    /* the arguments as passed: RDI, RSI, RDX, R10, R8, R9 */
	struct cap *cap[6]; /* argument i's capability, found with the type and rights
			       the call needs; NULL if i is none or KEEL_CAP_NONE */
	struct cap *dst;    /* an empty slot for a new capability (the caller's; SYS_CAP_COPY:
			       the space's); SYS_CAP_DELETE: the full slot to empty */
	u64 frame[3];	    /* physical addresses of offsets in a memory capability */
	u64 size;	    /* bytes at frame[0] (or of a user range: SYS_UNMAP_RANGE) */
	u32 rights;	    /* the new mapping's or capability's rights */
	u32 level;	    /* SYS_MAP: 1 (4 KB), 2 (2 MB), 3 (1 GB); SYS_SUPPLY_TABLE: 1-3 */
};

/*
 * Decode call nr with arguments a[] for a caller whose capability table
 * (KEEL_CAP_SLOTS slots) is caps: 0 and *rq filled, or the error the call
 * returns.  Reads nothing else (the table's objects' generations aside).
 */
long syscall_decode(struct sysreq *rq, u64 nr, const u64 a[6], struct cap *caps,
		    const struct decode_env *m);

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
