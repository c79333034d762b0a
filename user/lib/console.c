/*
 * console.c - the library's side of the console (console.h): print_n
 * writes through it once a console is there.
 */
#include "console.h"
#include "args.h"
#include "cslot.h"
#include "keel.h"
#include "pagerc.h"
#include "str.h"
#include <abi/pager.h>

/* The console's slot (0: not looked up yet or gone; -1: never use it). */
static long con;
/* The tick of the last lookup that failed, and how long until the next try. */
static unsigned long failed_at, failed_once;
#define CONSOLE_RETRY_TICKS 50

void console_off(void)
{
	con = -1;
}

/* Look the console up (again): 1 if we can call it now. */
static int console_open(void)
{
	static long slot;

	if (con < 0 || &prog_root)
		return 0;
	if (con > 0)
		return 1;
	if (!slot && (slot = cslot_alloc()) < 0) {
		slot = 0;
		return 0;
	}
	/* Not a lookup per print while there is no console (test boots). */
	unsigned long now = (unsigned long)keel_info(KEEL_INFO_TICKS);
	if (failed_once && now - failed_at < CONSOLE_RETRY_TICKS)
		return 0;
	keel_cap_delete(KEEL_CAP_SELF, (unsigned long)slot); /* a stale copy, if any */
	if (pager_lookup("console", (unsigned long)slot, 0)) {
		failed_once = 1;
		failed_at = now;
		return 0;
	}
	con = slot;
	return 1;
}

/* Call the console with len bytes of the IPC buffer; 0 or -error (the console is gone). */
static long console_call(unsigned op, unsigned long len, unsigned long w0, struct keel_msg *m)
{
	if (!console_open())
		return -KEEL_ENOENT;
	*m = (struct keel_msg){ 0, IPC_TAG(op, len), { w0 } };
	long r = keel_call((unsigned long)con, m);
	if (r) { /* it ended: the next call looks it up again */
		con = 0;
		return r;
	}
	return -(long)IPC_TAG_LABEL(m->tag);
}

/*
 * One CONSOLE_WRITE of k bytes (at most CONSOLE_WRITE_MAX), to a new
 * console if the one we had ended.  The text goes into the IPC buffer
 * after the lookup, which uses the buffer too (a review of a test failure
 * found init's report overwritten by the name "console").
 */
static long console_write_chunk(const char *s, size_t k, struct keel_msg *m)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!console_open())
			return -KEEL_ENOENT;
		memcpy((void *)PROG_IPC_BUF, s, k);
		long r = console_call(CONSOLE_WRITE, k, 0, m);
		if (r != -KEEL_EDEAD && r != -KEEL_ENOENT)
			return r;
	}
	return -KEEL_ENOENT;
}

long console_write(const char *s, size_t n)
{
	struct keel_msg m;
	int waited = 0;

	if (!console_open()) /* before the buffer is touched: the root has none there */
		return -1;
	while (n) {
		size_t k = n < CONSOLE_WRITE_MAX ? n : CONSOLE_WRITE_MAX;
		long r = console_write_chunk(s, k, &m);
		if (r || m.w[0] > k)
			return -1; /* no console, or one that answers nonsense */
		if (m.w[0] == 0) {
			/* Full (no driver, or a slow wire): wait, but not for ever. */
			if (++waited > 500)
				return 0;
			keel_sleep(1);
			continue;
		}
		waited = 0;
		s += m.w[0];
		n -= m.w[0];
	}
	return 0;
}

long console_write_now(const char *s, size_t n)
{
	failed_once = 0; /* look the console up now, not CONSOLE_RETRY_TICKS after a failure */
	return console_write(s, n);
}

long console_attach(unsigned long nt, int control)
{
	long copy = cslot_alloc();
	struct keel_msg m;

	if (copy < 0)
		return copy;
	long r =
	    keel_cap_copy(nt, KEEL_CAP_SELF, (unsigned long)copy, KEEL_NT_SIGNAL, CONSOLE_EVENT);
	if (!r && console_open()) {
		m = (struct keel_msg){ 0,
				       IPC_TAG(CONSOLE_ATTACH, 0),
				       { control ? CONSOLE_CONTROL : 0 } };
		m.tag = IPC_TAG_CAPS(m.tag, 1, (unsigned long)copy, 0);
		r = keel_call((unsigned long)con, &m);
		if (r) /* that console ended: the next call looks the name up again */
			con = 0;
		else
			r = -(long)IPC_TAG_LABEL(m.tag);
	} else if (!r) {
		r = -KEEL_ENOENT;
	}
	keel_cap_delete(KEEL_CAP_SELF, (unsigned long)copy); /* the console has its own */
	cslot_free((unsigned long)copy);
	return r;
}

long console_read(char *buf, size_t size)
{
	struct keel_msg m;
	long r = console_call(CONSOLE_READ, 0, 0, &m);

	if (r)
		return r;
	if (m.w[0] == CONSOLE_LINE) {
		size_t len = IPC_TAG_LEN(m.tag);
		if (len >= size)
			len = size - 1;
		memcpy(buf, (const void *)PROG_IPC_BUF, len);
		buf[len] = '\0';
	}
	return (long)m.w[0];
}

long console_read_wait(unsigned long nt, char *buf, size_t size, unsigned long *bits)
{
	for (;;) {
		long r = console_read(buf, size);
		if (r != CONSOLE_NONE)
			return r;
		long b = keel_wait(nt, 0);
		if (b < 0)
			return b;
		/*
		 * Other news ends the wait.  A console event taken with it is
		 * not lost: the console keeps the line, and the next call
		 * reads before it waits.
		 */
		if (b & PAGER_EVENT_SERVER)
			con = 0; /* the console ended (the pager says): look it up again */
		unsigned long other = (unsigned long)b & ~CONSOLE_EVENT;
		if (other && bits) {
			*bits |= other;
			return CONSOLE_NONE;
		}
	}
}

long console_foreground(unsigned long pid)
{
	struct keel_msg m;

	return console_call(CONSOLE_FOREGROUND, 0, pid, &m);
}
