/*
 * syscall.h - the system-call ABI, shared by the kernel and user programs.
 * User space builds against include/abi only; the kernel never includes
 * anything from user/.  docs/design-core.md explains the model.
 *
 * A system call is the `syscall` instruction with the number in RAX and
 * up to six arguments in RDI, RSI, RDX, R10, R8, R9 (RCX and R11 are
 * taken by the instruction itself: they hold the return RIP and RFLAGS,
 * and are not preserved).  The result comes back in RAX: >= 0 on success,
 * a negated KEEL_E* error code otherwise.  Every other register is kept,
 * except that the IPC calls that receive a message return it in RDI, RSI,
 * RDX, R10, R8 and R9 (see "IPC" below).
 *
 * Objects.  Address spaces, threads, endpoints and page tables live in
 * frames the caller donated to the kernel (SYS_KMEM_DONATE).  A process
 * names every object by a capability: the index of a slot in its
 * capability space (see "Capabilities"), never by an address.  Memory is
 * a capability too: a range of physical memory, in which frames are
 * named by their offset.  There is no ambient authority: what a process
 * may do is exactly what its capabilities allow.  Every call checks all
 * its arguments before it changes anything.
 */
#ifndef ABI_SYSCALL_H
#define ABI_SYSCALL_H

#include <abi/uspace.h> /* KEEL_USER_TOP, and the rest of the user address map */

/*
 * The numbers.  Capability arguments are slot indexes: "mem" a memory
 * capability, "as" an address space, "th" a thread, "ep" an endpoint;
 * "dst" an empty slot of the caller's space that receives a new
 * capability; "off" an offset in mem.  The right each needs is in
 * brackets (the table in kernel/core/syscall.c says the same).
 */
#define SYS_DEBUG_WRITE		  0 /* (const char *buf, len): queue text for the console */
#define SYS_EXIT		  1 /* (long code): end this thread; its pager gets an exit message */
#define SYS_YIELD		  2 /* (): give up the rest of the time slice */
#define SYS_INFO		  3 /* (what): a KEEL_INFO_* value */
#define SYS_KMEM_DONATE		  4 /* (mem[KMEM], off, size): give RAM to the kernel for objects */
#define SYS_KMEM_RECLAIM	  5 /* (mem[KMEM], off, size): take back a donation with no objects */
#define SYS_KMEM_COUNTS		  6 /* (mem[KMEM], off, frame_off): a frame-count table for off */
#define SYS_AS_CREATE		  7 /* (mem[KMEM], obj_off, pml4_off, cspace_off, dst) */
#define SYS_MAP			  8 /* (as[MAP], va, mem[the map rights], off, rights) */
#define SYS_UNMAP		  9 /* (as[MAP], va, mem or KEEL_CAP_NONE): the frame's offset in mem */
#define SYS_SUPPLY_TABLE	  10 /* (as[MAP], va, level, mem[KMEM], off) */
#define SYS_THREAD_CREATE	  11 /* (mem[KMEM], tcb_off, as[THREAD], buf_off, badge, dst) */
#define SYS_THREAD_CONFIG	  12 /* (th[CONFIG], priority, cpu, pager ep[SEND] or KEEL_CAP_NONE) */
#define SYS_THREAD_START	  13 /* (th[START], rip, rsp, arg) */
#define SYS_ENDPOINT_CREATE	  14 /* (mem[KMEM], off, dst) */
#define SYS_DESTROY		  15 /* (slot[DESTROY]): the object goes, its frames free again */
#define SYS_MEM_DERIVE		  16 /* (mem, off, size, rights, dst): a part, with fewer rights */
#define SYS_CAP_INFO		  17 /* (slot): KEEL_CAP_TYPE(r), KEEL_CAP_RIGHTS(r) */
#define SYS_SEND		  18 /* (ep[SEND], tag, w0, w1, w2, w3) */
#define SYS_RECV		  19 /* (ep[RECV]) */
#define SYS_CALL		  20 /* (ep[SEND], tag, w0, w1, w2, w3) */
#define SYS_REPLY_RECV		  21 /* (ep[RECV], tag, w0, w1, w2, w3): reply, then receive */
#define SYS_DEBUG_TEST		  22 /* (name, result, why): one TAP line (test boots only) */
#define SYS_SLEEP		  23 /* (ticks): block for that many timer ticks (0: yield) */
#define SYS_LOOKUP		  24 /* (as[MAP], va, mem): the offset in mem of the frame mapped there */
#define SYS_CAP_COPY		  25 /* (src, space, dst, rights, badge): copy with fewer rights */
#define SYS_CAP_DELETE		  26 /* (space, slot): empty a slot */
#define SYS_CAP_LANDING		  27 /* (slot0, slot1): where capabilities sent to this thread land */
#define SYS_UNMAP_RANGE		  28 /* (as[MAP], va, pages, mem or KEEL_CAP_NONE): frames to the buffer */
#define SYS_MAP_RANGE		  29 /* (as[MAP], va, mem[the map rights], off, pages, rights) */
#define SYS_NOTIFY_CREATE	  30 /* (mem[KMEM], off, dst) */
#define SYS_SIGNAL		  31 /* (nt[SIGNAL]): set the capability's bits; never blocks */
#define SYS_WAIT		  32 /* (nt[WAIT], flags): take the bits set, waiting for one */
#define SYS_NOTIFY_BIND		  33 /* (th[CONFIG], nt[WAIT] or KEEL_CAP_NONE): its receives take it too */
#define SYS_IO_DERIVE		  34 /* (io, first, count, dst): a part of an I/O port range */
#define SYS_IO_ENABLE		  35 /* (io[USE], as[MAP], first, count): the space may use those ports */
#define SYS_IRQ_DERIVE		  36 /* (irq, first, count, dst): a part of a range of interrupt lines */
#define SYS_IRQ_BIND		  37 /* (irq[BIND], line, nt[SIGNAL] or KEEL_CAP_NONE, mode): line signals nt */
#define SYS_IRQ_ACK		  38 /* (irq[BIND], line): handled; the line may interrupt again */
#define SYS_DEVICE_DERIVE	  39 /* (dev, off, size, rights, dst): a part of device memory */
#define SYS_MAP_DEVICE		  40 /* (as[MAP], va, dev[R], off, rights): a device page, uncached */
#define SYS_IRQ_STATUS		  41 /* (irq, line): interrupts taken on the line since boot */
#define SYS_COUNT		  42

