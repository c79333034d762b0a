/*
 * t_errors.c - every system call's error paths, with the root's authority:
 * each argument in turn made bad in each way, the exact code checked, and
 * the order (the first bad argument decides) checked where two are bad.
 */
#include "ct.h"

#define R	     KEEL_MAP_R
#define KFRAME	     0x200000ul		  /* the kernel image's load address */
#define NOTRAM	     0xa0000ul		  /* VGA memory */
#define NOTRAM_HI    (1ul << 46)	  /* above all RAM */
#define MMIO_CHUNK   0xfec00000ul	  /* the I/O APIC's 2 MB, not RAM */
#define WRAP_BASE    0xffffffffffe00000ul /* + 4 MB wraps around */

#define E(call, err) expect_eq((call), -(long)(err), #call)
#define OK(call)     expect_eq((call), 0, #call)

static struct {
	struct kpool pool;
	unsigned long ep, as, tcb;
	unsigned long freef, freef2; /* donated, no object */
	unsigned long user;	     /* the pager's RAM, mapped at user_va */
	unsigned char *user_va;
	unsigned long raw;   /* the pager's RAM, never donated nor mapped */
	unsigned long chunk; /* a free chunk, never donated */
	unsigned long va;    /* a valid user address, nothing mapped */
} fx;

