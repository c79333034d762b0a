/*
 * ktest.h - in-kernel tests (kernel/test/).
 *
 * A test is a function that returns NULL when it passed or a reason when it
 * failed.  KTEST() puts it in the .ktests section, so the runner finds every
 * test without a hand-kept list.  With `test` on the command line the
 * kernel runs them all after boot, prints TAP and one final line
 * `N passed, N failed`, and exits QEMU with the result.
 */
#ifndef KEEL_KTEST_H
#define KEEL_KTEST_H

#include <common/fmt.h>
#include <keel/types.h>

struct ktest {
	const char *name;
	const char *(*run)(void);
};

#define KTEST(n)                                                                              \
	static const char *ktest_run_##n(void);                                               \
	static const struct ktest ktest_##n                                                   \
	    __attribute__((used, section(".ktests"), aligned(8))) = { .name = #n,             \
								      .run = ktest_run_##n }; \
	static const char *ktest_run_##n(void)

/* Format a failure reason (into one static buffer) and return it. */
const char *ktest_fail(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Check a condition; on failure return a reason naming it and the line. */
#define KTEST_CHECK(cond)                                                          \
	do {                                                                       \
		if (!(cond))                                                       \
			return ktest_fail("%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

/*
 * Run every in-kernel test, printing `TAP version 13` and a line each.
 * User-level tests add their lines with ktest_report (SYS_DEBUG_TEST);
 * ktest_finish prints the plan and the `N passed, N failed` line, and
 * returns the number that failed.
 */
void ktest_run(void);
void ktest_report(const char *name, int result, const char *why);
int ktest_finish(void);

#endif
