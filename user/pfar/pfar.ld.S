/*
 * pfar.ld.S - pfar's layout: user.ld.S's sections at PROG_LOAD_BASE, and
 * one more segment (.far, read-write) at PFAR_FAR_BASE near the top of
 * user space, 128 TB away: the pager must record each segment as its own
 * region.  Run through cpp (the Makefile) for the headers.
 */
#include <abi/uspace.h>
#include "pfar.h"

OUTPUT_FORMAT("elf64-x86-64")
ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);
	rodata PT_LOAD FLAGS(4);
	data PT_LOAD FLAGS(6);
	far PT_LOAD FLAGS(6);
}

SECTIONS
{
	. = PROG_LOAD_BASE;
	.text : { *(.text .text.*) } :text
	. = ALIGN(KEEL_PAGE_SIZE);
	.rodata : { *(.rodata .rodata.*) } :rodata
	. = ALIGN(KEEL_PAGE_SIZE);
	.data : { *(.data .data.*) } :data
	.bss : { *(.bss .bss.*) *(COMMON) } :data
	. = PFAR_FAR_BASE;
	.far : { *(.far) } :far
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame .eh_frame_hdr) }
}
