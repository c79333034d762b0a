/*
 * ufuzz - a process the root spawns with one capability: an echo server's
 * endpoint in slot ECHO_SLOT (see proto.h), never with KEEL_CAP_DESTROY
 * or KEEL_EP_RECV.  It exits by SYS_EXIT (crt0), whose message goes to the
 * pager its thread was given, so it needs no slot for that (ECHO_SLOT is
 * slot 0, PAGER_SLOT elsewhere).
 *
 * In fuzz mode it makes thousands of system calls with random numbers
 * (all the valid ones included) and random arguments, random capability
 * slots (in and out of 0..127, KEEL_CAP_NONE, KEEL_CAP_SELF) and random
 * rights, copying its capability into other slots, deleting, destroying
 * and inspecting them.  It keeps a model of its own capability space and
 * checks what must hold: every object call that needs a capability it
 * cannot have (memory, address space, thread) fails exactly as its first
 * slot says (EINVAL out of range, ENOENT empty, EBADOBJ an endpoint),
 * SYS_CAP_COPY / SYS_CAP_DELETE / SYS_CAP_INFO / SYS_DESTROY on its own
 * slots do what the model says (and the model matches SYS_CAP_INFO of
 * every slot now and then), unknown numbers say ENOSYS, every error is a
 * known code, the kept registers are kept, and the echo server still
 * answers correctly between the random calls.  It never calls SYS_EXIT
 * itself, nor anything that could block forever or print (SYS_RECV and
 * SYS_REPLY_RECV only on slots without KEEL_EP_RECV; SYS_DEBUG_WRITE and
 * SYS_DEBUG_TEST only with kernel pointers), nor deletes its echo slot.
 * It exits with the number of surprises.
 *
 * In nocaps mode (UFUZZ_NOCAPS, t_nocaps.c) it makes every object call
 * with every slot as the capability and checks each answer exactly.
 */
#include "keel.h"
#include "proto.h"
#include "rng.h"

long fuzz_call(long n, long a0, long a1, long a2, long a3, long a4, long a5);
extern int fuzz_clobbered;

/* (It belongs in user/lib/proto.h with the other modes; user/coretest/ct.h has the same.) */
#ifndef UFUZZ_NOCAPS
#define UFUZZ_NOCAPS 3
#endif

#define EP_RIGHTS (KEEL_EP_SEND | KEEL_EP_RECV | KEEL_EP_GRANT | KEEL_CAP_DESTROY)

/* The model of our capability space: every capability is an endpoint's. */
static struct {
	unsigned char full, rights, badged;
} caps[KEEL_CAP_SLOTS];

static unsigned char *const buf = (unsigned char *)PROG_IPC_BUF;
static struct rng rng;
static long surprises;

static void surprise(const char *what, long n, long r)
{
	if (surprises++ < 8) {
		print("[ufuzz] surprise: ");
		print(what);
		print(" (syscall ");
		print_num(n);
		print(" returned ");
		print_num(r);
		print(")\n");
	}
}

/* One echo call with a known message; 1 if the reply is right. */
static int ping(unsigned long i)
{
	struct keel_msg m;
	unsigned long len = (i * 37) % 700;

	for (unsigned long j = 0; j < len; j++)
		buf[j] = (unsigned char)(i * 7 + j);
	m.tag = IPC_TAG(i, len);
	m.w[0] = i;
	m.w[1] = ~i;
	m.w[2] = i * 0x9e3779b97f4a7c15ul;
	m.w[3] = 0x5555aaaa5555aaaaul ^ i;
	unsigned long tag = m.tag, w[4] = { m.w[0], m.w[1], m.w[2], m.w[3] };
	if (keel_call(ECHO_SLOT, &m) != 0 || m.tag != echo_tag(tag))
		return 0;
	for (int k = 0; k < 4; k++)
		if (m.w[k] != echo_word(w[k]))
			return 0;
	for (unsigned long j = 0; j < len; j++)
		if (buf[j] != echo_byte((unsigned char)(i * 7 + j)))
			return 0;
	return 1;
}

