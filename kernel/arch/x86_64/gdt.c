/*
 * gdt.c - the global descriptor table and the task state segment.
 *
 * In long mode segments are nearly flat; the GDT still matters for the
 * privilege level (code/data descriptors) and for the TSS, which holds the
 * interrupt stack table (IST) used for double faults.
 */
#include <arch/gdt.h>
#include <arch/x86.h>

/* Descriptor access and flag bits (SDM vol. 3, 3.4.5). */
#define SEG_P	      (1ul << 47)
#define SEG_S	      (1ul << 44) /* code or data (not system) */
#define SEG_CODE      (1ul << 43)
#define SEG_RW	      (1ul << 41) /* readable code / writable data */
#define SEG_DPL(n)    ((u64)(n) << 45)
#define SEG_L	      (1ul << 53) /* 64-bit code */
#define SEG_TSS_AVAIL (0x9ul << 40)

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");

static u64 gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
extern char df_stack_top[];

void gdt_init(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;

	gdt[GDT_KCODE / 8] = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_L | SEG_DPL(0);
	gdt[GDT_KDATA / 8] = SEG_P | SEG_S | SEG_RW | SEG_DPL(0);
	gdt[GDT_UDATA / 8] = SEG_P | SEG_S | SEG_RW | SEG_DPL(3);
	gdt[GDT_UCODE / 8] = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_L | SEG_DPL(3);
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | SEG_TSS_AVAIL | SEG_P |
			   (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;

	tss.ist[IST_DOUBLE_FAULT - 1] = (u64)df_stack_top;
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	struct x86_dtr d = { .limit = sizeof(gdt) - 1, .base = (u64)gdt };
	lgdt(&d);
	/* Reload CS with a far return, and the data segments. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %1, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 :
			 : "i"((u64)GDT_KCODE), "i"(GDT_KDATA)
			 : "rax", "memory");
	ltr(GDT_TSS);
}
