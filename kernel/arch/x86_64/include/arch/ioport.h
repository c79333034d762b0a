/*
 * ioport.h - I/O ports for user programs (kernel/arch/x86_64/ioport.c):
 * which ports an address space may use, and the I/O permission bitmap
 * after each CPU's TSS that lets it.  The ABI is include/abi/syscall.h,
 * "I/O ports"; the design is docs/design-core.md, "I/O ports".
 *
 * Each CPU's bitmap denies every port except those of the space whose
 * ranges it has open (percpu's io_id names that set of ranges, io_open
 * keeps a copy of them so that they can be closed after the space is
 * gone).  vspace_activate opens the next space's ranges when its io_id
 * differs: a space without ports has io_id 0, and a CPU with nothing
 * open too, so the switch between two spaces without ports costs one
 * compare.
 */
#ifndef ARCH_IOPORT_H
#define ARCH_IOPORT_H

#include <abi/syscall.h>
#include <keel/types.h>

struct ioport_range {
	u32 first, count;
};

/* The ports an address space may use (struct vspace's io). */
struct ioport_set {
	u64 id; /* a fresh kmem_gen_new() at every change; 0 while empty */
	u32 count;
	bool console; /* it has COM1's ports: the serial driver's space */
	struct ioport_range r[KEEL_IO_RANGES];
};

/* Bytes of the bitmap: a bit per port, and the byte of ones the CPU may read past it. */
#define IOPORT_BITMAP_BYTES (KEEL_IO_PORTS / 8 + 1)

struct percpu;
/* Boot, per CPU: deny every port. */
void ioport_init_cpu(struct percpu *pc);
/* Open the ports of `set` on this CPU, closing the others. */
void ioport_switch(struct percpu *pc, const struct ioport_set *set);
/* The space this CPU runs changed its ports (the shoot-down IPI's handler): open them. */
void ioport_refresh(struct percpu *pc);
/* Boot: the kernel uses [first, first + count) itself (`who` for the panic if the table is full). */
void ioport_reserve(u32 first, u32 count, const char *who);
/* Does any port of [first, first + count) belong to the kernel? */
bool ioport_kernel_owns(u64 first, u64 count);
/*
 * Add [first, first + count) (checked by the caller: inside KEEL_IO_PORTS,
 * not the kernel's) to set: 0, or -KEEL_EEXIST (a port is there already)
 * or -KEEL_EFULL (KEEL_IO_RANGES ranges already), with nothing changed.
 */
long ioport_add(struct ioport_set *set, u64 first, u64 count);
/*
 * Does a live address space hold COM1's ports (a serial driver runs)?
 * Then SYS_DEBUG_WRITE is the first program's only (syscall.c).
 */
bool ioport_console_held(void);
/* The space goes: its ports with it (vspace_free). */
void ioport_forget(struct ioport_set *set);

struct cap;
struct thread;
struct sysreq; /* keel/decode.h */
long sys_io_enable(struct thread *cur, const struct sysreq *rq);

#endif
