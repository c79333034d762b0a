/*
 * pager - the first program of a normal boot (issue 5, in progress): it
 * takes over every free frame, starts init (the second module), and is
 * the pager of what it starts.  Built so far: taking over memory with
 * the buddy allocator, starting init, and serving its faults (a fault
 * kills it, with a log line: no process can allocate memory yet) and its
 * exit.  The memory service comes next (docs/design-pager.md).
 */
#include "fmt.h"
#include "keel.h"
#include "mem.h"
#include "spawn.h"
#include "str.h"
#include <abi/bootinfo.h>

#define SLOT_PAGER 1 /* the pager's endpoint, in its own slots */
#define INIT_BADGE 1

static struct kpool procs_pool;
static struct proc init;

static const char *access_name(unsigned long code)
{
	unsigned long e = code & 0xffffffff;

	if (e & KEEL_FAULT_FETCH)
		return "fetch";
	return (e & KEEL_FAULT_WRITE) ? "write" : "read";
}

/* Serve the faults and exits of the processes, forever. */
static void serve(void)
{
	struct ipc_msg m = { 0 };
	long r = sys_recv(SLOT_PAGER, &m);

	for (;;) {
		if (r < 0) {
			print_fmt("[pager] receive failed: %ld\n", r);
			sys_sleep(100);
			r = sys_recv(SLOT_PAGER, &m);
			continue;
		}
		unsigned label = IPC_TAG_LABEL(m.tag);
		int from_kernel = (m.tag & IPC_TAG_KERNEL) != 0;
		if (from_kernel && label == IPC_LABEL_FAULT) {
			print_fmt("[pager] process %lu (init) killed: %s at 0x%lx, rip 0x%lx (not "
				  "its memory)\n",
				  m.badge, access_name(m.w[1]), m.w[0], m.w[2]);
			m.tag = IPC_TAG(IPC_FAULT_KILL, 0);
			r = sys_reply_recv(SLOT_PAGER, &m);
			continue;
		}
		if (from_kernel && label == IPC_LABEL_EXIT)
			print_fmt("[pager] process %lu (init) exited with %ld\n", m.badge,
				  (long)m.w[0]);
		r = sys_recv(SLOT_PAGER, &m);
	}
}

int main(const struct bootinfo *bi)
{
	long r = mem_init(bi);

	if (r) {
		print_fmt("[pager] cannot take over memory: %ld\n", r);
		return 1;
	}
	print_fmt("[pager] managing %lu bytes of free memory in %u ranges\n", mem_managed_bytes(),
		  bi->range_count);

	unsigned long ep = kpool_get(&root_pool);
	if (!ep || (r = sys_endpoint_create(ep)) ||
	    (r = sys_as_set_endpoint(bi->self_as, SLOT_PAGER, ep, KEEL_EP_SEND | KEEL_EP_RECV))) {
		print_fmt("[pager] cannot make its endpoint: %ld\n", r);
		return 1;
	}
	kpool_init(&procs_pool, &root_pool);
	r = spawn(&init, &procs_pool, bi, "init", INIT_BADGE);
	if (!r)
		r = sys_thread_config(init.tcb, THREAD_PRIO_DEFAULT, 0, ep);
	if (!r)
		r = proc_start(&init, 0);
	if (r) {
		print_fmt("[pager] cannot start init: %ld\n", r);
		return 1;
	}
	serve();
	return 0;
}
