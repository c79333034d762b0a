/*
 * test_decode.c - the decode half of the system calls (kernel/core/decode.c):
 * the ABI's order of errors (slots, then the other arguments, in order),
 * and what a decode hands the handler.  tests/fuzz/fuzz_decode.c checks
 * the properties on random calls; these are the fixed cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/decode.h>
#include "testutil.h"

#define PAGE KEEL_PAGE_SIZE
#define RW   (KEEL_MAP_R | KEEL_MAP_W)

enum { MEM = 0, AS = 1, EP = 2, NT = 3, STALE_EP = 4, RO_MEM = 5, FREE = 20 };

static struct cap table[KEEL_CAP_SLOTS], other[KEEL_CAP_SLOTS];
static u64 *obj[4];

static struct cap *space_caps(const struct cap *as)
{
	return other;
}

static const struct decode_env env = {
	.cpus = 4, .huge_pages = false, .test_boot = true, .space_caps = space_caps
};

static struct cap object_cap(u32 type, u64 *o, u32 rights, bool stale)
{
	return (struct cap){ .word = (u64)o | type | (u64)rights << CAP_RIGHTS_SHIFT,
			     .gen = stale ? o[0] + 1 : o[0] };
}

static struct cap memory_cap(u64 base, u64 size, u32 rights)
{
	return (struct cap){ .word = base | CAP_MEMORY | (u64)rights << CAP_RIGHTS_SHIFT,
			     .size = size };
}

/* A caller with 16 MB of memory at 64 MB, an address space, an endpoint, a notification. */
static int setup(void **state)
{
	memset(table, 0, sizeof(table));
	memset(other, 0, sizeof(other));
	for (int i = 0; i < 4; i++) {
		if (!obj[i] && !(obj[i] = aligned_alloc(PAGE, PAGE)))
			return -1;
		obj[i][0] = 7 + (u64)i;
	}
	table[MEM] = memory_cap(64ull << 20, 16ull << 20, CAP_RIGHTS_MEMORY);
	table[AS] = object_cap(CAP_ASPACE, obj[0], CAP_RIGHTS_ASPACE, false);
	table[EP] = object_cap(CAP_ENDPOINT, obj[1], CAP_RIGHTS_ENDPOINT, false);
	table[NT] = object_cap(CAP_NOTIFY, obj[2], CAP_RIGHTS_NOTIFY, false);
	table[STALE_EP] = object_cap(CAP_ENDPOINT, obj[3], CAP_RIGHTS_ENDPOINT, true);
	table[RO_MEM] = memory_cap(96ull << 20, 1ull << 20, KEEL_MEM_R | KEEL_MEM_KMEM);
	other[3] = table[EP];
	return 0;
}

static long call(struct sysreq *rq, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	struct cap copy[KEEL_CAP_SLOTS];

	/* Garbage in what the decode is to write (keel/decode.h), as on a kernel stack. */
	memset(rq, 0xa5, sizeof(*rq));
	rq->nr = nr;
	rq->a[0] = a0;
	rq->a[1] = a1;
	rq->a[2] = a2;
	rq->a[3] = a3;
	rq->a[4] = a4;
	rq->a[5] = a5;
	memcpy(copy, table, sizeof(copy));
	long r = syscall_decode(rq, table, &env);
	assert_memory_equal(copy, table, sizeof(copy)); /* decoding changes nothing */
	return r;
}

