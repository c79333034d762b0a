/*
 * main.c - the kernel's boot sequence, from boot.S's call to
 * `[kernel] boot complete`.
 *
 * Boot is a list of named steps; each returns NULL or why it failed, and a
 * failure stops the kernel with a message naming the step.
 */
#include <abi/bootinfo.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/irqchip.h>
#include <arch/kvspace.h>
#include <arch/lapic.h>
#include <arch/percpu.h>
#include <arch/platform.h>
#include <arch/ptcheck.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/trap.h>
#include <keel/aspace.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <keel/acpi.h>
#include <keel/addr.h>
#include <keel/boot.h>
#include <common/cmdline.h>
#include <keel/console.h>
#include <keel/kmem.h>
#include <keel/ktest.h>
#include <keel/lockwatch.h>
#include <keel/root.h>
#include <keel/syscall.h>
#include <common/string.h>
#include <keel/thread.h>

struct boot_state boot;

static struct memmap_entry raw_map[MEMMAP_MAX_RAW];
static struct memmap_entry clean_map[MEMMAP_MAX];
static struct bootmem boot_bootmem;
static u32 boot_magic;
static struct acpi_info acpi;
static u32 cpu_apic_ids[PERCPU_MAX_CPUS];
static u32 cpu_count = 1;

void kernel_main(u32 magic, u64 mbi_phys);
void kernel_crash(const char *what);

static const char *step_traps(void)
{
	gdt_init();
	idt_init();
	return NULL;
}

static const char *step_cpu(void)
{
	cpu_detect();
	klog("cpu",
	     "%s, 1 GB pages %s, global pages %s, SMEP %s, SMAP %s, UMIP %s, x2APIC %s, %u "
	     "physical address bits",
	     cpu_has.vendor, cpu_has.pdpe1gb ? "yes" : "no", cpu_has.pge ? "yes" : "no",
	     cpu_has.smep ? "yes" : "no", cpu_has.smap ? "yes" : "no", cpu_has.umip ? "yes" : "no",
	     cpu_has.x2apic ? "yes" : "no", cpu_has.phys_bits);
	return NULL;
}

/*
 * Copies of what the kernel keeps from the Multiboot2 information: after
 * the switch to the kernel's own tables, the information is reachable only
 * if it happens to lie in whole pages of RAM, so nothing may point into it.
 */
static char boot_strings[4096];
static size_t boot_strings_used;
static u8 boot_rsdp[2][64];

/*
 * The command line has a buffer of its own, so that a long one cannot
 * take the module names' room.  Longer ones are cut, and the log says so.
 */
#define BOOT_CMDLINE_MAX 4096
static char boot_cmdline[BOOT_CMDLINE_MAX];
_Static_assert(BOOTINFO_CMDLINE_MAX <= BOOT_CMDLINE_MAX, "the first program's copy is a prefix");

static const char *keep_cmdline(const char *s)
{
	size_t n = str_nlen(s, BOOT_CMDLINE_MAX);

	if (n == BOOT_CMDLINE_MAX) {
		n = BOOT_CMDLINE_MAX - 1;
		klog("boot",
		     "the command line is longer than the %zu bytes the kernel keeps "
		     "(BOOT_CMDLINE_MAX): the rest is ignored",
		     n);
	}
	memcpy(boot_cmdline, s, n);
	boot_cmdline[n] = '\0';
	if (n >= BOOTINFO_CMDLINE_MAX)
		klog("boot",
		     "the command line has %zu bytes: the first program sees only the first %d "
		     "(BOOTINFO_CMDLINE_MAX)",
		     n, BOOTINFO_CMDLINE_MAX - 1);
	return boot_cmdline;
}

/* Copy a string into boot_strings; truncated (with a log line) if full. */
static const char *keep_string(const char *s)
{
	size_t room = sizeof(boot_strings) - boot_strings_used;
	size_t n = str_nlen(s, room - 1);
	char *copy = &boot_strings[boot_strings_used];

	if (room == 0)
		return "";
	if (s[n] != '\0')
		klog("boot", "string from the boot loader truncated to %zu bytes", n);
	memcpy(copy, s, n);
	copy[n] = '\0';
	boot_strings_used += n + 1;
	return copy;
}

