/*
 * console.h - kernel output (kernel/console.c).  Every line the kernel
 * prints starts with its subsystem in brackets: klog("mm", "...") prints
 * "[mm] ...".  Output goes to the architecture's console (COM1).
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/fmt.h>

void console_init(void);
/* From now on print without taking the console lock (panic only). */
void console_panic_mode(void);
int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int kvprintf(const char *fmt, va_list ap);

/* One log line, prefixed by its subsystem; sub must be a string literal. */
#define klog(sub, fmt, ...) kprintf("[" sub "] " fmt "\n", ##__VA_ARGS__)

/* Arch hooks (kernel/arch/x86_64/serial.c). */
void arch_console_init(void);
void arch_console_putc(char c);

#endif
