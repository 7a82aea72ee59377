#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs everything pam_oauth needs to build, test and run its demo on Debian 12. Run as root.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-debian.sh: run as root (it installs Debian packages)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
packages="
	autoconf automake autoconf-archive libtool pkg-config make gcc clang libclang-rt-14-dev
	libpam0g-dev libcurl4-openssl-dev libcjson-dev libqrencode-dev libssl-dev
	libpam-wrapper libnss-wrapper pamtester
	openssl ca-certificates coreutils procps zbar-tools valgrind mandoc clang-format
	openssh-server openssh-client putty-tools dropbear-bin sudo tmux util-linux passwd curl locales
	dpkg-dev debhelper lintian
	glewlwyd dbconfig-no-thanks
"
command -v node >/dev/null 2>&1 || packages="$packages nodejs"
command -v npm >/dev/null 2>&1 || packages="$packages npm"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	# The sshd and sudo tests run their own sshd in a namespace: installing openssh-server must
	# not start the machine's sshd. A policy-rc.d that says 101 keeps invoke-rc.d from starting
	# services; an existing one (Docker images have one) is left alone.
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	# Glewlwyd is a second provider for the integration tests, which run its binary on a
	# database of their own: no database for the package (dbconfig-no-thanks, "No
	# configuration") and, below, no service started at boot.
	echo "glewlwyd glewlwyd/config_type select No configuration" | debconf-set-selections
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
	[ -z "$policy" ] || rm -f "$policy"
	case " $missing " in
	*" glewlwyd "*)
		deb-systemd-helper disable glewlwyd.service >/dev/null 2>&1 || true
		update-rc.d glewlwyd disable >/dev/null 2>&1 || true
		;;
	esac
fi
echo "setup-debian.sh: all packages present"
