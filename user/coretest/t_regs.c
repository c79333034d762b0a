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

void regs_syscall(unsigned long nr, unsigned long a0, unsigned long out[18], unsigned long rsi);

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

/* RCX, R11 and RSP after any call (out[] as regs.S fills it). */
static void check_return(const unsigned long *out, const char *what)
{
	expect(out[2] == out[15], "%s: RCX is 0x%lx, not the return address 0x%lx", what, out[2],
	       out[15]);
	/* RFLAGS: IF on, bit 1 set, DF and TF off, nothing above the defined bits. */
	expect((out[10] & 0x202) == 0x202 && !(out[10] & 0x500) && out[10] < (1ul << 22),
	       "%s: R11 is 0x%lx, not the caller's RFLAGS", what, out[10]);
	expect(out[16] == out[17], "%s: RSP moved from 0x%lx to 0x%lx", what, out[17], out[16]);
}

static void one(unsigned long nr, unsigned long a0, long want, const char *what)
{
	static unsigned long out[18];

	regs_syscall(nr, a0, out, P(4));
	expect_eq((long)out[0], want, what);
	for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		expect(out[kept[i].at] == kept[i].want, "%s: %s is 0x%lx, was 0x%lx", what,
		       kept[i].name, out[kept[i].at], kept[i].want);
	expect(out[5] == a0, "%s: RDI is 0x%lx, was 0x%lx", what, out[5], a0);
	check_return(out, what);
}

/*
 * A call of a label and four words to an echo server on this CPU, which
 * takes the IPC fast path both ways (kernel/core/fastpath.c): RAX 0, the
 * reply in RDI (badge), RSI (tag), RDX, R10, R8, R9 (words), and every
 * other register the caller's.  The first of a few tries that took the
 * fast path both ways is checked (the hand-off rule sends one through
 * the run queue at the end of a turn); every try must be right.
 */
static void fast_call(void)
{
	static struct kpool pool;
	static struct server s;
	static unsigned long out[18];
	static const int callee_saved[] = { 1, 6, 11, 12, 13, 14 }; /* RBX RBP R12-R15 */
	unsigned long badge = badge_new(), label = IPC_TAG(0x77, 0);
	int fast = 0;

	kpool_init(&pool, &root_pool);
	if (server_start(&s, &pool, badge, THREAD_PRIO_DEFAULT, 0) != 0) {
		expect(0, "starting an echo server on this CPU");
		return;
	}
	echo_call(s.slot, ct.ipcbuf, 0, 0); /* the first may come before it waits */
	for (int try = 0; try < 3 && !fast; try++) {
		long f0 = keel_info(KEEL_INFO_IPC_FAST);
		regs_syscall(SYS_CALL, (unsigned long)s.slot, out, label);
		fast = keel_info(KEEL_INFO_IPC_FAST) - f0 == 2;
		const char *what = fast ? "SYS_CALL, fast path" : "SYS_CALL, general path";
		expect_eq((long)out[0], 0, what);
		expect(out[5] == badge, "%s: RDI is 0x%lx, not the badge 0x%lx", what, out[5],
		       badge);
		expect(out[4] == echo_tag(label), "%s: RSI is 0x%lx, not the tag 0x%lx", what,
		       out[4], echo_tag(label));
		/* Each word where it belongs, both ways (the echo alone would hide a swap). */
		expect(s.last_w[0] == P(3) && s.last_w[1] == P(9) && s.last_w[2] == P(7) &&
			   s.last_w[3] == P(8),
		       "%s: the server got the words 0x%lx 0x%lx 0x%lx 0x%lx", what, s.last_w[0],
		       s.last_w[1], s.last_w[2], s.last_w[3]);
		expect(out[3] == echo_word(P(3)) && out[9] == echo_word(P(9)) &&
			   out[7] == echo_word(P(7)) && out[8] == echo_word(P(8)),
		       "%s: the words in RDX, R10, R8, R9 are not the echo's", what);
		for (unsigned i = 0; i < sizeof(callee_saved) / sizeof(callee_saved[0]); i++)
			expect(out[callee_saved[i]] == P(callee_saved[i]),
			       "%s: register %d is 0x%lx, was 0x%lx", what, callee_saved[i],
			       out[callee_saved[i]], P(callee_saved[i]));
		check_return(out, what);
	}
	expect(fast, "none of 3 label-only calls took the fast path both ways");
	expect_eq(server_stop(&s), 0, "stopping the server");
	expect_eq(kpool_release(&pool), 0, "reclaiming the donation");
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
	fast_call();
	test_end();
}
