/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* A tiny scripted HTTP/1.1 server on 127.0.0.1 for the unit tests of the network code. */
#ifndef PAM_OAUTH_TEST_HTTPD_H
#define PAM_OAUTH_TEST_HTTPD_H

#include <pthread.h>
#include <stddef.h>

/* Requests kept for inspection; later ones are answered but not kept. */
#define HTTPD_MAX_REQUESTS 16
/* A request larger than this ends its connection: ours are tiny. */
#define HTTPD_MAX_REQUEST_BYTES (64 * 1024)

/* One scripted answer, sent byte for byte. */
struct httpd_reply {
	const char *raw; /* NULL: accept the request and never answer */
	size_t len;      /* 0: strlen(raw) */
	int close;       /* close the connection after sending */
};

struct httpd {
	int fd;
	int port;
	int wake[2];
	pthread_t thread;
	int running;
	const struct httpd_reply *replies; /* borrowed; must outlive the server */
	size_t nreplies;
	pthread_mutex_t lock;
	int accepted;     /* connections accepted */
	size_t nrequests; /* requests read */
	char *requests[HTTPD_MAX_REQUESTS];
	char base[64]; /* "http://127.0.0.1:PORT" */
};

/* Starts a server answering the i-th request with replies[i]; 0 on success. */
int httpd_start(struct httpd *h, const struct httpd_reply *replies, size_t n);
/* Stops the server and waits for it; the recorded requests stay until httpd_free. */
void httpd_stop(struct httpd *h);
void httpd_free(struct httpd *h);

int httpd_accepted(struct httpd *h);
size_t httpd_nrequests(struct httpd *h);
/* The i-th request (head and body), or NULL. Read after httpd_stop, or while no request runs. */
const char *httpd_request(struct httpd *h, size_t i);
/* The body of a recorded request (after the blank line), or NULL. */
const char *httpd_body(const char *req);
/* Nonzero when req has the header line exactly (name and value as given). */
int httpd_has_header(const char *req, const char *line);
/* Nonzero when req has a header with this name (case-insensitive). */
int httpd_has_header_name(const char *req, const char *name);

/* A port on 127.0.0.1 that refuses connections (bound, then closed). */
int httpd_refusing_port(void);

#endif
