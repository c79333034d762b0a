/*
 * page.h - the page geometry, written once for the kernel and user space.
 *
 * The kernel's layout (kernel/include/keel/layout.h: PAGE_SHIFT,
 * PAGE_SIZE, the table geometry built on them), the user library
 * (user/lib/keel.h: PAGE_SIZE, PAGE_MASK) and the user address map
 * (abi/uspace.h) all derive their page size from here; no other file
 * defines it or writes 4096 for it.
 *
 * Usable from C, assembly and linker scripts run through cpp: constants
 * are written with KEEL_UL(), which adds the UL suffix in C only (where a
 * constant needs it to be 64-bit) and nothing elsewhere (where a suffix is
 * a syntax error).
 */
#ifndef ABI_PAGE_H
#define ABI_PAGE_H

#ifdef __ASSEMBLER__
#define KEEL_UL(x) x
#else
#define KEEL_UL(x) x##UL
#endif

/*
 * x86_64's smallest page, 4 KiB: the unit of every mapping (SYS_MAP maps
 * one page), of every address and size the pager's protocol takes, and of
 * the frames the boot information lists.
 */
#define KEEL_PAGE_SHIFT 12
#define KEEL_PAGE_SIZE	(KEEL_UL(1) << KEEL_PAGE_SHIFT)

#endif
