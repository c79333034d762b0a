/*
 * ct.h - coretest, the root test program: shared state and helpers.
 *
 * coretest is the first program (the pager).  It takes over memory from
 * the boot information, runs a pager thread that serves the faults and
 * exits of everything it starts (pager.c), an echo server (server.c), and
 * then the tests (t_*.c), each reported with SYS_DEBUG_TEST.  It exits
 * with the number of failed tests.
 *
 * Only the main thread allocates memory or makes objects; the threads it
 * starts share its address space and report back through memory and IPC.
 */
#ifndef CORETEST_CT_H
#define CORETEST_CT_H

#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "mem.h"
#include "proto.h"
#include "spawn.h"
#include "str.h"
#include "thread.h"
#include <abi/bootinfo.h>

/* A slot of the root's capability space taken from cslot at start and never filled. */
#define EMPTY_SLOT ((unsigned long)ct.empty_slot)
/*
 * ufuzz's mode for t_nocaps.c: every object call with every slot it has
 * (and none), each answer checked.  (It belongs in user/lib/proto.h with
 * the others; user/ufuzz/main.c has the same.)
 */
#ifndef UFUZZ_NOCAPS
#define UFUZZ_NOCAPS 3
#endif
#define PAGER_PRIO  20
#define PAGER_BADGE 0xfa0000ul
#define ECHO_BADGE  0xec0000ul
/*
 * The root's range for hand-made mappings (ROOT_TEST_* in abi/uspace.h):
 * tests map and unmap in its lower half, and never map its upper half.
 */
#define TEST_VA	    ROOT_TEST_BASE
#define NEVER_VA    (ROOT_TEST_BASE + ROOT_TEST_SIZE / 2)
#define KERNEL_VA   0xffffffff80200000ul
#define NONCANON_VA 0x0000800000000000ul
#define FAULT_BITS  (KEEL_FAULT_PRESENT | KEEL_FAULT_WRITE | KEEL_FAULT_USER | KEEL_FAULT_FETCH)
/* How long a test waits for a thread (timer ticks on CPU 0, 100 Hz). */
#define WAIT_TICKS  1000

/*
 * The root's capabilities are slots of its one capability space, shared by
 * all its threads: the boot ones (bootinfo), the others from cslot.
 */
struct ct {
	const struct bootinfo *bi;
	unsigned long self_as, self_thread; /* the boot capabilities (slots) */
	unsigned long mem;		    /* the memory capability (mem_cap()) */
	long empty_slot;		    /* see EMPTY_SLOT */
	unsigned char *ipcbuf;		    /* the main thread's IPC buffer */
	int cpus;
	unsigned long pager_ep; /* the slot of the pager thread's endpoint */
	int echo_slot;		/* the long-lived echo server's slot */
	unsigned long echo_badge;
	int failures;
};
extern struct ct ct;

