/*
 * uspace.h - the user address space: where everything the kernel, the
 * pager and the user library put at a fixed place in a user address space
 * lives.  The single source of truth for the lower half, as
 * kernel/include/keel/layout.h is for the kernel half.
 *
 * Read by the kernel's first-program loader (kernel/core/root.c), the user
 * library (spawn.c, thread.c, mem.c, pagerc.c), the pager, the tests, the
 * user linker scripts (user/user.ld.S and the programs' own .ld.S, run
 * through cpp) and the generator of the user table in
 * docs/memory-layout.md (tools/gen_layout_doc.c).
 *
 * Two kinds of address space share this map.  The root (the first
 * program: the pager, or coretest in test boots) is loaded by the kernel
 * and manages its own space: the rows marked "root".  Every other process
 * is spawned by a root (user/lib/spawn.c) and is its client: the rows
 * marked "client".  Rows marked "every" are the same in both.
 *
 *   KEEL_USER_TOP      0x00007ffffffff000 +-----------------------------------+
 *                                         | every: guard page, left unmapped  | 4 KB
 *   PROG_STACK_TOP     0x00007fffffffe000 +-----------------------------------+
 *                                         | every: the first thread's stack   | 16 KB
 *   PROG_STACK_BASE    0x00007fffffffa000 +-----------------------------------+
 *                                         | (unmapped)                        |
 *                      0x00007ffffff01000 +-----------------------------------+
 *                                         | client: its IPC buffer            | 4 KB
 *   PROG_IPC_BUF       0x00007ffffff00000 +-----------------------------------+
 *                                         | (free: segments may go here too)  |
 *                      0x00007f0000011000 +-----------------------------------+
 *                                         | root: its IPC buffer              | 4 KB
 *   ROOT_IPC_BUF       0x00007f0000010000 +-----------------------------------+
 *                                         | root: boot information, read-only | 64 KB
 *   BOOTINFO_VADDR     0x00007f0000000000 +-----------------------------------+
 *                                         | (free)                            |
 *   PAGER_SHARE_TOP    0x0000480000000000 +-----------------------------------+
 *                                         | client: shared-in window, 8 x 1 TB| 8 TB
 *   PAGER_SHARE_BASE   0x0000400000000000 +-----------------------------------+
 *                                         | client: allocations the pager     | 63 TB
 *                                         | places, upwards                   |
 *   PAGER_CHOSEN_BASE  0x0000010000000000 +-----------------------------------+
 *                                         | (free: allocations at fixed       |
 *                                         |  addresses)                       |
 *                      0x0000000400000000 +-----------------------------------+
 *                                         | root: coretest's hand-made maps   | 4 GB
 *   ROOT_TEST_BASE     0x0000000300000000 +-----------------------------------+
 *                                         | (unmapped)                        |
 *                      0x0000000201000000 +-----------------------------------+
 *                                         | root: thread slots, 256 x 64 KB   | 16 MB
 *   ROOT_THREADS_BASE  0x0000000200000000 +-----------------------------------+
 *                                         | (unmapped)                        |
 *                      0x0000000181000000 +-----------------------------------+
 *                                         | root: frame allocator's nodes     | 16 MB
 *   ROOT_NODES_BASE    0x0000000180000000 +-----------------------------------+
 *                                         | (unmapped)                        |
 *                      0x0000000100400000 +-----------------------------------+
 *                                         | root: scratch window              | 4 MB
 *   ROOT_SCRATCH_BASE  0x0000000100000000 +-----------------------------------+
 *                                         | every: the program's image        |
 *   PROG_LOAD_BASE     0x0000000000400000 +-----------------------------------+
 *                                         | (unmapped; page 0 never is)       | 4 MB
 *                      0x0000000000000000 +-----------------------------------+
 *
 * Everything not listed stays unmapped until a program maps it (the root)
 * or asks the pager for it (a client).  Every constant below says why it
 * has its value; the checks at the end keep the regions in this order,
 * page-aligned and apart.
 */
#ifndef ABI_USPACE_H
#define ABI_USPACE_H

#include <abi/page.h>

/* --- Every address space ----------------------------------------------- */

