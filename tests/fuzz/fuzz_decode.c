/*
 * fuzz_decode.c - libFuzzer harness for the decode half of every system
 * call, syscall_decode() and decode_tag() (kernel/core/decode.c), the code
 * the kernel runs on every call's arguments before the handler.
 *
 * The input makes a caller: its capability table (capabilities of every
 * type, to live or destroyed objects, memory and device ranges anywhere,
 * port and line ranges, badged or not) and another space's (for
 * SYS_CAP_COPY and SYS_CAP_DELETE), the machine (CPUs, 1 GB pages, a test
 * boot or not),
 * then a call: its number and six arguments, each drawn from a kind of
 * value (a slot, a page offset, an address near the top of user space,
 * KEEL_CAP_NONE, anything).  After the call the harness checks:
 *   - purity: the tables are unchanged, and a second decode gives the same
 *     result and the same struct sysreq;
 *   - an error is one the ABI has for a decoder (never a state error);
 *   - on success, each capability the call uses is the caller's, of the
 *     type and with the rights it needs, and live; everything decoded lies
 *     where the ABI says (frames inside their capability and aligned,
 *     user addresses below KEEL_USER_TOP, rights within the capability's,
 *     new capabilities into an empty slot).
 * The property checks are written from the ABI (include/abi/syscall.h),
 * not from decode.c: each says again what must hold, in its own words.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <abi/syscall.h>
#include <keel/cap.h>
#include <keel/decode.h>

#include "fuzz.h"

#define PAGE  KEEL_PAGE_SIZE
#define NOBJ  8
#define SLOTS KEEL_CAP_SLOTS

/* Fake kernel objects: each begins with its generation, as the kernel's do. */
static uint64_t *objs[NOBJ];
/* The caller's capability table, and the one every other address space has. */
static struct cap table[SLOTS], other[SLOTS];
static struct cap before[SLOTS], other_before[SLOTS];

/* struct decode_env's space_caps: an address space's table (the caller's own is table). */
static struct cap *space_caps(const struct cap *as)
{
	CHECK(cap_type(as) == CAP_ASPACE, "only an address space has a capability table");
	return other;
}

static void objs_init(void)
{
	for (int i = 0; i < NOBJ && !objs[i]; i++) {
		objs[i] = aligned_alloc(PAGE, PAGE);
		if (!objs[i])
			abort();
		memset(objs[i], 0, PAGE);
		objs[i][0] = 1000 + (uint64_t)i; /* the live generation */
	}
}

/* The rights a real capability of `type` may hold (keel/cap.h). */
static uint32_t type_rights(uint32_t type)
{
	return cap_type_rights(type);
}

/* One capability from the input, made as cap_set/cap_set_memory/cap_set_range make them. */
static void cap_from(struct fuzz_in *in, struct cap *c)
{
	uint32_t type = 1 + fuzz_u8(in) % (CAP_TYPES - 1);
	uint32_t rights = fuzz_u8(in) & type_rights(type);
	uint8_t how = fuzz_u8(in);
	uint64_t x = fuzz_u64(in), y = fuzz_u64(in);

	memset(c, 0, sizeof(*c));
	if (cap_is_object(type)) {
		uint64_t *obj = objs[x % NOBJ];
		c->word = (uint64_t)(uintptr_t)obj | type | (uint64_t)rights << CAP_RIGHTS_SHIFT;
		c->gen = how & 1 ? obj[0] - 1 : obj[0]; /* odd: a destroyed object's */
		c->badge = how & 2 ? y : 0;
		return;
	}
	if (type == CAP_IOPORT || type == CAP_IRQ) {
		/* As cap_set_range makes them: inside the machine's ports or lines. */
		uint64_t limit = type == CAP_IOPORT ? KEEL_IO_PORTS : KEEL_IRQ_LINES;
		uint64_t first = x % limit, count = 1 + y % (limit - first);
		c->word = first << 12 | type | (uint64_t)rights << CAP_RIGHTS_SHIFT;
		c->size = count;
		return;
	}
	/* Memory or device memory: page-aligned base and size, anywhere below 2^52. */
	uint64_t base = (x & 0x000ffffffffff000ull) >> (how % 24);
	uint64_t size =
	    (how & 0x80) ? ((y & 0x000ffffffffff000ull) >> (how % 28)) : (1 + y % 2048) * PAGE;
	base &= ~(PAGE - 1);
	size &= ~(PAGE - 1);
	if (!size)
		size = PAGE;
	c->word = base | type | (uint64_t)rights << CAP_RIGHTS_SHIFT;
	c->size = size;
}

