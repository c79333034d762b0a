/*
 * spawn.h - start a boot module (an ELF executable) as a process: its own
 * address space, its segments copied into fresh frames, a stack, an IPC
 * buffer and one thread.  Where they go is the user address map
 * (include/abi/uspace.h): the stack below PROG_STACK_TOP, the IPC buffer
 * at PROG_IPC_BUF.
 */
#ifndef USER_SPAWN_H
#define USER_SPAWN_H

#include "mem.h"
#include <abi/bootinfo.h>
#include <common/elf.h>

#define SPAWN_MAX_FRAMES 160
#define SPAWN_MAX_PHDRS	 ELF_MAX_SEGMENTS /* the most segments elf_check accepts */

/*
 * as and tcb are slots of the caller's capability space (cslot_alloc),
 * holding capabilities with every right (0: none yet; slot 0 is never
 * handed out).  tcb_frame is the frame the thread object is in, for the
 * pool to reuse once the thread is destroyed.
 */
struct proc {
	struct kpool *pool; /* where its objects and tables come from */
	unsigned long as;   /* slot: its address space */
	unsigned long tcb;  /* slot: its thread */
	unsigned long tcb_frame;
	unsigned long buf_frame; /* its IPC buffer's frame (one of frames[]) */
	unsigned long entry;
	/* Its loadable segments, each as the pages it spans, with its rights. */
	struct spawn_seg {
		unsigned long va, size, rights;
	} segs[SPAWN_MAX_PHDRS];
	int nsegs;
	unsigned long frames[SPAWN_MAX_FRAMES]; /* the frames mapped in it */
	int nframes;
	int elf_err; /* why elf_check refused the module (enum elf_error), or 0 */
};

/* The module called name, or 0. */
const struct bootinfo_module *module_find(const struct bootinfo *bi, const char *name);

/*
 * Load module `name` into a new process whose objects and tables come from
 * pool.  Its thread is made with `badge` but not started; configure it
 * (keel_thread_config on p->tcb), give it capabilities (keel_cap_copy
 * into p->as), then proc_start.  0 or -error: KEEL_ENOENT no such module,
 * KEEL_EINVAL not an acceptable ELF executable (elf_check, the kernel's
 * rules for the first program; p->elf_err says why, for elf_strerror),
 * KEEL_EFULL out of memory or of capability slots, or what a system call
 * said.  On error nothing is left over but the pool's chunks.
 */
long spawn(struct proc *p, struct kpool *pool, const struct bootinfo *bi, const char *name,
	   unsigned long badge);
/* Start its thread at the entry point with RDI = arg. */
long proc_start(struct proc *p, unsigned long arg);
/*
 * Destroy its thread and address space (their slots are free again) and
 * free its frames: 0 or -error.
 */
long proc_destroy(struct proc *p);

#endif
