/*
 * ktest.c - run the in-kernel tests and report them as TAP.
 */
#include <abi/syscall.h>
#include <keel/console.h>
#include <keel/ktest.h>

extern const struct ktest __ktests_start[], __ktests_end[];

static char fail_msg[256];

const char *ktest_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
	return fail_msg;
}

static int tests, passed, failed;

void ktest_report(const char *name, int result, const char *why)
{
	tests++;
	if (result == KEEL_TEST_FAIL) {
		kprintf("not ok %d - %s # %s\n", tests, name, why ? why : "failed");
		failed++;
		return;
	}
	passed++;
	if (result == KEEL_TEST_SKIP)
		kprintf("ok %d - %s # SKIP %s\n", tests, name, why ? why : "");
	else
		kprintf("ok %d - %s\n", tests, name);
}

void ktest_run(void)
{
	int n = (int)(__ktests_end - __ktests_start);

	kprintf("TAP version 13\n");
	for (int i = 0; i < n; i++) {
		const char *why = __ktests_start[i].run();
		ktest_report(__ktests_start[i].name, why ? KEEL_TEST_FAIL : KEEL_TEST_PASS, why);
	}
}

int ktest_finish(void)
{
	kprintf("1..%d\n", tests);
	kprintf("%d passed, %d failed\n", passed, failed);
	return failed;
}
