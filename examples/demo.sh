#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The pam_oauth authors
# Demo: one real login through libpam with pam_oauth against the bundled local OpenID provider.
#
#   sh examples/demo.sh          approve automatically as alice after about 5 seconds
#   sh examples/demo.sh --wait   approve yourself in a browser (and press Enter at the prompt)
#
# Run as root from anywhere in the repository; it builds the module in build/ when missing
# (PAM_OAUTH_MODULE=path uses another build, DEMO_PORT another port than 8765, DEMO_KEEP=1 keeps
# the temporary files).
# Nothing on the system changes: pam_wrapper and nss_wrapper give pamtester a private PAM service
# and a private user "alice"; the provider listens on 127.0.0.1:8765 and stops at the end.
set -u

PORT=${DEMO_PORT:-8765}
ISSUER=http://127.0.0.1:$PORT
APPROVE_DELAY=5

wait_mode=no
for arg in "$@"; do
	case $arg in
	--wait) wait_mode=yes ;;
	-h | --help)
		sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "demo.sh: unknown argument $arg (try --help)" >&2
		exit 2
		;;
	esac
done

die() {
	echo "demo.sh: $*" >&2
	exit 1
}

top=$(cd "$(dirname "$0")/.." && pwd) || die "cannot find the repository"
cd "$top" || die "cannot enter $top"

[ "$(id -u)" -eq 0 ] || die "run as root: pam_oauth only reads a root-owned configuration file"
for tool in pamtester stdbuf node npm; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool not found; install the demo's packages first: sh tests/setup-debian.sh"
done
for lib in libpam_wrapper.so libnss_wrapper.so; do
	ldconfig -p 2>/dev/null | grep -q "$lib" || ls /usr/lib/*/"$lib" >/dev/null 2>&1 ||
		die "$lib not found; install the demo's packages first: sh tests/setup-debian.sh"
done

# The module: an existing build, else build it in build/.
module=${PAM_OAUTH_MODULE:-}
[ -n "$module" ] || for m in "$top/build/.libs/pam_oauth.so" "$top/.libs/pam_oauth.so"; do
	[ -f "$m" ] && module=$m && break
done
if [ -z "$module" ]; then
	echo "== building pam_oauth in build/ (autoreconf, configure, make)"
	{ [ -x configure ] || autoreconf -fi; } &&
		mkdir -p build && (cd build && { [ -f Makefile ] || ../configure; } && make -j2) ||
		die "the build failed (see above)"
	module=$top/build/.libs/pam_oauth.so
	[ -f "$module" ] || die "the build did not produce $module"
fi

# The provider's packages go to the build tree, like the integration tests'.
idp=$top/build/tests/idp-run
mkdir -p "$idp" || die "cannot create $idp"
for f in package.json package-lock.json server.mjs approve.mjs; do
	cp "$top/tests/idp/$f" "$idp/$f" || die "cannot copy tests/idp/$f"
done
if ! cmp -s "$idp/package-lock.json" "$idp/.installed-lock" 2>/dev/null || [ ! -d "$idp/node_modules" ]; then
	echo "== installing the demo provider's packages (npm ci in $idp)"
	(cd "$idp" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
	cp "$idp/package-lock.json" "$idp/.installed-lock"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pam-oauth-demo.XXXXXX") || die "mktemp failed"
idp_pid=
approver_pid=
cleanup() {
	[ -n "$approver_pid" ] && kill "$approver_pid" 2>/dev/null
	[ -n "$idp_pid" ] && kill "$idp_pid" 2>/dev/null && wait "$idp_pid" 2>/dev/null
	[ -n "${DEMO_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Provider.
node "$idp/server.mjs" --port "$PORT" >"$tmp/idp.log" 2>&1 &
idp_pid=$!
i=0
until grep -q '^issuer ' "$tmp/idp.log" 2>/dev/null; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$idp_pid" 2>/dev/null; then
		cat "$tmp/idp.log" >&2
		die "the provider did not start (is port $PORT in use?)"
	fi
	sleep 0.1
done

# With a terminal and --wait, show what ssh users see: the prompt "Press Enter once you have
# approved". Otherwise (automatic approval, or no terminal as in CI) poll without a prompt.
if [ "$wait_mode" = yes ] && [ -t 0 ] && [ -t 1 ]; then
	prompt=enter
else
	prompt=none
fi
interactive=no
[ -t 0 ] && [ -t 1 ] && interactive=yes
[ "$wait_mode" = yes ] && [ "$interactive" = no ] &&
	echo "demo.sh: no terminal: waiting for you to approve in a browser anyway" >&2

# Private PAM service, configuration (examples/demo.conf) and user database.
install -m 0644 examples/demo.conf "$tmp/pam_oauth.conf"
mkdir "$tmp/pam.d"
# demo.conf names port 8765; another port (DEMO_PORT) is given as an argument, which wins.
issuer_arg=
[ "$PORT" = 8765 ] || issuer_arg=" issuer=$ISSUER"
echo "auth required $module config=$tmp/pam_oauth.conf prompt=$prompt timeout=120$issuer_arg" >"$tmp/pam.d/pam_oauth_demo"
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:Alice:/home/alice:/bin/sh\n' >"$tmp/passwd"
printf 'root:x:0:\nalice:x:1001:\n' >"$tmp/group"

echo "== provider: $ISSUER (tests/idp/server.mjs; any account name, any password)"
echo "== logging in as alice through PAM service pam_oauth_demo (pamtester)"
if [ "$wait_mode" = yes ]; then
	echo "== approve in a browser: open the URL below (or scan the QR code), enter the code,"
	echo "   confirm, sign in as alice with any password, and allow the request."
else
	echo "== approving automatically as alice ${APPROVE_DELAY} s after the code appears."
	echo "   To approve by hand instead, run: sh examples/demo.sh --wait"
	echo "   (then open $ISSUER/device in a browser, enter the code, sign in as alice)."
fi
echo

# The approver reads the code from pamtester's output, as a person would from the screen.
: >"$tmp/out"
if [ "$wait_mode" = no ]; then
	(
		i=0
		code=
		while [ -z "$code" ] && [ "$i" -lt 600 ]; do
			code=$(sed -n 's/.*Code: *\([A-Za-z0-9-]*\).*/\1/p' "$tmp/out" | head -n 1)
			i=$((i + 1))
			sleep 0.1
		done
		[ -n "$code" ] || exit 1
		sleep "$APPROVE_DELAY"
		echo "[demo] approving code $code as alice (node tests/idp/approve.mjs)"
		node "$idp/approve.mjs" "$ISSUER" "$code" --login alice | sed 's/^/[demo] /'
	) &
	approver_pid=$!
