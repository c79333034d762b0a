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

#include <abi/uspace.h> /* PAGER_SHARE_BASE, PAGER_SHARE_TOP, PAGER_CHOSEN_BASE */

#define PAGER_SLOT	      0 /* every process's slot for the pager (send, and grant for spawn) */

/*
 * PAGER_ALLOC(va, size, flags): memory at [va, va + size), page-aligned,
 * below KEEL_USER_TOP, outside the shared-in window (KEEL_EFAULT), not
 * overlapping what the process has (KEEL_EEXIST); va 0: the pager
 * chooses (from PAGER_CHOSEN_BASE up).  At most PAGER_MAX_ALLOCS at once (KEEL_EFULL).  flags: KEEL_MAP_R/W/X rights, and PAGER_EAGER to back
 * it now (else each page gets a zeroed frame at its first touch).
 * Reply w0: the address.
 */
#define PAGER_ALLOC	      1
#define PAGER_EAGER	      0x100u
/*
 * PAGER_CONTIG: back it at once with one physically contiguous, naturally
 * aligned run (size: a power of two pages), as a device buffer or a large
 * page needs; reply w1: its physical address.
 */
#define PAGER_CONTIG	      0x400u
/* PAGER_FREE(va, size): exactly one earlier allocation goes. */
#define PAGER_FREE	      2
/*
 * PAGER_STATS(): the whole system: w0 the bytes the pager manages, w1
 * free, w2 the processes' data (backed pages), w3 the overhead: kernel
 * objects and page tables (every donated chunk) and the pager's own
 * bookkeeping.
 */
#define PAGER_STATS	      3
/*
 * PAGER_PSTATS(pid): one process (0: the caller; else itself or a
 * descendant, or any for init; KEEL_ENOENT otherwise): w0 its data
 * (backed bytes of its allocations; memory shared into it is the
 * sharer's), w1 its allocations (bytes reserved), w2 its kernel objects
 * and page tables (the chunks donated for it), w3 its quota.
 */
#define PAGER_PSTATS	      11

#define PAGER_MAX_ALLOC	      (1ul << 40) /* bytes in one allocation */
#define PAGER_MAX_ALLOCS      32	  /* allocations a process may hold at once */
/*
 * Each process has a quota: the bytes it and its descendants may hold.
 * Charged to it: its allocations (reserved, backed or not), its image,
 * stack and IPC buffer, the chunks donated for its kernel objects and
 * page tables, and the whole quota of each child while the child runs
 * (a child's quota is carved out of its parent's, and returns when the
 * child ends).  Memory another process shares into it is charged to
 * that process, not to it.  Past the quota, PAGER_ALLOC and PAGER_SPAWN
 * say KEEL_EQUOTA.  Quotas are promises, not reservations: frames are
 * given at the first touch, so running out of frames says KEEL_ENOMEM
 * (eager), or kills the process at the fault (on demand).
 * PAGER_QUOTA_DEFAULT is what pagerc's pager_spawn gives a child;
 * PAGER_QUOTA_ROOT is init's (the root of the tree).
 */
#define PAGER_QUOTA_DEFAULT   (16ul << 20)
#define PAGER_QUOTA_ROOT      (1ul << 40)
/*
 * PAGER_LIMITS(pid) (0: the caller; else itself or a descendant, init:
 * any): w0 the bytes of its quota not yet charged, w1 the process slots
 * it may still give, w2 its quota, w3 its process slots.
 */
#define PAGER_LIMITS	      12

