/*
 * sort.c - sorting small arrays of samples (sort.h).
 */
#include "sort.h"

void sort_ulong(unsigned long *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			unsigned long t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}
