/*
 * hello - the smallest program worth running from the shell
 * (docs/writing-programs.md builds it step by step).  It greets, lists
 * its arguments, and with the argument `spin` keeps its CPU busy until
 * it is killed (Ctrl-C in the shell, or `kill`).
 */
#include "args.h"
#include "fmt.h"
#include "keel.h"
#include "str.h"

int main(void)
{
	const char *argv[ARGS_MAX_WORDS];
	int argc = args_words(argv);

	print_fmt("hello from process on CPU %ld, with %d argument%s\n", keel_info(KEEL_INFO_CPU),
		  argc, argc == 1 ? "" : "s");
	for (int i = 0; i < argc; i++)
		print_fmt("argument %d: %s\n", i + 1, argv[i]);
	if (argc == 1 && str_eq(argv[0], "spin")) {
		print("spinning until killed\n");
		for (;;)
			__asm__ volatile("pause");
	}
	return 0;
}
