/*
 * pager - the first program of a normal boot.  It
 * takes over every free frame, starts init (the second module), and is
 * the memory server and pager of every process it starts:
 *   - PAGER_ALLOC/FREE/STATS requests (include/abi/pager.h);
 *   - a page fault in an allocated range gets a zeroed frame and resumes;
 *     any other fault kills the process, with a log line;
 *   - when a process exits or is killed, everything it had goes back.
 *   - sharing between processes (PAGER_SHARE), and queries.
 *   - changing the rights of an allocation (PAGER_PROTECT).
 */
#include "fmt.h"
#include "keel.h"
#include "mem.h"
#include "spawn.h"
#include "str.h"
#include <abi/bootinfo.h>
#include <abi/pager.h>
#include "proto.h"

#define SLOT_PAGER  1 /* the pager's endpoint, in its own slots */
#define MAX_PROCS   16
#define MAX_REGIONS 32
#define NAME_MAX    32
#define CHOSEN_BASE 0x10000000000ul /* where the pager puts allocations it places */

struct region {
	unsigned long va, size;
	unsigned flags;
};

struct process {
	int used;
	unsigned long badge;
	char name[NAME_MAX];
	struct proc p;
	struct kpool pool; /* its page tables and objects: charged to it */
	struct region regions[MAX_REGIONS];
	int nregions;
	unsigned long next_va;		 /* for allocations the pager places */
	unsigned long backed;		 /* pages with a frame */
	unsigned long quota;		 /* bytes it may allocate */
	unsigned long conn_ep, conn_pid; /* its PAGER_CONNECT endpoint, and to whom */
	unsigned long parent;		 /* who spawned it (0: the pager) */
	int conn_in;			 /* somebody connected to it */
	unsigned long reserved;		 /* bytes allocated (backed or not) */
};

static const struct bootinfo *bi;
static unsigned long pager_ep;
static struct process procs[MAX_PROCS];
static int test_boot;

/*
 * Frames mapped by more than one process (PAGER_SHARE): how many extra
 * mappings each has.  Open addressing by frame; its size bounds how much
 * can be shared at once (SHARE_SLOTS frames), not how much RAM there is.
 */
#define SHARE_SLOTS 8192
static struct {
	unsigned long frame, extra;
} shares[SHARE_SLOTS];

static unsigned long share_slot(unsigned long frame)
{
	return (frame / PAGE_SIZE * 0x9e3779b97f4a7c15ul) >> 51; /* 13 bits */
}

static long share_find(unsigned long frame)
{
	for (unsigned long i = share_slot(frame), n = 0; n < SHARE_SLOTS;
	     i = (i + 1) % SHARE_SLOTS, n++) {
		if (shares[i].frame == frame)
			return (long)i;
		if (!shares[i].frame)
			return -1;
	}
	return -1;
}

static unsigned long shares_used, shares_extra; /* slots in use; extra mappings */

static int share_inc(unsigned long frame)
{
	long i = share_find(frame);
	if (i >= 0) {
		shares[i].extra++;
		shares_extra++;
		return 0;
	}
	/* At most three quarters full, so that probes stay short. */
	if (shares_used >= SHARE_SLOTS / 4 * 3)
		return -1;
	for (unsigned long j = share_slot(frame), n = 0; n < SHARE_SLOTS;
	     j = (j + 1) % SHARE_SLOTS, n++)
		if (!shares[j].frame) {
			shares[j].frame = frame;
			shares[j].extra = 1;
			shares_used++;
			shares_extra++;
			return 0;
		}
	return -1;
}

/* One mapping of frame goes: 1 if it was the last (free the frame). */
static int share_dec(unsigned long frame)
{
	long i = share_find(frame);
	if (i < 0)
		return 1;
	shares_extra--;
	if (--shares[i].extra)
		return 0;
	shares_used--;
	/* Delete, shifting back the entries whose probe passed through i. */
	unsigned long hole = (unsigned long)i, j = hole;
	shares[hole].frame = 0;
	for (;;) {
		j = (j + 1) % SHARE_SLOTS;
		if (!shares[j].frame)
			break;
		unsigned long home = share_slot(shares[j].frame);
		if ((j > hole && (home <= hole || home > j)) ||
		    (j < hole && home <= hole && home > j)) {
			shares[hole] = shares[j];
			shares[j].frame = 0;
			hole = j;
		}
	}
	return 0;
}

