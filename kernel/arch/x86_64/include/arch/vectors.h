/*
 * vectors.h - how Keel uses the 256 interrupt vectors.  A higher vector
 * has a higher priority at the local APIC (the top four bits are the
 * class), so IPIs sit above device interrupts and the timer.
 */
#ifndef ARCH_VECTORS_H
#define ARCH_VECTORS_H

/* 0x00-0x1f: CPU exceptions (trap.h). */
#define VEC_PIC_BASE \
	0x20		     /* 0x20-0x2f: the legacy PICs, masked; only
				 their spurious IRQ 7 and 15 can arrive */
#define VEC_IOAPIC_BASE 0x30 /* 0x30-...: I/O APIC inputs (GSIs), masked */
#define VEC_IOAPIC_MAX	0xcf
#define VEC_TIMER	0xe0 /* the local APIC timer */
#define VEC_IPI_WAKEUP	0xf0 /* wake a halted CPU */
#define VEC_IPI_TLB	0xf1 /* TLB shoot-down */
#define VEC_IPI_CALL	0xf2 /* run a function on another CPU */
#define VEC_APIC_ERROR	0xfe
#define VEC_SPURIOUS	0xff /* the APIC's spurious vector: no EOI */

#endif
