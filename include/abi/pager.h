/*
 * pager.h - the pager's protocol (issue 5, in progress): what processes
 * ask of the pager, by IPC to the endpoint in their slot PAGER_SLOT.
 *
 * A request is a call whose tag's label is the operation; the four words
 * are its arguments.  The reply's label is 0 or a KEEL_E* error code (not
 * negated); its words are the results.  docs/design-pager.md has the
 * whole design.
 */
#ifndef ABI_PAGER_H
#define ABI_PAGER_H

#define PAGER_SLOT	0 /* every process's slot for the pager (send only) */

/*
 * PAGER_ALLOC(va, size, flags): memory at [va, va + size), page-aligned,
 * below KEEL_USER_TOP, not overlapping what the process has; va 0: the
 * pager chooses.  flags: KEEL_MAP_R/W/X rights, and PAGER_EAGER to back
 * it now (else each page gets a zeroed frame at its first touch).
 * Reply w0: the address.
 */
#define PAGER_ALLOC	1
#define PAGER_EAGER	0x100u
/* PAGER_FREE(va, size): exactly one earlier allocation goes. */
#define PAGER_FREE	2
/*
 * PAGER_STATS(): w0 the bytes the pager manages, w1 free, w2 used by the
 * caller (backed pages), w3 the pager's own overhead (its bookkeeping,
 * and the kernel objects and tables it donated).
 */
#define PAGER_STATS	3

#define PAGER_MAX_ALLOC (1ul << 40) /* bytes in one allocation */

#endif