fi

# Drops pam_wrapper's lines from the live view but passes a prompt (no newline yet) at once.
hide_wrapper_lines='
let held = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  const parts = (held + chunk).split("\n");
  held = parts.pop();
  for (const l of parts) if (!/^PWRAP_/.test(l) && l !== "") process.stdout.write(l + "\n");
  if (held !== "" && !"PWRAP_".startsWith(held.slice(0, 6)) && !held.startsWith("PWRAP_")) {
    process.stdout.write(held);
    held = "";
  }
});
process.stdin.on("end", () => { if (!held.startsWith("PWRAP_")) process.stdout.write(held); });
'
# pamtester prints information on stdout and prompts on stderr; stdbuf shows the code at once.
# pam_wrapper prints the module's syslog lines on stderr (level 2); they are shown at the end.
if [ "$interactive" = yes ]; then stdin=/dev/tty; else stdin=/dev/null; fi
# The wrappers are preloaded into pamtester only (stdbuf would get its own pam_wrapper setup).
{
	PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$tmp/pam.d" PAM_WRAPPER_DEBUGLEVEL=2 \
		NSS_WRAPPER_PASSWD="$tmp/passwd" NSS_WRAPPER_GROUP="$tmp/group" \
		stdbuf -o0 sh -c 'LD_PRELOAD="libpam_wrapper.so:libnss_wrapper.so${LD_PRELOAD:+:$LD_PRELOAD}" exec "$@"' \
		sh pamtester pam_oauth_demo alice authenticate <"$stdin"
	echo $? >"$tmp/rc"
} 2>&1 | tee "$tmp/out" | node -e "$hide_wrapper_lines"

[ -n "$approver_pid" ] && wait "$approver_pid" 2>/dev/null
approver_pid=
echo
echo "== the module's log line (syslog, via pam_wrapper):"
sed -n 's/.*SYSLOG([0-9]*): \(.*result=.*\)/   \1/p' "$tmp/out"
rc=$(cat "$tmp/rc" 2>/dev/null || echo 1)
if [ "$rc" -eq 0 ]; then
	echo "== result: alice logged in (PAM_SUCCESS)"
else
	echo "== result: login failed (pamtester exit $rc)"
fi
exit "$rc"
