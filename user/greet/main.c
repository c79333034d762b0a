/*
 * greet - a server and its client, the example of
 * docs/writing-programs.md.
 *
 *   run greet serve &     register the name "greet" and answer calls
 *   run greet NAME        look "greet" up, share a page holding NAME
 *                         with the server, and call it: the server
 *                         reads the name from the shared page and
 *                         answers with its length, and who asked
 *
 * The server knows each client by the badge of its call, the client's
 * process id, which the pager put on the capability the client looked
 * up: no client can pose as another.
 */
#include "args.h"
#include "cslot.h"
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "str.h"
#include <abi/pager.h>

#define GREET_HELLO 1 /* w0: where the shared page is in the server */

static int serve(void)
{
	long ep = cslot_alloc();

	if (ep < 0 || pager_register("greet", (unsigned long)ep)) {
		print("greet: cannot register the name 'greet' (is a server running?)\n");
		return 1;
	}
	print("greet: serving\n");
	struct keel_msg m;
	long r = keel_recv((unsigned long)ep, &m);
	for (;;) {
		if (r) {
			print_fmt("greet: receive failed: %s\n", keel_error_name(r));
			return 2;
		}
		unsigned long len = 0;
		if (IPC_TAG_LABEL(m.tag) == GREET_HELLO) {
			/* The client shared the page into our window; read it, then let it go. */
			const char *name = (const char *)m.w[0];
			unsigned long q[4];
			/* Shared with us, and a whole page from where it says. */
			if (pager_query(m.w[0], q) == 0 && (q[2] & PAGER_SHARED) &&
			    q[0] == m.w[0] && q[1] >= PAGE_SIZE) {
				len = str_nlen(name, PAGE_SIZE - 1);
				print_fmt("greet: hello, %s (process %lu)\n", name, m.badge);
				pager_free(m.w[0], PAGE_SIZE);
			}
		}
		m.tag = IPC_TAG(len ? 0 : KEEL_EINVAL, 0);
		m.w[0] = len;
		r = keel_reply_recv((unsigned long)ep, &m);
	}
}

static int client(const char *name)
{
	long slot = cslot_alloc();
	unsigned long va, there, server;
	long r;

	if (slot < 0 || (r = pager_lookup("greet", (unsigned long)slot, &server))) {
		print("greet: no server (start one: run greet serve &)\n");
		return 1;
	}
	/* A page of our own, shared read-only with the server: it sees what we wrote. */
	if ((r = pager_alloc(0, PAGE_SIZE, KEEL_MAP_R | KEEL_MAP_W, &va)))
		return 2;
	str_copy((char *)va, name, PAGE_SIZE);
	if ((r = pager_share(va, PAGE_SIZE, server, 0, KEEL_MAP_R, &there))) {
		print_fmt("greet: cannot share the page with the server: %s\n", keel_error_name(r));
		return 3;
	}
	struct keel_msg m = { 0, IPC_TAG(GREET_HELLO, 0), { 0 } };
	m.w[0] = there;
	r = keel_call((unsigned long)slot, &m);
	if (r || IPC_TAG_LABEL(m.tag)) {
		print_fmt("greet: the call failed: %s\n",
			  keel_error_name(r ? r : (long)IPC_TAG_LABEL(m.tag)));
		return 4;
	}
	print_fmt("greet: the server read %lu bytes\n", m.w[0]);
	pager_free(va, PAGE_SIZE);
	return 0;
}

int main(void)
{
	const char *argv[ARGS_MAX_WORDS];
	int argc = args_words(argv);

	if (argc == 1 && str_eq(argv[0], "serve"))
		return serve();
	if (argc == 1)
		return client(argv[0]);
	print("usage: greet serve | greet NAME\n");
	return 1;
}
