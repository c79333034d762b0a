/*
 * str.h - string and memory helpers.  The compiler may also emit calls to
 * memcpy, memset, memmove and memcmp by itself (a freestanding program
 * must provide them), so those keep their standard names.
 */
#ifndef USER_STR_H
#define USER_STR_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void page_clear(void *page); /* 4 KB, page-aligned */
int memcmp(const void *a, const void *b, size_t n);

size_t str_len(const char *s);
/* 1 if a and b are the same string. */
int str_eq(const char *a, const char *b);
/* Copy src into dst (size bytes, always NUL-terminated); returns dst. */
char *str_copy(char *dst, const char *src, size_t size);

#endif