static long setup(void)
{
	long r;

	memset(&fx, 0, sizeof(fx));
	kpool_init(&fx.pool, &root_pool);
	fx.va = NEVER_VA;
	fx.ep = kpool_get(&fx.pool);
	unsigned long pml4 = kpool_get(&fx.pool);
	fx.as = kpool_get(&fx.pool);
	fx.tcb = kpool_get(&fx.pool);
	fx.freef = kpool_get(&fx.pool);
	fx.freef2 = kpool_get(&fx.pool);
	fx.user = frame_alloc_zeroed();
	fx.raw = frame_alloc();
	fx.chunk = chunk_alloc();
	if (!fx.ep || !pml4 || !fx.as || !fx.tcb || !fx.freef || !fx.freef2 || !fx.user ||
	    !fx.raw || !fx.chunk)
		return -KEEL_EFULL;
	fx.user_va = scratch_map(fx.user, KEEL_MAP_R | KEEL_MAP_W);
	if (!fx.user_va)
		return -KEEL_EFULL;
	r = keel_endpoint_create(fx.ep);
	if (r < 0)
		return r;
	r = keel_as_create(fx.as, pml4);
	if (r < 0)
		return r;
	return keel_thread_create(fx.tcb, fx.as, 0, badge_new());
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

static void err_kmem_donate(void)
{
	test_begin("err_kmem_donate");
	E(keel_kmem_donate(fx.chunk + PAGE_SIZE, CHUNK_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(fx.chunk, PAGE_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(fx.chunk, CHUNK_SIZE + PAGE_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(NOTRAM_HI, CHUNK_SIZE), KEEL_ENOTRAM);
	E(keel_kmem_donate(MMIO_CHUNK, CHUNK_SIZE), KEEL_ENOTRAM);
	E(keel_kmem_donate(KFRAME, CHUNK_SIZE), KEEL_EKERNEL);
	E(keel_kmem_donate(WRAP_BASE, 2 * CHUNK_SIZE), KEEL_EINVAL);
	E(keel_kmem_donate(fx.pool.chunks[0], CHUNK_SIZE), KEEL_EROLE);
	test_end();
}

static void err_kmem_reclaim(void)
{
	test_begin("err_kmem_reclaim");
	E(keel_kmem_reclaim(fx.chunk + PAGE_SIZE, CHUNK_SIZE), KEEL_EINVAL);
	E(keel_kmem_reclaim(NOTRAM_HI, CHUNK_SIZE), KEEL_ENOTRAM);
	E(keel_kmem_reclaim(KFRAME, CHUNK_SIZE), KEEL_EKERNEL);
	E(keel_kmem_reclaim(fx.pool.chunks[0], CHUNK_SIZE), KEEL_EBUSY);
	expect_any(keel_kmem_reclaim(fx.chunk, CHUNK_SIZE), KEEL_EROLE, KEEL_ENOENT,
		   "reclaiming a chunk never donated");
	test_end();
}

static void err_kmem_counts(void)
{
	test_begin("err_kmem_counts");
	E(keel_kmem_counts(fx.user, fx.freef + 8), KEEL_EINVAL);
	E(keel_kmem_counts(fx.user, NOTRAM), KEEL_ENOTRAM);
	E(keel_kmem_counts(fx.user, KFRAME), KEEL_EKERNEL);
	E(keel_kmem_counts(fx.user, ct.self_thread), KEEL_EKERNEL);
	E(keel_kmem_counts(fx.user, fx.raw), KEEL_EROLE);
	E(keel_kmem_counts(fx.user, fx.ep), KEEL_EROLE);
	/* fx.user is mapped, so its table is there. */
	E(keel_kmem_counts(fx.user, fx.freef), KEEL_EEXIST);
	test_end();
}

static void err_as_create(void)
{
	test_begin("err_as_create");
	E(keel_as_create(fx.freef + 8, fx.freef2), KEEL_EINVAL);
	E(keel_as_create(NOTRAM, fx.freef2), KEEL_ENOTRAM);
	E(keel_as_create(NOTRAM_HI, fx.freef2), KEEL_ENOTRAM);
	E(keel_as_create(KFRAME, fx.freef2), KEEL_EKERNEL);
	E(keel_as_create(ct.self_thread, fx.freef2), KEEL_EKERNEL);
	E(keel_as_create(ct.self_as, fx.freef2), KEEL_EKERNEL);
	E(keel_as_create(fx.raw, fx.freef2), KEEL_EROLE);
	E(keel_as_create(fx.user, fx.freef2), KEEL_EROLE);
	E(keel_as_create(fx.ep, fx.freef2), KEEL_EROLE);
	E(keel_as_create(fx.freef, fx.freef2 + 8), KEEL_EINVAL);
	E(keel_as_create(fx.freef, NOTRAM), KEEL_ENOTRAM);
	E(keel_as_create(fx.freef, KFRAME), KEEL_EKERNEL);
	E(keel_as_create(fx.freef, fx.raw), KEEL_EROLE);
	E(keel_as_create(fx.freef, fx.tcb), KEEL_EROLE);
	E(keel_as_create(NOTRAM, KFRAME), KEEL_ENOTRAM);
	test_end();
}

static void err_map(void)
{
	const struct bootinfo_module *mod = module_find(ct.bi, "utest");
	unsigned long a = fx.as, va = fx.va, u = fx.user;

	test_begin("err_map");
	E(keel_map(0, va, u, R), KEEL_EBADOBJ);
	E(keel_map(fx.ep, va, u, R), KEEL_EBADOBJ);
	E(keel_map(fx.tcb, va, u, R), KEEL_EBADOBJ);
	E(keel_map(fx.freef, va, u, R), KEEL_EBADOBJ);
	E(keel_map(a, va + 8, u, R), KEEL_EINVAL);
	E(keel_map(a, KERNEL_VA, u, R), KEEL_EFAULT);
	E(keel_map(a, NONCANON_VA, u, R), KEEL_EFAULT);
	E(keel_map(a, KEEL_USER_TOP, u, R), KEEL_EFAULT);
	E(keel_map(a, ~PAGE_MASK, u, R), KEEL_EFAULT);
	E(keel_map(a, va, u + 8, R), KEEL_EINVAL);
	E(keel_map(a, va, NOTRAM, R), KEEL_ENOTRAM);
	E(keel_map(a, va, NOTRAM_HI, R), KEEL_ENOTRAM);
	E(keel_map(a, va, KFRAME, R), KEEL_EKERNEL);
	E(keel_map(a, va, ct.self_thread, R), KEEL_EKERNEL);
	E(keel_map(a, va, fx.freef, R), KEEL_EROLE);
	E(keel_map(a, va, fx.ep, R), KEEL_EROLE);
	if (mod)
		E(keel_map(a, va, mod->base & ~PAGE_MASK, R | KEEL_MAP_W), KEEL_EROLE);
	else
		expect(0, "no utest module");
	E(keel_map(a, va, u, 0), KEEL_EINVAL);
	E(keel_map(a, va, u, KEEL_MAP_W), KEEL_EINVAL);
	E(keel_map(a, va, u, KEEL_MAP_X), KEEL_EINVAL);
	E(keel_map(a, va, u, R | 8), KEEL_EINVAL);
	E(keel_map(a, va, u, R | 1ul << 32), KEEL_EINVAL);
	/* The first bad argument decides. */
	E(keel_map(fx.ep, KERNEL_VA, NOTRAM, 0), KEEL_EBADOBJ);
	E(keel_map(a, KERNEL_VA, NOTRAM, 0), KEEL_EFAULT);
	E(keel_map(a, va, NOTRAM, 0), KEEL_ENOTRAM);
	E(keel_map(a, va, u, 0), KEEL_EINVAL);
	/* Good arguments: then the state. */
	E(keel_map(a, va, u, R), KEEL_ENOPDPT);
	E(keel_map(ct.self_as, (unsigned long)fx.user_va, u, R), KEEL_EEXIST);
	test_end();
}

static void err_unmap(void)
{
	test_begin("err_unmap");
	E(keel_unmap(0, fx.va), KEEL_EBADOBJ);
	E(keel_unmap(fx.ep, fx.va), KEEL_EBADOBJ);
	E(keel_unmap(ct.self_as, fx.va + 8), KEEL_EINVAL);
	E(keel_unmap(ct.self_as, KERNEL_VA), KEEL_EFAULT);
	E(keel_unmap(ct.self_as, NONCANON_VA), KEEL_EFAULT);
	E(keel_unmap(ct.self_as, KEEL_USER_TOP), KEEL_EFAULT);
	E(keel_unmap(ct.self_as, fx.va), KEEL_ENOENT);
	E(keel_unmap(fx.as, PROG_LOAD_BASE), KEEL_ENOENT);
	E(keel_unmap(ct.self_as, (unsigned long)fx.user_va + PAGE_SIZE * 512 * 512), KEEL_ENOENT);
	test_end();

	test_begin("err_lookup");
	E(keel_lookup(0, fx.va), KEEL_EBADOBJ);
	E(keel_lookup(fx.ep, fx.va), KEEL_EBADOBJ);
	E(keel_lookup(ct.self_as, fx.va + 8), KEEL_EINVAL);
	E(keel_lookup(ct.self_as, KERNEL_VA), KEEL_EFAULT);
	E(keel_lookup(ct.self_as, NONCANON_VA), KEEL_EFAULT);
	E(keel_lookup(ct.self_as, fx.va), KEEL_ENOENT);
	expect_eq(keel_lookup(ct.self_as, (unsigned long)fx.user_va), (long)fx.user,
		  "the frame mapped at a mapped page");
	test_end();
}

static void err_supply_table(void)
{
	unsigned long a = fx.as, va = fx.va, f = fx.freef, uva = (unsigned long)fx.user_va;

	test_begin("err_supply_table");
	E(keel_supply_table(0, va, 3, f), KEEL_EBADOBJ);
	E(keel_supply_table(fx.ep, va, 3, f), KEEL_EBADOBJ);
	E(keel_supply_table(a, KERNEL_VA, 3, f), KEEL_EFAULT);
	E(keel_supply_table(a, NONCANON_VA, 3, f), KEEL_EFAULT);
	E(keel_supply_table(a, va, 0, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, 4, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, 5, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, ~0ul, f), KEEL_EINVAL);
	E(keel_supply_table(a, va, 3, f + 8), KEEL_EINVAL);
	E(keel_supply_table(a, va, 3, NOTRAM), KEEL_ENOTRAM);
	E(keel_supply_table(a, va, 3, KFRAME), KEEL_EKERNEL);
	E(keel_supply_table(a, va, 3, fx.raw), KEEL_EROLE);
	E(keel_supply_table(a, va, 3, fx.user), KEEL_EROLE);
	E(keel_supply_table(a, va, 3, fx.ep), KEEL_EROLE);
	E(keel_supply_table(a, va, 0, NOTRAM), KEEL_EINVAL);
	E(keel_supply_table(ct.self_as, uva, 3, f), KEEL_EEXIST);
	E(keel_supply_table(ct.self_as, uva, 2, f), KEEL_EEXIST);
	E(keel_supply_table(ct.self_as, uva, 1, f), KEEL_EEXIST);
	test_end();
}

static void err_thread_create(void)
{
	unsigned long a = fx.as, f = fx.freef, b = badge_new();

	test_begin("err_thread_create");
	E(keel_thread_create(f + 8, a, 0, b), KEEL_EINVAL);
	E(keel_thread_create(NOTRAM, a, 0, b), KEEL_ENOTRAM);
	E(keel_thread_create(KFRAME, a, 0, b), KEEL_EKERNEL);
	E(keel_thread_create(ct.self_thread, a, 0, b), KEEL_EKERNEL);
	E(keel_thread_create(fx.raw, a, 0, b), KEEL_EROLE);
	E(keel_thread_create(fx.user, a, 0, b), KEEL_EROLE);
	E(keel_thread_create(fx.ep, a, 0, b), KEEL_EROLE);
	E(keel_thread_create(f, 0, 0, b), KEEL_EBADOBJ);
	E(keel_thread_create(f, fx.ep, 0, b), KEEL_EBADOBJ);
	E(keel_thread_create(f, fx.tcb, 0, b), KEEL_EBADOBJ);
	E(keel_thread_create(f, fx.freef2, 0, b), KEEL_EBADOBJ);
	E(keel_thread_create(f, a, fx.raw + 8, b), KEEL_EINVAL);
	E(keel_thread_create(f, a, NOTRAM, b), KEEL_ENOTRAM);
	E(keel_thread_create(f, a, KFRAME, b), KEEL_EKERNEL);
	E(keel_thread_create(f, a, fx.freef2, b), KEEL_EROLE);
	E(keel_thread_create(f, a, fx.ep, b), KEEL_EROLE);
	E(keel_thread_create(NOTRAM, fx.ep, KFRAME, b), KEEL_ENOTRAM);
	E(keel_thread_create(f, fx.ep, KFRAME, b), KEEL_EBADOBJ);
	test_end();
}

static void err_thread_config(void)
{
	unsigned long t = fx.tcb;

	test_begin("err_thread_config");
	E(keel_thread_config(0, THREAD_PRIO_DEFAULT, 0, 0), KEEL_EBADOBJ);
	E(keel_thread_config(fx.ep, THREAD_PRIO_DEFAULT, 0, 0), KEEL_EBADOBJ);
	E(keel_thread_config(fx.as, THREAD_PRIO_DEFAULT, 0, 0), KEEL_EBADOBJ);
	E(keel_thread_config(t, THREAD_PRIO_MAX + 1, 0, 0), KEEL_EINVAL);
	E(keel_thread_config(t, ~0ul, 0, 0), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, (unsigned long)ct.cpus, 0), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, 1000, 0), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, ~0ul, 0), KEEL_EINVAL);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, 0, fx.as), KEEL_EBADOBJ);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, 0, fx.tcb), KEEL_EBADOBJ);
	E(keel_thread_config(t, THREAD_PRIO_DEFAULT, 0, fx.freef), KEEL_EBADOBJ);
	E(keel_thread_config(t, THREAD_PRIO_MAX + 1, 1000, fx.as), KEEL_EINVAL);
	OK(keel_thread_config(t, THREAD_PRIO_MAX, (unsigned long)ct.cpus - 1, fx.ep));
	OK(keel_thread_config(t, 0, 0, 0));
	OK(keel_thread_config(t, THREAD_PRIO_DEFAULT, 0, 0));
	test_end();
}

