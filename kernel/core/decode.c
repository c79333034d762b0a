/*
 * decode.c - the decode half of every system call (keel/decode.h).
 *
 * syscall_decode (inline, in keel/decode.h) first looks up the
 * capabilities the table below names (argument, type, rights), then runs
 * the call's decoder, which checks
 * the rest of the arguments against those capabilities and writes what
 * the handler needs.  Nothing here reads kernel state beyond the
 * capability tables a call names (and the generation at the start of each
 * object a capability names), and nothing writes anything but *rq: the
 * host's fuzzer (tests/fuzz/fuzz_decode.c) runs this file as it is.
 */
#include <abi/syscall.h>
#include <keel/cap.h>
#include <keel/decode.h>
#include <keel/layout.h>

/* `pages` pages from va: 1 to max of them, all user addresses. */
static long user_pages(u64 va, u64 pages, u64 max)
{
	long r = user_page(va);

	if (r)
		return r;
	if (!pages || pages > max)
		return -KEEL_EINVAL;
	return pages > (KEEL_USER_TOP - va) / PAGE_SIZE ? -KEEL_EFAULT : 0;
}

/* An empty slot of the caller's for a new capability. */
static long empty_slot(struct cap *caps, u64 slot, struct cap **out)
{
	if (slot >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	if (cap_type(&caps[slot]) != CAP_EMPTY)
		return -KEEL_EEXIST;
	*out = &caps[slot];
	return 0;
}

/* Argument i: KEEL_CAP_NONE (rq->cap[i] NULL), or a capability of type with rights. */
static long maybe_cap(struct sysreq *rq, struct cap *caps, int i, u32 type, u32 rights)
{
	rq->cap[i] = NULL;
	if (rq->a[i] == KEEL_CAP_NONE)
		return 0;
	return cap_find(caps, rq->a[i], type, rights, &rq->cap[i]);
}

/*
 * The table of the space a capability call names, argument i:
 * KEEL_CAP_SELF (the caller's, rq->cap[i] NULL) or an address space
 * capability with CAPS.
 */
static long cap_space_arg(struct sysreq *rq, struct cap *caps, int i, const struct decode_env *m,
			  struct cap **table)
{
	long r;

	*table = caps;
	rq->cap[i] = NULL;
	if (rq->a[i] == KEEL_CAP_SELF)
		return 0;
	if ((r = cap_find(caps, rq->a[i], CAP_ASPACE, KEEL_AS_CAPS, &rq->cap[i])))
		return r;
	*table = m->space_caps(rq->cap[i]);
	return 0;
}

/* The calls with nothing to decode, or only the table's capabilities. */
static long decode_nothing(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return 0;
}

/* SYS_DEBUG_WRITE(buf, len): [buf, buf + len) user addresses. */
static long decode_debug_write(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	u64 buf = rq->a[0], len = rq->a[1];

	if (len > SYS_DEBUG_WRITE_MAX)
		return -KEEL_EINVAL;
	return user_range_ok(buf, len) ? 0 : -KEEL_EFAULT;
}

/*
 * SYS_DEBUG_TEST(name, result, why): only in test boots (init tells them
 * by the ENOSYS); in order, the name a user address, the result, why a
 * user address or 0.  The handler copies the strings (EFAULT for a page
 * that is not mapped, EINVAL for one too long).
 */
static long decode_debug_test(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	if (!m->test_boot)
		return -KEEL_ENOSYS;
	if (rq->a[0] >= KEEL_USER_TOP)
		return -KEEL_EFAULT; /* the name: whether its bytes are mapped is the copy's */
	if (rq->a[1] > KEEL_TEST_SKIP)
		return -KEEL_EINVAL;
	return rq->a[2] >= KEEL_USER_TOP ? -KEEL_EFAULT : 0; /* why (0: none) */
}

static long decode_sleep(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return rq->a[0] > THREAD_SLEEP_MAX ? -KEEL_EINVAL : 0;
}

/* SYS_KMEM_DONATE, SYS_KMEM_RECLAIM(mem, off, size): frame[0], size. */
static long decode_kmem_range(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	rq->size = rq->a[2];
	return cap_mem_range(rq->cap[0], rq->a[1], rq->a[2], &rq->frame[0]);
}

/* SYS_KMEM_COUNTS(mem, off, frame_off): frame[0] the frame counted, frame[1] the table's. */
static long decode_kmem_counts(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r = cap_mem_range(rq->cap[0], rq->a[1], PAGE_SIZE, &rq->frame[0]);

	return r ? r : cap_mem_range(rq->cap[0], rq->a[2], PAGE_SIZE, &rq->frame[1]);
}

/*
 * SYS_MEM_DERIVE and SYS_DEVICE_DERIVE(from, off, size, rights, dst): dst,
 * frame[0] and size the part, rights.
 */
static long decode_physical_derive(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	struct cap *from = rq->cap[0];
	u64 rights = rq->a[3];
	long r;

	if ((r = empty_slot(caps, rq->a[4], &rq->dst)))
		return r;
	if ((r = cap_mem_range(from, rq->a[1], rq->a[2], &rq->frame[0])))
		return r;
	if (!rq->a[2] || !rights || rights & ~(u64)cap_type_rights(cap_type(from)))
		return -KEEL_EINVAL;
	if (rights & ~(u64)cap_rights(from))
		return -KEEL_EPERM;
	rq->size = rq->a[2];
	rq->rights = (u32)rights;
	return 0;
}

/* SYS_IO_DERIVE and SYS_IRQ_DERIVE(from, first, count, dst): dst. */
static long decode_range_derive(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r = empty_slot(caps, rq->a[3], &rq->dst);

	if (r)
		return r;
	return cap_range_holds(rq->cap[0], rq->a[1], rq->a[2]) ? 0 : -KEEL_EINVAL;
}

/* SYS_AS_CREATE(mem, obj_off, pml4_off, cspace_off, dst): dst, frame[0-2], three apart. */
static long decode_as_create(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r;

	if ((r = empty_slot(caps, rq->a[4], &rq->dst)))
		return r;
	for (int i = 0; i < 3; i++)
		if ((r = cap_mem_range(rq->cap[0], rq->a[1 + i], PAGE_SIZE, &rq->frame[i])))
			return r;
	if (rq->frame[0] == rq->frame[1] || rq->frame[0] == rq->frame[2] ||
	    rq->frame[1] == rq->frame[2])
		return -KEEL_EINVAL;
	return 0;
}

/* SYS_ENDPOINT_CREATE and SYS_NOTIFY_CREATE(mem, off, dst): dst, frame[0]. */
static long decode_object_create(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r = empty_slot(caps, rq->a[2], &rq->dst);

	return r ? r : cap_mem_range(rq->cap[0], rq->a[1], PAGE_SIZE, &rq->frame[0]);
}

/*
 * SYS_MAP(as, va, mem, off, rights): level, frame[0] and size the page
 * (4 KB; 2 MB with KEEL_MAP_LARGE; 1 GB with KEEL_MAP_HUGE where the
 * machine has it, never cleared), va, off and the frame aligned to it and
 * all of it below KEEL_USER_TOP; rights the page's.
 */
long decode_map(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	u64 va = rq->a[1], off = rq->a[3], rights = rq->a[4];
	long r;

	if (!(rights & (KEEL_MAP_LARGE | KEEL_MAP_HUGE)))
		return decode_map_page(rq);
	if ((r = user_page(va)))
		return r;
	rq->level = rights & KEEL_MAP_HUGE ? 3 : 2;
	rq->size = rq->level == 3 ? KEEL_HUGE_SIZE : KEEL_LARGE_SIZE;
	if (rq->level == 3 && ((rights & (KEEL_MAP_LARGE | KEEL_MAP_ZERO)) || !m->huge_pages))
		return -KEEL_EINVAL;
	if ((va | off) & (rq->size - 1))
		return -KEEL_EINVAL;
	if (va > KEEL_USER_TOP - rq->size) /* the last user page is never mapped */
		return -KEEL_EFAULT;
	if ((r = cap_mem_range(rq->cap[2], off, rq->size, &rq->frame[0])))
		return r;
	/*
	 * The frame itself aligned, not only the offset: a derived memory
	 * capability may start anywhere, and a large entry holds only an
	 * aligned address (bit 12 is PAT there).
	 */
	if (rq->frame[0] & (rq->size - 1))
		return -KEEL_EINVAL;
	return map_rights(rq, rights, DECODE_MAP_RIGHTS, rq->cap[2]);
}

/* SYS_MAP_RANGE(as, va, mem, off, pages, rights): frame[0] and size the run, rights. */
static long decode_map_range(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r;

	if ((r = user_pages(rq->a[1], rq->a[4], KEEL_MAP_RANGE_MAX)))
		return r;
	rq->size = rq->a[4] * PAGE_SIZE;
	if ((r = cap_mem_range(rq->cap[2], rq->a[3], rq->size, &rq->frame[0])))
		return r;
	return map_rights(rq, rq->a[5], KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X | KEEL_MAP_ZERO,
			  rq->cap[2]);
}

/* SYS_UNMAP(as, va, mem or KEEL_CAP_NONE): cap[2] the memory capability, if any. */
static long decode_unmap(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r = maybe_cap(rq, caps, 2, CAP_MEMORY, 0);

	return r ? r : user_page(rq->a[1]);
}

/* SYS_LOOKUP(as, va, mem): as SYS_UNMAP, but the answer is an offset in mem. */
static long decode_lookup(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return rq->a[2] == KEEL_CAP_NONE ? -KEEL_EINVAL : decode_unmap(rq, caps, m);
}

/* SYS_UNMAP_RANGE(as, va, pages, mem or KEEL_CAP_NONE): cap[3], size the range. */
static long decode_unmap_range(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r = maybe_cap(rq, caps, 3, CAP_MEMORY, 0);

	if (r || (r = user_pages(rq->a[1], rq->a[2], KEEL_UNMAP_MAX)))
		return r;
	rq->size = rq->a[2] * PAGE_SIZE;
	return 0;
}

/* SYS_SUPPLY_TABLE(as, va, level, mem, off): level, frame[0] the table. */
static long decode_supply_table(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r = user_page(rq->a[1]);

	if (r)
		return r;
	if (rq->a[2] < 1 || rq->a[2] > 3)
		return -KEEL_EINVAL;
	rq->level = (u32)rq->a[2];
	return cap_mem_range(rq->cap[3], rq->a[4], PAGE_SIZE, &rq->frame[0]);
}

/* SYS_MAP_DEVICE(as, va, dev, off, rights): frame[0] the page, rights. */
static long decode_map_device(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	u64 rights = rq->a[4];
	long r;

	if ((r = user_page(rq->a[1])) ||
	    (r = cap_mem_range(rq->cap[2], rq->a[3], PAGE_SIZE, &rq->frame[0])))
		return r;
	if ((rights & ~(u64)(KEEL_MAP_R | KEEL_MAP_W)) || !(rights & KEEL_MAP_R))
		return -KEEL_EINVAL;
	if (rights & ~(u64)cap_rights(rq->cap[2]))
		return -KEEL_EPERM;
	rq->rights = (u32)rights;
	return 0;
}

/*
 * SYS_THREAD_CREATE(mem, tcb_off, as, buf_off, badge, dst): dst, frame[0]
 * the thread, frame[1] its IPC buffer (0: KEEL_NO_BUFFER), which the
 * thread reads and writes: mem needs R and W for it.
 */
static long decode_thread_create(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	struct cap *mem = rq->cap[0];
	long r;

	if ((r = empty_slot(caps, rq->a[5], &rq->dst)) ||
	    (r = cap_mem_range(mem, rq->a[1], PAGE_SIZE, &rq->frame[0])))
		return r;
	rq->frame[1] = 0;
	if (rq->a[3] == KEEL_NO_BUFFER)
		return 0;
	if ((cap_rights(mem) & (KEEL_MEM_R | KEEL_MEM_W)) != (KEEL_MEM_R | KEEL_MEM_W))
		return -KEEL_EPERM;
	return cap_mem_range(mem, rq->a[3], PAGE_SIZE, &rq->frame[1]);
}

/* SYS_THREAD_CONFIG(th, prio, cpu, pager or KEEL_CAP_NONE): cap[3] the pager. */
static long decode_thread_config(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	long r = maybe_cap(rq, caps, 3, CAP_ENDPOINT, KEEL_EP_SEND);

	if (r)
		return r;
	return rq->a[1] > THREAD_PRIO_MAX || rq->a[2] >= m->cpus ? -KEEL_EINVAL : 0;
}

/* SYS_THREAD_START(th, rip, rsp, arg): rip a user address, rsp at most the top. */
static long decode_thread_start(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return rq->a[1] >= KEEL_USER_TOP || rq->a[2] > KEEL_USER_TOP ? -KEEL_EFAULT : 0;
}

/* SYS_DESTROY(slot): cap[0], of any type, with DESTROY. */
static long decode_destroy(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	/* A memory capability has no DESTROY right: EPERM. */
	return cap_find_any(caps, rq->a[0], KEEL_CAP_DESTROY, &rq->cap[0]);
}

/* SYS_CAP_INFO(slot): cap[0], live. */
static long decode_cap_info(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return cap_find_any(caps, rq->a[0], 0, &rq->cap[0]);
}

/*
 * SYS_CAP_COPY(src, space, dst, rights, badge): cap[0] the source (live:
 * a stale capability is not copied), cap[1] the space (NULL: the
 * caller's), dst its empty slot, rights.  A badge goes only into a copy
 * of an unbadged endpoint or notification capability, and a
 * notification's leaves bit 63 clear (it would read as an error in a
 * wait's result).
 */
static long decode_cap_copy(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	u64 rights = rq->a[3], badge = rq->a[4];
	struct cap *from, *table;
	long r;

	if ((r = cap_find_any(caps, rq->a[0], 0, &rq->cap[0])) ||
	    (r = cap_space_arg(rq, caps, 1, m, &table)) ||
	    (r = empty_slot(table, rq->a[2], &rq->dst)))
		return r;
	from = rq->cap[0];
	if (!rights || rights & ~(u64)cap_type_rights(cap_type(from)))
		return -KEEL_EINVAL;
	if (badge && (!cap_badged_type(cap_type(from)) || from->badge))
		return -KEEL_EINVAL;
	if (cap_type(from) == CAP_NOTIFY && badge > KEEL_NOTIFY_BITS)
		return -KEEL_EINVAL;
	if (rights & ~(u64)cap_rights(from))
		return -KEEL_EPERM;
	rq->rights = (u32)rights;
	return 0;
}

/*
 * SYS_CAP_DELETE(space, slot): cap[0] the space (NULL: the caller's), dst
 * its slot, which holds a capability (stale ones too).
 */
static long decode_cap_delete(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	struct cap *table;
	long r = cap_space_arg(rq, caps, 0, m, &table);

	if (r)
		return r;
	if (rq->a[1] >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	rq->dst = &table[rq->a[1]];
	return cap_type(rq->dst) == CAP_EMPTY ? -KEEL_ENOENT : 0;
}

/* SYS_CAP_LANDING(slot0, slot1): each a slot or KEEL_CAP_NONE, not the same slot twice. */
static long decode_cap_landing(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	u64 s0 = rq->a[0], s1 = rq->a[1];
	bool ok0 = s0 < KEEL_CAP_SLOTS || s0 == KEEL_CAP_NONE;
	bool ok1 = s1 < KEEL_CAP_SLOTS || s1 == KEEL_CAP_NONE;

	return !ok0 || !ok1 || (s0 == s1 && s0 != KEEL_CAP_NONE) ? -KEEL_EINVAL : 0;
}

static long decode_wait(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return rq->a[1] & ~(u64)KEEL_WAIT_POLL ? -KEEL_EINVAL : 0;
}

/* SYS_NOTIFY_BIND(th, nt or KEEL_CAP_NONE): cap[1]. */
static long decode_notify_bind(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return maybe_cap(rq, caps, 1, CAP_NOTIFY, KEEL_NT_WAIT);
}

/* SYS_IO_ENABLE(io, as, first, count): a part of io's ports. */
static long decode_io_enable(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return cap_range_holds(rq->cap[0], rq->a[2], rq->a[3]) ? 0 : -KEEL_EINVAL;
}

/* SYS_IRQ_ACK, SYS_IRQ_STATUS(irq, line): one of irq's lines. */
static long decode_irq_line(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	return cap_range_holds(rq->cap[0], rq->a[1], 1) ? 0 : -KEEL_EINVAL;
}

/*
 * SYS_IRQ_BIND(irq, line, nt or KEEL_CAP_NONE, mode): cap[2] the
 * notification; the mode (ignored for an unbinding) is KEEL_IRQ_MODE with
 * KEEL_IRQ_LEVEL and KEEL_IRQ_LOW, or 0.
 */
static long decode_irq_bind(struct sysreq *rq, struct cap *caps, const struct decode_env *m)
{
	u64 mode = rq->a[3];
	long r = maybe_cap(rq, caps, 2, CAP_NOTIFY, KEEL_NT_SIGNAL);

	if (r || (r = decode_irq_line(rq, caps, m)))
		return r;
	if (rq->cap[2] && (mode & ~(u64)(KEEL_IRQ_MODE | KEEL_IRQ_LEVEL | KEEL_IRQ_LOW) ||
			   (!(mode & KEEL_IRQ_MODE) && mode)))
		return -KEEL_EINVAL;
	return 0;
}

long decode_tag(u64 tag, bool has_buf, struct cap *caps, bool grant)
{
	if (tag & ~TAG_USER_MASK)
		return -KEEL_EINVAL; /* the kernel bit, or bits nobody defined */
	if (IPC_TAG_LEN(tag) > IPC_BUF_MAX || (IPC_TAG_LEN(tag) && !has_buf))
		return -KEEL_EINVAL;
	if (!(tag & TAG_CAPS_MASK))
		return 0;
	u64 n = IPC_TAG_NCAPS(tag);
	if (n > IPC_CAPS_MAX || !n || (n < 2 && IPC_TAG_CAP(tag, 1)) ||
	    (n == 2 && IPC_TAG_CAP(tag, 0) == IPC_TAG_CAP(tag, 1)))
		return -KEEL_EINVAL; /* slot or move bits without capabilities; one twice */
	for (u64 i = 0; i < n; i++) {
		struct cap *c;
		long r = cap_find_any(caps, IPC_TAG_CAP(tag, i), 0, &c);
		if (r)
			return r; /* ENOENT: empty; EDEAD: stale */
	}
	return grant ? 0 : -KEEL_EPERM;
}

/* A call, with the capabilities it names: D(decoder, C(arg, type, rights)...). */
#define D(f, ...)                                      \
	{                                              \
		.decode = (f), .caps = { __VA_ARGS__ } \
	}
#define C(i, type, rights)            \
	{                             \
		(i), (type), (rights) \
	}
#define MEM_KMEM(i) C(i, CAP_MEMORY, KEEL_MEM_KMEM)

const struct decode_def syscall_decoders[SYS_COUNT] = {
	[SYS_DEBUG_WRITE] = D(decode_debug_write),
	[SYS_EXIT] = D(decode_nothing),
	[SYS_YIELD] = D(decode_nothing),
	[SYS_INFO] = D(decode_nothing), /* its index: syscall_info, on the lean entry */
	[SYS_DEBUG_TEST] = D(decode_debug_test),
	[SYS_SLEEP] = D(decode_sleep),
	/* Memory: a memory capability, and offsets in it. */
	[SYS_KMEM_DONATE] = D(decode_kmem_range, MEM_KMEM(0)),
	[SYS_KMEM_RECLAIM] = D(decode_kmem_range, MEM_KMEM(0)),
	[SYS_KMEM_COUNTS] = D(decode_kmem_counts, MEM_KMEM(0)),
	[SYS_MEM_DERIVE] = D(decode_physical_derive, C(0, CAP_MEMORY, 0)),
	/* Objects are made in donated frames; the new capability goes to a slot. */
	[SYS_AS_CREATE] = D(decode_as_create, MEM_KMEM(0)),
	[SYS_THREAD_CREATE] =
	    D(decode_thread_create, MEM_KMEM(0), C(2, CAP_ASPACE, KEEL_AS_THREAD)),
	[SYS_ENDPOINT_CREATE] = D(decode_object_create, MEM_KMEM(0)),
	[SYS_NOTIFY_CREATE] = D(decode_object_create, MEM_KMEM(0)),
	/* Address spaces.  SYS_MAP's memory needs the map rights: its decoder. */
	[SYS_MAP] = D(decode_map, C(0, CAP_ASPACE, KEEL_AS_MAP), C(2, CAP_MEMORY, 0)),
	[SYS_UNMAP] = D(decode_unmap, C(0, CAP_ASPACE, KEEL_AS_MAP)),
	[SYS_LOOKUP] = D(decode_lookup, C(0, CAP_ASPACE, KEEL_AS_MAP)),
	[SYS_UNMAP_RANGE] = D(decode_unmap_range, C(0, CAP_ASPACE, KEEL_AS_MAP)),
	[SYS_MAP_RANGE] = D(decode_map_range, C(0, CAP_ASPACE, KEEL_AS_MAP), C(2, CAP_MEMORY, 0)),
	[SYS_SUPPLY_TABLE] = D(decode_supply_table, C(0, CAP_ASPACE, KEEL_AS_MAP), MEM_KMEM(3)),
	/* Threads. */
	[SYS_THREAD_CONFIG] = D(decode_thread_config, C(0, CAP_THREAD, KEEL_TH_CONFIG)),
	[SYS_THREAD_START] = D(decode_thread_start, C(0, CAP_THREAD, KEEL_TH_START)),
	/* Notifications. */
	[SYS_SIGNAL] = D(decode_nothing, C(0, CAP_NOTIFY, KEEL_NT_SIGNAL)),
	[SYS_WAIT] = D(decode_wait, C(0, CAP_NOTIFY, KEEL_NT_WAIT)),
	[SYS_NOTIFY_BIND] = D(decode_notify_bind, C(0, CAP_THREAD, KEEL_TH_CONFIG)),
	/* I/O ports. */
	[SYS_IO_DERIVE] = D(decode_range_derive, C(0, CAP_IOPORT, 0)),
	[SYS_IO_ENABLE] =
	    D(decode_io_enable, C(0, CAP_IOPORT, KEEL_IO_USE), C(1, CAP_ASPACE, KEEL_AS_MAP)),
	/* Interrupt lines. */
	[SYS_IRQ_DERIVE] = D(decode_range_derive, C(0, CAP_IRQ, 0)),
	[SYS_IRQ_BIND] = D(decode_irq_bind, C(0, CAP_IRQ, KEEL_IRQ_BIND)),
	[SYS_IRQ_ACK] = D(decode_irq_line, C(0, CAP_IRQ, KEEL_IRQ_BIND)),
	[SYS_IRQ_STATUS] = D(decode_irq_line, C(0, CAP_IRQ, 0)),
	/* Device memory. */
	[SYS_DEVICE_DERIVE] = D(decode_physical_derive, C(0, CAP_DEVICE, 0)),
	[SYS_MAP_DEVICE] =
	    D(decode_map_device, C(0, CAP_ASPACE, KEEL_AS_MAP), C(2, CAP_DEVICE, KEEL_DEV_R)),
	/* Any type: the decoders look the slots up. */
	[SYS_DESTROY] = D(decode_destroy),
	[SYS_CAP_INFO] = D(decode_cap_info),
	[SYS_CAP_COPY] = D(decode_cap_copy),
	[SYS_CAP_DELETE] = D(decode_cap_delete),
	[SYS_CAP_LANDING] = D(decode_cap_landing),
	/* IPC: the endpoint and the tag (decode_tag), by the handlers in kernel/core/ipc.c. */
	[SYS_SEND] = D(decode_nothing),
	[SYS_RECV] = D(decode_nothing),
	[SYS_CALL] = D(decode_nothing),
	[SYS_REPLY_RECV] = D(decode_nothing),
};

bool syscall_decoders_complete(void)
{
	for (unsigned n = 0; n < SYS_COUNT; n++)
		if (!syscall_decoders[n].decode)
			return false;
	for (unsigned n = 0; n < SYS_COUNT; n++)
		for (int i = 0; i < DECODE_CAPS; i++)
			if (syscall_decoders[n].caps[i].type >= CAP_TYPES ||
			    syscall_decoders[n].caps[i].arg > 5)
				return false;
	return true;
}
