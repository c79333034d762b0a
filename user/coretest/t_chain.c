/*
 * t_chain.c - a chain of threads, each waiting for the next to answer its
 * fault, taken down at once.  Every thread's pager is one endpoint E; each
 * receives on E and then faults.  Thread 0 faults first; thread 1 receives
 * that fault and faults itself, and so on.  Destroying the last one leaves
 * the one before without its pager, which kills it, which leaves the one
 * before it, ...  The kernel must walk the chain in a loop: it once did
 * it by recursion and overflowed its stack (found in review).
 *
 * Each thread needs a slot of the root's capability space to be destroyed
 * by, so the chain is as long as the free slots allow (it was 400 when
 * threads were named by address): at most CHAIN, at least CHAIN_MIN.
 */
#include "ct.h"

#define CHAIN	    400
#define CHAIN_MIN   64
#define SLOTS_SPARE 4 /* left free for the rest of coretest meanwhile */
#define STR_(x)	    #x
#define STR(x)	    STR_(x)

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
static int tcb[CHAIN + SLOTS_SPARE]; /* slots */
static unsigned long frame[CHAIN];

void tests_chain(void)
{
	int slot = -1, made = 0, chain = 0;
	unsigned long ep = 0;
	long r;

	kpool_init(&pool, &root_pool);
	test_begin("ipc_fault_chain_killed_in_a_loop");
	r = endpoint_new(&pool, &slot, &ep);
	expect_eq(r, 0, "an endpoint");
	/* Take every free slot (up to CHAIN and the spare), give the spare back. */
	while (chain < CHAIN + SLOTS_SPARE && (tcb[chain] = slot_alloc()) >= 0)
		chain++;
	for (int i = 0; i < SLOTS_SPARE && chain > 0; i++)
		slot_free(tcb[--chain]);
	if (chain > CHAIN)
		chain = CHAIN;
	expect(chain >= CHAIN_MIN, "only %d free slots for the chain (want %d)", chain, CHAIN_MIN);
	for (int i = 0; r == 0 && i < chain; i++) {
		unsigned long t = (unsigned long)tcb[i];
		frame[i] = kpool_get(&pool);
		r = frame[i] ? keel_thread_create(ct.mem, frame[i], ct.self_as, KEEL_NO_BUFFER,
						  0xc4a10000ul + (unsigned)i, t)
			     : -KEEL_EFULL;
		if (r == 0)
			r = keel_thread_config(t, THREAD_PRIO_DEFAULT, 0, (unsigned long)slot);
		made += r == 0;
	}
	expect_eq(made, chain, "threads made");
	/* The receivers first, then the first fault: the chain builds itself. */
	for (int i = 1; r == 0 && i < chain; i++)
		r = keel_thread_start((unsigned long)tcb[i], (unsigned long)chain_recv_then_fault,
				      0, (unsigned long)slot);
	if (r == 0 && chain > 0)
		r = keel_thread_start((unsigned long)tcb[0], (unsigned long)chain_fault, 0, 0);
	expect_eq(r, 0, "starting them");
	int busy = 0, first = 0;
	if (r == 0 && chain > 0) {
		sleep_ticks(50); /* they run at our priority on our CPU */
		/* The last one's fault waits on E: nobody receives any more. */
		expect_eq(keel_destroy((unsigned long)tcb[chain - 1]), 0,
			  "destroying the end of the chain");
		made--;
	}
	/* Every other one is dead now: each destroy succeeds at once. */
	for (int i = 0; i < made; i++) {
		long d = keel_destroy((unsigned long)tcb[i]);
		if (d == 0)
			slot_free(tcb[i]);
		else if (!busy++)
			first = (int)d;
	}
	expect(busy == 0, "%d threads were not dead (the first said %d)", busy, first);
	for (int i = made; i < chain; i++)
		slot_free(tcb[i]); /* the end of the chain (destroyed above), or never made */
	if (slot >= 0)
		expect_eq(endpoint_drop(&pool, slot, ep), 0, "destroying the endpoint");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
	test_end();
}
