/*
 * proc.c - the pager's processes: a table of PAGER_MAX_PROCS slots, each
 * process a node of one tree under init.
 *
 * Limits are carved down the tree.  A process has a quota (bytes) and a
 * number of process slots; a child's quota and slots (plus one slot for
 * the child itself) are taken from its parent's when it starts and
 * given back when it ends, so whatever a family does, it holds at most
 * what its root was given.  init holds PAGER_QUOTA_ROOT and every slot
 * but its own.  Every other per-process resource (regions, shared-in
 * entries, the connection slot) is a fixed array in the process itself.
 *
 * A process that ends takes its descendants with it (they are killed
 * first); its own slot stays, holding how it ended, until its parent
 * asks (PAGER_STATUS), so no family can push another's news out.
 */
#include "pager.h"
#include "fmt.h"
#include "keel.h"
#include "str.h"
#include <common/elf.h>

static struct process procs[PAGER_MAX_PROCS];

struct process *proc_slot(unsigned long pid)
{
	/* The one found last first: a run of faults or requests is mostly one process's. */
	static struct process *last = procs;

	if (last->state != PROC_FREE && last->badge == pid)
		return last;
	for (int i = 0; i < PAGER_MAX_PROCS; i++)
		if (procs[i].state != PROC_FREE && procs[i].badge == pid)
			return last = &procs[i];
	return 0;
}

struct process *proc_find(unsigned long pid)
{
	struct process *q = pid ? proc_slot(pid) : 0;

	return q && q->state == PROC_RUNNING ? q : 0;
}

struct process *proc_next(struct process *q)
{
	for (q = q ? q + 1 : procs; q < procs + PAGER_MAX_PROCS; q++)
		if (q->state == PROC_RUNNING)
			return q;
	return 0;
}

/* Is q `of` or below it in the tree?  (At most PAGER_MAX_PROCS steps.) */
int proc_is_descendant(const struct process *q, const struct process *of)
{
	for (int n = 0; q && n < PAGER_MAX_PROCS; n++) {
		if (q == of)
			return 1;
		q = proc_slot(q->parent);
	}
	return 0;
}

/* Everything charged to pr's quota (include/abi/pager.h). */
unsigned long proc_charged(const struct process *pr)
{
	return pr->reserved + pr->fixed + (unsigned long)pr->pool.nchunks * CHUNK_SIZE + pr->given;
}

/* Record what spawn mapped as fixed regions, one per segment: 0 or -error. */
static long proc_fixed(struct process *pr)
{
	struct region r = { 0 };

	for (int i = 0; i < pr->p.nsegs; i++) {
		r = (struct region){ pr->p.segs[i].va,
				     pr->p.segs[i].size,
				     0,
				     (unsigned)pr->p.segs[i].rights | PAGER_FIXED,
				     0,
				     1 };
		r.backed = r.size / PAGE_SIZE;
		if (region_overlaps(pr, r.va, r.size) || region_insert(pr, &r))
			return -KEEL_EINVAL;
		pr->fixed += r.size;
	}
	struct region more[] = {
		{ PROG_STACK_BASE, PROG_STACK_SIZE, PROG_STACK_SIZE / PAGE_SIZE,
		  KEEL_MAP_R | KEEL_MAP_W | PAGER_FIXED, 0, 1 },
		{ PROG_IPC_BUF, PAGE_SIZE, 1, KEEL_MAP_R | KEEL_MAP_W | PAGER_FIXED, 0, 1 },
	};
	for (unsigned i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		if (region_overlaps(pr, more[i].va, more[i].size) || region_insert(pr, &more[i]))
			return -KEEL_EINVAL; /* a segment where the stack goes */
		pr->fixed += more[i].size;
	}
	return 0;
}

/*
 * Start module `name` as a child of parent (0: init, the root) with
 * `quota` bytes and `slots` process slots, and copies of the `given`
 * capabilities in pager_land: 0 or -error.
 */
/* Put the argument line in the child's IPC buffer (uspace.h, PROG_ARGS_MAGIC). */
static long proc_args(struct process *pr, const char *args)
{
	unsigned long *buf = scratch_map(pr->p.buf_frame, KEEL_MAP_R | KEEL_MAP_W);

	if (!buf)
		return -KEEL_EFULL;
	buf[0] = PROG_ARGS_MAGIC;
	str_copy((char *)&buf[1], args, PAGER_ARGS_MAX);
	scratch_unmap(buf, 1);
	return 0;
}

