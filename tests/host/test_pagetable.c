/*
 * test_pagetable.c - the page-table builder and walker, run against a fake
 * physical-memory arena: "physical" address P is arena + P.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <arch/pagetable.h>

struct arena {
	u8 *mem;
	u64 frames, next; /* frames handed out: 0..next-1 (frame 0 unused) */
	u64 fail_after;	  /* make alloc fail after this many (0: never) */
};

static u64 arena_alloc(void *ctx)
{
	struct arena *a = ctx;
	if (a->next >= a->frames || (a->fail_after && a->next > a->fail_after))
		return ~(u64)0;
	u64 p = a->next++ * PAGE_SIZE;
	memset(a->mem + p, 0, PAGE_SIZE);
	return p;
}

static pte_t *arena_virt(void *ctx, u64 phys)
{
	struct arena *a = ctx;
	assert_true(phys + PAGE_SIZE <= a->frames * PAGE_SIZE);
	return (pte_t *)(a->mem + phys);
}

struct fixture {
	struct arena a;
	struct pt_env env;
	u64 root;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->a.frames = 2048;
	f->a.next = 1;
	f->a.mem = aligned_alloc(PAGE_SIZE, f->a.frames * PAGE_SIZE);
	f->env = (struct pt_env){ .alloc = arena_alloc, .to_virt = arena_virt, .ctx = &f->a };
	f->root = arena_alloc(&f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->a.mem);
	free(f);
	return 0;
}

#define ALL_SIZES (PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G)
#define DM	  DIRECT_MAP_BASE

static void test_map_4k_and_translate(void **state)
{
	struct fixture *f = *state;
	struct pt_leaf l;

	assert_int_equal(
	    pt_map(&f->env, f->root, KERNEL_VIRT_LOAD, 0x200000, 3 * SIZE_4K, PTE_NX, ALL_SIZES),
	    PT_OK);
	assert_int_equal(f->env.mapped[0], 3);
	assert_int_equal(f->env.tables, 3); /* PDPT, PD, PT */
	assert_true(pt_translate(&f->env, f->root, KERNEL_VIRT_LOAD + 0x1234, &l));
	assert_int_equal(l.va, KERNEL_VIRT_LOAD + 0x1000);
	assert_int_equal(l.pa, 0x201000);
	assert_int_equal(l.size, SIZE_4K);
	assert_true(l.flags & PTE_NX);
	assert_false(l.flags & PTE_W);
	assert_false(l.flags & PTE_U);
	assert_false(pt_translate(&f->env, f->root, KERNEL_VIRT_LOAD + 3 * SIZE_4K, &l));
	assert_false(pt_translate(&f->env, f->root, 0x0000800000000000, &l));
}

static void test_largest_page_that_fits(void **state)
{
	struct fixture *f = *state;
	/* 4K..1G+2M+4K: 4K pages up to 2M, 2M pages up to 1G, one 1G page,
	 * one 2M page, one 4K page. */
	u64 start = SIZE_4K, end = 2 * SIZE_1G + SIZE_2M + SIZE_4K;
	assert_int_equal(
	    pt_map(&f->env, f->root, DM + start, start, end - start, PTE_W | PTE_NX, ALL_SIZES),
	    PT_OK);
	assert_int_equal(f->env.mapped[0], 511 + 1);
	assert_int_equal(f->env.mapped[1], 511 + 1);
	assert_int_equal(f->env.mapped[2], 1);

	struct pt_leaf l;
	assert_true(pt_translate(&f->env, f->root, DM + SIZE_1G + 12345, &l));
	assert_int_equal(l.size, SIZE_1G);
	assert_int_equal(l.pa, SIZE_1G);
	assert_true(l.flags & PTE_PS);
	assert_true(pt_translate(&f->env, f->root, DM + 2 * SIZE_1G + 5, &l));
	assert_int_equal(l.size, SIZE_2M);
	assert_true(pt_translate(&f->env, f->root, DM + 2 * SIZE_1G + SIZE_2M, &l));
	assert_int_equal(l.size, SIZE_4K);
}

static void test_no_1g_when_not_allowed(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
	    pt_map(&f->env, f->root, DM, 0, 2 * SIZE_1G, PTE_W | PTE_NX, PT_SIZE_4K | PT_SIZE_2M),
	    PT_OK);
	assert_int_equal(f->env.mapped[2], 0);
	assert_int_equal(f->env.mapped[1], 1024);
	assert_int_equal(f->env.mapped[0], 0);
}

static void test_misaligned_va_pa_uses_small_pages(void **state)
{
	struct fixture *f = *state;
	/* va 2M-aligned but pa only 4K-aligned: no large page is possible. */
	assert_int_equal(
	    pt_map(&f->env, f->root, DM + SIZE_2M, SIZE_4K, SIZE_2M, PTE_W | PTE_NX, ALL_SIZES),
	    PT_OK);
	assert_int_equal(f->env.mapped[1], 0);
	assert_int_equal(f->env.mapped[0], 512);
}

