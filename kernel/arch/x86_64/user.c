/*
 * user.c - running a program in user mode, for now to completion on the
 * calling CPU (the in-kernel tests use it; the pager comes with threads).
 *
 * Memory for the program comes from the boot allocator and is not given
 * back (there is no free yet): this is for tests only, and the amount is
 * small (its pages and tables).
 */
#include <abi/bootinfo.h>
#include <abi/syscall.h>
#include <arch/smp.h>
#include <arch/gdt.h>
#include <arch/kvspace.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <keel/addr.h>
#include <keel/boot.h>
#include <keel/console.h>
#include <keel/elf.h>
#include <keel/string.h>

#define USER_STACK_SIZE (16ul << 10)
/* The stack ends one page below the last user page (never mapped). */
#define USER_STACK_TOP	(USER_END - 2 * PAGE_SIZE)

long user_enter(struct trap_frame *tf, u64 *saved_rsp);
_Noreturn void user_leave(u64 saved_rsp, long value);

static u64 saved_rsp;
static bool running;
static struct user_result *result;
static struct elf_image image;

bool user_active(void)
{
	return running;
}

static u64 user_alloc(void *ctx)
{
	return frames_alloc_zeroed(boot.bootmem, PAGE_SIZE, PHYS_MAX);
}

static pte_t *user_to_virt(void *ctx, u64 phys)
{
	return phys_to_virt(phys);
}

static struct pt_env user_env = { .alloc = user_alloc, .to_virt = user_to_virt };

