/*
 * test_core.c - in-kernel tests of the core's boot state: the frame
 * classes the memory calls check, the first program's objects, and the
 * scheduler's starting point.  The calls themselves are tested from user
 * mode (user/coretest).
 */
#include <abi/bootinfo.h>
#include <keel/aspace.h>
#include <arch/kvspace.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <keel/addr.h>
#include <keel/boot.h>
#include <keel/frames.h>
#include <keel/cap.h>
#include <keel/kmem.h>
#include <keel/ktest.h>
#include <keel/root.h>
#include <keel/syscall.h>
#include <keel/thread.h>

extern char __kernel_start[], __kernel_end[];

/* Each class the calls rely on, at frames whose class is known. */
KTEST(kmem_classifies_frames)
{
	const struct frames *f = boot.frames;

	KTEST_CHECK(kmem_classify(kimage_to_phys(__kernel_start)) == KMEM_KERNEL);
	KTEST_CHECK(kmem_classify(kimage_to_phys(__kernel_end) - 1) == KMEM_KERNEL);
	KTEST_CHECK(kmem_classify(kvspace_root) == KMEM_KERNEL);
	/* Per-CPU data and stacks, and the AP trampoline, are the kernel's too. */
	struct pt_leaf l;
	for (u32 c = 0; c < percpu_count; c++) {
		KTEST_CHECK(pt_translate(&kvspace_env, kvspace_root, PERCPU_SLOT((u64)c), &l));
		KTEST_CHECK(kmem_classify(l.pa) == KMEM_KERNEL);
		u64 stack = percpu_stack_top(c, PERCPU_KSTACK_OFF, KSTACK_SIZE) - PAGE_SIZE;
		KTEST_CHECK(pt_translate(&kvspace_env, kvspace_root, stack, &l));
		KTEST_CHECK(kmem_classify(l.pa) == KMEM_KERNEL);
	}
	if (smp_trampoline_phys())
		KTEST_CHECK(kmem_classify(smp_trampoline_phys()) == KMEM_KERNEL);
	KTEST_CHECK(kmem_classify(0xa0000) == KMEM_NOTRAM); /* legacy VGA, never RAM */
	KTEST_CHECK(kmem_classify(1ull << 50) == KMEM_NOTRAM);
	KTEST_CHECK(kmem_classify(f->user[0].base) == KMEM_USER);
	KTEST_CHECK(kmem_classify(f->user[f->nuser - 1].end - PAGE_SIZE) == KMEM_USER);
	for (size_t i = 0; i < boot.info.module_count; i++) /* an empty one has no frames */
		KTEST_CHECK(boot.info.modules[i].start == boot.info.modules[i].end ||
			    kmem_classify(boot.info.modules[i].start) == KMEM_MODULE);
	/* The pager's RAM is not an object frame until donated. */
	KTEST_CHECK(kmem_check_free(f->user[0].base) == -KEEL_EROLE);
	KTEST_CHECK(kmem_check_free(kvspace_root) == -KEEL_EKERNEL);
	KTEST_CHECK(kmem_check_free(0xa0000) == -KEEL_ENOTRAM);
	KTEST_CHECK(kmem_check_free(f->user[0].base + 8) == -KEEL_EINVAL);
	KTEST_CHECK(kmem_map_ref(kvspace_root) == 0); /* not counted: never changes role */
	kmem_map_unref(kvspace_root);
	KTEST_CHECK(kmem_count_index_bytes() >= sizeof(u64));
	KTEST_CHECK(kmem_donated_bytes() == 0);
	return NULL;
}