/* Errors, returned negated. */
#define KEEL_OK			  0
#define KEEL_ENOSYS		  1  /* no such system call (or not in this boot) */
#define KEEL_EFAULT		  2  /* a pointer or range is not user memory */
#define KEEL_EINVAL		  3  /* an argument is out of range or misaligned */
#define KEEL_EPERM		  4  /* a capability lacks a right the call needs */
#define KEEL_ENOTRAM		  5  /* a frame is not RAM */
#define KEEL_EKERNEL		  6  /* a frame is the kernel's own (image, tables, per-CPU...) */
#define KEEL_EROLE		  7  /* a frame is in another role (object, donated, mapped) */
#define KEEL_EBADOBJ		  8  /* the capability is of another type than the call needs */
#define KEEL_EEXIST		  9  /* already mapped, table already present */
#define KEEL_ENOENT		  10 /* nothing mapped there; an empty capability slot */
#define KEEL_ENOPDPT		  11 /* SYS_MAP: supply a level-3 table (PDPT) for va */
#define KEEL_ENOPD		  12 /* SYS_MAP: supply a level-2 table (page directory) */
#define KEEL_ENOPT		  13 /* SYS_MAP: supply a level-1 table (page table) */
#define KEEL_ENOCOUNT		  14 /* SYS_MAP: supply a frame-count table for frame */
#define KEEL_EBUSY		  15 /* still in use (objects, threads, references); or retry */
#define KEEL_EFULL		  16 /* a kernel table is full (donated runs) */
#define KEEL_EDEAD		  17 /* the object was destroyed; or the partner went away during IPC */
/* Errors of the pager's protocol (include/abi/pager.h), never the kernel's. */
#define KEEL_EQUOTA		  18 /* over the process's memory quota */
#define KEEL_ENOMEM		  19 /* out of memory */
#define KEEL_ECOUNT		  20 /* number of error codes */