static void test_refuses_to_overwrite(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_map(&f->env, f->root, DM, 0, SIZE_2M, PTE_W, ALL_SIZES), PT_OK);
	/* A 4K page inside the 2M page, and the 2M page again. */
	assert_int_equal(pt_map(&f->env, f->root, DM + SIZE_4K, 0, SIZE_4K, PTE_W, ALL_SIZES),
			 PT_EEXIST);
	assert_int_equal(pt_map(&f->env, f->root, DM, 0, SIZE_2M, PTE_W, ALL_SIZES), PT_EEXIST);
	struct pt_leaf l;
	assert_true(pt_translate(&f->env, f->root, DM + SIZE_4K, &l));
	assert_int_equal(l.size, SIZE_2M);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_map(&f->env, f->root, DM + 1, 0, SIZE_4K, 0, ALL_SIZES), PT_EINVAL);
	assert_int_equal(pt_map(&f->env, f->root, DM, 1, SIZE_4K, 0, ALL_SIZES), PT_EINVAL);
	assert_int_equal(pt_map(&f->env, f->root, DM, 0, 0, 0, ALL_SIZES), PT_EINVAL);
	assert_int_equal(pt_map(&f->env, f->root, DM, 0, SIZE_4K, 0, PT_SIZE_2M), PT_EINVAL);
	/* Non-canonical, and a range that crosses the hole. */
	assert_int_equal(pt_map(&f->env, f->root, 0x0000800000000000, 0, SIZE_4K, 0, ALL_SIZES),
			 PT_EINVAL);
	assert_int_equal(pt_map(&f->env, f->root, USER_END - SIZE_4K, 0, 2 * SIZE_4K, 0, ALL_SIZES),
			 PT_EINVAL);
	/* Physical addresses beyond 52 bits. */
	assert_int_equal(pt_map(&f->env, f->root, DM, 1ul << 52, SIZE_4K, 0, ALL_SIZES), PT_EINVAL);
	assert_int_equal(f->env.tables, 0);
}

static void test_out_of_memory(void **state)
{
	struct fixture *f = *state;
	f->a.fail_after = f->a.next + 1; /* room for one table only */
	assert_int_equal(pt_map(&f->env, f->root, DM, 0, SIZE_4K, PTE_W, ALL_SIZES), PT_ENOMEM);
}

struct seen {
	u64 n, last_va, bytes;
	bool ordered;
};

static int count_leaf(void *arg, const struct pt_leaf *l)
{
	struct seen *s = arg;
	if (s->n && l->va <= s->last_va)
		s->ordered = false;
	s->last_va = l->va;
	s->n++;
	s->bytes += l->size;
	return 0;
}

static void test_walk_in_order_with_bounds(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
	    pt_map(&f->env, f->root, 0x400000, 0x1000000, 4 * SIZE_4K, PTE_W | PTE_U, ALL_SIZES),
	    PT_OK);
	assert_int_equal(
	    pt_map(&f->env, f->root, DM, 0, SIZE_2M + SIZE_4K, PTE_W | PTE_NX, ALL_SIZES), PT_OK);
	assert_int_equal(
	    pt_map(&f->env, f->root, KERNEL_VIRT_LOAD, 0x200000, SIZE_4K, 0, ALL_SIZES), PT_OK);

	struct seen s = { .ordered = true };
	assert_int_equal(pt_walk(&f->env, f->root, 0, 0, count_leaf, &s), 0);
	assert_int_equal(s.n, 4 + 2 + 1);
	assert_true(s.ordered);
	assert_int_equal(s.last_va, KERNEL_VIRT_LOAD);

	/* Only the kernel half. */
	s = (struct seen){ .ordered = true };
	pt_walk(&f->env, f->root, KERNEL_HALF_BASE, 0, count_leaf, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.bytes, SIZE_2M + 2 * SIZE_4K);

	/* Only the user half; leaves keep the user bit. */
	s = (struct seen){ .ordered = true };
	pt_walk(&f->env, f->root, 0, USER_END, count_leaf, &s);
	assert_int_equal(s.n, 4);
	struct pt_leaf l;
	assert_true(pt_translate(&f->env, f->root, 0x401000, &l));
	assert_true(l.flags & PTE_U);
	assert_true(l.flags & PTE_W);
	assert_int_equal(l.pa, 0x1001000);
}

static int stop_at_second(void *arg, const struct pt_leaf *l)
{
	return ++*(int *)arg == 2 ? 42 : 0;
}

static void test_walk_stops(void **state)
{
	struct fixture *f = *state;
	int n = 0;
	pt_map(&f->env, f->root, DM, 0, 4 * SIZE_4K, PTE_W, ALL_SIZES);
	assert_int_equal(pt_walk(&f->env, f->root, 0, 0, stop_at_second, &n), 42);
	assert_int_equal(n, 2);
}

