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
	struct pager_spawn sp = { name, 0, arg, cpu, quota, slots, ncaps, { s0, s1 } };

	return pager_spawn_with(&sp, pid);
}

long pager_spawn_with(const struct pager_spawn *sp, unsigned long *pid)
{
	unsigned long len = str_len(sp->name) + 1, alen = sp->args ? str_len(sp->args) + 1 : 0;
	char *buf = (char *)PROG_IPC_BUF;

	if (len > IPC_BUF_MAX || alen > PAGER_ARGS_MAX || sp->ncaps > IPC_CAPS_MAX)
		return -KEEL_EINVAL;
	memcpy(buf, sp->name, len);
	if (alen)
		memcpy(buf + len, sp->args, alen);
	struct keel_msg m = { 0,
			      IPC_TAG(PAGER_SPAWN, len + alen),
			      { sp->arg, sp->cpu, sp->quota, sp->slots } };
	if (sp->ncaps)
		m.tag = IPC_TAG_CAPS(m.tag, sp->ncaps, sp->caps[0], sp->caps[1]);
	long r = keel_call(PAGER_SLOT, &m);
	if (r < 0)
		return r;
	if (IPC_TAG_LABEL(m.tag))
		return -(long)IPC_TAG_LABEL(m.tag);
	if (pid)
		*pid = m.w[0];
	return 0;
}

/* A request that names something (PAGER_REGISTER, PAGER_LOOKUP) and a slot. */
static long pager_call_name(unsigned op, const char *name, unsigned long slot,
			    struct keel_msg *reply)
{
	unsigned long len = str_len(name) + 1;

	if (len > PAGER_NAME_MAX)
		return -KEEL_EINVAL;
	memcpy((void *)PROG_IPC_BUF, name, len);
	return pager_call_buf(op, len, slot, 0, 0, reply, 0);
}

long pager_register(const char *name, unsigned long slot)
{
	struct keel_msg reply;

	return pager_call_name(PAGER_REGISTER, name, slot, &reply);
}

long pager_lookup(const char *name, unsigned long slot, unsigned long *pid)
{
	struct keel_msg reply;
	long r = pager_call_name(PAGER_LOOKUP, name, slot, &reply);

	if (!r && pid)
		*pid = reply.w[0];
	return r;
}

long pager_notify(unsigned long slot, unsigned flags)
{
	struct keel_msg reply;

	return pager_call(PAGER_NOTIFY, slot, flags, 0, &reply);
}

long pager_endpoint(unsigned long slot)
{
	struct keel_msg reply;

	return pager_call(PAGER_ENDPOINT, slot, 0, 0, &reply);
}

long pager_ps(unsigned long after, struct pager_ps *ps)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_PS, after, 0, 0, &reply);

	if (r)
		return r;
	unsigned long len = IPC_TAG_LEN(reply.tag);
	ps->pid = reply.w[0];
	ps->parent = reply.w[1];
	ps->data = reply.w[2];
	ps->state = reply.w[3] & 0xff;
	ps->cpu = reply.w[3] >> 8;
	if (len > sizeof(ps->name))
		len = sizeof(ps->name);
	memcpy(ps->name, (const void *)PROG_IPC_BUF, len);
	ps->name[len ? len - 1 : 0] = '\0';
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

/*
 * Between two polls of a wait: a yield for the first PAGER_POLL_YIELDS
 * (what is waited for is most often a step away), then a tick's sleep,
 * counted in *ticks.
 */
static void poll_pause(unsigned long tries, unsigned long *ticks)
{
	if (tries < PAGER_POLL_YIELDS) {
		keel_sleep(0);
	} else {
		keel_sleep(1);
		++*ticks;
	}
}

long pager_wait(unsigned long pid, unsigned long ticks, unsigned long *how, long *code)
{
	for (unsigned long t = 0, tries = 0;; tries++) {
		long r = pager_status(pid, how, code);
		if (r || *how != PAGER_RUNNING)
			return r;
		if (t >= ticks)
			return -KEEL_EBUSY;
		poll_pause(tries, &t);
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
	for (unsigned long t = 0, tries = 0;; tries++) {
		long r = pager_connect(pid);
		if (r != -KEEL_EPERM || t >= ticks)
			return r;
		poll_pause(tries, &t);
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

long pager_io_enable(unsigned long io, unsigned long first, unsigned long count)
{
	struct keel_msg m = { 0, IPC_TAG(PAGER_IO_ENABLE, 0), { first, count } };

	m.tag = IPC_TAG_CAPS(m.tag, 1, io, 0);
	long r = keel_call(PAGER_SLOT, &m);
	return r ? r : -(long)IPC_TAG_LABEL(m.tag);
}

long pager_isa_irq(unsigned long irq, unsigned long *gsi)
{
	struct keel_msg reply;
	long r = pager_call(PAGER_ISA_IRQ, irq, 0, 0, &reply);

	if (!r)
		*gsi = reply.w[0];
	return r;
}
