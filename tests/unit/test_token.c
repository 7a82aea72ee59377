/* SPDX-License-Identifier: BSD-3-Clause */
/* Copyright (c) 2026 The pam_oauth authors */
/* Tests of token.c: the token answer, and the poll loop on a fake clock and transport. */
#include "build_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "testutil.h"
#include "token.h"

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
		CHECK_INT(oauth_answer_classify(OAUTH_AT_TOKEN, c->status, NULL).next ==
		              OAUTH_NEXT_RETRY,
		          c->transient);
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

/* An answer that arrived: HTTP status and body, no Retry-After. */
#define ANSWER(http, body)                                                                         \
	{                                                                                          \
		OAUTH_OK, http, body, -1                                                           \
	}
#define PENDING ANSWER(400, "{\"error\":\"authorization_pending\"}")
#define SLOW ANSWER(400, "{\"error\":\"slow_down\"}")
#define TOKEN ANSWER(200, "{\"access_token\":\"SECRET-AT\",\"id_token\":\"SECRET-ID\"}")
#define DENIED ANSWER(400, "{\"error\":\"access_denied\"}")
#define EXPIRED ANSWER(400, "{\"error\":\"expired_token\"}")
/* No answer: a transport failure. */
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
fake_request(void *ctx, const struct oauth_grant *g, struct oauth_http_response *resp, char *err,
             size_t errlen)
{
	static const struct scripted pending = PENDING;
	struct fake *f = ctx;
	const struct scripted *s = (size_t)f->nreq < f->nscript ? &f->script[f->nreq] : &pending;

	(void)g;
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
	const struct oauth_token_transport send = {fake_request, f};
	const struct oauth_clock clock = {fake_now, fake_sleep, f};
	const struct oauth_grant g = {"grant", "code", "SECRET-CODE", interval, deadline};
	const struct oauth_logger log = {capture, f, 1};

	f->script = script;
	f->nscript = n;
	return oauth_token_poll(&send, &clock, &g,
	                        poll_now ? OAUTH_POLL_AT_ONCE : OAUTH_POLL_AFTER_INTERVAL, &log, tr,
	                        err, errlen);
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
	    PENDING, ANSWER(400, "{\"error\":\"whatever_new\"}"), TOKEN};
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

	/* Polls at 5 s and 10 s; the next turn (15 s) is past the deadline: wait it out, stop. */
	CHECK_INT(RUN_POLL(&f, script, 5, 12000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 2);
	CHECK_INT(f.slept[2], 2000);
	CHECK_INT(f.now, 12000);
	for (i = 0; i < f.nreq && i < MAX_EVENTS; i++)
		CHECK(f.req_at[i] <= 12000);
	CHECK(strstr(err, "deadline") != NULL);
	/* A turn that falls on the deadline itself is taken. */
	memset(&f, 0, sizeof(f));
	CHECK_INT(RUN_POLL(&f, script, 5, 10000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 2);
	CHECK_INT(f.req_at[1], 10000);
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

/* RFC 8628 §3.5: the deadline never makes a poll come sooner than the interval. */
static void
test_a_poll_never_comes_sooner_than_the_interval(void)
{
	static const struct scripted script[] = {PENDING, PENDING, PENDING, PENDING, TOKEN};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";
	int i;

	/* timeout 5 s, interval 1 s, sleeps 3 ms late: polls at 1003 ... 4012; the turn at
	 * 5015 is past the deadline, so no poll 0.44 s after the one before. */
	f.oversleep = 3;
	CHECK_INT(RUN_POLL(&f, script, 1, 5000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 4);
	for (i = 1; i < f.nreq; i++)
		if (f.req_at[i] - f.req_at[i - 1] < 1000)
			T_FAIL("poll %d came %lld ms after the one before", i,
			       f.req_at[i] - f.req_at[i - 1]);
	t_checks++;
	/* An interval longer than the whole wait: no poll at all, the loop ends at the deadline. */
	memset(&f, 0, sizeof(f));
	CHECK_INT(RUN_POLL(&f, script, OAUTH_MAX_INTERVAL, 12000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 0);
	CHECK_INT(f.now, 12000);
	/* A sleep that overran the grace (a stopped process): no poll after all. */
	memset(&f, 0, sizeof(f));
	f.oversleep = 5000;
	CHECK_INT(RUN_POLL(&f, script, 5, 7000, 0, &tr), OAUTH_EXPIRED);
	CHECK_INT(f.nreq, 0);
	/* A turn due by the deadline that wakes a little late still polls. */
	memset(&f, 0, sizeof(f));
	f.oversleep = 3;
	CHECK_INT(run_poll(&f, script + 4, 1, 5, 5000, 0, &tr, err, sizeof(err)), OAUTH_OK);
	CHECK_INT(f.req_at[0], 5003);
	oauth_token_response_free(&tr);
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

/* The deadline ends a run of failures: the provider, not the person, ended it. */
static void
test_deadline_while_failing_is_unavailable(void)
{
	static const struct scripted failing[] = {DOWN, DOWN, DOWN};
	static const struct scripted answered[] = {DOWN, PENDING};
	struct fake f = {0};
	struct oauth_token_response tr;
	char err[OAUTH_ERR_SIZE] = "";

	/* Polls at 0, 10 and 30 s; the back-off to 70 s passes the 60 s deadline. */
	CHECK_INT(RUN_POLL(&f, failing, 5, 60000, 1, &tr), OAUTH_UNAVAILABLE);
	CHECK_INT(f.nreq, 3);
	CHECK(strstr(err, "failed the last 3 polls") != NULL);
	CHECK(strstr(err, "connection refused (fake)") != NULL);
	/* An answer in between resets the run: the deadline is the person's again. */
	memset(&f, 0, sizeof(f));
	CHECK_INT(RUN_POLL(&f, answered, 5, 30000, 1, &tr), OAUTH_EXPIRED);
	CHECK(strstr(err, "no approval before the deadline") != NULL);
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
	    ANSWER(502, "<html>Bad Gateway</html>"),
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
	const struct oauth_token_transport none = {NULL, NULL};
	const struct oauth_clock clock = {fake_now, fake_sleep, NULL};
	const struct oauth_grant g = {"grant", "code", "v", 5, 1000};

	CHECK_INT(
	    oauth_token_poll(NULL, &clock, &g, OAUTH_POLL_AT_ONCE, NULL, &tr, err, sizeof(err)),
	    OAUTH_CONFIG);
	CHECK_INT(
	    oauth_token_poll(&none, &clock, &g, OAUTH_POLL_AT_ONCE, NULL, &tr, err, sizeof(err)),
	    OAUTH_CONFIG);
}

static void
test_wait_and_deadline_take_the_shorter(void)
{
	struct fake f = {.now = 1000};
	const struct oauth_clock clock = {fake_now, fake_sleep, &f};

	CHECK_INT(oauth_token_wait_secs(90, 600), 90);
	CHECK_INT(oauth_token_wait_secs(90, 30), 30);
	CHECK_INT(oauth_token_deadline(&clock, 90, 600), 1000 + 90000);
	CHECK_INT(oauth_token_deadline(&clock, 90, 30), 1000 + 30000);
}

int
main(void)
{
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
	RUN(test_deadline_while_failing_is_unavailable);
	RUN(test_a_poll_never_comes_sooner_than_the_interval);
	RUN(test_transport_failures_back_off_then_give_up);
	RUN(test_failures_reset_after_an_answer);
	RUN(test_5xx_and_429_back_off_honouring_retry_after);
	RUN(test_sleep_failure_stops_at_once);
	RUN(test_success_returns_token);
	RUN(test_poll_without_ops_is_config_error);
	RUN(test_wait_and_deadline_take_the_shorter);
	return T_DONE();
}
