#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The pam_oauth authors
# Runs a command with the test machine's files in place of the real ones, for the real-sshd and
# real-sudo tests. Start it as root inside fresh mount and PID namespaces:
#   unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
#       sh ns-run.sh [--whole-etc] ROOT COMMAND...
# ROOT holds etc/{passwd,shadow,group,pam.d,security,sudoers} and dev/ (with the syslog socket
# dev/log). Each is bind-mounted over the real one, /run becomes an empty tmpfs (sudo's time
# stamps, sshd's privilege separation directory), then COMMAND replaces this shell. The mounts
# exist only in the namespace and vanish with it: the machine's own files are never written.
# --whole-etc: ROOT/etc is a copy of all of /etc and replaces it as one mount, for the setuid
# test: a file a program creates anywhere in /etc (chsh's /etc/passwd+, a path named by a hostile
# environment such as /etc/ld.so.preload) lands in the copy, and renames over /etc/passwd work
# (a file bind mount cannot be renamed over).
# Optional private copies, each mounted over the real directory when ROOT has it (the setuid
# test): var/lib/pam, var/cache/debconf and usr/share/pam-configs (pam-auth-update's state and
# profiles), usr/lib/*/security (the PAM modules, with the module under test among them) and
# usr/lib/locale (compiled locales: setuid programs ignore LOCPATH), var/log (su records failed
# attempts in btmp).
set -eu

whole_etc=
if [ "${1:-}" = --whole-etc ]; then
	whole_etc=1
	shift
fi
root=${1:?usage: ns-run.sh [--whole-etc] ROOT COMMAND...}
shift
[ "$#" -gt 0 ] || { echo "ns-run.sh: no command" >&2; exit 2; }

# Refuse to run outside a private mount namespace: the mounts below would hit the machine.
# As the first process of the fresh PID namespace (unshare --pid --fork --mount-proc, which implies
# --mount) this shell is PID 1. Otherwise its mount namespace must differ from PID 1's, and an
# unreadable /proc/1/ns/mnt (PID 1 in an outer user namespace, as in some containers, where even
# root gets EACCES) proves nothing: refuse then too rather than mount over the real /etc.
if [ "$$" -ne 1 ]; then
	init_ns=$(readlink /proc/1/ns/mnt 2>/dev/null) || init_ns=
	if [ -z "$init_ns" ] || [ "$(readlink /proc/self/ns/mnt)" = "$init_ns" ]; then
		echo "ns-run.sh: not in a private mount namespace; refusing" >&2
		exit 2
	fi
fi

if [ -n "$whole_etc" ]; then
	mount --bind "$root/etc" /etc
else
	for f in passwd shadow group sudoers; do
		[ -f "$root/etc/$f" ] && mount --bind "$root/etc/$f" "/etc/$f"
	done
	for d in pam.d security; do
		[ -d "$root/etc/$d" ] && mount --bind "$root/etc/$d" "/etc/$d"
	done
fi
for d in /var/lib/pam /var/cache/debconf /usr/share/pam-configs /usr/lib/*/security /usr/lib/locale \
	/var/log; do
	if [ -d "$root$d" ] && [ -d "$d" ]; then
		mount --bind "$root$d" "$d"
	fi
done

# A private /dev: the real device nodes the callers need, plus ROOT/dev/log, the test's syslog
# socket, so the module's log lines reach the test instead of the machine's log.
for n in null zero full random urandom tty ptmx; do
	[ -e "/dev/$n" ] || continue
	[ -e "$root/dev/$n" ] || : >"$root/dev/$n"
	mount --bind "/dev/$n" "$root/dev/$n"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount --rbind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
for n in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
	[ -e "$root/dev/${n%%:*}" ] || ln -s "${n#*:}" "$root/dev/${n%%:*}"
done
mount --rbind "$root/dev" /dev

mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -m 0755 /run/sshd

exec "$@"
