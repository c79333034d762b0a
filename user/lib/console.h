/*
 * console.h - the console server's protocol (user/console), and the
 * library's side of it (console.c).
 *
 * The console registers the name "console".  Any process may write to
 * it; lines typed go to one reader at a time, the foreground, which the
 * controller (the shell) chooses; Ctrl-C goes to the controller.  The
 * serial driver (user/serial) moves the bytes between the console and
 * the UART.  No request ever blocks in the console: a reader is told
 * "nothing yet" and waits on its own notification, which the console
 * signals (CONSOLE_ATTACH gave it a copy) when there is something; so
 * the console never owes anyone a reply while it serves another.
 *
 * Requests (a call; the reply's label is 0 or a KEEL_E* code):
 *   CONSOLE_WRITE   the text in the buffer (the tag's length, at most
 *                   CONSOLE_WRITE_MAX): w0 the bytes taken (less when
 *                   the console's output is full; 0: try again later).
 *   CONSOLE_READ    w0: CONSOLE_LINE with the line in the reply's buffer
 *                   (without its newline; the tag's length), CONSOLE_NONE
 *                   if no line is there yet (or the caller is not the
 *                   foreground), CONSOLE_INTR if Ctrl-C was pressed (the
 *                   controller only; pending lines are dropped).
 *   CONSOLE_ATTACH  carries a notification capability (SIGNAL) that the
 *                   console signals when the caller has something to
 *                   read; w0 CONSOLE_CONTROL asks to be the controller
 *                   (KEEL_EBUSY while a live controller has it; KEEL_EPERM
 *                   for a process that is not a child of init).  One
 *                   entry per process, CONSOLE_CLIENTS of them: as many
 *                   as there can be processes.
 *   CONSOLE_FOREGROUND(pid)  the controller only (KEEL_EPERM): lines go
 *                   to pid from now on (0: the controller itself).
 *   CONSOLE_DRIVER  the serial driver attaches: carries a notification
 *                   capability the console signals when it has output
 *                   (KEEL_EBUSY while a live driver has the place;
 *                   KEEL_EPERM for a process that is not a child of init).
 *   CONSOLE_IO      the driver only: the buffer holds bytes typed; w0 is
 *                   the room in the driver's output buffer.  The reply's
 *                   buffer holds output for the wire (at most w0 bytes),
 *                   w0 what is still waiting after it.
 */
#ifndef USER_CONSOLE_H
#define USER_CONSOLE_H

#include <stddef.h>

#define CONSOLE_WRITE	   1
#define CONSOLE_READ	   2
#define CONSOLE_ATTACH	   3
#define CONSOLE_FOREGROUND 4
#define CONSOLE_DRIVER	   5
#define CONSOLE_IO	   6

#define CONSOLE_LINE	   0
#define CONSOLE_NONE	   1
#define CONSOLE_INTR	   2
#define CONSOLE_CONTROL	   1u

#define CONSOLE_WRITE_MAX  1024
#define CONSOLE_LINE_MAX   200
#define CONSOLE_CLIENTS	   16 /* PAGER_MAX_PROCS: one for every process, so never full */
/* The bit the console's copy of a client's notification sets. */
#define CONSOLE_EVENT	   (1ul << 61)

/*
 * Write n bytes to the console: 0 if the console took them (or dropped
 * them after waiting a while for room), -1 if there is no console (the
 * caller then writes to the kernel's log: print_n does).
 */
long console_write(const char *s, size_t n);
/* The same, looking the console up now even if a lookup just failed. */
long console_write_now(const char *s, size_t n);
/*
 * Attach our notification (in slot nt) to be signalled with
 * CONSOLE_EVENT; `control`: ask to be the controller.  0 or -error.
 */
long console_attach(unsigned long nt, int control);
/* One line into buf (NUL-terminated): CONSOLE_LINE, _NONE, _INTR, or -error. */
long console_read(char *buf, size_t size);
/*
 * Wait (on notification nt, attached) for a line or Ctrl-C: CONSOLE_LINE
 * or CONSOLE_INTR, or -error; other bits that end the wait are added to
 * *bits (may be 0) and end it with CONSOLE_NONE.  PAGER_EVENT_SERVER
 * among them (nt made by PAGER_NOTIFY) means the console ended: attach
 * to the next one (console_attach looks it up again).
 */
long console_read_wait(unsigned long nt, char *buf, size_t size, unsigned long *bits);
/* The controller: lines go to pid (0: to us). */
long console_foreground(unsigned long pid);
/* Never use the console: the console itself, and its driver, print to the kernel's log. */
void console_off(void);

#endif
