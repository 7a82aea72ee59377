#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The pam_oauth authors
# Automake test: runs the real module through libpam (pam_wrapper + pamtester) against a local
# OpenID provider (tests/idp). Exit 0 pass, 1 fail, 77 skip (test tools not installed).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "${top_srcdir:-$here/../..}" && pwd)
top_builddir=$(cd "${top_builddir:-$top_srcdir}" && pwd)
PAM_OAUTH_MODULE=${PAM_OAUTH_MODULE:-$top_builddir/.libs/pam_oauth.so}
export top_srcdir top_builddir PAM_OAUTH_MODULE

skip() {
	echo "SKIP: $*" >&2
	echo "  install the test tools: sh tests/setup-debian.sh" >&2
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

for tool in pamtester stdbuf openssl zbarimg node npm; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done
for lib in libpam_wrapper.so libnss_wrapper.so; do
	found=
	for d in /usr/lib/*-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
		[ -e "$d/$lib" ] && found=$d/$lib && break
	done
	[ -n "$found" ] || ldconfig -p 2>/dev/null | grep -q "$lib" || skip "$lib not found (libpam-wrapper / libnss-wrapper)"
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || skip "node $node_major is too old (oidc-provider 9 needs 20 or later)"
[ "$(id -u)" -eq 0 ] || skip "not root (the module requires a root-owned config file)"
[ -f "$PAM_OAUTH_MODULE" ] || fail "module not built: $PAM_OAUTH_MODULE"

# The module counts sign-in requests in rate_limit_dir, /run/pam_oauth unless a test names a
# directory of its own. So the whole run gets a private, empty /run, a tmpfs in a mount namespace
# of its own (as the caller tests' namespaces have): no test writes the machine's.
if [ -z "${PAM_OAUTH_IT_PRIVATE_RUN:-}" ]; then
	if unshare --mount --propagation private true 2>/dev/null; then
		PAM_OAUTH_IT_PRIVATE_RUN=1
		export PAM_OAUTH_IT_PRIVATE_RUN
		exec unshare --mount --propagation private \
			sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run && exec sh "$0" "$@"' "$0" "$@"
	fi
	echo "warning: no private mount namespace: tests that name no rate_limit_dir use /run/pam_oauth" >&2
fi

# The provider runs from the build tree: the source tree may be read-only.
run=$top_builddir/tests/idp-run
mkdir -p "$run" || fail "cannot create $run"
for f in package.json package-lock.json server.mjs approve.mjs; do
	cp "$top_srcdir/tests/idp/$f" "$run/$f.new" && mv -f "$run/$f.new" "$run/$f" ||
		fail "cannot copy tests/idp/$f to $run"
done
if ! cmp -s "$run/package-lock.json" "$run/.installed-lock" 2>/dev/null || [ ! -d "$run/node_modules" ]; then
	echo "installing the test provider's packages into $run (npm ci)"
	(cd "$run" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed in $run"
	cp "$run/package-lock.json" "$run/.installed-lock"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pam-oauth-it.XXXXXX") || fail "mktemp failed"
node_pid=
cleanup() {
	[ -n "$node_pid" ] && kill -TERM "$node_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

sh "$top_srcdir/tests/tools/ca.sh" "$tmp/pki" || fail "could not make test certificates"

PAM_OAUTH_IDP_DIR=$run
PAM_OAUTH_PKI=$tmp/pki
TMPDIR=$tmp
export PAM_OAUTH_IDP_DIR PAM_OAUTH_PKI TMPDIR

echo "module: $PAM_OAUTH_MODULE"
[ -n "${PAM_OAUTH_PRELOAD:-}" ] && echo "extra preload: $PAM_OAUTH_PRELOAD"
[ -n "${PAM_OAUTH_WRAPPER:-}" ] && echo "wrapper: $PAM_OAUTH_WRAPPER"

# PAM_OAUTH_IT_FILES picks test files by name (default: all); PAM_OAUTH_IT_TIMEOUT bounds the
# whole run in seconds (slower under valgrind).
files=
for f in ${PAM_OAUTH_IT_FILES:-$(cd "$top_srcdir/tests/integration" && echo *.test.mjs)}; do
	[ -f "$top_srcdir/tests/integration/$f" ] || fail "no test file tests/integration/$f"
	files="$files $top_srcdir/tests/integration/$f"
done

# Every test file runs in its own node process; each test kills what it started. timeout(1)
# leads its own process group and signals all of it: a last resort against a hung run.
# shellcheck disable=SC2086
# Files run side by side (PAM_OAUTH_IT_JOBS, default 3): the tests mostly wait on polling
# intervals, and every file starts its own provider on its own ports.
timeout -k 10 "${PAM_OAUTH_IT_TIMEOUT:-900}" node --test --test-concurrency="${PAM_OAUTH_IT_JOBS:-3}" \
	--test-reporter=spec \
	$files &
node_pid=$!
wait "$node_pid"
rc=$?
node_pid=
[ "$rc" -eq 0 ] || fail "integration tests failed (node --test exit $rc)"
echo "PASS: integration tests"
exit 0
