/*
 * args.h - a program's argument line, as its spawner gave it
 * (PAGER_SPAWN in include/abi/pager.h).  crt0 saves it from the IPC
 * buffer before main runs (the first IPC overwrites it there).
 */
#ifndef USER_ARGS_H
#define USER_ARGS_H

#define ARGS_MAX_WORDS 16

/* The whole line ("" if there was none). */
const char *args_line(void);
/*
 * The line split at spaces into at most ARGS_MAX_WORDS words, in a copy
 * of the library's: the count, the words in argv.
 */
int args_words(const char **argv);

/* Called by crt0 before main: copy the line out of the IPC buffer. */
void args_save(void);
/* Defined (to anything) by a root program, which has no arguments: args.c says why. */
extern const char prog_root __attribute__((weak));

#endif
