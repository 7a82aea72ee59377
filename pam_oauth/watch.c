/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Whether the person is still there: their connection to the caller, and the caller itself. */
#include "build_config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "watch.h"

/* "CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT": sshd cuts each address at 50 bytes. */
#define MAX_CONNECTION_TEXT 160

/* One end of a TCP connection, IPv4-mapped IPv6 addresses folded to IPv4 as sshd prints them. */
struct end {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned port;
};

/* The two ends SSH_CONNECTION names. */
struct connection {
	struct end client, server;
};

static int
parse_end(const char *ip, const char *port, struct end *e)
{
	long p = 0;

	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET, ip, e->addr) == 1)
		e->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, e->addr) == 1)
		e->family = AF_INET6;
	else
		return 0;
	if (!oauth_parse_number(port, 1, 65535, &p))
		return 0;
	e->port = (unsigned)p;
	return 1;
}

/* Splits the four words in place; 1 when all four parse. */
static int
parse_connection(const char *text, struct connection *c)
{
	char buf[MAX_CONNECTION_TEXT + 1], *w[4], *save = NULL;
	size_t n = text != NULL ? strnlen(text, sizeof(buf)) : sizeof(buf);
	int i;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, text, n + 1);
	for (i = 0; i < 4; i++) {
		w[i] = strtok_r(i == 0 ? buf : NULL, " ", &save);
		if (w[i] == NULL)
			return 0;
	}
	if (strtok_r(NULL, " ", &save) != NULL)
		return 0;
	return parse_end(w[0], w[1], &c->client) && parse_end(w[2], w[3], &c->server);
}

static void
from_sockaddr(const struct sockaddr_storage *ss, struct end *e)
{
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	memset(e, 0, sizeof(*e));
	if (ss->ss_family == AF_INET) {
		e->family = AF_INET;
		memcpy(e->addr, &in4->sin_addr, 4);
		e->port = ntohs(in4->sin_port);
	} else if (ss->ss_family == AF_INET6 &&
	           memcmp(in6->sin6_addr.s6_addr, v4mapped, sizeof(v4mapped)) == 0) {
		e->family = AF_INET;
		memcpy(e->addr, in6->sin6_addr.s6_addr + 12, 4);
		e->port = ntohs(in6->sin6_port);
	} else if (ss->ss_family == AF_INET6) {
		e->family = AF_INET6;
		memcpy(e->addr, in6->sin6_addr.s6_addr, 16);
		e->port = ntohs(in6->sin6_port);
	}
}

static int
same_end(const struct end *a, const struct end *b)
{
	return a->family != 0 && a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Nonzero when fd is a connected TCP stream between exactly the two ends c names. */
static int
is_the_connection(int fd, const struct connection *c)
{
	struct sockaddr_storage peer, self;
	socklen_t plen = sizeof(peer), slen = sizeof(self), tlen;
	struct end p, s;
	int type = 0;

	tlen = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_STREAM)
		return 0;
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) != 0 ||
	    getsockname(fd, (struct sockaddr *)&self, &slen) != 0)
		return 0;
	from_sockaddr(&peer, &p);
	from_sockaddr(&self, &s);
	return same_end(&p, &c->client) && same_end(&s, &c->server);
}

static void
find_connection(struct oauth_watch *w, const struct connection *c)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long fd = -1;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && w->n < OAUTH_WATCH_MAX) {
		/* "." and ".." are not descriptors, nor is the one reading the directory. */
		if (!oauth_parse_number(e->d_name, 0, INT_MAX, &fd) || fd == dirfd(d))
			continue;
		if (is_the_connection((int)fd, c))
			w->fds[w->n++] = (int)fd;
	}
	closedir(d);
}

void
oauth_watch_start(struct oauth_watch *w, const char *ssh_connection)
{
	struct connection c;

	memset(w, 0, sizeof(*w));
	w->parent = getppid();
	if (parse_connection(ssh_connection, &c))
		find_connection(w, &c);
}

enum oauth_status
oauth_watch_check(const struct oauth_watch *w, char *err, size_t errlen)
{
	struct pollfd p;
	size_t i;

	if (w->parent != 0 && getppid() != w->parent) {
		oauth_seterr(err, errlen, "the process that asked for this login went away");
		return OAUTH_CONV;
	}
	for (i = 0; i < w->n; i++) {
		p.fd = w->fds[i];
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
