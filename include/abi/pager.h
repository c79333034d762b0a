/*
 * pager.h - the pager's protocol: what processes
 * ask of the pager, by IPC to the endpoint in their slot PAGER_SLOT.
 *
 * A request is a call whose tag's label is the operation; the four words
 * are its arguments.  The reply's label is 0 or a KEEL_E* error code (not
 * negated); its words are the results.  docs/design-pager.md has the
 * whole design.
 */
#ifndef ABI_PAGER_H
#define ABI_PAGER_H

#define PAGER_SLOT	    0 /* every process's slot for the pager (send only) */

/*
 * PAGER_ALLOC(va, size, flags): memory at [va, va + size), page-aligned,
 * below KEEL_USER_TOP, not overlapping what the process has; va 0: the
 * pager chooses.  flags: KEEL_MAP_R/W/X rights, and PAGER_EAGER to back
 * it now (else each page gets a zeroed frame at its first touch).
 * Reply w0: the address.
 */
#define PAGER_ALLOC	    1
#define PAGER_EAGER	    0x100u
/*
 * PAGER_CONTIG: back it at once with one physically contiguous, naturally
 * aligned run (size: a power of two pages), as a device buffer or a large
 * page needs; reply w1: its physical address.
 */
#define PAGER_CONTIG	    0x400u
/* PAGER_FREE(va, size): exactly one earlier allocation goes. */
#define PAGER_FREE	    2
/*
 * PAGER_STATS(): the whole system: w0 the bytes the pager manages, w1
 * free, w2 the processes' data (backed pages), w3 the overhead: kernel
 * objects and page tables (every donated chunk) and the pager's own
 * bookkeeping.
 */
#define PAGER_STATS	    3
/*
 * PAGER_PSTATS(pid): one process (0: the caller; else one it spawned, or
 * any for init; KEEL_ENOENT otherwise): w0 its data (backed
 * bytes), w1 its allocations (bytes reserved), w2 its kernel objects and
 * page tables (the chunks donated for it), w3 its quota.
 */
#define PAGER_PSTATS	    11

#define PAGER_MAX_ALLOC	    (1ul << 40) /* bytes in one allocation */
/*
 * Each process may allocate (reserve address space for) up to its quota:
 * past it, PAGER_ALLOC says KEEL_EQUOTA.  Running out of frames says
 * KEEL_ENOMEM (eager), or kills the process at the fault (on demand).
 */
#define PAGER_QUOTA_DEFAULT (16ul << 20)

/*
 * PAGER_SPAWN(arg, cpu): start the boot module whose name is in the
 * caller's IPC buffer (the tag's length, NUL included) as a new process
 * whose thread runs on `cpu` (KEEL_EINVAL if there is no such CPU), with
 * RDI = arg at its entry.  Reply w0: its process id.
 */
#define PAGER_SPAWN	    4
/*
 * PAGER_STATUS(pid) (a process the caller spawned; init may ask about
 * any): w0 PAGER_RUNNING, PAGER_EXITED (w1 the exit code) or
 * PAGER_KILLED; KEEL_ENOENT for a process the pager does not remember
 * (it remembers the last PAGER_ENDED ends).
 */
#define PAGER_STATUS	    5
#define PAGER_RUNNING	    0
#define PAGER_EXITED	    1
#define PAGER_KILLED	    2
#define PAGER_ENDED	    64
/*
 * PAGER_SHUTDOWN(code): only init, only in a test boot: the pager exits
 * with `code`, and the kernel ends the test run.
 */
#define PAGER_SHUTDOWN	    6
/*
 * PAGER_SHARE(va, size, pid, flags): the caller's allocation at exactly
 * [va, va + size) is backed whole and mapped into process pid as well, at
 * the address in flags' upper bits (flags >> 12 << 12; 0: the pager
 * chooses), with flags' KEEL_MAP_* rights, which must be a subset of the
 * allocation's.  Both sides see each other's writes.  A frame goes back
 * to the free pool when the last process that maps it frees or ends.
 * Only into a process the caller spawned or connected to (else
 * KEEL_EPERM).  Reply w0: the address in pid.
 */
#define PAGER_SHARE	    7
/*
 * PAGER_QUERY(va): the caller's allocation holding va: w0 its start, w1
 * its size, w2 its flags (PAGER_SHARED if it came from PAGER_SHARE), w3
 * the bytes of it backed; KEEL_ENOENT if none does.
 */
#define PAGER_QUERY	    8
#define PAGER_SHARED	    0x200u
/*
 * PAGER_FIXED marks what the pager mapped at the start (image, stack, IPC
 * buffer): nothing can be allocated over it, and FREE, PROTECT and SHARE
 * refuse it (KEEL_EINVAL).
 */
#define PAGER_FIXED	    0x800u
/*
 * PAGER_PROTECT(va, size, rights): new KEEL_MAP_* rights (R required) for
 * the caller's allocation at exactly [va, va + size); not for memory
 * shared with it (KEEL_EINVAL).  Backed pages are remapped at once.
 */
#define PAGER_PROTECT	    9
/*
 * PAGER_CONNECT(pid): a new endpoint between the caller and process pid:
 * slot PAGER_CONN_SLOT of the caller may send and call, the same slot of
 * pid may receive.  It lasts as long as the caller.  KEEL_EEXIST if
 * either slot is taken.
 */
#define PAGER_CONNECT	    10
#define PAGER_CONN_SLOT	    1

#endif
