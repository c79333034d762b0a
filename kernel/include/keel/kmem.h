/*
 * kmem.h - kernel memory the pager donates, the objects in it, and the
 * checks that keep every frame in one role (kernel/mm/kmem.c; the design
 * is in docs/design-core.md, "Memory").
 *
 * The pager donates whole 2 MB chunks (KMEM_CHUNK).  The first frame of
 * each chunk is its header: the object type of each of its 512 frames
 * and a count of live objects.  Every kernel object (address space,
 * page table, thread, endpoint, count table) is one frame of a donated
 * chunk, named by its physical address.  The objects the kernel makes at
 * boot for the first program live in one chunk of boot memory, which is
 * the kernel's and never the pager's.
 *
 * User mappings of the pager's RAM are counted per chunk, so that a chunk
 * with a mapped frame cannot be donated.  The counts live in count tables
 * of 1024 chunks (2 GB) each, which the pager supplies on demand: memory
 * grows with what is mapped, not with RAM.  Only the root index, one
 * word per 2 GB of physical address space, comes from boot memory (256 KB
 * at 64 TB).
 */
#ifndef KEEL_KMEM_H
#define KEEL_KMEM_H

#include <abi/syscall.h>
#include <keel/types.h>

#define KMEM_CHUNK_FRAMES     (KMEM_CHUNK / PAGE_SIZE)
#define KMEM_COUNTS_PER_TABLE (PAGE_SIZE / sizeof(u32))

enum kobj_type {
	KOBJ_FREE = 0,
	KOBJ_HEADER,   /* a chunk's first frame */
	KOBJ_ASPACE,   /* struct aspace */
	KOBJ_TABLE,    /* a page table of an address space (any level) */
	KOBJ_THREAD,   /* struct thread */
	KOBJ_ENDPOINT, /* struct endpoint */
	KOBJ_COUNTS,   /* a count table */
	KOBJ_CSPACE,   /* an address space's capability space */
	KOBJ_NOTIFY,   /* struct notify */
};

/* What a physical frame is, for the checks of the memory calls. */
enum kmem_class {
	KMEM_NOTRAM,  /* not RAM */
	KMEM_KERNEL,  /* RAM the kernel keeps (image, tables, per-CPU, boot objects) */
	KMEM_MODULE,  /* a boot module: mappable without write */
	KMEM_USER,    /* the pager's RAM */
	KMEM_DONATED, /* donated to the kernel */
};

struct bootmem;
/* At boot: the count index, and the chunk for the boot objects. */
const char *kmem_init(struct bootmem *bm);
/* At boot: the next free frame of the boot chunk; or made an object. */
u64 kmem_boot_frame(void);
/* Frames of the boot chunk not yet handed out. */
u64 kmem_boot_frames_left(void);
/* A mark of the boot chunk's use, and giving back every frame taken since (a refused first program). */
u64 kmem_boot_mark(void);
/* Kernel objects alive now, of every type (KEEL_INFO_KMEM). */
u64 kmem_live_objects(void);
void kmem_boot_rewind(u64 mark);
u64 kmem_boot_object(enum kobj_type type);

enum kmem_class kmem_classify(u64 pa);
/* The error for a frame of class c where it will not do: ENOTRAM, EKERNEL or EROLE. */
long kmem_class_error(enum kmem_class c);

/*
 * 0 if pa is a free frame of a donated chunk (or the boot chunk when
 * `boot` is set), else -KEEL_EINVAL (not page-aligned), -KEEL_ENOTRAM,
 * -KEEL_EKERNEL or -KEEL_EROLE.
 */
long kmem_check_free(u64 pa);

/* Make a checked free frame an object (zeroed); returns its address. */
void *kmem_object_make(u64 pa, enum kobj_type type);
/* The object of `type` at pa, or NULL. */
void *kmem_object_get(u64 pa, enum kobj_type type);
/* The frame at pa is free again (its contents are poisoned). */
void kmem_object_free(u64 pa);
/* The physical address of an object pointer. */
u64 kmem_object_phys(const void *obj);

/*
 * Capabilities name objects by pointer and generation (keel/cap.h).  A
 * generation is never 0 and never given twice, so a capability to a
 * destroyed object stays stale even when its frame holds a new object.
 * Each capability, live or stale, is counted in its object's chunk: a
 * chunk with one cannot be reclaimed, so a stale capability never points
 * into memory that user space got back.
 */
u64 kmem_gen_new(void);
/* The end of the highest RAM: the first program's memory capability covers [0, it). */
u64 kmem_phys_top(void);
void kmem_cap_ref(const void *obj);
void kmem_cap_unref(const void *obj);

/* Donation and count tables by physical address (checks first, then changes). */
long kmem_donate(u64 base, u64 size);
long kmem_reclaim(u64 base, u64 size);
long kmem_supply_counts(u64 pa, u64 frame);
/* The system calls: the same, in a memory capability (keel/cap.h). */
struct cap;
struct sysreq; /* keel/decode.h */
struct thread;
long sys_kmem_donate(struct thread *cur, const struct sysreq *rq);
long sys_kmem_reclaim(struct thread *cur, const struct sysreq *rq);
long sys_kmem_counts(struct thread *cur, const struct sysreq *rq);

/*
 * A user mapping of pa is made or removed.  kmem_map_ref: 0, or
 * -KEEL_ENOCOUNT (no count table for pa) or -KEEL_EBUSY (count full).
 * Frames that are not the pager's RAM are not counted (they never change
 * role).
 */
long kmem_map_ref(u64 pa);
/* 0 if all of [pa, pa + size) is the pager's RAM (KMEM_USER), else its error. */
long kmem_check_user_range(u64 pa, u64 size);
/* 0 if all of [pa, pa + size) is boot modules (KMEM_MODULE), else its error. */
long kmem_check_module_range(u64 pa, u64 size);
/* One user mapping more of each frame of [pa, pa + pages), all KMEM_USER: 0, or
 * ENOCOUNT or EBUSY with nothing counted. */
long kmem_map_ref_range(u64 pa, u64 pages);
/* One user mapping more of each of the n KMEM_CHUNKs from pa (a 1 GB page): as above. */
long kmem_map_ref_chunks(u64 pa, u64 n);
/*
 * How far from pa every frame is the pager's RAM as pa is (the end of its
 * run, or of its KMEM_CHUNK: donations are whole chunks), so that
 * kmem_map_unref_user may drop their counts without classifying each
 * again.  pa itself if pa is not KMEM_USER.
 */
u64 kmem_user_run_end(u64 pa);
/* n user mappings fewer of frames in pa's KMEM_CHUNK, all KMEM_USER. */
void kmem_map_unref_user(u64 pa, u64 n);
/* The same, for a frame the caller has just classified (one lookup a call). */
long kmem_map_ref_class(u64 pa, enum kmem_class c);
void kmem_map_unref(u64 pa);

/* For tests and the report. */
u64 kmem_donated_bytes(void);
u64 kmem_count_index_bytes(void);
u64 kmem_boot_bytes(void); /* taken from boot memory: the index and the boot chunk */

#endif
