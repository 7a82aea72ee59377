#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs every check pam_oauth has, from a clean tree: gcc -Werror build with unit and integration
# tests, the same under ASan+UBSan, a clang build, valgrind over the unit and integration tests,
# the man page lint, the format check, the Debian package and make distcheck. Prints one summary
# line and exits non-zero on failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
failures=""

step() {
	name=$1
	shift
	echo "=== $name"
	t0=$(date +%s)
	if "$@"; then
		passed=$((passed + 1))
		echo "=== $name: passed ($(($(date +%s) - t0)) s)"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "=== $name: FAILED ($(($(date +%s) - t0)) s)"
	fi
}

show_logs() {
	for f in "$1"/tests/unit/*.log "$1"/tests/integration/*.log; do
		[ -f "$f" ] || continue
		grep -q '^FAIL\|^ERROR\|^not ok' "$f" 2>/dev/null && { echo "--- $f"; tail -n 60 "$f"; }
	done
	return 1
}

build() { # dir, configure args...
	dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" &&
		"$top/configure" --enable-werror "$@" >configure.out 2>&1 &&
		make -j"$jobs" >make.out 2>&1 || { tail -n 40 make.out configure.out 2>/dev/null; cd "$top"; return 1; }
	cd "$top"
}

check() { # dir, extra environment (NAME=value)...
	dir=$1
	shift
	(cd "$dir" && env "$@" make -j1 check >check.out 2>&1) || { tail -n 30 "$dir/check.out"; show_logs "$dir"; }
}

asan_preload() {
	gcc -print-file-name=libasan.so
}

valgrind_units() {
	dir=$1
	rc=0
	for t in "$dir"/tests/unit/test_*; do
		case "$t" in *.c | *.o | *.log | *.trs) continue ;; esac
		[ -x "$t" ] || continue
		out=$(cd "$dir" && PAM_OAUTH_MODULE="$dir/.libs/pam_oauth.so" top_srcdir="$top" \
			./libtool --mode=execute valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$t" 2>&1)
		st=$?
		# 77: the test cannot run under valgrind (test_wipe interposes free) and says so.
		[ $st -eq 77 ] && { echo "valgrind: $(basename "$t") skipped: $out"; continue; }
		if [ $st -ne 0 ]; then
			echo "valgrind: $(basename "$t") failed"
			echo "$out" | tail -n 40
			rc=1
		fi
	done
	return $rc
}

# The whole integration suite again, each pamtester (so libpam and the module it loads) under
# memcheck. The wrapper must follow exec (see tests/integration/lib/pamtester.mjs); tests fail on any
# "==pid==" report or exit 99. About 6 minutes on 2 cores.
valgrind_integration() {
	dir=$1
	wrap="valgrind -q --trace-children=yes --leak-check=full --show-leak-kinds=definite,indirect"
	wrap="$wrap --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --keep-debuginfo=yes"
	wrap="$wrap --num-callers=30 --suppressions=$top/tests/valgrind.supp"
	(cd "$dir" && make check TESTS=tests/integration/run.sh PAM_OAUTH_WRAPPER="$wrap" \
		PAM_OAUTH_IT_JOBS=2 PAM_OAUTH_IT_TIMEOUT=1500 \
		>check-valgrind.out 2>&1) || { tail -n 30 "$dir/check-valgrind.out"; show_logs "$dir"; }
}

step bootstrap autoreconf -fi
step "gcc build" build "$top/build-ci"
step "unit and integration tests (gcc)" check "$top/build-ci"
step "ASan+UBSan build" build "$top/build-asan" --enable-sanitizers
step "unit and integration tests (ASan+UBSan)" check "$top/build-asan" \
	PAM_OAUTH_PRELOAD="$(asan_preload)" \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "clang build" build "$top/build-clang" CC=clang
step "unit tests under valgrind" valgrind_units "$top/build-ci"
step "integration tests under valgrind" valgrind_integration "$top/build-ci"
step "fuzz smoke (30 s per target)" sh fuzz/run.sh 30
step "man pages lint" sh -c "mandoc -Tlint -W warning man/*.[0-9]"
step "clang-format" sh -c "cd build-ci && make format-check"
step "Debian package" sh tests/package-check.sh
step distcheck sh -c "cd build-ci && make -j$jobs distcheck >distcheck.out 2>&1 || { tail -n 40 distcheck.out; exit 1; }"

echo
[ -n "$failures" ] && echo "failed steps:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
