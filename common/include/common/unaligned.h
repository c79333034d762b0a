/*
 * unaligned.h - reading little-endian fields at any alignment, as the
 * parsers of boot-loader, firmware and file formats must (x86 is
 * little-endian).  A fixed-size memcpy compiles to a single load.
 */
#ifndef COMMON_UNALIGNED_H
#define COMMON_UNALIGNED_H

#include <stdint.h>

static inline uint16_t get_le16(const void *p)
{
	uint16_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t get_le32(const void *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t get_le64(const void *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

#endif