/*
 * The first address that is never user memory: one page below the end of
 * the lower canonical half (2^47).  SYSRET to a non-canonical RIP faults
 * in ring 0 on Intel CPUs, and a SYSCALL at the very end of the half
 * would return to 2^47; so that last page is never mapped, and the
 * kernel's exit takes SYSRET only below KEEL_USER_TOP (docs/design-core.md,
 * "The SYSRET hazard").
 */
#define KEEL_USER_TOP	       KEEL_UL(0x00007ffffffff000)

/*
 * The first thread's stack, the same for the root (the kernel maps it)
 * and for every client (spawn maps it): 16 KB, its top one page below
 * KEEL_USER_TOP.  The page between stays unmapped, so a stack underflow
 * faults; unt (a test) maps its last instruction there on purpose.  RSP
 * at entry is PROG_STACK_TOP, 16-byte aligned as the ABI wants.
 */
#define PROG_STACK_TOP	       (KEEL_USER_TOP - KEEL_PAGE_SIZE)
#define PROG_STACK_SIZE	       (KEEL_UL(16) << 10)
#define PROG_STACK_BASE	       (PROG_STACK_TOP - PROG_STACK_SIZE)

/*
 * Where programs are linked (user/user.ld.S): 4 MB, so that the first
 * 4 MB stay unmapped and a NULL pointer with any small offset faults
 * (the loaders refuse page 0 itself).
 */
#define PROG_LOAD_BASE	       KEEL_UL(0x400000)

/* --- Clients (spawned by the root, user/lib/spawn.c) ------------------- */

/*
 * A client's IPC buffer: one page, about 1 MB below the stack, far from
 * any image and from everything the pager places.
 */
#define PROG_IPC_BUF	       KEEL_UL(0x7ffffff00000)
/*
 * At a client's start its IPC buffer holds PROG_ARGS_MAGIC (8 bytes)
 * and then its argument line, NUL-terminated (PAGER_SPAWN,
 * include/abi/pager.h), until its first IPC overwrites it.
 */
#define PROG_ARGS_MAGIC	       KEEL_UL(0x5347524120204b4c) /* "LK  ARGS" in memory */

/*
 * PAGER_ALLOC with va 0: the pager places allocations from 1 TB upwards
 * (a page apart), far above any image, below the shared-in window.
 */
#define PAGER_CHOSEN_BASE      KEEL_UL(0x10000000000)

/*
 * The shared-in window (PAGER_SHARE, include/abi/pager.h): memory other
 * processes share into a client goes here, and its own allocations never
 * do.  64 TB, the middle of the half; 8 TB, one PAGER_MAX_ALLOC (1 TB)
 * slice per PAGER_MAX_SHARED_IN entry (pager.h checks the product).
 */
#define PAGER_SHARE_BASE       KEEL_UL(0x400000000000)
#define PAGER_SHARE_SIZE       (KEEL_UL(8) << 40)
#define PAGER_SHARE_TOP	       (PAGER_SHARE_BASE + PAGER_SHARE_SIZE)

/* --- The root (the first program, loaded by kernel/core/root.c) -------- */

/*
 * The boot information (include/abi/bootinfo.h), read-only, at most
 * BOOTINFO_MAX_PAGES; its address is also main's first argument.  Near
 * the top, far from the image: the kernel refuses a root whose segments
 * reach it.
 */
#define BOOTINFO_VADDR	       KEEL_UL(0x7f0000000000)
#define BOOTINFO_MAX_PAGES     16
#define BOOTINFO_END	       (BOOTINFO_VADDR + BOOTINFO_MAX_PAGES * KEEL_PAGE_SIZE)

/* The root's IPC buffer: the page right after the largest boot information. */
#define ROOT_IPC_BUF	       BOOTINFO_END

/*
 * The scratch window (user/lib/mem.c): frames the root fills or reads
 * (zeroing them, reading a boot module) are mapped here for a moment.
 * At 4 GB, above any image; 1024 pages (4 MB), which bounds the size of
 * a module the root can spawn (it reads a module through it whole).
 */
#define ROOT_SCRATCH_BASE      KEEL_UL(0x100000000)
#define ROOT_SCRATCH_PAGES     1024
#define ROOT_SCRATCH_SIZE      (ROOT_SCRATCH_PAGES * KEEL_PAGE_SIZE)