/*
 * Memory.  A memory capability names a range of physical memory [base,
 * base + size); a call names a frame in it by its offset (off), so a
 * frame costs nothing to name, however large the machine.  The first
 * program gets one capability for all of physical memory (base 0, so its
 * offsets are the physical addresses of the boot information's ranges),
 * with every right.  What a frame may be used for is still decided by the
 * frame itself: RAM only, never the kernel's own, a boot module never
 * writable.  Rights (KEEL_MEM_*): R, W, X to map frames with those
 * rights, KMEM to donate frames to the kernel and make objects in them.
 * - SYS_MEM_DERIVE(mem, off, size, rights, dst): a capability to the part
 *   [off, off + size) (page-aligned, inside mem) with `rights`, each of
 *   which mem must have (EPERM), into the empty slot dst.
 * - SYS_KMEM_DONATE(mem, off, size): off and size are multiples of
 *   KMEM_CHUNK; every frame must be the pager's free RAM, with no user
 *   mapping in any of its chunks.  The first frame of every chunk becomes
 *   the kernel's bookkeeping; the others can hold objects.
 * - SYS_KMEM_RECLAIM(mem, off, size): exactly one earlier donation, with
 *   no object left in it and no capability (live or stale) naming one.
 * - SYS_KMEM_COUNTS(mem, off, frame_off): the kernel counts the user
 *   mappings of the pager's RAM per KMEM_CHUNK, in tables of
 *   KMEM_COUNTS_SPAN bytes of physical memory each, which the pager
 *   supplies (frame_off: a free frame of a donation) when SYS_MAP says
 *   KEEL_ENOCOUNT for the frame at off.
 * - Objects (SYS_AS_CREATE, SYS_THREAD_CREATE, SYS_ENDPOINT_CREATE) are
 *   made in free frames of a donation, named by offset in a memory
 *   capability with KMEM; the caller gets a capability to the new object,
 *   with every right, in its empty slot dst.
 * - SYS_MAP(as, va, mem, off, rights): va page-aligned, below
 *   KEEL_USER_TOP; the frame at off RAM that is the pager's or a boot
 *   module's (modules: never writable); rights KEEL_MAP_*, R required,
 *   each of which mem must have; with KEEL_MAP_ZERO the kernel clears
 *   the frame first, through its own mapping of RAM (mem needs W, and the
 *   frame must be the pager's RAM: a module's is EROLE), so a pager need
 *   not map a frame to clear it.  A missing table is reported as
 *   KEEL_ENOPDPT / KEEL_ENOPD / KEEL_ENOPT and supplied with
 *   SYS_SUPPLY_TABLE(as, va, level 3/2/1, mem, off).  A 4 KB page, or a
 *   table, where a larger page is mapped is EEXIST.
 * - SYS_MAP with KEEL_MAP_LARGE maps one 2 MB page: va, off and the
 *   frame at off aligned to KEEL_LARGE_SIZE (else EINVAL), all of it below
 *   KEEL_USER_TOP (else EFAULT), all of [off, off + 2 MB) inside mem and
 *   the pager's RAM (modules and donated memory: EROLE), no page table or
 *   page at va's page-directory entry (EEXIST), the tables above it there
 *   (ENOPDPT, ENOPD).  It counts as 512 pages, and clears 2 MB with
 *   KEEL_MAP_ZERO.  SYS_LOOKUP inside it answers for the 4 KB frame at va;
 *   SYS_UNMAP inside it is EINVAL: it goes whole, with SYS_UNMAP_RANGE.
 * - KEEL_MAP_HUGE is the same for one 1 GB page at va's PDPT entry (no
 *   page directory there), where the CPU has 1 GB pages (else, or with
 *   KEEL_MAP_LARGE or KEEL_MAP_ZERO too, EINVAL: clearing 1 GB would hold
 *   every CPU up); it counts as 262,144 pages.  No range
 *   can hold it, so it goes whole with SYS_UNMAP at its first address
 *   (mem must hold all of it; EINVAL inside it, and for a SYS_UNMAP_RANGE
 *   that reaches it).
 * - SYS_UNMAP(as, va, mem) and SYS_LOOKUP(as, va, mem) return the frame
 *   as its offset in mem (KEEL_EPERM, and nothing changes, if mem does not
 *   hold it); SYS_UNMAP with KEEL_CAP_NONE returns 0, SYS_LOOKUP EINVAL.
 * - SYS_UNMAP_RANGE(as, va, pages, mem): SYS_UNMAP of each page of [va,
 *   va + pages * 4 KB) that is mapped (1 <= pages <= KEEL_UNMAP_MAX), with
 *   one TLB shoot-down for all of them.  Returns how many were mapped; with
 *   a memory capability, their frames' offsets in it are in the caller's
 *   IPC buffer, in address order (a u64 each; EINVAL without a buffer).  If
 *   mem does not hold one of them, EPERM and nothing is unmapped.  A 2 MB
 *   page counts as its 512 frames, and must lie wholly inside the range
 *   (EINVAL, and nothing is unmapped, if one is cut).
 * - SYS_MAP_RANGE(as, va, mem, off, pages, rights): SYS_MAP of `pages`
 *   physically contiguous frames, [off, off + pages * 4 KB) of mem, at [va,
 *   va + pages * 4 KB), as 4 KB pages (1 <= pages <= KEEL_MAP_RANGE_MAX).
 *   Every frame must be the pager's RAM, or every frame a boot module's
 *   mapped without W or ZERO, as with SYS_MAP (else EROLE); every entry free
 *   (EEXIST), every page table there (ENOPDPT, ENOPD, ENOPT for the first
 *   one missing, in address order), every frame's count table there
 *   (ENOCOUNT: the first or the last frame lacks one): all checked before
 *   anything is mapped.  KEEL_MAP_ZERO clears them all.
 */
