#!/usr/bin/env bash
# test-all.sh - `make test`'s tiers: the format check, host unit tests, the
# parsers' fuzzers (a short pass), the docs check,
# the QEMU boot tests (on the normal kernel, then on the sanitizer build) and
# the shell driven over the serial line.  Every tier runs even if an earlier one failed;
# each ends with a `tier: N passed, N failed` line, and the last line here
# is the total.  Exits non-zero if anything failed.
set -u
passed=0 failed=0 broken=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for tier in format-check test-host test-fuzz docs-check test-boot test-boot-ksan test-shell; do
	echo "==== make $tier"
	make --no-print-directory "$tier" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "==== $tier: no result line (exit $rc)"
		broken=$((broken + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/^[a-z]+: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "==== $tier exited $rc"
		broken=$((broken + 1))
	fi
done
echo "test: $passed passed, $((failed + broken)) failed"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ]
