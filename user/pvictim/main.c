/*
 * pvictim - a process the pager tests start (user/ptest), doing one thing
 * chosen by its argument:
 *   PV_EXIT     allocate and touch 256 KB, then exit 0 without freeing it
 *               (the pager must take it all back);
 *   PV_RO_WRITE write to memory allocated read-only (killed);
 *   PV_WILD     read memory it never allocated (killed);
 *   PV_FREED    touch memory after freeing it (killed);
 *   PV_SHARE_RW wait for memory shared with it, check it, write to it;
 *   PV_SHARE_RO the same with a read-only share (killed at the write);
 *   PV_HOG      take a whole quota at once and hold it a while;
 *   PV_PROTECT  make written memory read-only, then write it (killed).
 */
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include <abi/pager.h>

int main(unsigned long mode)
{
	unsigned long va;

	switch (mode) {
	case PV_EXIT:
		if (pager_alloc(0, 256 << 10, KEEL_MAP_R | KEEL_MAP_W, &va))
			return 1;
		for (unsigned long a = va; a < va + (256 << 10); a += 4096)
			*(volatile unsigned long *)a = a;
		return 0;
	case PV_RO_WRITE:
		if (pager_alloc(0, 4096, KEEL_MAP_R, &va))
			return 1;
		if (*(volatile unsigned long *)va != 0) /* a zero page to read */
			return 2;
		*(volatile unsigned long *)va = 1;
		return 3;
	case PV_WILD:
		return (int)*(volatile unsigned long *)0x20000000000ul;
	case PV_SHARE_RW:
	case PV_SHARE_RO: {
		unsigned long q[4];
		for (int t = 0; pager_query(PV_SHARED_VA, q); t++) {
			if (t > 1000)
				return 1; /* never shared with us */
			sys_sleep(1);
		}
		volatile unsigned long *p = (volatile unsigned long *)PV_SHARED_VA;
		if (*p != PV_MAGIC)
			return 2;
		*p = PV_MAGIC + 1; /* read-only: killed here */
		return mode == PV_SHARE_RW ? 0 : 3;
	}
	case PV_HOG: {
		long r =
		    pager_alloc(0, PAGER_QUOTA_DEFAULT, KEEL_MAP_R | KEEL_MAP_W | PAGER_EAGER, &va);
		sys_sleep(100); /* hold it while the others try */
		return r == 0 ? 0 : r == -KEEL_ENOMEM ? 10 : 11;
	}
	case PV_PROTECT:
		if (pager_alloc(0, 8192, KEEL_MAP_R | KEEL_MAP_W, &va))
			return 1;
		*(volatile unsigned long *)va = PV_MAGIC;
		if (pager_protect(va, 8192, KEEL_MAP_R))
			return 2;
		if (*(volatile unsigned long *)va != PV_MAGIC)
			return 3;
		*(volatile unsigned long *)va = 0; /* read-only now: killed */
		return 4;
	case PV_FREED:
		if (pager_alloc(0, 4096, KEEL_MAP_R | KEEL_MAP_W, &va))
			return 1;
		*(volatile unsigned long *)va = 1;
		if (pager_free(va, 4096))
			return 2;
		*(volatile unsigned long *)va = 2;
		return 3;
	}
	return 4;
}
