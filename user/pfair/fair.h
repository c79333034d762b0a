/*
 * fair.h - pfair's modes and limits (user/pfair/main.c says what they do).
 */
#ifndef PFAIR_FAIR_H
#define PFAIR_FAIR_H

#define FAIR_TEST	      1
#define FAIR_SPIN	      2
#define FAIR_CALLER	      3
#define FAIR_SLEEPER	      4

#define FAIR_ARG(mode, ticks) ((unsigned long)(mode) | ((unsigned long)(ticks)&0xffffff) << 8)
#define FAIR_MODE(arg)	      ((arg)&0xff)
#define FAIR_TICKS(arg)	      (((arg) >> 8) & 0xffffff)

#define FAIR_LOOPS	      4	  /* busy loops on the pager's CPU */
#define FAIR_LOOP_TICKS	      300 /* longer than the faults take, even before issue 11 */
#define FAIR_LOAD_TICKS	      100 /* how long the pager caller runs */
#define FAIR_PAGES	      16  /* page faults measured */
#define FAIR_PAGES_MAX	      64
/*
 * Limits, in ticks.  A page fault beside the loops: at most FAIR_FAULT_MEDIAN
 * at the median (before issue 11 it waited for the pager's turn behind
 * the loops, about 8).  A one-tick sleeper beside a process that calls
 * the pager in a loop waits for the turn in progress (THREAD_SLICE_TICKS
 * = 2; docs/design-core.md) at the median, and less than
 * FAIR_OVERSLEEP_WORST at worst, with room for a busy host.
 */
#define FAIR_FAULT_MEDIAN     2
#define FAIR_OVERSLEEP_MEDIAN 2
#define FAIR_OVERSLEEP_WORST  20
#define FAIR_SLEEPS_MAX	      64

struct fair_result {
	unsigned long median, worst; /* ticks */
	unsigned long median_cycles; /* TSC cycles */
};

/* Touch `pages` new pages, each timed in ticks of this CPU. */
int fair_faults(int pages, struct fair_result *out);
long fair_start(unsigned mode, unsigned long ticks, unsigned long cpu, unsigned long *pid);
long fair_end(unsigned long pid, long *code);

#endif
