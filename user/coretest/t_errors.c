/*
 * t_errors.c - every system call's error paths, with the root's
 * capabilities: each argument in turn made bad in each way, the exact code
 * checked, and the order (the first bad argument decides) checked where
 * two are bad.  Capability arguments are table-driven (cap_cases): each is
 * given a slot out of range (EINVAL), an empty one (ENOENT), one of each
 * other type (EBADOBJ), a copy lacking the right the call needs (EPERM)
 * and a stale one (EDEAD), in that order of checks.  The same table, with
 * the physical address of a live object where a capability goes, is
 * t_raw.c's.
 */
#include "errors.h"

#define R	     KEEL_MAP_R
#define KFRAME	     0x200000ul		  /* the kernel image's load address */
#define NOTRAM	     0xa0000ul		  /* VGA memory */
#define NOTRAM_HI    (1ul << 46)	  /* above all RAM: outside the root memory capability */
#define MMIO_CHUNK   0xfec00000ul	  /* the I/O APIC's 2 MB, not RAM */
#define WRAP_BASE    0xffffffffffe00000ul /* + 4 MB wraps around */

#define E(call, err) expect_eq((call), -(long)(err), #call)
#define OK(call)     expect_eq((call), 0, #call)

struct errfx fx;

/* A new object of `type` in a frame of fx.pool, in a free slot: the slot, or -error. */
static long object_new(unsigned type, unsigned long *frame)
{
	unsigned long f = kpool_get(&fx.pool), f2 = 0, f3 = 0;
	int s = slot_alloc();
	long r = -KEEL_EFULL;

	*frame = f;
	if (!f || s < 0)
		goto fail;
	if (type == KEEL_CAP_ENDPOINT)
		r = keel_endpoint_create(fx.mem, f, (unsigned long)s);
	else if (type == KEEL_CAP_NOTIFY)
		r = keel_notify_create(fx.mem, f, (unsigned long)s);
	else if (type == KEEL_CAP_THREAD)
		r = keel_thread_create(fx.mem, f, fx.as, KEEL_NO_BUFFER, fx.tcb_badge = badge_new(),
				       (unsigned long)s);
	else if ((f2 = kpool_get(&fx.pool)) && (f3 = kpool_get(&fx.pool)))
		r = keel_as_create(fx.mem, f, f2, f3, (unsigned long)s);
	if (r == 0)
		return s;
fail:
	slot_free(s);
	return r;
}

/* Every right of a type. */
static unsigned long all_rights(unsigned type)
{
	switch (type) {
	case KEEL_CAP_MEMORY:
		return KEEL_MEM_R | KEEL_MEM_W | KEEL_MEM_X | KEEL_MEM_KMEM;
	case KEEL_CAP_ASPACE:
		return KEEL_AS_MAP | KEEL_AS_CAPS | KEEL_AS_THREAD | KEEL_CAP_DESTROY;
	case KEEL_CAP_THREAD:
		return KEEL_TH_CONFIG | KEEL_TH_START | KEEL_CAP_DESTROY;
	case KEEL_CAP_NOTIFY:
		return KEEL_NT_SIGNAL | KEEL_NT_WAIT | KEEL_CAP_DESTROY;
	case KEEL_CAP_IOPORT:
		return KEEL_IO_USE;
	case KEEL_CAP_IRQ:
		return KEEL_IRQ_BIND;
	case KEEL_CAP_DEVICE:
		return KEEL_DEV_R | KEEL_DEV_W;
	default:
		return KEEL_EP_SEND | KEEL_EP_RECV | KEEL_EP_GRANT | KEEL_CAP_DESTROY;
	}
}

/* The fixture's capability of each type (every right). */
unsigned long errfx_of(unsigned type)
{
	switch (type) {
	case KEEL_CAP_MEMORY:
		return fx.mem;
	case KEEL_CAP_ASPACE:
		return fx.as;
	case KEEL_CAP_THREAD:
		return fx.tcb;
	case KEEL_CAP_NOTIFY:
		return fx.nt;
	case KEEL_CAP_IOPORT:
		return ct.bi->ioports;
	case KEEL_CAP_IRQ:
		return ct.bi->irqs;
	case KEEL_CAP_DEVICE:
		return ct.bi->devices;
	default:
		return fx.ep;
	}
}

/* A copy of the fixture's `type` capability with every right but `right`. */
static long lacking(unsigned type, unsigned long right)
{
	for (int i = 0; i < fx.nlack; i++)
		if (fx.lack[i].type == type && fx.lack[i].right == right)
			return (long)fx.lack[i].slot;
	if (fx.nlack == ERRFX_LACK)
		return -KEEL_EFULL;
	long s = cap_dup(errfx_of(type), all_rights(type) & ~right, 0);
	if (s >= 0)
		fx.lack[fx.nlack++] = (struct errfx_lack){ type, right, (unsigned long)s };
	return s;
}

static long setup(void)
{
	long r;

	memset(&fx, 0, sizeof(fx));
	kpool_init(&fx.pool, &root_pool);
	fx.mem = ct.mem;
	fx.va = NEVER_VA;
	fx.freef = kpool_get(&fx.pool);
	fx.freef2 = kpool_get(&fx.pool);
	fx.freef3 = kpool_get(&fx.pool);
	fx.user = frame_alloc_zeroed();
	fx.raw = frame_alloc();
	fx.chunk = chunk_alloc();
	fx.donated = chunk_alloc();
	long dst = slot_alloc();
	if (!fx.freef || !fx.freef2 || !fx.freef3 || !fx.user || !fx.raw || !fx.chunk ||
	    !fx.donated || dst < 0)
		return -KEEL_EFULL;
	fx.dst = (unsigned long)dst;
	fx.user_va = scratch_map(fx.user, KEEL_MAP_R | KEEL_MAP_W);
	if (!fx.user_va)
		return -KEEL_EFULL;
	r = keel_kmem_donate(fx.mem, fx.donated, CHUNK_SIZE);
	if (r < 0)
		return r;
	/* The live objects (the address space first: the thread runs in it). */
	if ((r = object_new(KEEL_CAP_ASPACE, &fx.as_f)) < 0)
		return r;
	fx.as = (unsigned long)r;
	if ((r = object_new(KEEL_CAP_ENDPOINT, &fx.ep_f)) < 0)
		return r;
	fx.ep = (unsigned long)r;
	if ((r = object_new(KEEL_CAP_NOTIFY, &fx.nt_f)) < 0)
		return r;
	fx.nt = (unsigned long)r;
	if ((r = object_new(KEEL_CAP_THREAD, &fx.tcb_f)) < 0)
		return r;
	fx.tcb = (unsigned long)r;
	unsigned long tcb_badge = fx.tcb_badge;
	/* The stale ones: made, copied, destroyed through the original. */
	for (unsigned type = KEEL_CAP_ASPACE; type <= KEEL_CAP_NOTIFY; type++) {
		unsigned long f;
		if ((r = object_new(type, &f)) < 0)
			return r;
		if ((r = cap_stale((unsigned long)r)) < 0)
			return r;
		fx.dead[type] = (unsigned long)r;
		kpool_put(&fx.pool, f); /* free again; the stale capability still names it */
	}
	fx.tcb_badge = tcb_badge; /* (the stale thread had its own) */
	return 0;
}

