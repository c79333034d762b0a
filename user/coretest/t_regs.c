/*
 * t_regs.c - what a system call leaves in the registers, on each entry
 * path: the lean one (SYS_INFO: no frame, no lock; issue 13) and the full
 * one (everything else), for success and for errors.  The ABI: RAX is the
 * result, RCX the address after the `syscall`, R11 the caller's RFLAGS;
 * every other register is the caller's (no kernel value leaks out, and
 * nothing of the caller's is lost).
 */
#include "ct.h"

#define P(i) (0xb0b0b0b0b0b0b000ul + (i))

void regs_syscall(unsigned long nr, unsigned long a0, unsigned long out[18]);

/* out[] index of each register kept, and the pattern regs.S put there (RDI: a0). */
static const struct {
	int at;
	unsigned long want;
	const char *name;
} kept[] = {
	{ 1, P(1), "RBX" },   { 3, P(3), "RDX" },   { 4, P(4), "RSI" },	  { 6, P(6), "RBP" },
	{ 7, P(7), "R8" },    { 8, P(8), "R9" },    { 9, P(9), "R10" },	  { 11, P(11), "R12" },
	{ 12, P(12), "R13" }, { 13, P(13), "R14" }, { 14, P(14), "R15" },
};

static void one(unsigned long nr, unsigned long a0, long want, const char *what)
{
	static unsigned long out[18];

	regs_syscall(nr, a0, out);
	expect_eq((long)out[0], want, what);
	for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		expect(out[kept[i].at] == kept[i].want, "%s: %s is 0x%lx, was 0x%lx", what,
		       kept[i].name, out[kept[i].at], kept[i].want);
	expect(out[5] == a0, "%s: RDI is 0x%lx, was 0x%lx", what, out[5], a0);
	expect(out[2] == out[15], "%s: RCX is 0x%lx, not the return address 0x%lx", what, out[2],
	       out[15]);
	/* RFLAGS: IF on, bit 1 set, DF and TF off, nothing above the defined bits. */
	expect((out[10] & 0x202) == 0x202 && !(out[10] & 0x500) && out[10] < (1ul << 22),
	       "%s: R11 is 0x%lx, not the caller's RFLAGS", what, out[10]);
	expect(out[16] == out[17], "%s: RSP moved from 0x%lx to 0x%lx", what, out[17], out[16]);
}

void tests_regs(void)
{
	test_begin("regs_kept_across_each_entry_path");
	one(SYS_INFO, KEEL_INFO_CPU, keel_info(KEEL_INFO_CPU), "SYS_INFO(CPU), lean");
	one(SYS_INFO, KEEL_INFO_CPUS, ct.cpus, "SYS_INFO(CPUS), lean");
	one(SYS_INFO, 99, -KEEL_EINVAL, "SYS_INFO(99), lean, an error");
	one(SYS_YIELD, 0, 0, "SYS_YIELD, full, through the scheduler");
	one(SYS_CAP_INFO, KEEL_CAP_SLOTS, -KEEL_EINVAL, "SYS_CAP_INFO(128), full, an error");
	one(SYS_CAP_INFO, ct.mem,
	    (long)(KEEL_CAP_MEMORY << 8 | KEEL_MEM_R | KEEL_MEM_W | KEEL_MEM_X | KEEL_MEM_KMEM),
	    "SYS_CAP_INFO(memory), full");
	one(SYS_COUNT + 5, 0, -KEEL_ENOSYS, "an unknown number, full");
	test_end();
}