/* An argument, drawn from a kind of value. */
static uint64_t arg_from(struct fuzz_in *in)
{
	uint8_t kind = fuzz_u8(in);
	uint64_t raw = fuzz_u64(in);

	switch (kind % 10) {
	case 0:
		return raw % 16; /* one of the first slots, where most capabilities are */
	case 9:
		return raw % 256; /* any slot, and past them */
	case 1:
		return (raw & 0x7ff) * PAGE; /* a page offset */
	case 2:
		return (raw & 0x3ff) * (2ull << 20); /* a 2 MB offset */
	case 3: { /* near the top of user space: a page, 2 MB or 1 GB boundary below it */
		uint64_t va = KEEL_USER_TOP - (raw & 0x3ff) * PAGE;
		if (kind & 0x20)
			va &= ~(KEEL_LARGE_SIZE - 1);
		if (kind & 0x40)
			va &= ~(KEEL_HUGE_SIZE - 1);
		return va - (kind & 0x10 ? raw >> 60 : 0);
	}
	case 4:
		return kind & 0x10 ? KEEL_CAP_SELF : KEEL_CAP_NONE;
	case 5:
		return raw & 0x3f; /* rights, flags, small counts */
	case 6:
		return raw & 0x7fff; /* a port, a line, a length */
	case 7:
		return KEEL_NO_BUFFER;
	default:
		return raw;
	}
}

static int is_decode_error(long r)
{
	switch (-r) {
	case KEEL_EINVAL:
	case KEEL_EFAULT:
	case KEEL_EPERM:
	case KEEL_ENOENT:
	case KEEL_EBADOBJ:
	case KEEL_EDEAD:
	case KEEL_EEXIST:
	case KEEL_ENOSYS:
		return 1;
	}
	return 0;
}

/* Is c the caller's capability in slot `slot`, of type, with rights, and live? */
static int holds(const struct cap *c, uint64_t slot, uint32_t type, uint32_t rights)
{
	if (slot >= SLOTS || c != &table[slot] || cap_type(c) != type ||
	    (cap_rights(c) & rights) != rights)
		return 0;
	return !cap_is_object(type) || *(const uint64_t *)cap_obj(c) == c->gen;
}

/* Does the memory (or device) capability m hold all of [pa, pa + len)? */
static int inside(const struct cap *m, uint64_t pa, uint64_t len)
{
	uint64_t base = cap_mem_base(m);

	return len && pa >= base && pa - base <= m->size && len <= m->size - (pa - base);
}

/* Is pa the address of offset off in memory capability m? */
static int at_off(const struct cap *m, uint64_t pa, uint64_t off)
{
	return pa == cap_mem_base(m) + off;
}

static int page_aligned(uint64_t x)
{
	return !(x & (PAGE - 1));
}

/* [va, va + len) user addresses, below the top (the last page is never mapped). */
static int user_range(uint64_t va, uint64_t len)
{
	return va <= KEEL_USER_TOP && len <= KEEL_USER_TOP - va;
}

/* A new capability's slot: the empty slot the caller named. */
static void check_dst(const struct sysreq *rq, uint64_t slot)
{
	CHECK(slot < SLOTS && rq->dst == &table[slot], "a new capability goes to the slot named");
	CHECK(cap_type(rq->dst) == CAP_EMPTY, "a new capability goes to an empty slot");
}

/* An optional capability argument: NULL exactly when it is KEEL_CAP_NONE. */
static void check_maybe(const struct sysreq *rq, int i, uint32_t type, uint32_t rights)
{
	if (rq->a[i] == KEEL_CAP_NONE)
		CHECK(!rq->cap[i], "KEEL_CAP_NONE names no capability");
	else
		CHECK(holds(rq->cap[i], rq->a[i], type, rights),
		      "an optional capability has the type and rights the call needs");
}

