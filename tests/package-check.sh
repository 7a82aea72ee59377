#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Builds the Debian package in a temporary copy of the tree and checks what it ships: paths, owners
# and modes, the conffile, the maintainer scripts, the pam-auth-update profile and lintian. Nothing
# is installed on this machine: as root, the profile is also exercised with the real pam-auth-update
# and libpam inside a private mount namespace, on copies of /etc/pam.d and the other files they touch.
# Needs dpkg-dev, debhelper and lintian; the namespace part pamtester and openssl
# (tests/setup-debian.sh installs them all). Rules-Requires-Root: no, so no fakeroot.
# shellcheck disable=SC2015 # "A && ok || bad": ok only echoes, so bad runs exactly when A fails.
set -u
failed=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	failed=1
}

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH) || exit 1
arch=$(dpkg-architecture -qDEB_HOST_ARCH) || exit 1
module=usr/lib/$ma/security/pam_oauth.so
conffile=etc/security/pam_oauth.conf
profile=usr/share/pam-configs/oauth

# --- The profile and the conffile for real, in a private mount namespace.
namespace_check() {
	lib=$(cd "/usr/lib/$ma/security" && pwd -P) || return 1
	for d in /etc/pam.d /etc/security /var/lib/pam /var/cache/debconf /usr/share/pam-configs "$lib"; do
		c=$work/ns$d
		mkdir -p "$c" && cp -a "$d/." "$c/" && mount --bind "$c" "$d" || return 1
	done
	cp -a "$work/root/$profile" /usr/share/pam-configs/ &&
		cp -a "$work/root/$module" "$lib/" &&
		cp -a "$work/root/$conffile" /etc/security/ || return 1
	for f in passwd shadow group; do
		cp -a "/etc/$f" "$work/ns-$f" && mount --bind "$work/ns-$f" "/etc/$f" || return 1
	done
	hash=$(openssl passwd -6 pkgcheck-password) || return 1
	echo 'pkgcheck:x:64999:64999::/nonexistent:/usr/sbin/nologin' >>/etc/passwd
	echo "pkgcheck:$hash:19000:0:99999:7:::" >>/etc/shadow
	echo 'pkgcheck:x:64999:' >>/etc/group
	printf '@include common-auth\n' >/etc/pam.d/pkgcheck
	export DEBIAN_FRONTEND=noninteractive
	# pamtester exits 0 on success and 1 on a PAM failure; anything else (a crash) is neither.
	try_login() {
		out=$(echo pkgcheck-password | timeout 60 pamtester pkgcheck pkgcheck authenticate 2>&1)
		lrc=$?
		echo "   pamtester: $out (exit $lrc)"
		[ "$lrc" -eq 0 ] || [ "$lrc" -eq 1 ] || { echo "FAIL: pamtester exit $lrc"; rc=1; }
		return $lrc
	}
	rc=0

	pam-auth-update --package || return 1
	if grep -q pam_oauth /etc/pam.d/common-*; then
		echo "FAIL: pam-auth-update --package enabled the profile"
		rc=1
	else
		echo "ok: pam-auth-update --package leaves the profile off"
	fi
	try_login && echo "ok: password login works before the profile is enabled" ||
		{ echo "FAIL: the password login fails even without pam_oauth"; rc=1; }

	pam-auth-update --force --enable oauth || return 1
	echo "--- common-auth with the profile enabled"
	grep -v '^#' /etc/pam.d/common-auth
	echo "---"
	# Additional block: after the password modules and the pam_permit line.
	if awk '/pam_permit.so/ { permit = 1 } /pam_oauth.so/ { found = permit && /\[success=ok default=die\]/ }
		END { exit !found }' /etc/pam.d/common-auth; then
		echo "ok: enabled, the module follows the password modules as an additional factor"
	else
		echo "FAIL: enabled profile not in the Additional block"
		rc=1
	fi
	try_login
	case $? in
	0)
		echo "FAIL: right password + unedited /$conffile let the login in"
		rc=1
		;;
	1)
		# An unedited file names no provider: PAM_SERVICE_ERR, as pam_oauth.conf(5) says.
		if echo "$out" | grep -q 'Error in service module'; then
			echo "ok: right password + unedited /$conffile: refused with PAM_SERVICE_ERR (fails closed)"
		else
			echo "FAIL: right password + unedited /$conffile: refused, but not with PAM_SERVICE_ERR"
			rc=1
		fi
		;;
	esac

	pam-auth-update --package --remove oauth || return 1
	if grep -q pam_oauth /etc/pam.d/common-*; then
		echo "FAIL: pam-auth-update --package --remove left pam_oauth in common-*"
		rc=1
	else
		echo "ok: pam-auth-update --package --remove takes it out again"
	fi
	try_login && echo "ok: password login works again after removal" ||
		{ echo "FAIL: password login fails after removal"; rc=1; }
	return $rc
}
# Inside the namespace (unshare re-runs this script): the checks above on the unpacked package.
if [ "${1:-}" = --in-namespace ]; then
	work=$2
	namespace_check
	exit $?
