/*
 * cmdline.c - find options in a command line.  Pure: host-tested.
 */
#include <common/cmdline.h>
#include <common/string.h>

/*
 * Find the first word whose name is `name` (with a value or not; if bare,
 * only the word `name` itself); return a pointer just past the name (at
 * '=', ' ' or NUL), or NULL.
 */
static const char *find(const char *s, const char *name, bool bare)
{
	size_t n = str_len(name);

	if (!s || n == 0)
		return NULL;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *word = s;
		while (*s && *s != ' ')
			s++;
		size_t len = (size_t)(s - word);
		/* len >= n: both have n bytes to compare. */
		if (len >= n && memcmp(word, name, n) == 0 &&
		    (len == n || (!bare && word[n] == '=')))
			return word + n;
	}
	return NULL;
}

bool cmdline_has(const char *cmdline, const char *name)
{
	return find(cmdline, name, false) != NULL;
}

bool cmdline_has_word(const char *cmdline, const char *word)
{
	return find(cmdline, word, true) != NULL;
}

bool cmdline_get(const char *cmdline, const char *name, char *buf, size_t size)
{
	const char *v = find(cmdline, name, false);
	size_t i = 0;

	if (!v || *v != '=' || size == 0)
		return false;
	v++;
	while (v[i] && v[i] != ' ' && i + 1 < size) {
		buf[i] = v[i];
		i++;
	}
	buf[i] = '\0';
	return true;
}