/* SYS_MAP: slots first, then va, off, rights in order; the result, decoded. */
static void test_map(void **state)
{
	struct sysreq rq;
	u64 va = 0x400000;

	assert_int_equal(call(&rq, SYS_MAP, EP, va + 1, MEM, 0, 0, 0), -KEEL_EBADOBJ);
	assert_int_equal(call(&rq, SYS_MAP, AS, va + 1, FREE, 0, 0, 0), -KEEL_ENOENT);
	assert_int_equal(call(&rq, SYS_MAP, AS, va + 1, MEM, 1, 0, 0), -KEEL_EINVAL); /* va */
	assert_int_equal(call(&rq, SYS_MAP, AS, KEEL_USER_TOP, MEM, 1, 0, 0), -KEEL_EFAULT);
	assert_int_equal(call(&rq, SYS_MAP, AS, va, MEM, 16ull << 20, 0, 0), -KEEL_EINVAL);
	assert_int_equal(call(&rq, SYS_MAP, AS, va, MEM, 0, 0, 0), -KEEL_EINVAL); /* no R */
	assert_int_equal(call(&rq, SYS_MAP, AS, va, RO_MEM, 0, RW, 0), -KEEL_EPERM);
	assert_int_equal(call(&rq, SYS_MAP, AS, va, RO_MEM, 0, KEEL_MAP_R | KEEL_MAP_ZERO, 0),
			 -KEEL_EPERM); /* clearing needs W */
	assert_int_equal(call(&rq, SYS_MAP, AS, va, MEM, 0, KEEL_MAP_R | KEEL_MAP_HUGE, 0),
			 -KEEL_EINVAL); /* no 1 GB pages on this machine */

	assert_int_equal(call(&rq, SYS_MAP, AS, va, MEM, 5 * PAGE, RW | KEEL_MAP_ZERO, 0), 0);
	assert_ptr_equal(rq.cap[0], &table[AS]);
	assert_ptr_equal(rq.cap[2], &table[MEM]);
	assert_int_equal(rq.frame[0], (64ull << 20) + 5 * PAGE);
	assert_int_equal(rq.level, 1);
	assert_int_equal(rq.size, PAGE);
	assert_int_equal(rq.rights, RW);

	/* A 2 MB page: va, off and size aligned, all of it below the top. */
	assert_int_equal(call(&rq, SYS_MAP, AS, va, MEM, PAGE, RW | KEEL_MAP_LARGE, 0),
			 -KEEL_EINVAL);
	assert_int_equal(
	    call(&rq, SYS_MAP, AS, KEEL_USER_TOP - 511 * PAGE, MEM, 0, RW | KEEL_MAP_LARGE, 0),
	    -KEEL_EFAULT);
	assert_int_equal(call(&rq, SYS_MAP, AS, va, MEM, 2ull << 20, RW | KEEL_MAP_LARGE, 0), 0);
	assert_int_equal(rq.level, 2);
	assert_int_equal(rq.size, 2ull << 20);
}

/* Objects: the new capability's slot (EINVAL, EEXIST) before the frames. */
static void test_create(void **state)
{
	struct sysreq rq;

	assert_int_equal(call(&rq, SYS_ENDPOINT_CREATE, MEM, 1, KEEL_CAP_SLOTS, 0, 0, 0),
			 -KEEL_EINVAL);
	assert_int_equal(call(&rq, SYS_ENDPOINT_CREATE, MEM, 1, EP, 0, 0, 0), -KEEL_EEXIST);
	assert_int_equal(call(&rq, SYS_ENDPOINT_CREATE, MEM, 1, FREE, 0, 0, 0), -KEEL_EINVAL);
	assert_int_equal(call(&rq, SYS_ENDPOINT_CREATE, MEM, PAGE, FREE, 0, 0, 0), 0);
	assert_ptr_equal(rq.dst, &table[FREE]);
	assert_int_equal(rq.frame[0], (64ull << 20) + PAGE);
	/* An address space's three frames are three. */
	assert_int_equal(call(&rq, SYS_AS_CREATE, MEM, 0, PAGE, 0, FREE, 0), -KEEL_EINVAL);
	assert_int_equal(call(&rq, SYS_AS_CREATE, MEM, 0, PAGE, 2 * PAGE, FREE, 0), 0);
	/* A thread's buffer needs R and W on the memory. */
	assert_int_equal(call(&rq, SYS_THREAD_CREATE, RO_MEM, 0, AS, PAGE, 0, FREE), -KEEL_EPERM);
	assert_int_equal(call(&rq, SYS_THREAD_CREATE, RO_MEM, 0, AS, KEEL_NO_BUFFER, 0, FREE), 0);
	assert_int_equal(rq.frame[1], 0); /* written, over call()'s garbage: no buffer */
}

