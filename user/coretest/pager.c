/*
 * pager.c - the root's pager thread.  Every thread coretest starts has its
 * endpoint as pager.  It records each fault and exit in the watching
 * test's struct client; a fault inside the client's demand range gets the
 * next prepared (zeroed) frame mapped and is resumed, any other is killed.
 * It maps with tables from a pool of its own, so it never allocates from
 * the main thread's.
 */
#include "ct.h"

#define WATCH_MAX 32

static struct client *watch[WATCH_MAX];
static struct kpool pager_pool;
static struct uthread pager_thread;
static int strays;

void pager_watch(struct client *c, unsigned long badge)
{
	c->badge = badge;
	for (int i = 0; i < WATCH_MAX; i++) {
		if (!__atomic_load_n(&watch[i], __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&watch[i], c, __ATOMIC_RELEASE);
			return;
		}
	}
}

void pager_unwatch(struct client *c)
{
	for (int i = 0; i < WATCH_MAX; i++)
		if (__atomic_load_n(&watch[i], __ATOMIC_ACQUIRE) == c)
			__atomic_store_n(&watch[i], 0, __ATOMIC_RELEASE);
}

int pager_strays(void)
{
	return __atomic_load_n(&strays, __ATOMIC_ACQUIRE);
}

static struct client *find(unsigned long badge)
{
	for (int i = 0; i < WATCH_MAX; i++) {
		struct client *c = __atomic_load_n(&watch[i], __ATOMIC_ACQUIRE);
		if (c && c->badge == badge)
			return c;
	}
	return 0;
}

/* A fault: record it, and say whether to resume. */
static int fault(struct client *c, const struct keel_msg *m)
{
	int n = c->faults;

	if (c->killed)
		__atomic_add_fetch(&c->late, 1, __ATOMIC_RELEASE);
	if (n < CLIENT_FAULTS) {
		c->addr[n] = m->w[0];
		c->code[n] = m->w[1];
		c->rip[n] = m->w[2];
		c->tag[n] = m->tag;
	}
	int resume = 0;
	unsigned long page = m->w[0] & ~PAGE_MASK;
	if ((m->w[1] >> 32) == KEEL_VECTOR_PF && page >= c->lo && page < c->hi &&
	    c->used < c->ndemand) {
		long r = c->map_in_reply ? 0 /* the reply maps it: map_reply */
					 : map_page(&pager_pool, c->as, page, c->demand[c->used],
						    KEEL_MAP_R | KEEL_MAP_W);
		if (r)
			print_fmt("[coretest] pager: mapping 0x%lx failed: %ld\n", page, r);
		if (r == 0) {
			c->used++;
			resume = 1;
		}
	}
	if (!resume)
		__atomic_store_n(&c->killed, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&c->faults, n + 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&c->events, 1, __ATOMIC_RELEASE);
	return resume;
}

/*
 * Answer c's fault at `page` with IPC_FAULT_MAP of the demand frame just
 * taken.  The first time, six replies the kernel must refuse first, each
 * changing nothing (the thread still waits): their errors go to
 * c->map_errors.  A reply that finds a table missing is answered the
 * long way (SYS_MAP, which the library supplies tables for, and a
 * resume).  With c->lose, the thread is destroyed first (see ct.h).
 * Returns what the last SYS_REPLY_RECV (or SYS_RECV) returned (0: m
 * holds the next message).
 */
static long map_reply(struct client *c, unsigned long page, struct keel_msg *m, unsigned long ep)
{
	unsigned long frame = c->demand[c->used - 1], rw = KEEL_MAP_R | KEEL_MAP_W;
	const unsigned long bad[6][4] = {
		{ ct.mem, ct.mem, frame, page | rw },	      /* not an address space: EBADOBJ */
		{ c->as, EMPTY_SLOT, frame, page | rw },      /* no memory capability: ENOENT */
		{ c->other_as, ct.mem, frame, page | rw },    /* another space: EINVAL */
		{ c->as, ct.mem, frame, page | KEEL_MAP_W },  /* no R: EINVAL */
		{ c->as, ct.mem, frame + 8, page | rw },      /* not a frame's offset: EINVAL */
		{ c->as, ct.mem, frame, KEEL_USER_TOP | rw }, /* not a user address: EFAULT */
	};
	long r;

	if (c->lose) {
		uthread_destroy(c->lose);
		c->lose = 0;
		*m = (struct keel_msg){ 0,
					IPC_TAG(IPC_FAULT_MAP, 0),
					{ c->as, ct.mem, frame, page | rw } };
		r = keel_reply_recv(ep, m);
		c->lost_result = r;
		__atomic_store_n(&c->lost, 1, __ATOMIC_RELEASE);
		if (r == 0)
			return 0; /* taken (wrongly): m is the next message */
		c->used--;	  /* the frame was not mapped */
		return keel_recv(ep, m);
	}
	while (c->nmap_errors < 6) {
		const unsigned long *w = bad[c->nmap_errors];
		*m = (struct keel_msg){ 0, IPC_TAG(IPC_FAULT_MAP, 0), { w[0], w[1], w[2], w[3] } };
		r = keel_reply_recv(ep, m);
		c->map_errors[c->nmap_errors++] = r;
		if (r == 0)
			return 0; /* taken (wrongly): m is the next message */
	}
	*m = (struct keel_msg){ 0, IPC_TAG(IPC_FAULT_MAP, 0), { c->as, ct.mem, frame, page | rw } };
	r = keel_reply_recv(ep, m);
	if (!asks_for_tables(r))
		return r;
	c->map_fallbacks++;
	r = map_page(&pager_pool, c->as, page, frame, rw);
	*m = (struct keel_msg){ 0, IPC_TAG(r ? IPC_FAULT_KILL : IPC_FAULT_RESUME, 0), { 0 } };
	return keel_reply_recv(ep, m);
}

