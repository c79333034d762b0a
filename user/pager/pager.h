/*
 * pager.h - what the pager's files share (docs/design-pager.md has the
 * design, include/abi/pager.h the protocol):
 *   main.c     boot, the serving loop, requests dispatched by label;
 *   proc.c     processes: the table, start, end, kill, quotas and slots;
 *   region.c   each process's regions: allocate, free, protect, query,
 *              and page faults;
 *   share.c    memory shared into another process (its own window);
 *   conn.c     connections, by offer and consent;
 *   objects.c  notifications and endpoints made for processes;
 *   names.c    the name service.
 * Requests return 0 or a KEEL_E* code (positive); every one checks all
 * of its arguments before it changes anything, and its cost is bounded
 * by what the caller holds, never by an address range it chose.
 *
 * Capability slots.  The pager names every kernel object by a slot of
 * its own capability space (KEEL_CAP_SLOTS = 128), taken with
 * cslot_alloc and given back when the object is destroyed.  At worst it
 * holds: slots 0-7 (fixed: cslot.h; it uses its boot capabilities, 2-4),
 * its endpoint (pager_ep, 1), its two landing slots for the capabilities
 * a PAGER_SPAWN carries (pager_land, 2), each process's address space and
 * thread (2 * PAGER_MAX_PROCS = 32; an ended process holds none), and one
 * endpoint per connection (a connection takes the PAGER_CONN_SLOT of two
 * processes, so at most PAGER_MAX_PROCS / 2 = 8), and per process its
 * notification (and its copy badged for servers' ends), endpoints and
 * names (objects.c, names.c: 2 + 1 + 1): 8 + 1 + 2 + 32 + 8 + 64 = 115.
 * Only an object that cannot be destroyed keeps its slot for good (the
 * pager prints it), so the rest of the 128 is the margin for those.
 */
#ifndef PAGER_PAGER_H
#define PAGER_PAGER_H

#include "cslot.h"
#include "keel.h"
#include "mem.h"
#include "spawn.h"
#include <abi/bootinfo.h>
#include <abi/pager.h>

#define PAGER_CSLOTS_WORST                                                 \
	(CSLOT_FIRST + 1 + 2 + 2 * PAGER_MAX_PROCS + PAGER_MAX_PROCS / 2 + \
	 PAGER_MAX_PROCS * (2 + PAGER_MAX_ENDPOINTS + PAGER_NAMES_EACH))
_Static_assert(PAGER_CSLOTS_WORST <= KEEL_CAP_SLOTS, "the pager's objects fit in its slots");

#define NAME_MAX    32
/* Regions: each loadable segment, the stack, the IPC buffer, and allocations. */
#define MAX_REGIONS (SPAWN_MAX_PHDRS + 2 + PAGER_MAX_ALLOCS)

/* Memory of the process itself: a segment, its stack or IPC buffer, an allocation. */
struct region {
	unsigned long va, size;
	unsigned long backed; /* pages of it with a frame: kept, never recounted */
	unsigned flags;	      /* KEEL_MAP_* rights, PAGER_FIXED, PAGER_EAGER/CONTIG */
	unsigned shares;      /* how many other processes it is shared into */
	unsigned small;	      /* 1: a 2 MB page failed here once; only 4 KB pages now */
};

/* Memory another process shared into this one (PAGER_SHARE): its window. */
struct shared_in {
	unsigned long va, size; /* size 0: the entry is free */
	unsigned long from;	/* the sharer's pid, and its allocation's start */
	unsigned long src_va;
	unsigned rights;
};

enum { PROC_FREE, PROC_RUNNING, PROC_ENDED };

/* A kernel object the pager made for a process: its slot (0: none) and frame. */
struct pobj {
	unsigned long slot, frame;
};

struct process {
	int state;
	unsigned long badge; /* its process id */
	unsigned long parent;
	char name[NAME_MAX];
	struct proc p;
	struct kpool pool; /* its page tables and objects: charged to it */
	/* Sorted by address, disjoint: found by binary search. */
	struct region regions[MAX_REGIONS];
	int nregions, nallocs;
	int hint; /* the index region_at found last (a guess: checked before use) */
	struct shared_in in[PAGER_MAX_SHARED_IN];
	unsigned long next_va;		  /* for allocations the pager places */
	unsigned long backed;		  /* pages of its allocations with a frame */
	unsigned long reserved;		  /* bytes of its allocations (backed or not) */
	unsigned long fixed;		  /* bytes of its image, stack and IPC buffer */
	unsigned long quota, given;	  /* bytes it may hold; its running children's quotas */
	unsigned long slots, slots_given; /* slots for descendants; given to children */
	/*
	 * Its connection: if it connected out, the endpoint (a slot of the
	 * pager's; 0: none), its frame (in pool) and the pid it connected
	 * to; conn_in if another process connected to it.
	 */
	unsigned long conn_ep, conn_frame, conn_pid;
	int conn_in;
	int offer_open; /* PAGER_OFFER: to offer_to (0: anyone) */
	unsigned long offer_to;
	struct pobj notify;		      /* PAGER_NOTIFY (badged PAGER_EVENT_CHILD) */
	unsigned long notify_server;	      /* a copy of it badged PAGER_EVENT_SERVER (0: none) */
	struct pobj eps[PAGER_MAX_ENDPOINTS]; /* PAGER_ENDPOINT */
	unsigned long cpu;		      /* the CPU its thread runs on */
	unsigned long how; /* once ended: PAGER_EXITED or PAGER_KILLED, and the code */
	long code;
};

