/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of answer.c: every row of the table, as pam_oauth(8) "PROVIDER ANSWERS" states it. */
#include "build_config.h"

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "json.h"
#include "testutil.h"

#define DISCOVERY OAUTH_AT_DISCOVERY
#define JWKS OAUTH_AT_JWKS
#define DEVICE OAUTH_AT_DEVICE_AUTH
#define BACKCHANNEL OAUTH_AT_BACKCHANNEL
#define TOKEN OAUTH_AT_TOKEN
#define USERINFO OAUTH_AT_USERINFO

#define READ OAUTH_NEXT_READ, OAUTH_OK, 0
#define PENDING OAUTH_NEXT_PENDING, OAUTH_OK, 0
#define SLOW_DOWN OAUTH_NEXT_SLOW_DOWN, OAUTH_OK, 0
#define RETRY OAUTH_NEXT_RETRY, OAUTH_UNAVAILABLE, 0
#define STOP(st) OAUTH_NEXT_STOP, st, 0
#define NO_PUSH(st) OAUTH_NEXT_STOP, st, 1

struct row {
	enum oauth_endpoint at;
	long http;
	const char *error;
	enum oauth_next next;
	enum oauth_status status;
	int no_push;
};

static const struct row rows[] = {
    /* Passing faults, whatever the body says. */
    {DEVICE, 500, NULL, RETRY},
    {TOKEN, 503, "access_denied", RETRY},
    {BACKCHANNEL, 502, "unknown_user_id", RETRY},
    {USERINFO, 429, NULL, RETRY},
    {DISCOVERY, 599, NULL, RETRY},
    {JWKS, 429, "invalid_client", RETRY},
    {TOKEN, 400, "temporarily_unavailable", RETRY},
    {DEVICE, 400, "server_error", RETRY},
    /* The poll. */
    {TOKEN, 400, "authorization_pending", PENDING},
    {TOKEN, 200, "authorization_pending", PENDING},
    {TOKEN, 401, "authorization_pending", PENDING},
    {TOKEN, 400, "slow_down", SLOW_DOWN},
    {TOKEN, 200, "slow_down", SLOW_DOWN},
    {TOKEN, 400, "access_denied", STOP(OAUTH_DENIED)},
    {BACKCHANNEL, 403, "access_denied", STOP(OAUTH_DENIED)},
    {TOKEN, 400, "expired_token", STOP(OAUTH_EXPIRED)},
    {TOKEN, 400, "invalid_grant", STOP(OAUTH_EXPIRED)},
    /* The client refused. */
    {DEVICE, 400, "invalid_client", STOP(OAUTH_CONFIG)},
    {TOKEN, 401, "invalid_client", STOP(OAUTH_CONFIG)},
    {BACKCHANNEL, 401, "invalid_client", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 403, "invalid_client", NO_PUSH(OAUTH_CONFIG)},
    {DEVICE, 401, NULL, STOP(OAUTH_CONFIG)},
    {TOKEN, 401, NULL, STOP(OAUTH_CONFIG)},
    {BACKCHANNEL, 401, NULL, NO_PUSH(OAUTH_CONFIG)},
    {DEVICE, 403, "unauthorized_client", STOP(OAUTH_CONFIG)},
    {TOKEN, 400, "unauthorized_client", STOP(OAUTH_CONFIG)},
    {DEVICE, 400, "invalid_request", STOP(OAUTH_CONFIG)},
    {TOKEN, 400, "invalid_request", STOP(OAUTH_CONFIG)},
    {DEVICE, 400, "invalid_scope", STOP(OAUTH_CONFIG)},
    {TOKEN, 400, "invalid_scope", STOP(OAUTH_CONFIG)},
    {TOKEN, 400, "unsupported_grant_type", STOP(OAUTH_CONFIG)},
    /* CIBA §13: refused before anyone was asked. */
    {BACKCHANNEL, 400, "unauthorized_client", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 403, "unauthorized_client", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 400, "invalid_request", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 400, "invalid_scope", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 400, "expired_login_hint_token", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 400, "missing_user_code", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 400, "invalid_user_code", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 400, "invalid_binding_message", NO_PUSH(OAUTH_CONFIG)},
    {BACKCHANNEL, 400, "unknown_user_id", NO_PUSH(OAUTH_NO_ACCOUNT)},
    {BACKCHANNEL, 200, "unknown_user_id", NO_PUSH(OAUTH_NO_ACCOUNT)},
    /* Userinfo (RFC 6750). */
    {USERINFO, 401, "invalid_token", STOP(OAUTH_INVALID_TOKEN)},
    {USERINFO, 401, NULL, STOP(OAUTH_INVALID_TOKEN)},
    {USERINFO, 403, "insufficient_scope", STOP(OAUTH_NO_ACCOUNT)},
    {USERINFO, 403, NULL, STOP(OAUTH_NO_ACCOUNT)},
    /* Discovery. */
    {DISCOVERY, 404, NULL, STOP(OAUTH_CONFIG)},
    /* Codes a row does not give this endpoint, and unknown ones. */
    {DEVICE, 400, "authorization_pending", STOP(OAUTH_PROTOCOL)},
    {DEVICE, 400, "access_denied", STOP(OAUTH_PROTOCOL)},
    {USERINFO, 400, "invalid_client", STOP(OAUTH_PROTOCOL)},
    {DISCOVERY, 401, NULL, STOP(OAUTH_PROTOCOL)},
    {TOKEN, 400, "Authorization_Pending", STOP(OAUTH_PROTOCOL)},
    {TOKEN, 400, "(not a string)", STOP(OAUTH_PROTOCOL)},
    {BACKCHANNEL, 400, "unsupported_grant_type", STOP(OAUTH_PROTOCOL)},
    {JWKS, 200, "whatever", STOP(OAUTH_PROTOCOL)},
    /* No code: the HTTP status. */
    {DEVICE, 200, NULL, READ},
    {TOKEN, 200, NULL, READ},
    {JWKS, 200, NULL, READ},
    {DEVICE, 201, NULL, STOP(OAUTH_PROTOCOL)},
    {TOKEN, 302, NULL, STOP(OAUTH_PROTOCOL)},
    {JWKS, 404, NULL, STOP(OAUTH_PROTOCOL)},
    {DEVICE, 404, NULL, STOP(OAUTH_PROTOCOL)},
    {DEVICE, 403, NULL, STOP(OAUTH_PROTOCOL)},
    {TOKEN, 400, NULL, STOP(OAUTH_PROTOCOL)},
    /* Not HTTP at all. */
    {TOKEN, 0, NULL, STOP(OAUTH_PROTOCOL)},
    {TOKEN, 600, NULL, STOP(OAUTH_PROTOCOL)},
    {TOKEN, -1, "access_denied", STOP(OAUTH_PROTOCOL)},
};