/*
 * PAGER_SPAWN(arg, cpu, quota, slots): start the boot module whose name
 * is in the caller's IPC buffer (the tag's length, NUL included) as a
 * child of the caller whose thread runs on `cpu` (KEEL_EINVAL if there is
 * no such CPU), with RDI = arg at its entry.  The child gets `quota`
 * bytes, carved out of the caller's (KEEL_EQUOTA if the caller has less
 * left, or if the child's image and kernel objects do not fit in it), and
 * `slots` process slots for its own descendants, carved out of the
 * caller's with one more for the child itself (KEEL_EQUOTA if the caller
 * has fewer).  Reply w0: its process id.
 *
 * The call may carry up to IPC_CAPS_MAX capabilities of the caller's
 * (IPC_TAG_CAPS; each process's PAGER_SLOT has KEEL_EP_GRANT for this):
 * the child starts with them in its slots PAGER_GIVEN_SLOT and
 * PAGER_GIVEN_SLOT + 1, in order, with their rights and badges: a
 * capability to a service, given at spawn time.  Send copies: what was
 * moved is gone if the spawn fails.
 *
 * Process slots: the pager has PAGER_MAX_PROCS; init may hold all of
 * them but its own, and every other process only what its parent gave
 * it, so one family cannot take another's.  A child that ended keeps its
 * slot until its parent learns how it ended (PAGER_STATUS).
 */
#define PAGER_SPAWN	      4
/*
 * In PAGER_SPAWN's cpu word (the CPU is bits 0-31): init only (else
 * KEEL_EPERM), the child is one of the system's services and runs at
 * THREAD_PRIO_SERVICE (include/abi/syscall.h).
 */
#define PAGER_SPAWN_SERVICE   (1ul << 32)
#define PAGER_GIVEN_SLOT      2
#define PAGER_MAX_PROCS	      16
/*
 * PAGER_STATUS(pid) (the caller or a descendant; init may ask about
 * any): w0 PAGER_RUNNING, PAGER_EXITED (w1 the exit code) or
 * PAGER_KILLED.  The parent's first answer after the end frees the
 * child's slot: after it, KEEL_ENOENT, as for a process the pager does
 * not know.
 */
#define PAGER_STATUS	      5
#define PAGER_RUNNING	      0
#define PAGER_EXITED	      1
#define PAGER_KILLED	      2
/*
 * PAGER_KILL(pid): end a descendant of the caller (KEEL_EPERM for any
 * other process, KEEL_EINVAL for the caller itself, KEEL_ENOENT for no
 * running process).  When a process ends, however it ends, its
 * descendants are killed with it, and everything they held comes back.
 */
#define PAGER_KILL	      13
/*
 * PAGER_SHUTDOWN(code): only init: the pager exits with `code`, and the
 * kernel ends the test run (a test boot) or stops the machine (the
 * shell's `halt`).
 */
#define PAGER_SHUTDOWN	      6
/*
 * PAGER_SHARE(va, size, pid, flags): the caller's allocation at exactly
 * [va, va + size) is backed whole and mapped into process pid as well,
 * with flags' KEEL_MAP_* rights, which must be a subset of the
 * allocation's.  Both sides see each other's writes.  Only into a child
 * of the caller, the other side of its connection, a server whose name
 * it looked up or a client that looked up its name (else KEEL_EPERM).
 *
 * Shared-in memory has its own place in the receiver: the window
 * [PAGER_SHARE_BASE, PAGER_SHARE_TOP) of abi/uspace.h, which allocations
 * may not use, one PAGER_MAX_ALLOC slice for each of at most
 * PAGER_MAX_SHARED_IN shares at once (KEEL_EFULL past it).
 * The address is in flags' upper bits (flags >> 12 << 12), inside the
 * window (else KEEL_EFAULT); 0: the pager chooses.  It is charged to the
 * caller, not to the receiver.  It lasts as long as the caller's
 * allocation: when the caller frees it or ends, it is unmapped from the
 * receiver, which is killed if it touches it again.  The receiver may
 * free it earlier (PAGER_FREE).  While an allocation is shared,
 * PAGER_PROTECT refuses it (KEEL_EBUSY).  Reply w0: the address in pid.
 */
#define PAGER_SHARE	      7
#define PAGER_MAX_SHARED_IN   8
/*
 * PAGER_QUERY(va): the caller's allocation, shared-in memory or
 * loadable segment holding va: w0 its start, w1 its size, w2 its flags
 * (PAGER_SHARED if it came from PAGER_SHARE, PAGER_FIXED for what the
 * pager mapped at the start), w3 the bytes of it backed (kept per region,
 * never recounted); KEEL_ENOENT if none does.
 */