extern const struct bootinfo *bi;
extern unsigned long pager_ep; /* the slot of the pager's own endpoint */
/* Where the capabilities a request carries land, and how many the one being served carried. */
extern unsigned long pager_land[IPC_CAPS_MAX], pager_landed;
extern int test_boot;

/* proc.c */
struct process *proc_find(unsigned long pid); /* a running process, or 0 */
struct process *proc_slot(unsigned long pid); /* running or ended, or 0 */
/* The running process after q (0: the first), or 0: for (q = 0; (q = proc_next(q));) */
struct process *proc_next(struct process *q);
int proc_is_descendant(const struct process *q, const struct process *of);
unsigned long proc_charged(const struct process *pr);
long proc_spawn(struct process *pr, const char *name, const char *args, unsigned long arg,
		unsigned long cpu, unsigned long quota, unsigned long slots, unsigned long *pid);
long proc_start_init(unsigned long arg);
void proc_end(struct process *pr, unsigned long how, long code);
long proc_kill(struct process *pr, unsigned long pid);
long proc_status(struct process *pr, unsigned long pid, unsigned long *out);
long proc_limits(struct process *pr, unsigned long pid, unsigned long *out);
long proc_pstats(struct process *pr, unsigned long pid, unsigned long *out);
void proc_stats(unsigned long *out);
long proc_ps(unsigned long pid, unsigned long *out, char *name);

/* region.c */
struct region *region_at(struct process *pr, unsigned long va);
struct region *region_exact(struct process *pr, unsigned long va, unsigned long size);
int region_overlaps(struct process *pr, unsigned long va, unsigned long size);
long region_insert(struct process *pr, const struct region *r);
/*
 * A page that a fault's reply maps (IPC_FAULT_MAP): its frame (0: none,
 * the fault is answered with a plain resume), where and how, and the
 * region whose count it is in already.
 */
struct fault_map {
	unsigned long frame, va, rights;
	struct region *r;
};
/*
 * Back `page` of r: a 2 MB page if its block fits, else a 4 KB frame,
 * mapped now, or, with fm, recorded there for the fault's reply to map.
 */
long region_back(struct process *pr, struct region *r, unsigned long page, struct fault_map *fm);
/* The reply could not map fm's page, nor could SYS_MAP: it goes back. */
void region_unback_page(struct process *pr, const struct fault_map *fm);
void region_unback(struct process *pr, struct region *r);
long region_alloc(struct process *pr, unsigned long va, unsigned long size, unsigned long flags,
		  unsigned long *out);
long region_free(struct process *pr, unsigned long va, unsigned long size);
long region_protect(struct process *pr, unsigned long va, unsigned long size, unsigned long rights);
long region_query(struct process *pr, unsigned long va, unsigned long *out);
/* A fault of pr's: 1 if it may resume (fm: what the reply maps), 0 if it dies (said why). */
int region_fault(struct process *pr, unsigned long addr, unsigned long code, unsigned long rip,
		 struct fault_map *fm);

/* share.c */
struct shared_in *share_at(struct process *pr, unsigned long va);
long share_into(struct process *pr, unsigned long va, unsigned long size, unsigned long pid,
		unsigned long flags, unsigned long *out);
long share_free(struct process *pr, unsigned long va, unsigned long size);
void share_revoke(struct process *from, unsigned long src_va, int all);
void share_drop_all(struct process *pr);

/* conn.c */
long conn_offer(struct process *pr, unsigned long pid, unsigned long how);
long conn_connect(struct process *pr, unsigned long pid);
int conn_peers(const struct process *a, const struct process *b);
void conn_end(struct process *pr);

/* objects.c */
int obj_slot_ok(unsigned long slot);
long obj_make(struct process *pr, int notify, struct pobj *o);
void obj_end(struct process *pr, struct pobj *o);
long obj_notify(struct process *pr, unsigned long slot, unsigned long flags);
long obj_endpoint(struct process *pr, unsigned long slot);
void obj_child_ended(struct process *parent);
void obj_server_ended(struct process *client);
void obj_end_all(struct process *pr);
long obj_io_enable(struct process *pr, unsigned long first, unsigned long count);

/* names.c */
long names_register(struct process *pr, const struct keel_msg *m, unsigned long slot);
long names_lookup(struct process *pr, const struct keel_msg *m, unsigned long slot,
		  unsigned long *pid);
void names_end(struct process *pr);
int names_peers(const struct process *a, const struct process *b);

#endif
