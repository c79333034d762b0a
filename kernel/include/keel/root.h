/*
 * root.h - starting the first user program, the pager (kernel/core/root.c).
 *
 * The first GRUB module is loaded (checked by elf_check) into an address
 * space whose objects and tables sit in the boot chunk; its image, stack,
 * IPC buffer and boot-information pages come from boot memory and stay
 * its own.  Its one thread holds capabilities to all of memory, its address
 * space and itself.
 */
#ifndef KEEL_ROOT_H
#define KEEL_ROOT_H

#include <keel/types.h>

struct bootmem;

/* Before the frame roles are built: load it.  NULL, or why not. */
const char *root_load(struct bootmem *bm);
/* Why root_load refused, or NULL. */
const char *root_refusal(void);
/* After: write the boot information (the free ranges are final now). */
void root_fill_bootinfo(void);
struct thread;
struct bootinfo;
/* For tests: its thread (NULL if none) and its boot information. */
struct thread *root_thread(void);
const struct bootinfo *root_bootinfo(void);
/* Boot memory it took (image, stack, IPC buffer, boot information). */
u64 root_bytes(void);
/* Make its thread ready on CPU 0 (if it was loaded). */
bool root_start(void);
/* Its thread exited (or was killed: code -1). */
void root_exited(i64 code);

#endif