#define KMEM_CHUNK		  (2ull << 20)
#define KMEM_COUNTS_SPAN	  (KMEM_CHUNK * 1024) /* 2 GB per count table */
#define KEEL_MAP_R		  1u
#define KEEL_MAP_W		  2u
#define KEEL_MAP_X		  4u
#define KEEL_MAP_ZERO		  8u  /* SYS_MAP: the kernel clears the frame first */
#define KEEL_MAP_LARGE		  16u /* SYS_MAP: one 2 MB page (KEEL_LARGE_SIZE) */
#define KEEL_MAP_HUGE		  32u /* SYS_MAP: one 1 GB page (KEEL_HUGE_SIZE), if the CPU has them */
#define KEEL_LARGE_SIZE		  (2ull << 20)
#define KEEL_HUGE_SIZE		  (1ull << 30)
#define KEEL_UNMAP_MAX		  (IPC_BUF_MAX / 8) /* pages in one SYS_UNMAP_RANGE */
#define KEEL_MAP_RANGE_MAX	  512		    /* pages in one SYS_MAP_RANGE */
#define KEEL_MEM_R		  KEEL_MAP_R	    /* may map its frames readable */
#define KEEL_MEM_W		  KEEL_MAP_W	    /* ... writable */
#define KEEL_MEM_X		  KEEL_MAP_X	    /* ... executable */
#define KEEL_MEM_KMEM		  8u		    /* may donate them and make objects in them */

/* SYS_INFO(what). */
#define KEEL_INFO_CPU		  0 /* the CPU this thread runs on */
#define KEEL_INFO_CPUS		  1 /* CPUs threads may be placed on: online or starting */
#define KEEL_INFO_FASTPATH	  2 /* IPCs that took the fast path, all CPUs */
#define KEEL_INFO_TICKS		  3 /* timer ticks on this CPU */
/* 4 and 5 are not used (they named an object's address and the old authority). */
#define KEEL_INFO_IPC_FAST	  6 /* calls and replies that took the IPC fast path, all CPUs */
#define KEEL_INFO_LOG		  7 /* bytes of the kernel's log not yet on the wire (user/serial) */
/*
 * Indexed values, for the shell's cpus, irq and layout: `what` is
 * KEEL_INFO_*(index).  KEEL_EINVAL past the last index.
 */
#define KEEL_INFO_CPU_TICKS	  8  /* (cpu): timer ticks that CPU took (any CPU slot) */
#define KEEL_INFO_CPU_IDLE	  9  /* (cpu): ... of them while it idled */
#define KEEL_INFO_IRQ_TAKEN	  10 /* (line): interrupts taken on that line since boot */
#define KEEL_INFO_IRQ_LOST	  11 /* (line): ... that found no notification bound */
/*
 * (region * 8 + field): the kernel's address-space regions, in address
 * order, as its boot log shows them (docs/memory-layout.md).  field:
 * 0 the start, 1 the size, 2 the bytes mapped now, 3-5 the pages mapped
 * (4 KB, 2 MB, 1 GB), 6-7 the name (16 bytes, NUL-padded, little-endian).
 * Fields 2-5 walk the kernel's page tables.
 */
#define KEEL_INFO_REGION	  12
/*
 * (n): kernel memory, for tests that must find it exactly as it was
 * (user/coretest/t_sysfuzz.c): 0 the bytes donated now, 1 the kernel
 * objects alive now (every type, the boot chunk's too).
 */
#define KEEL_INFO_KMEM		  13
#define KEEL_INFO_AT(what, index) ((unsigned long)(what) | (unsigned long)(index) << 16)

/*
 * Threads.  Priorities 0 (lowest) to THREAD_PRIO_MAX; each thread runs on
 * one CPU (its affinity); a time slice is THREAD_SLICE_TICKS timer ticks.
 * A new thread has priority THREAD_PRIO_DEFAULT, CPU 0, no pager, and is
 * not running until SYS_THREAD_START.  buf_off (KEEL_NO_BUFFER for none)
 * is the thread's IPC buffer, a frame of the same memory capability
 * (which needs R and W too): the pager's RAM, which it can also map for
 * the thread to use.  The badge is what receivers see as the sender.
 * Rights (KEEL_TH_*): CONFIG (priority, CPU, pager), START.
 */
#define THREAD_PRIO_MAX		  31
#define THREAD_PRIO_DEFAULT	  10
#define KEEL_NO_BUFFER		  (~0ul)
/*
 * The pager runs at THREAD_PRIO_SERVER, above every client: a client's
 * busy loop on its CPU cannot delay it, and a wake-up of it from another
 * CPU preempts at once.  init's services (the console, its driver, the
 * shell) run at THREAD_PRIO_SERVICE, above programs and below the pager,
 * for the same reason: a person's keys get through however busy programs
 * keep their CPU.  Clients cannot set priorities (only the holder of a
 * thread capability can); the pager starts them at the default, and a
 * service only when init asks (PAGER_SPAWN_SERVICE).
 */
#define THREAD_PRIO_SERVER	  20
#define THREAD_PRIO_SERVICE	  15
#define THREAD_SLICE_TICKS	  2
#define THREAD_SLEEP_MAX	  (100 * 3600) /* ticks: an hour at 100 Hz */

