/*
 * spinlock.c - ticket spinlocks.
 */
#include <arch/percpu.h>
#include <arch/x86.h>
#include <keel/lockwatch.h>
#include <keel/panic.h>
#include <keel/spinlock.h>

static u32 ticket_take(struct spinlock *l)
{
	return __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
}

void spin_lock(struct spinlock *l)
{
	int me = percpu_ready() ? (int)this_cpu()->cpu : 0;

	if (l->holder == me)
		panic("spinlock '%s': taken twice by cpu %d", l->name, me);
	u32 t = ticket_take(l);
	if (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t) {
		u64 since = lockwatch_begin();
		while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t) {
			cpu_relax();
			lockwatch_check(since, l->name, l->holder, t, &l->owner);
		}
	}
	l->holder = me;
}

u64 spin_lock_irqsave(struct spinlock *l)
{
	u64 flags = read_rflags();

	irq_disable();
	spin_lock(l);
	return flags;
}

void spin_unlock(struct spinlock *l)
{
	l->holder = -1;
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	spin_unlock(l);
	if (flags & X86_EFLAGS_IF)
		irq_enable();
}