/* A capability call's space, argument i: KEEL_CAP_SELF, or an address space with CAPS. */
static void check_space(const struct sysreq *rq, int i)
{
	if (rq->a[i] == KEEL_CAP_SELF)
		CHECK(!rq->cap[i], "KEEL_CAP_SELF is the caller's space");
	else
		CHECK(holds(rq->cap[i], rq->a[i], CAP_ASPACE, KEEL_AS_CAPS),
		      "another space needs CAPS");
}

static void check_map_rights(const struct sysreq *rq, uint64_t rights, const struct cap *mem)
{
	CHECK(rights & KEEL_MAP_R, "a mapping is readable");
	CHECK(rq->rights == (rights & (KEEL_MAP_R | KEEL_MAP_W | KEEL_MAP_X)),
	      "the page's rights are the R, W and X asked for");
	CHECK((rq->rights & ~cap_rights(mem)) == 0, "a mapping has no right its memory lacks");
	CHECK(!(rights & KEEL_MAP_ZERO) || (cap_rights(mem) & KEEL_MEM_W),
	      "clearing a frame needs W on its memory");
}

/* What a successful decode of call nr promises. */
static void check_ok(const struct sysreq *rq, const struct decode_env *m)
{
	const uint64_t *a = rq->a;

	switch (rq->nr) {
	case SYS_DEBUG_WRITE:
		CHECK(a[1] <= SYS_DEBUG_WRITE_MAX && user_range(a[0], a[1]),
		      "debug text is at most SYS_DEBUG_WRITE_MAX user bytes");
		break;
	case SYS_DEBUG_TEST:
		CHECK(m->test_boot, "SYS_DEBUG_TEST is only in test boots");
		CHECK(a[0] < KEEL_USER_TOP && a[2] < KEEL_USER_TOP,
		      "the strings are at user addresses");
		CHECK(a[1] <= KEEL_TEST_SKIP, "a test result is ok, not ok or skip");
		break;
	case SYS_SLEEP:
		CHECK(a[0] <= THREAD_SLEEP_MAX, "a sleep is at most THREAD_SLEEP_MAX");
		break;
	case SYS_KMEM_DONATE:
	case SYS_KMEM_RECLAIM:
		CHECK(holds(rq->cap[0], a[0], CAP_MEMORY, KEEL_MEM_KMEM), "donations need KMEM");
		CHECK(rq->frame[0] == cap_mem_base(rq->cap[0]) + a[1] && rq->size == a[2],
		      "the range is at off in mem");
		CHECK(page_aligned(a[1] | a[2]) &&
			  (!a[2] || inside(rq->cap[0], rq->frame[0], a[2])),
		      "a donation is whole pages inside mem");
		break;
	case SYS_KMEM_COUNTS:
		CHECK(holds(rq->cap[0], a[0], CAP_MEMORY, KEEL_MEM_KMEM), "counts need KMEM");
		for (int i = 0; i < 2; i++)
			CHECK(page_aligned(rq->frame[i]) &&
				  inside(rq->cap[0], rq->frame[i], PAGE) &&
				  rq->frame[i] == cap_mem_base(rq->cap[0]) + a[1 + i],
			      "both frames are pages of mem, at their offsets");
		break;
	case SYS_MEM_DERIVE:
	case SYS_DEVICE_DERIVE: {
		uint32_t type = rq->nr == SYS_MEM_DERIVE ? CAP_MEMORY : CAP_DEVICE;
		CHECK(holds(rq->cap[0], a[0], type, 0), "a derive is from a range of its type");
		check_dst(rq, a[4]);
		CHECK(rq->size == a[2] && rq->size && page_aligned(rq->size | rq->frame[0]) &&
			  inside(rq->cap[0], rq->frame[0], rq->size),
		      "a part is whole pages inside its range");
		CHECK(at_off(rq->cap[0], rq->frame[0], a[1]), "a part starts at off in its range");
		CHECK(rq->rights == a[3] && rq->rights && !(rq->rights & ~cap_rights(rq->cap[0])) &&
			  !(rq->rights & ~cap_type_rights(type)),
		      "a part has some of its range's rights, and only those");
		break;
	}
	case SYS_IO_DERIVE:
	case SYS_IRQ_DERIVE: {
		uint32_t type = rq->nr == SYS_IO_DERIVE ? CAP_IOPORT : CAP_IRQ;
		const struct cap *c = rq->cap[0];
		CHECK(holds(c, a[0], type, 0), "a derive is from a range of its type");
		check_dst(rq, a[3]);
		CHECK(a[2] && a[1] >= cap_range_first(c) && a[1] - cap_range_first(c) < c->size &&
			  a[2] <= c->size - (a[1] - cap_range_first(c)),
		      "a part of a port or line range is inside it");
		break;
	}
	case SYS_AS_CREATE:
		CHECK(holds(rq->cap[0], a[0], CAP_MEMORY, KEEL_MEM_KMEM), "objects need KMEM");
		check_dst(rq, a[4]);
		for (int i = 0; i < 3; i++)
			CHECK(page_aligned(rq->frame[i]) &&
				  inside(rq->cap[0], rq->frame[i], PAGE) &&
				  at_off(rq->cap[0], rq->frame[i], a[1 + i]),
			      "an address space's three frames are the pages of mem at their "
			      "offsets");
		CHECK(rq->frame[0] != rq->frame[1] && rq->frame[0] != rq->frame[2] &&
			  rq->frame[1] != rq->frame[2],
		      "an address space's three frames are three");
		break;
	case SYS_ENDPOINT_CREATE:
	case SYS_NOTIFY_CREATE:
		CHECK(holds(rq->cap[0], a[0], CAP_MEMORY, KEEL_MEM_KMEM), "objects need KMEM");
		check_dst(rq, a[2]);
		CHECK(page_aligned(rq->frame[0]) && inside(rq->cap[0], rq->frame[0], PAGE) &&
			  at_off(rq->cap[0], rq->frame[0], a[1]),
		      "an object's frame is the page of mem at off");
		break;
	case SYS_THREAD_CREATE:
		CHECK(holds(rq->cap[0], a[0], CAP_MEMORY, KEEL_MEM_KMEM), "objects need KMEM");
		CHECK(holds(rq->cap[2], a[2], CAP_ASPACE, KEEL_AS_THREAD),
		      "a thread's space is one the caller may put threads in");
		check_dst(rq, a[5]);
		CHECK(page_aligned(rq->frame[0]) && inside(rq->cap[0], rq->frame[0], PAGE) &&
			  at_off(rq->cap[0], rq->frame[0], a[1]),
		      "a thread's frame is the page of mem at tcb_off");
		if (a[3] == KEEL_NO_BUFFER)
			CHECK(rq->frame[1] == 0, "no buffer is frame 0");
		else
			CHECK(
			    page_aligned(rq->frame[1]) && inside(rq->cap[0], rq->frame[1], PAGE) &&
				at_off(rq->cap[0], rq->frame[1], a[3]) &&
				(cap_rights(rq->cap[0]) & (KEEL_MEM_R | KEEL_MEM_W)) ==
				    (KEEL_MEM_R | KEEL_MEM_W),
			    "an IPC buffer is a page of mem, which the caller may read and write");
		break;
	case SYS_MAP: {
		const struct cap *mem = rq->cap[2];
		uint64_t size = rq->level == 3	 ? KEEL_HUGE_SIZE
				: rq->level == 2 ? KEEL_LARGE_SIZE
						 : PAGE;
		CHECK(holds(rq->cap[0], a[0], CAP_ASPACE, KEEL_AS_MAP), "a map needs MAP");
		CHECK(holds(mem, a[2], CAP_MEMORY, 0), "a map's memory is a memory capability");
		CHECK(rq->level >= 1 && rq->level <= 3 && rq->size == size, "a page is one size");
		CHECK(rq->level == (a[4] & KEEL_MAP_HUGE    ? 3u
				    : a[4] & KEEL_MAP_LARGE ? 2u
							    : 1u),
		      "the page's size is the one asked for");
		CHECK(rq->level != 3 || !(a[4] & KEEL_MAP_LARGE), "a page is not 2 MB and 1 GB");
		CHECK(rq->level != 3 || (m->huge_pages && !(a[4] & KEEL_MAP_ZERO)),
		      "1 GB pages only where the machine has them, never cleared");
		CHECK(!(a[1] & (size - 1)) && !(rq->frame[0] & (size - 1)),
		      "va and the frame are aligned to the page");
		CHECK(user_range(a[1], size), "the page is below KEEL_USER_TOP");
		CHECK(rq->frame[0] == cap_mem_base(mem) + a[3] && inside(mem, rq->frame[0], size),
		      "the page is at off in mem, all of it inside");
		check_map_rights(rq, a[4], mem);
		break;
	}
	case SYS_MAP_RANGE:
		CHECK(holds(rq->cap[0], a[0], CAP_ASPACE, KEEL_AS_MAP), "a map needs MAP");
		CHECK(holds(rq->cap[2], a[2], CAP_MEMORY, 0),
		      "a map's memory is a memory capability");
		CHECK(a[4] >= 1 && a[4] <= KEEL_MAP_RANGE_MAX && rq->size == a[4] * PAGE,
		      "a range is 1 to KEEL_MAP_RANGE_MAX pages");
		CHECK(page_aligned(a[1]) && user_range(a[1], rq->size), "the range is user pages");
		CHECK(rq->frame[0] == cap_mem_base(rq->cap[2]) + a[3] &&
			  page_aligned(rq->frame[0]) && inside(rq->cap[2], rq->frame[0], rq->size),
		      "the frames are at off in mem, all inside");
		CHECK(!(a[5] & (KEEL_MAP_LARGE | KEEL_MAP_HUGE)), "a range is 4 KB pages");
		check_map_rights(rq, a[5], rq->cap[2]);
		break;
	case SYS_UNMAP:
	case SYS_LOOKUP:
		CHECK(holds(rq->cap[0], a[0], CAP_ASPACE, KEEL_AS_MAP), "an unmap needs MAP");
		CHECK(rq->nr == SYS_UNMAP || a[2] != KEEL_CAP_NONE, "a lookup names its memory");
		check_maybe(rq, 2, CAP_MEMORY, 0);
		CHECK(page_aligned(a[1]) && a[1] < KEEL_USER_TOP, "va is a user page");
		break;
	case SYS_UNMAP_RANGE:
		CHECK(holds(rq->cap[0], a[0], CAP_ASPACE, KEEL_AS_MAP), "an unmap needs MAP");
		check_maybe(rq, 3, CAP_MEMORY, 0);
		CHECK(a[2] >= 1 && a[2] <= KEEL_UNMAP_MAX && rq->size == a[2] * PAGE,
		      "an unmap is 1 to KEEL_UNMAP_MAX pages");
		CHECK(page_aligned(a[1]) && user_range(a[1], rq->size), "the range is user pages");
		break;
	case SYS_SUPPLY_TABLE:
		CHECK(holds(rq->cap[0], a[0], CAP_ASPACE, KEEL_AS_MAP), "a table needs MAP");
		CHECK(holds(rq->cap[3], a[3], CAP_MEMORY, KEEL_MEM_KMEM), "a table needs KMEM");
		CHECK(rq->level == a[2] && a[2] >= 1 && a[2] <= 3, "a table is of level 1 to 3");
		CHECK(page_aligned(a[1]) && a[1] < KEEL_USER_TOP, "va is a user page");
		CHECK(page_aligned(rq->frame[0]) && inside(rq->cap[3], rq->frame[0], PAGE) &&
			  at_off(rq->cap[3], rq->frame[0], a[4]),
		      "a table is the page of mem at off");
		break;
	case SYS_MAP_DEVICE:
		CHECK(holds(rq->cap[0], a[0], CAP_ASPACE, KEEL_AS_MAP), "a map needs MAP");
		CHECK(holds(rq->cap[2], a[2], CAP_DEVICE, KEEL_DEV_R), "device memory with R");
		CHECK(page_aligned(a[1]) && a[1] < KEEL_USER_TOP, "va is a user page");
		CHECK(page_aligned(rq->frame[0]) && inside(rq->cap[2], rq->frame[0], PAGE) &&
			  at_off(rq->cap[2], rq->frame[0], a[3]),
		      "a device page is the page of dev at off");
		CHECK(rq->rights == a[4] && (a[4] & KEEL_MAP_R) &&
			  !(a[4] & ~(uint64_t)(KEEL_MAP_R | KEEL_MAP_W)) &&
			  !(a[4] & ~(uint64_t)cap_rights(rq->cap[2])),
		      "a device page is R or RW, within dev's rights");
		break;
	case SYS_THREAD_CONFIG:
		CHECK(holds(rq->cap[0], a[0], CAP_THREAD, KEEL_TH_CONFIG), "config needs CONFIG");
		check_maybe(rq, 3, CAP_ENDPOINT, KEEL_EP_SEND);
		CHECK(a[1] <= THREAD_PRIO_MAX && a[2] < m->cpus, "a priority and a CPU that exist");
		break;
	case SYS_THREAD_START:
		CHECK(holds(rq->cap[0], a[0], CAP_THREAD, KEEL_TH_START), "start needs START");
		CHECK(a[1] < KEEL_USER_TOP && a[2] <= KEEL_USER_TOP,
		      "a thread starts at a user address with a user stack");
		break;
	case SYS_SIGNAL:
		CHECK(holds(rq->cap[0], a[0], CAP_NOTIFY, KEEL_NT_SIGNAL), "signal needs SIGNAL");
		break;
	case SYS_WAIT:
		CHECK(holds(rq->cap[0], a[0], CAP_NOTIFY, KEEL_NT_WAIT), "wait needs WAIT");
		CHECK(!(a[1] & ~(uint64_t)KEEL_WAIT_POLL), "a wait's only flag is POLL");
		break;
	case SYS_NOTIFY_BIND:
		CHECK(holds(rq->cap[0], a[0], CAP_THREAD, KEEL_TH_CONFIG), "binding needs CONFIG");
		check_maybe(rq, 1, CAP_NOTIFY, KEEL_NT_WAIT);
		break;
	case SYS_IO_ENABLE: {
		const struct cap *c = rq->cap[0];
		CHECK(holds(c, a[0], CAP_IOPORT, KEEL_IO_USE), "ports need USE");
		CHECK(holds(rq->cap[1], a[1], CAP_ASPACE, KEEL_AS_MAP), "the space needs MAP");
		CHECK(a[3] && a[2] >= cap_range_first(c) && a[2] - cap_range_first(c) < c->size &&
			  a[3] <= c->size - (a[2] - cap_range_first(c)),
		      "the ports are the capability's");
		CHECK(a[2] + a[3] <= KEEL_IO_PORTS,
		      "the ports are the machine's (the bitmap holds them)");
		break;
	}
	case SYS_IRQ_BIND:
	case SYS_IRQ_ACK:
	case SYS_IRQ_STATUS: {
		const struct cap *c = rq->cap[0];
		CHECK(holds(c, a[0], CAP_IRQ, rq->nr == SYS_IRQ_STATUS ? 0 : KEEL_IRQ_BIND),
		      "a line's capability, with BIND to bind or acknowledge");
		CHECK(a[1] >= cap_range_first(c) && a[1] - cap_range_first(c) < c->size,
		      "the line is the capability's");
		CHECK(a[1] < KEEL_IRQ_LINES, "the line is one of the machine's (lines[] holds it)");
		if (rq->nr == SYS_IRQ_BIND) {
			check_maybe(rq, 2, CAP_NOTIFY, KEEL_NT_SIGNAL);
			CHECK(!rq->cap[2] || a[3] == 0 ||
				  (a[3] & KEEL_IRQ_MODE &&
				   !(a[3] &
				     ~(uint64_t)(KEEL_IRQ_MODE | KEEL_IRQ_LEVEL | KEEL_IRQ_LOW))),
			      "a binding's mode is 0 or KEEL_IRQ_MODE with LEVEL and LOW");
		}
		break;
	}
	case SYS_DESTROY:
		CHECK(a[0] < SLOTS && rq->cap[0] == &table[a[0]] &&
			  cap_is_object(cap_type(rq->cap[0])) &&
			  holds(rq->cap[0], a[0], cap_type(rq->cap[0]), KEEL_CAP_DESTROY),
		      "only a live object with DESTROY is destroyed");
		break;
	case SYS_CAP_INFO:
		CHECK(a[0] < SLOTS && cap_type(&table[a[0]]) != CAP_EMPTY &&
			  holds(rq->cap[0], a[0], cap_type(&table[a[0]]), 0),
		      "information is about a live capability");
		break;
	case SYS_CAP_COPY: {
		const struct cap *from = rq->cap[0];
		CHECK(a[0] < SLOTS && holds(from, a[0], cap_type(&table[a[0]]), 0) &&
			  cap_type(from) != CAP_EMPTY,
		      "a copy is of a live capability");
		check_space(rq, 1);
		CHECK(a[2] < SLOTS && rq->dst == &(a[1] == KEEL_CAP_SELF ? table : other)[a[2]] &&
			  cap_type(rq->dst) == CAP_EMPTY,
		      "a copy goes to the empty slot named, in the space named");
		CHECK(rq->rights == a[3] && a[3] && !(a[3] & ~(uint64_t)cap_rights(from)),
		      "a copy has some of the source's rights, and only those");
		CHECK(!a[4] || ((cap_type(from) == CAP_ENDPOINT || cap_type(from) == CAP_NOTIFY) &&
				!from->badge),
		      "a badge goes only into a copy of an unbadged endpoint or notification");
		CHECK(cap_type(from) != CAP_NOTIFY || a[4] <= KEEL_NOTIFY_BITS,
		      "a notification badge leaves bit 63 clear");
		break;
	}
	case SYS_CAP_DELETE:
		check_space(rq, 0);
		CHECK(a[1] < SLOTS && rq->dst == &(a[0] == KEEL_CAP_SELF ? table : other)[a[1]] &&
			  cap_type(rq->dst) != CAP_EMPTY,
		      "a delete empties a full slot named, in the space named");
		break;
	case SYS_CAP_LANDING:
		CHECK((a[0] < SLOTS || a[0] == KEEL_CAP_NONE) &&
			  (a[1] < SLOTS || a[1] == KEEL_CAP_NONE),
		      "landing slots are slots or none");
		CHECK(a[0] != a[1] || a[0] == KEEL_CAP_NONE, "two landing slots are two");
		break;
	}
}

