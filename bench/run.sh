#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The pam_oauth authors
# Benchmark (not a test): N concurrent real logins (pamtester + pam_wrapper) against the test
# provider over HTTPS. Usage: sh bench/run.sh [N] [bench.mjs options]; see bench/bench.mjs.
# Needs root (private /tmp per login, root-owned config) and the test tools (tests/setup-debian.sh).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${BUILDDIR:-$top/build}" && pwd)
PAM_OAUTH_MODULE=${PAM_OAUTH_MODULE:-$builddir/.libs/pam_oauth.so}
[ -f "$PAM_OAUTH_MODULE" ] || { echo "bench: module not built: $PAM_OAUTH_MODULE" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
for tool in pamtester stdbuf unshare openssl node npm /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool not found" >&2; exit 1; }
done

# The provider and its packages, as tests/integration/run.sh installs them.
run=$builddir/tests/idp-run
mkdir -p "$run"
for f in package.json package-lock.json server.mjs approve.mjs; do
	cp "$top/tests/idp/$f" "$run/$f.new" && mv -f "$run/$f.new" "$run/$f"
done
if ! cmp -s "$run/package-lock.json" "$run/.installed-lock" 2>/dev/null || [ ! -d "$run/node_modules" ]; then
	(cd "$run" && npm ci --no-audit --no-fund --loglevel=error)
	cp "$run/package-lock.json" "$run/.installed-lock"
fi

# Not under /tmp: every login mounts a private /tmp (pam_wrapper has only 62 names there).
work=$(mktemp -d /var/tmp/pam-oauth-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP
sh "$top/tests/tools/ca.sh" "$work/pki" >/dev/null

export PAM_OAUTH_MODULE PAM_OAUTH_IDP_DIR="$run" PAM_OAUTH_PKI="$work/pki" BENCH_WORK="$work"
node "$top/bench/bench.mjs" "$@"