static void
test_every_row(void)
{
	struct oauth_answer a;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		a = oauth_answer_classify(r->at, r->http, r->error);
		if (a.next != r->next || a.status != r->status || a.no_push != r->no_push)
			T_FAIL("row %zu (endpoint %d, HTTP %ld, %s): got next %d status %s no_push "
			       "%d, want next %d status %s no_push %d",
			       i, (int)r->at, r->http, r->error ? r->error : "no code", (int)a.next,
			       oauth_status_str(a.status), a.no_push, (int)r->next,
			       oauth_status_str(r->status), r->no_push);
		t_checks++;
	}
}

static void
test_read_finds_the_code_and_describes_it_cleanly(void)
{
	static const char body[] = "{\"error\":\"invalid_client\",\"error_description\":\"bad "
	                           "\\u001b[2Jsecret\\r\\nFAKE\"}";
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_answer a;
	cJSON *obj = NULL;
	size_t i;

	a = oauth_answer_read(OAUTH_AT_TOKEN, 401, body, strlen(body), &obj, err, sizeof(err));
	CHECK_INT(a.next, OAUTH_NEXT_STOP);
	CHECK_INT(a.status, OAUTH_CONFIG);
	CHECK(obj != NULL);
	CHECK(strstr(err, "token endpoint: HTTP 401: invalid_client (bad") != NULL);
	for (i = 0; err[i] != '\0'; i++)
		if ((unsigned char)err[i] < 0x20)
			T_FAIL("control character in \"%s\"", err);
	oauth_json_free(obj);
}

static void
test_read_of_a_non_json_success_says_why(void)
{
	char err[OAUTH_ERR_SIZE] = "";
	struct oauth_answer a;
	cJSON *obj = (cJSON *)1;

	a = oauth_answer_read(OAUTH_AT_DEVICE_AUTH, 200, "<html>", 6, &obj, err, sizeof(err));
	CHECK_INT(a.next, OAUTH_NEXT_READ);
	CHECK(obj == NULL);
	CHECK(strstr(err, "device authorization: malformed JSON") != NULL);
}

static void
test_status_of_a_failed_document_fetch(void)
{
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(oauth_answer_status(OAUTH_AT_DISCOVERY, 404, "", 0, err, sizeof(err)),
	          OAUTH_CONFIG);
	CHECK_STR(err, "discovery: HTTP 404");
	CHECK_INT(oauth_answer_status(OAUTH_AT_USERINFO, 403, "", 0, err, sizeof(err)),
	          OAUTH_NO_ACCOUNT);
	CHECK_INT(oauth_answer_status(OAUTH_AT_JWKS, 503, "", 0, err, sizeof(err)),
	          OAUTH_UNAVAILABLE);
}

int
main(void)
{
	RUN(test_every_row);
	RUN(test_read_finds_the_code_and_describes_it_cleanly);
	RUN(test_read_of_a_non_json_success_says_why);
	RUN(test_status_of_a_failed_document_fetch);
	return T_DONE();
}
