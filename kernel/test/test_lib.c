/*
 * test_lib.c - in-kernel checks of the library code as the kernel build
 * compiles it (freestanding, no SSE, kernel code model).
 */
#include <common/fmt.h>
#include <keel/ksyms.h>
#include <keel/ktest.h>
#include <common/string.h>

void kernel_main(u32 magic, u64 mbi_phys);

KTEST(fmt_in_kernel)
{
	char buf[64];
	int n = fmt_snprintf(buf, sizeof(buf), "%s|%5d|%-4x|%016lx|%c", "ab", -12, 0xfu,
			     0xffffffff80000000ul, 'z');
	KTEST_CHECK(n == (int)str_len("ab|  -12|f   |ffffffff80000000|z"));
	KTEST_CHECK(str_eq(buf, "ab|  -12|f   |ffffffff80000000|z"));
	return NULL;
}

KTEST(ksyms_resolve_functions)
{
	const char *name;
	u64 off;
	u64 km = (u64)kernel_main;

	KTEST_CHECK(ksyms_lookup(km, &name, &off));
	KTEST_CHECK(str_eq(name, "kernel_main") && off == 0);
	KTEST_CHECK(ksyms_lookup(km + 5, &name, &off));
	KTEST_CHECK(str_eq(name, "kernel_main") && off == 5);
	KTEST_CHECK(ksyms_address("ktest_run") == (u64)ktest_run);
	KTEST_CHECK(!ksyms_lookup(0x1000, &name, &off));
	return NULL;
}
