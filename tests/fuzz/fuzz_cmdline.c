/*
 * fuzz_cmdline.c - libFuzzer harness for the command-line reader
 * (common/cmdline.c): cmdline_has(), cmdline_has_word(), cmdline_get().
 *
 * The input is
 *	u8 size: the buffer given to cmdline_get() (0 to 255 bytes)
 *	the name looked for, up to the first NUL
 *	the command line: the rest (a NUL inside ends it early)
 * Name and command line are NUL-terminated copies of exactly their length
 * plus one, and the buffer is exactly `size` bytes, so AddressSanitizer
 * catches a read past a string or a write past the buffer.
 *
 * The answers are compared with a plain reading of cmdline.h: the command
 * line is words separated by spaces; an option `name` is the first word
 * equal to `name` or starting with `name=`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <common/cmdline.h>

#include "fuzz.h"

#define FILL 0xa5 /* the buffer's bytes before the call */

/* A NUL-terminated heap copy of the n bytes at s: exactly n + 1 bytes. */
static char *fuzz_str(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The first word that is the option `name`, or NULL; *len is its length. */
static const char *option(const char *line, const char *name, int bare, size_t *len)
{
	size_t n = strlen(name);

	if (n == 0)
		return NULL;
	for (const char *w = line; *w;) {
		size_t l = strcspn(w, " ");

		if (l == n && memcmp(w, name, n) == 0) {
			*len = l;
			return w;
		}
		if (!bare && l > n && memcmp(w, name, n) == 0 && w[n] == '=') {
			*len = l;
			return w;
		}
		w += l;
		w += strspn(w, " ");
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name_in, *line_in, *w;
	size_t bufsize, name_len, line_len, wlen = 0, vlen;
	char *name, *line, *buf;
	bool got;

	if (size < 1)
		return 0;
	bufsize = data[0];
	name_in = (const char *)data + 1;
	name_len = strnlen(name_in, size - 1);
	line_in = name_in + name_len + (name_len < size - 1);
	line_len = strnlen(line_in, size - (size_t)(line_in - (const char *)data));
	name = fuzz_str(name_in, name_len);
	line = fuzz_str(line_in, line_len);
	buf = malloc(bufsize ? bufsize : 1);
	memset(buf, FILL, bufsize ? bufsize : 1);

	CHECK(cmdline_has(line, name) == (option(line, name, 0, &wlen) != NULL),
	      "cmdline_has: true exactly when a word is `name` or starts with `name=`");
	CHECK(cmdline_has_word(line, name) == (option(line, name, 1, &wlen) != NULL),
	      "cmdline_has_word: true exactly when a word is `name`");
	CHECK(!cmdline_has(NULL, name) && !cmdline_has_word(NULL, name) &&
		  !cmdline_get(NULL, name, buf, bufsize),
	      "a NULL command line has no options");

	w = option(line, name, 0, &wlen);
	got = cmdline_get(line, name, buf, bufsize);
	if (got) {
		CHECK(cmdline_has(line, name), "cmdline_get finds only what cmdline_has finds");
		CHECK(bufsize > 0 && memchr(buf, '\0', bufsize) != NULL,
		      "cmdline_get: the value is NUL-terminated inside the buffer");
		CHECK(w && w[name_len] == '=', "cmdline_get: the first `name` word has a value");
		vlen = wlen - name_len - 1;
		CHECK(strlen(buf) == (vlen < bufsize - 1 ? vlen : bufsize - 1),
		      "cmdline_get: the whole value, or size - 1 bytes of it");
		CHECK(memcmp(buf, w + name_len + 1, strlen(buf)) == 0,
		      "cmdline_get: the value is the word's, after `name=`");
		CHECK(strstr(line, buf) != NULL,
		      "cmdline_get: the value is a substring of the line");
	} else {
		CHECK(!w || w[name_len] != '=' || bufsize == 0,
		      "cmdline_get: false only without a value (or no room at all)");
	}
	free(buf);
	free(line);
	free(name);
	return 0;
}