/* Copy a string, truncating, always NUL-terminated. */
static void strncpy_nul(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const struct mb2_module *find_module(const char *name)
{
	for (size_t i = 0; i < boot.info.module_count; i++)
		if (strcmp(boot.info.modules[i].name, name) == 0)
			return &boot.info.modules[i];
	return NULL;
}

/* Map one page of a segment: a fresh frame with the file's bytes in it. */
static const char *load_page(u64 root, const u8 *file, const struct elf_segment *s, u64 va)
{
	u64 frame = user_alloc(NULL);
	if (frame == BOOTMEM_FAIL)
		return "out of memory for the program";
	/* The file's bytes that fall into [va, va + 4K). */
	u64 lo = MAX(va, s->vaddr), hi = MIN(va + PAGE_SIZE, s->vaddr + s->filesz);
	if (lo < hi)
		memcpy((u8 *)phys_to_virt(frame) + (lo - va), file + s->offset + (lo - s->vaddr),
		       hi - lo);
	u64 flags =
	    PTE_U | ((s->flags & ELF_PF_W) ? PTE_W : 0) | ((s->flags & ELF_PF_X) ? 0 : PTE_NX);
	if (pt_map(&user_env, root, va, frame, PAGE_SIZE, flags, PT_SIZE_4K))
		return "mapping the program failed";
	return NULL;
}

static const char *load(u64 root, const struct mb2_module *m)
{
	const u8 *file = phys_to_virt(m->start);
	int err = elf_check(file, m->end - m->start, USER_END - PAGE_SIZE, &image);
	const char *why;

	if (err)
		return elf_strerror(err);
	for (size_t i = 0; i < image.nsegs; i++) {
		const struct elf_segment *s = &image.segs[i];
		for (u64 va = ALIGN_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz;
		     va += PAGE_SIZE)
			if ((why = load_page(root, file, s, va)))
				return why;
	}
	for (u64 va = USER_STACK_TOP - USER_STACK_SIZE; va < USER_STACK_TOP; va += PAGE_SIZE) {
		u64 frame = user_alloc(NULL);
		if (frame == BOOTMEM_FAIL || pt_map(&user_env, root, va, frame, PAGE_SIZE,
						    PTE_U | PTE_W | PTE_NX, PT_SIZE_4K))
			return "out of memory for the program's stack";
	}
	return NULL;
}

/*
 * Fill and map the boot-information pages, read-only, at BOOTINFO_VADDR:
 * the free RAM (the frame roles' runs of the pager's RAM), the modules,
 * the CPU count and the command line.
 */
static const char *map_bootinfo(u64 root)
{
	const struct frames *f = boot.frames;
	u64 bytes = sizeof(struct bootinfo) + f->nuser * sizeof(struct bootinfo_range);
	u64 pages = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;

	if (pages > BOOTINFO_MAX_PAGES)
		return "too many free ranges for the boot information";
	u64 phys = frames_alloc_zeroed(boot.bootmem, pages * PAGE_SIZE, PHYS_MAX);
	if (phys == BOOTMEM_FAIL)
		return "out of memory for the boot information";
	struct bootinfo *bi = phys_to_virt(phys);
	bi->magic = BOOTINFO_MAGIC;
	bi->version = BOOTINFO_VERSION;
	bi->total_size = (u32)bytes;
	bi->cpu_count = smp_online;
	strncpy_nul(bi->cmdline, boot.cmdline, sizeof(bi->cmdline));
	for (size_t i = 0; i < boot.info.module_count && i < BOOTINFO_MAX_MODULES; i++) {
		const struct mb2_module *m = &boot.info.modules[i];
		bi->modules[i].base = m->start;
		bi->modules[i].size = m->end - m->start;
		strncpy_nul(bi->modules[i].name, m->name, sizeof(bi->modules[i].name));
		bi->module_count++;
	}
	for (size_t i = 0; i < f->nuser; i++) {
		bi->ranges[i] =
		    (struct bootinfo_range){ f->user[i].base, f->user[i].end - f->user[i].base };
		bi->free_bytes += bi->ranges[i].size;
	}
	bi->range_count = (u32)f->nuser;
	if (pt_map(&user_env, root, BOOTINFO_VADDR, phys, pages * PAGE_SIZE, PTE_U | PTE_NX,
		   PT_SIZE_4K))
		return "mapping the boot information failed";
	return NULL;
}

const char *user_run_module(const char *name, struct user_result *out)
{
	const struct mb2_module *m = find_module(name);
	struct percpu *pc = this_cpu();
	const char *why;

	*out = (struct user_result){ 0 };
	if (!m)
		return "no such module";
	u64 root = user_alloc(NULL);
	if (root == BOOTMEM_FAIL)
		return "out of memory for an address space";
	/* The kernel half is shared: the same PML4 entries as the kernel's. */
	memcpy((pte_t *)phys_to_virt(root) + PT_ENTRIES / 2,
	       (pte_t *)phys_to_virt(kvspace_root) + PT_ENTRIES / 2, PAGE_SIZE / 2);
	if ((why = load(root, m)) || (why = map_bootinfo(root)))
		return why;

	struct trap_frame tf = {
		.rip = image.entry,
		.cs = GDT_UCODE | 3,
		.rflags = X86_EFLAGS_IF | 0x2,
		.rsp = USER_STACK_TOP,
		.ss = GDT_UDATA | 3,
		.rdi = BOOTINFO_VADDR, /* main's first argument */
	};
	/*
	 * Entries from user mode must land below this function's frame: the
	 * CPU's kernel stack is shared with the code that runs the program.
	 */
	u64 old_top = pc->kstack_top, old_rsp0 = pc->tss.rsp[0];
	u64 flags = read_rflags();
	pc->kstack_top = pc->tss.rsp[0] = ALIGN_DOWN(read_rsp() - 512, 16);
	result = out;
	running = true;
	irq_disable();
	write_cr3(root);
	user_enter(&tf, &saved_rsp);
	write_cr3(kvspace_root);
	running = false;
	pc->kstack_top = old_top;
	pc->tss.rsp[0] = old_rsp0;
	if (flags & X86_EFLAGS_IF)
		irq_enable();
	return NULL;
}

_Noreturn void user_exit(long code)
{
	result->exited = true;
	result->code = code;
	user_leave(saved_rsp, 0);
}

_Noreturn void user_fault(struct trap_frame *tf, u64 cr2)
{
	result->killed = true;
	result->vector = tf->vector;
	result->error = tf->error;
	result->addr = cr2;
	result->rip = tf->rip;
	klog("user", "program killed: CPU exception %lu, error 0x%lx, address 0x%lx, rip 0x%lx",
	     tf->vector, tf->error, cr2, tf->rip);
	user_leave(saved_rsp, 0);
}