static const void *keep_rsdp(int i, const void *rsdp, size_t *len)
{
	if (!rsdp)
		return NULL;
	*len = MIN(*len, sizeof(boot_rsdp[i]));
	memcpy(boot_rsdp[i], rsdp, *len);
	return boot_rsdp[i];
}

static void keep_boot_info(struct mb2_info *info)
{
	if (info->cmdline)
		info->cmdline = keep_cmdline(info->cmdline);
	if (info->bootloader)
		info->bootloader = keep_string(info->bootloader);
	for (size_t i = 0; i < info->module_count; i++)
		info->modules[i].name = keep_string(info->modules[i].name);
	info->rsdp_v1 = keep_rsdp(0, info->rsdp_v1, &info->rsdp_v1_len);
	info->rsdp_v2 = keep_rsdp(1, info->rsdp_v2, &info->rsdp_v2_len);
	/* Not needed after boot, and would dangle: drop them. */
	info->efi_mmap = NULL;
	info->efi_mmap_size = 0;
}

_Static_assert(MB2_MAX_MODULES == 64 && MEMMAP_MAX_RAW == 1024, "messages below");

static const char *step_boot_info(void)
{
	struct mb2_info *info = &boot.info;

	/* The boot tables reach the first 4 GB; the information is below. */
	if (boot.mbi_phys >= BOOT_MAP_SIZE - MB2_MAX_TOTAL_SIZE)
		return "Multiboot2 information is not below 4 GB";
	info->mmap = raw_map;
	info->mmap_cap = ARRAY_SIZE(raw_map);
	int st = mb2_parse(phys_to_virt(boot.mbi_phys), boot_magic, info);
	if (st != MB2_OK)
		return mb2_strerror(st);
	for (size_t i = 0; i < info->problem_count; i++)
		klog("boot", "bad Multiboot2 tag %u at offset %u: %s", info->problems[i].tag_type,
		     info->problems[i].offset, info->problems[i].what);
	if (info->problems_total > info->problem_count)
		klog("boot", "... and %zu more bad tags",
		     info->problems_total - info->problem_count);
	/*
	 * Bad tags are skipped, except where skipping could hand out memory
	 * that is in use: then the kernel cannot go on safely.
	 */
	if (!info->complete)
		return "the Multiboot2 tag list is broken (see above), so memory in use is unknown";
	if (info->module_tags != info->module_count)
		return "a module tag is bad or there are more than 64 modules, so memory in use is "
		       "unknown";
	if (!info->has_mmap || info->mmap_count == 0)
		return "the boot loader gave no memory map (Multiboot2 tag 6)";
	if (info->mmap_dropped)
		return "the memory map has more than 1024 entries (MEMMAP_MAX_RAW)";
	keep_boot_info(info);
	boot.cmdline = info->cmdline ? info->cmdline : "";
	boot.test_mode = cmdline_has(boot.cmdline, "test");
	lockwatch_on = boot.test_mode;
	klog("boot", "loader \"%s\", command line \"%s\", %s, %zu module(s)",
	     info->bootloader ? info->bootloader : "?", boot.cmdline, info->efi ? "UEFI" : "BIOS",
	     info->module_count);
	for (size_t i = 0; i < info->module_count; i++)
		klog("boot", "module %zu: 0x%lx-0x%lx %s", i, info->modules[i].start,
		     info->modules[i].end, info->modules[i].name);
	klog("boot", "Multiboot2 information at 0x%lx-0x%lx (%u bytes)", boot.mbi_phys,
	     boot.mbi_phys + info->total_size - 1, info->total_size);
	return NULL;
}