static void test_effective_permissions(void **state)
{
	struct fixture *f = *state;
	struct pt_leaf l;

	pt_map(&f->env, f->root, DM, 0, SIZE_4K, PTE_W, ALL_SIZES);
	/* Clear W in the PML4 entry: the leaf's W no longer counts. */
	pte_t *pml4 = arena_virt(&f->a, f->root);
	pml4[256] &= ~(u64)PTE_W;
	pml4[256] |= PTE_NX;
	assert_true(pt_translate(&f->env, f->root, DM, &l));
	assert_false(l.flags & PTE_W);
	assert_true(l.flags & PTE_NX);
}

static void test_prealloc(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_prealloc(&f->env, f->root, PERCPU_BASE, PT_LEVEL_PDPT), PT_OK);
	assert_int_equal(f->env.tables, 1);
	pte_t *pml4 = arena_virt(&f->a, f->root);
	assert_true(pml4[511] & PTE_P);
	assert_false(pml4[511] & PTE_U);
	/* Idempotent; and the image's mapping shares the same PDPT. */
	assert_int_equal(pt_prealloc(&f->env, f->root, PERCPU_BASE, PT_LEVEL_PDPT), PT_OK);
	assert_int_equal(f->env.tables, 1);
	pt_map(&f->env, f->root, KERNEL_VIRT_LOAD, 0x200000, SIZE_4K, 0, ALL_SIZES);
	assert_int_equal(f->env.tables, 3);
	assert_int_equal(pt_prealloc(&f->env, f->root, 0, 0), PT_EINVAL);
}

/* pt_entry: the entry at each level, and which table is missing. */
static void test_entry_levels(void **state)
{
	struct fixture *f = *state;
	u64 va = 0x40201000;
	int missing = -1;

	assert_null(pt_entry(&f->env, f->root, va, PT_LEVEL_PT, &missing));
	assert_int_equal(missing, PT_LEVEL_PDPT); /* nothing below the PML4 yet */
	pte_t *top = pt_entry(&f->env, f->root, va, PT_LEVEL_PML4, &missing);
	assert_ptr_equal(top, &arena_virt(&f->a, f->root)[pt_index(va, PT_LEVEL_PML4)]);
	assert_int_equal(pt_prealloc(&f->env, f->root, va, PT_LEVEL_PD), PT_OK);
	assert_null(pt_entry(&f->env, f->root, va, PT_LEVEL_PT, &missing));
	assert_int_equal(missing, PT_LEVEL_PT); /* the page directory exists */
	pte_t *pde = pt_entry(&f->env, f->root, va, PT_LEVEL_PD, &missing);
	assert_non_null(pde);
	assert_false(*pde & PTE_P);
	assert_int_equal(pt_map(&f->env, f->root, va, 0x5000, SIZE_4K, PTE_U, PT_SIZE_4K), PT_OK);
	pte_t *leaf = pt_entry(&f->env, f->root, va, PT_LEVEL_PT, &missing);
	assert_non_null(leaf);
	assert_int_equal(pte_addr(*leaf), 0x5000);
	assert_ptr_equal(leaf, pt_entry_4k(&f->env, f->root, va));
	/* A large page is in the way of the tables below it. */
	assert_int_equal(pt_map(&f->env, f->root, 0x80000000, 0x200000, SIZE_2M, 0, ALL_SIZES),
			 PT_OK);
	assert_null(pt_entry(&f->env, f->root, 0x80001000, PT_LEVEL_PT, &missing));
	assert_int_equal(missing, 0);
	assert_null(pt_entry(&f->env, f->root, 1ul << 47, PT_LEVEL_PT, &missing));
	assert_int_equal(missing, 0); /* not canonical */
}

/* 1 TB with 2 MB pages (no 1 GB pages): tables grow with RAM. */
static void test_terabyte_table_cost(void **state)
{
	struct fixture *f = *state;
	free(f->a.mem);
	f->a.frames = 1100;
	f->a.mem = aligned_alloc(PAGE_SIZE, f->a.frames * PAGE_SIZE);
	f->a.next = 1;
	f->root = arena_alloc(&f->a);
	assert_int_equal(
	    pt_map(&f->env, f->root, DM, 0, 1ul << 40, PTE_W | PTE_NX, PT_SIZE_4K | PT_SIZE_2M),
	    PT_OK);
	/* 2 PDPTs (two PML4 slots of 512 GB) + 1024 PDs (one per GB). */
	assert_int_equal(f->env.tables, 2 + 1024);
	assert_int_equal(f->env.mapped[1], 1024 * 512);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_map_4k_and_translate),
		T(test_largest_page_that_fits),
		T(test_no_1g_when_not_allowed),
		T(test_misaligned_va_pa_uses_small_pages),
		T(test_refuses_to_overwrite),
		T(test_bad_arguments),
		T(test_out_of_memory),
		T(test_walk_in_order_with_bounds),
		T(test_walk_stops),
		T(test_effective_permissions),
		T(test_prealloc),
		T(test_entry_levels),
		T(test_terabyte_table_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
