/*
 * root.c - load the first program (the pager) and give it the machine's
 * free memory (see keel/root.h and include/abi/bootinfo.h).
 */
#include <abi/bootinfo.h>
#include <abi/syscall.h>
#include <abi/uspace.h>
#include <keel/aspace.h>
#include <keel/cap.h>
#include <arch/cpu.h>
#include <arch/platform.h>
#include <arch/smp.h>
#include <keel/addr.h>
#include <keel/boot.h>
#include <common/cmdline.h>
#include <keel/bootmem.h>
#include <keel/console.h>
#include <common/elf.h>
#include <keel/frames.h>
#include <keel/irq.h>
#include <keel/kmem.h>
#include <keel/ktest.h>
#include <keel/root.h>
#include <common/string.h>
#include <keel/thread.h>

/*
 * The first program's stack, boot information and IPC buffer go where the
 * user address map (include/abi/uspace.h) puts them: PROG_STACK_*,
 * BOOTINFO_VADDR, ROOT_IPC_BUF.
 */
_Static_assert(KEEL_USER_TOP <= USER_END, "the user address map fits the user half");

static struct thread *root;
static u64 bootinfo_phys, bootinfo_pages;
static u64 taken; /* bytes of boot memory */

/* The end of the physical address space: the device memory capability's size. */
static u64 root_device_top(void)
{
	return 1ull << MIN(cpu_has.phys_bits, 52u);
}

/*
 * Test boots only: with fail-root-alloc=N on the command line, the Nth
 * allocation for the first program fails (0: none does), so that a
 * refusal part-way through loading can be tested (tools/boottest.py).
 */
static u64 fail_at, allocs;

static void fail_at_parse(void)
{
	char num[24];

	if (!boot.test_mode || !cmdline_get(boot.cmdline, "fail-root-alloc", num, sizeof(num)))
		return;
	for (const char *c = num; *c >= '0' && *c <= '9' && fail_at < 1000000; c++)
		fail_at = fail_at * 10 + (u64)(*c - '0');
}

static u64 zeroed_frames(struct bootmem *bm, u64 bytes)
{
	if (++allocs == fail_at)
		return BOOTMEM_FAIL;
	u64 pa = bootmem_alloc(bm, bytes, PAGE_SIZE, PHYS_MAX);
	if (pa != BOOTMEM_FAIL) {
		memset(phys_to_virt(pa), 0, bytes);
		taken += bytes;
	}
	return pa;
}

static u32 segment_rights(u32 flags)
{
	return KEEL_MAP_R | ((flags & ELF_PF_W) ? KEEL_MAP_W : 0) |
	       ((flags & ELF_PF_X) ? KEEL_MAP_X : 0);
}

/* Copy each segment into fresh frames and map them. */
static const char *load_image(struct bootmem *bm, struct aspace *as, const u8 *file,
			      const struct elf_image *img)
{
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		for (u64 va = ALIGN_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz;
		     va += PAGE_SIZE) {
			u64 frame = zeroed_frames(bm, PAGE_SIZE);
			if (frame == BOOTMEM_FAIL)
				return "out of memory for its image";
			u64 lo = MAX(va, s->vaddr), hi = MIN(va + PAGE_SIZE, s->vaddr + s->filesz);
			if (lo < hi)
				memcpy((u8 *)phys_to_virt(frame) + (lo - va),
				       file + s->offset + (lo - s->vaddr), hi - lo);
			aspace_boot_map(as, va, frame, segment_rights(s->flags));
		}
	}
	return NULL;
}

/*
 * The first program may take at most this share of the free boot memory
 * for its image: the rest is the pager's to manage (and the image is
 * copied into fresh frames before the pager runs, so an image that fits
 * only by taking nearly all of it would leave nothing).
 */
#define ROOT_IMAGE_SHARE 4 /* at most a quarter */

/* The pages the first program gets, in address order (see load()). */
struct root_span {
	u64 lo, hi; /* page-aligned */
};

/*
 * How many page tables (PDPTs, page directories and page tables) map
 * `spans`, which are sorted and do not overlap: each distinct index at
 * each level is one table.
 */
static u64 tables_needed(const struct root_span *spans, size_t n)
{
	static const int shift[] = { 39, 30, 21 }; /* one PDPT, PD, PT covers 1 << shift */
	u64 total = 0;

	for (size_t l = 0; l < sizeof(shift) / sizeof(shift[0]); l++) {
		u64 last = ~0ull;
		for (size_t i = 0; i < n; i++) {
			u64 first = spans[i].lo >> shift[l], end = (spans[i].hi - 1) >> shift[l];
			total += end - first + 1 - (first == last);
			last = end;
		}
	}
	return total;
}

/*
 * Will the program fit the boot memory it may use?  Checked before
 * anything is allocated, so a refusal leaves nothing behind: NULL, or why
 * not (in `why`).
 */
