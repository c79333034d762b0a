/*
 * panic.h - stopping the kernel when one of its own invariants is broken
 * (kernel/panic.c).  User input never reaches these.
 */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

#include <common/fmt.h>
#include <keel/types.h>

/* Print "[panic] <message>", a backtrace, and stop the machine. */
_Noreturn void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Pieces of panic() for the trap handler, which prints its own details. */
void panic_begin(void);
_Noreturn void panic_end(u64 rip, u64 rbp, bool rip_is_return);

#define assert(e)      \
	((e) ? (void)0 \
	     : panic("assertion failed: %s (%s:%d, %s)", #e, __FILE__, __LINE__, __func__))

#endif
