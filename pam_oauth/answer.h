/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* What a provider's answer means: one table from endpoint, HTTP status and error code. */
#ifndef PAM_OAUTH_ANSWER_H
#define PAM_OAUTH_ANSWER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "status.h"

/* The endpoints whose answers are classified; the table differs by endpoint. */
enum oauth_endpoint {
	OAUTH_AT_DISCOVERY,   /* /.well-known/openid-configuration (OIDC Discovery §4) */
	OAUTH_AT_JWKS,        /* jwks_uri (RFC 7517) */
	OAUTH_AT_DEVICE_AUTH, /* device_authorization_endpoint (RFC 8628 §3.1) */
	OAUTH_AT_BACKCHANNEL, /* backchannel_authentication_endpoint (CIBA §7) */
	OAUTH_AT_TOKEN,       /* token_endpoint, polled (RFC 8628 §3.4, CIBA §10) */
	OAUTH_AT_USERINFO,    /* userinfo_endpoint (OIDC Core §5.3) */
};

/* What the caller does with the answer. */
enum oauth_next {
	OAUTH_NEXT_READ,      /* a success: read the body (it may still be refused) */
	OAUTH_NEXT_PENDING,   /* authorization_pending: poll again after the interval */
	OAUTH_NEXT_SLOW_DOWN, /* slow_down: the interval grows by 5 s for good, then poll */
	OAUTH_NEXT_RETRY,     /* a passing fault: a poll backs off and retries, else it fails */
	OAUTH_NEXT_STOP,      /* final: status says how the login ends */
};

struct oauth_answer {
	enum oauth_next next;
	/* STOP: the end; RETRY: the end once retries run out; else OAUTH_OK */
	enum oauth_status status;
	/*
	 * Backchannel only: the provider refused the push before anyone was asked,
	 * so under mode = ciba-then-device the device flow may take over.
	 */
	int no_push;
};

/*
 * Classifies one answer: the endpoint, the HTTP status and the RFC 6749 §5.2
 * "error" member (NULL when the body has none or is not JSON). An error code
 * decides at any HTTP status below 500 (GitHub answers a pending poll with 200);
 * 5xx and 429 are passing faults whatever the body says. Every row is in the
 * table in answer.c and in pam_oauth(8), "PROVIDER ANSWERS".
 */
struct oauth_answer oauth_answer_classify(enum oauth_endpoint at, long http_status,
                                          const char *error);

/*
 * Reads one HTTP answer: parses body as a JSON object when it is one (*obj,
 * owned, free with oauth_json_free(); NULL otherwise) and classifies it by its
 * "error" member. For anything but OAUTH_NEXT_READ, err says "<endpoint>: HTTP
 * <status>: <error> (<error_description>)", cleaned and bounded: it comes from
 * the network. For a READ whose body is not a JSON object, *obj is NULL and err
 * says why; the caller refuses it.
 */
struct oauth_answer oauth_answer_read(enum oauth_endpoint at, long http_status, const char *body,
                                      size_t len, cJSON **obj, char *err, size_t errlen);

/*
 * For a document fetch whose HTTP status is not 200 (discovery, jwks_uri,
 * userinfo): the status the table gives, with err as oauth_answer_read() says it.
 */
enum oauth_status oauth_answer_status(enum oauth_endpoint at, long http_status, const char *body,
                                      size_t len, char *err, size_t errlen);

#endif
