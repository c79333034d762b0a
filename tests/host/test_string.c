/*
 * test_string.c - the string functions of common/string.c.  (The memory
 * functions, under their standard names, are the C library's here.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include <common/string.h>

static void test_len(void **state)
{
	static const char s[] = { 'a', 'b', 'c', '\0', 'd' };

	assert_int_equal(str_len(""), 0);
	assert_int_equal(str_len("a"), 1);
	assert_int_equal(str_len(s), 3);
	assert_int_equal(str_nlen(s, 0), 0);
	assert_int_equal(str_nlen(s, 2), 2);
	assert_int_equal(str_nlen(s, 3), 3);
	assert_int_equal(str_nlen(s, sizeof(s)), 3);
	/* No byte at or past max is read: an unterminated buffer of exactly max bytes. */
	static const char raw[4] = { 'w', 'x', 'y', 'z' };
	assert_int_equal(str_nlen(raw, sizeof(raw)), 4);
}

static void test_eq(void **state)
{
	assert_true(str_eq("", ""));
	assert_true(str_eq("pager", "pager"));
	assert_false(str_eq("pager", "page"));
	assert_false(str_eq("page", "pager"));
	assert_false(str_eq("", "a"));
	assert_false(str_eq("a", ""));
	assert_false(str_eq("abc", "abd"));
	assert_false(str_eq("\xff", "\x7f"));
}

static void test_copy(void **state)
{
	char buf[6];

	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(str_copy(buf, "abc", sizeof(buf)), buf);
	assert_string_equal(buf, "abc");
	assert_int_equal(buf[4], 'x'); /* nothing written past the NUL */
	/* Truncated to size - 1, always terminated. */
	assert_string_equal(str_copy(buf, "0123456789", sizeof(buf)), "01234");
	assert_string_equal(str_copy(buf, "012345", sizeof(buf)), "01234");
	assert_string_equal(str_copy(buf, "01234", sizeof(buf)), "01234");
	assert_string_equal(str_copy(buf, "", sizeof(buf)), "");
	assert_string_equal(str_copy(buf, "zz", 1), "");
	/* Size 0 writes nothing. */
	memset(buf, 'x', sizeof(buf));
	str_copy(buf, "abc", 0);
	assert_int_equal(buf[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_len),
		cmocka_unit_test(test_eq),
		cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
