/*
 * str.h - string and memory helpers: those shared with the kernel
 * (<common/string.h>: memcpy, memmove, memset, memcmp, str_len, str_nlen,
 * str_eq, str_copy), and page_clear (user/lib/page.c).
 */
#ifndef USER_STR_H
#define USER_STR_H

#include <common/string.h>

void page_clear(void *page); /* 4 KB, page-aligned */

#endif
