/*
 * names.c - the name service (PAGER_REGISTER, PAGER_LOOKUP in
 * include/abi/pager.h).  As L4Re's Moe is both the root memory server
 * and the first name space, the pager, which already knows every
 * process, its end and its consent (conn.c), keeps the names.
 *
 * A name is an endpoint the pager made in the server's pool (objects.c);
 * each lookup copies it into a slot of the client's, badged with the
 * client's pid, and is remembered, so that the copy can be deleted when
 * the server ends (a stale capability would keep the server's chunk from
 * coming back, as conn.c explains).  Each process may hold
 * PAGER_NAMES_EACH names and PAGER_LOOKUPS_EACH lookups (a lookup into
 * the same slot again reuses its entry), so no process can fill the
 * tables for the others.  A name held by a child of init (a system
 * service) stays reserved for init's children when its owner ends, so
 * no program can take it while init starts the service again; the table
 * has room for one such reservation per process, and only init's
 * children make them.
 */
#include "pager.h"
#include "fmt.h"
#include "keel.h"
#include "str.h"

static struct name {
	char name[PAGER_NAME_MAX];
	unsigned long owner; /* pid; 0: nobody has it now */
	int reserved;	     /* owner 0: kept for init's children (a system service's) */
	struct pobj ep;
} names[PAGER_MAX_PROCS * PAGER_NAMES_EACH + PAGER_MAX_PROCS];

static struct lookup {
	unsigned long client; /* pid; 0: the entry is free */
	unsigned long slot;   /* the client's slot holding the copy */
	struct name *of;
} lookups[PAGER_MAX_PROCS * PAGER_LOOKUPS_EACH];

/* The name in the request's buffer, checked, into out: 0 or KEEL_EINVAL. */
static long name_take(const struct keel_msg *m, char out[PAGER_NAME_MAX])
{
	unsigned long len = IPC_TAG_LEN(m->tag);
	const char *buf = (const char *)bi->ipc_buffer; /* where the kernel put it */

	if (len < 2 || len > PAGER_NAME_MAX || buf[len - 1] != '\0')
		return KEEL_EINVAL;
	for (unsigned long i = 0; i + 1 < len; i++) {
		char c = buf[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return KEEL_EINVAL;
	}
	memcpy(out, buf, len);
	return 0;
}

/* The entry of `name`, held or reserved, or 0. */
static struct name *name_find(const char *name)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((names[i].owner || names[i].reserved) && str_eq(names[i].name, name))
			return &names[i];
	return 0;
}

/* PAGER_REGISTER(slot). */
long names_register(struct process *pr, const struct keel_msg *m, unsigned long slot)
{
	char name[PAGER_NAME_MAX];
	struct name *n = 0;
	unsigned held = 0;
	long r = name_take(m, name);

	if (r || !obj_slot_ok(slot))
		return KEEL_EINVAL;
	struct name *had = name_find(name);
	if (str_eq(name, "pager") || (had && (had->owner || pr->parent != 1)))
		return KEEL_EEXIST; /* held, or reserved for init's children */
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		held += names[i].owner == pr->badge;
		if (!names[i].owner && !names[i].reserved && !n)
			n = &names[i];
	}
	if (had) /* init's child takes its reserved name again */
		n = had;
	if (held >= PAGER_NAMES_EACH || !n)
		return KEEL_EFULL;
	if ((r = obj_make(pr, 0, &n->ep)))
		return r;
	r = keel_cap_copy(n->ep.slot, pr->p.as, slot, KEEL_EP_RECV, 0);
	if (r) {
		obj_end(pr, &n->ep);
		return -r;
	}
	str_copy(n->name, name, sizeof(n->name));
	n->owner = pr->badge;
	n->reserved = 0;
	return 0;
}

/* PAGER_LOOKUP(slot): the server's pid in *pid. */
long names_lookup(struct process *pr, const struct keel_msg *m, unsigned long slot,
		  unsigned long *pid)
{
	char name[PAGER_NAME_MAX];
	struct lookup *l = 0;
	unsigned held = 0;
	long r = name_take(m, name);

	if (r || !obj_slot_ok(slot))
		return KEEL_EINVAL;
	if (str_eq(name, "pager")) /* the pager never ends: nothing to remember (pid 0) */
		return -keel_cap_copy(pager_ep, pr->p.as, slot, KEEL_EP_SEND | KEEL_EP_GRANT,
				      pr->badge);
	struct name *n = name_find(name);
	if (!n)
		return KEEL_ENOENT;
	if (!n->owner)
		return KEEL_ENOENT; /* reserved: its server is starting again */
	for (unsigned i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		struct lookup *e = &lookups[i];
		if (e->client == pr->badge && e->slot == slot) {
			l = e; /* the same slot again: its old copy is gone (the copy below needs it empty) */
			held = 0;
			break;
		}
		held += e->client == pr->badge;
		if (!e->client && !l)
			l = e;
	}
	if (held >= PAGER_LOOKUPS_EACH || !l)
		return KEEL_EFULL;
	r = keel_cap_copy(n->ep.slot, pr->p.as, slot, KEEL_EP_SEND | KEEL_EP_GRANT, pr->badge);
	if (r)
		return -r;
	*l = (struct lookup){ pr->badge, slot, n };
	*pid = n->owner;
	return 0;
}

/*
 * pr is ending: its names go (each client's copy is deleted, then the
 * endpoint destroyed), and so do the lookups it made (its slots go with
 * its address space).
 */
void names_end(struct process *pr)
{
	for (unsigned i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		struct lookup *l = &lookups[i];
		if (!l->client)
			continue;
		if (l->client == pr->badge) {
			l->client = 0;
		} else if (l->of->owner == pr->badge) {
			struct process *c = proc_find(l->client);
			if (c) {
				keel_cap_delete(c->p.as, l->slot);
				obj_server_ended(c); /* it may look the name up again */
			}
			l->client = 0;
		}
	}
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].owner == pr->badge) {
			obj_end(pr, &names[i].ep);
			names[i].owner = 0;
			names[i].reserved = pr->parent == 1; /* init starts its services again */
		}
}

/* Did one of a and b look up a name of the other's? */
int names_peers(const struct process *a, const struct process *b)
{
	for (unsigned i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		const struct lookup *l = &lookups[i];
		if (l->client && ((l->client == a->badge && l->of->owner == b->badge) ||
				  (l->client == b->badge && l->of->owner == a->badge)))
			return 1;
	}
	return 0;
}