/* How the last PAGER_ENDED processes ended, by process id. */
static struct {
	unsigned long pid, how, parent;
	long code;
} ended[PAGER_ENDED];

static struct process *find(unsigned long badge)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (procs[i].used && procs[i].badge == badge)
			return &procs[i];
	return 0;
}

static struct region *region_at(struct process *pr, unsigned long va)
{
	for (int i = 0; i < pr->nregions; i++)
		if (va - pr->regions[i].va < pr->regions[i].size)
			return &pr->regions[i];
	return 0;
}

/* The allocation at exactly [va, va + size), or 0. */
static struct region *region_exact(struct process *pr, unsigned long va, unsigned long size)
{
	for (int i = 0; i < pr->nregions; i++)
		if (pr->regions[i].va == va && pr->regions[i].size == size)
			return &pr->regions[i];
	return 0;
}

static int overlaps(struct process *pr, unsigned long va, unsigned long size)
{
	for (int i = 0; i < pr->nregions; i++)
		if (va < pr->regions[i].va + pr->regions[i].size && pr->regions[i].va < va + size)
			return 1;
	return 0;
}

/* Back one page of a region with a zeroed frame. */
static long back_page(struct process *pr, const struct region *r, unsigned long page)
{
	unsigned long f = frame_alloc_zeroed();
	if (!f)
		return -KEEL_EFULL;
	long e = map_page(&pr->pool, pr->p.as, page, f, r->flags & 7);
	if (e) {
		frame_free(f);
		return e;
	}
	pr->backed++;
	return 0;
}

/* Unmap what is backed in [va, va + size) and free the frames. */
static void unback(struct process *pr, unsigned long va, unsigned long size)
{
	for (unsigned long a = va; a < va + size; a += PAGE_SIZE) {
		long f = sys_unmap(pr->p.as, a);
		if (f > 0) {
			if (share_dec((unsigned long)f))
				frame_free((unsigned long)f);
			pr->backed--;
		}
	}
}

static void connection_end(struct process *pr)
{
	struct process *to = find(pr->conn_pid);

	if (!pr->conn_ep)
		return;
	sys_as_set_endpoint(pr->p.as, PAGER_CONN_SLOT, 0, 0);
	if (to) {
		sys_as_set_endpoint(to->p.as, PAGER_CONN_SLOT, 0, 0);
		to->conn_in = 0;
	}
	if (destroy_retry(pr->conn_ep) == 0)
		kpool_put(&pr->pool, pr->conn_ep);
	pr->conn_ep = 0;
}

static void process_end(struct process *pr, unsigned long how, long code)
{
	connection_end(pr);
	for (int i = 0; i < MAX_PROCS; i++) /* connections to it go too */
		if (procs[i].used && procs[i].conn_ep && procs[i].conn_pid == pr->badge)
			connection_end(&procs[i]);
	ended[pr->badge % PAGER_ENDED].pid = pr->badge;
	ended[pr->badge % PAGER_ENDED].how = how;
	ended[pr->badge % PAGER_ENDED].code = code;
	ended[pr->badge % PAGER_ENDED].parent = pr->parent;
	for (int i = 0; i < pr->nregions; i++)
		if (!(pr->regions[i].flags & PAGER_FIXED)) /* proc_destroy frees those */
			unback(pr, pr->regions[i].va, pr->regions[i].size);
	pr->nregions = 0;
	long r = proc_destroy(&pr->p);
	long q = kpool_release(&pr->pool);
	if (r || q)
		print_fmt("[pager] process %lu (%s): cleaning up failed (%ld, %ld)\n", pr->badge,
			  pr->name, r, q);
	pr->used = 0;
}

