/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* A tiny scripted HTTP/1.1 server on 127.0.0.1 for the unit tests of the network code. */
#include "build_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd.h"

static const struct httpd_reply no_script = {
    "HTTP/1.1 599 No Script\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 0, 1};

/* Waits for fd to be readable; 0 when it is, -1 when woken (stop) or on error. */
static int
wait_readable(struct httpd *h, int fd)
{
	struct pollfd p[2] = {{fd, POLLIN, 0}, {h->wake[0], POLLIN, 0}};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[1].revents != 0)
			return -1;
		if (p[0].revents != 0)
			return 0;
	}
}

static long
content_length(const char *head)
{
	const char *p = head;
	char *end = NULL;
	long n;

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, "Content-Length:", 15) == 0) {
			n = strtol(p + 15, &end, 10);
			return (end == p + 15 || n < 0) ? -1 : n;
		}
	}
	return 0;
}

/* Reads one request into a fresh buffer; NULL at end of connection or stop. */
static char *
read_request(struct httpd *h, int fd)
{
	char *buf = calloc(1, HTTPD_MAX_REQUEST_BYTES + 1);
	size_t len = 0, want = 0;
	const char *eoh;
	ssize_t n;
	long cl;

	if (buf == NULL)
		return NULL;
	for (;;) {
		eoh = strstr(buf, "\r\n\r\n");
		if (eoh != NULL && want == 0) {
			cl = content_length(buf);
			if (cl < 0 || (size_t)cl > HTTPD_MAX_REQUEST_BYTES)
				break;
			want = (size_t)(eoh + 4 - buf) + (size_t)cl;
			if (want > HTTPD_MAX_REQUEST_BYTES)
				break;
		}
		if (want != 0 && len >= want)
			return buf;
		if (len == HTTPD_MAX_REQUEST_BYTES || wait_readable(h, fd) != 0)
			break;
		n = recv(fd, buf + len, HTTPD_MAX_REQUEST_BYTES - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	free(buf);
	return NULL;
}

static int
send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Records req and returns the reply scripted for it. */
static const struct httpd_reply *
record(struct httpd *h, char *req)
{
	const struct httpd_reply *r = &no_script;

	pthread_mutex_lock(&h->lock);
	if (h->nrequests < h->nreplies)
		r = &h->replies[h->nrequests];
	if (h->nrequests < HTTPD_MAX_REQUESTS)
		h->requests[h->nrequests] = req;
	else
		free(req);
	h->nrequests++;
	pthread_mutex_unlock(&h->lock);
	return r;
}

static void
serve(struct httpd *h, int fd)
{
	const struct httpd_reply *r;
	char *req, sink[4096];

	for (;;) {
		req = read_request(h, fd);
		if (req == NULL)
			return;
		r = record(h, req);
		if (r->raw == NULL) {
			/* Say nothing; wait for the client to give up. */
			while (wait_readable(h, fd) == 0 && recv(fd, sink, sizeof(sink), 0) > 0)
				;
			return;
		}
		if (send_all(fd, r->raw, r->len ? r->len : strlen(r->raw)) != 0 || r->close)
			return;
	}
}

static void *
run(void *arg)
{
	struct httpd *h = arg;
	int fd;

	while (wait_readable(h, h->fd) == 0) {
		fd = accept(h->fd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&h->lock);
		h->accepted++;
		pthread_mutex_unlock(&h->lock);
		serve(h, fd);
		close(fd);
	}
	return NULL;
}

static int
listen_loopback(int *port)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

int
httpd_start(struct httpd *h, const struct httpd_reply *replies, size_t n)
{
	memset(h, 0, sizeof(*h));
	h->replies = replies;
	h->nreplies = n;
	h->fd = listen_loopback(&h->port);
	if (h->fd < 0 || listen(h->fd, 8) != 0 || pipe(h->wake) != 0)
		return -1;
	snprintf(h->base, sizeof(h->base), "http://127.0.0.1:%d", h->port);
	pthread_mutex_init(&h->lock, NULL);
	if (pthread_create(&h->thread, NULL, run, h) != 0)
		return -1;
	h->running = 1;
	return 0;
}

void
httpd_stop(struct httpd *h)
{
	if (!h->running)
		return;
	if (write(h->wake[1], "x", 1) != 1)
		perror("httpd wake");
	pthread_join(h->thread, NULL);
	close(h->fd);
	close(h->wake[0]);
	close(h->wake[1]);
	pthread_mutex_destroy(&h->lock);
	h->running = 0;
}

void
httpd_free(struct httpd *h)
{
	size_t i;

	httpd_stop(h);
	for (i = 0; i < HTTPD_MAX_REQUESTS; i++) {
		free(h->requests[i]);
		h->requests[i] = NULL;
	}
}

int
httpd_accepted(struct httpd *h)
{
	int n;

	if (!h->running)
		return h->accepted;
	pthread_mutex_lock(&h->lock);
	n = h->accepted;
	pthread_mutex_unlock(&h->lock);
	return n;
}

size_t
httpd_nrequests(struct httpd *h)
{
	size_t n;

	if (!h->running)
		return h->nrequests;
	pthread_mutex_lock(&h->lock);
	n = h->nrequests;
	pthread_mutex_unlock(&h->lock);
	return n;
}

const char *
httpd_request(struct httpd *h, size_t i)
{
	return i < HTTPD_MAX_REQUESTS ? h->requests[i] : NULL;
}

const char *
httpd_body(const char *req)
{
	const char *p = req ? strstr(req, "\r\n\r\n") : NULL;

	return p ? p + 4 : NULL;
}

int
httpd_has_header(const char *req, const char *line)
{
	const char *p = req, *eoh = req ? strstr(req, "\r\n\r\n") : NULL;
	size_t n = strlen(line);

	while (eoh != NULL && (p = strstr(p, "\r\n")) != NULL && p < eoh) {
		p += 2;
		if (strncmp(p, line, n) == 0 && p[n] == '\r')
			return 1;
	}
	return 0;
}

int
httpd_has_header_name(const char *req, const char *name)
{
	const char *p = req, *eoh = req ? strstr(req, "\r\n\r\n") : NULL;
	size_t n = strlen(name);

	while (eoh != NULL && (p = strstr(p, "\r\n")) != NULL && p < eoh) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
	}
	return 0;
}

int
httpd_refusing_port(void)
{
	int port = 0, fd = listen_loopback(&port);

	if (fd < 0)
		return -1;
	close(fd);
	return port;
}
