/*
 * console - the console server (protocol: user/lib/console.h).  Programs
 * write text to it and read lines from it; the serial driver
 * (user/serial) carries the bytes to and from the UART.
 *
 * It keeps the line discipline, as a terminal's cooked mode does: typed
 * characters are echoed and edited (Backspace, Ctrl-U) until Enter
 * completes the line, which goes to the foreground reader; Ctrl-C drops
 * the line and what was queued, and tells the controller (the shell).
 * Escape sequences (arrow keys) are swallowed, CR LF is one Enter.
 * Output is one ring of CONSOLE_OUT bytes, "\n" sent as "\r\n"; a
 * writer gets only the room there is, so a dead or slow wire makes
 * writers wait, never the console, and the last quarter of it is kept
 * for the controller and the echo.
 *
 * It never calls anyone and never blocks on a client: it answers each
 * request at once, and wakes readers and the driver by signalling their
 * notifications (copies they gave it).  A copy whose owner ended is
 * stale (its signal fails), which is how the console learns that a
 * controller or a driver is gone and lets the next one attach.
 */
#include "console.h"
#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "str.h"
#include <abi/pager.h>

#define CONSOLE_OUT   (16u << 10) /* a power of two */
#define CONSOLE_LINES 8		  /* complete lines waiting for their reader */

static unsigned long ep, land[IPC_CAPS_MAX];

static struct client {
	unsigned long pid, nt; /* nt: our slot with its notification; pid 0: free */
} clients[CONSOLE_CLIENTS];
_Static_assert(CONSOLE_CLIENTS >= PAGER_MAX_PROCS, "every process can attach");
static unsigned long controller, foreground; /* pids (foreground 0: the controller) */
static int intr_pending;
static struct client driver;

static char out[CONSOLE_OUT];
static unsigned long out_put, out_sent; /* bytes ever put, ever sent */

static char edit[CONSOLE_LINE_MAX + 1];
static unsigned edit_len;
static int esc;	    /* 0; 1 after ESC; 2 inside "ESC [" or "ESC O" */
static int last_cr; /* the byte before was '\r' */
static char lines[CONSOLE_LINES][CONSOLE_LINE_MAX + 1];
static unsigned lines_head, lines_count;

static unsigned long out_room(void)
{
	return CONSOLE_OUT - (out_put - out_sent);
}

/* Queue one byte for the wire; 0 if there is no room. */
static int out_byte(char c)
{
	if (!out_room())
		return 0;
	out[out_put++ % CONSOLE_OUT] = c;
	return 1;
}

/*
 * Queue up to n bytes of text ("\n" as "\r\n"), leaving `keep` bytes of
 * room: how many of s were taken (a newline only with its carriage
 * return).  Then wake the driver.
 */
static unsigned long out_text(const char *s, unsigned long n, unsigned long keep)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (out_room() < keep + (s[i] == '\n' ? 2 : 1))
			break;
		if (s[i] == '\n')
			out_byte('\r');
		out_byte(s[i]);
	}
	if (i && driver.pid)
		keel_signal(driver.nt);
	return i;
}

/* The console's own output (echo): what does not fit is dropped. */
static void echo(const char *s)
{
	out_text(s, str_len(s), 0);
}

/* Signal c; forget it if it is gone (its process ended). */
static int client_wake(struct client *c)
{
	if (!c->pid)
		return 0;
	if (keel_signal(c->nt) == 0)
		return 1;
	keel_cap_delete(KEEL_CAP_SELF, c->nt);
	cslot_free(c->nt);
	if (c->pid == controller)
		controller = 0;
	c->pid = 0;
	return 0;
}

static struct client *client_of(unsigned long pid)
{
	for (int i = 0; i < CONSOLE_CLIENTS; i++)
		if (clients[i].pid && clients[i].pid == pid)
			return &clients[i];
	return 0;
}

static unsigned long reader(void)
{
	return foreground ? foreground : controller;
}

