/*
 * pdemo - two processes of init's demonstration, by their argument:
 *   DEMO_SERVER  offers its channel to anyone (a connection needs the
 *                server's consent), waits for it, then answers DEMO_SUM
 *                calls by summing memory shared with it, until DEMO_QUIT;
 *   DEMO_CLIENT  (with the server's pid) connects to the server once it
 *                has offered, fills
 *                64 KB, shares it read-only with the server, asks for
 *                the sum, checks it, and tells the server to quit;
 *   DEMO_CPU     exits with the number of the CPU it runs on.
 */
#include "fmt.h"
#include "keel.h"
#include "pagerc.h"
#include "proto.h"
#include <abi/pager.h>

#define BYTES (64ul << 10)

static int server(void)
{
	struct keel_msg m = { 0 };
	long r = pager_offer(0);

	if (r) {
		print_fmt("[pdemo] server: offering: %ld\n", r);
		return 1;
	}
	while ((r = keel_recv(PAGER_CONN_SLOT, &m)) == -KEEL_ENOENT)
		keel_sleep(1); /* not connected yet */
	for (;;) {
		if (r < 0)
			return 1;
		if (IPC_TAG_LABEL(m.tag) == DEMO_QUIT)
			return 0;
		unsigned long sum = 0;
		const volatile unsigned long *p = (const unsigned long *)m.w[0];
		for (unsigned long i = 0; i < m.w[1] / 8; i++)
			sum += p[i];
		m.tag = IPC_TAG(0, 0);
		m.w[0] = sum;
		r = keel_reply_recv(PAGER_CONN_SLOT, &m);
	}
}

static int client(unsigned long server_pid)
{
	unsigned long va, there, want = 0;
	long r;

	if ((r = pager_connect_wait(server_pid, 1000)) ||
	    (r = pager_alloc(0, BYTES, KEEL_MAP_R | KEEL_MAP_W | PAGER_EAGER, &va))) {
		print_fmt("[pdemo] client: %ld\n", r);
		return 1;
	}
	for (unsigned long i = 0; i < BYTES / 8; i++) {
		((unsigned long *)va)[i] = i * i;
		want += i * i;
	}
	if ((r = pager_share(va, BYTES, server_pid, 0, KEEL_MAP_R, &there))) {
		print_fmt("[pdemo] client: sharing: %ld\n", r);
		return 1;
	}
	struct keel_msg m = { 0, IPC_TAG(DEMO_SUM, 0), { there, BYTES, 0, 0 } };
	r = keel_call(PAGER_CONN_SLOT, &m);
	print_fmt("[pdemo] client: shared 64 KB at 0x%lx with process %lu (at 0x%lx there); its "
		  "sum %lu, %s\n",
		  va, server_pid, there, m.w[0], !r && m.w[0] == want ? "right" : "WRONG");
	struct keel_msg quit = { 0, IPC_TAG(DEMO_QUIT, 0), { 0 } };
	keel_send(PAGER_CONN_SLOT, &quit);
	pager_free(va, BYTES);
	return !r && m.w[0] == want ? 0 : 1;
}

int main(unsigned long arg)
{
	if (DEMO_MODE(arg) == DEMO_CPU)
		return (int)keel_info(KEEL_INFO_CPU);
	return DEMO_MODE(arg) == DEMO_SERVER ? server() : client(DEMO_PID(arg));
}
