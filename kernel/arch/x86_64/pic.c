/*
 * pic.c - the legacy 8259 interrupt controllers, which Keel does not use.
 * They are reprogrammed so that a stray interrupt cannot look like a CPU
 * exception (their reset vectors 0x08-0x0f overlap #DF..#PF), then masked.
 */
#include <arch/irqchip.h>
#include <arch/vectors.h>
#include <arch/x86.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT 0x11 /* edge, cascade, ICW4 follows */
#define ICW4_8086 0x01

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT);
	outb(PIC2_CMD, ICW1_INIT);
	outb(PIC1_DATA, VEC_PIC_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 1 << 2); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 2);	 /* ICW3: slave identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff); /* mask everything */
	outb(PIC2_DATA, 0xff);
}