static void err_thread_start(void)
{
	unsigned long t = fx.tcb, rsp = 0x7fff0000ul;

	test_begin("err_thread_start");
	E(keel_thread_start(0, PROG_LOAD_BASE, rsp, 0), KEEL_EBADOBJ);
	E(keel_thread_start(fx.ep, PROG_LOAD_BASE, rsp, 0), KEEL_EBADOBJ);
	E(keel_thread_start(fx.as, PROG_LOAD_BASE, rsp, 0), KEEL_EBADOBJ);
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
	test_begin("err_endpoint_create");
	E(keel_endpoint_create(fx.freef + 8), KEEL_EINVAL);
	E(keel_endpoint_create(NOTRAM), KEEL_ENOTRAM);
	E(keel_endpoint_create(NOTRAM_HI), KEEL_ENOTRAM);
	E(keel_endpoint_create(KFRAME), KEEL_EKERNEL);
	E(keel_endpoint_create(ct.self_thread), KEEL_EKERNEL);
	E(keel_endpoint_create(ct.self_as), KEEL_EKERNEL);
	E(keel_endpoint_create(fx.raw), KEEL_EROLE);
	E(keel_endpoint_create(fx.user), KEEL_EROLE);
	E(keel_endpoint_create(fx.ep), KEEL_EROLE);
	E(keel_endpoint_create(fx.as), KEEL_EROLE);
	E(keel_endpoint_create(fx.tcb), KEEL_EROLE);
	test_end();
}