static long run_ping(unsigned long count)
{
	long bad = 0;

	for (unsigned long i = 0; i < count; i++)
		bad += !ping(i);
	return bad;
}

/* Arguments a fuzzer likes. */
static long weird(void)
{
	static const unsigned long pick[] = {
		0,
		1,
		PAGE_SIZE,
		0x200000,	     /* the kernel image's frames */
		0xa0000,	     /* not RAM */
		1ul << 46,	     /* not RAM */
		PROG_LOAD_BASE,	     /* our code */
		PROG_IPC_BUF,	     /* our buffer */
		PROG_STACK_TOP - 64, /* our stack */
		KEEL_USER_TOP,
		0x0000800000000000ul, /* non-canonical */
		0xffff800000000000ul, /* the direct map */
		0xffffffff80200000ul, /* the kernel image */
		~0ul,
		0x8000000000000000ul,
		IPC_TAG_KERNEL,
	};
	unsigned long r = rng_next(&rng);

	switch (r % 7) {
	case 6: /* tags carrying capabilities: counts 0-3, any slots, moved or not */
		return (long)(IPC_TAG((r >> 8) & 0xff, 0) | ((r >> 16) & 3) << 45 |
			      ((r >> 18) & 0xfff) << 47 | ((r >> 30) & 1) * IPC_TAG_MOVE);
	case 0:
		return (long)(r >> 8) % 141; /* small numbers: slots 0..127 and past them */
	case 1:
		return (long)((r >> 8) & 0xfffff000ul); /* page-aligned, physical-like */
	case 2:
		return (long)pick[(r >> 8) % (sizeof(pick) / sizeof(pick[0]))];
	case 3:
		return (long)IPC_TAG(r >> 16, (r >> 8) % 5000); /* tags, some too long */
	case 4:
		return (long)(0xffffffff80000000ul + ((r >> 8) & 0x7ffff000ul)); /* kernel */
	default:
		return (long)rng_next(&rng);
	}
}

static long pick_number(void)
{
	unsigned long r = rng_next(&rng) % 100;

	if (r < 75)
		return (long)rng_below(&rng, SYS_COUNT);
	if (r < 85)
		return -(long)rng_below(&rng, 1000) - 1;
	if (r < 95)
		return SYS_COUNT + (long)rng_below(&rng, 100);
	return (long)rng_next(&rng);
}

/* Calls whose first argument is a capability of a type we never hold (not an endpoint). */
static int needs_other_type(long n)
{
	return (n >= SYS_KMEM_DONATE && n <= SYS_ENDPOINT_CREATE) || n == SYS_MEM_DERIVE ||
	       n == SYS_LOOKUP || n == SYS_UNMAP_RANGE || n == SYS_MAP_RANGE ||
	       (n >= SYS_NOTIFY_CREATE && n <= SYS_IRQ_STATUS);
}

/* What a slot we name as an endpoint-needing or any-type argument gives (0: it is ours). */
static long slot_error(unsigned long slot)
{
	if (slot >= KEEL_CAP_SLOTS)
		return -KEEL_EINVAL;
	return caps[slot].full ? 0 : -KEEL_ENOENT;
}

/* A capability slot argument: in the table or not, ours or not, or a special value. */
static long pick_slot(void)
{
	unsigned long r = rng_next(&rng);

	switch (r % 10) {
	case 0:
		return KEEL_CAP_NONE;
	case 1:
		return KEEL_CAP_SELF;
	case 2:
		return (long)(KEEL_CAP_SLOTS + (r >> 8) % 200);
	case 3:
		return (long)((r >> 8) | 1ul << 32);
	case 4:
	case 5: { /* one we hold */
		unsigned long s = (r >> 8) % KEEL_CAP_SLOTS;
		for (unsigned i = 0; i < KEEL_CAP_SLOTS; i++)
			if (caps[(s + i) % KEEL_CAP_SLOTS].full)
				return (long)((s + i) % KEEL_CAP_SLOTS);
		return ECHO_SLOT;
	}
	default:
		return (long)((r >> 8) % KEEL_CAP_SLOTS);
	}
}

