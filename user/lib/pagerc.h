/*
 * pagerc.h - asking the pager for memory (include/abi/pager.h), for
 * processes the pager started.  Each call returns 0 or -KEEL_E*.
 */
#ifndef USER_PAGERC_H
#define USER_PAGERC_H

#include <abi/syscall.h>

/* The whole system (PAGER_STATS), in bytes. */
struct pager_stats {
	unsigned long managed, free, data, overhead;
};

/* One process (PAGER_PSTATS), in bytes. */
struct pager_pstats {
	unsigned long data, reserved, kernel, quota;
};

/* One process's limits (PAGER_LIMITS): bytes and process slots left, and in all. */
struct pager_limits {
	unsigned long bytes_left, slots_left, quota, slots;
};

long pager_alloc(unsigned long va, unsigned long size, unsigned flags, unsigned long *out);
long pager_free(unsigned long va, unsigned long size);
long pager_stats(struct pager_stats *s);
/* Process pid's usage (0: ours). */
long pager_pstats(unsigned long pid, struct pager_pstats *p);
/* Memory backed by one contiguous run: its address in *va, physical in *phys. */
long pager_alloc_contig(unsigned long size, unsigned rights, unsigned long *va,
			unsigned long *phys);
/*
 * Start module `name` as our child with RDI = arg, PAGER_QUOTA_DEFAULT
 * bytes of our quota and no process slots: its process id in *pid.
 */
long pager_spawn(const char *name, unsigned long arg, unsigned long *pid);
/* The same, its thread on `cpu`. */
long pager_spawn_on(const char *name, unsigned long arg, unsigned long cpu, unsigned long *pid);
/* The same, with `quota` bytes and `slots` process slots carved out of ours. */
long pager_spawn_limits(const char *name, unsigned long arg, unsigned long cpu, unsigned long quota,
			unsigned long slots, unsigned long *pid);
/*
 * The same, giving the child copies of ncaps (<= IPC_CAPS_MAX) of our
 * capabilities, from slots s0 and s1: it finds them in PAGER_GIVEN_SLOT on.
 */
long pager_spawn_caps(const char *name, unsigned long arg, unsigned long cpu, unsigned long quota,
		      unsigned long slots, unsigned long ncaps, unsigned long s0, unsigned long s1,
		      unsigned long *pid);
/* Everything PAGER_SPAWN takes, for pager_spawn_with. */
struct pager_spawn {
	const char *name;
	const char *args; /* the argument line (0: none), PAGER_ARGS_MAX with its NUL */
	unsigned long arg, cpu, quota, slots;
	unsigned long ncaps, caps[IPC_CAPS_MAX]; /* slots of ours it gets copies of */
};
long pager_spawn_with(const struct pager_spawn *sp, unsigned long *pid);
/*
 * Names (include/abi/pager.h): register a name, our endpoint's receive
 * capability going into `slot`; look one up, a capability to call it
 * going into `slot`, and the server's pid into *pid (may be 0).
 */
long pager_register(const char *name, unsigned long slot);
long pager_lookup(const char *name, unsigned long slot, unsigned long *pid);
/* Our notification into `slot` (PAGER_NOTIFY_BIND: bound to our thread). */
long pager_notify(unsigned long slot, unsigned flags);
/* An endpoint with every right into `slot`. */
long pager_endpoint(unsigned long slot);
/* Enable ports [first, first + count) for us, with the I/O port capability in slot io. */
long pager_io_enable(unsigned long io, unsigned long first, unsigned long count);
/* The interrupt line ISA IRQ irq arrives on (KEEL_ENOENT: no I/O APIC). */
long pager_isa_irq(unsigned long irq, unsigned long *gsi);
/* One line of ps: the process with the lowest pid above `after`. */
struct pager_ps {
	unsigned long pid, parent, data, state, cpu;
	char name[32];
};
long pager_ps(unsigned long after, struct pager_ps *ps);
/* End process pid, a descendant of ours, and its descendants. */
long pager_kill(unsigned long pid);
/* Process pid's limits (0: ours). */
long pager_limits(unsigned long pid, struct pager_limits *l);
/*
 * How process pid is: PAGER_RUNNING, PAGER_EXITED (*code) or PAGER_KILLED.
 * Our child's slot is freed by the first answer after its end.
 */
long pager_status(unsigned long pid, unsigned long *how, long *code);
/* Wait until pid has ended (polling: PAGER_POLL_YIELDS yields, then a tick each), at most `ticks`. */
long pager_wait(unsigned long pid, unsigned long ticks, unsigned long *how, long *code);
/*
 * Map the allocation [va, va + size) into process pid too, at dst (0: the
 * pager chooses) with `rights`: the address there in *out.
 */
long pager_share(unsigned long va, unsigned long size, unsigned long pid, unsigned long dst,
		 unsigned rights, unsigned long *out);
/*
 * A channel to process pid, which must have offered it: we send on
 * PAGER_CONN_SLOT, it receives there.
 */
long pager_connect(unsigned long pid);
/*
 * The same, retried while pid has not offered yet (EPERM): after each of
 * the first PAGER_POLL_YIELDS tries the caller yields (the server is most
 * often about to offer), then it sleeps a tick, at most `ticks`.
 */
#define PAGER_POLL_YIELDS 32
long pager_connect_wait(unsigned long pid, unsigned long ticks);
/* Offer our channel slot to process pid (0: to anyone), or withdraw the offer. */
long pager_offer(unsigned long pid);
long pager_offer_close(void);
/* New rights for the allocation at exactly [va, va + size). */
long pager_protect(unsigned long va, unsigned long size, unsigned rights);
/* The allocation holding va: start, size, flags, bytes backed. */
long pager_query(unsigned long va, unsigned long out[4]);
/* init, in a test boot: end the run with `code`. */
long pager_shutdown(long code);

#endif