static void exited(struct client *c, const struct keel_msg *m)
{
	if (c->killed)
		__atomic_add_fetch(&c->late, 1, __ATOMIC_RELEASE);
	c->exit_code = (long)m->w[0];
	c->exit_tag = m->tag;
	__atomic_add_fetch(&c->exits, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&c->events, 1, __ATOMIC_RELEASE);
}

static long pager_main(struct uthread *t)
{
	struct keel_msg m = { 0 };
	unsigned long ep = ct.pager_ep;
	long r = keel_recv(ep, &m);

	(void)t;
	for (;;) {
		if (r < 0) {
			__atomic_add_fetch(&strays, 1, __ATOMIC_RELEASE);
			keel_yield();
			r = keel_recv(ep, &m);
			continue;
		}
		struct client *c = find(m.badge);
		unsigned label = IPC_TAG_LABEL(m.tag);
		if (!c || !(m.tag & IPC_TAG_KERNEL)) {
			__atomic_add_fetch(&strays, 1, __ATOMIC_RELEASE);
			if (label == IPC_LABEL_FAULT && (m.tag & IPC_TAG_KERNEL)) {
				m.tag = IPC_TAG(IPC_FAULT_KILL, 0);
				r = keel_reply_recv(ep, &m);
			} else {
				r = keel_recv(ep, &m);
			}
			continue;
		}
		if (label == IPC_LABEL_FAULT) {
			unsigned long page = m.w[0] & ~PAGE_MASK;
			int resume = fault(c, &m);
			if (resume && c->map_in_reply) {
				r = map_reply(c, page, &m, ep);
				continue;
			}
			m.tag = IPC_TAG(resume ? IPC_FAULT_RESUME : IPC_FAULT_KILL, 0);
			m.w[0] = m.w[1] = m.w[2] = m.w[3] = 0;
			r = keel_reply_recv(ep, &m);
		} else {
			if (label == IPC_LABEL_EXIT)
				exited(c, &m);
			else
				__atomic_add_fetch(&strays, 1, __ATOMIC_RELEASE);
			r = keel_recv(ep, &m);
		}
	}
	__builtin_unreachable(); /* (GCC warns about a missing return otherwise) */
}

long pager_init(void)
{
	long r;

	/* Its own tables and count tables, from a chunk donated now. */
	kpool_init(&pager_pool, 0);
	r = kpool_grow(&pager_pool);
	if (r < 0)
		return r;
	pager_pool.fixed = 1;

	int slot;
	unsigned long frame;
	r = endpoint_new(&root_pool, &slot, &frame);
	if (r < 0)
		return r;
	ct.pager_ep = (unsigned long)slot;
	r = uthread_create(&pager_thread, &root_pool, pager_main, 0, PAGER_BADGE);
	if (r < 0)
		return r;
	r = uthread_config(&pager_thread, PAGER_PRIO, 0, KEEL_CAP_NONE);
	if (r < 0)
		return r;
	/* It maps pages for its clients with the root's capabilities: its thread shares them. */
	return uthread_start(&pager_thread);
}

void expect_fault(struct client *c, int i, unsigned long addr, unsigned bits, const char *what)
{
	int n = __atomic_load_n(&c->faults, __ATOMIC_ACQUIRE);

	if (i >= n || i >= CLIENT_FAULTS) {
		expect(0, "%s: no fault %d (%d faults, %d exits)", what, i, n, c->exits);
		return;
	}
	expect((c->tag[i] & IPC_TAG_KERNEL) != 0,
	       "%s: the fault message's tag 0x%lx has no kernel bit", what, c->tag[i]);
	expect((c->code[i] >> 32) == KEEL_VECTOR_PF, "%s: vector %lu, want 14", what,
	       c->code[i] >> 32);
	expect(c->addr[i] == addr, "%s: address 0x%lx, want 0x%lx", what, c->addr[i], addr);
	expect((c->code[i] & FAULT_BITS) == bits, "%s: error bits 0x%lx, want 0x%x", what,
	       c->code[i] & FAULT_BITS, bits);
}
