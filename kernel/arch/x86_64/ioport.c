/*
 * ioport.c - I/O ports for user programs (arch/ioport.h): the ports the
 * kernel keeps, each address space's enabled ranges, and the I/O
 * permission bitmap after each CPU's TSS.  Facts: SDM vol. 1, 19.5.2 (a
 * port is allowed at CPL 3 only if its bit, and the bit of every other
 * byte the access touches, is 0; the bitmap lies at iomap_base in the
 * TSS, inside the TSS limit, and the byte after it must be 0xff, since
 * the CPU reads two bytes).
 */
#include <arch/ioport.h>
#include <arch/percpu.h>
#include <arch/platform.h>
#include <arch/smp.h>
#include <arch/vspace.h>
#include <common/string.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <keel/decode.h>
#include <keel/kmem.h>
#include <keel/panic.h>

/*
 * The kernel's own ports, never enabled for a program: the fixed ones of
 * the PC platform here, and those found at boot (the ACPI PM timer's)
 * added by the code that uses them (ioport_reserve).  COM1 is not one of
 * them: the kernel shares it with the serial driver (serial.c says how).
 */
#define IOPORT_RESERVED_MAX 16
static struct {
	u32 first, count;
	const char *who;
} reserved[IOPORT_RESERVED_MAX] = {
	{ 0x20, 2, "the master 8259 PIC (masked by the kernel)" },
	{ 0xa0, 2, "the slave 8259 PIC" },
	{ 0x40, 4, "the PIT (the kernel's time reference without ACPI)" },
	{ 0x61, 1, "the PIT's channel 2 gate" },
	{ QEMU_EXIT_PORT, 4, "the emulator's exit port (test boots)" },
};
static u32 reserved_count = 5;

void ioport_reserve(u32 first, u32 count, const char *who)
{
	if (reserved_count == IOPORT_RESERVED_MAX)
		panic("ioport: more than %u reserved ranges (%s)", IOPORT_RESERVED_MAX, who);
	reserved[reserved_count].first = first;
	reserved[reserved_count].count = count;
	reserved[reserved_count].who = who;
	reserved_count++;
}

static bool overlaps(u64 a, u64 an, u64 b, u64 bn)
{
	return a < b + bn && b < a + an;
}

bool ioport_kernel_owns(u64 first, u64 count)
{
	for (u32 i = 0; i < reserved_count; i++)
		if (overlaps(first, count, reserved[i].first, reserved[i].count))
			return true;
	return false;
}

/* Live address spaces with COM1's ports (under the big kernel lock). */
static u32 console_spaces;

bool ioport_console_held(void)
{
	return console_spaces != 0;
}

void ioport_forget(struct ioport_set *set)
{
	if (set->console)
		console_spaces--;
	set->console = false;
}

long ioport_add(struct ioport_set *set, u64 first, u64 count)
{
	for (u32 i = 0; i < set->count; i++)
		if (overlaps(first, count, set->r[i].first, set->r[i].count))
			return -KEEL_EEXIST;
	if (set->count == KEEL_IO_RANGES)
		return -KEEL_EFULL;
	set->r[set->count].first = (u32)first;
	set->r[set->count].count = (u32)count;
	set->count++;
	return 0;
}

/* Set (deny) or clear (allow) port p's bit. */
static void bitmap_one(u8 *map, u32 p, bool deny)
{
	if (deny)
		map[p / 8] |= (u8)(1u << (p % 8));
	else
		map[p / 8] &= (u8) ~(1u << (p % 8));
}

/* The same for one range: its whole bytes at once. */
static void bitmap_range(u8 *map, const struct ioport_range *r, bool deny)
{
	u32 p = r->first, end = r->first + r->count;

	for (; p < end && p % 8; p++)
		bitmap_one(map, p, deny);
	if (end - p >= 8) {
		memset(&map[p / 8], deny ? 0xff : 0, (end - p) / 8);
		p += (end - p) / 8 * 8;
	}
	for (; p < end; p++)
		bitmap_one(map, p, deny);
}

void ioport_init_cpu(struct percpu *pc)
{
	memset(pc->iopb, 0xff, sizeof(pc->iopb)); /* every port denied; the last byte too */
	pc->io_id = 0;
	pc->io_nopen = 0;
}

void ioport_switch(struct percpu *pc, const struct ioport_set *set)
{
	for (u32 i = 0; i < pc->io_nopen; i++)
		bitmap_range(pc->iopb, &pc->io_open[i], true);
	for (u32 i = 0; i < set->count; i++) {
		bitmap_range(pc->iopb, &set->r[i], false);
		pc->io_open[i] = set->r[i];
	}
	pc->io_nopen = set->count;
	pc->io_id = set->id;
}

/* SYS_IO_ENABLE(io, as, first, count): the space may use those ports. */
long sys_io_enable(struct thread *cur, const struct sysreq *rq)
{
	struct aspace *a = cap_obj(rq->cap[1]);
	struct percpu *pc = this_cpu();
	u64 first = rq->a[2], count = rq->a[3];
	long r;

	if (ioport_kernel_owns(first, count))
		return -KEEL_EKERNEL;
	if ((r = ioport_add(&a->vs.io, first, count)))
		return r;
	if (overlaps(first, count, COM1_PORT, 8) && !a->vs.io.console) {
		a->vs.io.console = true;
		console_spaces++;
	}
	a->vs.io.id = kmem_gen_new(); /* every CPU opens the new set at its next switch to it */
	/*
	 * And the CPUs running the space now, at once (a thread alone on its
	 * CPU might never switch): this one, and a shoot-down of no pages to
	 * the others that ran it, whose handler does the same (ioport_refresh).
	 */
	ioport_refresh(pc);
	tlb_shootdown_mask(a->vs.cpus, 0, 0);
	return 0;
}

void ioport_refresh(struct percpu *pc)
{
	struct vspace *vs = pc->cur_vs;

	if (vs && pc->io_id != vs->io.id)
		ioport_switch(pc, &vs->io);
}
