/*
 * coretest - the root program of a test boot: the kernel's system calls,
 * objects, IPC, faults, scheduling and isolation, tested from user mode.
 * It is the pager of everything it starts.  Exits with the number of
 * failed tests (the kernel prints the summary when it exits).
 */
#include "args.h"
#include "ct.h"

static struct server echo;

/* The kernel started this program: it has no arguments (user/lib/args.c). */
const char prog_root = 1;

int main(const struct bootinfo *bi)
{
	long r;

	ct.bi = bi;
	ct.self_as = bi->self_as;
	ct.self_thread = bi->self_thread;
	ct.mem = bi->memory;
	ct.empty_slot = cslot_alloc(); /* never filled: the tests' empty slot */
	ct.ipcbuf = (unsigned char *)bi->ipc_buffer;
	r = keel_info(KEEL_INFO_CPUS);
	ct.cpus = r < 1 ? 1 : (int)r;
	print("[coretest] the root program: testing the kernel from user mode\n");

	tests_boot();

	test_begin("core_setup");
	r = mem_init(bi);
	expect_eq(r, 0, "donating the root's first chunk");
	expect(ct.empty_slot >= CSLOT_FIRST, "no slot for EMPTY_SLOT (%ld)", ct.empty_slot);
	if (r == 0) {
		ct.mem = mem_cap();
		expect_eq((long)KEEL_CAP_TYPE(keel_cap_info(ct.mem)), KEEL_CAP_MEMORY,
			  "mem_cap() is a memory capability");
		expect_eq(keel_cap_info(EMPTY_SLOT), -KEEL_ENOENT, "EMPTY_SLOT is empty");
	}
	if (r == 0 && test_failing())
		r = -KEEL_EINVAL;
	if (r == 0) {
		r = pager_init();
		expect_eq(r, 0, "starting the pager thread");
	}
	if (r == 0) {
		r = server_start(&echo, &root_pool, ECHO_BADGE, THREAD_PRIO_DEFAULT, 0);
		expect_eq(r, 0, "starting the echo server");
		ct.echo_slot = echo.slot;
		ct.echo_badge = ECHO_BADGE;
	}
	if (r == 0)
		expect(echo_call(ct.echo_slot, ct.ipcbuf, 1, 0), "the echo server answers");
	if (!test_end())
		return ct.failures;

	tests_regs();
	tests_errors();
	tests_nocaps();
	tests_mem();
	tests_map();
	tests_ipc();
	tests_notify();
	tests_ioport();
	tests_irq();
	tests_devmem();
	tests_caps();
	tests_fault();
	tests_fpu();
	tests_df();
	tests_sched();
	tests_console();
	tests_tlb();
	tests_chain();
	tests_spawn();
	tests_fuzz();
	tests_sysfuzz();
	tests_cleanup();

	print_fmt("[coretest] done, %d failed\n", ct.failures);
	return ct.failures;
}
