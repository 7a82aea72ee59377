/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of RFC 8628: response parsing, the poll loop on a fake clock, the requests sent. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_flow.h"
#include "httpd.h"
#include "testutil.h"

/* A writable copy of a literal for struct oauth_config's char * members (block lifetime). */
#define S(lit) ((char[]){lit})

#define URI "\"verification_uri\":\"https://idp.example.com/device\""
#define DC "\"device_code\":\"dc-secret\""
#define UC "\"user_code\":\"ABCD-EFGH\""
#define EXP "\"expires_in\":600"

struct da_case {
	const char *name;
	long status;
	const char *body;
	enum oauth_status want;
	long interval; /* checked when want is OAUTH_OK */
};

static const struct da_case da_cases[] = {
    {"good", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":7}", OAUTH_OK, 7},
    {"google verification_url", 200,
     "{" DC "," UC ",\"verification_url\":\"https://www.google.com/device\"," EXP "}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"missing device_code", 200, "{" UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"missing user_code", 200, "{" DC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"missing verification_uri", 200, "{" DC "," UC "," EXP "}", OAUTH_PROTOCOL, 0},
    {"missing expires_in", 200, "{" DC "," UC "," URI "}", OAUTH_PROTOCOL, 0},
    {"device_code a number", 200, "{\"device_code\":5," UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"user_code an array", 200, "{" DC ",\"user_code\":[\"A\"]," URI "," EXP "}", OAUTH_PROTOCOL,
     0},
    {"verification_uri an object", 200, "{" DC "," UC ",\"verification_uri\":{}," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"expires_in a string", 200, "{" DC "," UC "," URI ",\"expires_in\":\"600\"}", OAUTH_PROTOCOL,
     0},
    {"interval a string", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":\"5\"}", OAUTH_PROTOCOL,
     0},
    {"interval 0", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":0}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"interval -1", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":-1}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"interval huge", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":99999999999}", OAUTH_OK,
     OAUTH_MAX_INTERVAL},
    {"interval 1e300", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":1e300}", OAUTH_PROTOCOL,
     0},
    {"interval absent", 200, "{" DC "," UC "," URI "," EXP "}", OAUTH_OK, OAUTH_DEFAULT_INTERVAL},
    {"interval null", 200, "{" DC "," UC "," URI "," EXP ",\"interval\":null}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"expires_in 0", 200, "{" DC "," UC "," URI ",\"expires_in\":0}", OAUTH_PROTOCOL, 0},
    {"expires_in negative", 200, "{" DC "," UC "," URI ",\"expires_in\":-600}", OAUTH_PROTOCOL, 0},
    {"expires_in huge", 200, "{" DC "," UC "," URI ",\"expires_in\":86401}", OAUTH_PROTOCOL, 0},
    {"expires_in a day", 200, "{" DC "," UC "," URI ",\"expires_in\":86400}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"http verification_uri on remote host", 200,
     "{" DC "," UC ",\"verification_uri\":\"http://idp.example.com/device\"," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"http verification_uri_complete on remote host", 200,
     "{" DC "," UC "," URI ",\"verification_uri_complete\":\"http://evil.example/?c=1\"," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"javascript verification_uri", 200,
     "{" DC "," UC ",\"verification_uri\":\"javascript:alert(1)\"," EXP "}", OAUTH_PROTOCOL, 0},
    {"loopback http verification_uri", 200,
     "{" DC "," UC ",\"verification_uri\":\"http://127.0.0.1:3000/device\"," EXP "}", OAUTH_OK,
     OAUTH_DEFAULT_INTERVAL},
    {"escape sequence in user_code", 200,
     "{" DC ",\"user_code\":\"AB\\u001b[31mCD\"," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"newline in user_code", 200, "{" DC ",\"user_code\":\"AB\\nCD\"," URI "," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"non-ASCII user_code", 200, "{" DC ",\"user_code\":\"AB\\u00e9CD\"," URI "," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"empty user_code", 200, "{" DC ",\"user_code\":\"\"," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"user_code of 64", 200,
     "{" DC
     ",\"user_code\":\"0123456789012345678901234567890123456789012345678901234567890123\"," URI
     "," EXP "}",
     OAUTH_OK, OAUTH_DEFAULT_INTERVAL},
    {"user_code of 65", 200,
     "{" DC
     ",\"user_code\":\"01234567890123456789012345678901234567890123456789012345678901234\"," URI
     "," EXP "}",
     OAUTH_PROTOCOL, 0},
    {"invalid_client: a wrong secret", 400,
     "{\"error\":\"invalid_client\",\"error_description\":\"bad id\"}", OAUTH_CONFIG, 0},
    {"error object with 200", 200, "{\"error\":\"invalid_scope\"," DC "," UC "," URI "," EXP "}",
     OAUTH_CONFIG, 0},
    {"unauthorized_client at 403", 403, "{\"error\":\"unauthorized_client\"}", OAUTH_CONFIG, 0},
    {"401 without body: client authentication refused", 401, "", OAUTH_CONFIG, 0},
    {"an error code not for this endpoint", 400, "{\"error\":\"authorization_pending\"}",
     OAUTH_PROTOCOL, 0},
    {"404 without a code", 404, "not found", OAUTH_PROTOCOL, 0},
    {"302 redirect", 302, "", OAUTH_PROTOCOL, 0},
    {"good body with 201", 201, "{" DC "," UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
    {"503", 503, "Service Unavailable", OAUTH_UNAVAILABLE, 0},
    {"500 with error object", 500, "{\"error\":\"server_error\"}", OAUTH_UNAVAILABLE, 0},
    {"not JSON", 200, "device_code=x&user_code=y", OAUTH_PROTOCOL, 0},
    {"duplicate device_code", 200, "{" DC "," DC "," UC "," URI "," EXP "}", OAUTH_PROTOCOL, 0},
};

static void
test_device_auth_parse_table(void)
{
	struct oauth_device_auth da;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(da_cases) / sizeof(da_cases[0]); i++) {
		const struct da_case *c = &da_cases[i];

		t_case = c->name;
		err[0] = '\0';
		CHECK_INT(oauth_device_auth_parse(c->status, c->body, strlen(c->body), &da, err,
		                                  sizeof(err)),
		          c->want);
		if (c->want == OAUTH_OK) {
			CHECK_INT(da.interval, c->interval);
			CHECK(da.device_code != NULL && da.user_code != NULL &&
			      da.verification_uri != NULL && da.expires_in > 0);
		} else {
			CHECK(err[0] != '\0');
			CHECK(da.device_code == NULL && da.user_code == NULL);
		}
		oauth_device_auth_free(&da);
	}
}

static void
test_device_auth_fields_are_read(void)
{
	static const char body[] =
	    "{" DC "," UC "," URI ",\"verification_uri_complete\":\"https://idp.example.com/"
	    "device?user_code=ABCD-EFGH\"," EXP ",\"interval\":7,\"message\":\"hello\"}";
	static const char google[] =
	    "{" DC "," UC ",\"verification_url\":\"https://www.google.com/device\"," EXP "}";
	struct oauth_device_auth da;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(oauth_device_auth_parse(200, body, strlen(body), &da, err, sizeof(err)),
	          OAUTH_OK);
	CHECK_STR(da.device_code, "dc-secret");
	CHECK_STR(da.user_code, "ABCD-EFGH");
	CHECK_STR(da.verification_uri, "https://idp.example.com/device");
	CHECK_STR(da.verification_uri_complete,
	          "https://idp.example.com/device?user_code=ABCD-EFGH");
	CHECK_INT(da.expires_in, 600);
	CHECK_INT(da.interval, 7);
	oauth_device_auth_free(&da);
	CHECK(da.device_code == NULL);
	CHECK_INT(oauth_device_auth_parse(200, google, strlen(google), &da, err, sizeof(err)),
	          OAUTH_OK);
	CHECK_STR(da.verification_uri, "https://www.google.com/device");
	CHECK(da.verification_uri_complete == NULL);
	oauth_device_auth_free(&da);
	oauth_device_auth_free(NULL);
}

static void
test_provider_error_is_sanitised_and_bounded(void)
{
	char body[2048], err[OAUTH_ERR_SIZE] = "";
	struct oauth_device_auth da;
	size_t i;

	snprintf(body, sizeof(body), "%s",
	         "{\"error\":\"invalid_client\",\"error_description\":\"\\u001b[2Jbad\\r\\nFAKE "
	         "LOG\"}");
	CHECK_INT(oauth_device_auth_parse(401, body, strlen(body), &da, err, sizeof(err)),
	          OAUTH_CONFIG);
	CHECK(strstr(err, "invalid_client") != NULL);
	CHECK(strstr(err, "bad") != NULL);
	for (i = 0; err[i] != '\0'; i++)
		CHECK((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] < 0x7f);
	/* A 1500-byte description is cut. */
	memcpy(body, "{\"error\":\"x\",\"error_description\":\"", 35);
	memset(body + 35, 'd', 1500);
	memcpy(body + 35 + 1500, "\"}", 3);
	CHECK_INT(oauth_device_auth_parse(400, body, strlen(body), &da, err, sizeof(err)),
	          OAUTH_PROTOCOL);
	CHECK(strlen(err) < 200);
}

struct token_case {
	const char *name;
	long status;
	const char *body;
	enum oauth_next next;
	enum oauth_status want; /* what the loop ends with, for STOP and RETRY */
	int transient;
};

#define A_READ OAUTH_NEXT_READ, OAUTH_OK
#define A_PENDING OAUTH_NEXT_PENDING, OAUTH_OK
#define A_SLOW OAUTH_NEXT_SLOW_DOWN, OAUTH_OK
#define A_RETRY OAUTH_NEXT_RETRY, OAUTH_UNAVAILABLE
#define A_STOP(st) OAUTH_NEXT_STOP, st

static const struct token_case token_cases[] = {
    {"success", 200, "{\"access_token\":\"at\",\"token_type\":\"Bearer\"}", A_READ, 0},
    {"authorization_pending", 400, "{\"error\":\"authorization_pending\"}", A_PENDING, 0},
    {"slow_down", 400, "{\"error\":\"slow_down\"}", A_SLOW, 0},
    {"access_denied", 400, "{\"error\":\"access_denied\"}", A_STOP(OAUTH_DENIED), 0},
    {"expired_token", 400, "{\"error\":\"expired_token\"}", A_STOP(OAUTH_EXPIRED), 0},
    {"pending with 401", 401, "{\"error\":\"authorization_pending\"}", A_PENDING, 0},
    {"GitHub pending with 200", 200,
     "{\"error\":\"authorization_pending\",\"error_description\":\"wait\"}", A_PENDING, 0},
    {"error beats a token", 200, "{\"error\":\"access_denied\",\"access_token\":\"at\"}",
     A_STOP(OAUTH_DENIED), 0},
    {"invalid_grant: the code is no good any more", 400, "{\"error\":\"invalid_grant\"}",
     A_STOP(OAUTH_EXPIRED), 0},
    {"invalid_client: a wrong secret", 401, "{\"error\":\"invalid_client\"}", A_STOP(OAUTH_CONFIG),
     0},
    {"unauthorized_client", 400, "{\"error\":\"unauthorized_client\"}", A_STOP(OAUTH_CONFIG), 0},
    {"unauthorized_client at 403", 403, "{\"error\":\"unauthorized_client\"}", A_STOP(OAUTH_CONFIG),
     0},
    {"unsupported_grant_type", 400, "{\"error\":\"unsupported_grant_type\"}", A_STOP(OAUTH_CONFIG),
     0},
    {"401 without a body", 401, "", A_STOP(OAUTH_CONFIG), 0},
    {"temporarily_unavailable at 400", 400, "{\"error\":\"temporarily_unavailable\"}", A_RETRY, 0},
    {"unknown error", 400, "{\"error\":\"whatever_new\"}", A_STOP(OAUTH_PROTOCOL), 0},
    {"error code case differs", 400, "{\"error\":\"Authorization_Pending\"}",
     A_STOP(OAUTH_PROTOCOL), 0},
    {"error not a string", 400, "{\"error\":7}", A_STOP(OAUTH_PROTOCOL), 0},
    {"success without access_token", 200, "{\"token_type\":\"Bearer\",\"id_token\":\"x\"}",
     A_STOP(OAUTH_PROTOCOL), 0},
    {"access_token a number", 200, "{\"access_token\":5}", A_STOP(OAUTH_PROTOCOL), 0},
    {"empty access_token", 200, "{\"access_token\":\"\"}", A_STOP(OAUTH_PROTOCOL), 0},
    {"not JSON", 200, "access_token=at&token_type=bearer", A_STOP(OAUTH_PROTOCOL), 0},
    {"400 without error", 400, "{}", A_STOP(OAUTH_PROTOCOL), 0},
    {"redirect", 302, "", A_STOP(OAUTH_PROTOCOL), 0},
    {"HTML 502", 502, "<html><body>Bad Gateway</body></html>", A_RETRY, 1},
    {"503 JSON", 503, "{\"error\":\"temporarily_unavailable\"}", A_RETRY, 1},
    {"503 with a final-looking code", 503, "{\"error\":\"access_denied\"}", A_RETRY, 1},
    {"429", 429, "", A_RETRY, 1},
    {"token with 201", 201, "{\"access_token\":\"at\"}", A_STOP(OAUTH_PROTOCOL), 0},
    {"expires_in negative", 200, "{\"access_token\":\"at\",\"expires_in\":-1}",
     A_STOP(OAUTH_PROTOCOL), 0},
};

#undef A_READ
#undef A_PENDING
#undef A_SLOW
#undef A_RETRY
#undef A_STOP

static void
test_token_response_table(void)
{
	struct oauth_token_response tr;
	struct oauth_answer a;
	char err[OAUTH_ERR_SIZE];
	size_t i;

	for (i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		const struct token_case *c = &token_cases[i];

		t_case = c->name;
		err[0] = '\0';
		a = oauth_token_response_parse(c->status, c->body, strlen(c->body), &tr, err,
		                               sizeof(err));
		CHECK_INT(a.next, c->next);
		CHECK_INT(a.status, c->want);
		CHECK_INT(oauth_token_response_transient(c->status), c->transient);
		if (c->next == OAUTH_NEXT_READ)
			CHECK_STR(tr.access_token, "at");
		else
			CHECK(tr.access_token == NULL && err[0] != '\0');
		oauth_token_response_free(&tr);
	}
}

static void
test_token_fields_are_read(void)
{
	static const char body[] = "{\"access_token\":\"at\",\"id_token\":\"a.b.c\",\"token_type\":"
	                           "\"Bearer\",\"scope\":\"openid profile\",\"expires_in\":3600}";
	static const char github[] = "{\"access_token\":\"gho_x\",\"token_type\":\"bearer\","
	                             "\"scope\":\"\"}";
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(oauth_token_response_parse(200, body, strlen(body), &tr, err, sizeof(err)).next,
	          OAUTH_NEXT_READ);
	CHECK_STR(tr.access_token, "at");
	CHECK_STR(tr.id_token, "a.b.c");
	CHECK_STR(tr.token_type, "Bearer");
	CHECK_STR(tr.scope, "openid profile");
	CHECK_INT(tr.expires_in, 3600);
	oauth_token_response_free(&tr);
	CHECK(tr.access_token == NULL);
	CHECK_INT(
	    oauth_token_response_parse(200, github, strlen(github), &tr, err, sizeof(err)).next,
	    OAUTH_NEXT_READ);
	CHECK_STR(tr.scope, "");
	CHECK(tr.id_token == NULL);
	oauth_token_response_free(&tr);
	oauth_token_response_free(NULL);
}

/* ---- The poll loop on a fake clock ---- */

/* One scripted token-endpoint answer; rc OAUTH_UNAVAILABLE is a transport failure. */
struct scripted {
	enum oauth_status rc;
	long status;
	const char *body;
	long retry_after;
};

#define PENDING                                                                                    \
	{                                                                                          \
		OAUTH_OK, 400, "{\"error\":\"authorization_pending\"}", -1                         \
	}
#define SLOW                                                                                       \
	{                                                                                          \
		OAUTH_OK, 400, "{\"error\":\"slow_down\"}", -1                                     \
	}
#define TOKEN                                                                                      \
	{                                                                                          \
		OAUTH_OK, 200, "{\"access_token\":\"SECRET-AT\",\"id_token\":\"SECRET-ID\"}", -1   \
	}
#define DENIED                                                                                     \
	{                                                                                          \
		OAUTH_OK, 400, "{\"error\":\"access_denied\"}", -1                                 \
	}
#define EXPIRED                                                                                    \
	{                                                                                          \
		OAUTH_OK, 400, "{\"error\":\"expired_token\"}", -1                                 \
	}
#define DOWN                                                                                       \
	{                                                                                          \
		OAUTH_UNAVAILABLE, 0, NULL, -1                                                     \
	}

#define MAX_EVENTS 64

struct fake {
	long long now; /* ms; only sleep_ms moves it */
	long long req_at[MAX_EVENTS];
	int nreq;
	long long slept[MAX_EVENTS];
	int nsleep;
	const struct scripted *script;
	size_t nscript;
	int fail_sleep;      /* nonzero: sleep_ms fails with OAUTH_CONV */
	long long oversleep; /* ms every sleep_ms runs late, as real sleeps do */
	char lines[MAX_EVENTS][256];
	int nlines;
};

static enum oauth_status
fake_request(void *ctx, struct oauth_http_response *resp, char *err, size_t errlen)
{
	static const struct scripted pending = PENDING;
	struct fake *f = ctx;
	const struct scripted *s = (size_t)f->nreq < f->nscript ? &f->script[f->nreq] : &pending;

	if (f->nreq < MAX_EVENTS)
		f->req_at[f->nreq] = f->now;
	f->nreq++;
	if (s->rc != OAUTH_OK) {
		oauth_seterr(err, errlen, "connection refused (fake)");
		return s->rc;
	}
	resp->status = s->status;
	resp->body = strdup(s->body);
	resp->len = strlen(s->body);
	resp->retry_after = s->retry_after;
	resp->date = -1;
	return OAUTH_OK;
}

static long long
fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static enum oauth_status
fake_sleep(void *ctx, long long ms)
{
	struct fake *f = ctx;

	if (f->fail_sleep)
		return OAUTH_CONV;
	if (f->nsleep < MAX_EVENTS)
		f->slept[f->nsleep] = ms;
	f->nsleep++;
	f->now += ms + f->oversleep;
	return OAUTH_OK;
}

static void
capture(void *ctx, int prio, const char *line)
{
	struct fake *f = ctx;

	(void)prio;
	if (f->nlines < MAX_EVENTS)
		snprintf(f->lines[f->nlines++], sizeof(f->lines[0]), "%s", line);
}

/* Runs the loop over script; returns its status, tr filled on success. */
static enum oauth_status
run_poll(struct fake *f, const struct scripted *script, size_t n, long interval, long long deadline,
         int poll_now, struct oauth_token_response *tr, char *err, size_t errlen)
{
	const struct oauth_poll_ops ops = {fake_request, fake_now, fake_sleep, f};
	const struct oauth_logger log = {capture, f, 1};

	f->script = script;
	f->nscript = n;
	return oauth_device_poll(&ops, interval, deadline, poll_now, &log, tr, err, errlen);
}

#define RUN_POLL(f, script, interval, deadline, poll_now, tr)                                      \
	run_poll(f, script, sizeof(script) / sizeof(script[0]), interval, deadline, poll_now, tr,  \
	         err, sizeof(err))

static void
test_first_poll_waits_one_interval(void)
{
	static const struct scripted script[] = {PENDING, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 7, 600000, 0, &tr), OAUTH_OK);
	CHECK_INT(f.nreq, 2);
	CHECK_INT(f.req_at[0], 7000);
	CHECK_INT(f.req_at[1], 14000);
	oauth_token_response_free(&tr);
}

static void
test_poll_now_polls_at_once(void)
{
	static const struct scripted script[] = {PENDING, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 1, &tr), OAUTH_OK);
	CHECK_INT(f.nreq, 2);
	CHECK_INT(f.req_at[0], 0);
	CHECK_INT(f.req_at[1], 5000);
	oauth_token_response_free(&tr);
}

static void
test_slow_down_adds_five_seconds(void)
{
	static const struct scripted script[] = {SLOW, PENDING, SLOW, PENDING, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 1, &tr), OAUTH_OK);
	CHECK_INT(f.nreq, 5);
	CHECK_INT(f.req_at[0], 0);
	CHECK_INT(f.req_at[1], 10000); /* 5 + 5 */
	CHECK_INT(f.req_at[2], 20000); /* kept after a pending answer */
	CHECK_INT(f.req_at[3], 35000); /* 10 + 5 */
	CHECK_INT(f.req_at[4], 50000);
	oauth_token_response_free(&tr);
}

