/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* RFC 8628: the device authorization request and the token polling loop. */
#ifndef PAM_OAUTH_DEVICE_FLOW_H
#define PAM_OAUTH_DEVICE_FLOW_H

#include <stddef.h>

#include "answer.h"
#include "config.h"
#include "discovery.h"
#include "http.h"
#include "log.h"
#include "status.h"

/* RFC 8628 §3.2 default when the provider sends no interval. */
#define OAUTH_DEFAULT_INTERVAL 5
/* RFC 8628 §3.5: slow_down adds this many seconds, for this and every later poll. */
#define OAUTH_SLOW_DOWN_STEP 5
/* An interval above this is treated as this: a hostile provider must not stall us. */
#define OAUTH_MAX_INTERVAL 60
/* Consecutive transport failures while polling before we give up. */
#define OAUTH_MAX_POLL_FAILURES 4
/* Longest user code accepted, in bytes: real ones are 8-12 characters a person types. */
#define OAUTH_MAX_USER_CODE 64
/* Longest expires_in accepted, in seconds (a day): a code is meant to lapse within minutes. */
#define OAUTH_MAX_EXPIRES_IN 86400

/* RFC 8628 §3.2 Device Authorization Response. All strings owned. */
struct oauth_device_auth {
	char *device_code; /* secret */
	char *user_code;
	char *verification_uri;          /* also read from Google's verification_url */
	char *verification_uri_complete; /* may be NULL */
	long expires_in;                 /* seconds, > 0 */
	long interval;                   /* seconds, OAUTH_DEFAULT_INTERVAL when absent */
};

void oauth_device_auth_free(struct oauth_device_auth *da);

/* RFC 6749 §5.1 Successful Token Response. Strings owned; tokens are secrets. */
struct oauth_token_response {
	char *access_token; /* secret */
	char *id_token;     /* secret; NULL when not issued */
	char *token_type;
	char *scope; /* NULL when omitted (RFC 6749 §5.1: the requested scope was granted) */
	long expires_in;
};

void oauth_token_response_free(struct oauth_token_response *tr);

/*
 * Parses a device authorization response (HTTP status given). Requires
 * device_code, user_code, verification_uri (or verification_url), expires_in;
 * any other answer gets the status answer.c's table gives it, with the
 * sanitised error in err. Fills da (cleared at entry).
 */
enum oauth_status oauth_device_auth_parse(long http_status, const char *body, size_t len,
                                          struct oauth_device_auth *da, char *err, size_t errlen);

/*
 * Classifies one token-endpoint answer (answer.c). A success (OAUTH_NEXT_READ)
 * fills tr (cleared at entry) and needs an access_token; a success that cannot
 * be read is OAUTH_NEXT_STOP with OAUTH_PROTOCOL.
 */
struct oauth_answer oauth_token_response_parse(long http_status, const char *body, size_t len,
                                               struct oauth_token_response *tr, char *err,
                                               size_t errlen);

/*
 * Nonzero when an answer with this status is a passing failure (5xx, 429):
 * oauth_device_poll() treats it like a transport failure (back off, honour
 * Retry-After, retry).
 */
int oauth_token_response_transient(long http_status);

/*
 * Seams for the poll loop, so tests run it in milliseconds and CIBA can reuse it.
 * request sends one token request and fills resp; it returns OAUTH_UNAVAILABLE on
 * transport failure. now_ms is a monotonic clock. sleep_ms waits, returning
 * OAUTH_OK or a failure that stops the loop at once (e.g. OAUTH_CONV).
 */
struct oauth_poll_ops {
	enum oauth_status (*request)(void *ctx, struct oauth_http_response *resp, char *err,
	                             size_t errlen);
	long long (*now_ms)(void *ctx);
	enum oauth_status (*sleep_ms)(void *ctx, long long ms);
	void *ctx;
};

/*
 * Polls until a token, a final answer, or deadline_ms (on now_ms's clock).
 * The first request is sent at once when poll_now is set (the person pressed
 * Enter), else after one interval. slow_down adds OAUTH_SLOW_DOWN_STEP to the
 * interval for good; a transport failure or passing fault doubles the wait
 * (capped at OAUTH_MAX_INTERVAL) and OAUTH_MAX_POLL_FAILURES in a row end the
 * loop with OAUTH_UNAVAILABLE. Returns OAUTH_OK with tr filled, OAUTH_EXPIRED
 * at the deadline, the status answer.c gives a final answer (OAUTH_DENIED,
 * OAUTH_EXPIRED, OAUTH_CONFIG, ...), or whatever sleep_ms returned.
 */
enum oauth_status oauth_device_poll(const struct oauth_poll_ops *ops, long interval_s,
                                    long long deadline_ms, int poll_now,
                                    const struct oauth_logger *log, struct oauth_token_response *tr,
                                    char *err, size_t errlen);

/*
 * Client authentication per cfg (RFC 6749 §2.3.1), shared by every token-endpoint
 * style request: nothing for a public client, HTTP Basic by default (*authp = auth,
 * filled), or client_secret appended to fields (at *n, which grows) with
 * client_auth = post. The caller's fields array must have room for one more.
 */
void oauth_client_auth_fields(const struct oauth_config *cfg, struct oauth_form_field *fields,
                              size_t *n, struct oauth_http_auth *auth,
                              const struct oauth_http_auth **authp);

/*
 * Sends the device authorization request (RFC 8628 §3.1): client_id, scope, and
 * client authentication per cfg when a secret is set. Fills da (cleared at
 * entry). Also checks that the verification URIs pass oauth_url_allowed().
 */
enum oauth_status oauth_device_authorize(struct oauth_http *http, const struct oauth_config *cfg,
                                         const struct oauth_endpoints *ep,
                                         struct oauth_device_auth *da, char *err, size_t errlen);

/* Sends one device access token request (RFC 8628 §3.4); resp cleared at entry. */
enum oauth_status
oauth_device_token_request(struct oauth_http *http, const struct oauth_config *cfg,
                           const struct oauth_endpoints *ep, const char *device_code,
                           struct oauth_http_response *resp, char *err, size_t errlen);

#endif
