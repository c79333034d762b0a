/*
 * proto.h - what the root test program (coretest) and the programs it
 * spawns agree on.
 *
 * The echo protocol: a server answers a call with the label plus one, each
 * word inverted, and the buffer (same length) with each byte inverted.
 *
 * ufuzz's argument (RDI): bits 0-7 the mode, bits 8-31 a count, bits 32-63
 * a seed.  Its slot 0 holds an endpoint of an echo server.
 *   UFUZZ_PING: `count` echo calls, each reply checked;
 *   UFUZZ_FUZZ: `count` random system calls;
 *   UFUZZ_INPORT: read I/O port `count` (it must be enabled for it), call
 *     the echo server with UFUZZ_INPORT_MARK and the byte read, then read
 *     port `seed`: the test says which of the two may fault.
 * It exits with the number of surprises (0 when all went as expected).
 */
#ifndef USER_PROTO_H
#define USER_PROTO_H

#include <abi/pager.h>
#include <abi/syscall.h>

#define ECHO_SLOT	  0
#define UFUZZ_PING	  1
#define UFUZZ_FUZZ	  2
#define UFUZZ_INPORT	  4
#define UFUZZ_INPORT_MARK 0x10adul

#define UFUZZ_ARG(mode, count, seed)                                      \
	((unsigned long)(mode) | ((unsigned long)(count)&0xffffff) << 8 | \
	 (unsigned long)(seed) << 32)
#define UFUZZ_MODE(arg)	 ((arg)&0xff)
#define UFUZZ_COUNT(arg) (((arg) >> 8) & 0xffffff)
#define UFUZZ_SEED(arg)	 ((arg) >> 32)

static inline unsigned long echo_tag(unsigned long tag)
{
	return IPC_TAG(IPC_TAG_LABEL(tag) + 1, IPC_TAG_LEN(tag));
}

static inline unsigned long echo_word(unsigned long w)
{
	return ~w;
}

static inline unsigned char echo_byte(unsigned char b)
{
	return (unsigned char)~b;
}

/*
 * sysfuzz (user/sysfuzz, run by coretest's t_sysfuzz.c): the slots
 * coretest fills before it starts one.  Its argument: SYSFUZZ_ARG.
 */
#define SYSFUZZ_ECHO	    ECHO_SLOT /* an echo server of coretest's: send only */
#define SYSFUZZ_KMEM	    1	      /* 2 MB, R|W|KMEM: to donate and make objects in */
#define SYSFUZZ_MAPMEM	    2	      /* 2 MB, R|W: frames to map */
#define SYSFUZZ_AS	    3	      /* its own address space: MAP, CAPS, THREAD (no DESTROY) */
#define SYSFUZZ_TH	    4	      /* its own thread: START only (coretest stays its pager) */
#define SYSFUZZ_EP	    5	      /* SYSFUZZ_NEP shared endpoints: SEND, RECV, GRANT */
#define SYSFUZZ_NEP	    4
#define SYSFUZZ_NT	    9 /* SYSFUZZ_NNT shared notifications: SIGNAL, WAIT */
#define SYSFUZZ_NNT	    2
#define SYSFUZZ_FREE	    11		   /* the first slot it fills itself */
#define SYSFUZZ_WINDOW	    0x4000000000ul /* 16 MB of its address space where it maps */
#define SYSFUZZ_WINDOW_SIZE (16ul << 20)
#define SYSFUZZ_JANITOR	    (1ul << 63) /* the argument of the thread that cleans up */
/*
 * A page coretest maps for it (outside the window, so it stays): the
 * calls made so far and the one under way, read when coretest kills it.
 */
#define SYSFUZZ_STATUS	    0x3fff000000ul
struct sysfuzz_status {
	volatile unsigned long calls, current, surprises;
};
/* calls: how many; seed: the random sequence (a run is reproduced from it). */
#define SYSFUZZ_ARG(calls, seed) ((unsigned long)(calls) | (unsigned long)(seed) << 32)
#define SYSFUZZ_CALLS(arg)	 ((arg)&0x7fffffff)
#define SYSFUZZ_SEED(arg)	 (((arg) >> 32) & 0x7fffffff)

/* pvictim's modes (its argument), for the pager tests (user/ptest). */
#define PV_EXIT			 0
#define PV_RO_WRITE		 1
#define PV_WILD			 2
#define PV_FREED		 3
#define PV_SHARE_RW		 4 /* wait for PV_SHARED_VA, check PV_MAGIC, write PV_MAGIC + 1 */
#define PV_SHARE_RO		 5 /* the same, but it was shared read-only: killed */
#define PV_HOG \
	6 /* allocate PAGER_QUOTA_DEFAULT at once, hold it a while: exit 0, or 10 on ENOMEM */