static void
test_slow_down_is_capped_at_max_interval(void)
{
	static const struct scripted script[] = {SLOW, SLOW, SLOW, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, OAUTH_MAX_INTERVAL - 2, 3600000, 1, &tr), OAUTH_OK);
	CHECK_INT(f.slept[0], OAUTH_MAX_INTERVAL * 1000);
	CHECK_INT(f.slept[2], OAUTH_MAX_INTERVAL * 1000);
	oauth_token_response_free(&tr);
}

static void
test_interval_is_clamped(void)
{
	static const struct scripted script[] = {TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 0, 600000, 0, &tr), OAUTH_OK);
	CHECK_INT(f.req_at[0], OAUTH_DEFAULT_INTERVAL * 1000);
	oauth_token_response_free(&tr);
	memset(&f, 0, sizeof(f));
	CHECK_INT(RUN_POLL(&f, script, 100000, 600000, 0, &tr), OAUTH_OK);
	CHECK_INT(f.req_at[0], OAUTH_MAX_INTERVAL * 1000);
	oauth_token_response_free(&tr);
}

static void
test_access_denied_stops(void)
{
	static const struct scripted script[] = {PENDING, DENIED, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 1, &tr), OAUTH_DENIED);
	CHECK_INT(f.nreq, 2);
	CHECK(tr.access_token == NULL);
	CHECK(strstr(err, "access_denied") != NULL);
}

