#!/bin/sh
# format-check.sh - every C file is as clang-format (.clang-format) leaves it.
# `clang-format -i FILE` fixes one.
n=0 bad=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find kernel tests tools -name '*.[ch]'); do
	n=$((n + 1))
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run clang-format -i $f)"
		bad=$((bad + 1))
	fi
done
echo "format: $((n - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