/* Reporting: one test at a time. */
void test_begin(const char *name);
void expect(int ok, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* Check a result: got must be want. */
void expect_eq(long got, long want, const char *what);
/* Report the current test; 1 if it passed. */
int test_end(void);
void test_skip(const char *name, const char *why);
int test_failing(void);

/* Time. */
unsigned long ticks(void);
/* Yield until *v >= want or max ticks passed: 1 if it got there. */
int wait_until(volatile int *v, int want, unsigned long max);
/* Yield for n ticks. */
void sleep_ticks(unsigned long n);
/* Busy-wait (no yield) for n ticks. */
void spin_ticks(unsigned long n);

/* Slots of the root's capability space (cslot): a free one, or -1. */
int slot_alloc(void);
/* The slot must be empty in the kernel's table already; -1 is ignored. */
void slot_free(int slot);
/* Empty the slot (SYS_CAP_DELETE) and free it: 0 or -error. */
long slot_drop(int slot);
/*
 * A new endpoint from pool in a free root slot (*frame: the frame it is
 * made in, an offset in ct.mem): 0 or -error.
 */
long endpoint_new(struct kpool *pool, int *slot, unsigned long *frame);
/* Destroy the object (an endpoint, a notification) (which empties and frees its slot), frame back to pool: 0 or -error. */
long endpoint_drop(struct kpool *pool, int slot, unsigned long frame);
/* A new notification, as endpoint_new; endpoint_drop destroys it. */
long notify_new(struct kpool *pool, int *slot, unsigned long *frame);
/* An empty root slot holding a copy of `src` with `rights` (badge 0: src's): the slot, or -error. */
long cap_dup(unsigned long src, unsigned long rights, unsigned long badge);
/* Like cap_dup, then destroy the object through src: the slot of a stale capability, or -error. */
long cap_stale(unsigned long src);

/* A fresh badge. */
unsigned long badge_new(void);

/* The pager (pager.c): what happened to one thread it watches. */
#define CLIENT_FAULTS 8
#define CLIENT_DEMAND 8
struct client {
	unsigned long badge;
	/* Faults in [lo, hi) of `as` (a slot) get the next of demand[] mapped R/W and resume. */
	unsigned long as, lo, hi;
	unsigned long demand[CLIENT_DEMAND];
	int ndemand;
	/* What the pager saw. */
	int used; /* demand frames mapped */
	unsigned long addr[CLIENT_FAULTS], code[CLIENT_FAULTS], rip[CLIENT_FAULTS],
	    tag[CLIENT_FAULTS];
	int faults, exits, killed, late;
	/*
	 * map_in_reply: answer demand faults with IPC_FAULT_MAP (the mapping
	 * in the reply), after the four replies the kernel must refuse
	 * (map_errors[], once); map_fallbacks counts the faults whose reply
	 * found a table missing and were mapped with SYS_MAP instead.
	 */
	int map_in_reply, nmap_errors, map_fallbacks;
	long map_errors[6];
	unsigned long other_as; /* a space that is not the thread's (for a refused reply) */
	/*
	 * lose: the faulting thread, which the pager destroys after taking
	 * its first fault and before its map reply; what that reply got goes
	 * to lost_result, and lost to 1.
	 */
	struct uthread *lose;
	long lost_result;
	int lost;
	long exit_code;
	unsigned long exit_tag;
	int events; /* faults + exits: what waiters wait for */
};

long pager_init(void);
/*
 * A new echo server s (on CPU 0) and ufuzz, spawned from pool on `cpu`
 * with coretest's pager, watched through c, holding one capability: the
 * server's endpoint in ECHO_SLOT with `rights`.  Not started yet.  Each
 * step is a check of the current test; 0, or the first error (then no
 * process is left; the server may be, if it started: s->t.tcb).
 */
struct server;
long ufuzz_prepare(struct proc *p, struct kpool *pool, struct server *s, struct client *c,
		   unsigned long badge, unsigned long cpu, unsigned long rights);
/* Watch the thread with c->badge (set the rest of c first). */
void pager_watch(struct client *c, unsigned long badge);
void pager_unwatch(struct client *c);
/* Messages from threads nobody watches, or not from the kernel. */
int pager_strays(void);
/* Check that c's fault i was a page fault at addr with exactly these KEEL_FAULT_* bits. */
void expect_fault(struct client *c, int i, unsigned long addr, unsigned bits, const char *what);

/*
 * A thread in the root's space running fn(t), watched by c, with the root's
 * pager; started.  0 or -error.
 */
long child_start(struct uthread *t, struct client *c, struct kpool *pool,
		 long (*fn)(struct uthread *), void *arg, unsigned long prio, unsigned long cpu);
/* Wait for its first event (exit or fault); then, if killed, a little more for late messages. */
int child_wait(struct client *c);
/* Destroy it and stop watching: 0 or -error. */
long child_finish(struct uthread *t, struct client *c);

/* The echo server (server.c): a thread answering calls on its own endpoint. */
struct server {
	struct uthread t;
	struct kpool *pool;
	int slot;	  /* its endpoint */
	unsigned long ep; /* the endpoint's frame */
	int calls, errors, cpu;
	unsigned long last_badge;
	unsigned long last_w[4]; /* the words of the last call, as received */
};
long server_start(struct server *s, struct kpool *pool, unsigned long badge, unsigned long prio,
		  unsigned long cpu);
long server_stop(struct server *s);
/*
 * Call an echo server in `slot` with message number i (buf: the caller's
 * IPC buffer): 1 if the reply is right.  *badge gets the reply's badge.
 */
int echo_call(int slot, unsigned char *buf, unsigned long i, unsigned long *badge);

/* The tests. */
void tests_boot(void);
void tests_regs(void);
void tests_tlb(void);
void tests_chain(void);
void tests_errors(void);
void tests_nocaps(void);
void tests_mem(void);
void tests_map(void);
void tests_ipc(void);
void tests_notify(void);
void tests_ioport(void);
void tests_irq(void);
void tests_devmem(void);
void tests_caps(void);
void tests_fault(void);
void tests_fpu(void);
void tests_df(void);
void tests_sched(void);
void tests_console(void);
void tests_spawn(void);
void tests_fuzz(void);
void tests_sysfuzz(void);
void tests_cleanup(void);

#endif
