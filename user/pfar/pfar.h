/*
 * pfar.h - where pfar's far segment lies (pfar.ld.S places it, main.c
 * checks it): near the top of user space, 128 TB from its code at
 * PROG_LOAD_BASE, in the free part of a client's address space between
 * the shared-in window and the IPC buffer (include/abi/uspace.h).
 */
#ifndef PFAR_PFAR_H
#define PFAR_PFAR_H

#include <abi/uspace.h>

#define PFAR_FAR_BASE  KEEL_UL(0x7ff000000000)
#define PFAR_FAR_PAGES 2

#ifndef __ASSEMBLER__
_Static_assert(PFAR_FAR_BASE >= PAGER_SHARE_TOP &&
		   PFAR_FAR_BASE + PFAR_FAR_PAGES * KEEL_PAGE_SIZE <= PROG_IPC_BUF,
	       "the far segment lies in a client's free space");
#endif

#endif