static void
test_expired_token_stops(void)
{
	static const struct scripted script[] = {EXPIRED, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 1, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 1);
	CHECK(tr.access_token == NULL);
}

static void
test_other_error_stops_with_protocol(void)
{
	static const struct scripted script[] = {
	    PENDING, {OAUTH_OK, 400, "{\"error\":\"whatever_new\"}", -1}, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 1, &tr), OAUTH_PROTOCOL);
	CHECK_INT(f.nreq, 2);
	CHECK(strstr(err, "whatever_new") != NULL);
}

static void
test_request_error_other_than_transport_stops(void)
{
	static const struct scripted script[] = {{OAUTH_PROTOCOL, 0, NULL, -1}, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 1, &tr), OAUTH_PROTOCOL);
	CHECK_INT(f.nreq, 1);
}

static void
test_deadline_stops_polling(void)
{
	static const struct scripted script[] = {PENDING};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";
	int i;

	/* Polls at 5 s and 10 s; the third wait is cut to 2 s; a last poll at 12 s; stop. */
	CHECK_INT(RUN_POLL(&f, script, 5, 12000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 3);
	CHECK_INT(f.req_at[2], 12000);
	CHECK_INT(f.slept[2], 2000);
	CHECK_INT(f.now, 12000);
	for (i = 0; i < f.nreq && i < MAX_EVENTS; i++)
		CHECK(f.req_at[i] <= 12000);
	CHECK(strstr(err, "deadline") != NULL);
	/* A deadline already behind us: not a single request. */
	memset(&f, 0, sizeof(f));
	f.now = 1000;
	CHECK_INT(RUN_POLL(&f, script, 5, 999, 1, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 0);
	/* A deadline exactly now with poll_now: one poll, then stop without sleeping. */
	memset(&f, 0, sizeof(f));
	CHECK_INT(RUN_POLL(&f, script, 5, 0, 1, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 1);
	CHECK_INT(f.nsleep, 0);
}

static void
test_last_poll_happens_when_the_cut_sleep_runs_late(void)
{
	static const struct scripted script[] = {PENDING, PENDING, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	/* Sleeps wake 3 ms late: polls at 5003, 10006, and the wait cut to the deadline still
	 * ends in a poll (12003), which here brings the token. */
	f.oversleep = 3;
	CHECK_INT(RUN_POLL(&f, script, 5, 12000, 0, &tr), OAUTH_OK);
	CHECK_INT(f.nreq, 3);
	CHECK_INT(f.req_at[2], 12003);
	oauth_token_response_free(&tr);
	/* An interval beyond the deadline: the one wait is cut, and the one poll happens. */
	memset(&f, 0, sizeof(f));
	f.oversleep = 3;
	CHECK_INT(RUN_POLL(&f, script, OAUTH_MAX_INTERVAL, 12000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 1);
	CHECK_INT(f.req_at[0], 12003);
	/* A cut sleep that overran the grace (a stopped process): no poll after all. */
	memset(&f, 0, sizeof(f));
	f.oversleep = 5000;
	CHECK_INT(RUN_POLL(&f, script, 60, 12000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 0);
}

static void
test_transport_failures_back_off_then_give_up(void)
{
	static const struct scripted script[] = {DOWN, DOWN, DOWN, DOWN, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 3600000, 1, &tr), OAUTH_UNAVAILABLE);
	CHECK_INT(f.nreq, OAUTH_MAX_POLL_FAILURES);
	CHECK_INT(f.slept[0], 10000);
	CHECK_INT(f.slept[1], 20000);
	CHECK_INT(f.slept[2], 40000);
	CHECK(tr.access_token == NULL);
	/* With a long interval the doubling stops at OAUTH_MAX_INTERVAL. */
	memset(&f, 0, sizeof(f));
	CHECK_INT(RUN_POLL(&f, script, 20, 3600000, 1, &tr), OAUTH_UNAVAILABLE);
	CHECK_INT(f.slept[0], 40000);
	CHECK_INT(f.slept[1], OAUTH_MAX_INTERVAL * 1000);
	CHECK_INT(f.slept[2], OAUTH_MAX_INTERVAL * 1000);
}

static void
test_failures_reset_after_an_answer(void)
{
	static const struct scripted script[] = {DOWN, DOWN, DOWN, PENDING,
	                                         DOWN, DOWN, DOWN, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 3600000, 1, &tr), OAUTH_OK);
	CHECK_INT(f.nreq, 8);
	CHECK_INT(f.slept[3], 5000); /* back to the interval after the pending answer */
	CHECK_STR(tr.access_token, "SECRET-AT");
	oauth_token_response_free(&tr);
}

static void
test_5xx_and_429_back_off_honouring_retry_after(void)
{
	static const struct scripted script[] = {
	    {OAUTH_OK, 502, "<html>Bad Gateway</html>", -1},
	    {OAUTH_OK, 429, "", 30},
	    {OAUTH_OK, 503, "", 100000},
	    TOKEN,
	};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	CHECK_INT(RUN_POLL(&f, script, 5, 3600000, 1, &tr), OAUTH_OK);
	CHECK_INT(f.nreq, 4);
	CHECK_INT(f.slept[0], 10000);                     /* doubled interval */
	CHECK_INT(f.slept[1], 30000);                     /* Retry-After above the back-off */
	CHECK_INT(f.slept[2], OAUTH_MAX_INTERVAL * 1000); /* a huge Retry-After is capped */
	oauth_token_response_free(&tr);
}

static void
test_sleep_failure_stops_at_once(void)
{
	static const struct scripted script[] = {PENDING, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	f.fail_sleep = 1;
	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 0, &tr), OAUTH_CONV);
	CHECK_INT(f.nreq, 0);
	/* After a first poll too. */
	memset(&f, 0, sizeof(f));
	f.fail_sleep = 1;
	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 1, &tr), OAUTH_CONV);
	CHECK_INT(f.nreq, 1);
	CHECK(tr.access_token == NULL);
}

static void
test_success_returns_token(void)
{
	static const struct scripted script[] = {PENDING, PENDING, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";
	int i;

	CHECK_INT(RUN_POLL(&f, script, 5, 600000, 0, &tr), OAUTH_OK);
	CHECK_STR(tr.access_token, "SECRET-AT");
	CHECK_STR(tr.id_token, "SECRET-ID");
	CHECK_INT(f.nreq, 3);
	/* Debug lines say the steps but never a token. */
	CHECK(f.nlines > 3);
	for (i = 0; i < f.nlines; i++)
		CHECK(strstr(f.lines[i], "SECRET") == NULL);
	oauth_token_response_free(&tr);
}

static void
test_poll_without_ops_is_config_error(void)
{
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";
	const struct oauth_poll_ops ops = {NULL, fake_now, fake_sleep, NULL};

	CHECK_INT(oauth_device_poll(NULL, 5, 1000, 1, NULL, &tr, err, sizeof(err)), OAUTH_CONFIG);
	CHECK_INT(oauth_device_poll(&ops, 5, 1000, 1, NULL, &tr, err, sizeof(err)), OAUTH_CONFIG);
}

/* ---- The requests on the wire ---- */

#define DA_BODY                                                                                    \
	"{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\",\"verification_uri\":"                \
	"\"https://idp.example.com/device\",\"expires_in\":600}"

static char da_reply[512];

static struct oauth_http *
new_handle(void)
{
	const struct oauth_http_opts opts = {.timeout = 2};
	struct oauth_http *http = NULL;
	char err[OAUTH_ERR_SIZE] = "";

	if (oauth_http_new(&http, &opts, err, sizeof(err)) != OAUTH_OK)
		fprintf(stderr, "oauth_http_new: %s\n", err);
	return http;
}

/* Sends a device authorization and a token request for cfg; returns the two requests seen. */
static void
exchange(struct oauth_config *cfg, struct httpd *h, enum oauth_status *da_rc,
         enum oauth_status *tok_rc)
{
	static const char tok_reply[] =
	    "HTTP/1.1 400 Bad\r\nContent-Type: application/json\r\n"
	    "Content-Length: 33\r\n\r\n{\"error\":\"authorization_pending\"}";
	static struct httpd_reply replies[2] = {{da_reply, 0, 0}, {tok_reply, 0, 0}};
	struct oauth_http *http = new_handle();
	struct oauth_http_response resp;
	struct oauth_endpoints ep = {0};
	struct oauth_device_auth da;
	char err[OAUTH_ERR_SIZE] = "", dev[128], tok[128];

	snprintf(
	    da_reply, sizeof(da_reply),
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(DA_BODY), DA_BODY);
	if (httpd_start(h, replies, 2) != 0)
		return;
	snprintf(dev, sizeof(dev), "%s/device", h->base);
	snprintf(tok, sizeof(tok), "%s/token", h->base);
	ep.device_authorization_endpoint = dev;
	ep.token_endpoint = tok;
	*da_rc = oauth_device_authorize(http, cfg, &ep, &da, err, sizeof(err));
	*tok_rc = oauth_device_token_request(http, cfg, &ep, "DC+1/2=", &resp, err, sizeof(err));
	CHECK_INT(resp.status, 400);
	oauth_http_response_free(&resp);
	oauth_device_auth_free(&da);
	oauth_http_free(http);
	httpd_stop(h);
}

#define GRANT "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"

static void
test_requests_use_basic_auth_by_default(void)
{
	struct oauth_config cfg;
	enum oauth_status a = OAUTH_CONFIG, t = OAUTH_CONFIG;
	struct httpd h;

	memset(&cfg, 0, sizeof(cfg));
	cfg.client_id = S("cid");
	cfg.client_secret = S("sec");
	cfg.scope = S("openid profile");
	exchange(&cfg, &h, &a, &t);
	CHECK_INT(a, OAUTH_OK);
	CHECK_INT(t, OAUTH_OK);
	CHECK(strncmp(httpd_request(&h, 0), "POST /device ", 13) == 0);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), "client_id=cid&scope=openid%20profile");
	CHECK(httpd_has_header(httpd_request(&h, 0), "Authorization: Basic Y2lkOnNlYw=="));
	CHECK(strncmp(httpd_request(&h, 1), "POST /token ", 12) == 0);
	CHECK_STR(httpd_body(httpd_request(&h, 1)),
	          GRANT "&device_code=DC%2B1%2F2%3D&client_id=cid");
	CHECK(httpd_has_header(httpd_request(&h, 1), "Authorization: Basic Y2lkOnNlYw=="));
	CHECK_INT(httpd_accepted(&h), 1);
	httpd_free(&h);
}

