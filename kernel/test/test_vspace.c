/*
 * test_vspace.c - in-kernel tests of the kernel address space: the live
 * page tables against the layout and memory map, and the protections the
 * CPU enforces on them.
 */
#include <arch/cpu.h>
#include <arch/kvspace.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/percpu.h>
#include <arch/ptcheck.h>
#include <arch/trap.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/boot.h>
#include <keel/ktest.h>
#include <keel/memmap.h>
#include <keel/acpi.h>
#include <arch/vspace.h>

extern char boot_stack_guard[], df_stack_guard[];

/* Every rule of ptcheck_verify: W^X, no user bit, layout, RAM coverage... */
KTEST(pagetables_match_layout_and_memory_map)
{
	const char *why = ptcheck_verify(boot.memmap, boot.memmap_count);
	return why ? ktest_fail("%s", why) : NULL;
}

KTEST(no_identity_map_left)
{
	const pte_t *pml4 = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	KTEST_CHECK((read_cr3() & PTE_ADDR_MASK) == kvspace_root);
	for (unsigned i = 0; i < PT_ENTRIES / 2; i++)
		KTEST_CHECK(pml4[i] == 0);
	u8 b;
	KTEST_CHECK(probe_read8((void *)(u64)KERNEL_PHYS_LOAD, &b) == -1);
	KTEST_CHECK(trap_last_fixup.cr2 == KERNEL_PHYS_LOAD);
	KTEST_CHECK(!(trap_last_fixup.error & PF_PRESENT));
	return NULL;
}

/* The kernel half exists down to the PDPT wherever the kernel will map. */
KTEST(kernel_half_pml4_entries_exist)
{
	const pte_t *pml4 = phys_to_virt(kvspace_root);
	KTEST_CHECK(pml4[PML4_INDEX(DIRECT_MAP_BASE)] & PTE_P);
	KTEST_CHECK(pml4[PML4_INDEX(PERCPU_BASE)] & PTE_P);
	KTEST_CHECK(pml4[PML4_INDEX(KERNEL_BASE)] & PTE_P);
	for (size_t i = 0; i < boot.memmap_count; i++) {
		const struct memmap_entry *e = &boot.memmap[i];
		if (!memmap_is_ram(e->type) || e->base >= PHYS_MAX)
			continue;
		u64 last = MIN(e->base + e->length, PHYS_MAX) - 1;
		for (u64 s = PML4_INDEX(DIRECT_MAP_BASE + e->base);
		     s <= PML4_INDEX(DIRECT_MAP_BASE + last); s++)
			if (!(pml4[s] & PTE_P))
				return ktest_fail("PML4 slot %lu (RAM) has no PDPT", s);
	}
	return NULL;
}

KTEST(protection_bits_enabled)
{
	u64 cr4 = read_cr4();
	KTEST_CHECK(read_cr0() & X86_CR0_WP);
	KTEST_CHECK(rdmsr(MSR_EFER) & EFER_NXE);
	KTEST_CHECK(!!(cr4 & X86_CR4_SMEP) == cpu_has.smep);
	KTEST_CHECK(!!(cr4 & X86_CR4_SMAP) == cpu_has.smap);
	KTEST_CHECK(!!(cr4 & X86_CR4_UMIP) == cpu_has.umip);
	KTEST_CHECK(!!(cr4 & X86_CR4_PGE) == cpu_has.pge);
	return NULL;
}

/* CR0.WP: even the kernel cannot write its text or rodata. */
KTEST(text_and_rodata_are_read_only)
{
	static const char ro[] = "read-only";
	void *text = (void *)(u64)ktest_run;
	u8 before;

	KTEST_CHECK(probe_read8(text, &before) == 0);
	KTEST_CHECK(probe_write8(text, 0xcc) == -1);
	KTEST_CHECK(trap_last_fixup.cr2 == (u64)text);
	KTEST_CHECK((trap_last_fixup.error & (PF_PRESENT | PF_WRITE)) == (PF_PRESENT | PF_WRITE));
	KTEST_CHECK(probe_write8((void *)ro, 'X') == -1);
	KTEST_CHECK(trap_last_fixup.cr2 == (u64)ro);
	KTEST_CHECK(ro[0] == 'r');
	u8 after;
	KTEST_CHECK(probe_read8(text, &after) == 0 && after == before);
	return NULL;
}

KTEST(data_is_writable)
{
	static volatile u8 cell = 1;
	KTEST_CHECK(probe_write8(&cell, 7) == 0);
	KTEST_CHECK(cell == 7);
	return NULL;
}

KTEST(guard_pages_fault)
{
	u8 b;
	KTEST_CHECK(probe_read8(boot_stack_guard, &b) == -1);
	KTEST_CHECK(trap_last_fixup.cr2 == (u64)boot_stack_guard);
	KTEST_CHECK(probe_read8(boot_stack_guard + PAGE_SIZE - 1, &b) == -1);
	KTEST_CHECK(probe_read8(df_stack_guard, &b) == -1);
	struct stack_region st;
	KTEST_CHECK(arch_stack_find(read_rsp(), false, &st));
	KTEST_CHECK(st.cpu == 0 && read_rsp() >= st.bottom && read_rsp() < st.top);
	return NULL;
}