/* What decode_tag promises when it accepts a tag. */
static void check_tag(uint64_t tag, int has_buf, int grant)
{
	unsigned n = (unsigned)IPC_TAG_NCAPS(tag);

	CHECK(!(tag & IPC_TAG_KERNEL), "a user cannot send a kernel tag");
	CHECK(IPC_TAG_LEN(tag) <= IPC_BUF_MAX && (!IPC_TAG_LEN(tag) || has_buf),
	      "a message's bytes fit the buffer the sender has");
	CHECK(n <= IPC_CAPS_MAX, "at most IPC_CAPS_MAX capabilities");
	CHECK(!n || grant, "carrying capabilities needs GRANT");
	CHECK(n == 2 || !IPC_TAG_CAP(tag, 1), "no second slot without a second capability");
	CHECK(n || !(tag & (IPC_TAG_MOVE | (0x3fffull << 47))),
	      "no slots or move without a capability");
	for (unsigned i = 0; i < n; i++) {
		uint64_t s = IPC_TAG_CAP(tag, i);
		CHECK(cap_type(&table[s]) != CAP_EMPTY &&
			  holds(&table[s], s, cap_type(&table[s]), 0),
		      "each capability carried is a live one of the sender's");
	}
	CHECK(n < 2 || IPC_TAG_CAP(tag, 0) != IPC_TAG_CAP(tag, 1),
	      "one capability is not sent twice");
}

