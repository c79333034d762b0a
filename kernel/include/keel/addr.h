/*
 * addr.h - converting between the kernel's address spaces.  Each
 * conversion has its own name and checks its range, so a direct-map
 * address is never confused with an image address.
 */
#ifndef KEEL_ADDR_H
#define KEEL_ADDR_H

#include <keel/layout.h>
#include <keel/panic.h>

/* Physical address -> its alias in the direct map. */
static inline void *phys_to_virt(u64 phys)
{
	assert(phys < PHYS_MAX);
	return (void *)(DIRECT_MAP_BASE + phys);
}

/* Direct-map address -> physical address. */
static inline u64 virt_to_phys(const void *va)
{
	u64 v = (u64)va;
	assert(v >= DIRECT_MAP_BASE && v < DIRECT_MAP_END);
	return v - DIRECT_MAP_BASE;
}

/* Kernel image address (a symbol) -> physical address. */
static inline u64 kimage_to_phys(const void *va)
{
	u64 v = (u64)va;
	assert(v >= KERNEL_BASE && v < KERNEL_END);
	return v - KERNEL_BASE;
}

/* The image's bounds and sections, from the linker script. */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];

#endif