static long process_start(const char *name, unsigned long arg, unsigned long cpu,
			  unsigned long creator, unsigned long *pid)
{
	static unsigned long badges = 1;
	struct process *pr = 0;
	long r;

	for (int i = 0; i < MAX_PROCS && !pr; i++)
		if (!procs[i].used)
			pr = &procs[i];
	if (!pr)
		return -KEEL_EFULL;
	memset(pr, 0, sizeof(*pr));
	pr->badge = badges++;
	str_copy(pr->name, name, sizeof(pr->name));
	pr->next_va = CHOSEN_BASE;
	pr->quota = PAGER_QUOTA_DEFAULT;
	kpool_init(&pr->pool, &root_pool);
	r = spawn(&pr->p, &pr->pool, bi, name, pr->badge);
	if (!r)
		r = sys_thread_config(pr->p.tcb, THREAD_PRIO_DEFAULT, cpu, pager_ep);
	if (!r)
		r = sys_as_set_endpoint(pr->p.as, PAGER_SLOT, pager_ep, KEEL_EP_SEND);
	if (!r)
		r = proc_start(&pr->p, arg);
	if (r) {
		if (pr->p.as)
			proc_destroy(&pr->p);
		kpool_release(&pr->pool);
		return r;
	}
	/* What spawn mapped: no allocation, free or share may touch it. */
	struct region fixed[] = {
		{ pr->p.image_lo, pr->p.image_hi - pr->p.image_lo, KEEL_MAP_R | PAGER_FIXED },
		{ SPAWN_STACK_TOP - SPAWN_STACK_PAGES * PAGE_SIZE, SPAWN_STACK_PAGES * PAGE_SIZE,
		  KEEL_MAP_R | KEEL_MAP_W | PAGER_FIXED },
		{ SPAWN_IPC_BUF, PAGE_SIZE, KEEL_MAP_R | KEEL_MAP_W | PAGER_FIXED },
	};
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		pr->regions[pr->nregions++] = fixed[i];
	pr->used = 1;
	pr->parent = creator;
	if (pid)
		*pid = pr->badge;
	return 0;
}

static long do_alloc(struct process *pr, unsigned long va, unsigned long size, unsigned long flags,
		     unsigned long *out)
{
	if (!size || size % PAGE_SIZE || size > PAGER_MAX_ALLOC || va % PAGE_SIZE)
		return KEEL_EINVAL;
	if (flags & ~(unsigned long)(KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X | PAGER_EAGER |
				     PAGER_CONTIG) ||
	    !(flags & KEEL_MAP_R))
		return KEEL_EINVAL;
	if ((flags & PAGER_CONTIG) && (size & (size - 1)))
		return KEEL_EINVAL; /* a run is a power of two pages */
	int chosen = !va;
	if (chosen)
		va = pr->next_va;
	if (va + size < va || va + size > KEEL_USER_TOP)
		return KEEL_EFAULT;
	if (overlaps(pr, va, size))
		return KEEL_EEXIST;
	if (size > pr->quota - pr->reserved)
		return KEEL_EQUOTA;
	if (pr->nregions == MAX_REGIONS)
		return KEEL_EFULL;
	struct region *r = &pr->regions[pr->nregions];
	*r = (struct region){ va, size, (unsigned)flags };
	if (flags & PAGER_CONTIG) {
		unsigned long run = run_alloc(size);
		if (!run)
			return KEEL_ENOMEM;
		for (unsigned long off = 0; off < size; off += PAGE_SIZE) {
			if (frame_zero(run + off) ||
			    map_page(&pr->pool, pr->p.as, va + off, run + off, flags & 7)) {
				unback(pr, va, off); /* frees the run's frames mapped so far */
				for (unsigned long rest = off; rest < size; rest += PAGE_SIZE)
					frame_free(run + rest);
				return KEEL_ENOMEM;
			}
			pr->backed++;
		}
		out[1] = run;
	} else if (flags & PAGER_EAGER) {
		for (unsigned long a = va; a < va + size; a += PAGE_SIZE)
			if (back_page(pr, r, a)) {
				unback(pr, va, a - va);
				return KEEL_ENOMEM;
			}
	}
	pr->nregions++;
	pr->reserved += size;
	if (chosen)
		pr->next_va += size + PAGE_SIZE; /* a hole between allocations */
	out[0] = va;
	return 0;
}

static long do_free(struct process *pr, unsigned long va, unsigned long size)
{
	struct region *r = region_exact(pr, va, size);

	if (!r)
		return KEEL_ENOENT;
	if (r->flags & PAGER_FIXED)
		return KEEL_EINVAL;
	unback(pr, va, size);
	pr->reserved -= size;
	*r = pr->regions[--pr->nregions];
	return 0;
}