/*
 * Capabilities.  Each address space (process) has a capability space of
 * KEEL_CAP_SLOTS slots; its threads name a capability by its slot.  A
 * capability is an object, the rights its holder has there, and for an
 * endpoint a badge.  Types and rights:
 *   KEEL_CAP_MEMORY    KEEL_MEM_R, _W, _X, _KMEM         (a physical range)
 *   KEEL_CAP_ASPACE    KEEL_AS_MAP, _CAPS, _THREAD, KEEL_CAP_DESTROY
 *   KEEL_CAP_THREAD    KEEL_TH_CONFIG, _START, KEEL_CAP_DESTROY
 *   KEEL_CAP_ENDPOINT  KEEL_EP_SEND, _RECV, _GRANT, KEEL_CAP_DESTROY
 *   KEEL_CAP_NOTIFY    KEEL_NT_SIGNAL, _WAIT, KEEL_CAP_DESTROY
 *   KEEL_CAP_IOPORT    KEEL_IO_USE                       (a range of I/O ports)
 *   KEEL_CAP_IRQ       KEEL_IRQ_BIND                     (a range of interrupt lines)
 *   KEEL_CAP_DEVICE    KEEL_DEV_R, _W                    (physical memory that is not RAM)
 * A call through a slot fails with EINVAL (no such slot), ENOENT (empty),
 * EBADOBJ (another type), EPERM (a right missing) or EDEAD (the object was
 * destroyed), checked in that order.  A call checks its slot arguments
 * first, in the order of the arguments (those it uses, and then an
 * optional one or dst, which must be empty: EINVAL, EEXIST), then the
 * rest of its arguments, in order, and last what depends on the kernel's
 * state: a frame's role (ENOTRAM, EKERNEL, EROLE, or not free), a page
 * table, an object's state.  The first error found is the answer.
 *   SYS_CAP_INFO(slot): the type and rights of the capability there, as
 *     KEEL_CAP_TYPE(r) and KEEL_CAP_RIGHTS(r) (EDEAD if stale).
 *   SYS_CAP_COPY(src, space, dst, rights, badge): a copy of the caller's
 *     capability in src, with `rights` (each of which src must have:
 *     EPERM), into the empty slot dst (EEXIST if full) of `space`:
 *     KEEL_CAP_SELF for the caller's own, or an address space capability
 *     with KEEL_AS_CAPS.  badge 0 keeps src's; a non-zero badge mints a
 *     badged endpoint or notification capability from an unbadged one
 *     (else EINVAL; a notification badge is at most KEEL_NOTIFY_BITS).
 *     EINVAL also for rights 0 or rights the type does not have.
 *   SYS_CAP_DELETE(space, slot): empty the slot (ENOENT if it is); always
 *     possible, even when the object is gone.
 *   SYS_DESTROY(slot): destroy the object (needs KEEL_CAP_DESTROY, which a
 *     memory capability never has: EPERM) and
 *     empty the slot.  Every other capability to it fails with EDEAD from
 *     then on, at once, wherever it is; the kernel walks none of them.
 *     An address space with threads, the running thread itself, and an
 *     endpoint that is a thread's pager are EBUSY.  A donation that a
 *     stale capability still names cannot be reclaimed (EBUSY) until the
 *     capability is deleted.
 *
 * IPC.  A message is a tag, four words in registers and up to IPC_BUF_MAX
 * bytes copied from the start of the sender's IPC buffer to the start of
 * the receiver's.
 *   in:  RDI slot, RSI tag, RDX w0, R10 w1, R8 w2, R9 w3
 *   out (RECV, CALL, REPLY_RECV): RAX 0 or -error, RDI the sender's
 *        badge, RSI tag, RDX w0, R10 w1, R8 w2, R9 w3.
 * The badge is that of the capability the message was sent through, or,
 * if it has none (0), the sending thread's own (SYS_THREAD_CREATE); a
 * reply carries the replying thread's, and a fault or an exit the
 * thread's.
 * The tag holds a label (bits 0-31, the sender's choice) and the buffer
 * length (bits 32-44).  Bit 63 marks a message the kernel wrote; user
 * tags may not set it.
 *
 * A message may carry up to IPC_CAPS_MAX capabilities of the sender's
 * (IPC_TAG_CAPS): their count in bits 45-46, their slots in bits 47-53
 * and 54-60, and IPC_TAG_MOVE (bit 61) to move them rather than copy
 * them (same rights, same badge).  A send or call that carries any needs
 * KEEL_EP_GRANT on its slot (else EPERM); a reply may carry some without.
 * Each slot is checked when the call is made (EINVAL, ENOENT, EDEAD), and
 * again when the message is delivered.  They land in the receiving
 * thread's landing slots (SYS_CAP_LANDING(slot0, slot1);
 * KEEL_CAP_NONE for none, the default), in order, while each is
 * empty; the receiver's tag then says how many landed (bits 45-46; the
 * slot and move bits are 0).  Capabilities that find no empty landing
 * slot stay with the sender.  SYS_REPLY_RECV replies to the thread whose call
 * this thread received last (if any is still waiting), then receives.
 */
