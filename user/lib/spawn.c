/*
 * spawn.c - load a boot module into a new address space.
 *
 * The module's frames are mapped read-only into the root's scratch window
 * to be read; every segment page gets a fresh frame, zeroed, with the
 * file's bytes copied in (the rest, such as bss, stays zero), mapped into
 * the child with the segment's rights.  Module frames are never mapped
 * writable, nor into the child.
 */
#include "spawn.h"
#include "elf64.h"
#include "keel.h"
#include "str.h"

const struct bootinfo_module *module_find(const struct bootinfo *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count && i < BOOTINFO_MAX_MODULES; i++)
		if (str_eq(bi->modules[i].name, name))
			return &bi->modules[i];
	return 0;
}

/* Check the headers; fill ph[] with the PT_LOAD entries.  Their count, or -KEEL_EINVAL. */
static int check_elf(const unsigned char *file, unsigned long size, struct elf64_ehdr *eh,
		     struct elf64_phdr *ph)
{
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };
	int n = 0, exec_entry = 0;

	if (size < sizeof(*eh))
		return -KEEL_EINVAL;
	memcpy(eh, file, sizeof(*eh));
	if (memcmp(eh->ident, magic, 4) || eh->ident[4] != ELF_CLASS64 ||
	    eh->ident[5] != ELF_DATA2LSB || eh->ident[6] != ELF_VERSION ||
	    eh->type != ELF_ET_EXEC || eh->machine != ELF_EM_X86_64 || eh->version != ELF_VERSION ||
	    eh->phentsize != sizeof(*ph) || eh->phnum == 0 || eh->phnum > SPAWN_MAX_PHDRS ||
	    eh->phoff > size || (unsigned long)eh->phnum * sizeof(*ph) > size - eh->phoff ||
	    eh->entry >= KEEL_USER_TOP)
		return -KEEL_EINVAL;
	for (int i = 0; i < eh->phnum; i++) {
		struct elf64_phdr p;
		memcpy(&p, file + eh->phoff + (unsigned long)i * sizeof(p), sizeof(p));
		if (p.type != ELF_PT_LOAD || p.memsz == 0)
			continue;
		/* The kernel's elf_check rules (kernel/lib/elf.c), for parity. */
		if (p.offset > size || p.filesz > size - p.offset || p.filesz > p.memsz ||
		    p.vaddr >= KEEL_USER_TOP || p.memsz > KEEL_USER_TOP - p.vaddr ||
		    !(p.flags & ELF_PF_R))
			return -KEEL_EINVAL;
		if (p.vaddr < PAGE_SIZE || (p.vaddr & PAGE_MASK) != (p.offset & PAGE_MASK) ||
		    ((p.flags & ELF_PF_W) && (p.flags & ELF_PF_X)))
			return -KEEL_EINVAL; /* page 0, misplaced in the file, or W+X */
		/* No two segments may share a page. */
		unsigned long lo = p.vaddr & ~PAGE_MASK;
		unsigned long hi = (p.vaddr + p.memsz + PAGE_MASK) & ~PAGE_MASK;
		for (int j = 0; j < n; j++) {
			unsigned long lo2 = ph[j].vaddr & ~PAGE_MASK;
			unsigned long hi2 = (ph[j].vaddr + ph[j].memsz + PAGE_MASK) & ~PAGE_MASK;
			if (lo < hi2 && lo2 < hi)
				return -KEEL_EINVAL;
		}
		if ((p.flags & ELF_PF_X) && eh->entry >= p.vaddr && eh->entry - p.vaddr < p.memsz)
			exec_entry = 1;
		ph[n++] = p;
	}
	return n && exec_entry ? n : -KEEL_EINVAL;
}

/* A fresh frame with bytes [va, va + PAGE_SIZE) of the segment, mapped into the child. */
static long load_page(struct proc *p, const unsigned char *file, const struct elf64_phdr *ph,
		      unsigned long va, unsigned long rights)
{
	if (p->nframes == SPAWN_MAX_FRAMES)
		return -KEEL_EFULL;
	unsigned long f = frame_alloc();
	if (!f)
		return -KEEL_EFULL;
	unsigned char *page = scratch_map(f, KEEL_MAP_R | KEEL_MAP_W);
	if (!page) {
		frame_free(f);
		return -KEEL_EFULL;
	}
	page_clear(page);
	if (file) {
		/* The overlap of this page with [vaddr, vaddr + filesz). */
		unsigned long from = va > ph->vaddr ? va : ph->vaddr;
		unsigned long to = ph->vaddr + ph->filesz;
		if (to > va + PAGE_SIZE)
			to = va + PAGE_SIZE;
		if (from < to)
			memcpy(page + (from - va), file + ph->offset + (from - ph->vaddr),
			       to - from);
	}
	scratch_unmap(page, 1);
	long r = map_page(p->pool, p->as, va, f, rights);
	if (r < 0) {
		frame_free(f);
		return r;
	}
	p->frames[p->nframes++] = f;
	return 0;
}

static long load(struct proc *p, const unsigned char *file, unsigned long size)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[SPAWN_MAX_PHDRS];
	int n = check_elf(file, size, &eh, ph);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		unsigned long rights = KEEL_MAP_R;
		if (ph[i].flags & ELF_PF_W)
			rights |= KEEL_MAP_W;
		if (ph[i].flags & ELF_PF_X)
			rights |= KEEL_MAP_X;
		unsigned long va = ph[i].vaddr & ~PAGE_MASK;
		struct spawn_seg *seg = &p->segs[p->nsegs++];
		*seg = (struct spawn_seg){ va, 0, rights };
		for (; va < ph[i].vaddr + ph[i].memsz; va += PAGE_SIZE) {
			long r = load_page(p, file, &ph[i], va, rights);
			if (r < 0)
				return r;
			seg->size += PAGE_SIZE;
		}
	}
	p->entry = eh.entry;
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

	unsigned long as_frame = kpool_get(pool), pml4 = kpool_get(pool);
	if (!as_frame || !pml4)
		return -KEEL_EFULL;
	r = keel_as_create(as_frame, pml4);
	if (r < 0)
		return r;
	p->as = as_frame;

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

	unsigned long tcb = kpool_get(pool);
	if (!tcb) {
		r = -KEEL_EFULL;
		goto fail;
	}
	r = keel_thread_create(tcb, p->as, buf_frame, badge);
	if (r < 0)
		goto fail;
	p->tcb = tcb;
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
		kpool_put(p->pool, p->tcb);
		p->tcb = 0;
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