/* Random rights: mostly of an endpoint, sometimes any bits. */
static long pick_rights(void)
{
	unsigned long r = rng_next(&rng);

	return (long)(r % 4 == 0 ? (r >> 8) & 0x1ff : (r >> 8) & EP_RIGHTS);
}

/* SYS_CAP_COPY's possible errors for these arguments (a bit per code; 0: it must work). */
static unsigned long copy_errors(const long *a)
{
	unsigned long src = (unsigned long)a[0], space = (unsigned long)a[1];
	unsigned long dst = (unsigned long)a[2], rights = (unsigned long)a[3];
	unsigned long badge = (unsigned long)a[4], e = 0;

	if (slot_error(src))
		e |= 1ul << -slot_error(src);
	if (space != KEEL_CAP_SELF)
		e |= 1ul << (space >= KEEL_CAP_SLOTS ? KEEL_EINVAL
			     : caps[space].full	     ? KEEL_EBADOBJ
						     : KEEL_ENOENT);
	if (dst >= KEEL_CAP_SLOTS)
		e |= 1ul << KEEL_EINVAL;
	else if (space == KEEL_CAP_SELF && caps[dst].full)
		e |= 1ul << KEEL_EEXIST;
	if (!rights || (rights & ~(unsigned long)EP_RIGHTS))
		e |= 1ul << KEEL_EINVAL;
	if (!slot_error(src) && (rights & ~(unsigned long)caps[src].rights))
		e |= 1ul << KEEL_EPERM;
	if (badge && !slot_error(src) && caps[src].badged)
		e |= 1ul << KEEL_EINVAL;
	return e;
}

/*
 * Check r against the model for the calls on capabilities, and update it.
 * Returns what was wrong, or 0.
 */
static const char *check_caps(long n, const long *a, long r)
{
	unsigned long s0 = (unsigned long)a[0];

	if (needs_other_type(n)) {
		long want = s0 >= KEEL_CAP_SLOTS ? -KEEL_EINVAL
			    : caps[s0].full	 ? -KEEL_EBADOBJ
						 : -KEEL_ENOENT;
		return r == want ? 0 : "an object call on a slot was not what the slot says";
	}
	switch (n) {
	case SYS_CAP_INFO:
		if (slot_error(s0))
			return r == slot_error(s0) ? 0 : "cap_info of a bad or empty slot";
		return r == (long)((unsigned long)KEEL_CAP_ENDPOINT << 8 | caps[s0].rights)
			   ? 0
			   : "cap_info of our slot is not the model's";
	case SYS_DESTROY: /* none of ours has KEEL_CAP_DESTROY */
		return r == (slot_error(s0) ? slot_error(s0) : -KEEL_EPERM) ? 0
									    : "destroy of a slot";
	case SYS_SEND:
	case SYS_CALL: /* ours go to the echo server; the slot is checked first */
		return !slot_error(s0) || r == slot_error(s0) ? 0 : "a send on a bad or empty slot";
	case SYS_RECV:
	case SYS_REPLY_RECV: /* none of ours has KEEL_EP_RECV */
		return r == (slot_error(s0) ? slot_error(s0) : -KEEL_EPERM) ? 0
									    : "a receive on a slot";
	case SYS_CAP_DELETE: {
		unsigned long slot = (unsigned long)a[1];
		long want = s0 != KEEL_CAP_SELF ? (s0 >= KEEL_CAP_SLOTS ? -KEEL_EINVAL
						   : caps[s0].full	? -KEEL_EBADOBJ
									: -KEEL_ENOENT)
						: slot_error(slot);
		if (want == 0 && s0 == KEEL_CAP_SELF && slot < KEEL_CAP_SLOTS)
			caps[slot].full = 0;
		return r == want ? 0 : "cap_delete";
	}
	case SYS_CAP_COPY: {
		unsigned long e = copy_errors(a);
		if (!e && r == 0) {
			unsigned long src = s0, dst = (unsigned long)a[2];
			caps[dst].full = 1;
			caps[dst].rights = (unsigned char)a[3];
			caps[dst].badged = caps[src].badged || a[4];
			return 0;
		}
		if (e && r < 0 && -r < 64 && (e & 1ul << -r))
			return 0;
		return e ? "cap_copy gave another error than its arguments allow"
			 : "cap_copy with good arguments failed";
	}
	default:
		return 0;
	}
}