#define KEEL_CAP_SLOTS		  128
#define KEEL_CAP_NONE		  255 /* no capability, where a call allows none */
#define KEEL_CAP_SELF		  254 /* the caller's own space (SYS_CAP_COPY, SYS_CAP_DELETE) */
#define KEEL_CAP_MEMORY		  1
#define KEEL_CAP_ASPACE		  2
#define KEEL_CAP_THREAD		  3
#define KEEL_CAP_ENDPOINT	  4
#define KEEL_CAP_NOTIFY		  5
#define KEEL_CAP_IOPORT		  6
#define KEEL_CAP_IRQ		  7
#define KEEL_CAP_DEVICE		  8
#define KEEL_CAP_TYPE(r)	  ((unsigned long)(r) >> 8)
#define KEEL_CAP_RIGHTS(r)	  ((unsigned long)(r)&0xff)
#define KEEL_CAP_DESTROY	  0x80u /* any object: may destroy it */
#define KEEL_AS_MAP		  1u	/* map, unmap, look up, supply tables */
#define KEEL_AS_CAPS		  2u	/* copy capabilities into its space, delete them there */
#define KEEL_AS_THREAD		  4u	/* make threads that run in it */
#define KEEL_TH_CONFIG		  1u	/* priority, CPU, pager */
#define KEEL_TH_START		  2u
#define KEEL_EP_SEND		  1u /* the slot may SEND and CALL */
#define KEEL_EP_RECV		  2u /* the slot may RECV and REPLY_RECV */
#define KEEL_EP_GRANT		  4u /* messages sent through it may carry capabilities */
#define KEEL_NT_SIGNAL		  1u /* the slot may SYS_SIGNAL */
#define KEEL_NT_WAIT		  2u /* the slot may SYS_WAIT, and bind it to a thread */
#define KEEL_IO_USE		  1u /* the ports may be enabled in an address space */
#define KEEL_IRQ_BIND		  1u /* the lines may be bound to notifications and acknowledged */
#define KEEL_DEV_R		  KEEL_MAP_R /* its pages may be mapped readable */
#define KEEL_DEV_W		  KEEL_MAP_W /* ... writable */
#define IPC_BUF_MAX		  4096
#define IPC_TAG(label, len)	  ((unsigned long)(unsigned int)(label) | ((unsigned long)(len) << 32))
#define IPC_TAG_LABEL(tag)	  ((unsigned int)(tag))
#define IPC_TAG_LEN(tag)	  (((tag) >> 32) & 0x1fff)
#define IPC_TAG_KERNEL		  (1ul << 63)
#define IPC_CAPS_MAX		  2
#define IPC_TAG_NCAPS(tag)	  (((tag) >> 45) & 3)
#define IPC_TAG_CAP(tag, i)	  (((tag) >> (47 + 7 * (i))) & 127)
#define IPC_TAG_MOVE		  (1ul << 61)
/* A tag with n (<= IPC_CAPS_MAX) capabilities, from slots s0 and s1 (s1 ignored if n < 2). */
#define IPC_TAG_CAPS(tag, n, s0, s1)                                          \
	((tag) | (unsigned long)(n) << 45 | (unsigned long)((s0)&127) << 47 | \
	 (unsigned long)((n) > 1 ? ((s1)&127) : 0) << 54)

/*
 * Notifications: a word of bits that threads set without blocking and
 * another thread takes, waiting until one is set (seL4's notification
 * objects).  A driver's interrupts arrive this way, and a server that
 * binds one to its thread takes them in the same loop as its requests.
 * - SYS_NOTIFY_CREATE(mem, off, dst): a notification in a free donated
 *   frame (as SYS_ENDPOINT_CREATE), with no bits set.
 * - SYS_SIGNAL(nt): set the bits of the capability's badge (bit 0 for an
 *   unbadged one: a badge tells signallers apart, as an endpoint badge
 *   tells senders apart) and return 0 at once.  If a thread waits in
 *   SYS_WAIT, it takes them all now (the oldest waiter first); else the
 *   bound thread, if it waits in a receive; else they stay set.
 * - SYS_WAIT(nt, flags): the bits set since they were last taken, as the
 *   result (> 0; the word is cleared), waiting for one if none is set.
 *   With KEEL_WAIT_POLL it never waits: 0 if none is set.  flags with
 *   other bits: EINVAL.  A wait ends with EDEAD if the notification is
 *   destroyed.
 * - SYS_NOTIFY_BIND(th, nt): the thread's SYS_RECV and SYS_REPLY_RECV on
 *   any endpoint also take the notification's bits, as a message: tag
 *   IPC_TAG_KERNEL | IPC_LABEL_NOTIFY, the bits in the badge's place
 *   (RDI), the words 0.  Bits already set are taken before any queued
 *   sender, also when the thread already waits as it is bound.  One
 *   thread per notification and one notification per thread (else EBUSY;
 *   binding the same pair again is 0); KEEL_CAP_NONE unbinds.  Destroying
 *   either ends the binding, and so does the thread's end (an exit or a
 *   kill), so that a driver started again can bind it.
 */
