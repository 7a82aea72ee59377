/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* OpenID CIBA Core 1.0 in poll mode: a push to the person's phone instead of a code to type. */
#ifndef PAM_OAUTH_CIBA_H
#define PAM_OAUTH_CIBA_H

#include <stddef.h>

#include "config.h"
#include "discovery.h"
#include "http.h"
#include "log.h"
#include "status.h"
#include "token.h"

/*
 * Binding message limits (CIBA §7.1 only says "relatively short", "limited set
 * of plain text characters"). What providers accept:
 *   oidc-provider 9: ^[a-zA-Z0-9-._+/!?#]{1,20}$ (features.ciba.validateBindingMessage)
 *   Keycloak: at most 50 characters, no spaces ("basic plain-text characters")
 *   Curity: binding-message-max-length, 10000 by default
 *   Auth0: binding_message is required; its examples look like "ABC-123-XYZ"
 *   Okta: short; shown in the Custom Authenticator's push notification
 * So the message uses oidc-provider's character set, which every one of them
 * takes, and binding_message_max characters (20 by default).
 */
#define OAUTH_CIBA_BINDING_CHARS "-._+/!?#"
/* Digits shown on both screens: 1 in 10000 that a stray push matches by chance. */
#define OAUTH_CIBA_CODE_DIGITS 4
/* Longest account name put into a login_hint, in bytes. */
#define OAUTH_CIBA_MAX_HINT_USER 64
/* Longest auth_req_id accepted, in bytes: real ones are 20-100. */
#define OAUTH_CIBA_MAX_AUTH_REQ_ID 1024
/* CIBA §7.3: expires_in accepted up to a day; a push is meant to lapse within minutes. */
#define OAUTH_CIBA_MAX_EXPIRES_IN 86400

/* CIBA §7.3 Successful Authentication Request Acknowledgement. */
struct oauth_ciba_auth {
	char *auth_req_id; /* owned; secret: whoever holds it can collect the tokens */
	long expires_in;   /* seconds, > 0 */
	long interval; /* seconds as given, OAUTH_DEFAULT_INTERVAL when absent (token.c clamps) */
};

void oauth_ciba_auth_free(struct oauth_ciba_auth *ca);

/*
 * Builds the login_hint: tpl with "{user}" replaced by user. The account name
 * must be 1..OAUTH_CIBA_MAX_HINT_USER bytes of [A-Za-z0-9._@+-] and not start
 * with '-' or '.': anything else could name someone else to the provider, so it
 * is refused (OAUTH_POLICY), never cleaned. *out is owned (cleared at entry).
 */
enum oauth_status oauth_ciba_login_hint(const char *tpl, const char *user, char **out, char *err,
                                        size_t errlen);

/* Writes OAUTH_CIBA_CODE_DIGITS random decimal digits (RAND_bytes, unbiased) and a NUL. */
enum oauth_status oauth_ciba_code(char *out, size_t outlen, char *err, size_t errlen);

/*
 * Composes the binding message "<service>/<host>/<command>#<code>" within max
 * characters (OAUTH_BINDING_MIN..OAUTH_BINDING_MAX) of [A-Za-z0-9]
 * and OAUTH_CIBA_BINDING_CHARS; other characters become '_'. The code always
 * fits; then the service, then the host, then the command (NULL: none) get
 * what is left, each cut from its end; a part with no room is left out with its
 * '/'. OAUTH_CONFIG for a bad max, code or buffer.
 */
enum oauth_status oauth_ciba_binding_message(const char *service, const char *host,
                                             const char *command, const char *code, size_t max,
                                             char *out, size_t outlen);

/*
 * Parses a backchannel authentication response (CIBA §7.3, errors §13) and
 * classifies it (answer.c). OAUTH_NEXT_READ fills ca (cleared at entry); any
 * other answer is OAUTH_NEXT_STOP with its status, and no_push set when the
 * push was refused before anyone was asked.
 */
struct oauth_answer oauth_ciba_auth_parse(long http_status, const char *body, size_t len,
                                          struct oauth_ciba_auth *ca, char *err, size_t errlen);

/* What the request says; strings borrowed. */
struct oauth_ciba_request {
	const char *login_hint;
	const char *binding_message;
};

/*
 * Sends the backchannel authentication request (CIBA §7.1): scope, login_hint,
 * binding_message, requested_expiry and acr_values when configured, and client
 * authentication as for the token endpoint. Then oauth_ciba_auth_parse(); a
 * transport failure is OAUTH_NEXT_STOP with OAUTH_UNAVAILABLE.
 */
struct oauth_answer oauth_ciba_authorize(struct oauth_http *http, const struct oauth_config *cfg,
                                         const struct oauth_endpoints *ep,
                                         const struct oauth_ciba_request *creq,
                                         struct oauth_ciba_auth *ca, char *err, size_t errlen);

/* Who is being logged in, where; strings borrowed. */
struct oauth_ciba_who {
	const char *user;
	const char *service;
	const char *host;
	const char *command; /* NULL or "": not known (sudo's: push_command, from its argv) */
};

/* A push the provider took: what the token endpoint is polled with, what the person matches. */
struct oauth_ciba_push {
	struct oauth_ciba_auth ack;            /* owned; auth_req_id is a secret */
	char code[OAUTH_CIBA_CODE_DIGITS + 1]; /* the digits on both screens */
	char binding[OAUTH_BINDING_MAX + 1];   /* the binding message sent */
};

void oauth_ciba_push_free(struct oauth_ciba_push *push);

/*
 * Asks the provider to push a request to who's phone: checks that it offers
 * CIBA poll mode, builds the login_hint and the binding message, sends the
 * request. Shows nothing. Fills push (cleared at entry). When the push was
 * refused before anyone was asked (no CIBA poll mode, an account name a hint
 * cannot carry, the table's no_push answers) and cfg->mode is
 * ciba-then-device, OAUTH_NO_PUSH: the device flow may take over. Otherwise
 * the status the answer gives (a denial is final: OAUTH_DENIED).
 */
enum oauth_status oauth_ciba_start(struct oauth_http *http, const struct oauth_config *cfg,
                                   const struct oauth_endpoints *ep,
                                   const struct oauth_ciba_who *who, const struct oauth_logger *log,
                                   struct oauth_ciba_push *push, char *err, size_t errlen);

/* What the token endpoint is polled with (CIBA §10.1); g borrows push's strings. */
void oauth_ciba_grant(const struct oauth_ciba_push *push, struct oauth_grant *g);

/* "Approve on your phone: SERVICE for USER on HOST (code NNNN)", cleaned, into out. */
void oauth_ciba_push_line(const struct oauth_ciba_who *who, const char *code, char *out,
                          size_t outlen);

#endif
