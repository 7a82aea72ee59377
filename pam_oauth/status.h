/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* The one result type every core call returns; the PAM layer maps it to a PAM code. */
#ifndef PAM_OAUTH_STATUS_H
#define PAM_OAUTH_STATUS_H

#include <stddef.h>

/* Size of the caller-owned error buffer that core calls fill with detail. */
#define OAUTH_ERR_SIZE 256

enum oauth_status {
	OAUTH_OK = 0,         /* every check passed */
	OAUTH_DENIED,         /* the person refused (access_denied) */
	OAUTH_EXPIRED,        /* the code lapsed (expired_token) or our deadline passed */
	OAUTH_WRONG_IDENTITY, /* approved, but by someone who is not this account */
	OAUTH_NO_ACCOUNT,     /* the answer names no account (no claim), or the provider has none */
	OAUTH_POLICY,         /* right person, but a required scope or group is missing */
	OAUTH_INVALID_TOKEN,  /* the ID token failed verification */
	OAUTH_UNAVAILABLE,    /* provider unreachable, timed out, or answered 5xx */
	OAUTH_PROTOCOL,       /* provider answered something the protocol does not allow */
	OAUTH_CONFIG,         /* configuration missing or invalid */
	OAUTH_CONV,           /* the conversation with the person failed */
	OAUTH_NOMEM,          /* out of memory */
	OAUTH_NO_PUSH,        /* no push possible here, nothing shown yet: the device flow may do */
	OAUTH_RATE_LIMITED,   /* too many sign-in requests from this source: none was sent */
};

/* A short stable word for logs and tests ("denied", "expired", ...). */
const char *oauth_status_str(enum oauth_status status);

/* Writes a formatted message into err (size errlen); err may be NULL. */
void oauth_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
