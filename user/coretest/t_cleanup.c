/*
 * t_cleanup.c - accounting: a donation holding objects cannot be reclaimed;
 * once every object in it is destroyed it can, and the chunk can be
 * donated again.  And the pager saw nothing it did not expect.
 */
#include "ct.h"

#define E(call, err) expect_eq((call), -(long)(err), #call)
#define OK(call)     expect_eq((call), 0, #call)

void tests_cleanup(void)
{
	static struct kpool pool;
	static const unsigned long vas[] = { PROG_LOAD_BASE, PROG_LOAD_BASE + PAGE_SIZE, 0x40000000,
					     0x7f0000000000ul };
	unsigned long f = frame_alloc_zeroed();

	test_begin("cleanup_reclaim_after_destroy");
	kpool_init(&pool, &root_pool);
	unsigned long asf = kpool_get(&pool), pml4 = kpool_get(&pool), cs = kpool_get(&pool);
	unsigned long m = ct.mem;
	unsigned long tcbf = kpool_get(&pool), epf = kpool_get(&pool);
	int as = slot_alloc(), tcb = slot_alloc(), ep = slot_alloc();
	expect(f && asf && pml4 && cs && tcbf && epf && as >= 0 && tcb >= 0 && ep >= 0,
	       "out of memory");
	if (test_failing()) {
		test_end();
		return;
	}
	OK(keel_as_create(m, asf, pml4, cs, (unsigned long)as));
	for (unsigned i = 0; i < sizeof(vas) / sizeof(vas[0]); i++)
		OK(map_page(&pool, (unsigned long)as, vas[i], f, KEEL_MAP_R));
	OK(keel_endpoint_create(m, epf, (unsigned long)ep));
	OK(keel_thread_create(m, tcbf, (unsigned long)as, f, badge_new(), (unsigned long)tcb));
	/* A capability in its space: the space goes, and the capability with it. */
	OK(keel_cap_copy((unsigned long)ep, (unsigned long)as, 3, KEEL_EP_SEND | KEEL_EP_RECV, 0));
	unsigned long chunk = pool.chunks[0];
	E(keel_kmem_reclaim(m, chunk, CHUNK_SIZE), KEEL_EBUSY);
	OK(keel_destroy((unsigned long)tcb));
	E(keel_kmem_reclaim(m, chunk, CHUNK_SIZE), KEEL_EBUSY);
	OK(keel_destroy((unsigned long)as));
	E(keel_kmem_reclaim(m, chunk, CHUNK_SIZE), KEEL_EBUSY);
	OK(keel_destroy((unsigned long)ep));
	slot_free(as);
	slot_free(tcb);
	slot_free(ep);
	OK(kpool_release(&pool));
	/* It is ours again: donate and reclaim it once more. */
	OK(keel_kmem_donate(m, chunk, CHUNK_SIZE));
	OK(keel_kmem_reclaim(m, chunk, CHUNK_SIZE));
	frame_free(f);
	test_end();

	test_begin("cleanup_pager_no_strays");
	expect_eq(pager_strays(), 0, "messages the pager did not expect");
	test_end();
}