/* Copies and deletes: the space's slot is checked with the slots. */
static void test_caps(void **state)
{
	struct sysreq rq;

	assert_int_equal(call(&rq, SYS_CAP_COPY, STALE_EP, KEEL_CAP_SELF, FREE, 1, 0, 0),
			 -KEEL_EDEAD);
	/* A full destination is EEXIST even with rights the source lacks. */
	assert_int_equal(call(&rq, SYS_CAP_COPY, EP, AS, 3, 0xff, 0, 0), -KEEL_EEXIST);
	assert_int_equal(call(&rq, SYS_CAP_COPY, EP, AS, 4, 0, 0, 0), -KEEL_EINVAL);
	assert_int_equal(call(&rq, SYS_CAP_COPY, EP, AS, 4, KEEL_EP_SEND, 5, 0), 0);
	assert_ptr_equal(rq.dst, &other[4]);
	assert_int_equal(rq.rights, KEEL_EP_SEND);
	/* A notification badge with bit 63 would read as an error. */
	assert_int_equal(
	    call(&rq, SYS_CAP_COPY, NT, KEEL_CAP_SELF, FREE, KEEL_NT_SIGNAL, 1ull << 63, 0),
	    -KEEL_EINVAL);
	assert_int_equal(call(&rq, SYS_CAP_DELETE, AS, 4, 0, 0, 0, 0), -KEEL_ENOENT);
	assert_int_equal(call(&rq, SYS_CAP_DELETE, AS, 3, 0, 0, 0, 0), 0);
	assert_ptr_equal(rq.dst, &other[3]);
	assert_int_equal(call(&rq, SYS_CAP_DELETE, KEEL_CAP_SELF, STALE_EP, 0, 0, 0, 0), 0);
	assert_ptr_equal(rq.dst, &table[STALE_EP]); /* a stale one may always be deleted */
}

/* Tags: the kernel bit, a buffer, capabilities and GRANT. */
static void test_tag(void **state)
{
	setup(state);
	assert_int_equal(decode_tag(IPC_TAG(5, 0), false, table, false), 0);
	assert_int_equal(decode_tag(IPC_TAG_KERNEL | 5, true, table, true), -KEEL_EINVAL);
	assert_int_equal(decode_tag(IPC_TAG(5, 8), false, table, true), -KEEL_EINVAL);
	assert_int_equal(decode_tag(IPC_TAG(5, IPC_BUF_MAX + 1), true, table, true), -KEEL_EINVAL);
	assert_int_equal(decode_tag(IPC_TAG_CAPS(5, 1, EP, 0), false, table, false), -KEEL_EPERM);
	assert_int_equal(decode_tag(IPC_TAG_CAPS(5, 1, EP, 0), false, table, true), 0);
	assert_int_equal(decode_tag(IPC_TAG_CAPS(5, 1, STALE_EP, 0), false, table, true),
			 -KEEL_EDEAD);
	assert_int_equal(decode_tag(IPC_TAG_CAPS(5, 2, EP, EP), false, table, true), -KEEL_EINVAL);
	assert_int_equal(decode_tag(IPC_TAG_CAPS(5, 2, EP, NT), false, table, true), 0);
	assert_int_equal(decode_tag(5 | IPC_TAG_MOVE, false, table, true), -KEEL_EINVAL);
}

/* Every call has a decoder, and an unknown one is ENOSYS. */
static void test_table(void **state)
{
	struct sysreq rq;
	struct decode_env normal = env;
	struct sysreq probe = { .nr = SYS_DEBUG_TEST, .a = { 0, 3, 0, 0, 0, 0 } };

	/* init's probe: a bad result is EINVAL in a test boot, ENOSYS in any other. */
	assert_int_equal(call(&rq, SYS_DEBUG_TEST, 0, 3, 0, 0, 0, 0), -KEEL_EINVAL);
	/* In the order of the arguments: a kernel address for the name first. */
	assert_int_equal(call(&rq, SYS_DEBUG_TEST, KEEL_USER_TOP, 3, 0, 0, 0, 0), -KEEL_EFAULT);
	assert_int_equal(call(&rq, SYS_DEBUG_TEST, 0, 1, KEEL_USER_TOP, 0, 0, 0), -KEEL_EFAULT);
	normal.test_boot = false;
	assert_int_equal(syscall_decode(&probe, table, &normal), -KEEL_ENOSYS);

	assert_true(syscall_decoders_complete());
	/* SYS_MAP's capabilities, which keel/ipc_inline.h's fault reply looks up itself. */
	const struct decode_cap *mc = syscall_decoders[SYS_MAP].caps;
	assert_true(mc[0].arg == 0 && mc[0].type == CAP_ASPACE && mc[0].rights == KEEL_AS_MAP);
	assert_true(mc[1].arg == 2 && mc[1].type == CAP_MEMORY && mc[1].rights == 0);
	assert_int_equal(call(&rq, SYS_COUNT, 0, 0, 0, 0, 0, 0), -KEEL_ENOSYS);
	assert_int_equal(call(&rq, ~0ull, 0, 0, 0, 0, 0, 0), -KEEL_ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_map, setup),
		cmocka_unit_test_setup(test_create, setup),
		cmocka_unit_test_setup(test_caps, setup),
		cmocka_unit_test(test_tag),
		cmocka_unit_test_setup(test_table, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
