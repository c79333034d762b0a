/*
 * t_df.c - the kernel runs with the direction flag clear, whatever user
 * mode left in it, and gives user mode its own back.
 *
 * SYSCALL clears DF (FMASK), but an interrupt or exception does not: the
 * kernel's entry must (the CLD in SAVE_REGS, arch/frame.inc; without it
 * this test panics the kernel).  Two threads on one CPU spin with DF set, so timer
 * ticks from user mode switch between them: each switch copies the user
 * registers with `rep movsb` (memcpy), which with DF set copies downwards,
 * over the memory below the thread objects and the kernel stack.  Each
 * thread checks that DF was still set after every stretch (the kernel
 * kept its RFLAGS), and both must exit with DF_OK, having faulted never.
 */
#include "ct.h"

#define DF_THREADS 2
#define DF_TICKS   20	   /* long enough for several turns each */
#define DF_LOOPS   5000000 /* one stretch with DF set, between looks at the clock */
#define DF_OK	   0x0df0
#define DF_LOST	   0x0df1

long df_spin(unsigned long loops); /* df.S */

static struct kpool pool;

static long child_df(struct uthread *u)
{
	unsigned long t0 = ticks();
	long kept = 1;

	(void)u;
	while (ticks() - t0 < DF_TICKS)
		kept &= df_spin(DF_LOOPS);
	return kept ? DF_OK : DF_LOST;
}

void tests_df(void)
{
	static struct uthread t[DF_THREADS];
	static struct client c[DF_THREADS];
	int started[DF_THREADS] = { 0 };

	kpool_init(&pool, &root_pool);
	test_begin("direction_flag_is_clear_in_the_kernel");
	for (int i = 0; i < DF_THREADS; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		long r = child_start(&t[i], &c[i], &pool, child_df, 0, THREAD_PRIO_DEFAULT, 0);
		expect_eq(r, 0, "starting a thread");
		started[i] = r == 0;
	}
	for (int i = 0; i < DF_THREADS; i++) {
		if (!started[i])
			continue;
		expect(child_wait(&c[i]), "no message from thread %d", i);
		expect(c[i].exits == 1 && c[i].faults == 0, "thread %d: %d exits, %d faults", i,
		       c[i].exits, c[i].faults);
		expect(c[i].exit_code == DF_OK, "thread %d exited with 0x%lx (0x%x: DF was lost)",
		       i, c[i].exit_code, DF_LOST);
		expect_eq(child_finish(&t[i], &c[i]), 0, "destroying a thread");
	}
	expect_eq(kpool_release(&pool), 0, "reclaiming the threads' donation");
	test_end();
}