static long proc_create(struct process *parent, const char *name, const char *args,
			unsigned long arg, unsigned long cpu, unsigned long quota,
			unsigned long slots, const unsigned long *given, unsigned long ngiven,
			unsigned long *pid)
{
	static unsigned long badges = 1;
	struct process *pr = 0;
	long r;

	for (int i = 0; i < PAGER_MAX_PROCS && !pr; i++)
		if (procs[i].state == PROC_FREE)
			pr = &procs[i];
	if (!pr)
		return -KEEL_EFULL;
	memset(pr, 0, sizeof(*pr));
	pr->badge = badges++;
	str_copy(pr->name, name, sizeof(pr->name));
	pr->next_va = PAGER_CHOSEN_BASE;
	pr->quota = quota;
	pr->slots = slots;
	pr->parent = parent ? parent->badge : 0;
	pr->cpu = cpu & ~PAGER_SPAWN_SERVICE;
	kpool_init(&pr->pool, &root_pool);
	r = spawn(&pr->p, &pr->pool, bi, name, pr->badge);
	if (r && pr->p.elf_err) /* a corrupted module: say what is wrong with it */
		print_fmt("[pager] cannot start %s: %s\n", name, elf_strerror(pr->p.elf_err));
	if (!r)
		r = proc_fixed(pr);
	if (!r && proc_charged(pr) > pr->quota)
		r = -KEEL_EQUOTA; /* its image and kernel objects do not fit in its quota */
	if (!r)
		r = keel_thread_config(pr->p.tcb,
				       cpu & PAGER_SPAWN_SERVICE ? THREAD_PRIO_SERVICE
								 : THREAD_PRIO_DEFAULT,
				       cpu & ~PAGER_SPAWN_SERVICE, pager_ep);
	if (!r)
		/*
		 * Badged with its pid: what the pager knows its requests by.  With
		 * GRANT, so that a PAGER_SPAWN can carry capabilities to the child.
		 */
		r = keel_cap_copy(pager_ep, pr->p.as, PAGER_SLOT, KEEL_EP_SEND | KEEL_EP_GRANT,
				  pr->badge);
	/* What the parent's PAGER_SPAWN carried: PAGER_GIVEN_SLOT on, as it was. */
	for (unsigned long i = 0; !r && i < ngiven; i++) {
		long info = keel_cap_info(given[i]);
		r = info < 0 ? info
			     : keel_cap_copy(given[i], pr->p.as, PAGER_GIVEN_SLOT + i,
					     KEEL_CAP_RIGHTS(info), 0);
	}
	if (!r && args)
		r = proc_args(pr, args);
	if (!r)
		r = proc_start(&pr->p, arg);
	if (r) {
		if (pr->p.as)
			proc_destroy(&pr->p);
		kpool_release(&pr->pool);
		return r;
	}
	pr->state = PROC_RUNNING;
	if (parent) {
		parent->given += quota;
		parent->slots_given += 1 + slots;
	}
	if (pid)
		*pid = pr->badge;
	return 0;
}

long proc_spawn(struct process *pr, const char *name, const char *args, unsigned long arg,
		unsigned long cpu, unsigned long quota, unsigned long slots, unsigned long *pid)
{
	unsigned long charged = proc_charged(pr);

	if ((cpu & PAGER_SPAWN_SERVICE) && pr->badge != 1)
		return KEEL_EPERM; /* only init starts the system's services */
	if (cpu & ~(PAGER_SPAWN_SERVICE | 0xfffffffful))
		return KEEL_EINVAL;
	if (charged > pr->quota || quota > pr->quota - charged)
		return KEEL_EQUOTA;
	if (pr->slots_given >= pr->slots || slots > pr->slots - pr->slots_given - 1)
		return KEEL_EQUOTA;
	long r = proc_create(pr, name, args, arg, cpu, quota, slots, pager_land, pager_landed, pid);
	return r < 0 ? -r : 0;
}

/*
 * init gets the machine's I/O ports and interrupt lines (PAGER_GIVEN_SLOT
 * and the one after), to hand parts of them to the drivers it starts.
 */
long proc_start_init(unsigned long arg)
{
	static const unsigned long given[] = { BOOTINFO_SLOT_IOPORT, BOOTINFO_SLOT_IRQ };

	return proc_create(0, "init", 0, arg, 0, PAGER_QUOTA_ROOT, PAGER_MAX_PROCS - 1, given, 2,
			   0);
}

/* Forget an ended process: its slot is free again, and its parent's. */
static void proc_reap(struct process *q)
{
	struct process *parent = proc_find(q->parent);

	if (parent)
		parent->slots_given--;
	q->state = PROC_FREE;
}