static void expect_any(long r, long a, long b, const char *what)
{
	expect(r == -a || r == -b, "%s: got %ld, want %ld or %ld", what, r, -a, -b);
}

static void err_unknown_syscall(void)
{
	test_begin("err_unknown_syscall");
	E(keel_syscall(SYS_COUNT, 0, 0, 0, 0, 0, 0), KEEL_ENOSYS);
	E(keel_syscall(1000, 0, 0, 0, 0, 0, 0), KEEL_ENOSYS);
	E(keel_syscall(-1, 0, 0, 0, 0, 0, 0), KEEL_ENOSYS);
	E(keel_syscall(0x7fffffffffffffffl, 0, 0, 0, 0, 0, 0), KEEL_ENOSYS);
	E(keel_syscall(1l << 32 | SYS_YIELD, 0, 0, 0, 0, 0, 0), KEEL_ENOSYS);
	E(keel_syscall((long)(1ul << 63 | SYS_INFO), 0, 0, 0, 0, 0, 0), KEEL_ENOSYS);
	test_end();
}

static void err_debug_write(void)
{
	test_begin("err_debug_write");
	E(keel_debug_write((void *)KERNEL_VA, 16), KEEL_EFAULT);
	E(keel_debug_write((void *)0xffff800000100000ul, 16), KEEL_EFAULT);
	E(keel_debug_write((void *)NONCANON_VA, 1), KEEL_EFAULT);
	E(keel_debug_write((void *)(~0ul - 10), 100), KEEL_EFAULT);
	E(keel_debug_write((void *)0x7fffffffff00ul, 0x1000), KEEL_EFAULT);
	E(keel_debug_write((void *)NEVER_VA, 8), KEEL_EFAULT);
	E(keel_debug_write(ct.ipcbuf, SYS_DEBUG_WRITE_MAX + 1), KEEL_EINVAL);
	OK(keel_debug_write(ct.ipcbuf, 0));
	test_end();
}

/* Where a case's bad slots come from, and what each must give. */
static int bad_slots(const struct cap_case *c, struct bad_slot *out)
{
	unsigned long good = (unsigned long)c->a[c->arg];
	int n = 0;

#define BAD(s, w, k) (out[n++] = (struct bad_slot){ (s), (w), (k) })
	BAD(KEEL_CAP_SLOTS, KEEL_EINVAL, "slot 128");
	BAD(KEEL_CAP_SLOTS + (good & 127), KEEL_EINVAL, "the good slot + 128");
	BAD(256 + good, KEEL_EINVAL, "the good slot + 256");
	BAD(1ul << 32 | good, KEEL_EINVAL, "the good slot + 2^32");
	BAD(~0ul, KEEL_EINVAL, "slot ~0");
	if (!(c->flags & CC_SELF_OK))
		BAD(KEEL_CAP_SELF, KEEL_EINVAL, "KEEL_CAP_SELF");
	if (!(c->flags & (CC_NONE_OK | CC_NONE_UNSAID)))
		BAD(KEEL_CAP_NONE, KEEL_EINVAL, "KEEL_CAP_NONE");
	BAD(EMPTY_SLOT, KEEL_ENOENT, "an empty slot");
	for (unsigned t = KEEL_CAP_MEMORY; c->type && t <= KEEL_CAP_DEVICE; t++)
		if (t != c->type)
			BAD(errfx_of(t), KEEL_EBADOBJ, "another type");
	if (c->right) {
		long l = lacking(c->type, c->right);
		if (l >= 0)
			BAD((unsigned long)l, KEEL_EPERM, "a copy without the right");
		else
			BAD(~0ul, KEEL_EPERM, "(no copy without the right could be made)");
	}
	if (c->type != KEEL_CAP_MEMORY && c->type != KEEL_CAP_IOPORT && c->type != KEEL_CAP_IRQ &&
	    c->type != KEEL_CAP_DEVICE) /* ranges: never destroyed */
		BAD(fx.dead[c->type ? c->type : KEEL_CAP_ENDPOINT], KEEL_EDEAD, "a stale one");
#undef BAD
	return n;
}

