/*
 * t_devmem.c - device memory: the rules of SYS_MAP_DEVICE (RAM refused,
 * the kernel's pages refused, rights, alignment, ranges), and a real
 * device's registers used through it: the HPET's capabilities read, its
 * counter started and seen counting, then stopped again.
 */
#include "ct.h"

#define HPET_CAPS	  0x00 /* vendor, revision; bits 63:32 the period in femtoseconds */
#define HPET_CONFIG	  0x10 /* bit 0: the main counter runs */
#define HPET_COUNTER	  0xf0
#define HPET_MAX_FS	  100000000ul /* the specification's longest period: 100 ns */
/* Where GRUB loads the kernel (kernel/include/keel/layout.h's KERNEL_PHYS_LOAD). */
#define KERNEL_IMAGE_PHYS 0x200000ul

/* A free user address with its tables present: a scratch mapping's, unmapped again. */
static unsigned long free_va(void)
{
	unsigned long f = frame_alloc();
	if (!f)
		return 0;
	void *p = scratch_map(f, KEEL_MAP_R);
	if (p)
		scratch_unmap(p, 1);
	frame_free(f);
	return (unsigned long)p;
}

static void devmem_rules(void)
{
	unsigned long dev = ct.bi->devices, self = ct.bi->self_as, R = KEEL_MAP_R;
	unsigned long va = free_va(), ram = ct.bi->ranges[0].base;
	int part = slot_alloc();

	test_begin("devmem_rules");
	expect(va != 0 && part >= 0, "a free address and a slot");
	expect_eq(keel_cap_info(dev), (long)(KEEL_CAP_DEVICE << 8 | KEEL_DEV_R | KEEL_DEV_W),
		  "the boot capability");
	expect_eq(keel_map_device(self, va, dev, ram, R), -KEEL_EROLE, "RAM");
	if (ct.bi->module_count)
		expect_eq(keel_map_device(self, va, dev, ct.bi->modules[0].base & ~PAGE_MASK, R),
			  -KEEL_EROLE, "a boot module");
	expect_eq(keel_map_device(self, va, dev, KERNEL_IMAGE_PHYS, R), -KEEL_EKERNEL,
		  "the kernel's image");
	if (ct.bi->hpet) /* ACPI: an I/O APIC is listed, at the usual address on QEMU and Bochs */
		expect_eq(keel_map_device(self, va, dev, 0xfec00000ul, R), -KEEL_EKERNEL,
			  "the I/O APIC");
	expect_eq(keel_map_device(self, va, dev, KEEL_APIC_WINDOW, R), -KEEL_EKERNEL,
		  "the local APIC's window");
	expect_eq(keel_map_device(self, va, dev, KEEL_APIC_WINDOW_END - PAGE_SIZE, R),
		  -KEEL_EKERNEL, "its last page");
	expect_eq(keel_map_device(self, va, dev, 0xfed00001ul, R), -KEEL_EINVAL, "unaligned");
	expect_eq(keel_map_device(self, va, dev, ct.bi->devices_size, R), -KEEL_EINVAL,
		  "past the physical address space");
	expect_eq(keel_map_device(self, va, dev, 0xfed00000ul, R | KEEL_MAP_X), -KEEL_EINVAL,
		  "executable");
	expect_eq(keel_map_device(self, va, dev, 0xfed00000ul, R | KEEL_MAP_LARGE), -KEEL_EINVAL,
		  "a large page");
	expect_eq(keel_map_device(self, va, dev, 0xfed00000ul, KEEL_MAP_W), -KEEL_EINVAL,
		  "without R");
	expect_eq(keel_map_device(self, KEEL_USER_TOP, dev, 0xfed00000ul, R), -KEEL_EFAULT,
		  "above user space");
	/* A read-only part of one page. */
	expect_eq(keel_device_derive(dev, 0xfed00000ul, PAGE_SIZE, KEEL_DEV_R, (unsigned long)part),
		  0, "a read-only page");
	expect_eq(keel_device_derive(dev, 0xfed00000ul, PAGE_SIZE, KEEL_MEM_KMEM, EMPTY_SLOT),
		  -KEEL_EINVAL, "a right device memory does not have");
	unsigned long p = (unsigned long)part;
	expect_eq(keel_map_device(self, va, p, 0, R | KEEL_MAP_W), -KEEL_EPERM,
		  "writable through a read-only part");
	expect_eq(keel_map_device(self, va, p, PAGE_SIZE, R), -KEEL_EINVAL, "past the part");
	expect_eq(keel_map_device(self, va, p, 0, R), 0, "mapped");
	expect_eq(keel_map_device(self, va, p, 0, R), -KEEL_EEXIST, "mapped twice");
	/* No memory capability holds it, not even one for all of RAM and more. */
	expect_eq(keel_lookup(self, va, ct.mem), -KEEL_EPERM, "looked up through memory");
	expect_eq(keel_unmap(self, va, ct.mem), -KEEL_EPERM, "unmapped through memory");
	expect_eq(keel_unmap_range(self, va, 1, ct.mem), -KEEL_EPERM,
		  "range-unmapped through memory");
	expect_eq(keel_lookup(self, va, KEEL_CAP_NONE), -KEEL_EINVAL, "a lookup needs memory");
	expect_eq(keel_unmap(self, va, KEEL_CAP_NONE), 0, "unmapped");
	expect_eq(keel_unmap(self, va, KEEL_CAP_NONE), -KEEL_ENOENT, "gone");
	expect_eq(keel_destroy(p), -KEEL_EPERM, "device memory is not an object");
	if (part >= 0)
		expect_eq(slot_drop(part), 0, "deleting the part");
	test_end();
}

static unsigned long rd64(volatile unsigned long *regs, unsigned off)
{
	return regs[off / 8];
}

static void devmem_hpet(void)
{
	unsigned long dev = ct.bi->devices, self = ct.bi->self_as, hpet = ct.bi->hpet;

	if (!hpet) {
		test_skip("devmem_hpet_counts", "no HPET in the ACPI tables");
		return;
	}
	test_begin("devmem_hpet_counts");
	unsigned long va = free_va();
	long r = va ? keel_map_device(self, va, dev, hpet & ~PAGE_MASK, KEEL_MAP_R | KEEL_MAP_W)
		    : -KEEL_EFULL;
	expect_eq(r, 0, "mapping the HPET's registers");
	if (r == 0) {
		volatile unsigned long *regs = (volatile unsigned long *)(va + (hpet & PAGE_MASK));
		unsigned long caps = rd64(regs, HPET_CAPS), period = caps >> 32;
		expect((caps & 0xff) != 0 && (caps >> 16 & 0xffff) != 0,
		       "a revision and a vendor: capabilities 0x%lx", caps);
		expect(period != 0 && period <= HPET_MAX_FS, "the counter's period: %lu fs",
		       period);
		unsigned long config = rd64(regs, HPET_CONFIG);
		regs[HPET_CONFIG / 8] = config | 1; /* run */
		unsigned long c0 = rd64(regs, HPET_COUNTER);
		sleep_ticks(2);
		unsigned long c1 = rd64(regs, HPET_COUNTER);
		regs[HPET_CONFIG / 8] = config; /* as it was */
		expect(c1 > c0, "the counter ran: 0x%lx then 0x%lx", c0, c1);
		expect_eq(keel_unmap(self, va, KEEL_CAP_NONE), 0, "unmapping it");
	}
	test_end();
}

void tests_devmem(void)
{
	devmem_rules();
	devmem_hpet();
}