/* One typed byte through the line discipline. */
static void typed(char c)
{
	/* A control character is itself in any state: Enter and Ctrl-C are never eaten. */
	if (esc && (unsigned char)c >= 0x20) {
		if (esc == 1) /* ESC: '[' (CSI) or 'O' (SS3) starts a sequence; else it ends */
			esc = c == '[' || c == 'O' ? 2 : 0;
		else if (c >= 0x40 && c <= 0x7e) /* parameters, then a final byte */
			esc = 0;
		return;
	}
	esc = 0;
	int after_cr = last_cr;
	last_cr = c == '\r';
	if (c == '\n' && after_cr)
		return; /* CR LF is one Enter */
	switch (c) {
	case 0x1b:
		esc = 1;
		return;
	case '\r':
	case '\n':
		echo("\n");
		if (lines_count < CONSOLE_LINES) {
			char *l = lines[(lines_head + lines_count++) % CONSOLE_LINES];
			memcpy(l, edit, edit_len);
			l[edit_len] = '\0';
		}
		edit_len = 0;
		if (client_of(reader()))
			client_wake(client_of(reader()));
		return;
	case 0x7f: /* Backspace (DEL, as terminals send it) */
	case 0x08:
		if (edit_len) {
			edit_len--;
			echo("\b \b");
		}
		return;
	case 0x15: /* Ctrl-U: the whole line */
		while (edit_len) {
			edit_len--;
			echo("\b \b");
		}
		return;
	case 0x03: /* Ctrl-C */
		echo("^C\n");
		edit_len = 0;
		lines_count = 0;
		intr_pending = 1;
		if (client_of(controller))
			client_wake(client_of(controller));
		return;
	default:
		if (c >= 0x20 && c < 0x7f && edit_len < CONSOLE_LINE_MAX) {
			edit[edit_len++] = c;
			char e[2] = { c, 0 };
			echo(e);
		}
	}
}

/* The capability a request carried (in land[0]) into a slot of its own: the slot, or -error. */
static long take_cap(const struct keel_msg *m)
{
	if (IPC_TAG_NCAPS(m->tag) != 1)
		return -KEEL_EINVAL;
	long s = cslot_alloc();
	if (s < 0)
		return s;
	long r = keel_cap_copy(land[0], KEEL_CAP_SELF, (unsigned long)s, KEEL_NT_SIGNAL, 0);
	if (r) {
		cslot_free((unsigned long)s);
		return r;
	}
	return s;
}

/*
 * Is pid one of the system's services (a child of init)?  Only they may
 * drive the console or control it: a program the shell ran must not take
 * the driver's place or the shell's while either starts again.
 */
static int is_service(unsigned long pid)
{
	struct pager_ps p;

	return pid && pager_ps(pid - 1, &p) == 0 && p.pid == pid && p.parent == 1;
}

static long attach(unsigned long pid, const struct keel_msg *m)
{
	struct client *c = client_of(pid), *free = 0;

	if (m->w[0] & ~(unsigned long)CONSOLE_CONTROL)
		return KEEL_EINVAL;
	if ((m->w[0] & CONSOLE_CONTROL) && !is_service(pid))
		return KEEL_EPERM;
	/*
	 * Forget the clients that ended (their notifications went stale; a
	 * stale copy kept here would keep its owner's memory from coming
	 * back).  A live one only gets a wake-up it will find nothing in.
	 */
	for (int i = 0; i < CONSOLE_CLIENTS; i++)
		if (clients[i].pid && clients[i].pid != pid)
			client_wake(&clients[i]);
	if ((m->w[0] & CONSOLE_CONTROL) && controller && controller != pid)
		return KEEL_EBUSY; /* a live controller has it (a dead one was forgotten above) */
	if (!c)
		for (int i = 0; i < CONSOLE_CLIENTS && !free; i++)
			if (!clients[i].pid)
				free = &clients[i];
	if (!c && !free)
		return KEEL_EFULL;
	long s = take_cap(m);
	if (s < 0)
		return -s;
	if (c) { /* again: the new notification replaces the old */
		keel_cap_delete(KEEL_CAP_SELF, c->nt);
		cslot_free(c->nt);
	} else {
		c = free;
	}
	*c = (struct client){ pid, (unsigned long)s };
	if (m->w[0] & CONSOLE_CONTROL) {
		controller = pid;
		foreground = 0;
		intr_pending = 0;
	}
	return 0;
}

