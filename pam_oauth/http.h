/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* HTTP over libcurl: one handle per login, capped bodies, strict TLS, no ambient proxy. */
#ifndef PAM_OAUTH_HTTP_H
#define PAM_OAUTH_HTTP_H

#include <stddef.h>

#include "status.h"

/* A provider answer larger than this is refused: real ones are a few KiB. */
#define OAUTH_HTTP_MAX_BODY (256 * 1024)

struct oauth_http_opts {
	const char *ca_file;  /* borrowed; NULL: the system's trust store */
	long timeout;         /* seconds for a whole request */
	long connect_timeout; /* seconds to connect; 0: min(timeout, 10) */
	const char *proxy;    /* borrowed libcurl proxy URL; NULL: none, whatever the env says */
	const char *no_proxy; /* borrowed libcurl no-proxy list; NULL: every host uses proxy */
};

/* One name=value pair of an application/x-www-form-urlencoded body. */
struct oauth_form_field {
	const char *name;  /* borrowed */
	const char *value; /* borrowed; may be a secret */
};

/* Basic client authentication (RFC 6749 §2.3.1); both borrowed, secret may be a secret. */
struct oauth_http_auth {
	const char *user;
	const char *secret;
};

struct oauth_http_response {
	long status;        /* HTTP status code */
	char *body;         /* owned, NUL-terminated, wiped on free */
	size_t len;         /* bytes in body, without the NUL */
	char *content_type; /* owned; NULL when absent */
	long retry_after;   /* seconds from Retry-After, -1 when absent */
	long date;          /* HTTP Date as time_t seconds, -1 when absent */
};

struct oauth_http;

/*
 * Makes a handle for one login. TLS peer and host checks are always on; only
 * https (and http for loopback hosts) is allowed, also across redirects, which
 * are not followed; proxies from the environment are ignored: only opts names one.
 */
enum oauth_status oauth_http_new(struct oauth_http **out, const struct oauth_http_opts *opts,
                                 char *err, size_t errlen);
void oauth_http_free(struct oauth_http *http);

/*
 * POSTs fields form-encoded to url with Accept: application/json; auth may be
 * NULL. Fills resp (cleared at entry) for any HTTP status; returns
 * OAUTH_UNAVAILABLE for transport failures and time-outs, OAUTH_PROTOCOL for a
 * body over OAUTH_HTTP_MAX_BODY. The encoded body is wiped after the request.
 */
enum oauth_status oauth_http_post_form(struct oauth_http *http, const char *url,
                                       const struct oauth_form_field *fields, size_t nfields,
                                       const struct oauth_http_auth *auth,
                                       struct oauth_http_response *resp, char *err, size_t errlen);

/* GETs url; bearer (a secret, may be NULL) goes in Authorization: Bearer. */
enum oauth_status oauth_http_get(struct oauth_http *http, const char *url, const char *bearer,
                                 struct oauth_http_response *resp, char *err, size_t errlen);

/* Frees and wipes the members; resp itself is the caller's; NULL is fine. */
void oauth_http_response_free(struct oauth_http_response *resp);

/* Calls curl_global_init once per process, thread-safely. */
enum oauth_status oauth_http_global_init(char *err, size_t errlen);

#endif