static void err_destroy_grant_set_endpoint(void)
{
	unsigned long a = fx.as, ep = fx.ep;

	test_begin("err_destroy");
	E(keel_destroy(0), KEEL_EBADOBJ);
	E(keel_destroy(fx.freef), KEEL_EBADOBJ);
	E(keel_destroy(fx.raw), KEEL_EBADOBJ);
	E(keel_destroy(fx.freef + 8), KEEL_EBADOBJ);
	E(keel_destroy(a), KEEL_EBUSY); /* fx.tcb is in it */
	test_end();

	test_begin("err_grant");
	E(keel_grant(0), KEEL_EBADOBJ);
	E(keel_grant(ep), KEEL_EBADOBJ);
	E(keel_grant(a), KEEL_EBADOBJ);
	E(keel_grant(fx.freef), KEEL_EBADOBJ);
	test_end();

	test_begin("err_as_set_endpoint");
	E(keel_as_set_endpoint(0, 5, ep, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EBADOBJ);
	E(keel_as_set_endpoint(ep, 5, ep, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EBADOBJ);
	E(keel_as_set_endpoint(fx.tcb, 5, ep, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EBADOBJ);
	E(keel_as_set_endpoint(a, AS_ENDPOINT_SLOTS, ep, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EINVAL);
	E(keel_as_set_endpoint(a, ~0ul, ep, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EINVAL);
	E(keel_as_set_endpoint(a, 5, a, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EBADOBJ);
	E(keel_as_set_endpoint(a, 5, fx.tcb, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EBADOBJ);
	E(keel_as_set_endpoint(a, 5, fx.freef, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EBADOBJ);
	E(keel_as_set_endpoint(ep, AS_ENDPOINT_SLOTS, a, KEEL_EP_SEND | KEEL_EP_RECV),
	  KEEL_EBADOBJ);
	E(keel_as_set_endpoint(a, AS_ENDPOINT_SLOTS, a, KEEL_EP_SEND | KEEL_EP_RECV), KEEL_EINVAL);
	E(keel_as_set_endpoint(a, 5, ep, 0), KEEL_EINVAL);
	E(keel_as_set_endpoint(a, 5, ep, 8), KEEL_EINVAL); /* 8: no such right */
	OK(keel_as_set_endpoint(a, 5, ep, KEEL_EP_SEND | KEEL_EP_RECV));
	OK(keel_as_set_endpoint(a, 5, 0, 0));
	test_end();
}

static void err_ipc_slots(void)
{
	static const long calls[] = { SYS_SEND, SYS_RECV, SYS_CALL, SYS_REPLY_RECV };
	static const char *const names[] = { "SEND", "RECV", "CALL", "REPLY_RECV" };
	struct keel_msg m = { 0, IPC_TAG(1, 0), { 1, 2, 3, 4 } };
	char what[64];

	test_begin("err_ipc_slots");
	for (int i = 0; i < 4; i++) {
		fmt(what, sizeof(what), "%s to slot 64", names[i]);
		expect_eq(keel_ipc(calls[i], AS_ENDPOINT_SLOTS, &m, 0), -KEEL_EINVAL, what);
		fmt(what, sizeof(what), "%s to slot ~0", names[i]);
		expect_eq(keel_ipc(calls[i], ~0ul, &m, 0), -KEEL_EINVAL, what);
		fmt(what, sizeof(what), "%s to slot 1<<32", names[i]);
		expect_eq(keel_ipc(calls[i], 1ul << 32, &m, 0), -KEEL_EINVAL, what);
		fmt(what, sizeof(what), "%s to an empty slot", names[i]);
		expect_eq(keel_ipc(calls[i], EMPTY_SLOT, &m, 0), -KEEL_ENOENT, what);
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
	tc->got[7] = keel_send(AS_ENDPOINT_SLOTS, &k);
	return 0;
}

static void err_ipc_tags(void)
{
	static const char *const what[8] = {
		"SEND with the kernel bit",	 "SEND of IPC_BUF_MAX + 1 bytes",
		"SEND of 0x1fff bytes",		 "CALL with the kernel bit",
		"CALL of IPC_BUF_MAX + 1 bytes", "REPLY_RECV with the kernel bit",
		"REPLY_RECV of IPC_BUF_MAX + 1", "SEND to slot 64 with the kernel bit",
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
	unsigned long c = fx.chunk, f = c + 5 * PAGE_SIZE;

	test_begin("donate_chunk_with_mapping");
	void *p = scratch_map(f, R);
	expect(p != 0, "mapping a frame of a free chunk");
	if (p) {
		E(keel_kmem_donate(c, CHUNK_SIZE), KEEL_EROLE);
		scratch_unmap(p, 1);
	}
	long r = keel_kmem_donate(c, CHUNK_SIZE);
	expect_eq(r, 0, "donating it once nothing is mapped");
	if (r == 0) {
		E(keel_kmem_donate(c, CHUNK_SIZE), KEEL_EROLE);
		E(keel_map(ct.self_as, fx.va, f, R), KEEL_EROLE);
		OK(keel_kmem_reclaim(c, CHUNK_SIZE));
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
	OK(destroy_retry(fx.tcb));
	OK(destroy_retry(fx.as));
	OK(destroy_retry(fx.ep));
	E(keel_destroy(fx.ep), KEEL_EBADOBJ);
	OK(kpool_release(&fx.pool));
	test_end();
	if (fx.user_va)
		scratch_unmap(fx.user_va, 1);
	frame_free(fx.user);
	frame_free(fx.raw);
	chunk_free(fx.chunk);
}

void tests_errors(void)
{
	err_unknown_syscall();
	err_debug_write();
	test_begin("err_fixture");
	long r = setup();
	expect_eq(r, 0, "making the objects the error tests use");
	if (!test_end())
		return;
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
	err_destroy_grant_set_endpoint();
	err_ipc_slots();
	err_ipc_tags();
	err_debug_test();
	donate_chunk_with_mapping();
	teardown();
}