#define PAGER_QUERY	      8
#define PAGER_SHARED	      0x200u
/*
 * PAGER_FIXED marks what the pager mapped at the start (each loadable
 * segment of the image, the stack, the IPC buffer, each its own region):
 * nothing can be allocated over it, and FREE, PROTECT and SHARE refuse
 * it (KEEL_EINVAL).
 */
#define PAGER_FIXED	      0x800u
/*
 * PAGER_PROTECT(va, size, rights): new KEEL_MAP_* rights (R required) for
 * the caller's allocation at exactly [va, va + size); not for memory
 * shared with it (KEEL_EINVAL).  Backed pages are remapped at once.
 */
#define PAGER_PROTECT	      9
/*
 * Connections need the consent of both sides.  A server offers one:
 * PAGER_OFFER(pid) to process pid only, or to anyone with pid 0 (as a
 * server that a name service will list does); PAGER_OFFER_CLOSE in w1
 * withdraws it.  KEEL_EEXIST if its slot PAGER_CONN_SLOT is in use.
 *
 * PAGER_CONNECT(pid): a new endpoint between the caller and process pid,
 * which must have an open offer to the caller or to anyone (else
 * KEEL_EPERM): slot PAGER_CONN_SLOT of the caller may send and call, the
 * same slot of pid may receive.  The offer is used up; the endpoint is
 * charged to the caller.  It lasts until either side ends.  KEEL_EEXIST
 * if either slot is taken.
 */
#define PAGER_CONNECT	      10
#define PAGER_CONN_SLOT	      1
#define PAGER_OFFER	      14
#define PAGER_OFFER_CLOSE     1

/*
 * Names (the pager's names.c).  A server registers a name; any process
 * may look it up and gets a capability to call the server.  Registering
 * is the server's consent to every client, as PAGER_OFFER(0) is;
 * looking up is the client's.  Unlike PAGER_CONNECT, a named server has
 * as many clients as look it up.
 *
 * A name is in the caller's IPC buffer (the tag's length, its NUL
 * included): 1 to PAGER_NAME_MAX - 1 letters, digits, '-', '_' or '.'
 * (else KEEL_EINVAL).  `slot` is a slot of the caller's (KEEL_EINVAL for
 * the fixed ones below PAGER_FIRST_FREE_SLOT or past the table; KEEL_EEXIST
 * if it is not empty).
 *
 * PAGER_REGISTER(slot): the pager makes an endpoint (charged to the
 * caller, as its other kernel objects are) and puts it in `slot` with
 * RECV; the name leads there from now on.  KEEL_EEXIST if the name is
 * taken; KEEL_EFULL past PAGER_NAMES_EACH names for one process or when
 * the table is full.  "pager" is the pager's own and never taken.  Names
 * are first come, first served, and a name ends with its process, with
 * one exception: a name a child of init held stays reserved for init's
 * children (KEEL_EEXIST for anyone else), so no program can take a
 * system service's name while init starts it again.
 *
 * PAGER_LOOKUP(slot): puts in `slot` a capability to call the named
 * server (SEND and GRANT, so a call may carry capabilities), badged
 * with the caller's pid: the server sees the badge in every message, and
 * no client can forge it.  Reply w0: the server's pid (for PAGER_SHARE).
 * KEEL_ENOENT if no process has the name.  "pager" gives the pager's
 * endpoint, as PAGER_SLOT (w0 0).  When the server
 * ends, the pager empties the slot of every client that looked it up
 * (whatever the client put there since: the slot is the pager's to
 * empty until then), so the server's memory comes back; a call in
 * progress fails with KEEL_EDEAD.  A process may hold PAGER_LOOKUPS_EACH
 * lookups at once (KEEL_EFULL past them); its end forgets them.
 */
