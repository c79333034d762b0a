/*
 * ptest.h - what ptest's files share: the TAP harness and helpers
 * (main.c), and the tests of issue 11's limits (limits.c).
 */
#ifndef PTEST_PTEST_H
#define PTEST_PTEST_H

#include <abi/syscall.h>

#define RW   (KEEL_MAP_R | KEEL_MAP_W)
#define WAIT 3000 /* ticks */

/* Why the current test failed (its first failed check). */
extern char why[KEEL_TEST_NAME_MAX];
/* One TAP line; counts the failures. */
void report(const char *name, int ok);
/* Record the first failed check of a test; 1 if it holds. */
int check(int *ok, int cond, const char *what);
/* The pager's free memory, in bytes. */
unsigned long free_bytes(void);
/*
 * Run `name` with `arg`: 1 if it ended as `want_how` (with `want_code`);
 * run_why says how it went.
 */
extern char run_why[KEEL_TEST_NAME_MAX];
int run(const char *name, unsigned long arg, unsigned long want_how, long want_code);
/* The tests of issue 11 (limits.c). */
void limits_tests(void);
/* The name service, the pager's objects, ps and arguments (names.c). */
void names_tests(void);

#endif
