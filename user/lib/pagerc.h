/*
 * pagerc.h - asking the pager for memory (include/abi/pager.h), for
 * processes the pager started.  Each call returns 0 or -KEEL_E*.
 */
#ifndef USER_PAGERC_H
#define USER_PAGERC_H

/* The whole system (PAGER_STATS), in bytes. */
struct pager_stats {
	unsigned long managed, free, data, overhead;
};

/* One process (PAGER_PSTATS), in bytes. */
struct pager_pstats {
	unsigned long data, reserved, kernel, quota;
};

long pager_alloc(unsigned long va, unsigned long size, unsigned flags, unsigned long *out);
long pager_free(unsigned long va, unsigned long size);
long pager_stats(struct pager_stats *s);
/* Process pid's usage (0: ours). */
long pager_pstats(unsigned long pid, struct pager_pstats *p);
/* Memory backed by one contiguous run: its address in *va, physical in *phys. */
long pager_alloc_contig(unsigned long size, unsigned rights, unsigned long *va,
			unsigned long *phys);
/* Start module `name` with RDI = arg: its process id in *pid. */
long pager_spawn(const char *name, unsigned long arg, unsigned long *pid);
/* The same, its thread on `cpu`. */
long pager_spawn_on(const char *name, unsigned long arg, unsigned long cpu, unsigned long *pid);
/* How process pid is: PAGER_RUNNING, PAGER_EXITED (*code) or PAGER_KILLED. */
long pager_status(unsigned long pid, unsigned long *how, long *code);
/* Wait (sleeping) until pid has ended, at most `ticks`: 0 or -error. */
long pager_wait(unsigned long pid, unsigned long ticks, unsigned long *how, long *code);
/*
 * Map the allocation [va, va + size) into process pid too, at dst (0: the
 * pager chooses) with `rights`: the address there in *out.
 */
long pager_share(unsigned long va, unsigned long size, unsigned long pid, unsigned long dst,
		 unsigned rights, unsigned long *out);
/* A channel to process pid: we send on PAGER_CONN_SLOT, it receives there. */
long pager_connect(unsigned long pid);
/* New rights for the allocation at exactly [va, va + size). */
long pager_protect(unsigned long va, unsigned long size, unsigned rights);
/* The allocation holding va: start, size, flags, bytes backed. */
long pager_query(unsigned long va, unsigned long out[4]);
/* init, in a test boot: end the run with `code`. */
long pager_shutdown(long code);

#endif
