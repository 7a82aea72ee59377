/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The token endpoint both grants poll: client authentication, one request, its answer, the loop. */
#ifndef PAM_OAUTH_TOKEN_H
#define PAM_OAUTH_TOKEN_H

#include <stddef.h>

#include "answer.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "status.h"

/* RFC 8628 §3.2 and CIBA §7.3: the interval when the provider gives none, in seconds. */
#define OAUTH_DEFAULT_INTERVAL 5
/* RFC 8628 §3.5: slow_down adds this many seconds, for this and every later poll. */
#define OAUTH_SLOW_DOWN_STEP 5
/* An interval above this is treated as this: a hostile provider must not stall us. */
#define OAUTH_MAX_INTERVAL 60
/* Passing failures in a row (transport, 5xx, 429) before the loop gives up. */
#define OAUTH_MAX_POLL_FAILURES 4

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
 * Classifies one token-endpoint answer (answer.c). A success (OAUTH_NEXT_READ)
 * fills tr (cleared at entry) and needs an access_token; a success that cannot
 * be read is OAUTH_NEXT_STOP with OAUTH_PROTOCOL.
 */
struct oauth_answer oauth_token_response_parse(long http_status, const char *body, size_t len,
                                               struct oauth_token_response *tr, char *err,
                                               size_t errlen);

/*
 * Client authentication per cfg (RFC 6749 §2.3.1), for every request that
 * authenticates the client: nothing for a public client, HTTP Basic by default
 * (*authp = auth, filled), or client_secret appended to fields (at *n, which
 * grows) with client_auth = post. The caller's fields array must have room for
 * one more.
 */
void oauth_client_auth_fields(const struct oauth_config *cfg, struct oauth_form_field *fields,
                              size_t *n, struct oauth_http_auth *auth,
                              const struct oauth_http_auth **authp);

/* What a grant hands the loop to poll for (RFC 8628 §3.4, CIBA §10.1). Strings borrowed. */
struct oauth_grant {
	const char *type;      /* grant_type */
	const char *param;     /* the member that names the request: device_code, auth_req_id */
	const char *value;     /* its value; secret */
	long interval;         /* seconds, as the provider said; the loop clamps it */
	long long deadline_ms; /* on the clock's scale: no poll after it */
};

/*
 * Sends one token request for g to token_endpoint: grant_type, g->param,
 * client_id and client authentication per cfg. resp is cleared at entry;
 * OAUTH_UNAVAILABLE on a transport failure.
 */
enum oauth_status oauth_token_request(struct oauth_http *http, const struct oauth_config *cfg,
                                      const char *token_endpoint, const struct oauth_grant *g,
                                      struct oauth_http_response *resp, char *err, size_t errlen);

/* How the loop sends a request: oauth_token_request() in the module, a script in tests. */
struct oauth_token_transport {
	enum oauth_status (*send)(void *ctx, const struct oauth_grant *g,
	                          struct oauth_http_response *resp, char *err, size_t errlen);
	void *ctx;
};

/* How the loop tells time and waits; a wait may end the loop (the person went away). */
struct oauth_clock {
	long long (*now_ms)(void *ctx); /* monotonic */
	enum oauth_status (*sleep_ms)(void *ctx, long long ms);
	void *ctx;
};

/*
 * How long a login waits for approval, in seconds: the admin's timeout, never
 * past the code's or request's own lifetime (RFC 8628 §3.2, CIBA §7.3).
 */
long oauth_token_wait_secs(long timeout, long expires_in);

/*
 * The deadline on clock's scale, computed once, when the provider issued the
 * code or took the request: time at a prompt counts against it.
 */
long long oauth_token_deadline(const struct oauth_clock *clock, long timeout, long expires_in);

/* When the first poll goes out. */
enum oauth_first_poll {
	OAUTH_POLL_AFTER_INTERVAL, /* nobody can have approved yet */
	OAUTH_POLL_AT_ONCE,        /* the person pressed Enter: they say they approved */
};

/*
 * Polls until a token, a final answer, or g->deadline_ms. The interval is
 * clamped here, once: absent or below 1 s is OAUTH_DEFAULT_INTERVAL, above
 * OAUTH_MAX_INTERVAL is that. slow_down adds OAUTH_SLOW_DOWN_STEP for good; a
 * passing failure doubles the wait (capped, honouring Retry-After) and
 * OAUTH_MAX_POLL_FAILURES in a row end the loop with OAUTH_UNAVAILABLE.
 * Returns OAUTH_OK with tr filled (cleared at entry), OAUTH_EXPIRED at the
 * deadline, the status answer.c gives a final answer (OAUTH_DENIED,
 * OAUTH_EXPIRED, OAUTH_CONFIG, ...), or whatever the clock's sleep_ms returned.
 */
enum oauth_status oauth_token_poll(const struct oauth_token_transport *send,
                                   const struct oauth_clock *clock, const struct oauth_grant *g,
                                   enum oauth_first_poll first, const struct oauth_logger *log,
                                   struct oauth_token_response *tr, char *err, size_t errlen);

#endif
