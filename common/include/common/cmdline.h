/*
 * cmdline.h - reading a command line (common/cmdline.c): the kernel's,
 * and the copy user programs get in the boot information.  Options are
 * words separated by spaces: `name` or `name=value`.
 */
#ifndef COMMON_CMDLINE_H
#define COMMON_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* Is the option `name` present (with or without a value)?  False for a NULL cmdline. */
bool cmdline_has(const char *cmdline, const char *name);

/* Is `word` itself one of the words (`word=value` is not)?  False for a NULL cmdline. */
bool cmdline_has_word(const char *cmdline, const char *word);

/*
 * Copy the value of `name=value` into buf (NUL-terminated, truncated to
 * size-1).  Returns true if the option was present with a value.
 */
bool cmdline_get(const char *cmdline, const char *name, char *buf, size_t size);

#endif
