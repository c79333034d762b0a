/*
 * acpi.h - reading the ACPI tables the kernel needs (kernel/acpi/acpi.c,
 * kernel/acpi/madt.c).  Facts from the ACPI specification (6.x): RSDP,
 * RSDT/XSDT, MADT ("APIC"), FADT ("FACP"), HPET.
 *
 * Pure logic: tables are reached through a caller-supplied function that
 * maps a physical range and returns a pointer, or NULL if it cannot.  The
 * kernel maps through the direct map; the host tests through a fake
 * physical memory.  Nothing is trusted: every signature, length and
 * checksum is checked before a table is used, and every MADT entry's
 * length before its fields are read.
 */
#ifndef KEEL_ACPI_H
#define KEEL_ACPI_H

#include <keel/types.h>

/* Reach [phys, phys+len) or return NULL. */
typedef const void *(*acpi_map_fn)(void *ctx, u64 phys, u64 len);

#define ACPI_MAX_CPUS	   512 /* as many as the per-CPU region holds */
#define ACPI_MAX_IOAPICS   16
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_NMIS	   16
#define ACPI_MAX_PROBLEMS  16
#define ACPI_MAX_TABLE_LEN (1u << 20) /* larger tables are refused */

struct acpi_cpu {
	u32 apic_id;
	u32 acpi_uid;	     /* processor UID */
	bool enabled;	     /* flags bit 0 */
	bool online_capable; /* flags bit 1: may be enabled later (not started) */
	bool x2apic_entry;   /* came from a local x2APIC entry (type 9) */
};

struct acpi_ioapic {
	u32 id;
	u32 addr;     /* physical MMIO base */
	u32 gsi_base; /* first global system interrupt it handles */
};

/* Interrupt source override: ISA IRQ `source` arrives as `gsi`. */
struct acpi_override {
	u8 bus, source;
	u32 gsi;
	u16 flags; /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

/* Local APIC NMI (type 4 / 0xA): which LINT pin of which CPU(s). */
struct acpi_lapic_nmi {
	u32 acpi_uid; /* 0xff (or 0xffffffff for type 0xA) = all processors */
	u16 flags;
	u8 lint; /* 0 or 1 */
};

struct acpi_problem {
	char sig[5]; /* the table ("RSDP", "XSDT", "APIC", ...) */
	u32 offset;  /* byte offset of the bad part in it */
	const char *what;
};

struct acpi_info {
	u8 revision;   /* RSDP revision: 0 = ACPI 1.0, 2+ = XSDT */
	u64 rsdt_phys; /* the RSDT or XSDT used */
	bool xsdt;

	/* MADT (has_madt: a valid one was found; the fields below are 0 if not) */
	bool has_madt;
	u64 lapic_addr;	  /* with the type-5 override applied */
	bool pcat_compat; /* MADT flags bit 0: dual 8259s present */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	size_t cpu_count;    /* entries kept (enabled or online-capable) */
	size_t cpus_dropped; /* beyond ACPI_MAX_CPUS */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	size_t ioapic_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	size_t override_count;
	struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];
	size_t nmi_count;
	u32 nmi_source_count; /* NMI source entries (type 3), counted only */

	/*
	 * FADT: the ACPI power-management timer.  has_fadt: a valid FADT was
	 * found (it may still have no usable timer: pm_timer_port 0).
	 */
	bool has_fadt;
	u16 pm_timer_port;   /* I/O port, 0 if none */
	bool pm_timer_32bit; /* flags TMR_VAL_EXT: 32-bit, else 24-bit */

	/* HPET: has_hpet only with a usable (memory-space, non-zero) address. */
	bool has_hpet;
	u64 hpet_addr;

	struct acpi_problem problems[ACPI_MAX_PROBLEMS];
	size_t problem_count;
	size_t problems_total;
};

/*
 * acpi_parse - from an RSDP copy (rsdp, rsdp_len: as the boot loader gave
 * it; v2 preferred when the caller has both), find and check the RSDT or
 * XSDT, then read the MADT, FADT and HPET tables if present.  Returns 0 if
 * the root table could be used (problems with single tables or entries are
 * recorded in out->problems and those parts skipped), or a negative
 * enum acpi_status if not.
 *
 * out must not be NULL; it is zeroed first, so on failure it holds only
 * the problems that explain it.  With a valid v2 RSDP the XSDT is used; if
 * it is unusable and the RSDP also names an RSDT, that is used instead (the
 * XSDT's problem stays recorded).  A NULL map gives ACPI_BAD_ROOT.
 */
int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
	       struct acpi_info *out);

enum acpi_status {
	ACPI_OK = 0,
	ACPI_BAD_RSDP = -1, /* signature, checksum or length wrong */
	ACPI_BAD_ROOT = -2, /* RSDT/XSDT unreachable, or its header is bad */
};

const char *acpi_strerror(int status);

/* Checksum of a byte range: 0 means valid. */
u8 acpi_checksum(const void *p, size_t len);

#endif
