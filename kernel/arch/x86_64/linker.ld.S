/*
 * linker.ld.S - the kernel image, run through cpp with layout.h.
 *
 * The image is linked at KERNEL_BASE + KERNEL_PHYS_LOAD and loaded (AT) at
 * KERNEL_PHYS_LOAD, so kimage_to_phys() is a subtraction of KERNEL_BASE.
 * Every section starts on a page, so the kernel can give each its own
 * permissions: text RX, rodata R, data/bss RW.
 */
#include <keel/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(_start32)

PHDRS
{
	text PT_LOAD FLAGS(5);		/* R X */
	rodata PT_LOAD FLAGS(4);	/* R */
	data PT_LOAD FLAGS(6);		/* R W */
}

SECTIONS
{
	. = KERNEL_VIRT_LOAD;
	__kernel_start = .;

	.text : AT(ADDR(.text) - KERNEL_BASE) {
		__text_start = .;
		KEEP(*(.multiboot))	/* must be in the first 32 KiB */
		*(.boot.text)
		*(.text .text.*)
		. = ALIGN(PAGE_SIZE);
		__text_end = .;
	} :text

	.rodata : AT(ADDR(.rodata) - KERNEL_BASE) {
		__rodata_start = .;
		*(.rodata .rodata.*)
		. = ALIGN(8);
		__ktests_start = .;
		KEEP(*(.ktests))
		__ktests_end = .;
		__extable_start = .;
		KEEP(*(__extable))
		__extable_end = .;
		/* Last: its size (which differs between the two link passes)
		 * must not move anything before it. */
		KEEP(*(.ksyms))
		. = ALIGN(PAGE_SIZE);
		__rodata_end = .;
	} :rodata

	.data : AT(ADDR(.data) - KERNEL_BASE) {
		__data_start = .;
		*(.data .data.*)
		. = ALIGN(PAGE_SIZE);
	} :data

	.bss : AT(ADDR(.bss) - KERNEL_BASE) {
		__bss_start = .;
		*(.bss.boot)
		*(.bss.stack)
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(PAGE_SIZE);
		__bss_end = .;
	} :data

	__kernel_end = .;

	/DISCARD/ : {
		*(.note .note.*)
		*(.comment)
		*(.eh_frame .eh_frame_hdr)
	}
}

ASSERT(__kernel_end - KERNEL_BASE <= KERNEL_SIZE, "the image does not fit its 512 MB region")
ASSERT(mb2_header - __kernel_start < 32768, "the Multiboot2 header is not in the first 32 KiB")