static const char *check_fits(struct bootmem *bm, const struct elf_image *img, u64 info_pages,
			      char *why, size_t size)
{
	struct root_span spans[ELF_MAX_SEGMENTS + 3];
	u64 image = 0;
	size_t n = 0;

	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *sg = &img->segs[i];
		spans[n] = (struct root_span){ ALIGN_DOWN(sg->vaddr, PAGE_SIZE),
					       ALIGN_UP(sg->vaddr + sg->memsz, PAGE_SIZE) };
		image += spans[n].hi - spans[n].lo;
		n++;
	}
	spans[n++] = (struct root_span){ BOOTINFO_VADDR, BOOTINFO_VADDR + info_pages * PAGE_SIZE };
	spans[n++] = (struct root_span){ ROOT_IPC_BUF, ROOT_IPC_BUF + PAGE_SIZE };
	spans[n++] = (struct root_span){ PROG_STACK_BASE, PROG_STACK_TOP };
	u64 may = bootmem_free_bytes(bm) / ROOT_IMAGE_SHARE;
	if (image > may) {
		fmt_snprintf(
		    why, size,
		    "its image needs %lu bytes, more than the %lu of boot memory it may take",
		    image, may);
		return why;
	}
	/* Its address space (object, PML4, capability space) and its thread come from there too. */
	u64 tables = tables_needed(spans, n), room = kmem_boot_frames_left();
	if (tables + 4 > room) {
		fmt_snprintf(why, size,
			     "it needs %lu page-table frames, and the boot chunk has room for %lu",
			     tables, room > 4 ? room - 4 : 0);
		return why;
	}
	return NULL;
}

static const char *refusal;

const char *root_refusal(void)
{
	return refusal;
}

/*
 * The boot allocator and the boot chunk as they were before loading: a
 * refusal part-way puts both back, so it leaves nothing behind (the
 * program's share of the footprint is 0, and the pager gets every frame).
 * check_fits refuses most programs before anything is taken; this covers
 * what it cannot foresee (a run of frames the allocator does not have in
 * one piece).
 */
static struct bootmem bm_before;

static void give_back(struct bootmem *bm, u64 chunk_mark)
{
	*bm = bm_before;
	kmem_boot_rewind(chunk_mark);
	root = NULL;
	taken = 0;
}

static const char *load_parts(struct bootmem *bm);

static const char *load(struct bootmem *bm)
{
	u64 mark = kmem_boot_mark();
	const char *no;

	fail_at_parse();
	bm_before = *bm;
	if ((no = load_parts(bm)))
		give_back(bm, mark);
	return no;
}

static const char *load_parts(struct bootmem *bm)
{
	static struct elf_image img;
	static char why[160]; /* a refusal with numbers in it */

	if (!boot.info.module_count)
		return "there is no GRUB module";
	const struct mb2_module *m = &boot.info.modules[0];
	int err = elf_check(phys_to_virt(m->start), m->end - m->start, KEEL_USER_TOP, &img);
	if (err)
		return elf_strerror(err);
	/*
	 * The program lies in its image area (include/abi/uspace.h): below the
	 * windows the user library maps for the root (scratch, nodes, threads)
	 * and the pages the kernel puts here (boot information, stack).
	 */
	for (size_t i = 0; i < img.nsegs; i++)
		if (img.segs[i].vaddr + img.segs[i].memsz > ROOT_SCRATCH_BASE)
			return "a segment reaches past the image area (ROOT_SCRATCH_BASE, 4 GB)";
	/* Room for every free range, with some to spare for the ones to come. */
	u64 bytes = sizeof(struct bootinfo) + (bm->count + 16) * sizeof(struct bootinfo_range);
	bootinfo_pages = MIN(DIV_ROUND_UP(bytes, PAGE_SIZE), BOOTINFO_MAX_PAGES);
	const char *no = check_fits(bm, &img, bootinfo_pages, why, sizeof(why));
	if (no)
		return no;

	struct aspace *as = aspace_make(kmem_boot_frame(), kmem_boot_frame(), kmem_boot_frame());
	if ((no = load_image(bm, as, phys_to_virt(m->start), &img)))
		return no;
	u64 stack = zeroed_frames(bm, PROG_STACK_SIZE);
	u64 buf = zeroed_frames(bm, PAGE_SIZE);
	bootinfo_phys = zeroed_frames(bm, bootinfo_pages * PAGE_SIZE);
	if (stack == BOOTMEM_FAIL || buf == BOOTMEM_FAIL || bootinfo_phys == BOOTMEM_FAIL)
		return "out of memory for its stack and boot information";
	for (u64 off = 0; off < PROG_STACK_SIZE; off += PAGE_SIZE)
		aspace_boot_map(as, PROG_STACK_BASE + off, stack + off, KEEL_MAP_R | KEEL_MAP_W);
	for (u64 p = 0; p < bootinfo_pages; p++)
		aspace_boot_map(as, BOOTINFO_VADDR + p * PAGE_SIZE, bootinfo_phys + p * PAGE_SIZE,
				KEEL_MAP_R);
	aspace_boot_map(as, ROOT_IPC_BUF, buf, KEEL_MAP_R | KEEL_MAP_W);

	root = kmem_object_make(kmem_boot_frame(), KOBJ_THREAD);
	thread_init(root, as, buf, 0);
	root->is_root = true;
	/*
	 * Its capabilities: all of physical memory (the frames' roles still
	 * say what each may be used for), its address space and its thread.
	 */
	cap_set_memory(&as->caps[BOOTINFO_SLOT_MEMORY], 0, kmem_phys_top(), CAP_RIGHTS_MEMORY);
	cap_set(&as->caps[BOOTINFO_SLOT_AS], CAP_ASPACE, as, CAP_RIGHTS_ASPACE, 0);
	cap_set(&as->caps[BOOTINFO_SLOT_THREAD], CAP_THREAD, root, CAP_RIGHTS_THREAD, 0);
	cap_set_range(&as->caps[BOOTINFO_SLOT_IOPORT], CAP_IOPORT, 0, KEEL_IO_PORTS,
		      CAP_RIGHTS_IOPORT);
	cap_set_range(&as->caps[BOOTINFO_SLOT_IRQ], CAP_IRQ, 0, KEEL_IRQ_LINES, CAP_RIGHTS_IRQ);
	cap_set_device(&as->caps[BOOTINFO_SLOT_DEVICE], 0, root_device_top(), CAP_RIGHTS_DEVICE);
	root->regs.rip = img.entry;
	root->regs.rsp = PROG_STACK_TOP;
	root->regs.rdi = BOOTINFO_VADDR; /* main's first argument */
	klog("root", "loaded '%s': entry 0x%lx, %zu segment(s), %lu page-table frames", m->name,
	     img.entry, img.nsegs, (u64)as->tables);
	return NULL;
}

