/*
 * server.c - echo servers (the protocol is in proto.h): threads in the
 * root's space answering calls on an endpoint of their own.
 */
#include "ct.h"

static long server_main(struct uthread *t)
{
	struct server *s = t->arg;
	unsigned char *b = t->buf;
	struct keel_msg m = { 0 };

	__atomic_store_n(&s->cpu, (int)keel_info(KEEL_INFO_CPU), __ATOMIC_RELEASE);
	long r = keel_recv((unsigned long)s->slot, &m);
	for (;;) {
		if (r < 0) {
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELEASE);
			keel_yield();
			r = keel_recv((unsigned long)s->slot, &m);
			continue;
		}
		unsigned long len = IPC_TAG_LEN(m.tag);
		if (len > IPC_BUF_MAX)
			len = IPC_BUF_MAX;
		for (unsigned long i = 0; i < len; i++)
			b[i] = echo_byte(b[i]);
		__atomic_store_n(&s->last_badge, m.badge, __ATOMIC_RELEASE);
		for (int i = 0; i < 4; i++)
			s->last_w[i] = m.w[i];
		__atomic_add_fetch(&s->calls, 1, __ATOMIC_RELEASE);
		m.tag = echo_tag(IPC_TAG(IPC_TAG_LABEL(m.tag), len));
		for (int i = 0; i < 4; i++)
			m.w[i] = echo_word(m.w[i]);
		r = keel_reply_recv((unsigned long)s->slot, &m);
	}
	__builtin_unreachable(); /* (GCC warns about a missing return otherwise) */
}

long server_start(struct server *s, struct kpool *pool, unsigned long badge, unsigned long prio,
		  unsigned long cpu)
{
	long r;

	memset(s, 0, sizeof(*s));
	s->pool = pool;
	s->cpu = -1;
	r = endpoint_new(pool, &s->slot, &s->ep);
	if (r < 0)
		return r;
	r = uthread_create(&s->t, pool, server_main, s, badge);
	if (r < 0)
		goto fail;
	r = uthread_config(&s->t, prio, cpu, ct.pager_ep);
	if (r < 0)
		goto fail;
	r = uthread_start(&s->t);
	if (r < 0)
		goto fail;
	return 0;
fail:
	uthread_destroy(&s->t);
	endpoint_drop(pool, s->slot, s->ep);
	s->slot = -1;
	s->ep = 0;
	return r;
}

long server_stop(struct server *s)
{
	long r = uthread_destroy(&s->t);
	long d = endpoint_drop(s->pool, s->slot, s->ep);

	s->slot = -1;
	s->ep = 0;
	return r ? r : d;
}

int echo_call(int slot, unsigned char *buf, unsigned long i, unsigned long *badge)
{
	struct keel_msg m = { 0 };
	unsigned long len = i % 5 == 0 ? 0 : (i * 131) % (IPC_BUF_MAX + 1);
	unsigned long w[4] = { i, ~i * 3, i << 32 | 0xabcd, 0x0123456789abcdeful + i };

	for (unsigned long j = 0; j < len; j++)
		buf[j] = (unsigned char)(i + j * 7);
	m.tag = IPC_TAG(0x1000 + i, len);
	for (int k = 0; k < 4; k++)
		m.w[k] = w[k];
	if (keel_call((unsigned long)slot, &m) != 0)
		return 0;
	if (badge)
		*badge = m.badge;
	if (m.tag != echo_tag(IPC_TAG(0x1000 + i, len)))
		return 0;
	for (int k = 0; k < 4; k++)
		if (m.w[k] != echo_word(w[k]))
			return 0;
	for (unsigned long j = 0; j < len; j++)
		if (buf[j] != echo_byte((unsigned char)(i + j * 7)))
			return 0;
	return 1;
}
