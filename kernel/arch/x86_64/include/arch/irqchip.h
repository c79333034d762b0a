/*
 * irqchip.h - the legacy PICs and the I/O APICs
 * (kernel/arch/x86_64/pic.c, ioapic.c).
 */
#ifndef ARCH_IRQCHIP_H
#define ARCH_IRQCHIP_H

#include <keel/acpi.h>

/* Move the 8259 PICs' vectors off the exceptions, then mask every line. */
void pic_disable(void);

/*
 * Map each I/O APIC (uncached) and program every input masked, with its
 * vector (VEC_IOAPIC_BASE + GSI) and the polarity and trigger mode the
 * MADT's overrides give, ready for device drivers.  Returns the number of
 * inputs programmed; problems are logged and that I/O APIC skipped.
 */
u32 ioapic_setup(const struct acpi_info *acpi);

/* Is pa in the registers' page of an I/O APIC the MADT listed (mapped or skipped)? */
bool ioapic_listed(u64 pa);

/* Read back an input's redirection entry (for tests); false if none. */
bool ioapic_read_entry(u32 gsi, u64 *entry);

#endif
