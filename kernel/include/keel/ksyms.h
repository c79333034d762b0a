/*
 * ksyms.h - the kernel's own symbol table, for backtraces (kernel/ksyms.c).
 *
 * The table is generated at build time from the linked kernel by
 * tools/ksyms.py and linked into a second pass (see the Makefile).
 */
#ifndef KEEL_KSYMS_H
#define KEEL_KSYMS_H

#include <keel/types.h>

/*
 * The function containing addr: its name and addr's offset into it.
 * Returns false if addr is in no known function.
 */
bool ksyms_lookup(u64 addr, const char **name, u64 *offset);

/* The address of a symbol by name, or 0. */
u64 ksyms_address(const char *name);

#endif
