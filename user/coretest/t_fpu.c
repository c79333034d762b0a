/*
 * t_fpu.c - x87 and SSE errors are faults the pager hears about.  A thread
 * divides by zero with the exception unmasked, on the x87 (#MF, vector 16,
 * needs CR0.NE) and with SSE (#XM, vector 19, needs CR4.OSXMMEXCPT), on
 * the boot CPU and on an AP.  Its pager must get one fault message with
 * that vector, error code 0, address 0 and the RIP of the instruction
 * that raised it, and the thread must not go on to exit.
 */
#include "ct.h"

/* The vectors (Intel SDM vol. 3, 6.15), as the fault message's w1 >> 32 gives them. */
#define VECTOR_MF 16
#define VECTOR_XM 19
/* A thread whose error went unreported exits with WENT_ON | the status word or MXCSR. */
#define WENT_ON	  0x770000l
#define STATUS_ZE 0x4l	 /* zero-divide flag, in both */
#define MXCSR_ZM  0x200l /* zero-divide mask */

/* fpu.S */
long fpu_x87_div0(void);
long fpu_sse_div0(void);
extern const char fpu_x87_trap_at[], fpu_sse_trap_at[];

static struct kpool pool;

static long child_x87(struct uthread *u)
{
	(void)u;
	return WENT_ON | fpu_x87_div0();
}

static long child_sse(struct uthread *u)
{
	(void)u;
	return WENT_ON | fpu_sse_div0();
}

static const struct {
	const char *name;
	long (*fn)(struct uthread *);
	const char *trap_at;
	unsigned long vector;
} cases[] = {
	{ "x87", child_x87, fpu_x87_trap_at, VECTOR_MF },
	{ "sse", child_sse, fpu_sse_trap_at, VECTOR_XM },
};

/* Case i on `cpu` (0, or an AP). */
static void fpu_error_faults(int i, unsigned long cpu)
{
	static struct uthread t;
	static struct client c;
	static char name[48]; /* the harness keeps the pointer until test_end */

	fmt(name, sizeof(name), "fpu_%s_error_faults_on_%s", cases[i].name, cpu ? "an_ap" : "cpu0");
	test_begin(name);
	memset(&c, 0, sizeof(c));
	long r = child_start(&t, &c, &pool, cases[i].fn, 0, THREAD_PRIO_DEFAULT, cpu);
	expect_eq(r, 0, "starting the thread");
	if (r != 0) {
		test_end();
		return;
	}
	expect(child_wait(&c), "no message from the thread");
	/*
	 * No CPU goes on past an unmasked SIMD error with OSXMMEXCPT set: it
	 * raises #XM, or #UD without it.  One that goes on with MXCSR.ZE set
	 * and ZM clear does not emulate SIMD exceptions (QEMU's TCG): skip,
	 * saying so; Bochs (the bochs-* boots) runs the test.
	 */
	long st = c.exit_code ^ WENT_ON;
	if (cases[i].vector == VECTOR_XM && c.exits == 1 && c.faults == 0 &&
	    (c.exit_code & ~0xffffl) == WENT_ON && (st & STATUS_ZE) && !(st & MXCSR_ZM)) {
		expect_eq(child_finish(&t, &c), 0, "destroying the thread");
		if (test_failing()) {
			test_end();
			return;
		}
		static char why[96];
		fmt(why, sizeof(why),
		    "this CPU set MXCSR.ZE (0x%lx) but raised no #XM: an emulator without SIMD "
		    "exceptions",
		    st);
		test_skip(name, why);
		return;
	}
	expect(c.exits == 0,
	       "the thread on cpu %lu went on (exit 0x%lx): the error was not reported", cpu,
	       c.exit_code);
	expect(c.faults == 1 && c.late == 0, "%d faults, %d late messages", c.faults, c.late);
	if (c.faults >= 1) {
		expect((c.tag[0] & IPC_TAG_KERNEL) && IPC_TAG_LABEL(c.tag[0]) == IPC_LABEL_FAULT,
		       "the fault message's tag 0x%lx", c.tag[0]);
		expect(c.code[0] >> 32 == cases[i].vector, "vector %lu, want %lu", c.code[0] >> 32,
		       cases[i].vector);
		expect_eq((long)(c.code[0] & 0xffffffff), 0, "the error code");
		expect_eq((long)c.addr[0], 0, "the fault address");
		expect(c.rip[0] == (unsigned long)cases[i].trap_at, "RIP 0x%lx, want 0x%lx",
		       c.rip[0], (unsigned long)cases[i].trap_at);
	}
	expect_eq(child_finish(&t, &c), 0, "destroying the thread");
	test_end();
}

void tests_fpu(void)
{
	static char skipped[48];

	kpool_init(&pool, &root_pool);
	for (int i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		fpu_error_faults(i, 0);
		if (ct.cpus > 1) {
			fpu_error_faults(i, (unsigned long)ct.cpus - 1); /* the last AP */
		} else {
			fmt(skipped, sizeof(skipped), "fpu_%s_error_faults_on_an_ap",
			    cases[i].name);
			test_skip(skipped, "one CPU");
		}
	}
	test_begin("fpu_objects_reclaimed");
	expect_eq(kpool_release(&pool), 0, "reclaiming the threads' donation");
	test_end();
}
