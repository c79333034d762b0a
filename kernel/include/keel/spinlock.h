/*
 * spinlock.h - ticket spinlocks (kernel/lib/spinlock.c).  Fair: CPUs get
 * the lock in the order they asked.  A lock records its holder, and
 * taking a lock this CPU already holds is a broken invariant (panic).
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/types.h>

struct spinlock {
	volatile u32 next;   /* ticket handed to the next arrival */
	volatile u32 owner;  /* ticket being served */
	volatile int holder; /* CPU holding it, or -1 */
	const char *name;
};

#define SPINLOCK_INIT(n)                                       \
	{                                                      \
		.next = 0, .owner = 0, .holder = -1, .name = n \
	}

/*
 * Take the lock as interrupts are (a caller that waits for other CPUs'
 * interrupts while holding it must leave them on).
 */
void spin_lock(struct spinlock *l);

/* Take the lock with interrupts off; returns the old interrupt state. */
u64 spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, u64 flags);

void spin_unlock(struct spinlock *l);

#endif
