/*
 * unaligned.h - reading little-endian fields at any alignment, as the
 * parsers of boot-loader, firmware and file formats must (x86 is
 * little-endian).  A fixed-size memcpy compiles to a single load.
 */
#ifndef KEEL_UNALIGNED_H
#define KEEL_UNALIGNED_H

#include <keel/types.h>

static inline u16 get_le16(const void *p)
{
	u16 v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 get_le32(const void *p)
{
	u32 v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 get_le64(const void *p)
{
	u64 v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

#endif
