/*
 * unt.ld.S - unt's layout: its start at PROG_LOAD_BASE, and one page at
 * PROG_STACK_TOP (the guard page above every program's stack), just
 * below the last user page (KEEL_USER_TOP, never mapped), ending in the
 * system call.  Run through cpp (the Makefile) for include/abi/uspace.h.
 */
#include <abi/uspace.h>

OUTPUT_FORMAT("elf64-x86-64")
ENTRY(_start)

PHDRS
{
	start PT_LOAD FLAGS(5);
	edge PT_LOAD FLAGS(5);
}

SECTIONS
{
	. = PROG_LOAD_BASE;
	.text : { *(.text.start) } :start
	. = PROG_STACK_TOP;
	.edge : { *(.text.edge) } :edge
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame .eh_frame_hdr) }
}
