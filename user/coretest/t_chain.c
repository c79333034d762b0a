/*
 * t_chain.c - a chain of threads, each waiting for the next to answer its
 * fault, taken down at once.  Every thread's pager is one endpoint E; each
 * receives on E and then faults.  Thread 0 faults first; thread 1 receives
 * that fault and faults itself, and so on.  Destroying the last one leaves
 * the one before without its pager, which kills it, which leaves the one
 * before it, ...  The kernel must walk the chain in a loop: it once did
 * it by recursion and overflowed its stack (found in review).
 */
#include "ct.h"

#define CHAIN	400
#define STR_(x) #x
#define STR(x)	STR_(x)

/* Receive on the slot in RDI, then read address 0; no stack needed. */
__asm__(".text\n"
	".globl chain_recv_then_fault\n"
	"chain_recv_then_fault:\n"
	"	movl $" STR(SYS_RECV) ", %eax\n"
				      "	syscall\n"
				      ".globl chain_fault\n"
				      "chain_fault:\n"
				      "	movq 0, %rax\n"
				      "	ud2\n");
void chain_recv_then_fault(void);
void chain_fault(void);

static struct kpool pool;
static unsigned long tcb[CHAIN];

void tests_chain(void)
{
	int slot = -1, made = 0;
	unsigned long ep = 0;
	long r;

	kpool_init(&pool, &root_pool);
	test_begin("ipc_fault_chain_killed_in_a_loop");
	r = endpoint_new(&pool, &slot, &ep);
	expect_eq(r, 0, "an endpoint");
	for (int i = 0; r == 0 && i < CHAIN; i++) {
		tcb[i] = kpool_get(&pool);
		r = tcb[i] ? keel_thread_create(tcb[i], ct.self_as, 0, 0xc4a10000ul + (unsigned)i)
			   : -KEEL_EFULL;
		if (r == 0)
			r = keel_thread_config(tcb[i], THREAD_PRIO_DEFAULT, 0, ep);
		made += r == 0;
	}
	expect_eq(made, CHAIN, "threads made");
	/* The receivers first, then the first fault: the chain builds itself. */
	for (int i = 1; r == 0 && i < CHAIN; i++)
		r = keel_thread_start(tcb[i], (unsigned long)chain_recv_then_fault, 0,
				      (unsigned long)slot);
	if (r == 0)
		r = keel_thread_start(tcb[0], (unsigned long)chain_fault, 0, 0);
	expect_eq(r, 0, "starting them");
	if (r == 0) {
		sleep_ticks(50); /* they run at our priority on our CPU */
		/* The last one's fault waits on E: nobody receives any more. */
		expect_eq(keel_destroy(tcb[CHAIN - 1]), 0, "destroying the end of the chain");
		made--;
	}
	/* Every other one is dead now: each destroy succeeds at once. */
	int busy = 0;
	for (int i = 0; i < made; i++)
		busy += keel_destroy(tcb[i]) != 0;
	expect_eq(busy, 0, "threads that were not dead");
	if (slot >= 0)
		expect_eq(endpoint_drop(&pool, slot, ep), 0, "destroying the endpoint");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}