/* The model against the kernel, slot by slot. */
static void check_model(void)
{
	for (unsigned long s = 0; s < KEEL_CAP_SLOTS; s++) {
		long r = keel_cap_info(s);
		long want = caps[s].full
				? (long)((unsigned long)KEEL_CAP_ENDPOINT << 8 | caps[s].rights)
				: -KEEL_ENOENT;
		if (r != want)
			surprise("a slot is not what the model says", SYS_CAP_INFO, r);
	}
}

/*
 * nocaps mode: every object call with every slot (and beyond) where its
 * first capability goes.  We hold only ECHO_SLOT, a send-only endpoint
 * capability: an empty slot is ENOENT, one out of range EINVAL, ours
 * EBADOBJ (another type) or EPERM (a right it lacks).
 */
static long run_nocaps(void)
{
	static const long calls[] = {
		SYS_KMEM_DONATE,   SYS_KMEM_RECLAIM, SYS_KMEM_COUNTS,	  SYS_AS_CREATE,
		SYS_MAP,	   SYS_UNMAP,	     SYS_SUPPLY_TABLE,	  SYS_THREAD_CREATE,
		SYS_THREAD_CONFIG, SYS_THREAD_START, SYS_ENDPOINT_CREATE, SYS_DESTROY,
		SYS_MEM_DERIVE,	   SYS_LOOKUP,	     SYS_CAP_COPY,	  SYS_CAP_DELETE,
		SYS_CAP_INFO,	   SYS_RECV,	     SYS_REPLY_RECV,	  SYS_SEND,
		SYS_CALL,	   SYS_UNMAP_RANGE,  SYS_MAP_RANGE,	  SYS_NOTIFY_CREATE,
		SYS_SIGNAL,	   SYS_WAIT,	     SYS_NOTIFY_BIND,	  SYS_IO_DERIVE,
		SYS_IO_ENABLE,	   SYS_IRQ_DERIVE,   SYS_IRQ_BIND,	  SYS_IRQ_ACK,
		SYS_DEVICE_DERIVE, SYS_MAP_DEVICE,   SYS_IRQ_STATUS,
	};
	static const unsigned long beyond[] = { KEEL_CAP_SLOTS,
						KEEL_CAP_SLOTS + ECHO_SLOT,
						256 + ECHO_SLOT,
						KEEL_CAP_SELF,
						KEEL_CAP_NONE,
						1ul << 32 | ECHO_SLOT,
						~0ul };
	/* Arguments after the capability: plausible ones (the first slot decides). */
	static const long rest[5] = { 0x200000, PAGE_SIZE, KEEL_MEM_R, 100, 1 };
	const unsigned long nbeyond = sizeof(beyond) / sizeof(beyond[0]);
	long bad = 0;

	long info = keel_cap_info(ECHO_SLOT);
	if (info != (long)((unsigned long)KEEL_CAP_ENDPOINT << 8 | KEEL_EP_SEND)) {
		surprise("our one capability is not a send-only endpoint", SYS_CAP_INFO, info);
		bad++;
	}
	if (!ping(1)) {
		surprise("the echo server answered wrong", SYS_CALL, 0);
		bad++;
	}
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		long n = calls[i];
		for (unsigned long k = 0; k < KEEL_CAP_SLOTS + nbeyond; k++) {
			unsigned long s = k < KEEL_CAP_SLOTS ? k : beyond[k - KEEL_CAP_SLOTS];
			long want, r;
			if (s == ECHO_SLOT && (n == SYS_SEND || n == SYS_CALL))
				continue; /* ours: it works (ping) */
			if (s >= KEEL_CAP_SLOTS && !(n == SYS_CAP_DELETE && s == KEEL_CAP_SELF))
				want = -KEEL_EINVAL;
			else if (n == SYS_CAP_DELETE && s == KEEL_CAP_SELF)
				want = -KEEL_ENOENT; /* slot 100 of our own: empty */
			else if (s != ECHO_SLOT)
				want = -KEEL_ENOENT;
			else if (n == SYS_CAP_INFO)
				want = info;
			else if (n == SYS_DESTROY || n == SYS_RECV || n == SYS_REPLY_RECV)
				want = -KEEL_EPERM; /* no DESTROY, no RECV */
			else if (n == SYS_CAP_COPY)
				want = -KEEL_EPERM; /* rights SEND | RECV: more than ours */
			else
				want = -KEEL_EBADOBJ;
			if (n == SYS_CAP_COPY) /* (src, SELF, dst 100, SEND | RECV, 0) */
				r = fuzz_call(n, (long)s, KEEL_CAP_SELF, 100,
					      KEEL_EP_SEND | KEEL_EP_RECV, 0, 0);
			else if (n == SYS_CAP_DELETE) /* (space, slot 100) */
				r = fuzz_call(n, (long)s, 100, 0, 0, 0, 0);
			else
				r = fuzz_call(n, (long)s, rest[0], rest[1], rest[2], rest[3],
					      rest[4]);
			if (r != want) {
				surprise("an object call without the capability", n, r);
				bad++;
			}
		}
	}
	if (keel_cap_info(100) != -KEEL_ENOENT) {
		surprise("something landed in slot 100", SYS_CAP_INFO, keel_cap_info(100));
		bad++;
	}
	if (!ping(2)) {
		surprise("the echo server answered wrong afterwards", SYS_CALL, 0);
		bad++;
	}
	return bad;
}