static long do_share(struct process *pr, unsigned long va, unsigned long size, unsigned long pid,
		     unsigned long flags, unsigned long *out)
{
	struct process *to = find(pid);
	struct region *src = region_exact(pr, va, size);
	unsigned long rights = flags & 7, dst = flags & ~PAGE_MASK;

	if (!src)
		return KEEL_ENOENT;
	if (!to || !pid)
		return KEEL_ENOENT;
	if (flags & (PAGE_MASK & ~7ul) || !(rights & KEEL_MAP_R) || (rights & ~src->flags) ||
	    (src->flags & PAGER_FIXED))
		return KEEL_EINVAL;
	/* Only into a process it spawned or connected to: not into strangers. */
	if (to->parent != pr->badge && !(pr->conn_ep && pr->conn_pid == to->badge))
		return KEEL_EPERM;
	int chosen = !dst;
	if (chosen)
		dst = to->next_va;
	if (dst + size < dst || dst + size > KEEL_USER_TOP)
		return KEEL_EFAULT;
	if (overlaps(to, dst, size))
		return KEEL_EEXIST;
	if (size > to->quota - to->reserved)
		return KEEL_EQUOTA;
	if (to->nregions == MAX_REGIONS)
		return KEEL_EFULL;
	/* Back the whole source, then map its frames into the other side. */
	for (unsigned long off = 0; off < size; off += PAGE_SIZE)
		if (sys_lookup(pr->p.as, va + off) < 0 && back_page(pr, src, va + off))
			return KEEL_ENOMEM;
	struct region *r = &to->regions[to->nregions];
	*r = (struct region){ dst, size, (unsigned)rights | PAGER_SHARED };
	for (unsigned long off = 0; off < size; off += PAGE_SIZE) {
		long f = sys_lookup(pr->p.as, va + off);
		if (f < 0 || share_inc((unsigned long)f) ||
		    map_page(&to->pool, to->p.as, dst + off, (unsigned long)f, rights)) {
			if (f >= 0 && share_find((unsigned long)f) >= 0)
				share_dec((unsigned long)f);
			unback(to, dst, off);
			return KEEL_ENOMEM;
		}
		to->backed++;
	}
	to->nregions++;
	to->reserved += size;
	if (chosen)
		to->next_va += size + PAGE_SIZE;
	*out = dst;
	return 0;
}

static long do_connect(struct process *pr, unsigned long pid)
{
	struct process *to = find(pid);
	long r;

	if (!to || !pid || to == pr)
		return KEEL_ENOENT;
	if (pr->conn_ep || pr->conn_in || to->conn_ep || to->conn_in)
		return KEEL_EEXIST; /* slot PAGER_CONN_SLOT is one per process */
	unsigned long ep = kpool_get(&pr->pool);
	if (!ep)
		return KEEL_ENOMEM;
	if ((r = sys_endpoint_create(ep)) ||
	    (r = sys_as_set_endpoint(pr->p.as, PAGER_CONN_SLOT, ep, KEEL_EP_SEND)) ||
	    (r = sys_as_set_endpoint(to->p.as, PAGER_CONN_SLOT, ep, KEEL_EP_RECV))) {
		sys_as_set_endpoint(pr->p.as, PAGER_CONN_SLOT, 0, 0);
		if (destroy_retry(ep) == 0)
			kpool_put(&pr->pool, ep);
		return -r;
	}
	pr->conn_ep = ep;
	pr->conn_pid = pid;
	to->conn_in = 1;
	return 0;
}

static long do_protect(struct process *pr, unsigned long va, unsigned long size,
		       unsigned long rights)
{
	struct region *r = region_exact(pr, va, size);

	if (!r)
		return KEEL_ENOENT;
	if (rights & ~7ul || !(rights & KEEL_MAP_R) || (r->flags & (PAGER_SHARED | PAGER_FIXED)))
		return KEEL_EINVAL;
	r->flags = (r->flags & ~7u) | (unsigned)rights;
	for (unsigned long a = va; a < va + size; a += PAGE_SIZE) {
		long f = sys_unmap(pr->p.as, a); /* the kernel shoots the old rights down */
		if (f >= 0 && map_page(&pr->pool, pr->p.as, a, (unsigned long)f, rights)) {
			if (share_dec((unsigned long)f)) /* the tables were there: unlikely */
				frame_free((unsigned long)f);
			pr->backed--;
		}
	}
	return 0;
}

static long do_query(struct process *pr, unsigned long va, unsigned long *out)
{
	struct region *r = region_at(pr, va & ~PAGE_MASK);

	if (!r)
		return KEEL_ENOENT;
	out[0] = r->va;
	out[1] = r->size;
	out[2] = r->flags;
	for (unsigned long a = r->va; a < r->va + r->size; a += PAGE_SIZE)
		out[3] += sys_lookup(pr->p.as, a) >= 0 ? PAGE_SIZE : 0;
	return 0;
}

