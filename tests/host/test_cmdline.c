/*
 * test_cmdline.c - finding options in a command line (common/cmdline.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include <common/cmdline.h>

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

static void test_has_word(void **state)
{
	assert_true(cmdline_has_word("bench", "bench"));
	assert_true(cmdline_has_word("test bench", "bench"));
	assert_true(cmdline_has_word("  bench  x", "bench"));
	assert_true(cmdline_has_word("bench-fair", "bench-fair"));
	/* The pager's choice: bench and bench-fair are different words. */
	assert_false(cmdline_has_word("bench-fair", "bench"));
	assert_false(cmdline_has_word("bench", "bench-fair"));
	assert_false(cmdline_has_word("benchmark", "bench"));
	assert_false(cmdline_has_word("abench", "bench"));
	/* A value makes it an option, not the word ... */
	assert_false(cmdline_has_word("bench=1", "bench"));
	assert_true(cmdline_has("bench=1", "bench"));
	/* ... but the word may still come later. */
	assert_true(cmdline_has_word("bench=1 bench", "bench"));
	assert_false(cmdline_has_word("", "bench"));
	assert_false(cmdline_has_word(NULL, "bench"));
	assert_false(cmdline_has_word("bench", ""));
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
		cmocka_unit_test(test_has_word),
		cmocka_unit_test(test_get),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