static long attach_driver(unsigned long pid, const struct keel_msg *m)
{
	if (!is_service(pid))
		return KEEL_EPERM;
	if (driver.pid && driver.pid != pid && client_wake(&driver))
		return KEEL_EBUSY;
	long s = take_cap(m);
	if (s < 0)
		return -s;
	if (driver.pid) {
		keel_cap_delete(KEEL_CAP_SELF, driver.nt);
		cslot_free(driver.nt);
	}
	driver = (struct client){ pid, (unsigned long)s };
	keel_signal(driver.nt); /* whatever waits already */
	return 0;
}

/* CONSOLE_IO: typed bytes in, output for the wire back (into the buffer). */
static long io(unsigned long pid, const struct keel_msg *m, unsigned long *res, unsigned long *len)
{
	char *buf = (char *)PROG_IPC_BUF;
	unsigned long n = IPC_TAG_LEN(m->tag);

	if (pid != driver.pid)
		return KEEL_EPERM;
	for (unsigned long i = 0; i < n; i++)
		typed(buf[i]);
	unsigned long k = out_put - out_sent;
	if (k > m->w[0])
		k = m->w[0];
	if (k > IPC_BUF_MAX)
		k = IPC_BUF_MAX;
	for (unsigned long i = 0; i < k; i++)
		buf[i] = out[out_sent++ % CONSOLE_OUT];
	*len = k;
	res[0] = out_put - out_sent;
	return 0;
}

static long read_line(unsigned long pid, unsigned long *res, unsigned long *len)
{
	res[0] = CONSOLE_NONE;
	if (pid == controller && intr_pending) {
		intr_pending = 0;
		res[0] = CONSOLE_INTR;
	} else if (pid == reader() && lines_count) {
		const char *l = lines[lines_head];
		*len = str_len(l);
		memcpy((void *)PROG_IPC_BUF, l, *len);
		lines_head = (lines_head + 1) % CONSOLE_LINES;
		lines_count--;
		res[0] = CONSOLE_LINE;
	}
	return 0;
}

static void serve(void)
{
	struct keel_msg m = { 0 };
	long r = keel_recv(ep, &m);

	for (;;) {
		if (r) {
			print_fmt("[console] receive failed: %ld\n", r);
			keel_sleep(10);
			r = keel_recv(ep, &m);
			continue;
		}
		unsigned long pid = m.badge, res[4] = { 0 }, len = 0;
		long err;
		switch (IPC_TAG_LABEL(m.tag)) {
		case CONSOLE_WRITE:
			/*
			 * The last quarter of the ring is the shell's and the
			 * echo's: a program writing in a loop cannot silence them.
			 */
			res[0] = out_text((const char *)PROG_IPC_BUF, IPC_TAG_LEN(m.tag),
					  pid == controller ? 0 : CONSOLE_OUT / 4);
			err = 0;
			break;
		case CONSOLE_READ:
			err = read_line(pid, res, &len);
			break;
		case CONSOLE_ATTACH:
			err = attach(pid, &m);
			break;
		case CONSOLE_FOREGROUND:
			err = pid == controller ? 0 : KEEL_EPERM;
			if (!err) {
				foreground = m.w[0];
				lines_count =
				    0; /* what was typed for the last one is not for this one */
			}
			break;
		case CONSOLE_DRIVER:
			err = attach_driver(pid, &m);
			break;
		case CONSOLE_IO:
			err = io(pid, &m, res, &len);
			break;
		default:
			err = KEEL_ENOSYS;
		}
		/* What it carried and nothing took: the landing slots must be empty again. */
		for (unsigned long i = 0; i < IPC_TAG_NCAPS(m.tag); i++)
			keel_cap_delete(KEEL_CAP_SELF, land[i]);
		m.tag = IPC_TAG((unsigned)err, len);
		for (int i = 0; i < 4; i++)
			m.w[i] = res[i];
		r = keel_reply_recv(ep, &m);
	}
}

int main(void)
{
	long r;

	console_off(); /* it prints to the kernel's log, never to itself */
	long s = cslot_alloc(), l0 = cslot_alloc(), l1 = cslot_alloc();
	if (s < 0 || l0 < 0 || l1 < 0)
		return 1;
	ep = (unsigned long)s;
	land[0] = (unsigned long)l0;
	land[1] = (unsigned long)l1;
	if ((r = keel_cap_landing(land[0], land[1])) || (r = pager_register("console", ep))) {
		print_fmt("[console] cannot start: %ld\n", r);
		return 1;
	}
	serve();
	return 0;
}
