#!/bin/sh
# fuzz.sh [--seconds N] [--replay] [--build B] [--no-build] [NAME...] - run
# the libFuzzer harnesses (tests/fuzz/fuzz_NAME.c; tests/fuzz/README.md):
# every one, or the ones named, for N seconds each (default $FUZZ_SECONDS,
# else 30), one after the other.  Builds them first (make -f
# tests/fuzz/fuzz.mk fuzz-build) unless --no-build.  DIR below is B/fuzz,
# where they are built (B is the build directory, default build).
#
# Each fuzzes a working corpus, DIR/corpus-work/NAME, which starts as a
# copy of tests/fuzz/corpus/NAME and keeps what the fuzzer finds across
# runs (the repository's corpus is never written).  With --replay, every
# file of tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME is first run
# once (`make test-fuzz`).  Prints one TAP line per harness (executions,
# libFuzzer's final cov: and ft:, the working corpus's size, the time), then
# `fuzz: N passed, N failed`.  A harness fails if libFuzzer finds a crash, a
# leak or a timeout; the input is saved under DIR/crashes/NAME/ and the
# line to reproduce it is printed.  libFuzzer's output is in
# DIR/logs/NAME.log.
#
# fuzz.sh --check-toolchain CC: is CC there, and can it link libFuzzer?
# (fuzz.mk runs this before building; it says what to install if not.)
set -u
cd "$(dirname "$0")/.." || exit 2

check_toolchain() {
	cc=$1
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "fuzz: $cc not found; as root: apt-get install clang-14 libclang-rt-14-dev" >&2
		return 1
	fi
	probe=$(mktemp -d)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }' >"$probe/p.c"
	if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" \
		>"$probe/log" 2>&1; then
		cat "$probe/log" >&2
		echo "fuzz: $cc cannot link libFuzzer (-fsanitize=fuzzer): FUZZ_CC must be clang;" \
			"as root: apt-get install clang-14 libclang-rt-14-dev" >&2
		rm -rf "$probe"
		return 1
	fi
	rm -rf "$probe"
}

top=build seconds=${FUZZ_SECONDS:-30} replay=0 build=1
while [ $# -gt 0 ]; do
	case $1 in
	--check-toolchain) check_toolchain "${2:-clang-14}"; exit ;;
	--build) top=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--replay) replay=1; shift ;;
	--no-build) build=0; shift ;;
	-h | --help) sed -n '2,21p' "$0"; exit 0 ;;
	-*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
bin=$top/fuzz
if [ "$build" = 1 ]; then
	make --no-print-directory -s -f tests/fuzz/fuzz.mk BUILD="$top" fuzz-build || exit 1
fi
names=$*
if [ -z "$names" ]; then
	names=$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done | sed 's/^fuzz_//')
fi

# The value of libFuzzer's last `KEY: N` in the log, e.g. last cov 'cov: 312 ft:'.
last() {
	grep -o "$1 [0-9]*" "$2" | tail -n 1 | sed 's/.* //'
}

# Say how to reproduce a crash, from what libFuzzer logged.
report_crash() {
	name=$1 log=$2 input=$3
	what=$(grep -m1 -E '^fuzz: property violated|^SUMMARY: |ERROR: libFuzzer' "$log")
	echo "#   ${what:-see $log}"
	[ -n "$input" ] && echo "#   reproduce: $bin/fuzz_$name $input"
	echo "#   log: $log"
}

mkdir -p "$bin/logs"
n=0 passed=0 failed=0
for name in $names; do
	n=$((n + 1))
	exe=$bin/fuzz_$name
	log=$bin/logs/$name.log
	crashes=$bin/crashes/$name
	work=$bin/corpus-work/$name
	if [ ! -x "$exe" ]; then
		echo "not ok $n - $name: no $exe (make fuzz-build)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$crashes" "$work"
	: >"$log"

	# Every corpus and regression file once, each its own input.
	if [ "$replay" = 1 ]; then
		files=$(find "tests/fuzz/corpus/$name" "tests/fuzz/regress/$name" -type f \
			2>/dev/null | sort)
		if [ -n "$files" ]; then
			# shellcheck disable=SC2086
			if ! timeout 300 "$exe" -artifact_prefix="$crashes/" $files >"$log" 2>&1; then
				bad=$(grep '^Running: ' "$log" | tail -n 1 | sed 's/^Running: //')
				echo "not ok $n - $name: replaying the corpus: $bad fails"
				report_crash "$name" "$log" "$bad"
				failed=$((failed + 1))
				continue
			fi
		fi
	fi

	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -p "tests/fuzz/corpus/$name"/* "$work"/ 2>/dev/null
	fi
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
	start=$(date +%s)
	# shellcheck disable=SC2086
	timeout $((seconds * 2 + 120)) "$exe" -max_total_time="$seconds" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$crashes/" $dict "$work" >>"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(last 'stat::number_of_executed_units:' "$log")
	summary="${execs:-?} execs, cov: $(last 'cov:' "$log") ft: $(last 'ft:' "$log"),"
	summary="$summary corpus: $(find "$work" -type f | wc -l) files, $took s"
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $name: $summary"
		passed=$((passed + 1))
	else
		input=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -n 1)
		echo "not ok $n - $name: exit $rc after $summary"
		report_crash "$name" "$log" "$input"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