#define PAGER_REGISTER	      15
#define PAGER_LOOKUP	      16
#define PAGER_NAME_MAX	      16
#define PAGER_NAMES_EACH      1
#define PAGER_LOOKUPS_EACH    4
#define PAGER_FIRST_FREE_SLOT 4 /* PAGER_SLOT, PAGER_CONN_SLOT, the two given ones */
/*
 * PAGER_NOTIFY(slot, flags): a notification (charged to the caller) in
 * `slot`, with SIGNAL and WAIT (the pager destroys it when the process
 * ends): for interrupts, for servers to
 * wake their clients, and for the pager's own news: it sets
 * PAGER_EVENT_CHILD there whenever a child of the caller ends, and
 * PAGER_EVENT_SERVER whenever a server whose name it looked up ends (the
 * capability the lookup put in its slot is gone; a new server may take
 * the name: look it up again).  With
 * PAGER_NOTIFY_BIND in flags it is bound to the caller's thread, whose
 * receives then take its bits too (SYS_NOTIFY_BIND).  One per process
 * (KEEL_EEXIST).
 *
 * PAGER_ENDPOINT(slot): an endpoint (charged to the caller) in `slot`,
 * with SEND, RECV and GRANT: for a server that hands capabilities to it out
 * itself (to a child at spawn, say) rather than by name.  At most
 * PAGER_MAX_ENDPOINTS per process (KEEL_EFULL).  Both end with the
 * process: its clients' calls then fail with KEEL_EDEAD.
 */
#define PAGER_NOTIFY	      17
#define PAGER_ENDPOINT	      18
#define PAGER_NOTIFY_BIND     1u
#define PAGER_EVENT_CHILD     (1ul << 62)
#define PAGER_EVENT_SERVER    (1ul << 60)
#define PAGER_MAX_ENDPOINTS   1
/*
 * For drivers.  PAGER_IO_ENABLE(first, count): the call carries an I/O
 * port capability of the caller's (IPC_TAG_CAPS, one), and the pager
 * enables those ports in the caller's address space with it
 * (SYS_IO_ENABLE, whose errors it returns: KEEL_EINVAL outside the
 * capability's range, KEEL_EKERNEL for the kernel's ports, KEEL_EFULL
 * past KEEL_IO_RANGES); KEEL_EINVAL if it carries no capability.  A
 * process holds no capability to its own space, and the pager holds
 * them all: holding the ports is the authority, the pager only does the
 * enabling.
 * PAGER_ISA_IRQ(irq): w0 the interrupt line (GSI) that ISA IRQ `irq`
 * (0-15) arrives on, by the ACPI MADT's overrides; KEEL_ENOENT if the
 * machine has no I/O APIC (no interrupts for drivers: they poll).
 */
#define PAGER_IO_ENABLE	      20
#define PAGER_ISA_IRQ	      21

/*
 * PAGER_PS(pid): the process with the lowest pid above `pid` (running,
 * or ended and not yet reaped), as ps shows it; any process may ask.
 * w0 its pid, w1 its parent's, w2 its memory (its image, stack and IPC
 * buffer, and the backed pages of its allocations), w3 its state
 * (PAGER_RUNNING, PAGER_EXITED, PAGER_KILLED) in bits 0-7 and its CPU
 * from bit 8; the reply's buffer holds its name (NUL included).
 * KEEL_ENOENT past the last.
 */
#define PAGER_PS	      19
/*
 * PAGER_SPAWN's arguments: the IPC buffer may hold, after the module's
 * name and its NUL, an argument line (NUL-terminated, at most
 * PAGER_ARGS_MAX bytes with it).  The child finds it at its start in
 * its IPC buffer, after PROG_ARGS_MAGIC (include/abi/uspace.h): crt0
 * keeps a copy before main runs (user/lib/args.c).
 */
#define PAGER_ARGS_MAX	      256

#ifndef __ASSEMBLER__
_Static_assert(PAGER_SHARE_SIZE == PAGER_MAX_SHARED_IN * PAGER_MAX_ALLOC,
	       "the shared-in window is one largest allocation per share");
#endif

#endif
