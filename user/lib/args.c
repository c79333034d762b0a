/*
 * args.c - the argument line (args.h).
 */
#include "args.h"
#include "str.h"
#include <abi/pager.h>
#include <abi/uspace.h>

static char line[PAGER_ARGS_MAX];
static char words[PAGER_ARGS_MAX];

/*
 * A root program (the pager, coretest) defines prog_root: the kernel
 * started it, it has no client IPC buffer at PROG_IPC_BUF, and no
 * arguments.
 */
void args_save(void)
{
	unsigned long *buf = (unsigned long *)PROG_IPC_BUF;

	if (&prog_root || buf[0] != PROG_ARGS_MAGIC)
		return;
	str_copy(line, (const char *)&buf[1], sizeof(line));
	buf[0] = 0;
}

const char *args_line(void)
{
	return line;
}

int args_words(const char **argv)
{
	int n = 0;

	str_copy(words, line, sizeof(words));
	for (char *p = words; *p && n < ARGS_MAX_WORDS;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return n;
}