fi

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pam_oauth-package.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

# --- Build, from a copy: dpkg-buildpackage cleans and writes in the tree and its parent.
mkdir "$work/src" || exit 1
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf -) |
		tar -xf - -C "$work/src" || exit 1
else
	tar -C "$top" --exclude='./build*' --exclude=./node_modules --exclude=./tests/idp/node_modules \
		-cf - . | tar -xf - -C "$work/src" || exit 1
fi
echo "building in $work/src"
if ! (cd "$work/src" &&
	DEB_BUILD_OPTIONS="parallel=${PACKAGE_CHECK_JOBS:-2} noautodbgsym ${DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1); then
	tail -n 60 "$work/build.log"
	echo "FAIL: dpkg-buildpackage -us -uc -b"
	exit 1
fi
version=$(dpkg-parsechangelog -l "$work/src/debian/changelog" -S Version) || exit 1
deb=$work/libpam-oauth_${version}_$arch.deb
changes=$work/pam-oauth_${version}_$arch.changes
[ -f "$deb" ] && ok "built $(basename "$deb")" || { bad "no $deb"; exit 1; }
grep -E '^# (TOTAL|PASS|FAIL|ERROR):' "$work/build.log"
grep -q '^PASS: tests/unit/' "$work/build.log" && ok "the build ran the unit tests" ||
	echo "note: the build ran no unit tests (DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-})"

# --- Contents: dpkg-deb -c prints "mode owner/group size date time ./path".
dpkg-deb -c "$deb" | awk '{ p = $6; sub(/^\.\//, "", p); print $1, $2, p }' >"$work/contents"
echo "--- contents"
cat "$work/contents"
echo "---"
has() { # mode owner path: exactly one such entry
	[ "$(awk -v m="$1" -v o="$2" -v p="$3" '$1 == m && $2 == o && $3 == p' "$work/contents" | wc -l)" -eq 1 ]
}
has -rw-r--r-- root/root "$module" && ok "module in /$module" || bad "no /$module (0644 root)"
has -rw------- root/root "$conffile" && ok "/$conffile is 0600 root:root" ||
	bad "/$conffile missing or not -rw------- root/root"
has -rw-r--r-- root/root usr/share/man/man8/pam_oauth.8.gz && ok "pam_oauth(8)" || bad "no pam_oauth(8)"
has -rw-r--r-- root/root usr/share/man/man5/pam_oauth.conf.5.gz && ok "pam_oauth.conf(5)" ||
	bad "no pam_oauth.conf(5)"
has -rw-r--r-- root/root "$profile" && ok "pam-auth-update profile /$profile" || bad "no /$profile"
# The self-check command and its manual page: their own package (the module's is Multi-Arch: same).
checkdeb=$work/pam-oauth-check_${version}_$arch.deb
echo "--- contents of $(basename "$checkdeb")"
dpkg-deb -c "$checkdeb" | awk '{ p = $6; sub(/^\.\//, "", p); print $1, $2, p }' | tee "$work/check-contents"
echo "---"
has_check() { # mode owner path
	[ "$(awk -v m="$1" -v o="$2" -v p="$3" '$1 == m && $2 == o && $3 == p' "$work/check-contents" | wc -l)" -eq 1 ]
}
has_check -rwxr-xr-x root/root usr/sbin/pam_oauth_check && ok "/usr/sbin/pam_oauth_check" ||
	bad "no /usr/sbin/pam_oauth_check (0755 root) in $(basename "$checkdeb")"
has_check -rw-r--r-- root/root usr/share/man/man8/pam_oauth_check.8.gz && ok "pam_oauth_check(8)" ||
	bad "no pam_oauth_check(8) in $(basename "$checkdeb")"
grep -q pam_oauth_check "$work/contents" && bad "libpam-oauth (Multi-Arch: same) ships pam_oauth_check"
for f in pam.d/sshd pam.d/sudo sshd_config.d/pam_oauth.conf keycloak.conf usermap; do
	has -rw-r--r-- root/root "usr/share/doc/libpam-oauth/examples/$f" || bad "no example $f"
done
awk '$2 != "root/root"' "$work/contents" | grep . && bad "files not owned by root/root (above)"
# Neither Debian nor RHEL reads /lib/security or /usr/lib/security; libtool's .la is not wanted.
grep -E ' (lib|usr/lib)/security/|\.la$' "$work/contents" && bad "module outside the multiarch PAM dir"
awk 'substr($1, 9, 1) == "w" || $1 ~ /[sS]/' "$work/contents" | grep . &&
	bad "world-writable or setuid entries (above)"

# --- Control files.
mkdir "$work/ctrl" "$work/root"
dpkg-deb -e "$deb" "$work/ctrl" && dpkg-deb -x "$deb" "$work/root" || exit 1
grep -qx "/$conffile" "$work/ctrl/conffiles" && ok "/$conffile is a conffile" ||
	bad "/$conffile is not a conffile (dpkg would overwrite an edited copy)"
dpkg-deb -f "$deb" Depends | grep -q 'libpam-runtime' && ok "depends on libpam-runtime" ||
	bad "no dependency on libpam-runtime (pam-auth-update)"
grep -q '^	*pam-auth-update --package$' "$work/ctrl/postinst" && ok "postinst registers the profile" ||
	bad "postinst does not run pam-auth-update --package"
grep -q 'pam-auth-update --package --remove oauth' "$work/ctrl/prerm" &&
	ok "prerm removes the profile before the module goes" || bad "prerm does not remove the profile"
grep -q -- '--enable\|--force' "$work/ctrl/postinst" "$work/ctrl/prerm" &&
	bad "a maintainer script enables or forces a PAM profile"

# --- The shipped configuration is disabled: no line other than comments and blank lines.
active=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$work/root/$conffile")
[ -z "$active" ] && ok "/$conffile sets nothing (fails closed until edited)" ||
	bad "/$conffile has active lines: $active"

# --- The profile: off by default, a second factor that fails closed, no comma in Name (debconf
# joins the names with commas) and no comment line (pam-auth-update would append it to a field).
p=$work/root/$profile
grep -qx 'Default: no' "$p" && ok "profile is off by default" || bad "profile lacks 'Default: no'"
grep -qx 'Auth-Type: Additional' "$p" && ok "profile is an additional factor" ||
	bad "profile lacks 'Auth-Type: Additional'"
grep -qx '	\[success=ok default=die\]	pam_oauth.so' "$p" && ok "profile line fails closed" ||
	bad "profile auth line is not '[success=ok default=die] pam_oauth.so'"
grep '^Name:' "$p" | grep -q , && bad "profile Name contains a comma"
grep -q '^[[:space:]]*#' "$p" && bad "profile has a comment line"
grep -q '^Account\|^Session\|^Password' "$p" && bad "profile touches more than auth"

# --- lintian: errors and warnings fail; tags the package overrides are justified in
# debian/libpam-oauth.lintian-overrides; information tags are shown.
echo "--- lintian -I --fail-on error,warning $(basename "$changes")"
lintian -I --fail-on error,warning "$changes" >"$work/lintian.out" 2>&1
lrc=$?
grep -v 'running with root privileges' "$work/lintian.out"
[ "$lrc" -eq 0 ] && ok "lintian: no errors or warnings" || bad "lintian (exit $lrc)"

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v pamtester >/dev/null; then
	echo "SKIPPED: the namespace check of the profile needs root, unshare and pamtester"
else
	unshare --mount --propagation private sh "$0" --in-namespace "$work" ||
		bad "namespace check of the profile (see above)"
fi

echo
[ "$failed" -eq 0 ] && echo "package check passed" || echo "package check FAILED"
exit "$failed"