static void
test_requests_put_secret_in_body_when_asked(void)
{
	struct oauth_config cfg;
	enum oauth_status a = OAUTH_CONFIG, t = OAUTH_CONFIG;
	struct httpd h;

	memset(&cfg, 0, sizeof(cfg));
	cfg.client_id = S("cid");
	cfg.client_secret = S("s&c=t");
	cfg.client_auth = OAUTH_CLIENT_AUTH_POST;
	exchange(&cfg, &h, &a, &t);
	CHECK_INT(a, OAUTH_OK);
	CHECK_INT(t, OAUTH_OK);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), "client_id=cid&client_secret=s%26c%3Dt");
	CHECK(!httpd_has_header_name(httpd_request(&h, 0), "Authorization"));
	CHECK_STR(httpd_body(httpd_request(&h, 1)),
	          GRANT "&device_code=DC%2B1%2F2%3D&client_id=cid&client_secret=s%26c%3Dt");
	CHECK(!httpd_has_header_name(httpd_request(&h, 1), "Authorization"));
	httpd_free(&h);
}

static void
test_public_client_sends_no_secret(void)
{
	struct oauth_config cfg;
	enum oauth_status a = OAUTH_CONFIG, t = OAUTH_CONFIG;
	struct httpd h;

	memset(&cfg, 0, sizeof(cfg));
	cfg.client_id = S("cid");
	exchange(&cfg, &h, &a, &t);
	CHECK_INT(a, OAUTH_OK);
	CHECK_STR(httpd_body(httpd_request(&h, 0)), "client_id=cid");
	CHECK(!httpd_has_header_name(httpd_request(&h, 0), "Authorization"));
	CHECK_STR(httpd_body(httpd_request(&h, 1)),
	          GRANT "&device_code=DC%2B1%2F2%3D&client_id=cid");
	CHECK(!httpd_has_header_name(httpd_request(&h, 1), "Authorization"));
	httpd_free(&h);
}

