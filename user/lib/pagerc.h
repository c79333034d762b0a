/*
 * pagerc.h - asking the pager for memory (include/abi/pager.h), for
 * processes the pager started.  Each call returns 0 or -KEEL_E*.
 */
#ifndef USER_PAGERC_H
#define USER_PAGERC_H

struct pager_stats {
	unsigned long managed, free, mine, overhead; /* bytes */
};

long pager_alloc(unsigned long va, unsigned long size, unsigned flags, unsigned long *out);
long pager_free(unsigned long va, unsigned long size);
long pager_stats(struct pager_stats *s);

#endif