/*
 * The frame allocator's node arena (user/lib/mem.c): pages of free-block
 * nodes the root maps as it needs them, from its start, and unmaps from
 * its end when they fit in fewer (falloc_pool_trim).  2 GB after the
 * scratch window; at most 4096 pages (16 MB of nodes).
 */
#define ROOT_NODES_BASE	       KEEL_UL(0x180000000)
#define ROOT_NODES_PAGES       4096
#define ROOT_NODES_SIZE	       (ROOT_NODES_PAGES * KEEL_PAGE_SIZE)

/*
 * Threads in the root's own space (user/lib/thread.c): slot n is the
 * 64 KB at ROOT_THREADS_BASE + n * ROOT_THREAD_SLOT_SIZE: its IPC buffer
 * page, a guard page, its 16 KB stack, and unmapped pages up to the next
 * slot, so an overflow in either direction faults.
 */
#define ROOT_THREADS_BASE      KEEL_UL(0x200000000)
#define ROOT_THREAD_SLOT_SIZE  KEEL_UL(0x10000)
#define ROOT_THREAD_SLOTS      256
#define ROOT_THREAD_BUF_OFF    0
#define ROOT_THREAD_STACK_OFF  (2 * KEEL_PAGE_SIZE)
#define ROOT_THREAD_STACK_SIZE (KEEL_UL(16) << 10)
#define ROOT_THREADS_END       (ROOT_THREADS_BASE + ROOT_THREAD_SLOTS * ROOT_THREAD_SLOT_SIZE)

/*
 * Free for the root to map by hand: coretest (user/coretest/ct.h) maps
 * and unmaps test pages here, and keeps part of it never mapped.  4 GB
 * at 12 GB, after the thread slots.
 */
#define ROOT_TEST_BASE	       KEEL_UL(0x300000000)
#define ROOT_TEST_SIZE	       (KEEL_UL(4) << 30)

#ifndef __ASSEMBLER__

/*
 * The regions as a table, in address order, for the generated table in
 * docs/memory-layout.md.  X(name, base, size, whose, what)
 */
#define USPACE_REGIONS(X)                                                                        \
	X("image", PROG_LOAD_BASE, ROOT_SCRATCH_BASE - PROG_LOAD_BASE, "every",                  \
	  "the program's segments (linked at PROG_LOAD_BASE); the kernel refuses a first "       \
	  "program that reaches past it")                                                        \
	X("scratch", ROOT_SCRATCH_BASE, ROOT_SCRATCH_SIZE, "root",                               \
	  "frames mapped for a moment to fill or read them")                                     \
	X("nodes", ROOT_NODES_BASE, ROOT_NODES_SIZE, "root", "the frame allocator's node arena") \
	X("threads", ROOT_THREADS_BASE, ROOT_THREADS_END - ROOT_THREADS_BASE, "root",            \
	  "thread slots of 64 KB: IPC buffer, guard page, 16 KB stack")                          \
	X("test", ROOT_TEST_BASE, ROOT_TEST_SIZE, "root", "coretest's hand-made mappings")       \
	X("chosen", PAGER_CHOSEN_BASE, PAGER_SHARE_BASE - PAGER_CHOSEN_BASE, "client",           \
	  "allocations the pager places (PAGER_ALLOC with va 0)")                                \
	X("shared-in", PAGER_SHARE_BASE, PAGER_SHARE_SIZE, "client",                             \
	  "memory shared into the process (PAGER_SHARE)")                                        \
	X("bootinfo", BOOTINFO_VADDR, BOOTINFO_END - BOOTINFO_VADDR, "root",                     \
	  "the boot information, read-only")                                                     \
	X("root IPC buffer", ROOT_IPC_BUF, KEEL_PAGE_SIZE, "root", "the root's IPC buffer")      \
	X("IPC buffer", PROG_IPC_BUF, KEEL_PAGE_SIZE, "client", "a client's IPC buffer")         \
	X("stack", PROG_STACK_BASE, PROG_STACK_SIZE, "every", "the first thread's stack")        \
	X("guard", PROG_STACK_TOP, KEEL_USER_TOP - PROG_STACK_TOP, "every",                      \
	  "left unmapped by the loaders: a stack underflow faults")