#define KEEL_NOTIFY_BITS     0x7ffffffffffffffful /* bit 63 would read as an error */
#define KEEL_WAIT_POLL	     1u
#define IPC_LABEL_NOTIFY     3

/*
 * I/O ports (x86).  An I/O port capability names a range of ports [first,
 * first + count), as a memory capability names a range of memory; the
 * first program gets one for all KEEL_IO_PORTS (bootinfo's ioports).  It
 * has no generation and lives until deleted.  A process may use a port
 * (IN, OUT, INS, OUTS) only once its address space has it enabled; any
 * other is a general-protection fault (vector 13), a message to its pager
 * like every exception.  The ports the kernel keeps for itself (its
 * console's UART, the interrupt controllers, the timers, the emulator's
 * exit port: the list is in kernel/arch/x86_64/ioport.c) are never
 * enabled, whoever asks.
 * - SYS_IO_DERIVE(io, first, count, dst): a capability to [first, first +
 *   count), which must lie inside io's range (count >= 1; else EINVAL),
 *   with io's rights, into the empty slot dst.
 * - SYS_IO_ENABLE(io, as, first, count): the space may use [first, first
 *   + count) from now on: inside io's range, count >= 1 (EINVAL); no port
 *   of the kernel's (EKERNEL); no port enabled there already (EEXIST); at
 *   most KEEL_IO_RANGES ranges per space (EFULL).  Ports stay enabled as
 *   long as the space lives (deleting the capability does not take them
 *   back).  Threads of the space running at that moment, on any CPU, may
 *   use them when the call returns.
 */
#define KEEL_IO_PORTS	     65536
#define KEEL_IO_RANGES	     4

/*
 * Interrupts.  An interrupt line is an I/O APIC input, numbered by its
 * global system interrupt (GSI); the boot information's isa_irq_gsi[]
 * says which line each ISA IRQ arrives on (the ACPI overrides applied,
 * and the polarity and trigger they give programmed by the kernel).  An
 * interrupt capability names a range of lines, as an I/O port capability
 * names ports (no object; the first program gets all KEEL_IRQ_LINES).
 * Every line starts masked.
 * - SYS_IRQ_DERIVE(irq, first, count, dst): a part of the range, as
 *   SYS_IO_DERIVE.
 * - SYS_IRQ_BIND(irq, line, nt, mode): from now on, an interrupt on the line
 *   signals the notification nt (SYS_SIGNAL through that capability: its
 *   badge's bits), and nothing more is signalled for the line until
 *   SYS_IRQ_ACK (a level-triggered line is masked till then; an edge on
 *   an edge-triggered one is kept and signalled at the acknowledgement).
 *   The line must be in irq's range (EINVAL) and exist on this machine
 *   (ENOENT); one notification per line (EBUSY: unbind first; binding the
 *   same one again changes only the bits and the mode).  mode 0 keeps
 *   the line's trigger and polarity as they are: as the kernel set them at
 *   boot (ISA lines: edge, active high, unless an ACPI override says
 *   otherwise; the others: the same, which PCI lines are not), or as the
 *   last binding did; KEEL_IRQ_MODE sets them: level-triggered with
 *   KEEL_IRQ_LEVEL, active low with KEEL_IRQ_LOW (a PCI line: both, as
 *   its bus's routing says); any other bits, or those without
 *   KEEL_IRQ_MODE: EINVAL.  Binding unmasks the line.  With KEEL_CAP_NONE
 *   the line is unbound and masked (mode ignored).  Destroying the
 *   notification unbinds it too.  An interrupt raised for the old binding
 *   and not yet delivered is dropped (one still on its way through the
 *   CPU may yet arrive: a driver must expect a spurious first signal).
 * - SYS_IRQ_ACK(irq, line): the driver has served its device (so that it
 *   no longer asks): the line may interrupt again (a line not bound:
 *   EINVAL; one not in service: 0, nothing changes).
 * - SYS_IRQ_STATUS(irq, line): how many interrupts the kernel took on the
 *   line since boot, bound or not (for drivers, the shell and tests).
 * An interrupt that arrives on a line bound to nothing (it raced an
 * unbinding) stays masked and is counted.
 */
#define KEEL_IRQ_LINES	     160
#define KEEL_IRQ_MODE	     1u /* SYS_IRQ_BIND: set the trigger and polarity */
#define KEEL_IRQ_LEVEL	     2u /* level-triggered (else edge) */
#define KEEL_IRQ_LOW	     4u /* active low (else high) */

