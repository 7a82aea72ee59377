#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Builds the libFuzzer targets with clang (ASan+UBSan) into build-fuzz and runs each for N
# seconds (default 60), starting from the seeds in fuzz/corpus/<target>. Exits non-zero on the
# first crash, leak or time-out; the input that did it is left in build-fuzz/artifacts/.
# Usage: fuzz/run.sh [seconds] [target...]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"config device_auth token discovery jwt usermap"}
build="$top/build-fuzz"

mkdir -p "$build" && cd "$build" || exit 1
if [ ! -f Makefile ]; then
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi) || exit 1
	"$top/configure" CC=clang --enable-fuzzing --enable-werror --disable-integration-tests \
		>configure.out 2>&1 || { tail -n 30 configure.out; exit 1; }
fi
make -j"$(nproc 2>/dev/null || echo 2)" >make.out 2>&1 || { tail -n 30 make.out; exit 1; }

mkdir -p artifacts
failed=0
for t in $targets; do
	# New inputs go to the scratch corpus; the seeds in the tree are only read.
	mkdir -p "corpus/$t"
	log="fuzz-$t.log"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"./fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="artifacts/$t-" "corpus/$t" "$top/fuzz/corpus/$t" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "fuzz_$t: ${execs:-?} executions, ${cov:-cov: ?}, exit $rc"
	if [ $rc -ne 0 ]; then
		failed=1
		grep -A 30 'ERROR:' "$log" | head -n 40
	fi
done
exit $failed