static long run_fuzz(unsigned long count)
{
	for (unsigned long i = 0; i < count; i++) {
		long n = pick_number();
		long a[6];
		for (int k = 0; k < 6; k++)
			a[k] = weird();
		switch (n) {
		case SYS_EXIT:
			n = SYS_YIELD;
			break;
		case SYS_DEBUG_WRITE:
		case SYS_DEBUG_TEST:
			/* Never anything printable. */
			a[0] = (long)(0xffffffff80000000ul | (unsigned long)a[0]);
			a[1] |= 1; /* an empty write might succeed */
			break;
		case SYS_SLEEP:
			/* Long sleeps are fine, but would end the test by the clock. */
			if ((unsigned long)a[0] <= THREAD_SLEEP_MAX)
				a[0] &= 1;
			break;
		case SYS_RECV:
		case SYS_REPLY_RECV:
			/* Any slot: none of ours has KEEL_EP_RECV (checked), so none blocks. */
			if (rng_below(&rng, 2))
				a[0] = pick_slot();
			break;
		case SYS_CAP_DELETE:
			/* Any slot but the echo server's, which the checks below need. */
			a[0] = rng_below(&rng, 4) ? KEEL_CAP_SELF : pick_slot();
			a[1] = pick_slot();
			if (a[0] == KEEL_CAP_SELF && a[1] == ECHO_SLOT)
				a[1] = 1 + (long)rng_below(&rng, KEEL_CAP_SLOTS - 1);
			break;
		case SYS_CAP_COPY:
			a[0] = pick_slot();
			a[1] = rng_below(&rng, 4) ? KEEL_CAP_SELF : pick_slot();
			a[2] = pick_slot();
			a[3] = pick_rights();
			if (rng_below(&rng, 2))
				a[4] = 0;
			break;
		case SYS_CAP_INFO:
		case SYS_DESTROY:
			if (rng_below(&rng, 2))
				a[0] = pick_slot();
			break;
		default:
			if (needs_other_type(n) && rng_below(&rng, 2))
				a[0] = pick_slot();
			break;
		}
		if (rng_below(&rng, 4) == 0) /* random bytes to send */
			buf[rng_below(&rng, IPC_BUF_MAX)] = (unsigned char)rng_next(&rng);

		long r = fuzz_call(n, a[0], a[1], a[2], a[3], a[4], a[5]);
		const char *why;

		if (fuzz_clobbered) {
			surprise("a kept register changed", n, r);
			fuzz_clobbered = 0;
		}
		if (r < 0 && r <= -KEEL_ECOUNT)
			surprise("an unknown error code", n, r);
		else if ((n < 0 || n >= SYS_COUNT) && r != -KEEL_ENOSYS)
			surprise("an unknown number was not ENOSYS", n, r);
		else if ((why = check_caps(n, a, r)))
			surprise(why, n, r);
		else if (n == SYS_YIELD && r != 0)
			surprise("yield failed", n, r);
		else if (n == SYS_DEBUG_WRITE && r >= 0)
			surprise("a write from kernel memory worked", n, r);
		if (i % 500 == 0 && !ping(i))
			surprise("the echo server answered wrong", SYS_CALL, 0);
		if (i % 500 == 250)
			check_model();
	}
	check_model();
	return surprises;
}

