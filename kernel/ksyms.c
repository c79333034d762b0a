/*
 * ksyms.c - look up the generated symbol table (text symbols only, sorted
 * by address; see tools/ksyms.py for its layout).
 */
#include <keel/ksyms.h>
#include <common/string.h>

extern const u64 ksyms_count;
extern const u64 ksyms_addr[];
extern const u32 ksyms_size[];
extern const u32 ksyms_name_off[];
extern const char ksyms_names[];

bool ksyms_lookup(u64 addr, const char **name, u64 *offset)
{
	u64 lo = 0, hi = ksyms_count;

	/* The last symbol whose address is <= addr. */
	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;
		if (ksyms_addr[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	u64 i = lo - 1;
	u64 end = ksyms_size[i] ? ksyms_addr[i] + ksyms_size[i]
				: (i + 1 < ksyms_count ? ksyms_addr[i + 1] : ksyms_addr[i] + 1);
	if (addr >= end)
		return false;
	*name = &ksyms_names[ksyms_name_off[i]];
	*offset = addr - ksyms_addr[i];
	return true;
}

u64 ksyms_address(const char *name)
{
	for (u64 i = 0; i < ksyms_count; i++)
		if (str_eq(&ksyms_names[ksyms_name_off[i]], name))
			return ksyms_addr[i];
	return 0;
}
