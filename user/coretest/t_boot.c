/*
 * t_boot.c - the boot information and SYS_INFO.
 */
#include "ct.h"

static int has_module(const char *name)
{
	return module_find(ct.bi, name) != 0;
}

static int terminated(const char *s, size_t max)
{
	for (size_t i = 0; i < max; i++)
		if (!s[i])
			return 1;
	return 0;
}

/* SYS_DEBUG_WRITE of one byte, again while the console is busy (0). */
static long write_one(const void *p)
{
	long r;

	for (int i = 0; (r = keel_debug_write(p, 1)) == 0 && i < WAIT_TICKS; i++)
		sleep_ticks(1);
	return r;
}

void tests_boot(void)
{
	const struct bootinfo *bi = ct.bi;

	test_begin("bootinfo_header");
	expect(bi == (const void *)BOOTINFO_VADDR, "at %p, want 0x%lx", bi,
	       (unsigned long)BOOTINFO_VADDR);
	expect(bi->magic == BOOTINFO_MAGIC, "magic 0x%lx", (unsigned long)bi->magic);
	expect_eq(bi->version, BOOTINFO_VERSION, "version");
	expect(bi->total_size >= sizeof(*bi) + bi->range_count * sizeof(bi->ranges[0]) &&
		   bi->total_size <= BOOTINFO_MAX_PAGES * PAGE_SIZE,
	       "total_size %u for %u ranges", bi->total_size, bi->range_count);
	test_end();

	test_begin("bootinfo_counts_cpus_and_ranges");
	expect(bi->cpu_count >= 1, "cpu_count %u", bi->cpu_count);
	expect_eq(bi->cpu_count, keel_info(KEEL_INFO_CPUS), "cpu_count against SYS_INFO");
	expect(bi->range_count > 0, "no free ranges");
	test_end();

	test_begin("bootinfo_ranges_sorted_summed");
	uint64_t sum = 0;
	for (uint32_t i = 0; i < bi->range_count; i++) {
		const struct bootinfo_range *r = &bi->ranges[i];
		sum += r->size;
		expect((r->base & PAGE_MASK) == 0 && (r->size & PAGE_MASK) == 0 && r->size > 0,
		       "range %u (0x%lx, 0x%lx) not whole pages", i, (unsigned long)r->base,
		       (unsigned long)r->size);
		expect(i == 0 || bi->ranges[i - 1].base + bi->ranges[i - 1].size <= r->base,
		       "range %u not sorted", i);
	}
	expect(sum == bi->free_bytes, "ranges sum to 0x%lx, free_bytes 0x%lx", (unsigned long)sum,
	       (unsigned long)bi->free_bytes);
	test_end();

	test_begin("bootinfo_modules_listed");
	expect(bi->module_count >= 4 && bi->module_count <= BOOTINFO_MAX_MODULES, "module_count %u",
	       bi->module_count);
	for (uint32_t i = 0; i < bi->module_count && i < BOOTINFO_MAX_MODULES; i++)
		expect(terminated(bi->modules[i].name, BOOTINFO_NAME_MAX) && bi->modules[i].size,
		       "module %u: name not terminated or empty", i);
	expect(has_module("utest") && has_module("ukill") && has_module("unt") &&
		   has_module("ufuzz"),
	       "utest, ukill, unt and ufuzz are not all listed");
	test_end(); /* A test boot is one whose command line starts with `test`. */
	test_begin("bootinfo_cmdline");
	expect(terminated(bi->cmdline, BOOTINFO_CMDLINE_MAX), "not NUL-terminated");
	int says_test = bi->cmdline[0] == 't' && bi->cmdline[1] == 'e' && bi->cmdline[2] == 's' &&
			bi->cmdline[3] == 't';
	int is_test = keel_debug_test("probe", 3, 0) != -KEEL_ENOSYS; /* 3: EINVAL, no line */
	expect(says_test == is_test, "the command line `%s` and SYS_DEBUG_TEST disagree",
	       bi->cmdline);
	test_end();

	test_begin("bootinfo_self_objects");
	expect_eq((long)bi->memory, BOOTINFO_SLOT_MEMORY, "the memory capability's slot");
	expect_eq((long)bi->self_as, BOOTINFO_SLOT_AS, "the address space's slot");
	expect_eq((long)bi->self_thread, BOOTINFO_SLOT_THREAD, "the thread's slot");
	expect_eq((long)bi->ioports, BOOTINFO_SLOT_IOPORT, "the I/O port capability's slot");
	expect_eq((long)bi->ioports_count, KEEL_IO_PORTS, "the ports it covers");
	expect_eq((long)bi->irqs, BOOTINFO_SLOT_IRQ, "the interrupt capability's slot");
	expect_eq((long)bi->irqs_count, KEEL_IRQ_LINES, "the lines it covers");
	expect_eq((long)bi->devices, BOOTINFO_SLOT_DEVICE, "the device memory capability's slot");
	expect(bi->devices_size >= bi->memory_size && !(bi->devices_size & (bi->devices_size - 1)),
	       "device memory covers 0x%lx: all physical addresses",
	       (unsigned long)bi->devices_size);
	for (int i = 0; i < 16; i++)
		expect(bi->isa_irq_gsi[i] < KEEL_IRQ_LINES || bi->isa_irq_gsi[i] == 0xff,
		       "ISA IRQ %d on line %u", i, bi->isa_irq_gsi[i]);
	expect(bi->memory_size && (bi->memory_size & PAGE_MASK) == 0, "memory_size 0x%lx",
	       (unsigned long)bi->memory_size);
	for (uint32_t i = 0; i < bi->range_count; i++)
		expect(bi->ranges[i].base + bi->ranges[i].size <= bi->memory_size,
		       "free range %u (0x%lx) outside the memory capability (0x%lx)", i,
		       (unsigned long)bi->ranges[i].base, (unsigned long)bi->memory_size);
	expect(bi->ipc_buffer && (bi->ipc_buffer & PAGE_MASK) == 0 &&
		   bi->ipc_buffer < KEEL_USER_TOP,
	       "ipc_buffer at 0x%lx", (unsigned long)bi->ipc_buffer);
	test_end();

	/* Each boot capability: the right type, every right of its type. */
	static const struct {
		unsigned long slot, type, rights;
		const char *what;
	} boot_caps[] = {
		{ BOOTINFO_SLOT_MEMORY, KEEL_CAP_MEMORY,
		  KEEL_MEM_R | KEEL_MEM_W | KEEL_MEM_X | KEEL_MEM_KMEM, "memory" },
		{ BOOTINFO_SLOT_AS, KEEL_CAP_ASPACE,
		  KEEL_AS_MAP | KEEL_AS_CAPS | KEEL_AS_THREAD | KEEL_CAP_DESTROY, "address space" },
		{ BOOTINFO_SLOT_THREAD, KEEL_CAP_THREAD,
		  KEEL_TH_CONFIG | KEEL_TH_START | KEEL_CAP_DESTROY, "thread" },
		{ BOOTINFO_SLOT_IOPORT, KEEL_CAP_IOPORT, KEEL_IO_USE, "I/O ports" },
		{ BOOTINFO_SLOT_IRQ, KEEL_CAP_IRQ, KEEL_IRQ_BIND, "interrupt lines" },
		{ BOOTINFO_SLOT_DEVICE, KEEL_CAP_DEVICE, KEEL_DEV_R | KEEL_DEV_W, "device memory" },
	};
	test_begin("boot_capabilities_typed_with_every_right");
	for (unsigned i = 0; i < sizeof(boot_caps) / sizeof(boot_caps[0]); i++) {
		long r = keel_cap_info(boot_caps[i].slot);
		expect(r >= 0 && KEEL_CAP_TYPE(r) == boot_caps[i].type &&
			   KEEL_CAP_RIGHTS(r) == boot_caps[i].rights,
		       "the %s capability (slot %lu): cap_info 0x%lx, want type %lu rights 0x%lx",
		       boot_caps[i].what, boot_caps[i].slot, r, boot_caps[i].type,
		       boot_caps[i].rights);
	}
	/* Nothing else: 0 and 1 are left for the pager's protocol, the rest is ours. */
	int full = 0;
	long first = 0;
	for (unsigned long s = 0; s < KEEL_CAP_SLOTS; s++) {
		if (s == BOOTINFO_SLOT_MEMORY || s == BOOTINFO_SLOT_AS ||
		    s == BOOTINFO_SLOT_THREAD || s == BOOTINFO_SLOT_IOPORT ||
		    s == BOOTINFO_SLOT_IRQ || s == BOOTINFO_SLOT_DEVICE)
			continue;
		long r = keel_cap_info(s);
		if (r != -KEEL_ENOENT && !full++)
			first = (long)s;
	}
	expect(full == 0, "%d other slots are not empty (the first: %ld)", full, first);
	/* Destroying the running thread itself is refused, and changes nothing. */
	expect_eq(keel_destroy(BOOTINFO_SLOT_THREAD), -KEEL_EBUSY, "destroying the running thread");
	expect_eq(keel_cap_info(BOOTINFO_SLOT_THREAD) >= 0, 1, "its capability is still there");
	test_end();

	test_begin("bootinfo_ipc_buffer_mapped");
	if (bi->ipc_buffer && (bi->ipc_buffer & PAGE_MASK) == 0 && bi->ipc_buffer < KEEL_USER_TOP) {
		/* The kernel can read it (one byte, likely a NUL, goes to the console)... */
		volatile unsigned char *b = (unsigned char *)bi->ipc_buffer;
		long r = write_one((const void *)(bi->ipc_buffer + PAGE_SIZE - 1));
		expect_eq(r, 1, "SYS_DEBUG_WRITE of its last byte");
		if (r == 1) {
			/* ...and so can we, both ways. */
			b[0] = '\n';
			b[PAGE_SIZE - 1] = 0x5a;
			expect(b[0] == '\n' && b[PAGE_SIZE - 1] == 0x5a,
			       "it does not keep what we write");
			expect_eq(write_one((const void *)bi->ipc_buffer), 1,
				  "SYS_DEBUG_WRITE from it");
		}
		if (r == 1)
			b[PAGE_SIZE - 1] = 0;
	} else {
		expect(0, "no usable ipc_buffer");
	}
	test_end();

	test_begin("info_basics");
	expect_eq(keel_info(KEEL_INFO_CPU), 0, "SYS_INFO(CPU) of the root");
	expect(keel_info(KEEL_INFO_FASTPATH) >= 0, "SYS_INFO(FASTPATH) %ld",
	       keel_info(KEEL_INFO_FASTPATH));
	/* 4 and 5 were THREAD (an object's address) and AUTHORITY: gone. */
	expect_eq(keel_info(KEEL_INFO_TICKS + 1), -KEEL_EINVAL, "SYS_INFO(4), once THREAD");
	expect_eq(keel_info(KEEL_INFO_TICKS + 2), -KEEL_EINVAL, "SYS_INFO(5), once AUTHORITY");
	expect(keel_info(KEEL_INFO_IPC_FAST) >= 0, "SYS_INFO(IPC_FAST) %ld",
	       keel_info(KEEL_INFO_IPC_FAST));
	expect_eq(keel_info(KEEL_INFO_KMEM + 1), -KEEL_EINVAL, "SYS_INFO(an unknown number)");
	expect_eq(keel_info(~0ul), -KEEL_EINVAL, "SYS_INFO(~0)");
	expect_eq(keel_yield(), 0, "SYS_YIELD");
	long t0 = keel_info(KEEL_INFO_TICKS), t1 = t0;
	for (long i = 0; i < 2000000 && t1 == t0; i++)
		t1 = keel_info(KEEL_INFO_TICKS);
	expect(t0 >= 0 && t1 > t0, "SYS_INFO(TICKS) stays at %ld", t0);
	test_end();

	/* The indexed values the shell shows (cpus, irq, layout) and the log's backlog. */
	test_begin("info_indexed");
	long cpus = keel_info(KEEL_INFO_CPUS);
	expect(keel_info(KEEL_INFO_LOG) >= 0, "SYS_INFO(LOG) %ld", keel_info(KEEL_INFO_LOG));
	long ticks = keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_TICKS, 0));
	expect(ticks >= t1, "CPU 0's ticks %ld, against %ld read on it", ticks, t1);
	long idle = keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_IDLE, 0));
	expect(idle >= 0 && idle <= ticks, "CPU 0 idled %ld of %ld ticks", idle, ticks);
	/* Every CPU slot answers (one given up at start-up too), then EINVAL. */
	long slots = 0;
	while (slots < 1024 && keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_TICKS, slots)) >= 0)
		slots++;
	expect(slots >= cpus && slots < 1024, "%ld CPU slots answer, for %ld CPUs", slots, cpus);
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_CPU_IDLE, 1ul << 40)), -KEEL_EINVAL,
		  "a huge CPU number");
	expect(keel_info(KEEL_INFO_AT(KEEL_INFO_IRQ_TAKEN, KEEL_IRQ_LINES - 1)) >= 0,
	       "the last line's count");
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_IRQ_LOST, KEEL_IRQ_LINES)), -KEEL_EINVAL,
		  "a line past the last");
	/* Kernel memory: what we donated (root_pool's first chunk at least), the live objects. */
	expect(keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 0)) >= 0, "donated bytes %ld",
	       keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 0)));
	expect(keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 1)) >= 3, "live objects %ld",
	       keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 1)));
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 2)), -KEEL_EINVAL, "a KMEM index past 1");
	/* The regions: the user half first, then the direct map, which maps all RAM. */
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 0)), 0, "the user half's start");
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 1)), (long)(KEEL_USER_TOP + PAGE_SIZE),
		  "the user half's size");
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 6)), 0x72657375 /* "user" */,
		  "the user half's name");
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 2)), 0, "bytes mapped in the user half");
	expect_eq(keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 8)), (long)0xffff800000000000ul,
		  "the direct map's start");
	long direct = keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 8 + 2));
	expect(direct >= (long)bi->free_bytes, "the direct map maps %ld bytes", direct);
	long pages = keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 8 + 3)) +
		     (keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 8 + 4)) << 9) +
		     (keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, 8 + 5)) << 18);
	expect_eq(pages * PAGE_SIZE, direct, "its pages add up to its bytes");
	long n;
	for (n = 0; keel_info(KEEL_INFO_AT(KEEL_INFO_REGION, n * 8)) != -KEEL_EINVAL && n < 100;
	     n++)
		;
	expect_eq(n, 4, "regions in the layout");
	test_end();
}
