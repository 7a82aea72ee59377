/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* What a provider's answer means: one table from endpoint, HTTP status and error code. */
#include "build_config.h"

#include <stddef.h>
#include <string.h>

#include "answer.h"
#include "json.h"
#include "log.h"
#include "status.h"

#define AT(e) (1u << (e))
#define DISCOVERY AT(OAUTH_AT_DISCOVERY)
#define JWKS AT(OAUTH_AT_JWKS)
#define DEVICE_AUTH AT(OAUTH_AT_DEVICE_AUTH)
#define BACKCHANNEL AT(OAUTH_AT_BACKCHANNEL)
#define TOKEN AT(OAUTH_AT_TOKEN)
#define USERINFO AT(OAUTH_AT_USERINFO)
#define ANY (DISCOVERY | JWKS | DEVICE_AUTH | BACKCHANNEL | TOKEN | USERINFO)

/* A row's error besides a code compared exactly: some code, none, or either. */
static const char any_code[] = "(any)", no_code[] = "(none)", either[] = "(either)";
#define ANY_CODE any_code
#define NO_CODE no_code
#define EITHER either

struct row {
	unsigned at;       /* AT() bits of the endpoints the row covers */
	const char *error; /* a code, ANY_CODE, NO_CODE or EITHER */
	long lo, hi;       /* HTTP statuses the row covers */
	enum oauth_next next;
	enum oauth_status status;
	int no_push;
};

#define CODE(at, code, next, status)                                                               \
	{                                                                                          \
		at, code, 100, 499, next, status, 0                                                \
	}
/* A backchannel refusal before anyone was asked: the device flow may take over. */
#define NO_PUSH(code, status)                                                                      \
	{                                                                                          \
		BACKCHANNEL, code, 100, 499, OAUTH_NEXT_STOP, status, 1                            \
	}
#define STATUS(at, lo, hi, next, status)                                                           \
	{                                                                                          \
		at, NO_CODE, lo, hi, next, status, 0                                               \
	}

/*
 * First match wins. The principle: an answer the provider gave on purpose is
 * never a fault. Only an unreachable, failing (5xx, 429) or nonsensical
 * provider is UNAVAILABLE or PROTOCOL (failmode decides those); a refusal of
 * the client or its settings is CONFIG, and what the person did or is decides
 * the rest. pam_oauth(8) "PROVIDER ANSWERS" is this table.
 */
static const struct row rows[] = {
    /* Passing faults, whatever the body says; a poll retries them. */
    {ANY, EITHER, 500, 599, OAUTH_NEXT_RETRY, OAUTH_UNAVAILABLE, 0},
    {ANY, EITHER, 429, 429, OAUTH_NEXT_RETRY, OAUTH_UNAVAILABLE, 0},
    /* RFC 8628 §3.5, CIBA §11: the poll goes on, or ends with what the person did. */
    CODE(TOKEN, "authorization_pending", OAUTH_NEXT_PENDING, OAUTH_OK),
    CODE(TOKEN, "slow_down", OAUTH_NEXT_SLOW_DOWN, OAUTH_OK),
    CODE(TOKEN | BACKCHANNEL, "access_denied", OAUTH_NEXT_STOP, OAUTH_DENIED),
    CODE(TOKEN, "expired_token", OAUTH_NEXT_STOP, OAUTH_EXPIRED),
    /* RFC 6749 §5.2: the device code or auth_req_id is no good any more (used, revoked). */
    CODE(TOKEN, "invalid_grant", OAUTH_NEXT_STOP, OAUTH_EXPIRED),
    /* RFC 6749 §4.1.2.1 codes that providers also send from these endpoints. */
    CODE(ANY, "temporarily_unavailable", OAUTH_NEXT_RETRY, OAUTH_UNAVAILABLE),
    CODE(ANY, "server_error", OAUTH_NEXT_RETRY, OAUTH_UNAVAILABLE),
    /*
     * CIBA §13: the push was refused before anyone was asked (this client, scope,
     * hint or message will not do here), so the device flow may still take over.
     * Glewlwyd says invalid_client to a client without the CIBA grant; a wrong
     * secret then fails at the device authorization endpoint just the same.
     */
    NO_PUSH("invalid_client", OAUTH_CONFIG),
    NO_PUSH("unauthorized_client", OAUTH_CONFIG),
    NO_PUSH("invalid_request", OAUTH_CONFIG),
    NO_PUSH("invalid_scope", OAUTH_CONFIG),
    NO_PUSH("expired_login_hint_token", OAUTH_CONFIG),
    NO_PUSH("missing_user_code", OAUTH_CONFIG),
    NO_PUSH("invalid_user_code", OAUTH_CONFIG),
    NO_PUSH("invalid_binding_message", OAUTH_CONFIG),
    NO_PUSH("unknown_user_id", OAUTH_NO_ACCOUNT),
    /* The client itself is refused: a wrong or revoked secret, an unknown client_id. */
    CODE(DEVICE_AUTH | TOKEN, "invalid_client", OAUTH_NEXT_STOP, OAUTH_CONFIG),
    /* RFC 6749 §5.2, RFC 8628 §3.1: this client may not use the grant, scope or request. */
    CODE(DEVICE_AUTH | TOKEN, "unauthorized_client", OAUTH_NEXT_STOP, OAUTH_CONFIG),
    CODE(DEVICE_AUTH | TOKEN, "invalid_request", OAUTH_NEXT_STOP, OAUTH_CONFIG),
    CODE(DEVICE_AUTH | TOKEN, "invalid_scope", OAUTH_NEXT_STOP, OAUTH_CONFIG),
    CODE(TOKEN, "unsupported_grant_type", OAUTH_NEXT_STOP, OAUTH_CONFIG),
    /* RFC 6750 §3.1, from a userinfo endpoint that says it in the body. */
    CODE(USERINFO, "invalid_token", OAUTH_NEXT_STOP, OAUTH_INVALID_TOKEN),
    CODE(USERINFO, "insufficient_scope", OAUTH_NEXT_STOP, OAUTH_NO_ACCOUNT),
    /* Any other code is outside the protocol at this endpoint. */
    CODE(ANY, ANY_CODE, OAUTH_NEXT_STOP, OAUTH_PROTOCOL),
    /* No error code: the HTTP status decides. */
    STATUS(ANY, 200, 200, OAUTH_NEXT_READ, OAUTH_OK),
    /* RFC 6749 §5.2: a 401 is the client's authentication refused, code or not. */
    {BACKCHANNEL, NO_CODE, 401, 401, OAUTH_NEXT_STOP, OAUTH_CONFIG, 1}, /* as NO_PUSH */
    STATUS(DEVICE_AUTH | TOKEN, 401, 401, OAUTH_NEXT_STOP, OAUTH_CONFIG),
    /* RFC 6750 §3.1 in WWW-Authenticate: the token refused, or not granted the claims. */
    STATUS(USERINFO, 401, 401, OAUTH_NEXT_STOP, OAUTH_INVALID_TOKEN),
    STATUS(USERINFO, 403, 403, OAUTH_NEXT_STOP, OAUTH_NO_ACCOUNT),
    /* Nothing at issuer + /.well-known/openid-configuration: issuer is wrong. */
    STATUS(DISCOVERY, 404, 404, OAUTH_NEXT_STOP, OAUTH_CONFIG),
    /* Redirects are not followed; anything else is not the protocol. */
    STATUS(ANY, 100, 499, OAUTH_NEXT_STOP, OAUTH_PROTOCOL),
};

