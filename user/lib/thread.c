/*
 * thread.c - threads in the root's own address space.
 */
#include "thread.h"
#include "cslot.h"
#include "keel.h"
#include "str.h"

static unsigned long slots_used[ROOT_THREAD_SLOTS / 64];

static unsigned long slot_base(int slot)
{
	return ROOT_THREADS_BASE + (unsigned long)slot * ROOT_THREAD_SLOT_SIZE;
}

/*
 * The first code a thread runs, entered like a function just called:
 * RDI the uthread, (RSP + 8) % 16 == 0.  It must never return.
 */
static _Noreturn void uthread_entry(struct uthread *t)
{
	keel_exit(t->fn(t));
}

/* Unmap the slot's pages and free their frames. */
static void slot_free(int slot)
{
	unsigned long base = slot_base(slot), self = mem_self_as();

	for (unsigned long off = 0; off < ROOT_THREAD_SLOT_SIZE; off += PAGE_SIZE) {
		long r = keel_unmap(self, base + off, mem_cap());
		if (r > 0)
			frame_free((unsigned long)r);
	}
	slots_used[slot / 64] &= ~(1ul << (slot % 64));
}

static int slot_alloc(void)
{
	for (int s = 0; s < ROOT_THREAD_SLOTS; s++) {
		if (!(slots_used[s / 64] & (1ul << (s % 64)))) {
			slots_used[s / 64] |= 1ul << (s % 64);
			return s;
		}
	}
	return -1;
}

/* Map a fresh zeroed frame at va in the root: its frame, or -error. */
static long map_fresh(unsigned long va)
{
	unsigned long f = frame_alloc();
	if (!f)
		return -KEEL_EFULL;
	long r = map_page(&root_pool, mem_self_as(), va, f, KEEL_MAP_R | KEEL_MAP_W);
	if (r < 0) {
		frame_free(f);
		return r;
	}
	page_clear((void *)va);
	return (long)f;
}

long uthread_create(struct uthread *t, struct kpool *pool, long (*fn)(struct uthread *), void *arg,
		    unsigned long badge)
{
	long r;

	memset(t, 0, sizeof(*t));
	t->slot = slot_alloc();
	if (t->slot < 0)
		return -KEEL_EFULL;
	unsigned long base = slot_base(t->slot);
	r = map_fresh(base + ROOT_THREAD_BUF_OFF);
	if (r < 0)
		goto fail;
	t->buf_frame = (unsigned long)r;
	t->buf = (void *)(base + ROOT_THREAD_BUF_OFF);
	for (unsigned long off = 0; off < ROOT_THREAD_STACK_SIZE; off += PAGE_SIZE) {
		r = map_fresh(base + ROOT_THREAD_STACK_OFF + off);
		if (r < 0)
			goto fail;
	}
	t->tcb_frame = kpool_get(pool);
	if (!t->tcb_frame) {
		r = pool->error ? pool->error : -KEEL_EFULL;
		goto fail;
	}
	long th = cslot_alloc();
	if (th < 0)
		r = th;
	else
		r = keel_thread_create(mem_cap(), t->tcb_frame, mem_self_as(), t->buf_frame, badge,
				       (unsigned long)th);
	if (r < 0) {
		if (th >= 0)
			cslot_free((unsigned long)th);
		kpool_put(pool, t->tcb_frame);
		goto fail;
	}
	t->tcb = (unsigned long)th;
	t->pool = pool;
	t->badge = badge;
	t->fn = fn;
	t->arg = arg;
	return 0;
fail:
	slot_free(t->slot);
	t->slot = -1;
	t->tcb = t->tcb_frame = 0;
	return r;
}

long uthread_config(struct uthread *t, unsigned long prio, unsigned long cpu,
		    unsigned long pager_ep)
{
	return keel_thread_config(t->tcb, prio, cpu, pager_ep);
}

long uthread_start(struct uthread *t)
{
	unsigned long top = slot_base(t->slot) + ROOT_THREAD_STACK_OFF + ROOT_THREAD_STACK_SIZE;

	/* As if called: a (zero) return address at a 16-byte boundary + 8. */
	*(unsigned long *)(top - 8) = 0;
	return keel_thread_start(t->tcb, (unsigned long)uthread_entry, top - 8, (unsigned long)t);
}

long uthread_destroy(struct uthread *t)
{
	if (!t->tcb)
		return 0;
	long r = destroy_retry(t->tcb); /* frees the slot too */
	if (r < 0)
		return r;
	kpool_put(t->pool, t->tcb_frame);
	t->tcb = t->tcb_frame = 0;
	if (t->slot >= 0)
		slot_free(t->slot);
	t->slot = -1;
	return 0;
}