static unsigned long overhead(void)
{
	unsigned long chunks = (unsigned long)root_pool.nchunks;
	for (int i = 0; i < MAX_PROCS; i++)
		if (procs[i].used)
			chunks += (unsigned long)procs[i].pool.nchunks;
	return chunks * CHUNK_SIZE + mem_bookkeeping_bytes();
}

/* The processes' data: each frame once, however many processes map it. */
static unsigned long data_bytes(void)
{
	unsigned long pages = 0;
	for (int i = 0; i < MAX_PROCS; i++)
		if (procs[i].used)
			pages += procs[i].backed;
	return (pages - shares_extra) * PAGE_SIZE;
}

/* May pr ask about process q?  Itself, what it spawned, and init (everything). */
static int may_see(const struct process *pr, const struct process *q)
{
	return q == pr || q->parent == pr->badge || pr->badge == 1;
}

/* A request from a process: the reply goes into m. */
static void request(struct process *pr, struct ipc_msg *m)
{
	unsigned long out[4] = { 0 };
	long err;

	switch (IPC_TAG_LABEL(m->tag)) {
	case PAGER_ALLOC:
		err = do_alloc(pr, m->w[0], m->w[1], m->w[2], out);
		break;
	case PAGER_FREE:
		err = do_free(pr, m->w[0], m->w[1]);
		break;
	case PAGER_SPAWN: {
		char name[NAME_MAX];
		unsigned long len = IPC_TAG_LEN(m->tag);
		const char *buf = (const char *)bi->ipc_buffer; /* where the kernel put it */
		err = KEEL_EINVAL;
		if (len && len <= NAME_MAX && buf[len - 1] == '\0') {
			memcpy(name, buf, len);
			long r = process_start(name, m->w[0], m->w[1], pr->badge, &out[0]);
			err = r < 0 ? -r : 0;
		}
		break;
	}
	case PAGER_SHARE:
		err = do_share(pr, m->w[0], m->w[1], m->w[2], m->w[3], &out[0]);
		break;
	case PAGER_CONNECT:
		err = do_connect(pr, m->w[0]);
		break;
	case PAGER_PROTECT:
		err = do_protect(pr, m->w[0], m->w[1], m->w[2]);
		break;
	case PAGER_QUERY:
		err = do_query(pr, m->w[0], out);
		break;
	case PAGER_STATUS: {
		unsigned long pid = m->w[0];
		struct process *q = pid ? find(pid) : 0;
		err = 0;
		if (q && may_see(pr, q)) {
			out[0] = PAGER_RUNNING;
		} else if (!q && pid && ended[pid % PAGER_ENDED].pid == pid &&
			   (ended[pid % PAGER_ENDED].parent == pr->badge || pr->badge == 1)) {
			out[0] = ended[pid % PAGER_ENDED].how;
			out[1] = (unsigned long)ended[pid % PAGER_ENDED].code;
		} else {
			err = KEEL_ENOENT;
		}
		break;
	}
	case PAGER_SHUTDOWN:
		if (!test_boot || pr->badge != 1) {
			err = KEEL_EPERM;
			break;
		}
		print_fmt("[pager] init asks to end the test run (code %ld)\n", (long)m->w[0]);
		sys_exit((long)m->w[0]);
	case PAGER_STATS:
		out[0] = mem_managed_bytes();
		out[1] = mem_free_bytes();
		out[2] = data_bytes();
		out[3] = overhead();
		err = 0;
		break;
	case PAGER_PSTATS: {
		struct process *q = m->w[0] ? find(m->w[0]) : pr;
		err = q && may_see(pr, q) ? 0 : KEEL_ENOENT;
		if (!err) {
			out[0] = q->backed * PAGE_SIZE;
			out[1] = q->reserved;
			out[2] = (unsigned long)q->pool.nchunks * CHUNK_SIZE;
			out[3] = q->quota;
		}
		break;
	}
	default:
		err = KEEL_ENOSYS;
		break;
	}
	m->tag = IPC_TAG((unsigned)err, 0);
	for (int i = 0; i < 4; i++)
		m->w[i] = out[i];
}

static const char *access_name(unsigned long code)
{
	unsigned long e = code & 0xffffffff;

	if (e & KEEL_FAULT_FETCH)
		return "fetch";
	return (e & KEEL_FAULT_WRITE) ? "write" : "read";
}

