/*
 * pagerc.c - asking the pager for memory (see pagerc.h).
 */
#include "pagerc.h"
#include "keel.h"
#include "str.h"
#include <abi/pager.h>

/*
 * Call the pager (len bytes of the IPC buffer along): the IPC error, or
 * the error its reply's label carries.
 */
static long pager_call_buf(unsigned op, unsigned long len, unsigned long a, unsigned long b,
			   unsigned long c, struct keel_msg *reply, unsigned long d)
{
	*reply = (struct keel_msg){ 0, IPC_TAG(op, len), { a, b, c, d } };
	long r = keel_call(PAGER_SLOT, reply);

	if (r < 0)
		return r;
	return -(long)IPC_TAG_LABEL(reply->tag);
}

static long pager_call(unsigned op, unsigned long a, unsigned long b, unsigned long c,
		       struct keel_msg *reply)
{
	return pager_call_buf(op, 0, a, b, c, reply, 0);
}

long pager_alloc(unsigned long va, unsigned long size, unsigned flags, unsigned long *out)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_ALLOC, va, size, flags, &reply);

	if (!r && out)
		*out = reply.w[0];
	return r;
}

long pager_free(unsigned long va, unsigned long size)
{
	struct keel_msg reply;

	return pager_call(PAGER_FREE, va, size, 0, &reply);
}

long pager_stats(struct pager_stats *s)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_STATS, 0, 0, 0, &reply);

	if (!r)
		*s = (struct pager_stats){ reply.w[0], reply.w[1], reply.w[2], reply.w[3] };
	return r;
}

long pager_spawn(const char *name, unsigned long arg, unsigned long *pid)
{
	return pager_spawn_on(name, arg, 0, pid);
}

long pager_spawn_on(const char *name, unsigned long arg, unsigned long cpu, unsigned long *pid)
{
	return pager_spawn_limits(name, arg, cpu, PAGER_QUOTA_DEFAULT, 0, pid);
}

long pager_spawn_limits(const char *name, unsigned long arg, unsigned long cpu, unsigned long quota,
			unsigned long slots, unsigned long *pid)
{
	struct keel_msg reply;
	unsigned long len = str_len(name) + 1;

	if (len > IPC_BUF_MAX)
		return -KEEL_EINVAL;
	memcpy((void *)PROG_IPC_BUF, name, len);
	long r = pager_call_buf(PAGER_SPAWN, len, arg, cpu, quota, &reply, slots);
	if (!r && pid)
		*pid = reply.w[0];
	return r;
}

long pager_spawn_caps(const char *name, unsigned long arg, unsigned long cpu, unsigned long quota,
		      unsigned long slots, unsigned long ncaps, unsigned long s0, unsigned long s1,
		      unsigned long *pid)
{
	unsigned long len = str_len(name) + 1;

	if (len > IPC_BUF_MAX || ncaps > IPC_CAPS_MAX)
		return -KEEL_EINVAL;
	memcpy((void *)PROG_IPC_BUF, name, len);
	struct keel_msg m = { 0, IPC_TAG(PAGER_SPAWN, len), { arg, cpu, quota, slots } };
	if (ncaps)
		m.tag = IPC_TAG_CAPS(m.tag, ncaps, s0, s1);
	long r = keel_call(PAGER_SLOT, &m);
	if (r < 0)
		return r;
	if (IPC_TAG_LABEL(m.tag))
		return -(long)IPC_TAG_LABEL(m.tag);
	if (pid)
		*pid = m.w[0];
	return 0;
}

long pager_kill(unsigned long pid)
{
	struct keel_msg reply;

	return pager_call(PAGER_KILL, pid, 0, 0, &reply);
}

long pager_limits(unsigned long pid, struct pager_limits *l)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_LIMITS, pid, 0, 0, &reply);

	if (!r)
		*l = (struct pager_limits){ reply.w[0], reply.w[1], reply.w[2], reply.w[3] };
	return r;
}

long pager_status(unsigned long pid, unsigned long *how, long *code)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_STATUS, pid, 0, 0, &reply);

	if (!r) {
		*how = reply.w[0];
		*code = (long)reply.w[1];
	}
	return r;
}

long pager_wait(unsigned long pid, unsigned long ticks, unsigned long *how, long *code)
{
	for (unsigned long t = 0;; t++) {
		long r = pager_status(pid, how, code);
		if (r || *how != PAGER_RUNNING)
			return r;
		if (t >= ticks)
			return -KEEL_EBUSY;
		keel_sleep(1);
	}
}

long pager_shutdown(long code)
{
	struct keel_msg reply;

	return pager_call(PAGER_SHUTDOWN, (unsigned long)code, 0, 0, &reply);
}

long pager_share(unsigned long va, unsigned long size, unsigned long pid, unsigned long dst,
		 unsigned rights, unsigned long *out)
{
	struct keel_msg reply;
	long r = pager_call_buf(PAGER_SHARE, 0, va, size, pid, &reply, dst | rights);

	if (!r && out)
		*out = reply.w[0];
	return r;
}

long pager_query(unsigned long va, unsigned long out[4])
{
	struct keel_msg reply;
	long r = pager_call(PAGER_QUERY, va, 0, 0, &reply);

	for (int i = 0; !r && i < 4; i++)
		out[i] = reply.w[i];
	return r;
}

long pager_protect(unsigned long va, unsigned long size, unsigned rights)
{
	struct keel_msg reply;

	return pager_call(PAGER_PROTECT, va, size, rights, &reply);
}

long pager_connect(unsigned long pid)
{
	struct keel_msg reply;

	return pager_call(PAGER_CONNECT, pid, 0, 0, &reply);
}

long pager_connect_wait(unsigned long pid, unsigned long ticks)
{
	for (unsigned long t = 0;; t++) {
		long r = pager_connect(pid);
		if (r != -KEEL_EPERM || t >= ticks)
			return r;
		keel_sleep(1);
	}
}

long pager_offer(unsigned long pid)
{
	struct keel_msg reply;

	return pager_call(PAGER_OFFER, pid, 0, 0, &reply);
}

long pager_offer_close(void)
{
	struct keel_msg reply;

	return pager_call(PAGER_OFFER, 0, PAGER_OFFER_CLOSE, 0, &reply);
}

long pager_pstats(unsigned long pid, struct pager_pstats *p)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_PSTATS, pid, 0, 0, &reply);

	if (!r)
		*p = (struct pager_pstats){ reply.w[0], reply.w[1], reply.w[2], reply.w[3] };
	return r;
}

long pager_alloc_contig(unsigned long size, unsigned rights, unsigned long *va, unsigned long *phys)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_ALLOC, 0, size, rights | PAGER_CONTIG, &reply);

	if (!r) {
		*va = reply.w[0];
		*phys = reply.w[1];
	}
	return r;
}
