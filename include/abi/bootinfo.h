/*
 * bootinfo.h - the boot-information pages the kernel gives the first user
 * program (the pager, issue 5): everything it needs to take over memory.
 * Mapped read-only at BOOTINFO_VADDR, at most BOOTINFO_MAX_PAGES pages
 * (both in abi/uspace.h, the user address map); its address is also the
 * first argument of main (RDI at entry).
 */
#ifndef ABI_BOOTINFO_H
#define ABI_BOOTINFO_H

#include <abi/uspace.h>
#include <stdint.h>

#define BOOTINFO_MAGIC	     0x544f4f424c45454bull /* "KEELBOOT", little-endian */
#define BOOTINFO_VERSION     6
#define BOOTINFO_MAX_MODULES 64
#define BOOTINFO_NAME_MAX    48
#define BOOTINFO_CMDLINE_MAX 256

/* The slots of the first program's capabilities (0 and 1 are left free for the pager's protocol). */
#define BOOTINFO_SLOT_MEMORY 2
#define BOOTINFO_SLOT_AS     3
#define BOOTINFO_SLOT_THREAD 4
#define BOOTINFO_SLOT_IOPORT 5
#define BOOTINFO_SLOT_IRQ    6
#define BOOTINFO_SLOT_DEVICE 7

struct bootinfo_range {
	uint64_t base; /* physical, page-aligned */
	uint64_t size; /* bytes, whole pages */
};

struct bootinfo_module {
	uint64_t base;		      /* physical */
	uint64_t size;		      /* bytes */
	char name[BOOTINFO_NAME_MAX]; /* NUL-terminated (truncated if longer) */
};

struct bootinfo {
	uint64_t magic;	     /* BOOTINFO_MAGIC */
	uint32_t version;    /* BOOTINFO_VERSION */
	uint32_t total_size; /* bytes of these pages in use */
	uint32_t cpu_count;  /* CPUs threads may be placed on (KEEL_INFO_CPUS) */
	uint32_t module_count;
	uint32_t range_count; /* entries in ranges[] */
	uint32_t reserved;
	uint64_t free_bytes; /* the sum of ranges[].size */
	/*
	 * The first program's capabilities, which the kernel put in its
	 * space at boot (slot numbers, BOOTINFO_SLOT_*), each with every right.
	 */
	uint64_t self_as;	/* its address space */
	uint64_t self_thread;	/* its thread */
	uint64_t memory;	/* all of physical memory: base 0 */
	uint64_t memory_size;	/* bytes that capability covers */
	uint64_t ioports;	/* all I/O ports: first 0 */
	uint64_t ioports_count; /* ports that capability covers (KEEL_IO_PORTS) */
	uint64_t irqs;		/* all interrupt lines: first 0 */
	uint64_t irqs_count;	/* lines that capability covers (KEEL_IRQ_LINES) */
	/* The interrupt line (GSI) of each ISA IRQ, after the ACPI overrides (0xff: none). */
	uint8_t isa_irq_gsi[16];
	uint64_t devices;      /* device memory: the whole physical address space, base 0 */
	uint64_t devices_size; /* bytes that capability covers */
	uint64_t hpet;	       /* the HPET's registers (physical; 0: none) */
	uint64_t reserved2;    /* 0 */
	uint64_t ipc_buffer;   /* where its IPC buffer is mapped (a page) */
	char cmdline[BOOTINFO_CMDLINE_MAX]; /* the kernel command line */
	struct bootinfo_module modules[BOOTINFO_MAX_MODULES];
	/* Every free RAM range left after the kernel's own use, sorted. */
	struct bootinfo_range ranges[];
};

_Static_assert(sizeof(struct bootinfo) % 16 == 0, "ranges[] is 16-byte aligned");

#endif
