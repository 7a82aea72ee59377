/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The PAM conversation behind the core's display callbacks. */
#include "build_config.h"

#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "conv.h"
#include "secret.h"

static enum oauth_status
to_status(struct oauth_conv *c, int pam_rc)
{
	if (pam_rc == PAM_SUCCESS)
		return OAUTH_OK;
	c->pam_error = pam_rc;
	return pam_rc == PAM_BUF_ERR ? OAUTH_NOMEM : OAUTH_CONV;
}

/*
 * PAM_SILENT does not hide the code: without it the person cannot log in, and
 * the code is the point of the exchange, not a side remark.
 */
static enum oauth_status
conv_info(void *ctx, const char *text)
{
	struct oauth_conv *c = ctx;

	return to_status(c, pam_prompt(c->pamh, PAM_TEXT_INFO, NULL, "%s", text));
}

static enum oauth_status
conv_prompt(void *ctx, const char *text)
{
	struct oauth_conv *c = ctx;
	char *reply = NULL;
	int rc;

	rc = pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, &reply, "%s", text);
	/* The reply means nothing to us, but a person may have typed a password here. */
	oauth_free_secret(reply);
	return to_status(c, rc);
}

/* Nonzero for a connected TCP socket (IPv4 or IPv6): how a remote person reaches the caller. */
static int
is_tcp_connection(int fd)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_STREAM)
		return 0;
	if (getpeername(fd, (struct sockaddr *)&addr, &len) != 0)
		return 0;
	return addr.ss_family == AF_INET || addr.ss_family == AF_INET6;
}

/*
 * Notes the caller's TCP connections. sshd's PAM process inherits the client's
 * socket but, while we poll without a conversation, nobody reads it: when the
 * client hangs up, sshd 9.2 leaves us polling until the deadline. Sockets we
 * open later (libcurl's) are not in this list.
 */
static void
watch_connections(struct oauth_conv *c)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char *end;
	long fd;

	c->nwatch = 0;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && c->nwatch < OAUTH_CONV_WATCH_MAX) {
		fd = strtol(e->d_name, &end, 10);
		if (end == e->d_name || *end != '\0' || fd < 0 || fd == dirfd(d) || fd > INT_MAX)
			continue;
		if (is_tcp_connection((int)fd))
			c->watch[c->nwatch++] = (int)fd;
	}
	closedir(d);
}

/* The caller is gone when our parent changed (it died) or its peer closed a connection. */
static enum oauth_status
conv_alive(void *ctx, char *err, size_t errlen)
{
	struct oauth_conv *c = ctx;
	struct pollfd p;
	size_t i;

	if (c->parent != 0 && getppid() != c->parent) {
		oauth_seterr(err, errlen, "the process that asked for this login went away");
		return OAUTH_CONV;
	}
	for (i = 0; i < c->nwatch; i++) {
		p.fd = c->watch[i];
		p.events = POLLRDHUP;
		p.revents = 0;
		if (poll(&p, 1, 0) == 1 &&
		    (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) {
			oauth_seterr(err, errlen, "the connection to the person closed");
			return OAUTH_CONV;
		}
	}
	return OAUTH_OK;
}

void
oauth_conv_ops(struct oauth_conv *c, struct oauth_display_ops *ops)
{
	c->parent = getppid();
	watch_connections(c);
	ops->info = conv_info;
	ops->prompt = conv_prompt;
	ops->alive = conv_alive;
	ops->ctx = c;
}

void
oauth_conv_error(struct oauth_conv *c, const char *text)
{
	if (text == NULL || (c->flags & PAM_SILENT))
		return;
	(void)pam_prompt(c->pamh, PAM_ERROR_MSG, NULL, "%s", text);
}

void
oauth_conv_outcome(struct oauth_conv *c, const char *text)
{
	if (text == NULL)
		return;
	(void)pam_prompt(c->pamh, PAM_ERROR_MSG, NULL, "%s", text);
}