/*
 * Device memory.  A device memory capability names a range of physical
 * addresses, as a memory capability does, but only its pages that are not
 * RAM can be mapped through it, and they are mapped uncached: a device's
 * registers.  The first program gets one for the whole physical address
 * space (bootinfo's devices), and the boot information says where the
 * HPET is (0 if none), which the kernel does not use.
 * - SYS_DEVICE_DERIVE(dev, off, size, rights, dst): a part [off, off +
 *   size) with `rights`, as SYS_MEM_DERIVE.
 * - SYS_MAP_DEVICE(as, va, dev, off, rights): map the page at off in dev
 *   at va, uncached and never executable: va as for SYS_MAP; off
 *   page-aligned and inside dev (EINVAL); rights KEEL_MAP_R, optionally
 *   KEEL_MAP_W (any other bit: EINVAL), each of which dev must have
 *   (EPERM); the page must not be RAM the pager has (EROLE: RAM is mapped
 *   through a memory capability) nor anything the kernel maps or programs
 *   (EKERNEL: RAM of any other kind, the ACPI tables and NVS included, its
 *   own device pages, every I/O APIC the firmware lists, the local APIC's
 *   window 0xfee00000-0xfeefffff); then the tables and the entry as
 *   SYS_MAP (ENOPDPT, ENOPD, ENOPT, EEXIST).  SYS_UNMAP, SYS_UNMAP_RANGE
 *   and SYS_LOOKUP take or show it with KEEL_CAP_NONE only: no memory
 *   capability holds it (EPERM).
 * A device memory capability is as strong as the kernel where there is no
 * IOMMU: a device that can master the bus (DMA), send interrupt messages
 * (MSI, the HPET's FSB delivery) or move other devices (PCI configuration
 * space) reaches any memory and any CPU.  Give it to trusted drivers only;
 * the EKERNEL checks keep mistakes out, not a malicious driver.
 */
#define KEEL_APIC_WINDOW     0xfee00000ul
#define KEEL_APIC_WINDOW_END 0xfef00000ul

/*
 * Messages from the kernel to a thread's pager endpoint, as if the thread
 * had called (fault) or sent (exit):
 *   IPC_LABEL_FAULT: w0 the address (CR2 for a page fault, else 0), w1 the
 *     vector << 32 | the error code (page faults: KEEL_FAULT_* bits), w2
 *     the RIP, w3 the RSP.  The reply's label says what happens:
 *     IPC_FAULT_RESUME retries the instruction, IPC_FAULT_KILL ends the
 *     thread, and IPC_FAULT_MAP maps a page, then retries: exactly
 *     SYS_MAP(w0, w3 & ~0xfff, w1, w2, w3 & 0xfff), i.e. w0 the slot of the
 *     faulting thread's own address space (KEEL_AS_MAP; another space is
 *     KEEL_EINVAL), w1 a memory capability, w2 the frame's offset in it,
 *     w3 the address with SYS_MAP's rights in its low 12 bits (the
 *     fault's answer and its mapping in one call, as an L4 pager's reply
 *     carries a map item).  If the map fails, SYS_REPLY_RECV returns
 *     SYS_MAP's error and does nothing else: the thread still waits for
 *     its reply, and the pager may supply a table and answer again.  If
 *     the thread was destroyed after its fault was received, nothing is
 *     mapped and the reply fails with KEEL_EDEAD (nothing else happens):
 *     the page the pager meant for it is still the pager's.
 *   IPC_LABEL_EXIT: w0 the exit code.  No reply.
 */
#define IPC_LABEL_FAULT	     1
#define IPC_LABEL_EXIT	     2
#define IPC_FAULT_RESUME     0
#define IPC_FAULT_KILL	     1
#define IPC_FAULT_MAP	     2
#define KEEL_FAULT_PRESENT   1u /* the page was present (a protection fault) */
#define KEEL_FAULT_WRITE     2u
#define KEEL_FAULT_USER	     4u
#define KEEL_FAULT_FETCH     16u
#define KEEL_VECTOR_PF	     14

/*
 * SYS_DEBUG_TEST(name, result, why): in a boot with the `test` option the
 * kernel prints one TAP line, numbered after its own tests, and counts it
 * in the final `N passed, N failed` line, printed when the first program
 * exits.  result: KEEL_TEST_FAIL, KEEL_TEST_PASS or KEEL_TEST_SKIP; why
 * (a string, or 0) is printed after `#`.  Other boots: KEEL_ENOSYS.
 */
#define KEEL_TEST_FAIL	     0
#define KEEL_TEST_PASS	     1
#define KEEL_TEST_SKIP	     2
#define KEEL_TEST_NAME_MAX   128

/*
 * SYS_DEBUG_WRITE(buf, len): the kernel queues the text for its console
 * and returns how many bytes it took: fewer than len, even 0, when the
 * console is busy (the queue is shared, and each thread may have only a
 * few KB waiting to be sent); the rest is the caller's to send again
 * later.  It never waits for the UART.  len is at most SYS_DEBUG_WRITE_MAX.
 * While a serial driver holds COM1's ports (user/serial), only the first
 * program may use it (KEEL_EPERM): the others print through the console
 * server.
 */
#define SYS_DEBUG_WRITE_MAX  4096

#endif
