/*
 * init - the second module, started by the pager (issue 5, in progress).
 * For now it only says it is up, then leaves the system running; the
 * demonstration and the test runs come with the pager's memory service
 * (docs/design-pager.md).
 */
#include "keel.h"

int main(void)
{
	print("[init] ready\n");
	for (;;)
		sys_sleep(THREAD_SLEEP_MAX);
}
