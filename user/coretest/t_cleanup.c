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
	unsigned long as = kpool_get(&pool), pml4 = kpool_get(&pool);
	unsigned long tcb = kpool_get(&pool), ep = kpool_get(&pool);
	expect(f && as && pml4 && tcb && ep, "out of memory");
	OK(keel_as_create(as, pml4));
	for (unsigned i = 0; i < sizeof(vas) / sizeof(vas[0]); i++)
		OK(map_page(&pool, as, vas[i], f, KEEL_MAP_R));
	OK(keel_endpoint_create(ep));
	OK(keel_thread_create(tcb, as, f, badge_new()));
	OK(keel_as_set_endpoint(as, 3, ep, KEEL_EP_SEND | KEEL_EP_RECV));
	unsigned long chunk = pool.chunks[0];
	E(keel_kmem_reclaim(chunk, CHUNK_SIZE), KEEL_EBUSY);
	OK(keel_destroy(tcb));
	E(keel_kmem_reclaim(chunk, CHUNK_SIZE), KEEL_EBUSY);
	OK(keel_destroy(as));
	E(keel_kmem_reclaim(chunk, CHUNK_SIZE), KEEL_EBUSY);
	OK(keel_destroy(ep));
	OK(kpool_release(&pool));
	/* It is ours again: donate and reclaim it once more. */
	OK(keel_kmem_donate(chunk, CHUNK_SIZE));
	OK(keel_kmem_reclaim(chunk, CHUNK_SIZE));
	frame_free(f);
	test_end();

	test_begin("cleanup_pager_no_strays");
	expect_eq(pager_strays(), 0, "messages the pager did not expect");
	test_end();
}