#define PV_PROTECT	      7 /* write memory, make it read-only, read it, write it: killed */
#define PV_SHARED_VA	      (PAGER_SHARE_BASE + (3ul << 40)) /* in the shared-in window */
#define PV_QUOTA	      8 /* allocate all its quota left, touch it, one page more: exit 0 if EQUOTA */
#define PV_SLEEP	      9	 /* sleep until killed */
#define PV_BOMB		      10 /* spawn copies of itself with all its slots, then sleep */
#define PV_CONNECT_INIT	      11 /* connect to init, which offered nothing: exit 0 on EPERM */
#define PV_FLOOD	      12 /* fill the share table (issue 11): see user/pvictim */
#define PV_FLOOD_MID	      13
#define PV_SERVER	      14 /* offer to anyone; see a share come and go (PV_ATTACK) */
#define PV_ATTACK	      15 /* PV_ARG(PV_ATTACK, server): connect, share a page into it, exit */
#define PV_ECHO		      16 /* offer to anyone; answer two calls with w0 + 1; end at label 9 */
#define PV_GIVEN	      17 /* call the capability given at spawn (PAGER_GIVEN_SLOT) */
#define PV_HOARD	      18 /* offer; keep a copy of the connection until it is stale */
#define PV_CONNECT	      19 /* PV_ARG(PV_CONNECT, server): connect, call with 41, exit 0 on 42 */
#define PV_LOOKUP	      20 /* look up "pt.named", share a page, call with 41 (42 back), send 9 */
#define PV_SQUAT	      21 /* register "pt.named", which ptest holds: exit 0 on EEXIST */
#define PV_NAMED	      22 /* register "pv.named", answer calls with w0 + 1 until killed */
#define PV_ARGS		      23 /* exit 0 if its argument line is the words "first second" */
#define PV_STORM	      24 /* fragment nearly all free memory, free it: exit 0 (issue 15) */
#define PV_STORM_LEFT	      (256ul << 10) /* PV_STORM stops touching below this much free */
#define PV_NEGATIVE	      26	    /* return -7 from main: the exit code keeps its sign */
#define PV_PFUZZ	      25 /* PV_PFUZZ_CALLS random requests to the pager: exit with the surprises */
#define PV_PFUZZ_CALLS	      3000
#define PV_CHURN	      27 /* PV_ARG(PV_CHURN, n): serve n connections, one after another */
#define PV_ARG(mode, pid)     ((mode) | (unsigned long)(pid) << 8)
#define PV_MODE(arg)	      ((arg)&0xff)
#define PV_PID(arg)	      ((arg) >> 8)
#define PV_BOMB_KEEP	      (1ul << 20) /* what each bomb keeps of what it has left */
#define PV_FLOOD_PAGES	      3070	  /* what a PV_FLOOD_MID shares (the other: one more) */

/* What init gives ptest and bench (process slots are few: PAGER_MAX_PROCS). */
#define PTEST_QUOTA	      (1ul << 30)
#define PTEST_SLOTS	      12
#define BENCH_QUOTA	      (256ul << 20)
#define BENCH_SLOTS	      (3 + FAIR_SLOTS) /* its IPC server, pfair and pfair's loads */

/*
 * pfair's argument (user/pfair): bits 0-7 the mode, bits 8-31 a number of
 * ticks, bits 32-63 a process id (FAIR_PING).  init runs FAIR_TEST in a
 * test boot, bench FAIR_BENCH; each gives it FAIR_QUOTA and FAIR_SLOTS
 * for the loads it starts (each with FAIR_CHILD_QUOTA).
 */
#define FAIR_TEST	      1
#define FAIR_SPIN	      2
#define FAIR_CALLER	      3
#define FAIR_SLEEPER	      4
#define FAIR_PONG	      5 /* offer a channel, answer calls on it until killed */
#define FAIR_PING	      6 /* call process FAIR_PID(arg) until killed */
#define FAIR_BENCH	      7 /* the fairness figures of `make bench` */

#define FAIR_ARG(mode, ticks) ((unsigned long)(mode) | ((unsigned long)(ticks)&0xffffff) << 8)
#define FAIR_PID(arg)	      ((arg) >> 32)
#define FAIR_MODE(arg)	      ((arg)&0xff)
#define FAIR_TICKS(arg)	      (((arg) >> 8) & 0xffffff)
#define FAIR_CHILD_QUOTA      (4ul << 20)
#define FAIR_QUOTA	      (8 * FAIR_CHILD_QUOTA)
#define FAIR_SLOTS	      6

/*
 * init's argument: INIT_BENCH when the command line has `bench` (the
 * measurements under -icount), INIT_BENCH_FAIR when it has `bench-fair`
 * (the fairness figures, run without -icount: tools/bench.py says why).
 */
#define INIT_BENCH	      1
#define INIT_BENCH_FAIR	      2

/*
 * init's requests, from the shell (which init gives a capability to its
 * endpoint at PAGER_GIVEN_SLOT): INIT_KILL(pid) ends one of the system's
 * services (init starts it again); INIT_HALT stops the machine.
 */
#define INIT_KILL	      1
#define INIT_HALT	      2
#define INIT_SLOT	      PAGER_GIVEN_SLOT
/* What init gives the demo (user/demo): its pdemo children, one at a time or two. */
#define DEMO_QUOTA	      (64ul << 20)
#define DEMO_SLOTS	      2
/* And the shell: the programs it runs share these. */
#define SHELL_QUOTA	      (1ul << 38)
#define SHELL_SLOTS	      12

/* serial's argument: the interrupt line of ISA IRQ 4, or this (no I/O APIC: it polls). */
#define SERIAL_POLL	      (~0ul)

/* bench's modes and messages (user/bench). */
#define BENCH_MAIN	      0
#define BENCH_SERVER	      1
#define BENCH_EXIT	      2
#define BENCH_FAIR	      3
#define BENCH_PING	      1
#define BENCH_QUIT	      2

/* pdemo's modes and messages (init's demonstration). */
#define DEMO_SERVER	      0
#define DEMO_CLIENT	      1
#define DEMO_CPU	      2 /* exit with the number of the CPU it ran on */
#define DEMO_ARG(mode, pid)   ((mode) | (pid) << 8)
#define DEMO_MODE(arg)	      ((arg)&0xff)
#define DEMO_PID(arg)	      ((arg) >> 8)
#define DEMO_SUM	      1
#define DEMO_QUIT	      2
#define PV_MAGIC	      0x5ea4ed00c0ffeeul

#endif
