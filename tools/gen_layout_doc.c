/*
 * gen_layout_doc.c - print the layout tables of docs/memory-layout.md from
 * kernel/include/keel/layout.h (the kernel half) and include/abi/uspace.h
 * (the user half), so the document cannot drift from the headers.  Run by
 * `make docs` (write) and `make test` (check).
 */
#include <stdio.h>

#include <abi/uspace.h>
#include <keel/layout.h>

static const char *human(uint64_t bytes, char *buf, size_t n)
{
	static const char *unit[] = { "bytes", "KB", "MB", "GB", "TB", "PB" };
	int u = 0;
	while (bytes >= 1024 && bytes % 1024 == 0 && u < 5) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, n, "%llu %s", (unsigned long long)bytes, unit[u]);
	return buf;
}

static void slots(uint64_t base, uint64_t size, char *buf, size_t n)
{
	unsigned first = PML4_INDEX(base), last = PML4_INDEX(base + size - 1);
	if (first == last)
		snprintf(buf, n, "%u", first);
	else
		snprintf(buf, n, "%u..%u", first, last);
}

/* The constants other tools need (the boot-test runner), as NAME=VALUE. */
static int print_values(void)
{
#define V(name) printf("%s=0x%llx\n", #name, (unsigned long long)(name))
	V(USER_END);
	V(DIRECT_MAP_BASE);
	V(DIRECT_MAP_END);
	V(PERCPU_BASE);
	V(PERCPU_END);
	V(PERCPU_SLOT_SIZE);
	V(PERCPU_DATA_OFF);
	V(PERCPU_DATA_SIZE);
	V(PERCPU_KSTACK_OFF);
	V(PERCPU_DF_STACK_OFF);
	V(PERCPU_NMI_STACK_OFF);
	V(PERCPU_MC_STACK_OFF);
	V(KSTACK_SIZE);
	V(IST_STACK_SIZE);
	V(KERNEL_BASE);
	V(KERNEL_END);
	V(KERNEL_PHYS_LOAD);
#undef V
	return 0;
}

/* The user address space: its regions, and the constants inside them. */
static int print_user(void)
{
	char h[32];

	printf("| start | end | size | in | what |\n");
	printf("|---|---|---|---|---|\n");
#define USER_ROW(name, base, size, whose, what)                                                 \
	printf("| 0x%016llx | 0x%016llx | %s | %s | %s: %s |\n", (unsigned long long)(base),    \
	       (unsigned long long)((base) + (size)-1), human(size, h, sizeof(h)), whose, name, \
	       what);
	USPACE_REGIONS(USER_ROW)
#undef USER_ROW
	printf("\n| constant | value | meaning |\n|---|---|---|\n");
#define USER_VALUE(name, what) \
	printf("| `%s` | 0x%llx | %s |\n", #name, (unsigned long long)(name), what)
#define USER_COUNT(name, what) printf("| `%s` | %d | %s |\n", #name, name, what)
	USER_VALUE(KEEL_PAGE_SIZE, "the page size, for the kernel and user space alike");
	USER_VALUE(KEEL_USER_TOP, "the first address that is never user memory");
	USER_VALUE(PROG_LOAD_BASE, "where programs are linked (user/user.ld.S)");
	USER_VALUE(PROG_STACK_TOP, "RSP at a program's first instruction");
	USER_VALUE(PROG_STACK_SIZE, "the first thread's stack");
	USER_COUNT(BOOTINFO_MAX_PAGES, "pages of boot information at most");
	USER_COUNT(ROOT_THREAD_SLOTS, "threads in the root's own space at most");
	USER_VALUE(ROOT_THREAD_SLOT_SIZE, "one thread's slot");
	USER_VALUE(ROOT_THREAD_BUF_OFF, "in a slot: the thread's IPC buffer");
	USER_VALUE(ROOT_THREAD_STACK_OFF, "in a slot: its stack, above a guard page");
	USER_VALUE(ROOT_THREAD_STACK_SIZE, "a root thread's stack");
#undef USER_VALUE
#undef USER_COUNT
	return 0;
}

/*
 * `gen_layout_doc` prints both tables of the kernel half,
 * `gen_layout_doc regions` the first, `gen_layout_doc user` the user
 * half's, `gen_layout_doc values` the constants as NAME=VALUE lines.
 */
int main(int argc, char **argv)
{
	char h[32], s[32];

	if (argc > 1 && argv[1][0] == 'v')
		return print_values();
	if (argc > 1 && argv[1][0] == 'u')
		return print_user();

	printf("| start | end | size | PML4 entries | what |\n");
	printf("|---|---|---|---|---|\n");
	for (int i = 0; i < LAYOUT_REGION_COUNT; i++) {
		const struct layout_region *r = &layout_regions[i];
		slots(r->base, r->size, s, sizeof(s));
		printf("| 0x%016llx | 0x%016llx | %s | %s | %s |\n", (unsigned long long)r->base,
		       (unsigned long long)(r->base + r->size - 1), human(r->size, h, sizeof(h)), s,
		       r->what);
	}
	if (argc > 1)
		return 0;
	printf("\n| constant | value | meaning |\n|---|---|---|\n");
/* A size, shown in bytes and in units; an address or count, as it is. */
#define SIZE(name, what)                                                           \
	printf("| `%s` | 0x%llx (%s) | %s |\n", #name, (unsigned long long)(name), \
	       human(name, h, sizeof(h)), what)
#define VALUE(name, what) \
	printf("| `%s` | 0x%llx | %s |\n", #name, (unsigned long long)(name), what)
	SIZE(PAGE_SIZE, "the smallest page");
	SIZE(PERCPU_SLOT_SIZE, "one CPU's slot in the per-CPU region");
	printf("| `PERCPU_MAX_CPUS` | %d | slots in the per-CPU region |\n", PERCPU_MAX_CPUS);
	VALUE(PERCPU_DATA_OFF, "in a slot: struct percpu, GDT, TSS");
	SIZE(PERCPU_DATA_SIZE, "per-CPU data, mapped");
	VALUE(PERCPU_KSTACK_OFF, "in a slot: guard page, then the kernel stack");
	VALUE(PERCPU_DF_STACK_OFF, "in a slot: guard page, then the double-fault stack");
	VALUE(PERCPU_NMI_STACK_OFF, "in a slot: guard page, then the NMI stack");
	VALUE(PERCPU_MC_STACK_OFF, "in a slot: guard page, then the machine-check stack");
	SIZE(KSTACK_SIZE, "a CPU's kernel stack");
	SIZE(PERCPU_MAPPED_BYTES, "memory mapped in each present CPU's slot");
	VALUE(KERNEL_PHYS_LOAD, "physical load address of the image (2 MB)");
	VALUE(KERNEL_VIRT_LOAD, "virtual address of the image's first byte");
	SIZE(BOOT_MAP_SIZE, "memory the boot page tables identity- and direct-map");
	SIZE(BOOT_STACK_SIZE, "the boot stack, above one guard page");
	SIZE(IST_STACK_SIZE, "each IST stack (double fault, NMI, machine check)");
	SIZE(PHYS_MAX, "physical memory the direct map can hold");
	return 0;
}
