/*
 * frames.h - what role each physical frame plays, for the checks of the
 * memory syscalls (kernel/mm/frames.c; design in docs/design-core.md).
 *
 * The kernel must refuse to map a frame that holds a kernel object, a
 * frame of its own, or a frame outside RAM, at up to 64 TB of RAM without
 * a per-frame table (a bitmap would be 2 GB).  The answer comes from
 * sorted lists whose size grows with the number of ranges, never with RAM:
 *   - the free RAM handed to the pager at boot (the boot allocator's free
 *     list): frames the pager owns and may map;
 *   - the GRUB modules: frames the pager may map (to read programs);
 *   - the runs the pager donated to the kernel for its objects.
 * Everything else (the kernel's image, page tables, per-CPU data, firmware,
 * holes) is never mappable and never donatable.  Pure logic: host-tested.
 */
#ifndef KEEL_FRAMES_H
#define KEEL_FRAMES_H

#include <keel/range.h>
#include <keel/types.h>

enum frame_role {
	FRAME_NONE = 0, /* not the pager's: kernel, firmware, not RAM */
	FRAME_USER,	/* free RAM the pager owns: mappable, donatable */
	/*
	 * Part of a boot module: mappable read-only.  A module's last, partial
	 * page may hold other boot data (GRUB puts the Multiboot2 information
	 * right after a module).
	 */
	FRAME_MODULE,
	FRAME_KERNEL, /* donated to the kernel for objects: neither */
};

#define FRAMES_MAX_RUNS 1024

struct frames {
	struct range user[FRAMES_MAX_RUNS]; /* sorted, disjoint; all page-aligned */
	size_t nuser;
	struct range module[64]; /* sorted, disjoint */
	size_t nmodule;
	struct range donated[FRAMES_MAX_RUNS]; /* sorted, disjoint, within user */
	size_t ndonated;
};

enum frames_error {
	FRAMES_OK = 0,
	FRAMES_EINVAL = -1,   /* unaligned, empty or wrapping range */
	FRAMES_ENOTUSER = -2, /* not entirely free RAM of the pager */
	FRAMES_EBUSY = -3,    /* overlaps a donated run (donate), or is not one (reclaim) */
	FRAMES_EFULL = -4,    /* no room for another run */
};

/*
 * Start from the pager's free ranges and the modules (each sorted and
 * disjoint; page-aligned; the function trims partial pages inwards).  The
 * two lists must not overlap each other (the boot allocator never frees a
 * module's frames, so its free list cannot).
 * Returns FRAMES_OK or FRAMES_EFULL (too many ranges: the rest are left
 * out, which only makes the kernel stricter).
 */
int frames_init(struct frames *f, const struct range *user, size_t nuser,
		const struct range *modules, size_t nmodules);

/* The role of the frame holding physical address pa. O(log runs). */
enum frame_role frames_role(const struct frames *f, u64 pa);

/*
 * The pager donates [base, base+size) to the kernel: it must be entirely
 * FRAME_USER.  Afterwards those frames are FRAME_KERNEL.
 */
int frames_donate(struct frames *f, u64 base, u64 size);
/* Would frames_donate succeed?  The same result, and nothing changes. */
int frames_can_donate(const struct frames *f, u64 base, u64 size);
/* The end of the run of the pager's RAM holding pa, or 0 if none does. */
u64 frames_user_end(const struct frames *f, u64 pa);
/* The end of the boot module holding pa, or 0 if none does. */
u64 frames_module_end(const struct frames *f, u64 pa);
/* Where the user run holding pa starts (0 if none does). */
u64 frames_user_base(const struct frames *f, u64 pa);

/*
 * The kernel gives back exactly one donated run (the caller has checked
 * that no object lives in it): its frames are FRAME_USER again.
 */
int frames_reclaim(struct frames *f, u64 base, u64 size);
/* Is [base, base+size) exactly one donated run? */
bool frames_is_donation(const struct frames *f, u64 base, u64 size);

#endif
