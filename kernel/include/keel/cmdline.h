/*
 * cmdline.h - reading the kernel command line (kernel/lib/cmdline.c).
 * Options are words separated by spaces: `name` or `name=value`.
 */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include <keel/types.h>

/* Is the option `name` present (with or without a value)? */
bool cmdline_has(const char *cmdline, const char *name);

/*
 * Copy the value of `name=value` into buf (NUL-terminated, truncated to
 * size-1).  Returns true if the option was present with a value.
 */
bool cmdline_get(const char *cmdline, const char *name, char *buf, size_t size);

#endif