int cap_cases(struct cap_case *out, int ipc)
{
	unsigned long m = fx.mem, a = fx.as, t = fx.tcb, e = fx.ep, nt = fx.nt, va = fx.va;
	const unsigned long S = KEEL_CAP_SELF;
	const unsigned MEM = KEEL_CAP_MEMORY, AS = KEEL_CAP_ASPACE, TH = KEEL_CAP_THREAD,
		       EP = KEEL_CAP_ENDPOINT, NT = KEEL_CAP_NOTIFY, IO = KEEL_CAP_IOPORT,
		       IRQ = KEEL_CAP_IRQ, DEV = KEEL_CAP_DEVICE;
	unsigned long io = ct.bi->ioports, irq = ct.bi->irqs, dev = ct.bi->devices;
	int n = 0;

#define CASE(nm, num, arg, type, right, flags, a0, a1, a2, a3, a4, a5)                    \
	(n == CAP_CASES_MAX                                                               \
	     ? (void)0                                                                    \
	     : (void)(out[n++] = (struct cap_case){ nm,                                   \
						    num,                                  \
						    arg,                                  \
						    type,                                 \
						    right,                                \
						    flags,                                \
						    { (long)(a0), (long)(a1), (long)(a2), \
						      (long)(a3), (long)(a4), (long)(a5) } }))
	if (ipc) {
		CASE("SEND", SYS_SEND, 0, EP, KEEL_EP_SEND, 0, e, IPC_TAG(1, 0), 1, 2, 3, 4);
		CASE("CALL", SYS_CALL, 0, EP, KEEL_EP_SEND, 0, e, IPC_TAG(1, 0), 1, 2, 3, 4);
		CASE("RECV", SYS_RECV, 0, EP, KEEL_EP_RECV, 0, e, 0, 0, 0, 0, 0);
		CASE("REPLY_RECV", SYS_REPLY_RECV, 0, EP, KEEL_EP_RECV, 0, e, IPC_TAG(1, 0), 0, 0,
		     0, 0);
		return n;
	}
	CASE("KMEM_DONATE", SYS_KMEM_DONATE, 0, MEM, KEEL_MEM_KMEM, 0, m, fx.chunk, CHUNK_SIZE, 0,
	     0, 0);
	CASE("KMEM_RECLAIM", SYS_KMEM_RECLAIM, 0, MEM, KEEL_MEM_KMEM, 0, m, fx.donated, CHUNK_SIZE,
	     0, 0, 0);
	CASE("KMEM_COUNTS", SYS_KMEM_COUNTS, 0, MEM, KEEL_MEM_KMEM, 0, m, fx.user, fx.freef, 0, 0,
	     0);
	CASE("AS_CREATE", SYS_AS_CREATE, 0, MEM, KEEL_MEM_KMEM, 0, m, fx.freef, fx.freef2,
	     fx.freef3, fx.dst, 0);
	CASE("MAP as", SYS_MAP, 0, AS, KEEL_AS_MAP, 0, a, va, m, fx.user, R, 0);
	CASE("MAP mem", SYS_MAP, 2, MEM, KEEL_MEM_R, 0, a, va, m, fx.user, R, 0);
	CASE("MAP mem (X)", SYS_MAP, 2, MEM, KEEL_MEM_X, 0, a, va, m, fx.user, R | KEEL_MAP_X, 0);
	CASE("UNMAP as", SYS_UNMAP, 0, AS, KEEL_AS_MAP, 0, a, va, m, 0, 0, 0);
	CASE("UNMAP mem", SYS_UNMAP, 2, MEM, 0, CC_NONE_OK, a, va, m, 0, 0, 0);
	CASE("LOOKUP as", SYS_LOOKUP, 0, AS, KEEL_AS_MAP, 0, a, va, m, 0, 0, 0);
	CASE("LOOKUP mem", SYS_LOOKUP, 2, MEM, 0, 0, a, va, m, 0, 0, 0);
	CASE("UNMAP_RANGE as", SYS_UNMAP_RANGE, 0, AS, KEEL_AS_MAP, 0, a, va, 1, m, 0, 0);
	CASE("MAP_RANGE as", SYS_MAP_RANGE, 0, AS, KEEL_AS_MAP, 0, a, va, m, fx.user, 1, R);
	CASE("MAP_RANGE mem", SYS_MAP_RANGE, 2, MEM, KEEL_MEM_R, 0, a, va, m, fx.user, 1, R);
	CASE("UNMAP_RANGE mem", SYS_UNMAP_RANGE, 3, MEM, 0, CC_NONE_OK, a, va, 1, m, 0, 0);
	CASE("SUPPLY_TABLE as", SYS_SUPPLY_TABLE, 0, AS, KEEL_AS_MAP, 0, a, va, 3, m, fx.freef, 0);
	CASE("SUPPLY_TABLE mem", SYS_SUPPLY_TABLE, 3, MEM, KEEL_MEM_KMEM, 0, a, va, 3, m, fx.freef,
	     0);
	CASE("THREAD_CREATE mem", SYS_THREAD_CREATE, 0, MEM, KEEL_MEM_KMEM, 0, m, fx.freef, a,
	     KEEL_NO_BUFFER, 1, fx.dst);
	CASE("THREAD_CREATE as", SYS_THREAD_CREATE, 2, AS, KEEL_AS_THREAD, 0, m, fx.freef, a,
	     KEEL_NO_BUFFER, 1, fx.dst);
	CASE("THREAD_CONFIG th", SYS_THREAD_CONFIG, 0, TH, KEEL_TH_CONFIG, 0, t,
	     THREAD_PRIO_DEFAULT, 0, KEEL_CAP_NONE, 0, 0);
	CASE("THREAD_CONFIG pager", SYS_THREAD_CONFIG, 3, EP, KEEL_EP_SEND, CC_NONE_OK, t,
	     THREAD_PRIO_DEFAULT, 0, e, 0, 0);
	CASE("THREAD_START", SYS_THREAD_START, 0, TH, KEEL_TH_START, 0, t, PROG_LOAD_BASE,
	     0x7fff0000ul, 0, 0, 0);
	CASE("ENDPOINT_CREATE", SYS_ENDPOINT_CREATE, 0, MEM, KEEL_MEM_KMEM, 0, m, fx.freef, fx.dst,
	     0, 0, 0);
	CASE("NOTIFY_CREATE", SYS_NOTIFY_CREATE, 0, MEM, KEEL_MEM_KMEM, 0, m, fx.freef, fx.dst, 0,
	     0, 0);
	CASE("SIGNAL", SYS_SIGNAL, 0, NT, KEEL_NT_SIGNAL, 0, nt, 0, 0, 0, 0, 0);
	CASE("WAIT", SYS_WAIT, 0, NT, KEEL_NT_WAIT, 0, nt, KEEL_WAIT_POLL, 0, 0, 0, 0);
	CASE("NOTIFY_BIND th", SYS_NOTIFY_BIND, 0, TH, KEEL_TH_CONFIG, 0, t, nt, 0, 0, 0, 0);
	CASE("NOTIFY_BIND nt", SYS_NOTIFY_BIND, 1, NT, KEEL_NT_WAIT, CC_NONE_OK, t, nt, 0, 0, 0, 0);
	CASE("IO_DERIVE", SYS_IO_DERIVE, 0, IO, 0, 0, io, 0x80, 1, fx.dst, 0, 0);
	/* USE is an I/O capability's only right: no copy lacks it (a copy needs a right). */
	CASE("IO_ENABLE io", SYS_IO_ENABLE, 0, IO, 0, 0, io, a, 0x80, 1, 0, 0);
	CASE("IO_ENABLE as", SYS_IO_ENABLE, 1, AS, KEEL_AS_MAP, 0, io, a, 0x80, 1, 0, 0);
	CASE("IRQ_DERIVE", SYS_IRQ_DERIVE, 0, IRQ, 0, 0, irq, 1, 1, fx.dst, 0, 0);
	/* As with ports, BIND is the only right: no copy lacks it.  Line 1 (keyboard): unused. */
	CASE("IRQ_BIND irq", SYS_IRQ_BIND, 0, IRQ, 0, 0, irq, 1, KEEL_CAP_NONE, 0, 0, 0);
	CASE("IRQ_BIND nt", SYS_IRQ_BIND, 2, NT, KEEL_NT_SIGNAL, CC_NONE_OK, irq, 1, nt, 0, 0, 0);
	CASE("IRQ_ACK", SYS_IRQ_ACK, 0, IRQ, 0, 0, irq, 1, 0, 0, 0, 0);
	CASE("IRQ_STATUS", SYS_IRQ_STATUS, 0, IRQ, 0, 0, irq, 1, 0, 0, 0, 0);
	CASE("DEVICE_DERIVE", SYS_DEVICE_DERIVE, 0, DEV, 0, 0, dev, 0, PAGE_SIZE, KEEL_DEV_R,
	     fx.dst, 0);
	CASE("MAP_DEVICE as", SYS_MAP_DEVICE, 0, AS, KEEL_AS_MAP, 0, a, va, dev, 0xfed00000ul, R,
	     0);
	CASE("MAP_DEVICE dev", SYS_MAP_DEVICE, 2, DEV, KEEL_DEV_R, 0, a, va, dev, 0xfed00000ul, R,
	     0);
	CASE("MEM_DERIVE", SYS_MEM_DERIVE, 0, MEM, 0, 0, m, fx.raw, PAGE_SIZE, KEEL_MEM_R, fx.dst,
	     0);
	/* The space of CAP_COPY and CAP_DELETE: KEEL_CAP_SELF or an address space with CAPS. */
	CASE("CAP_COPY space", SYS_CAP_COPY, 1, AS, KEEL_AS_CAPS, CC_SELF_OK, e, a, 9, KEEL_EP_SEND,
	     0, 0);
	CASE("CAP_DELETE space", SYS_CAP_DELETE, 0, AS, KEEL_AS_CAPS, CC_SELF_OK, a, 9, 0, 0, 0, 0);
	/* Any type: no EBADOBJ; a stale one of each type below. */
	CASE("CAP_COPY src", SYS_CAP_COPY, 0, 0, 0, 0, e, S, fx.dst, KEEL_EP_SEND, 0, 0);
	CASE("CAP_INFO", SYS_CAP_INFO, 0, 0, 0, 0, e, 0, 0, 0, 0, 0);
	CASE("DESTROY", SYS_DESTROY, 0, 0, 0, 0, e, 0, 0, 0, 0, 0);
#undef CASE
	return n;
}

