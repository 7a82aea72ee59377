/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Whether the person is still there: their connection to the caller, and the caller itself. */
#ifndef PAM_OAUTH_WATCH_H
#define PAM_OAUTH_WATCH_H

#include <stddef.h>
#include <sys/types.h>

#include "status.h"

/* Sockets watched at most; sshd's PAM process holds exactly one connection of the person's. */
#define OAUTH_WATCH_MAX 4

struct oauth_watch {
	pid_t parent;             /* our parent when the login began; 0: not watched */
	int fds[OAUTH_WATCH_MAX]; /* the person's connection (borrowed descriptors) */
	size_t n;
};

/*
 * Notes what to watch: the parent process, and the TCP connection that
 * ssh_connection names, in the form sshd puts into the PAM environment
 * ("CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT"): the socket whose peer is the
 * client and whose own end is the server's. Other connections the caller holds
 * (an LDAP or database connection of sudo's, say) are not the person's and are
 * never watched. NULL or malformed: only the parent is. Call it before the core
 * opens connections of its own.
 */
void oauth_watch_start(struct oauth_watch *w, const char *ssh_connection);

/* OAUTH_CONV, with the reason in err, when the parent changed or the client hung up. */
enum oauth_status oauth_watch_check(const struct oauth_watch *w, char *err, size_t errlen);

#endif
