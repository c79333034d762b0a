/*
 * ipc_inline.h - the mapping a pager's fault reply asks for, inline on
 * both IPC paths (kernel/core/fastpath.c, kernel/core/ipc.c): every page
 * fault ends with one, so it costs no call of its own.
 */
#ifndef KEEL_IPC_INLINE_H
#define KEEL_IPC_INLINE_H

#include <abi/syscall.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <keel/decode.h>
#include <keel/syscall.h>
#include <keel/thread.h>

/*
 * The mapping an IPC_FAULT_MAP reply from `cur` (registers tf) asks for,
 * into the faulting thread c's own space: 0, or SYS_MAP's error (then
 * nothing was mapped).
 */
static inline long ipc_fault_map(struct thread *cur, struct thread *c, const struct trap_frame *tf)
{
	struct sysreq rq; /* SYS_MAP(as, va, mem, off, rights): the words SYS_MAP reads */
	long r;

	rq.a[1] = tf->r9 & ~0xfffull;
	rq.a[3] = tf->r8;
	rq.a[4] = tf->r9 & 0xfff;
	/*
	 * SYS_MAP's decode, inline for a 4 KB page (every fault's): its
	 * capabilities as its entry in decode.c names them (constants here, so
	 * cap_find is a few instructions; tests/host/test_decode.c checks the
	 * entry still says this), then its checks.
	 */
	if ((r = cap_find(cur->as->caps, tf->rdx, CAP_ASPACE, KEEL_AS_MAP, &rq.cap[0])) ||
	    (r = cap_find(cur->as->caps, tf->r10, CAP_MEMORY, 0, &rq.cap[2])) ||
	    (r = rq.a[4] & (KEEL_MAP_LARGE | KEEL_MAP_HUGE)
		     ? decode_map(&rq, cur->as->caps, &decode_here)
		     : decode_map_page(&rq)))
		return r;
	if (cap_obj(rq.cap[0]) != c->as)
		return -KEEL_EINVAL; /* only the faulting thread's own space */
	return sys_map(cur, &rq);
}

#endif
