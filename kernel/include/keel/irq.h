/*
 * irq.h - interrupt lines for user-space drivers (kernel/object/irq.c; the
 * ABI is include/abi/syscall.h, "Interrupts"; the design is
 * docs/design-core.md, "Interrupts to user space").
 *
 * An interrupt from a device arrives on some CPU, maybe in kernel mode
 * without the big kernel lock: the architecture's handler masks the line
 * if it is level-triggered, acknowledges the local APIC and calls
 * irq_raise, which only sets a bit and pokes the CPU's scheduler
 * (sched_poke_here), so that its next pass through the lock calls
 * irq_deliver, which signals each line's notification: a system call's
 * general path before its handler (the IPC fast path falls back while a
 * line waits), an exception or interrupt from user mode as it takes the
 * lock, an idle CPU as it wakes.  Always before the running thread can
 * block: a wake-up that found it just blocked, before the switch, would
 * be lost.  Nothing more is signalled for the
 * line until the driver's SYS_IRQ_ACK: a level-triggered line stays
 * masked till then; an edge on an edge-triggered one is remembered and
 * signalled at the acknowledgement.
 */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <abi/syscall.h>
#include <keel/types.h>

struct cap;
struct notify;
struct thread;

/* Lines raised and not yet delivered: a bit each (any CPU, no lock). */
extern u64 irq_pending[(KEEL_IRQ_LINES + 63) / 64];
extern volatile u32 irq_pending_any;

/* From the interrupt handler: line's interrupt came (the line is masked already). */
void irq_raise(u32 line);

/* Under the big kernel lock: signal the notification of every raised line. */
void irq_deliver(void);

static inline bool irq_waiting(void)
{
	return __atomic_load_n(&irq_pending_any, __ATOMIC_ACQUIRE) != 0;
}

/* n is being destroyed: every line bound to it is unbound and masked. */
void irq_unbind_notify(struct notify *n);

struct sysreq; /* keel/decode.h */
long sys_irq_bind(struct thread *cur, const struct sysreq *rq);
long sys_irq_ack(struct thread *cur, const struct sysreq *rq);
long sys_irq_status(struct thread *cur, const struct sysreq *rq);

/* The architecture's half (kernel/arch/x86_64/ioapic.c). */
/* Does the line exist (an I/O APIC input with a vector of its own)? */
bool arch_irq_exists(u32 line);
/* Mask or unmask it (any CPU, any context). */
void arch_irq_mask(u32 line, bool masked);
/* Its trigger mode and polarity (while it is masked). */
void arch_irq_set_mode(u32 line, bool level, bool active_low);
/*
 * Its interrupt came (the interrupt handler): a level-triggered line is
 * masked, or it would interrupt again at once; an edge-triggered one is
 * left alone, so that no edge is lost (irq.c holds what comes before the
 * acknowledgement).
 */
void arch_irq_hold(u32 line);
/* The line of each ISA IRQ, after the ACPI overrides (for the boot information). */
void arch_irq_isa_table(u8 gsi[16]);

/* Interrupts taken on a line since boot, or (lost) those that found nothing bound. */
u64 irq_counts(u32 line, bool lost);

#endif