void proc_end(struct process *pr, unsigned long how, long code)
{
	/* Its descendants first: nothing it started outlives it. */
	for (int i = 0; i < PAGER_MAX_PROCS; i++) {
		struct process *q = &procs[i];
		if (q->state == PROC_FREE || q->parent != pr->badge || q == pr)
			continue;
		if (q->state == PROC_RUNNING) {
			print_fmt("[pager] process %lu (%s) ends with its parent %lu\n", q->badge,
				  q->name, pr->badge);
			proc_end(q, PAGER_KILLED, 0);
		}
		proc_reap(q);
	}
	conn_end(pr);
	names_end(pr);
	obj_end_all(pr);
	share_revoke(pr, 0, 1); /* what it shared into others */
	share_drop_all(pr);	/* what others shared into it */
	for (int i = 0; i < pr->nregions; i++)
		if (!(pr->regions[i].flags & PAGER_FIXED)) /* proc_destroy frees those */
			region_unback(pr, &pr->regions[i]);
	pr->nregions = 0;
	long r = proc_destroy(&pr->p);
	long q = kpool_release(&pr->pool);
	/* EBUSY from the pool: a stale capability keeps a chunk, which comes back later. */
	if (r || (q && q != -KEEL_EBUSY))
		print_fmt("[pager] process %lu (%s): cleaning up failed (%ld, %ld)\n", pr->badge,
			  pr->name, r, q);
	struct process *parent = proc_find(pr->parent);
	if (parent) { /* its quota and its descendants' slots go back */
		parent->given -= pr->quota;
		parent->slots_given -= pr->slots;
	}
	pr->how = how;
	pr->code = code;
	pr->state = PROC_ENDED;
	if (!parent)
		pr->state = PROC_FREE; /* init: nobody to tell */
	obj_child_ended(parent);
}

long proc_kill(struct process *pr, unsigned long pid)
{
	struct process *q = proc_find(pid);

	if (!q)
		return KEEL_ENOENT;
	if (q == pr)
		return KEEL_EINVAL;
	if (!proc_is_descendant(q, pr))
		return KEEL_EPERM;
	print_fmt("[pager] process %lu (%s) killed by process %lu\n", q->badge, q->name, pr->badge);
	proc_end(q, PAGER_KILLED, 0);
	return 0;
}

/* May pr ask about q?  Itself, its descendants; init: everything. */
static int proc_may_see(const struct process *pr, const struct process *q)
{
	return pr->badge == 1 || proc_is_descendant(q, pr);
}

long proc_status(struct process *pr, unsigned long pid, unsigned long *out)
{
	struct process *q = pid ? proc_slot(pid) : 0;

	if (!q || !proc_may_see(pr, q))
		return KEEL_ENOENT;
	if (q->state == PROC_RUNNING) {
		out[0] = PAGER_RUNNING;
		return 0;
	}
	out[0] = q->how;
	out[1] = (unsigned long)q->code;
	if (q->parent == pr->badge)
		proc_reap(q); /* its parent knows now */
	return 0;
}

/* q: pid's running process if pr may ask about it (0: pr itself), or 0. */
static struct process *proc_asked(struct process *pr, unsigned long pid)
{
	struct process *q = pid ? proc_find(pid) : pr;

	return q && proc_may_see(pr, q) ? q : 0;
}

long proc_limits(struct process *pr, unsigned long pid, unsigned long *out)
{
	struct process *q = proc_asked(pr, pid);

	if (!q)
		return KEEL_ENOENT;
	unsigned long charged = proc_charged(q);
	out[0] = charged < q->quota ? q->quota - charged : 0;
	out[1] = q->slots - q->slots_given;
	out[2] = q->quota;
	out[3] = q->slots;
	return 0;
}

long proc_pstats(struct process *pr, unsigned long pid, unsigned long *out)
{
	struct process *q = proc_asked(pr, pid);

	if (!q)
		return KEEL_ENOENT;
	out[0] = q->backed * PAGE_SIZE;
	out[1] = q->reserved;
	out[2] = (unsigned long)q->pool.nchunks * CHUNK_SIZE;
	out[3] = q->quota;
	return 0;
}

/* PAGER_STATS: each frame counted once (shared frames are the sharer's). */
void proc_stats(unsigned long *out)
{
	unsigned long chunks = (unsigned long)root_pool.nchunks, pages = 0;

	for (struct process *q = 0; (q = proc_next(q));) {
		chunks += (unsigned long)q->pool.nchunks;
		pages += q->backed;
	}
	out[0] = mem_managed_bytes();
	out[1] = mem_free_bytes();
	out[2] = pages * PAGE_SIZE;
	out[3] = chunks * CHUNK_SIZE + mem_bookkeeping_bytes();
}

/* PAGER_PS: the process with the lowest pid above `pid`, running or not yet reaped. */
long proc_ps(unsigned long pid, unsigned long *out, char *name)
{
	struct process *best = 0;

	for (int i = 0; i < PAGER_MAX_PROCS; i++) {
		struct process *q = &procs[i];
		if (q->state != PROC_FREE && q->badge > pid && (!best || q->badge < best->badge))
			best = q;
	}
	if (!best)
		return KEEL_ENOENT;
	out[0] = best->badge;
	out[1] = best->parent;
	out[2] = best->state == PROC_RUNNING ? best->fixed + best->backed * PAGE_SIZE : 0;
	out[3] = (best->state == PROC_RUNNING ? PAGER_RUNNING : best->how) | best->cpu << 8;
	str_copy(name, best->name, NAME_MAX);
	return 0;
}
