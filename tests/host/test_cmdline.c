/*
 * test_cmdline.c - finding options in the kernel command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include <keel/cmdline.h>

static void test_has(void **state)
{
	assert_true(cmdline_has("test", "test"));
	assert_true(cmdline_has("a test b", "test"));
	assert_true(cmdline_has("  test  ", "test"));
	assert_true(cmdline_has("crash=stack", "crash"));
	assert_false(cmdline_has("testing", "test"));
	assert_false(cmdline_has("atest", "test"));
	assert_false(cmdline_has("", "test"));
	assert_false(cmdline_has(NULL, "test"));
	assert_false(cmdline_has("test", ""));
}

static void test_get(void **state)
{
	char buf[8];

	assert_true(cmdline_get("test crash=stack x", "crash", buf, sizeof(buf)));
	assert_string_equal(buf, "stack");
	assert_true(cmdline_get("crash=", "crash", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_false(cmdline_get("crash", "crash", buf, sizeof(buf)));
	assert_false(cmdline_get("crashx=1", "crash", buf, sizeof(buf)));
	/* Truncated to the buffer, always terminated. */
	assert_true(cmdline_get("k=0123456789", "k", buf, sizeof(buf)));
	assert_string_equal(buf, "0123456");
	assert_false(cmdline_get("k=1", "k", buf, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
