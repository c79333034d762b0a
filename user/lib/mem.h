/*
 * mem.h - memory for the root program (the pager): the free RAM from the
 * boot information, kernel-object frames from donated chunks, mapping with
 * the page and count tables the kernel asks for, and a scratch window in
 * the root's own address space to fill frames through (ROOT_SCRATCH_* in
 * include/abi/uspace.h, with the node arena, ROOT_NODES_*).
 *
 * Every frame here is named by its offset in the root's memory
 * capability (mem_cap(), bootinfo's `memory`).  That capability has base
 * 0, so the offsets are the physical addresses of the boot information's
 * ranges, and a frame is a plain number, with no capability of its own.
 *
 * Not thread-safe: only one thread (the root's main thread) may allocate.
 * A pool marked `fixed` never donates, so another thread may take frames
 * from it (and only it) while the main thread allocates elsewhere.
 */
#ifndef USER_MEM_H
#define USER_MEM_H

#include "keel.h"
#include <abi/bootinfo.h>
#include <abi/syscall.h>
#include <stddef.h>

#define CHUNK_SIZE   ((unsigned long)KMEM_CHUNK)
#define KPOOL_CHUNKS 16
#define KPOOL_FREE   64

/* Frames for kernel objects, from chunks this pool donated. */
struct kpool {
	unsigned long chunks[KPOOL_CHUNKS];
	int nchunks;
	unsigned long next, end; /* unused frames of the newest chunk */
	unsigned long free[KPOOL_FREE];
	int nfree;
	int fixed;	      /* never donates by itself (see kpool_grow) */
	struct kpool *counts; /* where count tables come from (0: this pool) */
	long error;	      /* the last failed donation's error */
};

/* The root's own pool: its page tables, the count tables, long-lived objects. */
extern struct kpool root_pool;

/*
 * Take over the free RAM listed in bi (and donate root_pool's first
 * chunk); record the root's memory and address-space capabilities.
 */
long mem_init(const struct bootinfo *bi);
/* The slot of the root's own address-space capability. */
unsigned long mem_self_as(void);
/* The slot of the root's memory capability, in which every frame here is an offset. */
unsigned long mem_cap(void);
/* Free RAM taken over by mem_init (bytes: the ranges, less frame 0). */
unsigned long mem_managed_bytes(void);
/* The allocator's own pages (its node arena), in bytes. */
unsigned long mem_bookkeeping_bytes(void);
/*
 * A physically contiguous run of at least `bytes`, aligned to its size (a
 * power of two pages), or 0.  Give it back whole (run_free) or a frame at
 * a time (frame_free).
 */
unsigned long run_alloc(unsigned long bytes);
/* [base, base + pages frames) back, as the largest aligned blocks it holds. */
void run_free(unsigned long base, unsigned long pages);
/* Free RAM left (bytes). */
unsigned long mem_free_bytes(void);

/* Does a map's error mean a page table or count table is missing (which map_page supplies)? */
int asks_for_tables(long r);
/* A 4 KB frame of the pager's RAM (never in a chunk that is donated), or 0. */
unsigned long frame_alloc(void);
/* The same, zeroed through the scratch window. */
unsigned long frame_alloc_zeroed(void);
void frame_free(unsigned long frame);
/* Is the frame in frame_alloc's cache (free, not handed out)?  (Tests.) */
int mem_frame_cached(unsigned long frame);
/* Zero a frame through the scratch window. */
long frame_zero(unsigned long frame);
/*
 * Free n frames (0s skipped) a run at a time: physically contiguous
 * neighbours in the list, going up or down, go back as whole blocks.
 */
void frames_free(const unsigned long *frames, unsigned long n);

/* A free KMEM_CHUNK-aligned chunk of the pager's RAM with no mapping, or 0. */
unsigned long chunk_alloc(void);
void chunk_free(unsigned long chunk);

void kpool_init(struct kpool *p, struct kpool *counts);
/* Donate one more chunk to the pool (through mem_cap()): 0 or -error. */
long kpool_grow(struct kpool *p);
/* A free object frame (donating a chunk if needed and allowed), or 0. */
unsigned long kpool_get(struct kpool *p);
/* A frame whose object was destroyed, for reuse. */
void kpool_put(struct kpool *p, unsigned long frame);
/*
 * Reclaim every chunk (each must hold no object, and no capability may
 * name one, stale or not): 0 or the first error.  A chunk that a stale
 * capability still keeps (KEEL_EBUSY) is tried again at every later
 * release, so it comes back once its holder deletes it or ends.
 */
long kpool_release(struct kpool *p);
/* Chunks waiting for that (for tests and statistics). */
unsigned long mem_pending_chunks(void);
/* Try them again now (each release does too): a holder may have deleted its copy since. */
void mem_pending_retry(void);

/*
 * SYS_MAP of `frame` (an offset in mem_cap()) at va in the address space
 * whose capability is in slot `as`, supplying the page tables (from
 * `tables`) and the count table (from tables->counts) the kernel asks
 * for.  0 or -error.
 */
long map_page(struct kpool *tables, unsigned long as, unsigned long va, unsigned long frame,
	      unsigned long rights);
/*
 * map_page for `pages` contiguous frames from frame, at va on, in one
 * SYS_MAP_RANGE (tables and count tables supplied as for map_page).
 */
long map_range(struct kpool *tables, unsigned long as, unsigned long va, unsigned long frame,
	       unsigned long pages, unsigned long rights);

/* Map `pages` consecutive frames from `frame` in the scratch window: the address, or 0. */
void *scratch_map_run(unsigned long frame, size_t pages, unsigned long rights);
void *scratch_map(unsigned long frame, unsigned long rights);
/* Unmap what scratch_map_run mapped. */
void scratch_unmap(void *va, size_t pages);

/*
 * SYS_DESTROY of the object in `slot`, retried (after a yield) while it
 * says KEEL_EBUSY, a bounded number of times.  On success the slot is
 * empty and given back (cslot_free); on error it still holds the
 * capability.  0 or -error.
 */
long destroy_retry(unsigned long slot);

#endif