static void
test_requests_without_client_or_endpoint_are_config_errors(void)
{
	struct oauth_config cfg;
	struct oauth_endpoints ep = {0};
	struct oauth_device_auth da;
	struct oauth_http_response resp;
	char err[OAUTH_ERR_SIZE] = "";

	memset(&cfg, 0, sizeof(cfg));
	CHECK_INT(oauth_device_authorize(NULL, &cfg, &ep, &da, err, sizeof(err)), OAUTH_CONFIG);
	cfg.client_id = S("cid");
	CHECK_INT(oauth_device_authorize(NULL, &cfg, &ep, &da, err, sizeof(err)), OAUTH_CONFIG);
	CHECK_INT(oauth_device_token_request(NULL, &cfg, &ep, "dc", &resp, err, sizeof(err)),
	          OAUTH_CONFIG);
	ep.token_endpoint = S("https://idp.example.com/t");
	CHECK_INT(oauth_device_token_request(NULL, &cfg, &ep, NULL, &resp, err, sizeof(err)),
	          OAUTH_CONFIG);
}

int
main(void)
{
	RUN(test_device_auth_parse_table);
	RUN(test_device_auth_fields_are_read);
	RUN(test_provider_error_is_sanitised_and_bounded);
	RUN(test_token_response_table);
	RUN(test_token_fields_are_read);
	RUN(test_first_poll_waits_one_interval);
	RUN(test_poll_now_polls_at_once);
	RUN(test_slow_down_adds_five_seconds);
	RUN(test_slow_down_is_capped_at_max_interval);
	RUN(test_interval_is_clamped);
	RUN(test_access_denied_stops);
	RUN(test_expired_token_stops);
	RUN(test_other_error_stops_with_protocol);
	RUN(test_request_error_other_than_transport_stops);
	RUN(test_deadline_stops_polling);
	RUN(test_last_poll_happens_when_the_cut_sleep_runs_late);
	RUN(test_transport_failures_back_off_then_give_up);
	RUN(test_failures_reset_after_an_answer);
	RUN(test_5xx_and_429_back_off_honouring_retry_after);
	RUN(test_sleep_failure_stops_at_once);
	RUN(test_success_returns_token);
	RUN(test_poll_without_ops_is_config_error);
	RUN(test_requests_use_basic_auth_by_default);
	RUN(test_requests_put_secret_in_body_when_asked);
	RUN(test_public_client_sends_no_secret);
	RUN(test_requests_without_client_or_endpoint_are_config_errors);
	return T_DONE();
}