/* The holes between regions, and the far end of the direct map. */
KTEST(holes_are_unmapped)
{
	const u64 holes[] = {
		DIRECT_MAP_END,
		PERCPU_BASE - 8,
		PERCPU_SLOT((u64)percpu_count),	      /* the first slot nobody owns */
		PERCPU_SLOT(0ul) + PERCPU_KSTACK_OFF, /* a guard page */
		PERCPU_SLOT(0ul) + PERCPU_DATA_SIZE,
		PERCPU_END,
		KERNEL_BASE,
		KERNEL_END,
		0xfffffffffffff000ul,
		DIRECT_MAP_BASE + PHYS_MAX - 8,
	};
	for (size_t i = 0; i < ARRAY_SIZE(holes); i++) {
		u8 b;
		if (probe_read8((void *)holes[i], &b) != -1)
			return ktest_fail("0x%lx is readable", holes[i]);
	}
	return NULL;
}

/*
 * The direct map really is physical memory: data seen through it.  The
 * image's own frames are read-only there, so text has no writable alias.
 */
KTEST(direct_map_aliases_physical_memory)
{
	u64 frame = boot.bootmem->free[0].base;
	volatile u64 *alias = phys_to_virt(frame);
	u64 old = *alias;
	*alias = 0x6b65656c6b65656cul;
	KTEST_CHECK(*(volatile u64 *)phys_to_virt(frame) == 0x6b65656c6b65656cul);
	*alias = old;

	static const u64 marker = 0x6b65656c;
	const volatile u64 *image_alias = phys_to_virt(kimage_to_phys(&marker));
	KTEST_CHECK(*image_alias == marker);
	KTEST_CHECK(probe_write8((void *)image_alias, 0) == -1);
	KTEST_CHECK(probe_write8(phys_to_virt(kimage_to_phys((void *)(u64)ktest_run)), 0xcc) == -1);
	return NULL;
}

KTEST(local_apic_mapped_uncached)
{
	u64 apic = rdmsr(MSR_APIC_BASE) & PTE_ADDR_MASK;
	struct pt_leaf l;
	KTEST_CHECK(pt_translate(&kvspace_env, kvspace_root, DIRECT_MAP_BASE + apic, &l));
	KTEST_CHECK((l.flags & PTE_UC) == PTE_UC);
	KTEST_CHECK(l.flags & PTE_NX);
	/*
	 * The version register reads as an integrated APIC's (0x10-0x20):
	 * through the page in xAPIC mode; in x2APIC mode the page no longer
	 * reaches the APIC (SDM 10.12.1), so through the MSRs.
	 */
	u32 version =
	    lapic_x2apic ? lapic_version() : *(volatile u32 *)((u8 *)phys_to_virt(apic) + 0x30);
	KTEST_CHECK((version & 0xff) >= 0x10 && (version & 0xff) <= 0x20);
	return NULL;
}

KTEST(device_map_refuses_ram)
{
	KTEST_CHECK(!kvspace_map_device(kimage_to_phys(__kernel_start), PAGE_SIZE));
	KTEST_CHECK(!kvspace_map_device(PHYS_MAX, PAGE_SIZE));
	return NULL;
}

/*
 * What SYS_MAP_DEVICE refuses as the kernel's (arch_device_kernel_owns):
 * the first page of every RAM range of the map, whatever its type (ACPI
 * tables and NVS too: the direct map holds them write-back), the local
 * APIC's window, each I/O APIC the MADT lists; and not the HPET's page,
 * which the kernel never maps.
 */
KTEST(device_pages_the_kernel_keeps)
{
	u32 ram_kinds = 0;

	for (size_t i = 0; i < boot.memmap_count; i++) {
		const struct memmap_entry *e = &boot.memmap[i];
		if (!memmap_is_ram(e->type) || e->base >= PHYS_MAX)
			continue;
		if (!arch_device_kernel_owns(ALIGN_UP(e->base, PAGE_SIZE)))
			return ktest_fail("RAM at 0x%lx (type %u) is not refused", e->base,
					  e->type);
		ram_kinds |= 1u << (e->type & 31);
	}
	KTEST_CHECK(ram_kinds & (1u << MEMMAP_AVAILABLE));
	KTEST_CHECK(arch_device_kernel_owns(KEEL_APIC_WINDOW));
	KTEST_CHECK(arch_device_kernel_owns(KEEL_APIC_WINDOW_END - PAGE_SIZE));
	for (size_t i = 0; i < boot.acpi->ioapic_count; i++)
		KTEST_CHECK(
		    arch_device_kernel_owns(boot.acpi->ioapics[i].addr & ~(u64)(PAGE_SIZE - 1)));
	if (boot.acpi->has_hpet)
		KTEST_CHECK(!arch_device_kernel_owns(boot.acpi->hpet_addr & ~(u64)(PAGE_SIZE - 1)));
	return NULL;
}