/* --- Compile-time checks on the map ------------------------------------ */

#define USPACE_ALIGNED(x, a) (((x) & ((a)-1)) == 0)

/* Every region is whole pages. */
#define USPACE_PAGES(name, base, size, whose, what)              \
	_Static_assert(USPACE_ALIGNED(base, KEEL_PAGE_SIZE) &&   \
			   USPACE_ALIGNED(size, KEEL_PAGE_SIZE), \
		       "user region " name " is whole pages");
USPACE_REGIONS(USPACE_PAGES)
#undef USPACE_PAGES

/* The top: one page below 2^47, the end of the lower canonical half. */
_Static_assert(KEEL_USER_TOP == (KEEL_UL(1) << 47) - KEEL_PAGE_SIZE,
	       "the last page of the lower half is never user memory");
_Static_assert(USPACE_ALIGNED(PROG_STACK_TOP, 16), "RSP at entry is 16-byte aligned");

/* In address order, apart (each end at or below the next start). */
_Static_assert(KEEL_PAGE_SIZE <= PROG_LOAD_BASE, "page 0 is never mapped");
_Static_assert(PROG_LOAD_BASE < ROOT_SCRATCH_BASE, "image / scratch window");
_Static_assert(ROOT_SCRATCH_BASE + ROOT_SCRATCH_SIZE <= ROOT_NODES_BASE,
	       "scratch window / node arena overlap");
_Static_assert(ROOT_NODES_BASE + ROOT_NODES_SIZE <= ROOT_THREADS_BASE,
	       "node arena / thread slots overlap");
_Static_assert(ROOT_THREADS_END <= ROOT_TEST_BASE, "thread slots / test range overlap");
_Static_assert(ROOT_TEST_BASE + ROOT_TEST_SIZE <= PAGER_CHOSEN_BASE,
	       "test range / chosen allocations overlap");
_Static_assert(PAGER_CHOSEN_BASE < PAGER_SHARE_BASE, "chosen allocations / shared-in window");
_Static_assert(PAGER_SHARE_TOP <= BOOTINFO_VADDR, "shared-in window / boot information overlap");
_Static_assert(ROOT_IPC_BUF + KEEL_PAGE_SIZE <= PROG_IPC_BUF,
	       "root IPC buffer / client IPC buffer overlap");
_Static_assert(PROG_IPC_BUF + KEEL_PAGE_SIZE <= PROG_STACK_BASE, "IPC buffer / stack overlap");
_Static_assert(PROG_STACK_TOP < KEEL_USER_TOP, "a guard page above the stack");

/* Inside a root thread slot: buffer, guard page, stack, guard page. */
_Static_assert(ROOT_THREAD_BUF_OFF + KEEL_PAGE_SIZE < ROOT_THREAD_STACK_OFF,
	       "a guard page between a thread's IPC buffer and its stack");
_Static_assert(ROOT_THREAD_STACK_OFF + ROOT_THREAD_STACK_SIZE < ROOT_THREAD_SLOT_SIZE,
	       "a guard page above a thread's stack");
_Static_assert(USPACE_ALIGNED(ROOT_THREAD_SLOT_SIZE, KEEL_PAGE_SIZE) &&
		   USPACE_ALIGNED(ROOT_THREAD_STACK_OFF + ROOT_THREAD_STACK_SIZE, 16),
	       "thread slots and stack tops aligned");
_Static_assert(ROOT_SCRATCH_PAGES % 64 == 0 && ROOT_THREAD_SLOTS % 64 == 0,
	       "the scratch window and thread slots are tracked in 64-bit words");

/* The shared-in window is handed out in PAGER_MAX_ALLOC (1 TB) slices. */
_Static_assert(USPACE_ALIGNED(PAGER_SHARE_BASE, KEEL_UL(1) << 40) &&
		   USPACE_ALIGNED(PAGER_SHARE_SIZE, KEEL_UL(1) << 40),
	       "the shared-in window is whole 1 TB slices");

#endif /* !__ASSEMBLER__ */

#endif /* ABI_USPACE_H */