/* A fault: 1 if it was served (resume the thread), 0 if it kills. */
static int fault(struct process *pr, const struct ipc_msg *m)
{
	unsigned long addr = m->w[0], code = m->w[1], page = addr & ~PAGE_MASK;
	unsigned long err = code & 0xffffffff;
	struct region *r = region_at(pr, page);
	const char *why = "not allocated";

	if ((code >> 32) != KEEL_VECTOR_PF)
		why = "a CPU exception";
	else if (r && (r->flags & PAGER_FIXED))
		why = "not allowed in its image, stack or IPC buffer";
	else if (r && (err & KEEL_FAULT_PRESENT))
		why = "not allowed by the allocation's rights";
	else if (r && (err & KEEL_FAULT_WRITE) && !(r->flags & KEEL_MAP_W))
		why = "a write to read-only memory";
	else if (r && (err & KEEL_FAULT_FETCH) && !(r->flags & KEEL_MAP_X))
		why = "a fetch from memory that is not executable";
	else if (r && back_page(pr, r, page) == 0)
		return 1;
	else if (r)
		why = "out of memory";
	print_fmt("[pager] killed process %lu (%s): %s at 0x%lx, rip 0x%lx (%s)\n", pr->badge,
		  pr->name, access_name(code), addr, m->w[2], why);
	return 0;
}

static void serve(void)
{
	struct ipc_msg m = { 0 };
	long r = sys_recv(SLOT_PAGER, &m);

	for (;;) {
		if (r < 0) {
			print_fmt("[pager] receive failed: %ld\n", r);
			sys_sleep(100);
			r = sys_recv(SLOT_PAGER, &m);
			continue;
		}
		struct process *pr = find(m.badge);
		unsigned label = IPC_TAG_LABEL(m.tag);
		if (!pr) {
			r = sys_recv(SLOT_PAGER, &m); /* a process that is gone */
			continue;
		}
		if (!(m.tag & IPC_TAG_KERNEL)) {
			request(pr, &m);
			r = sys_reply_recv(SLOT_PAGER, &m);
		} else if (label == IPC_LABEL_FAULT && fault(pr, &m)) {
			m.tag = IPC_TAG(IPC_FAULT_RESUME, 0);
			r = sys_reply_recv(SLOT_PAGER, &m);
		} else {
			/* Killed (destroying its thread is the kill), or exited. */
			if (label == IPC_LABEL_EXIT)
				print_fmt("[pager] process %lu (%s) exited with %ld\n", pr->badge,
					  pr->name, (long)m.w[0]);
			if (label == IPC_LABEL_EXIT)
				process_end(pr, PAGER_EXITED, (long)m.w[0]);
			else
				process_end(pr, PAGER_KILLED, 0);
			r = sys_recv(SLOT_PAGER, &m);
		}
	}
}

/* Is `word` one of the space-separated words of s? */
static int has_word(const char *s, const char *word)
{
	unsigned long n = str_len(word);

	for (const char *p = s; *p; p++)
		if ((p == s || p[-1] == ' ') && !memcmp(p, word, n) && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

int main(const struct bootinfo *boot_info)
{
	long r;

	bi = boot_info;
	if ((r = mem_init(bi))) {
		print_fmt("[pager] cannot take over memory: %ld\n", r);
		return 1;
	}
	print_fmt("[pager] managing %lu bytes of free memory in %u ranges\n", mem_managed_bytes(),
		  bi->range_count);
	print_fmt("[pager] first instruction at TSC %lu\n", keel_start_tsc);
	pager_ep = kpool_get(&root_pool);
	if (!pager_ep || (r = sys_endpoint_create(pager_ep)) ||
	    (r = sys_as_set_endpoint(bi->self_as, SLOT_PAGER, pager_ep,
				     KEEL_EP_SEND | KEEL_EP_RECV))) {
		print_fmt("[pager] cannot make its endpoint: %ld\n", r);
		return 1;
	}
	/* Above every client (include/abi/syscall.h, THREAD_PRIO_SERVER). */
	if ((r = sys_thread_config(bi->self_thread, THREAD_PRIO_SERVER, 0, 0))) {
		print_fmt("[pager] cannot raise its priority: %ld\n", r);
		return 1;
	}
	test_boot = sys_debug_test("probe", 3, 0) != -KEEL_ENOSYS; /* 3: EINVAL, no line */
	if ((r = process_start("init", has_word(bi->cmdline, "bench") ? INIT_BENCH : 0, 0, 0, 0))) {
		print_fmt("[pager] cannot start init: %ld\n", r);
		return 1;
	}
	serve();
	return 0;
}