/* The first program's objects are typed, in kernel memory, and consistent. */
KTEST(first_program_objects)
{
	struct thread *t = root_thread();

	if (!boot.info.module_count)
		return NULL; /* nothing to load */
	if (!t)		     /* refused (a boot test gives it a bad ELF): then it says why */
		return root_refusal() ? NULL : "no first program, and no reason given";
	u64 tpa = kmem_object_phys(t), apa = kmem_object_phys(t->as);
	KTEST_CHECK(kmem_object_get(tpa, KOBJ_THREAD) == t &&
		    kmem_object_get(apa, KOBJ_ASPACE) == t->as);
	KTEST_CHECK(kmem_classify(tpa) == KMEM_KERNEL && kmem_classify(apa) == KMEM_KERNEL);
	KTEST_CHECK(kmem_classify(t->as->vs.pml4) == KMEM_KERNEL);
	KTEST_CHECK(!kmem_object_get(apa, KOBJ_THREAD) && !kmem_object_get(tpa, KOBJ_ASPACE) &&
		    !kmem_object_get(tpa, KOBJ_ENDPOINT));
	KTEST_CHECK(kmem_object_get(kmem_object_phys(t->as->caps), KOBJ_CSPACE) == t->as->caps);
	KTEST_CHECK(t->is_root && t->state == T_INACTIVE);
	/* Its capabilities: all of RAM, its address space, its thread, all I/O ports; every right. */
	struct cap *c;
	KTEST_CHECK(
	    !cap_find(t->as->caps, BOOTINFO_SLOT_MEMORY, CAP_MEMORY, CAP_RIGHTS_MEMORY, &c));
	KTEST_CHECK((c->word & CAP_OBJ_MASK) == 0 && c->size == kmem_phys_top() && c->size);
	KTEST_CHECK(!cap_find(t->as->caps, BOOTINFO_SLOT_AS, CAP_ASPACE, CAP_RIGHTS_ASPACE, &c) &&
		    cap_obj(c) == t->as);
	KTEST_CHECK(
	    !cap_find(t->as->caps, BOOTINFO_SLOT_THREAD, CAP_THREAD, CAP_RIGHTS_THREAD, &c) &&
	    cap_obj(c) == t);
	KTEST_CHECK(
	    !cap_find(t->as->caps, BOOTINFO_SLOT_IOPORT, CAP_IOPORT, CAP_RIGHTS_IOPORT, &c) &&
	    cap_range_first(c) == 0 && c->size == KEEL_IO_PORTS);
	KTEST_CHECK(!cap_find(t->as->caps, BOOTINFO_SLOT_IRQ, CAP_IRQ, CAP_RIGHTS_IRQ, &c) &&
		    cap_range_first(c) == 0 && c->size == KEEL_IRQ_LINES);
	KTEST_CHECK(
	    !cap_find(t->as->caps, BOOTINFO_SLOT_DEVICE, CAP_DEVICE, CAP_RIGHTS_DEVICE, &c) &&
	    cap_mem_base(c) == 0 && c->size >= kmem_phys_top());
	for (u64 s = 0; s < KEEL_CAP_SLOTS; s++)
		KTEST_CHECK(s == BOOTINFO_SLOT_MEMORY || s == BOOTINFO_SLOT_AS ||
			    s == BOOTINFO_SLOT_THREAD || s == BOOTINFO_SLOT_IOPORT ||
			    s == BOOTINFO_SLOT_IRQ || s == BOOTINFO_SLOT_DEVICE ||
			    cap_type(&t->as->caps[s]) == CAP_EMPTY);
	KTEST_CHECK(t->as->threads == 1 && t->as->tables >= 4);
	KTEST_CHECK(t->regs.rdi == BOOTINFO_VADDR && (t->regs.cs & 3) == 3);
	/* The kernel half of its PML4 is the kernel's. */
	const u64 *mine = phys_to_virt(t->as->vs.pml4), *kern = phys_to_virt(kvspace_root);
	for (int i = 256; i < 512; i++)
		KTEST_CHECK(mine[i] == kern[i]);
	/* Its boot information names these objects and the free memory. */
	const struct bootinfo *bi = root_bootinfo();
	KTEST_CHECK(bi->magic == BOOTINFO_MAGIC && bi->version == BOOTINFO_VERSION);
	KTEST_CHECK(bi->self_thread == BOOTINFO_SLOT_THREAD && bi->self_as == BOOTINFO_SLOT_AS);
	KTEST_CHECK(bi->memory == BOOTINFO_SLOT_MEMORY && bi->memory_size == kmem_phys_top());
	KTEST_CHECK(bi->range_count == boot.frames->nuser);
	/* Nothing is scheduled before the kernel's tests are over. */
	for (u32 c = 0; c < percpu_count; c++)
		KTEST_CHECK(sched_ready_mask(c) == 0);
	return NULL;
}

/* syscall_dispatch indexes the table by number: no number may be a hole. */
KTEST(syscall_table_has_every_call)
{
	KTEST_CHECK(syscall_table_complete());
	return NULL;
}
