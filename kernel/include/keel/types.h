/*
 * types.h - fixed-width integer types for the kernel and its host tests.
 * Only the compiler's freestanding headers are used, never libc's.
 */
#ifndef KEEL_TYPES_H
#define KEEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t i64;

#define ARRAY_SIZE(a)	   (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	   (((x) + (a)-1) & ~((u64)(a)-1))
#define ALIGN_DOWN(x, a)   ((x) & ~((u64)(a)-1))
#define IS_ALIGNED(x, a)   (((x) & ((u64)(a)-1)) == 0)
#define MIN(a, b)	   ((a) < (b) ? (a) : (b))
#define MAX(a, b)	   ((a) > (b) ? (a) : (b))
#define DIV_ROUND_UP(x, d) (((x) + (d)-1) / (d))

#endif
