/*
 * pagerc.c - asking the pager for memory (see pagerc.h).
 */
#include "pagerc.h"
#include "keel.h"
#include <abi/pager.h>

/* Call the pager: the IPC error, or the error its reply's label carries. */
static long pager_call(unsigned op, unsigned long a, unsigned long b, unsigned long c,
		       struct ipc_msg *reply)
{
	*reply = (struct ipc_msg){ 0, IPC_TAG(op, 0), { a, b, c, 0 } };
	long r = sys_call(PAGER_SLOT, reply);

	if (r < 0)
		return r;
	return -(long)IPC_TAG_LABEL(reply->tag);
}

long pager_alloc(unsigned long va, unsigned long size, unsigned flags, unsigned long *out)
{
	struct ipc_msg reply;
	long r = pager_call(PAGER_ALLOC, va, size, flags, &reply);

	if (!r && out)
		*out = reply.w[0];
	return r;
}

long pager_free(unsigned long va, unsigned long size)
{
	struct ipc_msg reply;

	return pager_call(PAGER_FREE, va, size, 0, &reply);
}

long pager_stats(struct pager_stats *s)
{
	struct ipc_msg reply;
	long r = pager_call(PAGER_STATS, 0, 0, 0, &reply);

	if (!r)
		*s = (struct pager_stats){ reply.w[0], reply.w[1], reply.w[2], reply.w[3] };
	return r;
}
