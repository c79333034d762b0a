/*
 * test_fmt.c - the printf engine (common/fmt.c) against the C library's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <common/fmt.h>

/* Format with both and compare text and returned length. */
#define SAME(...)                                                     \
	do {                                                          \
		char want[256], got[256];                             \
		int wn = snprintf(want, sizeof(want), __VA_ARGS__);   \
		int gn = fmt_snprintf(got, sizeof(got), __VA_ARGS__); \
		assert_string_equal(got, want);                       \
		assert_int_equal(gn, wn);                             \
	} while (0)

static void test_integers(void **state)
{
	SAME("%d %d %d", 0, -1, 2147483647);
	SAME("%d", (int)-2147483647 - 1);
	SAME("%i|%5d|%-5d|%05d|%+d|% d", 42, 42, 42, -42, 42, 42);
	SAME("%u %x %X %o", 4000000000u, 0xdeadbeefu, 0xdeadbeefu, 0755u);
	SAME("%lx %lu %ld", 0xffffffff80000000ul, 18446744073709551615ul,
	     -9223372036854775807l - 1);
	SAME("%llx %lld", 0x123456789abcdefull, -1ll);
	SAME("%zu %zx", (size_t)123456789, (size_t)0xabc);
	SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	SAME("%016lx|%-16lx|%16lx", 0xfee00000ul, 0xful, 0xful);
	SAME("%#x %#o %#x %#X", 255u, 8u, 0u, 255u);
	SAME("%.3d|%.0d|%8.3d|%-8.3d", 5, 0, 5, 5);
	SAME("%*d|%-*d|%.*d", 6, 1, 6, 2, 4, 3);
}

static void test_strings_and_chars(void **state)
{
	SAME("%s|%10s|%-10s|%.2s|%5.1s", "abc", "abc", "abc", "abc", "abc");
	SAME("%c%c%3c|%-3c|", 'a', 'b', 'c', 'd');
	SAME("100%% %s", "done");
	SAME("%s", "");
}

static void test_pointer(void **state)
{
	char got[64];
	fmt_snprintf(got, sizeof(got), "%p", (void *)0xffff800000001000ul);
	assert_string_equal(got, "0xffff800000001000");
}

static void test_truncation(void **state)
{
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

/* These formats are wrong on purpose: the compiler's check is switched off. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_odd_formats(void **state)
{
	char buf[32];
	/* A trailing lone '%' and an unknown conversion are printed as text. */
	fmt_snprintf(buf, sizeof(buf), "a%");
	assert_string_equal(buf, "a");
	fmt_snprintf(buf, sizeof(buf), "%q");
	assert_string_equal(buf, "%q");
	fmt_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
	assert_string_equal(buf, "(null)");
}
#pragma GCC diagnostic pop

struct collect {
	char text[64];
	int calls;
};

static void sink_collect(void *ctx, char c)
{
	struct collect *col = ctx;
	col->text[col->calls++] = c;
}

static int format_to(struct collect *col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vformat(sink_collect, col, fmt, ap);
	va_end(ap);
	return n;
}

/* fmt_vformat calls the sink once per character, in order, and counts. */
static void test_sink(void **state)
{
	struct collect col = { .calls = 0 };
	assert_int_equal(format_to(&col, "[%s-%03d]", "ab", 7), 8);
	assert_int_equal(col.calls, 8);
	assert_memory_equal(col.text, "[ab-007]", 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),    cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointer),	    cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_odd_formats), cmocka_unit_test(test_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