static const char *step_memmap(void)
{
	struct memmap_report rep;
	u64 ram = 0;

	boot.memmap = clean_map;
	boot.memmap_count =
	    memmap_sanitize(raw_map, boot.info.mmap_count, clean_map, ARRAY_SIZE(clean_map), &rep);
	if (rep.unsorted || rep.overlaps || rep.empty || rep.wrapped || rep.unknown ||
	    rep.truncated || boot.info.mmap_dropped)
		klog("mm",
		     "memory map repaired: %zu unsorted, %zu overlapping, %zu empty, "
		     "%zu wrapping, %zu unknown type, %zu dropped",
		     rep.unsorted, rep.overlaps, rep.empty, rep.wrapped, rep.unknown,
		     rep.truncated + boot.info.mmap_dropped);
	for (size_t i = 0; i < boot.info.mmap_count; i++)
		if (raw_map[i].type < MEMMAP_AVAILABLE || raw_map[i].type > MEMMAP_BAD)
			klog("mm", "0x%lx-0x%lx has unknown type %u: treated as reserved",
			     raw_map[i].base, raw_map[i].base + raw_map[i].length - 1,
			     raw_map[i].type);
	klog("mm", "physical memory map (%zu entries from the loader):", boot.info.mmap_count);
	for (size_t i = 0; i < boot.memmap_count; i++) {
		const struct memmap_entry *e = &clean_map[i];
		klog("mm", "  0x%016lx-0x%016lx %s", e->base, e->base + e->length - 1,
		     memmap_type_name(e->type));
		if (e->type == MEMMAP_AVAILABLE)
			ram += e->length;
	}
	klog("mm", "%lu bytes (%lu MB) of available RAM", ram, ram >> 20);
	return NULL;
}

/* Take from the allocator everything that is already in use. */
static const char *step_bootmem(void)
{
	struct bootmem *bm = &boot_bootmem;
	const struct mb2_info *info = &boot.info;
	int err = 0;

	boot.bootmem = bm;
	bootmem_init(bm, boot.memmap, boot.memmap_count);
	/* RAM the direct map cannot reach is of no use to anyone. */
	err |= bootmem_reserve(bm, PHYS_MAX, UINT64_MAX - PHYS_MAX);
	err |= bootmem_reserve(bm, kimage_to_phys(__kernel_start),
			       (u64)(__kernel_end - __kernel_start));
	err |= bootmem_reserve(bm, boot.mbi_phys, info->total_size);
	for (size_t i = 0; i < info->module_count; i++)
		err |= bootmem_reserve(bm, info->modules[i].start,
				       info->modules[i].end - info->modules[i].start);
	/* One free frame below 1 MB where the other CPUs will start. */
	if (!smp_reserve_trampoline(bm))
		klog("mm", "no free frame below 1 MB: only the boot CPU will run");
	/* The rest of the first megabyte: BIOS data, EBDA, real-mode structures. */
	err |= bootmem_reserve(bm, 0, 1 << 20);
	if (err)
		klog("mm", "boot allocator list full: %zu free ranges dropped", bm->dropped);
	if (bootmem_free_bytes(bm) == 0)
		return "no free memory left after the kernel, modules and boot information";
	return NULL;
}

static const char *step_address_space(void)
{
	const char *err = kvspace_build(boot.bootmem, boot.memmap, boot.memmap_count);
	if (err)
		return err;
	kvspace_activate();
	cpu_enable_protection();
	/* The local APIC's registers, uncached, for the next steps. */
	u64 apic = rdmsr(MSR_APIC_BASE) & PTE_ADDR_MASK;
	if (!kvspace_map_device(apic, PAGE_SIZE))
		klog("mm", "local APIC at 0x%lx not mapped: it overlaps RAM", apic);
	boot.pagetable_bytes = kvspace_env.tables * PAGE_SIZE;
	return NULL;
}

/* ACPI tables are reached through the direct map, firmware pages read-only. */
static const void *acpi_map(void *ctx, u64 phys, u64 len)
{
	if (len == 0 || phys + len < phys || phys + len > PHYS_MAX ||
	    !kvspace_map_firmware(phys, len))
		return NULL;
	return phys_to_virt(phys);
}

