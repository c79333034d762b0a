#!/bin/sh
# run-host-tests.sh TEST... - run the cmocka host tests, then print one
# total line `N passed, N failed` (each test binary's own lines come first).
passed=0 failed=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "host test $t exited $rc"
		failed=$((failed + 1))
	fi
done
echo "host: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
