/*
 * keel.c - the user library's console helpers.
 */
#include "keel.h"
#include "console.h"
#include "str.h"

/*
 * To the console once there is one (console.c), else to the kernel's log.
 * While a serial driver runs, the kernel's log is the pager's alone
 * (EPERM): the console is starting again, so wait for it, up to 2 s.
 */
void print_n(const char *s, size_t n)
{
	if (console_write(s, n) == 0)
		return;
	while (n) {
		long r = keel_debug_write(s, n);
		if (r == -KEEL_EPERM) {
			for (int t = 0; t < 200; t++) {
				keel_sleep(1);
				if (console_write_now(s, n) == 0)
					return;
			}
			return;
		}
		if (r < 0)
			return;
		if (r == 0) /* the console is busy: let it drain */
			keel_sleep(1);
		s += r;
		n -= (size_t)r;
	}
}

void print(const char *s)
{
	print_n(s, str_len(s));
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

void print_hex(unsigned long v)
{
	char buf[20];
	int i = sizeof(buf);

	buf[--i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	print(&buf[i]);
}

const char *keel_error_name(long err)
{
	static const char *const names[KEEL_ECOUNT] = {
		"OK",	    "ENOSYS",  "EFAULT", "EINVAL", "EPERM",   "ENOTRAM", "EKERNEL",
		"EROLE",    "EBADOBJ", "EEXIST", "ENOENT", "ENOPDPT", "ENOPD",	 "ENOPT",
		"ENOCOUNT", "EBUSY",   "EFULL",	 "EDEAD",  "EQUOTA",  "ENOMEM",
	};
	unsigned long e = err < 0 ? (unsigned long)-err : (unsigned long)err;

	return e < KEEL_ECOUNT && names[e] ? names[e] : "an unknown error";
}
