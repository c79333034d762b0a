/*
 * keel.c - the user library's helpers.
 */
#include "keel.h"

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

void print(const char *s)
{
	sys_debug_write(s, str_len(s));
}

void print_num(long v)
{
	char buf[24];
	int i = sizeof(buf);
	unsigned long u = v < 0 ? 0 - (unsigned long)v : (unsigned long)v;

	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	print(&buf[i]);
}
