/*
 * gdt.c - the global descriptor table and the task state segment.
 *
 * In long mode segments are nearly flat; the GDT still matters for the
 * privilege level (code/data descriptors) and for the TSS, which holds the
 * interrupt stack table (IST): the double fault, NMI and machine check run
 * on stacks of their own, so they work even when the kernel stack is gone.
 * Each CPU has its GDT and TSS in its per-CPU slot, the TSS followed by
 * the I/O permission bitmap (arch/ioport.h); before the slots exist the
 * boot CPU uses a static pair with the image's double-fault stack, and a
 * TSS that allows no port.
 */
#include <arch/gdt.h>
#include <arch/ioport.h>
#include <arch/percpu.h>
#include <arch/x86.h>

/* Descriptor access and flag bits (SDM vol. 3, 3.4.5). */
#define SEG_P	      (1ul << 47)
#define SEG_S	      (1ul << 44) /* code or data (not system) */
#define SEG_CODE      (1ul << 43)
#define SEG_RW	      (1ul << 41) /* readable code / writable data */
#define SEG_DPL(n)    ((u64)(n) << 45)
#define SEG_L	      (1ul << 53) /* 64-bit code */
#define SEG_TSS_AVAIL (0x9ul << 40)

static u64 boot_gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss boot_tss __attribute__((aligned(16)));
extern char df_stack_top[];

/* A GDT with a TSS of `bytes` (the TSS, and the I/O bitmap if one follows it). */
static void gdt_fill(u64 *gdt, struct tss *tss, u64 bytes)
{
	u64 base = (u64)tss, limit = bytes - 1;

	gdt[GDT_KCODE / 8] = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_L | SEG_DPL(0);
	gdt[GDT_KDATA / 8] = SEG_P | SEG_S | SEG_RW | SEG_DPL(0);
	gdt[GDT_UDATA / 8] = SEG_P | SEG_S | SEG_RW | SEG_DPL(3);
	gdt[GDT_UCODE / 8] = SEG_P | SEG_S | SEG_CODE | SEG_RW | SEG_L | SEG_DPL(3);
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | SEG_TSS_AVAIL | SEG_P |
			   (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
	tss->iomap_base = sizeof(*tss); /* the bitmap, if any, right after it */
}

static void gdt_load(u64 *gdt)
{
	struct x86_dtr d = { .limit = GDT_ENTRIES * 8 - 1, .base = (u64)gdt };
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

void gdt_init(void)
{
	gdt_fill(boot_gdt, &boot_tss, sizeof(boot_tss)); /* no bitmap: no port allowed */
	boot_tss.ist[IST_DOUBLE_FAULT - 1] = (u64)df_stack_top;
	boot_tss.ist[IST_NMI - 1] = (u64)df_stack_top;
	boot_tss.ist[IST_MACHINE_CHECK - 1] = (u64)df_stack_top;
	gdt_load(boot_gdt);
}

void gdt_load_cpu(struct percpu *pc)
{
	u32 n = pc->cpu;

	ioport_init_cpu(pc);
	gdt_fill(pc->gdt, &pc->tss, sizeof(pc->tss) + sizeof(pc->iopb));
	pc->tss.rsp[0] = pc->frame_end = pc->kstack_top;
	pc->tss.ist[IST_DOUBLE_FAULT - 1] =
	    percpu_stack_top(n, PERCPU_DF_STACK_OFF, IST_STACK_SIZE);
	pc->tss.ist[IST_NMI - 1] = percpu_stack_top(n, PERCPU_NMI_STACK_OFF, IST_STACK_SIZE);
	pc->tss.ist[IST_MACHINE_CHECK - 1] =
	    percpu_stack_top(n, PERCPU_MC_STACK_OFF, IST_STACK_SIZE);
	gdt_load(pc->gdt);
}
