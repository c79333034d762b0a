/*
 * fair.h - pfair's limits and helpers (user/pfair/main.c says what they
 * do); its modes, which init and bench use too, are in user/lib/proto.h.
 */
#ifndef PFAIR_FAIR_H
#define PFAIR_FAIR_H

#include "proto.h"

#define FAIR_LOOPS	      4	       /* busy loops on the pager's CPU */
#define FAIR_FOREVER	      0xffffff /* ticks: until killed */
#define FAIR_BENCH_TICKS      100      /* the sleeper's time in each bench load */
#define FAIR_LOAD_TICKS	      100      /* how long the pager caller runs */
#define FAIR_PAGES	      16       /* page faults measured */
#define FAIR_PAGES_MAX	      64
/*
 * Limits, in ticks.  A page fault beside the loops: at most FAIR_FAULT_MEDIAN
 * at the median (before issue 11 it waited for the pager's turn behind
 * the loops, about 8).  A one-tick sleeper beside a process that calls
 * the pager in a loop waits for the current turn (THREAD_SLICE_TICKS
 * = 2; docs/design-core.md) at the median, and less than
 * FAIR_OVERSLEEP_WORST at worst, with room for a busy host.
 */
#define FAIR_FAULT_MEDIAN     2
#define FAIR_OVERSLEEP_MEDIAN 2
#define FAIR_OVERSLEEP_WORST  20
#define FAIR_SLEEPS_MAX	      64

struct fair_result {
	unsigned long median, worst;		   /* ticks */
	unsigned long median_cycles, worst_cycles; /* TSC cycles */
};

/* Touch `pages` new pages, each timed in ticks of this CPU. */
int fair_faults(int pages, struct fair_result *out);
/* Start pfair with `arg` as our child on `cpu`, with FAIR_CHILD_QUOTA. */
long fair_start(unsigned long arg, unsigned long cpu, unsigned long *pid);
long fair_end(unsigned long pid, long *code);

#endif
