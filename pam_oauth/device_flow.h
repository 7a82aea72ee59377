/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* RFC 8628 §3.1-3.2: the device authorization request, its answer, and the grant to poll. */
#ifndef PAM_OAUTH_DEVICE_FLOW_H
#define PAM_OAUTH_DEVICE_FLOW_H

#include <stddef.h>

#include "config.h"
#include "discovery.h"
#include "http.h"
#include "status.h"
#include "token.h"

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
	long interval; /* seconds as given, OAUTH_DEFAULT_INTERVAL when absent (token.c clamps) */
};

void oauth_device_auth_free(struct oauth_device_auth *da);

/*
 * Parses a device authorization response (HTTP status given). Requires
 * device_code, user_code, verification_uri (or verification_url), expires_in;
 * any other answer gets the status answer.c's table gives it, with the
 * sanitised error in err. Fills da (cleared at entry).
 */
enum oauth_status oauth_device_auth_parse(long http_status, const char *body, size_t len,
                                          struct oauth_device_auth *da, char *err, size_t errlen);

/*
 * Sends the device authorization request (RFC 8628 §3.1): client_id, scope, and
 * client authentication per cfg when a secret is set. Fills da (cleared at
 * entry). Also checks that the verification URIs pass oauth_url_allowed().
 */
enum oauth_status oauth_device_authorize(struct oauth_http *http, const struct oauth_config *cfg,
                                         const struct oauth_endpoints *ep,
                                         struct oauth_device_auth *da, char *err, size_t errlen);

/*
 * What the token endpoint is polled with (RFC 8628 §3.4): the device code grant
 * and da's code and interval; g->deadline_ms is the caller's (token.h). g
 * borrows da's strings.
 */
void oauth_device_grant(const struct oauth_device_auth *da, struct oauth_grant *g);

#endif