static unsigned char inb(unsigned long port)
{
	unsigned char v;
	__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((unsigned short)port));
	return v;
}

/* UFUZZ_INPORT (proto.h): port a, a call to say it worked, then port b. */
static long run_inport(unsigned long a, unsigned long b)
{
	unsigned char v = inb(a);
	struct keel_msg m = { 0, IPC_TAG(1, 0), { UFUZZ_INPORT_MARK, v, 0, 0 } };

	if (keel_call(ECHO_SLOT, &m) != 0)
		return 1;
	inb(b);
	return 0;
}

int main(unsigned long arg)
{
	unsigned long count = UFUZZ_COUNT(arg);

	rng_seed(&rng, UFUZZ_SEED(arg) * 0x9e3779b97f4a7c15ul + 1);
	/* What we were given: the echo server, send and grant (fuzz) or send only (nocaps). */
	long info = keel_cap_info(ECHO_SLOT);
	caps[ECHO_SLOT].full = info > 0;
	caps[ECHO_SLOT].rights = (unsigned char)KEEL_CAP_RIGHTS(info);
	switch (UFUZZ_MODE(arg)) {
	case UFUZZ_NOCAPS:
		return (int)run_nocaps();
	case UFUZZ_PING:
		return (int)run_ping(count);
	case UFUZZ_INPORT:
		return (int)run_inport(count, UFUZZ_SEED(arg));
	case UFUZZ_FUZZ: {
		if (info < 0 || (KEEL_CAP_RIGHTS(info) & (KEEL_EP_RECV | KEEL_CAP_DESTROY))) {
			/* We could block forever, or destroy the server. */
			surprise("given a capability we should not have", SYS_CAP_INFO, info);
			return 1000;
		}
		long bad = run_fuzz(count);
		print("[ufuzz] ");
		print_num((long)count);
		print(" random system calls, ");
		print_num(bad);
		print(" surprise(s)\n");
		return (int)(bad > 1000 ? 1000 : bad);
	}
	default:
		print("[ufuzz] unknown mode\n");
		return 1000;
	}
}
