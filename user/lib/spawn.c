/*
 * spawn.c - load a boot module into a new address space.
 *
 * The module's frames are mapped read-only into the root's scratch window
 * to be read; every segment page gets a fresh frame, zeroed, with the
 * file's bytes copied in (the rest, such as bss, stays zero), mapped into
 * the child with the segment's rights.  Module frames are never mapped
 * writable, nor into the child.  Frames are offsets in mem_cap(); the
 * child's address space and thread are capabilities in slots of ours.
 */
#include "spawn.h"
#include "cslot.h"
#include "keel.h"
#include "str.h"
#include <common/elf.h>

const struct bootinfo_module *module_find(const struct bootinfo *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count && i < BOOTINFO_MAX_MODULES; i++)
		if (str_eq(bi->modules[i].name, name))
			return &bi->modules[i];
	return 0;
}

/*
 * A fresh frame with bytes [va, va + PAGE_SIZE) of the segment, mapped into
 * the child.  A page with none of the file's bytes (bss, the stack, the IPC
 * buffer) the kernel clears as it maps it (KEEL_MAP_ZERO); one with some is
 * filled through our scratch window first.
 */
static long load_page(struct proc *p, const unsigned char *file, const struct elf_segment *s,
		      unsigned long va, unsigned long rights)
{
	unsigned long from = 0, to = 0;

	if (p->nframes == SPAWN_MAX_FRAMES)
		return -KEEL_EFULL;
	unsigned long f = frame_alloc();
	if (!f)
		return -KEEL_EFULL;
	if (file) { /* the overlap of this page with [vaddr, vaddr + filesz) */
		from = va > s->vaddr ? va : s->vaddr;
		to = s->vaddr + s->filesz;
		if (to > va + PAGE_SIZE)
			to = va + PAGE_SIZE;
	}
	if (from < to) {
		unsigned char *page = scratch_map(f, KEEL_MAP_R | KEEL_MAP_W);
		if (!page) {
			frame_free(f);
			return -KEEL_EFULL;
		}
		/* Only what the file does not fill is cleared. */
		memset(page, 0, from - va);
		memcpy(page + (from - va), file + s->offset + (from - s->vaddr), to - from);
		memset(page + (to - va), 0, va + PAGE_SIZE - to);
		scratch_unmap(page, 1);
	} else {
		rights |= KEEL_MAP_ZERO;
	}
	long r = map_page(p->pool, p->as, va, f, rights);
	if (r < 0) {
		frame_free(f);
		return r;
	}
	p->frames[p->nframes++] = f;
	return 0;
}

/* Check the file with the kernel's rules (common/elf.c), then load its segments. */
static long load(struct proc *p, const unsigned char *file, unsigned long size)
{
	struct elf_image img;

	p->elf_err = elf_check(file, size, KEEL_USER_TOP, &img);
	if (p->elf_err != ELF_OK)
		return -KEEL_EINVAL;
	for (size_t i = 0; i < img.nsegs; i++) {
		const struct elf_segment *s = &img.segs[i];
		unsigned long rights = KEEL_MAP_R;
		if (s->flags & ELF_PF_W)
			rights |= KEEL_MAP_W;
		if (s->flags & ELF_PF_X)
			rights |= KEEL_MAP_X;
		unsigned long va = s->vaddr & ~PAGE_MASK;
		struct spawn_seg *seg = &p->segs[p->nsegs++];
		*seg = (struct spawn_seg){ va, 0, rights };
		for (; va < s->vaddr + s->memsz; va += PAGE_SIZE) {
			long r = load_page(p, file, s, va, rights);
			if (r < 0)
				return r;
			seg->size += PAGE_SIZE;
		}
	}
	p->entry = img.entry;
	return 0;
}

long spawn(struct proc *p, struct kpool *pool, const struct bootinfo *bi, const char *name,
	   unsigned long badge)
{
	const struct bootinfo_module *mod = module_find(bi, name);
	long r;

	memset(p, 0, sizeof(*p));
	p->pool = pool;
	if (!mod)
		return -KEEL_ENOENT;

	unsigned long as_frame = kpool_get(pool), pml4 = kpool_get(pool), cspace = kpool_get(pool);
	long as = cslot_alloc();
	if (!as_frame || !pml4 || !cspace || as < 0)
		r = -KEEL_EFULL;
	else
		r = keel_as_create(mem_cap(), as_frame, pml4, cspace, (unsigned long)as);
	if (r < 0) {
		kpool_put(pool, cspace);
		kpool_put(pool, pml4);
		kpool_put(pool, as_frame);
		if (as >= 0)
			cslot_free((unsigned long)as);
		return r;
	}
	p->as = (unsigned long)as;

	/*
	 * An empty module (GRUB puts it at address 0) has no frames to map:
	 * it is refused as too short, as the kernel refuses an empty first one.
	 */
	if (!mod->size) {
		r = load(p, 0, 0);
		goto fail;
	}
	/* Read the module through a read-only mapping of its frames. */
	unsigned long first = mod->base & ~PAGE_MASK;
	unsigned long pages = (mod->base - first + mod->size + PAGE_MASK) / PAGE_SIZE;
	const unsigned char *map = scratch_map_run(first, pages, KEEL_MAP_R);
	if (!map) {
		r = -KEEL_EFULL;
		goto fail;
	}
	r = load(p, map + (mod->base - first), mod->size);
	scratch_unmap((void *)map, pages);
	if (r < 0)
		goto fail;

	for (unsigned long i = 1; i <= PROG_STACK_SIZE / PAGE_SIZE; i++) {
		r = load_page(p, 0, 0, PROG_STACK_TOP - i * PAGE_SIZE, KEEL_MAP_R | KEEL_MAP_W);
		if (r < 0)
			goto fail;
	}
	r = load_page(p, 0, 0, PROG_IPC_BUF, KEEL_MAP_R | KEEL_MAP_W);
	if (r < 0)
		goto fail;
	unsigned long buf_frame = p->frames[p->nframes - 1];
	p->buf_frame = buf_frame;

	unsigned long tcb = kpool_get(pool);
	long th = cslot_alloc();
	if (!tcb || th < 0)
		r = -KEEL_EFULL;
	else
		r = keel_thread_create(mem_cap(), tcb, p->as, buf_frame, badge, (unsigned long)th);
	if (r < 0) {
		kpool_put(pool, tcb);
		if (th >= 0)
			cslot_free((unsigned long)th);
		goto fail;
	}
	p->tcb = (unsigned long)th;
	p->tcb_frame = tcb;
	return 0;
fail:
	proc_destroy(p);
	return r;
}

long proc_start(struct proc *p, unsigned long arg)
{
	return keel_thread_start(p->tcb, p->entry, PROG_STACK_TOP, arg);
}

long proc_destroy(struct proc *p)
{
	long r;

	if (p->tcb) {
		r = destroy_retry(p->tcb);
		if (r < 0)
			return r;
		kpool_put(p->pool, p->tcb_frame);
		p->tcb = p->tcb_frame = 0;
	}
	if (p->as) {
		/* Its page tables go with it; they are the pool's again. */
		r = destroy_retry(p->as);
		if (r < 0)
			return r;
		p->as = 0;
	}
	/* Nothing maps the frames any more. */
	while (p->nframes)
		frame_free(p->frames[--p->nframes]);
	return 0;
}
