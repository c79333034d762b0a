/*
 * layout.c - the layout regions as data, from LAYOUT_REGIONS in layout.h.
 */
#include <keel/layout.h>

const struct layout_region layout_regions[LAYOUT_REGION_COUNT] = {
#define LAYOUT_ENTRY(id, n, b, s, w) [id] = { .name = n, .base = b, .size = s, .what = w },
	LAYOUT_REGIONS(LAYOUT_ENTRY)
#undef LAYOUT_ENTRY
};

int layout_region_of(uint64_t va)
{
	for (int i = 0; i < LAYOUT_REGION_COUNT; i++) {
		const struct layout_region *r = &layout_regions[i];
		if (va >= r->base && va - r->base < r->size)
			return i;
	}
	return -1;
}
