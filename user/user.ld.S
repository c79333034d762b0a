/*
 * user.ld.S - how user programs are laid out: at PROG_LOAD_BASE (4 MB,
 * include/abi/uspace.h), each section on its own pages with its own
 * permissions (text RX, rodata R, data/bss RW), which is what the kernel's
 * ELF checker insists on.  Run through cpp (the Makefile) for the header.
 *
 * A program's own script may define USER_LD_FAR_BASE and include this
 * one: its .far section then becomes one more read-write segment there
 * (pfar.ld.S).
 */
#include <abi/uspace.h>

OUTPUT_FORMAT("elf64-x86-64")
ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);
	rodata PT_LOAD FLAGS(4);
	data PT_LOAD FLAGS(6);
#ifdef USER_LD_FAR_BASE
	far PT_LOAD FLAGS(6);
#endif
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
#ifdef USER_LD_FAR_BASE
	. = USER_LD_FAR_BASE;
	.far : { *(.far) } :far
#endif
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame .eh_frame_hdr) }
}