long cap_case_call(const struct cap_case *c, unsigned long slot)
{
	long a[6];

	for (int k = 0; k < 6; k++)
		a[k] = c->a[k];
	a[c->arg] = (long)slot;
	return keel_syscall(c->n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int cap_case_run(const struct cap_case *c, struct cap_result *res, int max)
{
	struct bad_slot bad[24];
	int nb = bad_slots(c, bad), n = 0;

	for (int i = 0; i < nb && n < max; i++, n++)
		res[n] = (struct cap_result){ c->name, bad[i].what, bad[i].slot,
					      cap_case_call(c, bad[i].slot), -bad[i].want };
	return n;
}

/* The IPC cases in a thread (a wrong answer might block it, not us). */
static struct cap_result ipc_res[128];
static int ipc_nres;

static long ipc_cases_child(struct uthread *t)
{
	static struct cap_case cases[8];
	int n = cap_cases(cases, 1);

	(void)t;
	for (int i = 0; i < n; i++)
		ipc_nres += cap_case_run(&cases[i], ipc_res + ipc_nres,
					 (int)(sizeof(ipc_res) / sizeof(ipc_res[0])) - ipc_nres);
	return ipc_nres;
}

static void expect_results(const struct cap_result *r, int n)
{
	for (int i = 0; i < n; i++)
		expect(r[i].got == r[i].want, "%s with %s (0x%lx): got %ld, want %ld", r[i].call,
		       r[i].kind, r[i].slot, r[i].got, r[i].want);
}

static void err_capability_arguments(void)
{
	static struct cap_case cases[CAP_CASES_MAX];
	static struct cap_result res[768];
	static struct uthread t;
	static struct client c;
	int n = cap_cases(cases, 0), nres = 0;

	test_begin("err_capability_arguments");
	expect(n < CAP_CASES_MAX, "%d cases: CAP_CASES_MAX is too small", n);
	for (int i = 0; i < n; i++)
		nres +=
		    cap_case_run(&cases[i], res + nres, (int)(sizeof(res) / sizeof(res[0])) - nres);
	expect_results(res, nres);
	expect(nres > 8 * n, "only %d checks for %d cases", nres, n);
	/* A stale capability of each type, for the calls that take any. */
	for (unsigned type = KEEL_CAP_ASPACE; type <= KEEL_CAP_NOTIFY; type++) {
		E(keel_cap_info(fx.dead[type]), KEEL_EDEAD);
		E(keel_destroy(fx.dead[type]), KEEL_EDEAD);
		E(keel_cap_copy(fx.dead[type], KEEL_CAP_SELF, fx.dst, KEEL_CAP_DESTROY, 0),
		  KEEL_EDEAD);
	}
	/* Destroy: any object type with KEEL_CAP_DESTROY; memory has no such right. */
	for (unsigned type = KEEL_CAP_ASPACE; type <= KEEL_CAP_NOTIFY; type++)
		E(keel_destroy((unsigned long)lacking(type, KEEL_CAP_DESTROY)), KEEL_EPERM);
	/* A memory capability never has KEEL_CAP_DESTROY (memory is not an object): EPERM. */
	E(keel_destroy((unsigned long)lacking(KEEL_CAP_MEMORY, KEEL_MEM_W)), KEEL_EPERM);
	E(keel_destroy((unsigned long)fx.mem), KEEL_EPERM);
	expect_eq(keel_cap_info((unsigned long)lacking(KEEL_CAP_MEMORY, KEEL_MEM_W)),
		  (long)(KEEL_CAP_MEMORY << 8 | (all_rights(KEEL_CAP_MEMORY) & ~KEEL_MEM_W)),
		  "the memory capability is still there");
	/* Nothing was made in the dst slot by any of it. */
	E(keel_cap_info(fx.dst), KEEL_ENOENT);
	E(keel_cap_info(EMPTY_SLOT), KEEL_ENOENT);

	memset(&c, 0, sizeof(c));
	long r = child_start(&t, &c, &fx.pool, ipc_cases_child, 0, THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "a thread for the IPC cases");
	if (r == 0) {
		expect(child_wait(&c), "the IPC cases blocked (a bad capability accepted)");
		expect(c.exits == 1 && c.faults == 0, "the IPC thread did not exit cleanly");
		expect_results(ipc_res, ipc_nres);
		expect(ipc_nres >= 4 * 9, "only %d IPC checks", ipc_nres);
		expect_eq(child_finish(&t, &c), 0, "destroying the thread");
	}
	test_end();
}

/* Where a new object goes: dst must be an empty slot of the caller's space. */
static void err_dst_slots(void)
{
	static const struct {
		unsigned long slot;
		long want;
	} dsts[] = {
		{ KEEL_CAP_SLOTS, KEEL_EINVAL }, { KEEL_CAP_SELF, KEEL_EINVAL },
		{ KEEL_CAP_NONE, KEEL_EINVAL },	 { 1ul << 32, KEEL_EINVAL },
		{ ~0ul, KEEL_EINVAL },
	};
	unsigned long m = fx.mem, f = fx.freef, f2 = fx.freef2, f3 = fx.freef3;

	test_begin("err_dst_slots");
	for (unsigned i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		unsigned long d = dsts[i].slot;
		long w = -dsts[i].want;
		expect_eq(keel_endpoint_create(m, f, d), w, "ENDPOINT_CREATE into a bad dst");
		expect_eq(keel_notify_create(m, f, d), w, "NOTIFY_CREATE into a bad dst");
		expect_eq(keel_as_create(m, f, f2, f3, d), w, "AS_CREATE into a bad dst");
		expect_eq(keel_thread_create(m, f, fx.as, KEEL_NO_BUFFER, 1, d), w,
			  "THREAD_CREATE into a bad dst");
		expect_eq(keel_mem_derive(m, fx.raw, PAGE_SIZE, KEEL_MEM_R, d), w,
			  "MEM_DERIVE into a bad dst");
		expect_eq(keel_cap_copy(fx.ep, KEEL_CAP_SELF, d, KEEL_EP_SEND, 0), w,
			  "CAP_COPY into a bad dst");
		expect_eq(keel_cap_copy(fx.ep, fx.as, d, KEEL_EP_SEND, 0), w,
			  "CAP_COPY into a bad dst of another space");
		expect_eq(keel_cap_delete(KEEL_CAP_SELF, d), w, "CAP_DELETE of a bad slot");
	}
	/* A full dst: EEXIST, and what is there stays. */
	E(keel_endpoint_create(m, f, fx.ep), KEEL_EEXIST);
	E(keel_notify_create(m, f, fx.tcb), KEEL_EEXIST);
	E(keel_as_create(m, f, f2, f3, fx.tcb), KEEL_EEXIST);
	E(keel_thread_create(m, f, fx.as, KEEL_NO_BUFFER, 1, fx.as), KEEL_EEXIST);
	E(keel_mem_derive(m, fx.raw, PAGE_SIZE, KEEL_MEM_R, fx.ep), KEEL_EEXIST);
	E(keel_cap_copy(fx.ep, KEEL_CAP_SELF, fx.tcb, KEEL_EP_SEND, 0), KEEL_EEXIST);
	expect_eq((long)KEEL_CAP_TYPE(keel_cap_info(fx.ep)), KEEL_CAP_ENDPOINT, "fx.ep kept");
	expect_eq((long)KEEL_CAP_TYPE(keel_cap_info(fx.tcb)), KEEL_CAP_THREAD, "fx.tcb kept");
	expect_eq((long)KEEL_CAP_TYPE(keel_cap_info(fx.as)), KEEL_CAP_ASPACE, "fx.as kept");
	/* The frames are still free: a good call makes the object, and it goes again. */
	OK(keel_endpoint_create(m, f, fx.dst));
	OK(keel_destroy(fx.dst));
	E(keel_cap_landing(KEEL_CAP_SLOTS, KEEL_CAP_NONE), KEEL_EINVAL);
	E(keel_cap_landing(KEEL_CAP_NONE, 1ul << 32), KEEL_EINVAL);
	test_end();
}

static void err_kmem_donate(void)
{
	unsigned long m = fx.mem;

	test_begin("err_kmem_donate");
	E(keel_kmem_donate(m, fx.chunk + PAGE_SIZE, CHUNK_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(m, fx.chunk, PAGE_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(m, fx.chunk, CHUNK_SIZE + PAGE_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(m, NOTRAM_HI, CHUNK_SIZE), KEEL_EINVAL);
	/* Not RAM: inside the memory capability when RAM goes on above 4 GB, else outside it. */
	E(keel_kmem_donate(m, MMIO_CHUNK, CHUNK_SIZE),
	  MMIO_CHUNK + CHUNK_SIZE <= ct.bi->memory_size ? KEEL_ENOTRAM : KEEL_EINVAL);
	E(keel_kmem_donate(m, KFRAME, CHUNK_SIZE), KEEL_EKERNEL);
	E(keel_kmem_donate(m, WRAP_BASE, 2 * CHUNK_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(m, fx.pool.chunks[0], CHUNK_SIZE), KEEL_EROLE);
	E(keel_kmem_donate(m, fx.donated, CHUNK_SIZE), KEEL_EROLE);
	test_end();
}

static void err_kmem_reclaim(void)
{
	unsigned long m = fx.mem;

	test_begin("err_kmem_reclaim");
	E(keel_kmem_reclaim(m, fx.chunk + PAGE_SIZE, CHUNK_SIZE), KEEL_EINVAL);
	E(keel_kmem_reclaim(m, NOTRAM_HI, CHUNK_SIZE), KEEL_EINVAL);
	E(keel_kmem_reclaim(m, KFRAME, CHUNK_SIZE), KEEL_EKERNEL);
	E(keel_kmem_reclaim(m, fx.pool.chunks[0], CHUNK_SIZE), KEEL_EBUSY);
	expect_any(keel_kmem_reclaim(m, fx.chunk, CHUNK_SIZE), KEEL_EROLE, KEEL_ENOENT,
		   "reclaiming a chunk never donated");
	test_end();
}

static void err_kmem_counts(void)
{
	unsigned long m = fx.mem;

	test_begin("err_kmem_counts");
	E(keel_kmem_counts(m, fx.user, fx.freef + 8), KEEL_EINVAL);
	E(keel_kmem_counts(m, fx.user, NOTRAM), KEEL_ENOTRAM);
	E(keel_kmem_counts(m, fx.user, KFRAME), KEEL_EKERNEL);
	E(keel_kmem_counts(m, fx.user, fx.raw), KEEL_EROLE);
	E(keel_kmem_counts(m, fx.user, fx.ep_f), KEEL_EROLE);
	/* fx.user is mapped, so its table is there. */
	E(keel_kmem_counts(m, fx.user, fx.freef), KEEL_EEXIST);
	test_end();
}

static void err_as_create(void)
{
	unsigned long m = fx.mem, f = fx.freef, f2 = fx.freef2, f3 = fx.freef3, d = fx.dst;

	test_begin("err_as_create");
	E(keel_as_create(m, f + 8, f2, f3, d), KEEL_EINVAL);
	E(keel_as_create(m, NOTRAM, f2, f3, d), KEEL_ENOTRAM);
	E(keel_as_create(m, NOTRAM_HI, f2, f3, d), KEEL_EINVAL);
	E(keel_as_create(m, KFRAME, f2, f3, d), KEEL_EKERNEL);
	E(keel_as_create(m, fx.raw, f2, f3, d), KEEL_EROLE);
	E(keel_as_create(m, fx.user, f2, f3, d), KEEL_EROLE);
	E(keel_as_create(m, fx.ep_f, f2, f3, d), KEEL_EROLE);
	E(keel_as_create(m, fx.as_f, f2, f3, d), KEEL_EROLE);
	E(keel_as_create(m, f, f2 + 8, f3, d), KEEL_EINVAL);
	E(keel_as_create(m, f, f2, f3 + 8, d), KEEL_EINVAL);
	E(keel_as_create(m, f, f2, NOTRAM, d), KEEL_ENOTRAM);
	E(keel_as_create(m, f, f2, KFRAME, d), KEEL_EKERNEL);
	E(keel_as_create(m, f, f2, fx.tcb_f, d), KEEL_EROLE);
	E(keel_as_create(m, f, f2, f2, d), KEEL_EINVAL);
	E(keel_as_create(m, f, f2, f, d), KEEL_EINVAL);
	E(keel_as_create(m, f, NOTRAM, f3, d), KEEL_ENOTRAM);
	E(keel_as_create(m, f, KFRAME, f3, d), KEEL_EKERNEL);
	E(keel_as_create(m, f, fx.raw, f3, d), KEEL_EROLE);
	E(keel_as_create(m, f, fx.tcb_f, f3, d), KEEL_EROLE);
	E(keel_as_create(m, NOTRAM, KFRAME, f3, d), KEEL_ENOTRAM);
	/* The first bad argument decides. */
	E(keel_as_create(fx.ep, NOTRAM, KFRAME, f3, KEEL_CAP_SLOTS), KEEL_EBADOBJ);
	E(keel_as_create(m, NOTRAM, KFRAME, f3, KEEL_CAP_SLOTS), KEEL_EINVAL); /* dst first */
	E(keel_as_create(m, f, f2, f3, KEEL_CAP_SLOTS), KEEL_EINVAL);
	E(keel_cap_info(d), KEEL_ENOENT);
	test_end();
}

static void err_map(void)
{
	const struct bootinfo_module *mod = module_find(ct.bi, "utest");
	unsigned long a = fx.as, va = fx.va, u = fx.user, m = fx.mem;

	test_begin("err_map");
	E(keel_map(a, va + 8, m, u, R), KEEL_EINVAL);
	E(keel_map(a, KERNEL_VA, m, u, R), KEEL_EFAULT);
	E(keel_map(a, NONCANON_VA, m, u, R), KEEL_EFAULT);
	E(keel_map(a, KEEL_USER_TOP, m, u, R), KEEL_EFAULT);
	E(keel_map(a, ~PAGE_MASK, m, u, R), KEEL_EFAULT);
	E(keel_map(a, va, m, u + 8, R), KEEL_EINVAL);
	E(keel_map(a, va, m, NOTRAM, R), KEEL_ENOTRAM);
	E(keel_map(a, va, m, NOTRAM_HI, R), KEEL_EINVAL);
	E(keel_map(a, va, m, KFRAME, R), KEEL_EKERNEL);
	E(keel_map(a, va, m, fx.freef, R), KEEL_EROLE);
	E(keel_map(a, va, m, fx.ep_f, R), KEEL_EROLE);
	E(keel_map(a, va, m, fx.as_f, R), KEEL_EROLE);
	if (mod)
		E(keel_map(a, va, m, mod->base & ~PAGE_MASK, R | KEEL_MAP_W), KEEL_EROLE);
	else
		expect(0, "no utest module");
	E(keel_map(a, va, m, u, 0), KEEL_EINVAL);
	E(keel_map(a, va, m, u, KEEL_MAP_W), KEEL_EINVAL);
	E(keel_map(a, va, m, u, KEEL_MAP_X), KEEL_EINVAL);
	E(keel_map(a, va, m, u, R | 16), KEEL_EINVAL); /* 8 is KEEL_MAP_ZERO */
	E(keel_map(a, va, m, u, R | 1ul << 32), KEEL_EINVAL);
	/*
	 * Capability slots first, then the first bad argument decides, and
	 * the frame's role (state, not an argument) only after them all.
	 */
	E(keel_map(fx.ep, KERNEL_VA, EMPTY_SLOT, NOTRAM, 0), KEEL_EBADOBJ);
	E(keel_map(a, KERNEL_VA, EMPTY_SLOT, NOTRAM, 0), KEEL_ENOENT);
	E(keel_map(a, KERNEL_VA, m, NOTRAM, 0), KEEL_EFAULT);
	E(keel_map(a, va, EMPTY_SLOT, NOTRAM, 0), KEEL_ENOENT);
	E(keel_map(a, va, m, NOTRAM, 0), KEEL_EINVAL);
	E(keel_map(a, va, m, NOTRAM, R), KEEL_ENOTRAM);
	E(keel_map(a, va, m, u, 0), KEEL_EINVAL);
	/* Good arguments: then the state. */
	E(keel_map(a, va, m, u, R), KEEL_ENOPDPT);
	E(keel_map(ct.self_as, (unsigned long)fx.user_va, m, u, R), KEEL_EEXIST);
	test_end();
}

static void err_unmap(void)
{
	unsigned long self = ct.self_as, m = fx.mem;

	test_begin("err_unmap");
	E(keel_unmap(self, fx.va + 8, m), KEEL_EINVAL);
	E(keel_unmap(self, KERNEL_VA, m), KEEL_EFAULT);
	E(keel_unmap(self, NONCANON_VA, m), KEEL_EFAULT);
	E(keel_unmap(self, KEEL_USER_TOP, m), KEEL_EFAULT);
	E(keel_unmap(self, fx.va, m), KEEL_ENOENT);
	E(keel_unmap(fx.as, PROG_LOAD_BASE, m), KEEL_ENOENT);
	E(keel_unmap(self, (unsigned long)fx.user_va + PAGE_SIZE * 512 * 512, m), KEEL_ENOENT);
	E(keel_unmap(fx.ep, KERNEL_VA, m), KEEL_EBADOBJ);
	test_end();

	test_begin("err_lookup");
	E(keel_lookup(self, fx.va + 8, m), KEEL_EINVAL);
	E(keel_lookup(self, KERNEL_VA, m), KEEL_EFAULT);
	E(keel_lookup(self, NONCANON_VA, m), KEEL_EFAULT);
	E(keel_lookup(self, fx.va, m), KEEL_ENOENT);
	E(keel_lookup(fx.ep, KERNEL_VA, m), KEEL_EBADOBJ);
	expect_eq(keel_lookup(self, (unsigned long)fx.user_va, m), (long)fx.user,
		  "the frame mapped at a mapped page");
	test_end();
}

static void err_supply_table(void)
{
	unsigned long a = fx.as, va = fx.va, f = fx.freef, uva = (unsigned long)fx.user_va;
	unsigned long m = fx.mem;

	test_begin("err_supply_table");
	E(keel_supply_table(a, KERNEL_VA, 3, m, f), KEEL_EFAULT);
	E(keel_supply_table(a, NONCANON_VA, 3, m, f), KEEL_EFAULT);
	E(keel_supply_table(a, va, 0, m, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, 4, m, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, 5, m, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, ~0ul, m, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, 3, m, f + 8), KEEL_EINVAL);
	E(keel_supply_table(a, va, 3, m, NOTRAM), KEEL_ENOTRAM);
	E(keel_supply_table(a, va, 3, m, KFRAME), KEEL_EKERNEL);
	E(keel_supply_table(a, va, 3, m, fx.raw), KEEL_EROLE);
	E(keel_supply_table(a, va, 3, m, fx.user), KEEL_EROLE);
	E(keel_supply_table(a, va, 3, m, fx.ep_f), KEEL_EROLE);
	E(keel_supply_table(a, va, 0, m, NOTRAM), KEEL_EINVAL);
	E(keel_supply_table(a, va, 0, EMPTY_SLOT, NOTRAM), KEEL_ENOENT); /* slots first */
	E(keel_supply_table(a, va, 3, EMPTY_SLOT, NOTRAM), KEEL_ENOENT);
	E(keel_supply_table(ct.self_as, uva, 3, m, f), KEEL_EEXIST);
	E(keel_supply_table(ct.self_as, uva, 2, m, f), KEEL_EEXIST);
	E(keel_supply_table(ct.self_as, uva, 1, m, f), KEEL_EEXIST);
	test_end();
}

static void err_thread_create(void)
{
	unsigned long a = fx.as, f = fx.freef, b = badge_new(), m = fx.mem, d = fx.dst;
	const unsigned long none = KEEL_NO_BUFFER;

	test_begin("err_thread_create");
	E(keel_thread_create(m, f + 8, a, none, b, d), KEEL_EINVAL);
	E(keel_thread_create(m, NOTRAM, a, none, b, d), KEEL_ENOTRAM);
	E(keel_thread_create(m, KFRAME, a, none, b, d), KEEL_EKERNEL);
	E(keel_thread_create(m, fx.raw, a, none, b, d), KEEL_EROLE);
	E(keel_thread_create(m, fx.user, a, none, b, d), KEEL_EROLE);
	E(keel_thread_create(m, fx.ep_f, a, none, b, d), KEEL_EROLE);
	E(keel_thread_create(m, fx.tcb_f, a, none, b, d), KEEL_EROLE);
	E(keel_thread_create(m, f, a, fx.raw + 8, b, d), KEEL_EINVAL);
	E(keel_thread_create(m, f, a, NOTRAM, b, d), KEEL_ENOTRAM);
	E(keel_thread_create(m, f, a, KFRAME, b, d), KEEL_EKERNEL);
	E(keel_thread_create(m, f, a, fx.freef2, b, d), KEEL_EROLE);
	E(keel_thread_create(m, f, a, fx.ep_f, b, d), KEEL_EROLE);
	E(keel_thread_create(m, NOTRAM, fx.ep, KFRAME, b, d), KEEL_EBADOBJ); /* slots first */
	E(keel_thread_create(m, f, fx.ep, KFRAME, b, d), KEEL_EBADOBJ);
	E(keel_thread_create(m, f, a, KFRAME, b, KEEL_CAP_SLOTS), KEEL_EINVAL); /* dst first */
	E(keel_cap_info(d), KEEL_ENOENT);
	test_end();
}

static void err_thread_config(void)
{
	unsigned long t = fx.tcb, none = KEEL_CAP_NONE;

	test_begin("err_thread_config");
	E(keel_thread_config(t, THREAD_PRIO_MAX + 1, 0, none), KEEL_EINVAL);
	E(keel_thread_config(t, ~0ul, 0, none), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, (unsigned long)ct.cpus, none), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, 1000, none), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, ~0ul, none), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_MAX + 1, 1000, fx.as), KEEL_EBADOBJ); /* slots first */
	E(keel_thread_config(fx.as, THREAD_PRIO_MAX + 1, 1000, fx.as), KEEL_EBADOBJ);
	OK(keel_thread_config(t, THREAD_PRIO_MAX, (unsigned long)ct.cpus - 1, fx.ep));
	OK(keel_thread_config(t, 0, 0, none));
	OK(keel_thread_config(t, THREAD_PRIO_DEFAULT, 0, none));
	test_end();
}

static void err_thread_start(void)
{
	unsigned long t = fx.tcb, rsp = 0x7fff0000ul;

	test_begin("err_thread_start");
	E(keel_thread_start(t, KERNEL_VA, rsp, 0), KEEL_EFAULT);
	E(keel_thread_start(t, NONCANON_VA, rsp, 0), KEEL_EFAULT);
	E(keel_thread_start(t, KEEL_USER_TOP, rsp, 0), KEEL_EFAULT);
	E(keel_thread_start(t, PROG_LOAD_BASE, KERNEL_VA, 0), KEEL_EFAULT);
	E(keel_thread_start(t, PROG_LOAD_BASE, NONCANON_VA, 0), KEEL_EFAULT);
	E(keel_thread_start(fx.ep, KERNEL_VA, KERNEL_VA, 0), KEEL_EBADOBJ);
	test_end();
}

static void err_endpoint_create(void)
{
	unsigned long m = fx.mem, d = fx.dst;

	test_begin("err_endpoint_create");
	E(keel_endpoint_create(m, fx.freef + 8, d), KEEL_EINVAL);
	E(keel_endpoint_create(m, NOTRAM, d), KEEL_ENOTRAM);
	E(keel_endpoint_create(m, NOTRAM_HI, d), KEEL_EINVAL);
	E(keel_endpoint_create(m, KFRAME, d), KEEL_EKERNEL);
	E(keel_endpoint_create(m, fx.raw, d), KEEL_EROLE);
	E(keel_endpoint_create(m, fx.user, d), KEEL_EROLE);
	E(keel_endpoint_create(m, fx.ep_f, d), KEEL_EROLE);
	E(keel_endpoint_create(m, fx.as_f, d), KEEL_EROLE);
	E(keel_endpoint_create(m, fx.tcb_f, d), KEEL_EROLE);
	E(keel_cap_info(d), KEEL_ENOENT);
	test_end();
}

static void err_destroy(void)
{
	test_begin("err_destroy");
	E(keel_destroy(fx.as), KEEL_EBUSY); /* fx.tcb is in it */
	expect_eq((long)KEEL_CAP_TYPE(keel_cap_info(fx.as)), KEEL_CAP_ASPACE,
		  "the address space is still there");
	test_end();
}

static void err_cap_copy(void)
{
	unsigned long self = KEEL_CAP_SELF, e = fx.ep, d = fx.dst;

	test_begin("err_cap_copy");
	E(keel_cap_copy(e, self, d, 0, 0), KEEL_EINVAL);
	E(keel_cap_copy(e, self, d, 8, 0), KEEL_EINVAL);
	E(keel_cap_copy(e, self, d, 0x100 | KEEL_EP_SEND, 0), KEEL_EINVAL);
	E(keel_cap_copy(fx.tcb, self, d, KEEL_AS_THREAD | KEEL_TH_START, 0),
	  KEEL_EINVAL); /* 4: no thread right */
	E(keel_cap_copy(fx.mem, self, d, 0x10, 0), KEEL_EINVAL);
	E(keel_cap_copy(fx.tcb, self, d, KEEL_TH_START, 5), KEEL_EINVAL); /* a badge: endpoints */
	E(keel_cap_copy(fx.mem, self, d, KEEL_MEM_R, 5), KEEL_EINVAL);
	E(keel_cap_copy(fx.as, self, d, KEEL_AS_MAP, 5), KEEL_EINVAL);
	E(keel_cap_info(d), KEEL_ENOENT);
	/* Each type copies, with exactly the rights asked for. */
	for (unsigned type = KEEL_CAP_MEMORY; type <= KEEL_CAP_DEVICE; type++) {
		unsigned long r = all_rights(type) & ~KEEL_CAP_DESTROY;
		r = r & (r - 1) ? r & (r - 1) : r; /* drop the lowest right, if two are left */
		OK(keel_cap_copy(errfx_of(type), self, d, r, 0));
		expect_eq(keel_cap_info(d), (long)(type << 8 | r), "the copy's type and rights");
		OK(keel_cap_delete(self, d));
	}
	test_end();
}

/* Bad tags on an endpoint nobody receives on: a thread, in case one blocks. */
struct tag_case {
	int slot;
	long got[8];
};

static long tag_child(struct uthread *t)
{
	struct tag_case *tc = t->arg;
	unsigned long s = (unsigned long)tc->slot;
	struct keel_msg k = { 0, IPC_TAG_KERNEL | IPC_TAG(IPC_LABEL_EXIT, 0), { 42, 0, 0, 0 } };
	struct keel_msg big = { 0, IPC_TAG(1, IPC_BUF_MAX + 1), { 0 } };
	struct keel_msg huge = { 0, IPC_TAG(1, 0x1fff), { 0 } };

	tc->got[0] = keel_send(s, &k);
	tc->got[1] = keel_send(s, &big);
	tc->got[2] = keel_send(s, &huge);
	tc->got[3] = keel_ipc(SYS_CALL, s, &k, 0);
	tc->got[4] = keel_ipc(SYS_CALL, s, &big, 0);
	tc->got[5] = keel_ipc(SYS_REPLY_RECV, s, &k, 0);
	tc->got[6] = keel_ipc(SYS_REPLY_RECV, s, &big, 0);
	/* A bad slot before a bad tag. */
	tc->got[7] = keel_send(KEEL_CAP_SLOTS, &k);
	return 0;
}

static void err_ipc_tags(void)
{
	static const char *const what[8] = {
		"SEND with the kernel bit",	 "SEND of IPC_BUF_MAX + 1 bytes",
		"SEND of 0x1fff bytes",		 "CALL with the kernel bit",
		"CALL of IPC_BUF_MAX + 1 bytes", "REPLY_RECV with the kernel bit",
		"REPLY_RECV of IPC_BUF_MAX + 1", "SEND to slot 128 with the kernel bit",
	};
	static struct tag_case tc;
	static struct uthread t;
	static struct client c;
	unsigned long ep;
	int slot;

	test_begin("err_ipc_tags");
	memset(&c, 0, sizeof(c));
	long r = endpoint_new(&fx.pool, &slot, &ep);
	expect_eq(r, 0, "an endpoint");
	if (r == 0) {
		tc.slot = slot;
		r = child_start(&t, &c, &fx.pool, tag_child, &tc, THREAD_PRIO_DEFAULT, 0);
		expect_eq(r, 0, "a thread");
		if (r == 0) {
			expect(child_wait(&c), "the thread blocked on a bad tag (or never ended)");
			expect(c.exits == 1 && c.exit_code == 0 && c.faults == 0,
			       "the thread did not exit cleanly");
			for (int i = 0; i < 8; i++)
				expect_eq(tc.got[i], -KEEL_EINVAL, what[i]);
			expect_eq(child_finish(&t, &c), 0, "destroying the thread");
		}
		expect_eq(endpoint_drop(&fx.pool, slot, ep), 0, "destroying the endpoint");
	}
	test_end();
}

static void err_debug_test(void)
{
	long r = keel_debug_test((const char *)KERNEL_VA, KEEL_TEST_PASS, 0);

	if (r == -KEEL_ENOSYS) {
		test_skip("err_debug_test", "not a test boot");
		return;
	}
	test_begin("err_debug_test");
	expect_eq(r, -KEEL_EFAULT, "a kernel name pointer");
	E(keel_debug_test((const char *)NONCANON_VA, KEEL_TEST_PASS, 0), KEEL_EFAULT);
	E(keel_debug_test("coretest_bad_result_never_printed", 3, 0), KEEL_EINVAL);
	E(keel_debug_test("coretest_bad_why_never_printed", KEEL_TEST_PASS,
			  (const char *)KERNEL_VA),
	  KEEL_EFAULT);
	test_end();
}

static void donate_chunk_with_mapping(void)
{
	unsigned long c = fx.chunk, f = c + 5 * PAGE_SIZE, m = fx.mem;

	test_begin("donate_chunk_with_mapping");
	void *p = scratch_map(f, R);
	expect(p != 0, "mapping a frame of a free chunk");
	if (p) {
		E(keel_kmem_donate(m, c, CHUNK_SIZE), KEEL_EROLE);
		scratch_unmap(p, 1);
	}
	long r = keel_kmem_donate(m, c, CHUNK_SIZE);
	expect_eq(r, 0, "donating it once nothing is mapped (nothing else donated it)");
	if (r == 0) {
		E(keel_kmem_donate(m, c, CHUNK_SIZE), KEEL_EROLE);
		E(keel_map(ct.self_as, fx.va, m, f, R), KEEL_EROLE);
		OK(keel_kmem_reclaim(m, c, CHUNK_SIZE));
	}
	/* Ours again: mappable. */
	p = scratch_map(f, R);
	expect(p != 0, "mapping it after the reclaim");
	if (p)
		scratch_unmap(p, 1);
	test_end();
}

static void teardown(void)
{
	test_begin("err_objects_reclaimed");
	for (int i = 0; i < fx.nlack; i++)
		OK(slot_drop((int)fx.lack[i].slot));
	for (unsigned type = KEEL_CAP_ASPACE; type <= KEEL_CAP_NOTIFY; type++)
		OK(slot_drop((int)fx.dead[type]));
	OK(destroy_retry(fx.tcb));
	OK(destroy_retry(fx.nt));
	OK(destroy_retry(fx.as));
	long dup = cap_dup(fx.ep, KEEL_EP_SEND, 0);
	OK(destroy_retry(fx.ep));
	E(keel_destroy(fx.ep), KEEL_ENOENT);
	E(keel_send((unsigned long)dup, 0), KEEL_EDEAD);
	OK(slot_drop((int)dup));
	OK(keel_kmem_reclaim(fx.mem, fx.donated, CHUNK_SIZE)); /* nothing reclaimed it before */
	OK(kpool_release(&fx.pool));
	slot_free((int)fx.dst);
	test_end();
	if (fx.user_va)
		scratch_unmap(fx.user_va, 1);
	frame_free(fx.user);
	frame_free(fx.raw);
	chunk_free(fx.chunk);
	chunk_free(fx.donated);
}

int errfx_setup(void)
{
	test_begin("err_fixture");
	long r = setup();
	expect_eq(r, 0, "making the objects the error tests use");
	return test_end();
}

void errfx_teardown(void)
{
	teardown();
}

void tests_errors(void)
{
	err_unknown_syscall();
	err_debug_write();
	if (!errfx_setup())
		return;
	err_capability_arguments();
	err_dst_slots();
	err_kmem_donate();
	err_kmem_reclaim();
	err_kmem_counts();
	err_as_create();
	err_map();
	err_unmap();
	err_supply_table();
	err_thread_create();
	err_thread_config();
	err_thread_start();
	err_endpoint_create();
	err_destroy();
	err_cap_copy();
	err_ipc_tags();
	err_debug_test();
	donate_chunk_with_mapping();
	tests_raw();
	teardown();
}
