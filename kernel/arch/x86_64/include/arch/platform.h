/*
 * platform.h - leaving the machine (kernel/arch/x86_64/platform.c), and
 * the PC's fixed ports the kernel uses.
 *
 * Under test, QEMU has an isa-debug-exit device at port 0xf4; writing v
 * makes QEMU exit with status (v << 1) | 1.  The test runner reads these.
 */
#ifndef ARCH_PLATFORM_H
#define ARCH_PLATFORM_H

#define QEMU_EXIT_PORT	0xf4
#define QEMU_EXIT_PASS	0x10 /* QEMU exits 33 */
#define QEMU_EXIT_FAIL	0x11 /* QEMU exits 35 */
#define QEMU_EXIT_PANIC 0x12 /* QEMU exits 37 */

/* The kernel's log UART (kernel/arch/x86_64/serial.c; boot.S has its own copy). */
#define COM1_PORT	0x3f8

#ifndef __ASSEMBLER__
/* Exit QEMU with `code` if the kernel is under test, else halt forever. */
_Noreturn void platform_stop(unsigned code);
/* Halt this CPU forever with interrupts off. */
_Noreturn void platform_halt(void);
#endif

#endif