/*
 * With FUZZ_DECODE_STATS set, how many inputs each call decoded and
 * refused, printed at exit: every decoder's success path must be reached
 * (or its checks above check nothing).
 */
static unsigned long stat_ok[SYS_COUNT + 2], stat_err[SYS_COUNT + 2];

static void stats_print(void)
{
	for (int n = 0; n < SYS_COUNT; n++)
		fprintf(stderr, "decode: call %2d: %lu decoded, %lu refused\n", n, stat_ok[n],
			stat_err[n]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int stats = -1;
	if (stats < 0 && (stats = getenv("FUZZ_DECODE_STATS") != NULL))
		atexit(stats_print);
	struct fuzz_in in = { data, size };
	struct sysreq rq, rq2;
	uint64_t a[6];

	objs_init();
	memset(table, 0, sizeof(table));
	uint8_t nr = fuzz_u8(&in), mach = fuzz_u8(&in);
	struct decode_env m = { .cpus = 1 + (mach & 0x3f),
				.huge_pages = mach >> 7,
				.test_boot = (mach >> 6) & 1,
				.space_caps = space_caps };
	unsigned ncaps = fuzz_u8(&in) % 24;
	for (unsigned i = 0; i < ncaps; i++) {
		uint8_t slot = fuzz_u8(&in);
		cap_from(&in, &table[slot & 0x80 ? slot % SLOTS : slot % 16]);
	}
	memset(other, 0, sizeof(other));
	unsigned nother = fuzz_u8(&in) % 8;
	for (unsigned i = 0; i < nother; i++) {
		uint8_t slot = fuzz_u8(&in);
		cap_from(&in, &other[slot & 0x80 ? slot % SLOTS : slot % 16]);
	}
	for (int i = 0; i < 6; i++)
		a[i] = arg_from(&in);
	memcpy(before, table, sizeof(table));
	memcpy(other_before, other, sizeof(other));

	uint64_t call = nr % (SYS_COUNT + 2); /* and two numbers past the table */
	/*
	 * What the caller sets; the rest starts as garbage, different for the
	 * two decodes: a field a decoder promises but does not write fails the
	 * checks of one of them.
	 */
	memset(&rq, 0xa5, sizeof(rq));
	memset(&rq2, 0x5a, sizeof(rq2));
	rq.nr = rq2.nr = call;
	memcpy(rq.a, a, sizeof(a));
	memcpy(rq2.a, a, sizeof(a));
	long r = syscall_decode(&rq, table, &m);
	CHECK(!memcmp(before, table, sizeof(table)) && !memcmp(other_before, other, sizeof(other)),
	      "decoding changes no capability");
	long r2 = syscall_decode(&rq2, table, &m);
	CHECK(r == r2, "decoding twice gives the same answer");
	CHECK(rq.nr == call && !memcmp(rq.a, a, sizeof(a)), "the call and arguments are kept");
	(r ? stat_err : stat_ok)[call]++;
	if (r) {
		CHECK(is_decode_error(r), "a decoder's error is one of the ABI's argument errors");
		CHECK(call < SYS_COUNT || r == -KEEL_ENOSYS, "an unknown call is ENOSYS");
		CHECK(call != SYS_DEBUG_TEST || m.test_boot || r == -KEEL_ENOSYS,
		      "outside test boots SYS_DEBUG_TEST is ENOSYS, whatever its arguments");
	} else {
		CHECK(call < SYS_COUNT, "an unknown call is never decoded");
		check_ok(&rq, &m);
		check_ok(&rq2, &m);
	}

	/* And the tag of an IPC call: the third argument's bits, with the flags from mach. */
	uint64_t tag = a[5] ^ fuzz_u64(&in);
	int has_buf = mach & 1, grant = (mach >> 1) & 1;
	r = decode_tag(tag, has_buf, table, grant);
	CHECK(!memcmp(before, table, sizeof(table)), "decoding a tag changes no capability");
	if (r)
		CHECK(r == -KEEL_EINVAL || r == -KEEL_ENOENT || r == -KEEL_EDEAD ||
			  r == -KEEL_EPERM,
		      "a tag's error is EINVAL, ENOENT, EDEAD or EPERM");
	else
		check_tag(tag, has_buf, grant);
	return 0;
}
