/*
 * ktest.c - run the in-kernel tests and report them as TAP.
 */
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

int ktest_run(void)
{
	int n = (int)(__ktests_end - __ktests_start);
	int passed = 0, failed = 0;

	kprintf("TAP version 13\n1..%d\n", n);
	for (int i = 0; i < n; i++) {
		const struct ktest *t = &__ktests_start[i];
		const char *why = t->run();
		if (why) {
			kprintf("not ok %d - %s # %s\n", i + 1, t->name, why);
			failed++;
		} else {
			kprintf("ok %d - %s\n", i + 1, t->name);
			passed++;
		}
	}
	kprintf("%d passed, %d failed\n", passed, failed);
	return failed;
}
