/*
 * errors.h - the error tests' fixture and their table of capability
 * arguments (t_errors.c), which t_raw.c uses too.
 */
#ifndef CORETEST_ERRORS_H
#define CORETEST_ERRORS_H

#include "ct.h"

#define ERRFX_LACK 24

/* A copy of the fixture's capability of `type` with every right but `right`. */
struct errfx_lack {
	unsigned type;
	unsigned long right, slot;
};

struct errfx {
	struct kpool pool;
	unsigned long mem;			 /* ct.mem */
	unsigned long as, tcb, ep, nt;		 /* live objects (slots); the thread runs in as */
	unsigned long as_f, tcb_f, ep_f, nt_f;	 /* their frames (offsets in mem) */
	unsigned long tcb_badge;		 /* the thread's */
	unsigned long dead[KEEL_CAP_NOTIFY + 1]; /* a stale capability of each object type */
	unsigned long dst;			 /* an empty slot, for calls that fill one */
	struct errfx_lack lack[ERRFX_LACK];
	int nlack;
	unsigned long freef, freef2, freef3; /* donated, no object */
	unsigned long user;		     /* the pager's RAM, mapped at user_va */
	unsigned char *user_va;
	unsigned long raw;     /* the pager's RAM, never donated nor mapped */
	unsigned long chunk;   /* a free chunk, never donated */
	unsigned long donated; /* a chunk donated, with nothing in it */
	unsigned long va;      /* a valid user address, nothing mapped */
};
extern struct errfx fx;

/* A call whose argument `arg` is a capability of `type` (0: any) that needs `right` (0: none). */
#define CC_SELF_OK     1 /* KEEL_CAP_SELF is good there */
#define CC_NONE_OK     2 /* KEEL_CAP_NONE is good there */
#define CC_NONE_UNSAID 4 /* the ABI does not say what KEEL_CAP_NONE gives */
struct cap_case {
	const char *name;
	long n;
	int arg;
	unsigned type;
	unsigned long right;
	unsigned flags;
	long a[6]; /* good arguments */
};

struct bad_slot {
	unsigned long slot;
	long want; /* KEEL_E* */
	const char *what;
};

struct cap_result {
	const char *call, *kind;
	unsigned long slot;
	long got, want;
};

/* The cases: the IPC ones (which would block if a bad slot were taken) or the others. */
/* The cases, at most CAP_CASES_MAX of them (out has room for that many; more is a failed check). */
#define CAP_CASES_MAX 64
int cap_cases(struct cap_case *out, int ipc);
/* The call with `slot` in place of its capability argument. */
long cap_case_call(const struct cap_case *c, unsigned long slot);
/* Every bad slot for c: the results (at most max). */
int cap_case_run(const struct cap_case *c, struct cap_result *res, int max);
/* The fixture's live capability of a type. */
unsigned long errfx_of(unsigned type);

void tests_raw(void);

#endif
