/*
 * sort.h - sorting small arrays of samples (user/lib/sort.c), for the
 * programs that measure: medians and worst cases.
 */
#ifndef USER_SORT_H
#define USER_SORT_H

/* Sort v[0..n) in place, smallest first (insertion sort: n is small). */
void sort_ulong(unsigned long *v, int n);

#endif
