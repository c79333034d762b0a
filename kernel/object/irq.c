/*
 * irq.c - interrupt lines for user-space drivers (keel/irq.h): binding a
 * line to a notification, delivering its interrupts, acknowledging them.
 * The calls run under the big kernel lock; irq_raise runs in the
 * interrupt handler, on any CPU, without it, and only sets a bit.
 */
#include <abi/syscall.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <keel/decode.h>
#include <keel/irq.h>
#include <keel/notify.h>
#include <keel/sched_inline.h>
#include <keel/thread.h>

struct irq_line {
	struct notify *nt; /* bound to it, or NULL */
	u64 bits;	   /* what an interrupt signals there */
	bool in_service;   /* signalled, not yet acknowledged */
	bool again;	   /* an edge came while in service: signal it at the acknowledgement */
	u64 count;	   /* interrupts delivered */
	u64 raised;	   /* interrupts taken by the handler (written without the lock) */
	u64 unhandled;	   /* interrupts that found nothing bound (the line stays masked) */
};

static struct irq_line lines[KEEL_IRQ_LINES];
u64 irq_pending[(KEEL_IRQ_LINES + 63) / 64];
volatile u32 irq_pending_any;

void irq_raise(u32 line)
{
	if (line >= KEEL_IRQ_LINES)
		return;
	__atomic_fetch_add(&lines[line].raised, 1, __ATOMIC_RELAXED);
	sched_poke_here(); /* this CPU's next pass through the scheduler delivers it */
	__atomic_fetch_or(&irq_pending[line / 64], 1ull << (line % 64), __ATOMIC_RELEASE);
	__atomic_store_n(&irq_pending_any, 1, __ATOMIC_RELEASE);
}

static void deliver(u32 line)
{
	struct irq_line *l = &lines[line];

	if (!l->nt) {
		l->unhandled++;
		arch_irq_mask(line, true); /* nobody would acknowledge it */
		return;
	}
	if (l->in_service) {
		l->again = true; /* an edge before the acknowledgement */
		return;
	}
	l->in_service = true;
	l->count++;
	notify_signal(l->nt, l->bits);
}

void irq_deliver(void)
{
	/* Cleared first: a line raised after its word is read sets it again. */
	(void)__atomic_exchange_n(&irq_pending_any, 0, __ATOMIC_SEQ_CST);
	for (u32 w = 0; w < sizeof(irq_pending) / sizeof(irq_pending[0]); w++) {
		u64 bits = __atomic_exchange_n(&irq_pending[w], 0, __ATOMIC_ACQUIRE);
		while (bits) {
			u32 b = (u32)__builtin_ctzll(bits);
			bits &= bits - 1;
			deliver(w * 64 + b);
		}
	}
}

/* Forget an interrupt the line raised and nobody delivered yet (it was for the old binding). */
static void line_reset(struct irq_line *l, u32 line)
{
	__atomic_fetch_and(&irq_pending[line / 64], ~(1ull << (line % 64)), __ATOMIC_ACQ_REL);
	l->in_service = l->again = false;
}

void irq_unbind_notify(struct notify *n)
{
	for (u32 i = 0; i < KEEL_IRQ_LINES; i++)
		if (lines[i].nt == n) {
			arch_irq_mask(i, true);
			lines[i].nt = NULL;
			line_reset(&lines[i], i);
		}
}

/* The line (one of the capability's: decoded), checked against the machine. */
static long line_check(u64 line)
{
	return arch_irq_exists((u32)line) ? 0 : -KEEL_ENOENT;
}

/* SYS_IRQ_BIND(irq, line, nt or KEEL_CAP_NONE, mode). */
long sys_irq_bind(struct thread *cur, const struct sysreq *rq)
{
	struct cap *c = rq->cap[2];
	u64 line = rq->a[1], mode = rq->a[3];
	long r;

	if ((r = line_check(line)))
		return r;
	struct irq_line *l = &lines[line];
	if (!c) { /* unbinding: the mode is ignored */
		arch_irq_mask((u32)line, true);
		l->nt = NULL;
		line_reset(l, (u32)line);
		return 0;
	}
	struct notify *n = cap_obj(c);
	if (l->nt && l->nt != n)
		return -KEEL_EBUSY;
	arch_irq_mask((u32)line, true);
	if (mode & KEEL_IRQ_MODE)
		arch_irq_set_mode((u32)line, mode & KEEL_IRQ_LEVEL, mode & KEEL_IRQ_LOW);
	l->bits = notify_bits(c);
	if (l->nt != n) { /* bound again to the same: only its bits and mode change */
		l->nt = n;
		line_reset(l, (u32)line);
	}
	if (!l->in_service)
		arch_irq_mask((u32)line, false); /* else the acknowledgement unmasks it */
	return 0;
}

/* SYS_IRQ_ACK(irq, line). */
long sys_irq_ack(struct thread *cur, const struct sysreq *rq)
{
	u64 line = rq->a[1];
	long r;

	if ((r = line_check(line)))
		return r;
	struct irq_line *l = &lines[line];
	if (!l->nt)
		return -KEEL_EINVAL;
	l->in_service = false;
	if (l->again) { /* an edge came meanwhile: it is the next interrupt */
		l->again = false;
		deliver((u32)line);
	}
	arch_irq_mask((u32)line, false); /* a level-triggered line was masked */
	return 0;
}

/* SYS_IRQ_STATUS(irq, line): interrupts taken on the line since boot. */
long sys_irq_status(struct thread *cur, const struct sysreq *rq)
{
	u64 line = rq->a[1];
	long r;

	if ((r = line_check(line)))
		return r;
	return (long)(__atomic_load_n(&lines[line].raised, __ATOMIC_RELAXED) & KEEL_NOTIFY_BITS);
}

u64 irq_counts(u32 line, bool lost)
{
	return lost ? lines[line].unhandled
		    : __atomic_load_n(&lines[line].raised, __ATOMIC_RELAXED);
}
