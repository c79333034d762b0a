/*
 * pfar - a valid program whose segments lie far apart: its code at 4 MB
 * and two pages of data near the top of user space (pfar.h).  ptest
 * starts it.  It asks the pager (PAGER_QUERY) about each segment and
 * about the gap between them, and exits with the number of the first
 * check that fails (0: all right).  Each segment must be a region of
 * its own, fully backed; the gap must be nothing.  With the whole span
 * recorded as one region, the pager would look up 2^35 pages for one
 * query (issue 11, item 4).
 */
#include "keel.h"
#include "pagerc.h"
#include "pfar.h"
#include <abi/pager.h>

#define FAR_SIZE  (PFAR_FAR_PAGES * PAGE_SIZE)
#define FAR_WORDS (FAR_SIZE / sizeof(unsigned long))

/* The far segment; reached through PFAR_FAR_BASE (the small code model cannot address it). */
__attribute__((section(".far"), used)) static volatile unsigned long far_seg[FAR_WORDS] = { 1, 2 };
#define far_data ((volatile unsigned long *)PFAR_FAR_BASE)

int main(void)
{
	unsigned long q[4];
	unsigned long text = (unsigned long)&main & ~PAGE_MASK;

	if (far_data[0] != 1 || far_data[1] != 2 || far_data[FAR_WORDS - 1] != 0)
		return 2;
	far_data[FAR_WORDS - 1] = 99; /* writable */
	if (pager_query((unsigned long)&far_data[600], q) || q[0] != PFAR_FAR_BASE ||
	    q[1] != FAR_SIZE || q[2] != (KEEL_MAP_R | KEEL_MAP_W | PAGER_FIXED) || q[3] != FAR_SIZE)
		return 3;
	if (pager_query((unsigned long)&main, q) || q[0] != text || q[1] > (1ul << 20) ||
	    q[2] != (KEEL_MAP_R | KEEL_MAP_X | PAGER_FIXED) || q[3] != q[1])
		return 4;
	if (pager_query(0x100000000000ul, q) != -KEEL_ENOENT) /* the gap: 16 TB */
		return 5;
	if (pager_query(PFAR_FAR_BASE - PAGE_SIZE, q) != -KEEL_ENOENT)
		return 6;
	/* Nothing can be allocated over it; around it, it can. */
	unsigned long va;
	if (pager_alloc(PFAR_FAR_BASE, PAGE_SIZE, KEEL_MAP_R, &va) != -KEEL_EEXIST)
		return 7;
	if (pager_alloc(PFAR_FAR_BASE - PAGE_SIZE, PAGE_SIZE, KEEL_MAP_R, &va) ||
	    pager_free(va, PAGE_SIZE))
		return 8;
	return 0;
}