static bool id_listed(const u32 *ids, u32 n, u32 id)
{
	for (u32 i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * For the boot test of a CPU that never answers its start-up IPIs: add an
 * APIC ID that no CPU has (counting down from 0xfe, below the broadcast).
 */
static void add_absent_cpu(void)
{
	u32 id = 0xfe;

	while (id > 0 && id_listed(cpu_apic_ids, cpu_count, id))
		id--;
	if (id_listed(cpu_apic_ids, cpu_count, id))
		return; /* every xAPIC ID is taken */
	cpu_apic_ids[cpu_count++] = id;
	smp_absent_cpus = 1;
	klog("acpi", "smp-absent-cpu: added APIC %u, which does not exist", id);
}

/*
 * The CPUs to start: the boot CPU first, then every enabled CPU in the
 * MADT.  Without a usable MADT: the boot CPU alone.
 */
static const char *step_acpi(void)
{
	const struct mb2_info *info = &boot.info;
	const void *rsdp = info->rsdp_v2 ? info->rsdp_v2 : info->rsdp_v1;
	size_t len = info->rsdp_v2 ? info->rsdp_v2_len : info->rsdp_v1_len;
	u32 bsp = cpu_apic_id();

	cpu_apic_ids[0] = bsp;
	boot.acpi = &acpi;
	if (!rsdp) {
		klog("acpi", "the boot loader gave no ACPI RSDP: running on one CPU");
		return NULL;
	}
	int st = acpi_parse(rsdp, len, acpi_map, NULL, &acpi);
	for (size_t i = 0; i < acpi.problem_count; i++)
		klog("acpi", "bad %s at offset %u: %s (skipped)", acpi.problems[i].sig,
		     acpi.problems[i].offset, acpi.problems[i].what);
	if (st != ACPI_OK) {
		klog("acpi", "%s: running on one CPU", acpi_strerror(st));
		return NULL;
	}
	for (size_t i = 0; i < kvspace_firmware_count; i++)
		klog("acpi", "firmware 0x%lx-0x%lx mapped read-only (ACPI tables)",
		     kvspace_firmware[i].base,
		     kvspace_firmware[i].base + kvspace_firmware[i].size - 1);
	if (!acpi.has_madt) {
		klog("acpi", "no usable MADT: running on one CPU");
		return NULL;
	}
	bool bsp_listed = false;
	u32 capable = 0;
	for (size_t i = 0; i < acpi.cpu_count; i++) {
		const struct acpi_cpu *c = &acpi.cpus[i];
		if (c->apic_id == bsp) {
			bsp_listed = true;
			continue;
		}
		if (!c->enabled) {
			capable++;
			continue;
		}
		if (c->apic_id > 0xfe && !cpu_has.x2apic) {
			klog("acpi", "APIC ID %u needs x2APIC, which this CPU lacks: not started",
			     c->apic_id);
			continue;
		}
		if (cpu_count == PERCPU_MAX_CPUS) {
			klog("acpi", "more than %d CPUs: the rest are not used", PERCPU_MAX_CPUS);
			break;
		}
		cpu_apic_ids[cpu_count++] = c->apic_id;
	}
	if (!bsp_listed) {
		klog("acpi", "the MADT does not list the boot CPU (APIC %u): running on one CPU",
		     bsp);
		cpu_count = 1;
	}
	if (cmdline_has(boot.cmdline, "smp-absent-cpu") && cpu_count < PERCPU_MAX_CPUS)
		add_absent_cpu();
	klog("acpi",
	     "ACPI %s: %u CPU(s) enabled, %u online-capable (not started), "
	     "%zu I/O APIC(s), PM timer %s",
	     acpi.xsdt ? "2+ (XSDT)" : "1 (RSDT)", cpu_count, capable, acpi.ioapic_count,
	     acpi.pm_timer_port ? "yes" : "no");
	return NULL;
}

static void kernel_main_cpu0(void);

/* Slots for every CPU; then the boot CPU moves onto its own. */
static const char *step_percpu(void)
{
	const char *err = percpu_setup(boot.bootmem, cpu_apic_ids, cpu_count);
	if (err)
		return err;
	percpu_enter(0);
	return NULL;
}

static const char *step_interrupts(void)
{
	u64 base = acpi.lapic_addr ? acpi.lapic_addr : rdmsr(MSR_APIC_BASE) & PTE_ADDR_MASK;
	const char *err = lapic_init_bsp(base);
	if (err)
		return err;
	syscall_init_cpu();
	pic_disable(); /* first: nothing from the PICs may reach the APIC */
	lapic_init_cpu(true);
	u32 inputs = ioapic_setup(&acpi);
	klog("irq", "local APIC in %s mode, legacy PICs masked, %u I/O APIC inputs masked",
	     lapic_x2apic ? "x2APIC" : "xAPIC", inputs);
	return NULL;
}

static const char *step_time(void)
{
	time_use_reference(&acpi);
	smp_park_aps();
	const char *err = time_calibrate();
	if (err)
		return err;
	klog("time", "TSC %lu kHz, APIC timer %u kHz (measured against the %s)", tsc_khz,
	     lapic_timer_khz, time_reference);
	time_tick_start();
	klog("cpu", "cpu 0 apic %u online, per-cpu 0x%lx", this_cpu()->apic_id, (u64)this_cpu());
	smp_online = 1;
	this_cpu()->state = CPU_ONLINE;
	irq_enable();
	return NULL;
}

static const char *step_cpus(void)
{
	smp_stall_cpus = cmdline_has(boot.cmdline, "smp-stall-cpu") && percpu_count > 1;
	const char *err = smp_start_aps(boot.bootmem);
	/*
	 * The in-kernel tests look at every CPU: a test boot waits for them
	 * here.  Otherwise they come online while the first program runs.
	 */
	if (!err && boot.test_mode)
		smp_wait_started();
	return err;
}

/*
 * Kernel memory for objects, and the first program.  A program that cannot
 * be loaded is reported, and the kernel goes on without it.
 */
static const char *step_root(void)
{
	const char *err = kmem_init(boot.bootmem);
	if (err)
		return err;
	vspace_init_cpu();
	klog("mm", "address-space switches %s",
	     vspace_pcid ? "keep TLB entries (PCIDs)" : "flush the TLB (no PCIDs)");
	err = root_load(boot.bootmem);
	if (err)
		klog("root", "cannot start the first program: %s", err);
	return NULL;
}

static void print_size(const char *what, u64 bytes)
{
	kprintf("[kernel]   %-12s %12lu bytes\n", what, bytes);
}

/*
 * Frame roles for the memory syscalls: the free list at the end of boot is
 * what the pager will own; the modules it may map; nothing else.
 */
static struct frames boot_frames;

static const char *step_frames(void)
{
	const struct bootmem *bm = boot.bootmem;
	static struct range mods[MB2_MAX_MODULES];
	size_t n = 0;

	for (size_t i = 0; i < boot.info.module_count; i++) {
		struct range r = { ALIGN_DOWN(boot.info.modules[i].start, PAGE_SIZE),
				   ALIGN_UP(boot.info.modules[i].end, PAGE_SIZE) };
		if (r.base == r.end)
			continue; /* an empty module (GRUB puts it at 0) has no frames */
		size_t j = n++;	  /* insertion sort: the loader need not order them */
		for (; j > 0 && mods[j - 1].base > r.base; j--)
			mods[j] = mods[j - 1];
		mods[j] = r;
	}
	if (frames_init(&boot_frames, bm->free, bm->count, mods, n))
		klog("mm",
		     "more free ranges than frame roles can hold: some RAM is not the pager's");
	boot.frames = &boot_frames;
	return NULL;
}

static const char *step_report(void)
{
	struct ptcheck_stats st;

	ptcheck_collect(&st);
	klog("kernel", "address space (what is mapped now):");
	for (int i = 0; i < LAYOUT_REGION_COUNT; i++) {
		const struct layout_region *r = &layout_regions[i];
		kprintf("[kernel]   0x%016lx-0x%016lx %-10s %14lu bytes mapped "
			"(4K x %lu, 2M x %lu, 1G x %lu)\n",
			r->base, r->base + r->size - 1, r->name, st.region[i].bytes,
			st.region[i].pages[0], st.region[i].pages[1], st.region[i].pages[2]);
	}
	if (st.outside)
		return "pages are mapped outside the layout's regions";
	u64 image = (u64)(__kernel_end - __kernel_start);
	u64 tables = boot.pagetable_bytes - percpu_table_bytes;
	boot.footprint_bytes =
	    tables + percpu_bytes + smp_startup_bytes + kmem_boot_bytes() + root_bytes();
	boot.bootmem_taken = boot.bootmem->allocated;
	klog("kernel", "footprint:");
	print_size("image", image);
	print_size("page tables", tables);
	print_size("per-cpu", percpu_bytes);
	kprintf("[kernel]   %-12s %12lu bytes for each of %u CPUs (with its page tables)\n", "",
		percpu_bytes / percpu_count, percpu_count);
	print_size("AP start-up", smp_startup_bytes);
	print_size("objects", kmem_boot_bytes());
	kprintf("[kernel]   %-12s %12s (the count index, and the boot chunk for the first\n"
		"[kernel]   %-12s %12s program's objects)\n",
		"", "", "", "");
	print_size("program", root_bytes());
	kprintf("[kernel]   %-12s %12s (the first program's image, stack and boot "
		"information)\n",
		"", "");
	print_size("total", image + boot.footprint_bytes);
	klog("mm", "%lu bytes left free for the pager", bootmem_free_bytes(boot.bootmem));
	return step_frames();
}

struct boot_step {
	const char *name;
	const char *(*run)(void);
};

static void run_steps(const struct boot_step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *err = steps[i].run();
		if (err)
			panic("boot step '%s' failed: %s", steps[i].name, err);
	}
}

/* On the boot stack in the image. */
static const struct boot_step early_steps[] = {
	{ "traps", step_traps },
	{ "cpu", step_cpu },
	{ "boot information", step_boot_info },
	{ "memory map", step_memmap },
	{ "boot allocator", step_bootmem },
	{ "kernel address space", step_address_space },
	{ "acpi", step_acpi },
	{ "per-cpu", step_percpu },
};

/* On the boot CPU's own kernel stack, in its per-CPU slot. */
static const struct boot_step late_steps[] = {
	{ "interrupts", step_interrupts },
	{ "time", step_time },
	{ "cpus", step_cpus },
	{ "first program", step_root },
};

void kernel_main(u32 magic, u64 mbi_phys)
{
	console_init();
	klog("kernel", "Keel starting");
	boot_magic = magic;
	boot.mbi_phys = mbi_phys;
	boot.cmdline = "";
	run_steps(early_steps, ARRAY_SIZE(early_steps));
	arch_switch_stack(this_cpu()->kstack_top, kernel_main_cpu0);
}

static void kernel_main_cpu0(void)
{
	run_steps(late_steps, ARRAY_SIZE(late_steps));
	/* Page tables are final now: the report counts per-CPU tables too. */
	boot.pagetable_bytes = kvspace_env.tables * PAGE_SIZE;
	const char *err = step_report();
	if (err)
		panic("boot step 'report' failed: %s", err);
	root_fill_bootinfo();
	syscall_decode_init();
	klog("time", "kernel entered at TSC %lu, boot complete at TSC %lu", boot_entry_tsc,
	     rdtsc());
	klog("kernel", "boot complete");

	char what[32];
	if (cmdline_get(boot.cmdline, "crash", what, sizeof(what)))
		kernel_crash(what);
	if (boot.test_mode)
		ktest_run();
	if (!root_start()) {
		klog("kernel", "no first program to run: the CPUs idle");
		if (boot.test_mode)
			platform_stop(ktest_finish() ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
	}
	sched_start();
}