const char *root_load(struct bootmem *bm)
{
	return refusal = load(bm);
}

void root_fill_bootinfo(void)
{
	const struct frames *f = boot.frames;
	struct bootinfo *bi;
	u64 cap;

	if (!root)
		return;
	bi = phys_to_virt(bootinfo_phys);
	cap = (bootinfo_pages * PAGE_SIZE - sizeof(*bi)) / sizeof(struct bootinfo_range);
	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->cpu_count = smp_cpus;
	bi->self_as = BOOTINFO_SLOT_AS;
	bi->self_thread = BOOTINFO_SLOT_THREAD;
	bi->memory = BOOTINFO_SLOT_MEMORY;
	bi->memory_size = kmem_phys_top();
	bi->ioports = BOOTINFO_SLOT_IOPORT;
	bi->ioports_count = KEEL_IO_PORTS;
	bi->irqs = BOOTINFO_SLOT_IRQ;
	bi->irqs_count = KEEL_IRQ_LINES;
	bi->devices = BOOTINFO_SLOT_DEVICE;
	bi->devices_size = root_device_top();
	bi->hpet = boot.acpi && boot.acpi->has_hpet ? boot.acpi->hpet_addr : 0;
	arch_irq_isa_table(bi->isa_irq_gsi);
	bi->ipc_buffer = ROOT_IPC_BUF;
	str_copy(bi->cmdline, boot.cmdline, sizeof(bi->cmdline));
	for (size_t i = 0; i < boot.info.module_count && i < BOOTINFO_MAX_MODULES; i++) {
		const struct mb2_module *m = &boot.info.modules[i];
		bi->modules[i].base = m->start;
		bi->modules[i].size = m->end - m->start;
		str_copy(bi->modules[i].name, m->name, sizeof(bi->modules[i].name));
		bi->module_count++;
	}
	if (f->nuser > cap)
		klog("root", "only %lu of %zu free ranges fit the boot information", cap, f->nuser);
	for (size_t i = 0; i < f->nuser && i < cap; i++) {
		bi->ranges[i] =
		    (struct bootinfo_range){ f->user[i].base, f->user[i].end - f->user[i].base };
		bi->free_bytes += bi->ranges[i].size;
		bi->range_count++;
	}
	bi->total_size = (u32)(sizeof(*bi) + bi->range_count * sizeof(struct bootinfo_range));
}

struct thread *root_thread(void)
{
	return root;
}

const struct bootinfo *root_bootinfo(void)
{
	return phys_to_virt(bootinfo_phys);
}

u64 root_bytes(void)
{
	return taken;
}

bool root_start(void)
{
	if (!root)
		return false;
	sched_ready(root);
	return true;
}

/*
 * The first program (the pager) ended.  A test boot ends its run.  Any
 * other boot stops: every program depends on the pager, so nothing more
 * can run (the shell's `halt` ends the system this way).  The other CPUs
 * are stopped as a panic stops them, and the console is flushed without
 * its lock, which a stopped CPU may hold.
 */
void root_exited(i64 code)
{
	klog("root", "the first program ended (code %ld)", code);
	if (boot.test_mode) {
		if (code)
			ktest_report("first program's exit code", KEEL_TEST_FAIL, "it was not 0");
		platform_stop(ktest_finish() ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
	}
	u32 stopped = smp_stop_others();
	console_panic_mode();
	kprintf("[kernel] halted: nothing runs without the first program (%u other CPU(s) "
		"stopped)\n",
		stopped);
	platform_halt();
}