static int
row_matches(const struct row *r, enum oauth_endpoint at, long http_status, const char *error)
{
	if (!(r->at & AT(at)) || http_status < r->lo || http_status > r->hi)
		return 0;
	if (r->error == EITHER)
		return 1;
	if (r->error == ANY_CODE)
		return error != NULL;
	if (r->error == NO_CODE)
		return error == NULL;
	return error != NULL && strcmp(r->error, error) == 0;
}

struct oauth_answer
oauth_answer_classify(enum oauth_endpoint at, long http_status, const char *error)
{
	struct oauth_answer a = {OAUTH_NEXT_STOP, OAUTH_PROTOCOL, 0};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (row_matches(&rows[i], at, http_status, error)) {
			a.next = rows[i].next;
			a.status = rows[i].status;
			a.no_push = rows[i].no_push;
			break;
		}
	}
	return a; /* no row: a status outside 100-599, which is not HTTP */
}

static const char *
endpoint_name(enum oauth_endpoint at)
{
	switch (at) {
	case OAUTH_AT_DISCOVERY:
		return "discovery";
	case OAUTH_AT_JWKS:
		return "jwks_uri";
	case OAUTH_AT_DEVICE_AUTH:
		return "device authorization";
	case OAUTH_AT_BACKCHANNEL:
		return "backchannel authentication";
	case OAUTH_AT_TOKEN:
		return "token endpoint";
	case OAUTH_AT_USERINFO:
		return "userinfo";
	}
	return "provider";
}

/* The "error" member as a code to classify: a non-string one is a code that matches nothing. */
static const char *
error_code(const cJSON *obj)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(obj, "error");

	if (e == NULL || cJSON_IsNull(e))
		return NULL;
	return cJSON_IsString(e) && e->valuestring != NULL ? e->valuestring : "(not a string)";
}

/* "<endpoint>: HTTP <status>[: <error>[ (<description>)]]", cleaned: it reaches logs. */
static void
describe(enum oauth_endpoint at, long http_status, const cJSON *obj, const char *code, char *err,
         size_t errlen)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "error_description");
	char c[OAUTH_LOG_FIELD_MAX], desc[OAUTH_LOG_FIELD_MAX];

	oauth_sanitize(c, sizeof(c), code);
	oauth_sanitize(desc, sizeof(desc), cJSON_IsString(d) ? d->valuestring : NULL);
	oauth_seterr(err, errlen, "%s: HTTP %ld%s%s%s%s%s", endpoint_name(at), http_status,
	             code != NULL ? ": " : "", c, desc[0] ? " (" : "", desc, desc[0] ? ")" : "");
}

struct oauth_answer
oauth_answer_read(enum oauth_endpoint at, long http_status, const char *body, size_t len,
                  cJSON **obj, char *err, size_t errlen)
{
	char jerr[OAUTH_ERR_SIZE] = "";
	struct oauth_answer a;
	const char *code;

	*obj = NULL;
	if (oauth_json_parse_object(body, len, obj, jerr, sizeof(jerr)) != OAUTH_OK)
		*obj = NULL;
	code = error_code(*obj);
	a = oauth_answer_classify(at, http_status, code);
	if (a.next == OAUTH_NEXT_READ && *obj == NULL)
		oauth_seterr(err, errlen, "%s: %s", endpoint_name(at), jerr);
	else if (a.next != OAUTH_NEXT_READ)
		describe(at, http_status, *obj, code, err, errlen);
	return a;
}

enum oauth_status
oauth_answer_status(enum oauth_endpoint at, long http_status, const char *body, size_t len,
                    char *err, size_t errlen)
{
	cJSON *obj = NULL;
	struct oauth_answer a = oauth_answer_read(at, http_status, body, len, &obj, err, errlen);

	oauth_json_free(obj);
	return a.next == OAUTH_NEXT_READ ? OAUTH_OK : a.status;
}
